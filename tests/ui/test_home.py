import pytest

pytestmark = pytest.mark.django_db


def test_it_lists_the_users_own_latest_invocations(login, invoker, other_invoker, profile, make_invocation):
    mine = make_invocation(invoker, profile, function="mine", state="succeeded")
    theirs = make_invocation(other_invoker, profile, function="theirs", state="succeeded")
    html = login(invoker).get("/").content.decode()
    assert str(mine.uuid) in html and str(theirs.uuid) not in html
    assert 'href="/invoke/"' in html


def test_viewers_get_the_history_but_no_invoke_button(login, viewer):
    html = login(viewer).get("/").content.decode()
    assert 'href="/history/"' in html
    assert "Invoke a function" not in html


def test_a_user_without_a_role_is_told_what_to_do(login, outsider):
    html = login(outsider).get("/").content.decode()
    assert "Your account has no console role yet." in html
    assert 'href="/history/"' not in html
