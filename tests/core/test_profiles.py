"""Credential profiles: the FC client they give, the endpoint rules (FC 2.0 and 3.0), rotation, the
demo seed."""

import io

import pytest
from cryptography.fernet import Fernet
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError

from audit.models import AuditEntry
from invocations import crypto
from invocations.fc.targets import Target
from invocations.models import CredentialProfile
from tests.core.conftest import DEMO_SECRET, make_profile


@pytest.mark.django_db
def test_a_profile_gives_one_shared_client_per_region(nowhere_profile):
    client = nowhere_profile.client()
    assert nowhere_profile.client() is client
    assert nowhere_profile.client("ap-southeast-1") is not client
    assert client.endpoint == nowhere_profile.endpoint


@pytest.mark.django_db
def test_a_saved_profile_gives_a_new_client_with_its_new_secret(nowhere_profile):
    old = nowhere_profile.client()
    nowhere_profile.set_secret("a-new-secret")
    nowhere_profile.save()
    new = CredentialProfile.objects.get(pk=nowhere_profile.pk).client()
    assert new is not old
    assert new._secret == "a-new-secret"
    # A thread still holding the old copy of the profile does not bring the old client back.
    assert CredentialProfile.objects.get(pk=nowhere_profile.pk).client() is new


@pytest.mark.django_db
def test_without_an_override_the_endpoint_comes_from_account_and_region():
    profile = make_profile("cloud", "", account_id="1234567890123456")
    assert profile.endpoint_for("cn-shanghai") == "https://1234567890123456.cn-shanghai.fc.aliyuncs.com"


@pytest.mark.django_db
def test_fc3_calls_take_the_fc3_override_else_the_2_0_one_else_fcs_public_endpoint():
    public = make_profile("cloud", "", account_id="1234567890123456")
    assert (
        public.endpoint_for("cn-shanghai", fc3=True) == "https://1234567890123456.cn-shanghai.fc.aliyuncs.com"
    )
    shared = make_profile("local", "http://127.0.0.1:9000")
    assert shared.endpoint_for(fc3=True) == shared.endpoint_for() == "http://127.0.0.1:9000"
    split = make_profile("split", "http://127.0.0.1:9000", endpoint_fc3="http://localhost:9300/")
    assert (split.endpoint_for(), split.endpoint_for(fc3=True)) == (
        "http://127.0.0.1:9000",
        "http://localhost:9300",
    )
    only3 = make_profile("only3", "", endpoint_fc3="http://localhost:9300")
    assert only3.endpoint_for("cn-beijing") == "https://1234567890123456.cn-beijing.fc.aliyuncs.com"
    assert only3.endpoint_for("cn-beijing", fc3=True) == "http://localhost:9300"


@pytest.mark.django_db
def test_a_profiles_one_client_sends_fc3_calls_to_its_fc3_endpoint():
    profile = make_profile("split", "http://127.0.0.1:9000", endpoint_fc3="http://localhost:9300")
    client = profile.client()
    assert (client.endpoint, client.endpoint_fc3) == ("http://127.0.0.1:9000", "http://localhost:9300")
    assert client.endpoint_for_region("cn-hangzhou", fc3=True) == "http://localhost:9300"
    assert profile.client() is client  # still one client per profile and region


@pytest.mark.django_db
def test_an_fc3_endpoint_override_off_the_allow_list_is_refused():
    profile = make_profile(
        "evil3", "http://127.0.0.1:9000", endpoint_fc3="https://collector.evil.example.com"
    )
    with pytest.raises(ValidationError) as err:
        profile.full_clean()
    assert set(err.value.message_dict) == {"endpoint_fc3"}
    assert "is not an allowed FC endpoint host" in err.value.message_dict["endpoint_fc3"][0]


@pytest.mark.django_db
def test_an_endpoint_override_off_the_allow_list_is_refused():
    profile = make_profile("evil", "https://collector.evil.example.com")
    with pytest.raises(ValidationError) as err:
        profile.full_clean()
    assert "is not an allowed FC endpoint host" in err.value.message_dict["endpoint"][0]


@pytest.mark.django_db
def test_rotate_credentials_reencrypts_with_the_first_key(settings):
    old_key, new_key = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FCCONSOLE_ENCRYPTION_KEYS = [old_key]
    profile = make_profile("rotating", "http://127.0.0.1:9000")
    settings.FCCONSOLE_ENCRYPTION_KEYS = [new_key, old_key]
    out = io.StringIO()
    call_command("rotate_credentials", stdout=out)
    assert "re-encrypted 1 profile(s)" in out.getvalue()
    settings.FCCONSOLE_ENCRYPTION_KEYS = [new_key]
    rotated = CredentialProfile.objects.get(pk=profile.pk)
    assert rotated.access_key_secret() == DEMO_SECRET
    assert rotated.updated_at == profile.updated_at  # cached FC clients stay valid
    assert AuditEntry.objects.filter(action="profile.rotated", object_id=str(profile.uuid)).exists()


@pytest.mark.django_db
def test_rotate_credentials_changes_nothing_when_a_secret_cannot_be_read(settings):
    settings.FCCONSOLE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    profile = make_profile("lost", "http://127.0.0.1:9000")
    before = profile.access_key_secret_encrypted
    settings.FCCONSOLE_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(CommandError, match="nothing was changed"):
        call_command("rotate_credentials", stdout=io.StringIO())
    assert CredentialProfile.objects.get(pk=profile.pk).access_key_secret_encrypted == before


@pytest.mark.django_db
def test_seed_demo_makes_an_fclocal_profile_every_invoker_may_use(settings, invoker):
    settings.FCLOCAL_URL = "http://127.0.0.1:9123"
    call_command("seed_demo", stdout=io.StringIO())
    call_command("seed_demo", stdout=io.StringIO())  # again: updates, does not duplicate
    profile = CredentialProfile.objects.get(name="fclocal")
    assert profile.endpoint == "http://127.0.0.1:9123"
    assert profile.endpoint_fc3 == ""  # one fclocal serves both demos: 3.0 calls go there too
    assert profile.access_key_id == "LTAIfclocalDemoKey"
    assert crypto.decrypt(profile.access_key_secret_encrypted) == DEMO_SECRET
    assert list(CredentialProfile.objects.usable_by(invoker)) == [profile]


@pytest.mark.django_db
def test_is_usable_by_agrees_with_usable_by_for_every_role_and_grant(
    admin, invoker, other_invoker, viewer, outsider, django_assert_max_num_queries
):
    granted = make_profile("granted", "http://127.0.0.1:9000", all_invokers=False)
    granted.allowed_users.add(invoker)
    open_to_all = make_profile("open", "http://127.0.0.1:9000", all_invokers=True)
    closed = make_profile("closed", "http://127.0.0.1:9000", all_invokers=False)

    for user in (admin, invoker, other_invoker, viewer, outsider):
        usable = set(CredentialProfile.objects.usable_by(user))
        for profile in (granted, open_to_all, closed):
            assert profile.is_usable_by(user) == (profile in usable), (user.username, profile.name)
    assert {p.name for p in CredentialProfile.objects.usable_by(invoker)} == {"granted", "open"}

    # An open profile answers an invoker without reading grants (submit asks this every time).
    invoker = type(invoker).objects.select_related("membership").get(pk=invoker.pk)
    with django_assert_max_num_queries(0):
        assert open_to_all.is_usable_by(invoker)


@pytest.mark.django_db
def test_the_demo_profile_reaches_the_2_0_and_the_3_0_demo_of_one_fclocal(settings, fclocal):
    settings.FCLOCAL_URL = fclocal.url
    call_command("seed_demo", stdout=io.StringIO())
    client = CredentialProfile.objects.get(name="fclocal").client()

    fc2 = client.invoke(Target("cn-hangzhou", "hello", "demo"), b'{"v": 2}')
    fc3 = client.invoke(Target("cn-hangzhou", "hello"), b'{"v": 3}')

    assert (fc2.status, fc2.body, fc3.status, fc3.body) == (200, b'{"v": 2}', 200, b'{"v": 3}')
    assert "/2016-08-15/services/demo/" in fc2.request_url
    assert "/2023-03-30/functions/hello/" in fc3.request_url
