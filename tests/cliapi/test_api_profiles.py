"""Profiles through the API: the ones you may use, and never a secret."""

import json

import pytest

from invocations.models import CredentialProfile
from tests.cliapi.conftest import SECRET, TOKEN


@pytest.mark.django_db
def test_admins_see_every_profile(admin, team_profile, admin_profile, api_for):
    response = api_for(admin).get("/api/v1/profiles/")

    assert response.status_code == 200
    assert [p["name"] for p in response.json()] == ["prod-admin-only", "team"]


@pytest.mark.django_db
def test_invokers_see_the_profiles_granted_to_them(invoker, team_profile, admin_profile, api_for):
    response = api_for(invoker).get("/api/v1/profiles/")

    assert [p["name"] for p in response.json()] == ["team"]


@pytest.mark.django_db
def test_viewers_see_no_profile(viewer, team_profile, api_for):
    assert api_for(viewer).get("/api/v1/profiles/").json() == []


@pytest.mark.django_db
def test_a_profile_reads_without_any_secret(invoker, team_profile, api_for):
    response = api_for(invoker).get(f"/api/v1/profiles/{team_profile.uuid}/")

    assert response.status_code == 200
    assert response.json() == {
        "id": str(team_profile.uuid),
        "name": "team",
        "description": "",
        "account_id": "1234567890123456",
        "default_region": "cn-hangzhou",
        "masked_access_key_id": "LTAI****oKey",
        "is_sts": True,
        "endpoint": "http://127.0.0.1:9",
        "endpoint_fc3": "",
        "protected": False,
        "created_at": response.json()["created_at"],
        "updated_at": response.json()["updated_at"],
    }
    text = json.dumps(response.json())
    stored = CredentialProfile.objects.get(pk=team_profile.pk)
    for secret in (
        SECRET,
        TOKEN,
        stored.access_key_secret_encrypted,
        stored.security_token_encrypted,
        "LTAIfclocalDemoKey",
    ):
        assert secret not in text


@pytest.mark.django_db
def test_a_profile_not_granted_to_an_invoker_is_not_found(invoker, admin_profile, api_for):
    response = api_for(invoker).get(f"/api/v1/profiles/{admin_profile.uuid}/")

    assert response.status_code == 404
    assert response.json() == {"code": "not_found", "message": "Not found."}
