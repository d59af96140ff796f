"""Test connection: ListServices (FC 2.0) and ListFunctions (FC 3.0) through the invoker, against a
real fclocal serving both demo projects."""

import pytest

from tests.ui.conftest import make_profile

pytestmark = pytest.mark.django_db


def test_it_says_the_credentials_work_and_lists_services(login, admin, fclocal_profile):
    response = login(admin).post(f"/profiles/{fclocal_profile.uuid}/test")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Connected: FC accepted the credentials and listed 1 service(s): demo." in html
    assert "FC 3.0: listed 6 function(s): " in html and "hello" in html
    assert 'class="notice ok"' in html


def test_it_tries_fc3_through_its_own_endpoint(login, admin, fclocal_profile):
    """2.0 through fclocal, 3.0 through an override where nothing listens: said apart."""
    fclocal_profile.endpoint_fc3 = "http://127.0.0.1:9"
    fclocal_profile.save()
    html = login(admin).post(f"/profiles/{fclocal_profile.uuid}/test").content.decode()
    assert "Connected: FC accepted the credentials and listed 1 service(s): demo." in html
    assert "FC 3.0: Could not reach FC (ConnectionRefused)" in html
    assert 'class="notice ok"' not in html


def test_it_names_fcs_error_code_when_the_secret_is_wrong(login, admin, fclocal):
    wrong = make_profile(
        "wrong",
        secret="not-the-secret",
        account_id=fclocal.account_id,
        access_key_id=fclocal.access_key_id,
        endpoint=fclocal.url,
    )
    html = login(admin).post(f"/profiles/{wrong.uuid}/test").content.decode()
    assert "FC refused with SignatureNotMatch (HTTP 403)" in html
    assert "not-the-secret" not in html


def test_it_names_an_unknown_key_id(login, admin, fclocal):
    unknown = make_profile(
        "unknown", account_id=fclocal.account_id, access_key_id="LTAInobodyHasThis", endpoint=fclocal.url
    )
    html = login(admin).post(f"/profiles/{unknown.uuid}/test").content.decode()
    assert "FC refused with InvalidAccessKeyID (HTTP 403)" in html


def test_it_says_when_fc_cannot_be_reached(login, admin, profile):
    # profile points at 127.0.0.1:9, where nothing listens
    html = login(admin).post(f"/profiles/{profile.uuid}/test").content.decode()
    assert "Could not reach FC (ConnectionRefused)" in html


def test_it_is_a_post(login, admin, fclocal_profile):
    assert login(admin).get(f"/profiles/{fclocal_profile.uuid}/test").status_code == 405
