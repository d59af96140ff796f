"""Version list, diff between any two versions, restore."""

from html.parser import HTMLParser

import pytest
from django.urls import reverse

from savedevents.models import Visibility

pytestmark = pytest.mark.django_db


@pytest.fixture
def edited(invoker, admin, make_event):
    event = make_event(invoker, body='{\n  "bucket": "a"\n}', visibility=Visibility.TEAM)
    event.body = '{\n  "bucket": "b"\n}'
    event.save_edit(admin)
    event.body = '{\n  "bucket": "<c>"\n}'
    event.save_edit(invoker)
    return event


def test_the_detail_page_lists_versions_with_who(edited, viewer, client_for):
    html = client_for(viewer).get(reverse("savedevents:detail", args=[edited.uuid])).content.decode()
    assert "v3" in html and "v2" in html and "v1" in html
    assert "alice-admin" in html and "ivan-invoker" in html


def test_diff_between_any_two_versions(edited, viewer, client_for):
    response = client_for(viewer).get(reverse("savedevents:diff", args=[edited.uuid]), {"a": 3, "b": 1})
    html = response.content.decode()
    assert '<span class="del">-  &quot;bucket&quot;: &quot;a&quot;</span>' in html
    # version bodies are escaped, never markup
    assert '<span class="add">+  &quot;bucket&quot;: &quot;&lt;c&gt;&quot;</span>' in html


class Forms(HTMLParser):
    """Each form's method and the names of the inputs inside it, and how deep forms nest."""

    def __init__(self):
        super().__init__()
        self.open, self.forms, self.deepest = [], [], 0

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.open.append({"method": attrs.get("method", "get"), "id": attrs.get("id"), "names": []})
            self.forms.append(self.open[-1])
            self.deepest = max(self.deepest, len(self.open))
        elif tag in ("input", "button") and attrs.get("name"):
            owner = attrs.get("form")
            form = next((f for f in self.forms if owner and f["id"] == owner), None)
            if form is None and self.open:
                form = self.open[-1]
            if form is not None:
                form["names"].append(attrs["name"])

    def handle_endtag(self, tag):
        if tag == "form" and self.open:
            self.open.pop()


def test_the_compare_form_sends_no_csrf_token_and_nests_no_restore_form(edited, invoker, client_for):
    parser = Forms()
    parser.feed(client_for(invoker).get(reverse("savedevents:detail", args=[edited.uuid])).content.decode())
    assert parser.deepest == 1  # a browser drops a nested form's tag: its inputs join the outer one
    compare = [f for f in parser.forms if f["method"] == "get" and "a" in f["names"]]
    assert len(compare) == 1 and "csrfmiddlewaretoken" not in compare[0]["names"]
    assert sorted(set(compare[0]["names"])) == ["a", "b"]


def test_the_diff_shows_one_line_per_line(edited, viewer, client_for):
    response = client_for(viewer).get(reverse("savedevents:diff", args=[edited.uuid]), {"a": 1, "b": 3})
    pre = response.content.decode().split('<pre class="ev-diff">')[1].split("</pre>")[0]
    # Each line is a block of its own: a newline after it too would leave a blank line under each.
    assert "\n" not in pre
    assert pre.count("<span") == len(edited.versions.get(number=1).diff_lines(edited.versions.get(number=3)))


def test_diff_of_a_missing_version_is_404(edited, invoker, client_for):
    url = reverse("savedevents:diff", args=[edited.uuid])
    assert client_for(invoker).get(url, {"a": 1, "b": 9}).status_code == 404
    assert client_for(invoker).get(url, {"a": "x"}).status_code == 404


def test_restore_makes_a_new_version(edited, invoker, client_for):
    client_for(invoker).post(reverse("savedevents:restore", args=[edited.uuid, 1]))
    edited.refresh_from_db()
    assert edited.version == 4
    assert edited.body == '{\n  "bucket": "a"\n}'
    assert edited.versions.get(number=4).note == "restored version 1"


def test_a_teammate_cannot_restore(edited, other_invoker, client_for):
    response = client_for(other_invoker).post(reverse("savedevents:restore", args=[edited.uuid, 1]))
    assert response.status_code == 403
    edited.refresh_from_db()
    assert edited.version == 3
