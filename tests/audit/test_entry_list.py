"""The audit trail page: admins only, filters validated through a form, constant queries."""

import json
import re

import pytest

import audit
from audit.models import AuditEntry


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anonymous", 302), ("outsider", 403), ("viewer", 403), ("invoker", 403), ("admin", 200)],
)
@pytest.mark.django_db
def test_the_audit_page_is_for_admins(request, as_user, persona, expected):
    user = None if persona == "anonymous" else request.getfixturevalue(persona)
    assert as_user(user).get("/team/").status_code == expected


@pytest.mark.django_db
def test_it_lists_newest_first_with_who_what_and_where(as_user, admin, profile):
    response = as_user(admin).get("/team/")
    page = list(response.context["page"])
    assert page[0].seq > page[-1].seq
    html = response.content.decode()
    assert "profile.created" in html and "alice-admin" in html


@pytest.mark.django_db
def test_it_filters_by_actor_action_prefix_object_and_time(as_user, admin, invoker, profile):
    audit.record("test.alpha", actor=invoker, obj=profile)
    audit.record("test.beta", actor=admin)
    client = as_user(admin)

    def actions(query):
        return [e.action for e in client.get(f"/team/?{query}").context["page"]]

    assert actions("actor=ivan-invoker&action=test.") == ["test.alpha"]
    assert actions("action=test.beta") == ["test.beta"]
    assert set(actions("object=prod")) == {"test.alpha", "profile.created"}
    assert actions(f"object={profile.uuid}&action=test.alpha") == ["test.alpha"]
    assert actions("since=2999-01-01") == []


@pytest.mark.django_db
def test_a_bad_filter_shows_its_error_and_no_rows(as_user, admin):
    response = as_user(admin).get("/team/?since=not-a-date")
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "Enter a valid date/time" in response.content.decode()


@pytest.mark.django_db
def test_it_pages_in_a_constant_number_of_queries(as_user, admin, django_assert_max_num_queries):
    client = as_user(admin)
    for i in range(120):
        audit.record("test.many", after={"i": i})
    with django_assert_max_num_queries(8):
        response = client.get("/team/?action=test.many&page=2")
    assert len(response.context["page"]) == 50
    assert AuditEntry.objects.filter(action="test.many").count() == 120


@pytest.mark.django_db
def test_it_says_where_the_signed_digests_stand(as_user, admin):
    from audit import digests

    client = as_user(admin)
    assert "No signed digest of the trail yet." in client.get("/team/").content.decode()
    digests.checkpoint()
    audit.record("test.after")
    html = client.get("/team/").content.decode()
    assert "Signed digest 1 at" in html and "1 entry written since is not sealed yet." in html


@pytest.mark.django_db
def test_an_export_seals_first_so_every_row_carries_its_chain_hash(as_user, admin):
    audit.record("test.note")
    lines = as_user(admin).get("/team/audit.jsonl?action=test.note")
    rows = [json.loads(line) for line in b"".join(lines.streaming_content).splitlines()]
    entry = AuditEntry.objects.get(action="test.note")
    assert entry.position and (rows[0]["hash"], rows[0]["position"], rows[0]["mac"]) == (
        entry.hash,
        entry.position,
        entry.mac,
    )


def change_text(html: str) -> str:
    """The first row's Change cell as text (its markup kept for the checks on what it holds)."""
    cell = html.split('class="change"')[1].split("</td>")[0]
    return " ".join(re.sub(r"<(?!/?div)[^>]+>", "", cell).split())


@pytest.mark.django_db
def test_the_change_column_says_key_old_to_new_not_a_dict(as_user, admin, invoker):
    from savedevents.models import SavedEvent, Visibility

    event = SavedEvent(owner=invoker, name="orders", body="{}").save_new(invoker)
    event.visibility = Visibility.TEAM
    event.save_edit(invoker)
    html = as_user(admin).get("/team/?action=event.edited").content.decode()
    change = change_text(html)
    assert "visibility: private → team" in change
    assert "{" not in change and "&#x27;" not in change  # no Python dict repr
    assert "name: orders" not in change  # what did not change is not repeated


@pytest.mark.django_db
def test_the_object_is_named_in_words_with_a_link(as_user, admin, invoker):
    from savedevents.models import SavedEvent

    event = SavedEvent(owner=invoker, name="orders", body="{}").save_new(invoker)
    html = as_user(admin).get("/team/?action=event.created").content.decode()
    assert "savedevents.savedevent" not in html
    assert f'<a href="/events/{event.uuid}/">orders</a>' in html
    assert "saved event" in html


@pytest.mark.django_db
def test_a_new_object_lists_its_fields_and_odd_values_stay_readable(as_user, admin):
    audit.record("test.values", after={"tags": ["a", "b"], "on": True, "gone": None, "n": 3})
    change = change_text(as_user(admin).get("/team/?action=test.values").content.decode())
    for line in ("tags: a, b", "on: yes", "gone: —", "n: 3"):
        assert line in change


@pytest.mark.django_db
def test_each_filter_is_a_labelled_field_of_its_own(as_user, admin):
    html = as_user(admin).get("/team/").content.decode()
    for name in ("since", "until", "actor", "action", "object"):
        assert f'<label for="id_{name}">' in html
