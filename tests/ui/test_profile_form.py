import pytest

from audit.models import AuditEntry
from invocations.models import CredentialProfile
from tests.ui.conftest import DEMO_SECRET, DEMO_TOKEN

pytestmark = pytest.mark.django_db

NEW = {
    "name": "staging",
    "description": "staging account",
    "account_id": "1234567890123456",
    "default_region": "cn-shanghai",
    "access_key_id": "LTAI5tStagingKey00",
    "access_key_secret": "staging-secret-value",
    "security_token": "",
    "endpoint": "",
}


def test_admin_creates_a_profile_with_an_encrypted_secret(login, admin, invoker):
    response = login(admin).post("/profiles/new", {**NEW, "allowed_users": [invoker.pk]})
    profile = CredentialProfile.objects.get(name="staging")
    assert response.status_code == 302
    assert response["Location"] == f"/profiles/{profile.uuid}/"
    assert profile.access_key_secret() == "staging-secret-value"
    assert "staging-secret-value" not in profile.access_key_secret_encrypted
    assert profile.security_token() is None
    assert list(profile.allowed_users.all()) == [invoker]
    assert profile.created_by == admin


def test_it_requires_the_secret_when_creating(login, admin):
    response = login(admin).post("/profiles/new", {**NEW, "access_key_secret": ""})
    assert response.status_code == 200
    assert not CredentialProfile.objects.filter(name="staging").exists()
    assert "This field is required." in response.content.decode()


def test_it_stores_an_optional_sts_token(login, admin):
    login(admin).post("/profiles/new", {**NEW, "security_token": "token-123"})
    assert CredentialProfile.objects.get(name="staging").security_token() == "token-123"


def test_the_edit_form_never_sends_the_secret_back(login, admin, profile):
    html = login(admin).get(f"/profiles/{profile.uuid}/").content.decode()
    assert DEMO_SECRET not in html
    assert DEMO_TOKEN not in html
    assert profile.access_key_secret_encrypted not in html
    assert "LTAI****oKey" in html
    assert profile.access_key_id not in html
    assert 'name="access_key_secret"' in html


def test_an_empty_secret_field_keeps_the_stored_secret(login, admin, profile):
    data = {**NEW, "name": "demo", "access_key_id": "", "access_key_secret": ""}
    response = login(admin).post(f"/profiles/{profile.uuid}/", data)
    assert response.status_code == 302
    profile.refresh_from_db()
    assert profile.access_key_secret() == DEMO_SECRET
    assert profile.security_token() == DEMO_TOKEN
    assert profile.default_region == "cn-shanghai"
    assert profile.access_key_id == "LTAIfclocalDemoKey"


def test_a_new_secret_replaces_the_stored_one(login, admin, profile):
    data = {**NEW, "name": "demo", "access_key_secret": "rotated-secret"}
    login(admin).post(f"/profiles/{profile.uuid}/", data)
    profile.refresh_from_db()
    assert profile.access_key_secret() == "rotated-secret"
    assert profile.security_token() == DEMO_TOKEN


def test_the_stored_sts_token_can_be_removed(login, admin, profile):
    data = {**NEW, "name": "demo", "access_key_secret": "", "clear_security_token": "on"}
    login(admin).post(f"/profiles/{profile.uuid}/", data)
    profile.refresh_from_db()
    assert profile.security_token() is None
    assert profile.access_key_secret() == DEMO_SECRET


@pytest.mark.parametrize(
    "endpoint",
    ["https://evil.example.com", "http://10.0.0.5:9000", "ftp://127.0.0.1"],
)
def test_it_rejects_an_endpoint_outside_the_allow_list(login, admin, endpoint):
    response = login(admin).post("/profiles/new", {**NEW, "endpoint": endpoint})
    assert response.status_code == 200
    assert not CredentialProfile.objects.filter(name="staging").exists()
    assert 'class="field has-error"' in response.content.decode()


@pytest.mark.parametrize(
    "endpoint", ["http://127.0.0.1:9000", "https://1234567890123456.cn-hangzhou.fc.aliyuncs.com"]
)
def test_it_accepts_an_allowed_endpoint(login, admin, endpoint):
    assert login(admin).post("/profiles/new", {**NEW, "endpoint": endpoint}).status_code == 302
    assert CredentialProfile.objects.get(name="staging").endpoint == endpoint


def test_it_keeps_an_fc3_endpoint_beside_the_2_0_one_and_records_the_change(login, admin):
    login(admin).post("/profiles/new", {**NEW, "endpoint": "http://127.0.0.1:9000"})
    profile = CredentialProfile.objects.get(name="staging")
    assert profile.endpoint_fc3 == ""  # empty: FC 3.0 calls go where FC 2.0 ones go

    edit = {**NEW, "endpoint": "http://127.0.0.1:9000", "endpoint_fc3": "http://localhost:9300/"}
    assert login(admin).post(f"/profiles/{profile.uuid}/", edit).status_code == 302

    profile.refresh_from_db()
    assert (profile.endpoint, profile.endpoint_fc3) == ("http://127.0.0.1:9000", "http://localhost:9300")
    entry = AuditEntry.objects.filter(action="profile.edited").latest("id")
    assert entry.after == {"endpoint_fc3": "http://localhost:9300"}


def test_it_holds_the_fc3_endpoint_to_the_allow_list_too(login, admin):
    response = login(admin).post("/profiles/new", {**NEW, "endpoint_fc3": "https://evil.example.com"})
    assert response.status_code == 200
    assert not CredentialProfile.objects.filter(name="staging").exists()
    assert "evil.example.com is not an allowed FC endpoint host" in response.content.decode()


def test_it_names_the_allowed_hosts_when_refusing(login, admin, settings):
    settings.FC_ENDPOINT_ALLOWED_HOSTS = ["*.fc.aliyuncs.com"]
    html = login(admin).post("/profiles/new", {**NEW, "endpoint": "http://127.0.0.1:9000"}).content.decode()
    assert "127.0.0.1 is not an allowed FC endpoint host (allowed: *.fc.aliyuncs.com" in html


@pytest.mark.parametrize(
    "field, value", [("account_id", "12ab"), ("access_key_id", "LTAI key"), ("name", "has space")]
)
def test_it_rejects_malformed_fields(login, admin, field, value):
    response = login(admin).post("/profiles/new", {**NEW, field: value})
    assert response.status_code == 200
    assert not CredentialProfile.objects.exists()


def test_a_refused_form_says_the_typed_secrets_were_not_kept(login, admin):
    response = login(admin).post("/profiles/new", {**NEW, "account_id": "12ab", "security_token": "tok-9"})
    html = response.content.decode()
    assert "staging-secret-value" not in html and "tok-9" not in html
    secret_field = html.split('name="access_key_secret"')[1].split("</div>")[0]
    assert "For safety the secret was not kept; type it again." in secret_field
    token_field = html.split('name="security_token"')[1].split("</div>")[0]
    assert "For safety the token was not kept; type it again." in token_field


def test_a_refused_form_without_a_typed_secret_asks_nothing_more(login, admin, profile):
    data = {**NEW, "name": "has space", "access_key_id": "", "access_key_secret": ""}
    html = login(admin).post(f"/profiles/{profile.uuid}/", data).content.decode()
    assert "was not kept" not in html


def test_it_marks_a_profile_protected(login, admin):
    login(admin).post("/profiles/new", {**NEW, "protected": "on", "all_invokers": "on"})
    profile = CredentialProfile.objects.get(name="staging")
    assert profile.protected and profile.all_invokers


def test_only_invokers_are_offered_as_allowed_users(login, admin, invoker, viewer):
    html = login(admin).get("/profiles/new").content.decode()
    assert invoker.username in html
    assert viewer.username not in html


@pytest.mark.parametrize("persona", ["viewer", "invoker"])
def test_non_admins_cannot_create_or_edit(login, request, persona, profile):
    client = login(request.getfixturevalue(persona))
    assert client.post("/profiles/new", NEW).status_code == 403
    assert client.post(f"/profiles/{profile.uuid}/", {**NEW, "name": "demo"}).status_code == 403
    profile.refresh_from_db()
    assert profile.default_region == "cn-hangzhou"


def test_the_form_uses_the_profile_fields_one_rule(login, admin):
    from invocations.models import CredentialProfile

    response = login(admin).post(
        "/profiles/new", {**NEW, "name": "prod\x01", "account_id": "１２３", "access_key_id": "LTAI key"}
    )

    assert response.status_code == 200
    html = response.content.decode()
    assert "like a Serverless Devs access alias" in html
    assert "An Alibaba Cloud account ID is digits only" in html
    assert "An AccessKey ID is letters and digits only" in html
    assert 'value="１２３"' in html  # what was typed stays
    assert not CredentialProfile.objects.exists()
