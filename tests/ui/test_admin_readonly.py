"""Invocation rows are evidence: the Django admin shows them and cannot change or delete one."""

import pytest
from django.contrib.auth import get_user_model

from invocations.models import Invocation

pytestmark = pytest.mark.django_db


@pytest.fixture
def superuser(db):
    return get_user_model().objects.create_superuser("root", "root@example.com", "x")


def test_the_admin_lists_and_shows_invocations(client, superuser, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded")
    client.force_login(superuser)
    assert client.get("/admin/invocations/invocation/").status_code == 200
    page = client.get(f"/admin/invocations/invocation/{inv.pk}/change/")
    assert page.status_code == 200
    assert b'name="function"' not in page.content  # shown, not editable


def test_the_admin_cannot_change_add_or_delete(client, superuser, invoker, profile, make_invocation):
    inv = make_invocation(invoker, profile, state="succeeded", function="hello")
    client.force_login(superuser)
    client.post(f"/admin/invocations/invocation/{inv.pk}/change/", {"function": "changed"})
    assert client.post(f"/admin/invocations/invocation/{inv.pk}/delete/", {"post": "yes"}).status_code == 403
    assert client.get("/admin/invocations/invocation/add/").status_code == 403
    inv.refresh_from_db()
    assert inv.function == "hello"
    assert Invocation.objects.count() == 1
