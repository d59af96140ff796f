"""Following a function's async tasks from its page (those started outside the console too)."""

import pytest

from invocations.fc.targets import Target
from invocations.models import FollowedFunction

pytestmark = pytest.mark.django_db


def test_an_invoker_follows_an_fc3_function_through_a_profile_they_may_use(login, invoker, profile):
    client = login(invoker)
    page = client.get("/functions/async-job/").content.decode()
    assert "Async tasks started anywhere" in page and f'value="{profile.uuid}"' in page

    response = client.post(
        "/functions/follow", {"profile": profile.uuid, "function": "async-job"}, follow=True
    )
    follow = FollowedFunction.objects.get()
    assert (follow.profile, follow.service, follow.function, follow.region) == (
        profile,
        "",
        "async-job",
        "cn-hangzhou",
    )
    assert "Following async-job through demo" in response.content.decode()
    assert response.redirect_chain[-1][0] == "/functions/async-job/"


def test_a_viewer_sees_who_follows_but_cannot_follow(login, viewer, invoker, profile):
    FollowedFunction.objects.follow(invoker, profile, Target("cn-hangzhou", "hello", "demo"))
    page = login(viewer).get("/functions/demo/hello/").content.decode()
    assert "Followed through <strong>demo</strong>" in page
    assert 'action="/functions/follow"' not in page
    assert (
        login(viewer).post("/functions/follow", {"profile": profile.uuid, "function": "hello"}).status_code
        == 403
    )


def test_a_profile_i_may_not_use_cannot_be_followed_through(login, invoker, foreign_profile):
    response = login(invoker).post(
        "/functions/follow", {"profile": foreign_profile.uuid, "function": "hello"}
    )
    assert response.status_code == 302 and not FollowedFunction.objects.exists()


def test_stop_following_removes_the_follow_and_keeps_the_history(login, invoker, profile):
    follow = FollowedFunction.objects.follow(invoker, profile, Target("cn-hangzhou", "async-job"))
    response = login(invoker).post(f"/functions/follows/{follow.uuid}/stop")
    assert response.status_code == 302 and not FollowedFunction.objects.exists()
