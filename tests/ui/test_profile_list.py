import pytest

from tests.ui.conftest import DEMO_SECRET, DEMO_TOKEN

pytestmark = pytest.mark.django_db


def test_it_lists_profiles_with_masked_key_ids(login, admin, profile, foreign_profile, invoker):
    response = login(admin).get("/profiles/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "demo" in html and "prod" in html
    assert "LTAI****oKey" in html
    assert "LTAIfclocalDemoKey" not in html
    assert invoker.username in html
    assert DEMO_SECRET not in html and DEMO_TOKEN not in html


def test_it_says_who_may_use_a_profile(login, admin, foreign_profile):
    foreign_profile.all_invokers = True
    foreign_profile.save()
    html = login(admin).get("/profiles/").content.decode()
    assert "all invokers" in html


@pytest.mark.parametrize("persona", ["viewer", "invoker"])
def test_it_is_for_admins_only(login, request, persona):
    assert login(request.getfixturevalue(persona)).get("/profiles/").status_code == 403
