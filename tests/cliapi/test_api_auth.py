"""Who gets in: personal bearer tokens for scripts, the session for the browser."""

from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from invocations.models import ApiToken

URL = "/api/v1/profiles/"


@pytest.mark.django_db
def test_anonymous_requests_get_401_with_a_bearer_challenge(api_for):
    response = api_for(None).get(URL)

    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'
    assert response.json() == {
        "code": "not_authenticated",
        "message": "Authentication credentials were not provided.",
    }


@pytest.mark.django_db
@pytest.mark.parametrize("header", ["Bearer fcc_not-a-real-token", "Bearer", "Bearer a b", "Bearer x"])
def test_a_wrong_or_malformed_token_is_401(header):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=header)

    response = client.get(URL)

    assert response.status_code == 401
    assert response.json()["code"] == "authentication_failed"


@pytest.mark.django_db
def test_a_revoked_token_stops_working(invoker):
    token, plaintext = ApiToken.objects.issue(invoker, "ci")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")
    assert client.get(URL).status_code == 200

    token.revoke()

    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_the_token_of_a_deactivated_user_stops_working(invoker, api_for):
    client = api_for(invoker)
    invoker.is_active = False
    invoker.save()

    assert client.get(URL).status_code == 401


@pytest.mark.django_db
def test_a_user_without_a_console_role_gets_403(outsider, api_for):
    response = api_for(outsider).get(URL)

    assert response.status_code == 403
    assert response.json()["code"] == "permission_denied"


@pytest.mark.django_db
def test_only_a_hash_of_the_token_is_stored(invoker):
    token, plaintext = ApiToken.objects.issue(invoker, "ci")

    token.refresh_from_db()
    assert plaintext.startswith("fcc_") and len(plaintext) > 40
    assert plaintext not in (token.digest, token.hint) and token.hint == plaintext[:8]
    assert ApiToken.objects.authenticate(plaintext) == token


@pytest.mark.django_db
def test_using_a_token_records_when_it_was_last_used(invoker):
    token, plaintext = ApiToken.objects.issue(invoker, "ci")
    assert token.last_used_at is None
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {plaintext}")

    client.get(URL)

    token.refresh_from_db()
    assert timezone.now() - token.last_used_at < timedelta(minutes=1)


@pytest.mark.django_db
def test_the_browser_session_works_and_its_writes_need_the_csrf_token(invoker, team_profile):
    client = APIClient(enforce_csrf_checks=True)
    client.force_login(invoker)

    assert client.get(URL).status_code == 200
    response = client.post("/api/v1/invocations/", {"profile": "team"}, format="json")
    assert response.status_code == 403
    assert "CSRF" in response.json()["message"]
