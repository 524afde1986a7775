"""The partnership's directory in a real browser (JavaScript off): the partners and agreements
pages at desktop and phone widths, and a decision that names its parties from the directory.

Screenshots are kept as test output (ISP_TEST_OUTPUT/browser) for a person to look at."""

from __future__ import annotations

from pathlib import Path

import pytest
from web_fixtures import PHONE, page_width
from webutil import assert_accessible

ROOT = Path(__file__).resolve().parents[2]


def _search_partners(page) -> None:
    page.goto("/partners")
    page.get_by_label("Search by name or kind of body").fill("police")
    page.get_by_role("button", name="Search").click()


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_search_the_partners_with_javascript_off(request, width, output_dir):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    _search_partners(page)
    assert "q=police" in page.url
    text = page.locator("main").inner_text()
    assert "North Yorkshire Police" in text and "City of York Council" not in text
    assert page_width(page) <= (PHONE["width"] if width == "phone" else 1100)  # no sideways scrolling
    page.screenshot(path=str(output_dir / f"partners-search-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_agreements_due_for_review(request, width, output_dir):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    page.goto("/agreements?due=3650")
    text = page.locator("main").inner_text()
    assert "York Multi-Agency Safeguarding Hub" in text
    assert "overdue" in text  # the example directory holds agreements past their review date
    assert page_width(page) <= (PHONE["width"] if width == "phone" else 1100)
    page.screenshot(path=str(output_dir / f"agreements-due-{width}.png"), full_page=True)


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_decision_says_what_came_from_the_directory(request, width, output_dir):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    scenario = ROOT / "scenarios" / "directory" / "stated-signatory-differs-from-the-directory.yaml"
    page.goto("/check")
    page.get_by_label("Scenario (YAML)").fill(scenario.read_text(encoding="utf-8"))
    page.get_by_role("button", name="Decide").click()
    main = page.locator("main").inner_text()
    assert "Check: what you said differs from the partnership's directory" in main
    assert "left the protocol on 31 March 2024" in main
    page.get_by_text("What the partnership's directory says").click()  # <details> opens without JavaScript
    assert page.get_by_text("is listed as: an NHS trust").first.is_visible()
    assert page_width(page) <= (PHONE["width"] if width == "phone" else 1100)
    page.screenshot(path=str(output_dir / f"decision-from-directory-{width}.png"), full_page=True)


@pytest.mark.parametrize("address", ["/partners?q=council", "/agreements?due=90"])
def test_directory_pages_pass_axe(browser, server, address):
    context = browser.new_context(base_url=server, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(address)
        assert_accessible(page)
    finally:
        context.close()
