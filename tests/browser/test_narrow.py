"""A phone's width (390 px): no page is wider than the screen, header included, and the
favicon is there."""

import pytest

from invocations.models import Invocation
from savedevents.models import SavedEvent, Visibility
from tests.ui.conftest import make_profile

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PAGES = ["/", "/history/", "/invoke/", "INVOCATION", "/events/", "EVENT", "/team/", "/team/users/"]


@pytest.fixture
def narrow(browser):
    context = browser.new_context(viewport={"width": 390, "height": 844})
    context.set_default_timeout(30_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def content(admin, invoker):
    profile = make_profile("narrow-profile", endpoint="http://127.0.0.1:9", all_invokers=True)
    long_name = "a-rather-long-function-name-for-a-phone"
    invocation = Invocation.objects.create(
        user=admin,
        profile=profile,
        region="cn-hangzhou",
        service="demo-service-with-a-long-name",
        function=long_name,
        state="failed",
        error_type="UnhandledInvocationError",
        request_id="1-6611aa22-0123456789abcdef0123456789",
        event=b'{"name": "world"}',
    )
    event = SavedEvent(
        owner=admin, name="a-long-saved-event-name-for-phones", body='{"k": "v"}', visibility=Visibility.TEAM
    ).save_new(admin)
    return {"INVOCATION": f"/invocations/{invocation.uuid}/", "EVENT": f"/events/{event.uuid}/"}


def test_no_page_is_wider_than_a_phone(narrow, live_server, sign_in, admin, content):
    sign_in(narrow, admin)
    wide = {}
    for path in PAGES:
        narrow.goto(live_server.url + content.get(path, path))
        width = narrow.evaluate("document.documentElement.scrollWidth")
        if width > 390:
            wide[path] = width
    assert wide == {}


def test_the_favicon_is_linked_and_served(page, live_server, sign_in, admin, client):
    sign_in(page, admin)
    href = page.get_attribute('link[rel="icon"]', "href")
    assert href and href.endswith(".svg")
    assert page.request.get(live_server.url + href).ok
    assert page.request.get(live_server.url + "/favicon.ico").ok  # followed to the SVG
