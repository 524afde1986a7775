"""The rules catalogue in a real browser (issue 13, points 3 and 7): by topic, with a contents
list, a search that works with JavaScript off, conditions as sentences, and no sideways scrolling
on a 390 px phone. Screenshots are kept in test-output/browser/ for a person to look at.

Skipped with a reason where Chromium or Playwright is missing, except under CI
(ISP_REQUIRE_BROWSER=1); the fixtures are tests/web_fixtures.py's.
"""

from __future__ import annotations

import re

from web_fixtures import PHONE, page_width
from webutil import assert_accessible

FIELD_PATH = re.compile(r"\bshare\.[a-z_]+|\{[^{}]*\}|\.yaml\b")


def test_rules_page_at_desktop_width_is_by_topic_in_plain_words(page, output_dir):
    page.goto("/rules")
    contents = page.get_by_role("navigation", name="Topics")
    topics = contents.get_by_role("link")
    assert topics.count() >= 10
    assert "Safeguarding and urgent sharing" in contents.inner_text()
    text = page.locator("main").inner_text()
    assert not FIELD_PATH.search(text), FIELD_PATH.search(text)
    # Follow a topic from the contents: its heading is where the page lands.
    page.get_by_role("link", name="Safeguarding and urgent sharing").click()
    assert page.url.endswith("#" + page.get_by_role("heading", name="Safeguarding and urgent sharing").get_attribute("id"))
    # A rule opens to show its condition as a sentence.
    rule = page.locator("details#SG-URGENT-001")
    rule.locator("summary").click()
    when = rule.locator("dd").first.inner_text()
    assert when[0].isupper() and when.endswith(".") and "the purpose is protecting a child" in when.lower()
    page.screenshot(path=str(output_dir / "rules-desktop.png"), full_page=True)
    height = int(page.locator("html").evaluate("e => e.scrollHeight"))
    assert height < 40_000, f"/rules is {height} px tall"


def test_rules_page_fits_a_phone(phone, output_dir):
    phone.goto("/rules")
    assert page_width(phone) <= PHONE["width"], f"/rules is {page_width(phone)} px wide at {PHONE['width']} px"
    phone.locator("details.rule summary").first.click()  # an open rule fits too
    phone.goto("/rules?q=police+consent")
    assert page_width(phone) <= PHONE["width"], f"/rules?q= is {page_width(phone)} px wide"
    phone.screenshot(path=str(output_dir / "rules-phone-search.png"), full_page=True)
    phone.goto("/rules")
    phone.screenshot(path=str(output_dir / "rules-phone.png"), full_page=False)


def test_search_works_with_javascript_off(page, output_dir):
    assert page.evaluate("() => 1") == 1  # Playwright's own evaluation; the page's scripts are off
    page.goto("/rules")
    page.get_by_label("Search the rules").fill("Children Act 1989")
    page.get_by_role("button", name="Search").click()
    page.wait_for_url(re.compile(r"/rules\?q=Children"))
    status = page.get_by_role("status").inner_text()
    assert re.search(r"\d+ of \d+ rules", status), status
    rules = page.locator("details.rule")
    assert 0 < rules.count() < 100
    assert all(rules.nth(i).get_attribute("open") is not None for i in range(rules.count()))  # results open
    assert "children act 1989" in page.locator("main").inner_text().lower()
    page.screenshot(path=str(output_dir / "rules-search.png"), full_page=True)
    # Nothing found says so, and the way back to every rule is a link.
    page.goto("/rules?q=zzzz-no-such-rule")
    assert "No rule or agreement point mentions" in page.get_by_role("status").inner_text()
    page.get_by_role("link", name="Show every rule").click()
    page.wait_for_load_state()  # the click waits for the next page to start, not to finish
    assert page.locator("details.rule").count() > 200


def test_a_decisions_rule_link_finds_the_rule(page):
    """The decision page links each reason to its rule (/rules?q=<id>), without showing the id."""
    page.goto("/check?example=1")
    page.get_by_role("button", name="Decide").click()
    link = page.locator("a.rule-link").first
    assert "rule in the catalogue" in link.inner_text()
    link.click()
    assert page.locator("details.rule[open]").count() >= 1


def test_rules_search_passes_axe(browser, server):
    context = browser.new_context(base_url=server, bypass_csp=True)
    try:
        page = context.new_page()
        for address in ("/rules?q=police", "/rules?q=zzzz-no-such-rule"):
            page.goto(address)
            assert_accessible(page)
    finally:
        context.close()
