"""The user's own page: API tokens created (shown once) and revoked."""

import re

import pytest
from django.test import Client

from audit.models import AuditEntry
from invocations.models import ApiToken


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.django_db
def test_a_new_token_is_shown_once_and_stored_only_as_a_hash(viewer):
    client = signed_in(viewer)

    created = client.post("/account/tokens/", {"name": "laptop script"})
    assert created.status_code == 302 and created["Location"] == "/account/#api-tokens"
    response = client.get(created["Location"])

    assert response.status_code == 200
    assert response["Cache-Control"] == "no-store"
    plaintext = re.search(
        r'<pre class="mono" id="new-token">(fcc_[^<]+)</pre>', response.content.decode()
    ).group(1)
    token = ApiToken.objects.get(user=viewer)
    assert token.name == "laptop script"
    assert ApiToken.objects.authenticate(plaintext) == token
    assert plaintext not in client.get("/account/").content.decode()
    entry = AuditEntry.objects.get(action="api_token.created")
    assert (
        entry.actor == viewer and plaintext not in str(entry.after) and token.digest not in str(entry.after)
    )


@pytest.mark.django_db
def test_reloading_the_page_after_creating_a_token_creates_no_second_one(viewer):
    client = signed_in(viewer)

    response = client.post("/account/tokens/", {"name": "laptop script"}, follow=True)
    assert response.redirect_chain == [("/account/#api-tokens", 302)]
    assert "new-token" in response.content.decode()
    reloaded = client.get("/account/")

    assert ApiToken.objects.filter(user=viewer).count() == 1
    assert "new-token" not in reloaded.content.decode()


@pytest.mark.django_db
def test_the_page_lists_own_tokens_only(viewer, invoker):
    ApiToken.objects.issue(viewer, "mine")
    ApiToken.objects.issue(invoker, "theirs")

    page = signed_in(viewer).get("/account/").content.decode()

    assert "mine" in page and "theirs" not in page


@pytest.mark.django_db
def test_revoking_a_token_stops_it_working(viewer):
    token, plaintext = ApiToken.objects.issue(viewer, "ci")

    response = signed_in(viewer).post(f"/account/tokens/{token.uuid}/revoke/")

    assert response.status_code == 302
    assert ApiToken.objects.authenticate(plaintext) is None
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEntry.objects.get(action="api_token.revoked").actor == viewer


@pytest.mark.django_db
def test_nobody_can_revoke_someone_elses_token(viewer, admin):
    token, plaintext = ApiToken.objects.issue(viewer, "ci")

    response = signed_in(admin).post(f"/account/tokens/{token.uuid}/revoke/")

    assert response.status_code == 404
    assert ApiToken.objects.authenticate(plaintext) == token


@pytest.mark.django_db
def test_a_token_needs_a_name(viewer):
    response = signed_in(viewer).post("/account/tokens/", {"name": ""})

    assert response.status_code == 400
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_a_user_without_a_role_gets_no_token(outsider):
    response = signed_in(outsider).post("/account/tokens/", {"name": "x"})

    assert response.status_code == 403
    assert not ApiToken.objects.exists()


@pytest.mark.django_db
def test_revoking_needs_a_post(viewer):
    token, _ = ApiToken.objects.issue(viewer, "ci")

    assert signed_in(viewer).get(f"/account/tokens/{token.uuid}/revoke/").status_code == 405
