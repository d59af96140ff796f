"""Users and roles: admins create users (with a one-time set-password link), set roles, deactivate;
the console is never left without an admin."""

import re

import pytest
from django.contrib.auth import get_user_model

from audit.models import AuditEntry
from invocations.models import Role, role_of

User = get_user_model()


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 403), ("viewer", 403), ("invoker", 403), ("admin", 200)],
)
@pytest.mark.django_db
def test_the_users_page_is_for_admins(request, as_user, persona, expected):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    assert as_user(user).get("/team/users/").status_code == expected


@pytest.mark.parametrize(
    "path",
    [
        "/team/users/new",
        "/team/users/vera-viewer/role",
        "/team/users/vera-viewer/active",
        "/team/users/vera-viewer/password-link",
    ],
)
@pytest.mark.parametrize(("persona", "expected"), [("anonymous", 302), ("viewer", 403), ("invoker", 403)])
@pytest.mark.django_db
def test_team_actions_are_refused_to_non_admins(request, as_user, viewer, path, persona, expected):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    response = as_user(user).post(path, {"username": "mallory", "role": "admin", "active": ""})
    assert response.status_code == expected
    assert not User.objects.filter(username="mallory").exists()
    assert role_of(User.objects.get(pk=viewer.pk)) == Role.VIEWER


@pytest.mark.django_db
def test_creating_a_user_shows_a_set_password_link_once_and_the_link_works(as_user, admin, client):
    admin_client = as_user(admin)
    response = admin_client.post(
        "/team/users/new", {"username": "nina", "email": "nina@example.com", "role": "invoker"}, follow=True
    )
    assert response.status_code == 200
    nina = User.objects.get(username="nina")
    assert role_of(nina) == Role.INVOKER and not nina.has_usable_password()
    link = response.context["new_link"]["url"]
    assert link.startswith("http://testserver/team/set-password/") and link in response.content.decode()
    assert admin_client.get("/team/users/").context["new_link"] is None, "shown only once"

    path = re.sub(r"^http://testserver", "", link)
    form_page = client.get(path, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-92", "new_password2": "a-long-new-pass-92"},
    )
    assert done.status_code == 302
    assert client.login(username="nina", password="a-long-new-pass-92")
    assert not client.get(path, follow=True).context["validlink"], "a used link stops working"


@pytest.mark.django_db
def test_creating_a_user_with_a_taken_name_shows_the_error(as_user, admin, viewer):
    response = as_user(admin).post("/team/users/new", {"username": "VERA-viewer", "role": "viewer"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert User.objects.filter(username__iexact="vera-viewer").count() == 1


@pytest.mark.django_db
def test_an_admin_changes_a_role(as_user, admin, viewer):
    response = as_user(admin).post("/team/users/vera-viewer/role", {"role": "invoker"})
    assert response.status_code == 302
    assert role_of(User.objects.get(pk=viewer.pk)) == Role.INVOKER


@pytest.mark.django_db
def test_an_unknown_role_changes_nothing(as_user, admin, viewer):
    as_user(admin).post("/team/users/vera-viewer/role", {"role": "owner"})
    assert role_of(User.objects.get(pk=viewer.pk)) == Role.VIEWER


@pytest.mark.django_db
def test_an_admin_deactivates_and_reactivates_a_user(as_user, admin, invoker):
    client = as_user(admin)
    client.post("/team/users/ivan-invoker/active", {})
    assert not User.objects.get(pk=invoker.pk).is_active
    client.post("/team/users/ivan-invoker/active", {"active": "on"})
    assert User.objects.get(pk=invoker.pk).is_active


@pytest.mark.django_db
def test_a_deactivated_user_is_signed_out_everywhere(as_user, admin, invoker):
    invoker_client = as_user(invoker)
    as_user(admin).post("/team/users/ivan-invoker/active", {})
    assert invoker_client.get("/").status_code == 302


@pytest.mark.django_db
def test_the_last_admin_cannot_demote_themself(as_user, admin):
    response = as_user(admin).post("/team/users/alice-admin/role", {"role": "viewer"}, follow=True)
    assert role_of(User.objects.get(pk=admin.pk)) == Role.ADMIN
    assert "last admin" in response.content.decode()


@pytest.mark.django_db
def test_the_last_admin_cannot_deactivate_themself(as_user, admin):
    response = as_user(admin).post("/team/users/alice-admin/active", {}, follow=True)
    assert User.objects.get(pk=admin.pk).is_active
    assert "last admin" in response.content.decode()


@pytest.mark.django_db
def test_an_admin_may_step_down_when_another_admin_remains(as_user, admin, invoker):
    client = as_user(admin)
    client.post("/team/users/ivan-invoker/role", {"role": "admin"})
    client.post("/team/users/alice-admin/role", {"role": "viewer"})
    assert role_of(User.objects.get(pk=admin.pk)) == Role.VIEWER


@pytest.mark.django_db
def test_a_deactivated_admin_does_not_count_as_the_remaining_admin(as_user, admin, invoker):
    client = as_user(admin)
    client.post("/team/users/ivan-invoker/role", {"role": "admin"})
    client.post("/team/users/ivan-invoker/active", {})
    client.post("/team/users/alice-admin/role", {"role": "invoker"})
    assert role_of(User.objects.get(pk=admin.pk)) == Role.ADMIN


@pytest.mark.django_db
def test_a_superusers_role_is_not_changed_here(as_user, admin):
    root = User.objects.create_superuser("root", "root@example.com", "x-long-password-1")
    response = as_user(admin).post("/team/users/root/role", {"role": "viewer"}, follow=True)
    assert role_of(User.objects.get(pk=root.pk)) == Role.ADMIN
    assert "superuser" in response.content.decode()


@pytest.mark.django_db
def test_a_new_set_password_link_is_recorded(as_user, admin, viewer):
    response = as_user(admin).post("/team/users/vera-viewer/password-link", follow=True)
    assert "/team/set-password/" in response.context["new_link"]["url"]
    entry = AuditEntry.objects.get(action="user.password_link_issued")
    assert (entry.actor, entry.object_repr) == (admin, "vera-viewer")


@pytest.mark.django_db
def test_an_unknown_user_is_not_found(as_user, admin):
    assert as_user(admin).post("/team/users/nobody/role", {"role": "viewer"}).status_code == 404


@pytest.mark.django_db
def test_changes_made_through_a_page_name_the_admin_and_their_address(as_user, admin, viewer):
    as_user(admin).post("/team/users/vera-viewer/role", {"role": "invoker"}, REMOTE_ADDR="203.0.113.5")
    entry = AuditEntry.objects.get(action="role.changed")
    assert (entry.actor, entry.source_ip, entry.object_repr) == (admin, "203.0.113.5", "vera-viewer")


@pytest.mark.django_db
def test_creating_a_user_through_the_page_is_recorded_once_per_fact(as_user, admin):
    client = as_user(admin)
    mark = AuditEntry.objects.order_by("-seq").first().seq
    client.post("/team/users/new", {"username": "nina", "role": "viewer"})
    actions = list(
        AuditEntry.objects.filter(seq__gt=mark).order_by("seq").values_list("action", "actor_name")
    )
    assert actions == [("user.created", "alice-admin"), ("role.assigned", "alice-admin")]


@pytest.mark.django_db
def test_a_new_set_password_link_invalidates_the_earlier_one(as_user, admin, viewer, client):
    admin_client = as_user(admin)

    def issue() -> str:
        response = admin_client.post("/team/users/vera-viewer/password-link", follow=True)
        return re.sub(r"^http://testserver", "", response.context["new_link"]["url"])

    first, second = issue(), issue()

    assert first != second
    assert not client.get(first, follow=True).context["validlink"], "the earlier link no longer works"
    form_page = client.get(second, follow=True)
    assert form_page.context["validlink"]
    done = client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-long-new-pass-93", "new_password2": "a-long-new-pass-93"},
    )
    assert done.status_code == 302
    assert client.login(username="vera-viewer", password="a-long-new-pass-93")


@pytest.mark.django_db
def test_an_admin_is_not_offered_to_deactivate_themself(as_user, admin, invoker):
    html = as_user(admin).get("/team/users/").content.decode()
    own_row = html.split("<td>alice-admin</td>")[1].split("</tr>")[0]
    assert "Deactivate" not in own_row and "you" in own_row
    assert "Deactivate" in html.split("<td>ivan-invoker</td>")[1].split("</tr>")[0]


@pytest.mark.django_db
def test_an_admin_cannot_deactivate_themself_even_with_another_admin(as_user, admin, invoker):
    client = as_user(admin)
    client.post("/team/users/ivan-invoker/role", {"role": "admin"})
    response = client.post("/team/users/alice-admin/active", {}, follow=True)
    assert User.objects.get(pk=admin.pk).is_active
    assert "You cannot deactivate yourself" in response.content.decode()
