"""What the console answers for a failure no view answered (invocations/views/errors.server_error)."""

import pytest
from django.test import Client

from tests.fixtures.django_process import request_with_the_database_away

BOOM_URLS = "tests.ui.boom_urls"  # the product's URLs and handlers, plus views that fail
PASSWORD = "pw-Ld07-never-shown"


@pytest.fixture
def failing(settings):
    settings.DEBUG = False
    settings.ROOT_URLCONF = BOOM_URLS
    return Client(raise_request_exception=False)


@pytest.mark.django_db
def test_a_failure_under_the_api_answers_json_like_every_api_answer(failing, settings):
    response = failing.get("/api/v1/boom/")

    assert response.status_code == 500
    assert response["Content-Type"] == "application/json"
    body = response.json()
    assert body["code"] == "server_error"
    assert "look in the history before sending it again" in body["message"]
    # The error stays in the log: not its text, not what its frames held.
    assert "bug" not in response.content.decode() and settings.DATABASE_URL not in response.content.decode()


@pytest.mark.django_db
def test_a_failing_page_still_gets_the_500_page(failing, viewer):
    failing.force_login(viewer)
    response = failing.get("/boom/")

    assert response.status_code == 500
    page = response.content.decode()
    assert "Something went wrong on our side" in page and "could not reach" not in page


def test_the_database_away_after_the_view_is_a_503_not_a_500():
    """The session is saved after the view has answered, by a middleware outside the one that
    answers a view's database error: that failure reaches the 500 handler, which says what it is."""
    status, page, stderr = request_with_the_database_away(
        "get",
        "/session-written/",
        urlconf=BOOM_URLS,
        database_url=f"postgres://postgres:{PASSWORD}@127.0.0.1:1/x",
    )
    assert status == "503 10", stderr[-2000:]
    assert "The console's database cannot be reached" in page
    assert "port 1" not in page and PASSWORD not in page
    assert "/session-written/: database unreachable" in stderr and "Traceback" not in stderr
    assert PASSWORD not in stderr
