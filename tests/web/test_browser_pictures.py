"""The pictures in a real browser (JavaScript off): the data-flow map and the register dashboard
at desktop and phone widths, with no sideways scrolling, and axe finding nothing at either width.

Screenshots are kept as test output (ISP_TEST_OUTPUT/browser) for a person to look at."""

from __future__ import annotations

import datetime as dt

import pytest
from conftest import build
from web_fixtures import PHONE, page_width
from webutil import assert_accessible, running_server

from isp_rules import default_ruleset
from isp_rules.assessment import assess
from isp_rules.register import open_register

WIDTHS = {"desktop": {"width": 1280, "height": 900}, "phone": PHONE}


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """`isp serve` over a register that already holds decisions of each verdict, over two months."""
    folder = tmp_path_factory.mktemp("pictures")
    ruleset = default_ruleset()
    now = dt.datetime.now(dt.UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    earlier = (now.replace(day=1) - dt.timedelta(days=1)).replace(day=10)
    care = build(share__purpose__category="direct_care", share__from__partner="york-and-scarborough-teaching-hospitals",
                 share__from__name=..., share__to__partner="city-of-york-council", share__to__name=...)
    deny = build(share__from__type="local_authority", share__basis__article_6="legitimate_interests")
    child = build(share__purpose__category="safeguarding_child", share__basis__article_6=...,
                  share__from__partner="north-yorkshire-police", share__from__name=...)
    register = open_register(folder / "register.sqlite")
    for scenario, at in ((care, earlier), (deny, earlier), (child, now), (care, now), (care, now)):
        register.append(assess(scenario, ruleset), scenario, by="tester", at=at)
    register.close()
    with running_server(folder) as (base, _):
        yield base


def _page(browser, server, width):
    return browser.new_context(java_script_enabled=False, base_url=server, viewport=WIDTHS[width],
                               is_mobile=width == "phone")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_map_with_javascript_off(browser, server, width, output_dir):
    context = _page(browser, server, width)
    try:
        page = context.new_page()
        page.goto("/map")
        picture = page.locator("main svg")
        assert picture.is_visible()
        assert picture.get_attribute("role") == "img"
        assert page.locator("main svg g.decision").count() == 3  # care (two months), deny, child
        page.get_by_text("Choose a purpose").click()  # <details> opens without JavaScript
        page.get_by_label("Caring for the person (health or social care)").check()
        page.get_by_role("button", name="Show").click()  # a GET form: no script needed
        assert "purpose=direct_care" in page.url
        assert page.locator("main svg g.decision").count() == 1
        assert "Caring for the person" in page.locator("h1").inner_text()
        assert page_width(page) <= WIDTHS[width]["width"]  # no sideways scrolling
        page.screenshot(path=str(output_dir / f"map-{width}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_the_dashboard_with_javascript_off(browser, server, width, output_dir):
    context = _page(browser, server, width)
    try:
        page = context.new_page()
        page.goto("/dashboard")
        assert page.locator("main svg").count() == 3
        for chart in page.locator("main svg").all():
            assert chart.is_visible() and chart.get_attribute("role") == "img"
        bars = page.locator("main svg rect.bar")
        assert sum(int(bars.nth(i).get_attribute("data-count") or 0) for i in range(bars.count())) == 5
        main = page.locator("main").inner_text()
        assert "Agreements due for review" in main and "No decisions recorded yet" not in main
        assert page_width(page) <= WIDTHS[width]["width"]
        page.screenshot(path=str(output_dir / f"dashboard-{width}.png"), full_page=True)
    finally:
        context.close()


@pytest.mark.parametrize("width", ["desktop", "phone"])
@pytest.mark.parametrize("address", ["/map", "/map?purpose=safeguarding_child", "/map?purpose=nonsense", "/dashboard"])
def test_the_picture_pages_pass_axe(browser, server, address, width):
    context = browser.new_context(base_url=server, bypass_csp=True, viewport=WIDTHS[width])
    try:
        page = context.new_page()
        page.goto(address)
        assert_accessible(page)
    finally:
        context.close()
