"""The Functions pages in a browser (issue 17): from the nav to a function's charts, and both
pages at a phone's width without sideways scrolling."""

import datetime as dt

import pytest
from django.utils import timezone

from invocations.models import Invocation

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


@pytest.fixture
def history(invoker, fclocal_profile):
    """An hour of runs of demo/hello (a few ms to a few hundred ms; one stopped), and one of an
    FC 3.0 function, written as the worker would have left them."""
    start = timezone.now() - dt.timedelta(hours=1)
    rows = []
    for n in range(24):
        state = "stopped" if n == 5 else "failed" if n % 7 == 3 else "succeeded"
        rows.append(
            Invocation(
                user=invoker,
                profile=fclocal_profile,
                region="cn-hangzhou",
                service="demo",
                function="hello",
                state=state,
                duration_ms=None if state == "stopped" else 0.4 + (n % 5) * 60.0 + n,
                max_memory_used_mb=None if state == "stopped" else 18.0 + n % 4,
                finished_at=timezone.now(),
            )
        )
    rows.append(
        Invocation(
            user=invoker,
            profile=fclocal_profile,
            region="cn-hangzhou",
            function="async-job",
            state="succeeded",
            duration_ms=2100.0,
            max_memory_used_mb=30.0,
            finished_at=timezone.now(),
        )
    )
    Invocation.objects.bulk_create(rows)
    for n, row in enumerate(Invocation.objects.filter(function="hello").order_by("id")):
        Invocation.objects.filter(pk=row.pk).update(created_at=start + dt.timedelta(minutes=2.5 * n))


def no_sideways_scroll(page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide at {PHONE['width']} px"


def test_functions_lead_to_a_function_page_with_a_labelled_chart(
    page, live_server, sign_in, invoker, history, screenshot
):
    sign_in(page, invoker)
    page.click("nav.mainnav a:text-is('Functions')")
    page.wait_for_url("**/functions/")
    assert page.inner_text("h1") == "Functions"
    assert "cn-hangzhou" in page.inner_text(".listed-from")
    hello = page.locator("tr[data-function='demo/hello']")
    assert hello.locator("td.runs").inner_text() == "24"
    assert page.locator("tr[data-function='async-job']").count() == 1
    assert page.locator("tr[data-function='demo/stateful-job'] td.runs").inner_text() == "0"
    screenshot(page, "functions")

    hello.locator("td.name a").click()
    page.wait_for_url("**/functions/demo/hello/")
    chart = page.locator("figure.durations svg.chart")
    assert chart.is_visible()
    labels = chart.locator("text.tick.y").all_text_contents()
    assert labels[0] == "0 ms" and labels[-1].endswith(" ms") and len(labels) >= 3
    assert len(chart.locator("text.tick.x").all_text_contents()) >= 3
    assert page.locator("svg.chart circle.dot.duration").count() == 23
    assert page.locator("svg.chart polyline.series.p95").count() == 1
    assert page.locator("figure.memory text.tick.y").last.text_content().endswith(" MB")
    assert page.inner_text(".chart-time").startswith("Time (UTC)")
    assert "1 stopped" in page.inner_text(".ratio")
    screenshot(page, "function")


def test_both_pages_fit_a_phone(browser, live_server, sign_in, invoker, history):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        sign_in(page, invoker)
        for path in ("/functions/", "/functions/demo/hello/", "/functions/async-job/"):
            page.goto(f"{live_server.url}{path}")
            page.wait_for_selector("h1")
            no_sideways_scroll(page)
        assert page.locator("figure.durations svg.chart").is_visible()
    finally:
        context.close()
