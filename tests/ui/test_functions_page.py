"""The Functions page (issue 17): every function the user's profiles reach through FC, with
history figures, FC's errors in plain words, and history-only functions marked."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from invocations.models import Invocation
from tests.ui.conftest import make_profile

pytestmark = pytest.mark.django_db

FC2_DEMO = ("hello", "slow", "fail", "http-hello", "stateful-job")  # service demo
FC3_DEMO = ("async-job", "http-echo")


def rows(html: str) -> set[str]:
    """The data-function of every row: `service/function` (2.0) or `function` (3.0)."""
    return set(re.findall(r'<tr class="[^"]*" data-function="([^"]+)"', html))


def test_it_lists_the_2_0_and_3_0_functions_fc_lists_through_the_profile(login, invoker, fclocal_profile):
    html = login(invoker).get("/functions/").content.decode()
    listed = rows(html)
    assert {f"demo/{name}" for name in FC2_DEMO} <= listed
    assert set(FC3_DEMO) <= listed
    assert '<a href="/functions/demo/hello/">' in html
    assert '<a href="/functions/async-job/">async-job</a>' in html
    # Where it looked: the profile and its default region.
    assert '<strong>fclocal</strong> <span class="mono">cn-hangzhou</span>' in html
    assert "not listed" not in html


def test_it_shows_history_figures_of_the_last_seven_days(login, invoker, fclocal_profile, make_invocation):
    for state, duration in [("succeeded", 10.0), ("succeeded", 20.0), ("failed", 30.0), ("stopped", None)]:
        make_invocation(invoker, fclocal_profile, state=state, duration_ms=duration)
    old = make_invocation(invoker, fclocal_profile, state="failed", duration_ms=999.0)
    Invocation.objects.filter(pk=old.pk).update(created_at=timezone.now() - dt.timedelta(days=8))
    html = login(invoker).get("/functions/").content.decode()
    row = html.split('data-function="demo/hello"')[1].split("</tr>")[0]
    assert '<td class="num runs" data-label="Runs (7 d)">4</td>' in row
    assert "67%" in row and "1 stopped" in row  # 2 of 3 with an outcome; stopped apart
    assert '<td class="num p50" data-label="p50">20 ms</td>' in row
    assert '<td class="num p95" data-label="p95">29 ms</td>' in row
    assert "just now" in row
    never = html.split('data-function="demo/slow"')[1].split("</tr>")[0]
    assert '<td class="num runs" data-label="Runs (7 d)">0</td>' in never and "never" in never


def test_functions_in_the_history_that_fc_does_not_list_are_shown_marked(
    login, invoker, fclocal_profile, make_invocation
):
    gone = make_invocation(
        invoker, fclocal_profile, service="demo", function="deleted-since", state="succeeded"
    )
    Invocation.objects.filter(pk=gone.pk).update(created_at=timezone.now() - dt.timedelta(hours=3, minutes=1))
    make_invocation(invoker, fclocal_profile, service="", function="elsewhere", region="cn-shanghai")
    html = login(invoker).get("/functions/").content.decode()
    assert {"demo/deleted-since", "elsewhere"} <= rows(html)
    assert html.count('<span class="badge unlisted"') == 1 + 2  # the explanation, then each row
    assert "2 functions in the history were not listed by FC" in html
    assert '<tr class="unlisted" data-function="elsewhere">' in html
    assert "3\xa0hours ago" in html.split('data-function="demo/deleted-since"')[1].split("</tr>")[0]
    assert '<tr class="" data-function="demo/hello">' in html


def test_an_fc_error_of_one_profile_is_said_in_plain_words_and_the_others_still_list(
    login, invoker, fclocal, fclocal_profile
):
    broken = make_profile(
        "wrong-secret",
        secret="not-the-secret",
        account_id=fclocal.account_id,
        access_key_id=fclocal.access_key_id,
        endpoint=fclocal.url,
    )
    broken.allowed_users.add(invoker)
    response = login(invoker).get("/functions/")
    assert response.status_code == 200
    html = response.content.decode()
    assert 'data-profile="wrong-secret"' in html
    error = html.split('data-profile="wrong-secret">')[1].split("</p>")[0]
    assert "FC refused with SignatureNotMatch (HTTP 403)" in error
    assert "Listing the FC 2.0 services" in error
    assert 'data-profile="fclocal"' not in html
    assert "demo/hello" in rows(html) and "async-job" in rows(html)


def test_an_unreachable_endpoint_is_said_with_its_code(login, invoker, profile):
    html = login(invoker).get("/functions/").content.decode()
    assert "Could not reach FC (ConnectionRefused)" in html


def test_it_only_lists_through_profiles_the_user_may_use(
    login, other_invoker, fclocal_profile, make_invocation, invoker
):
    make_invocation(invoker, fclocal_profile, state="succeeded")
    html = login(other_invoker).get("/functions/").content.decode()
    assert "fclocal" not in html.split("<main")[1].split("</section>")[0]
    assert "You may use no credential profile" in html
    assert rows(html) == {"demo/hello"}  # the team's history, still
    assert "not listed" not in html  # nothing was listed, so nothing is marked as missing


def test_a_viewer_sees_the_history_s_functions(login, viewer, invoker, profile, make_invocation):
    make_invocation(invoker, profile, service="", function="fc3-only", state="succeeded")
    html = login(viewer).get("/functions/").content.decode()
    assert rows(html) == {"fc3-only"}
    assert '<a href="/functions/fc3-only/">fc3-only</a>' in html


def test_fc_lists_are_kept_briefly(login, invoker, fclocal_profile, monkeypatch):
    from invocations import browse

    calls = []
    list_everything = browse._list_everything
    monkeypatch.setattr(
        browse, "_list_everything", lambda profile: calls.append(profile) or list_everything(profile)
    )
    client = login(invoker)
    for _ in range(2):
        assert "demo/hello" in rows(client.get("/functions/").content.decode())
    assert len(calls) == 1
    fclocal_profile.save()  # an edited profile (new secret, endpoint) is listed afresh
    client.get("/functions/")
    assert len(calls) == 2


def test_the_number_of_queries_does_not_grow_with_functions(login, invoker, fclocal_profile, make_invocation):
    client = login(invoker)
    make_invocation(invoker, fclocal_profile, function="hello", state="succeeded", duration_ms=1.0)
    client.get("/functions/")  # warm the FC lists' cache

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get("/functions/").status_code == 200
        return len(queries)

    few = count()
    assert few <= 6, "session, user, profiles, the figures: no query per function or profile"
    for n in range(12):
        for state in ("succeeded", "failed", "stopped"):
            make_invocation(invoker, fclocal_profile, function=f"f{n}", state=state, duration_ms=n + 0.5)
    assert count() == few


def test_the_nav_links_to_the_functions_page(login, viewer):
    html = login(viewer).get("/history/").content.decode()
    assert '<a href="/functions/">Functions</a>' in html


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/functions/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_without_postgresql_the_percentiles_come_out_the_same(
    invoker, fclocal_profile, make_invocation, monkeypatch
):
    from invocations.views.functions import history_figures

    for duration in (10.0, 20.0, 30.0, 45.0):
        make_invocation(invoker, fclocal_profile, state="succeeded", duration_ms=duration)
    since = timezone.now() - dt.timedelta(days=7)
    on_postgres = history_figures(invoker, since)["demo", "hello"]
    monkeypatch.setattr(connection, "vendor", "sqlite")  # SQLite has no percentile_cont
    elsewhere = history_figures(invoker, since)["demo", "hello"]
    assert (elsewhere.p50, elsewhere.p95) == pytest.approx((on_postgres.p50, on_postgres.p95))
    assert (on_postgres.p50, on_postgres.p95) == pytest.approx((25.0, 42.75))


def test_a_profile_whose_secret_cannot_be_decrypted_is_said_not_a_500(login, invoker, fclocal_profile):
    broken = make_profile("old-keys", endpoint="http://127.0.0.1:9")
    type(broken).objects.filter(pk=broken.pk).update(access_key_secret_encrypted="gAAAA-not-ours")
    broken.allowed_users.add(invoker)
    response = login(invoker).get("/functions/")
    assert response.status_code == 200
    error = response.content.decode().split('data-profile="old-keys">')[1].split("</p>")[0]
    assert "cannot be decrypted with the configured keys (DecryptionError)" in error
    assert "demo/hello" in rows(response.content.decode())
