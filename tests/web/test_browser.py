"""End to end in a real browser: Debian's Chromium driven by Playwright against `isp serve`,
with JavaScript switched off (the pages must work without it).

Skipped with a reason where Chromium or Playwright is missing, except under CI
(ISP_REQUIRE_BROWSER=1), where a missing browser fails the run.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from webutil import COUNCIL_LEGITIMATE_INTERESTS, URGENT_CHILD, assert_accessible


def answer_guided_form(page, answers: dict) -> list[str]:
    """Answer each page of questions as a practitioner would, until the decision page."""
    page.goto("/")
    page.get_by_role("link", name="Answer questions about a share").click()
    asked: list[str] = []
    for _ in range(30):
        hidden = page.locator('input[name="shown"]')
        shown = [hidden.nth(i).get_attribute("value") for i in range(hidden.count())]
        if not shown:
            return asked
        asked += shown
        for path in shown:
            value = answers.get(path)
            if value is None:
                continue  # "Not sure" is already chosen
            field = page.locator(f'[name="{path}"]')
            kind = field.first.get_attribute("type")
            if kind in ("radio", "checkbox"):
                for v in value if isinstance(value, list) else [value]:
                    page.locator(f'[name="{path}"][value="{v}"]').check()
            else:
                field.fill(value)
        page.get_by_role("button", name="Continue").click()
    raise AssertionError("the guided form did not reach a decision")


def verdict(page) -> str:
    return page.locator(".verdict-word").inner_text().strip()


def test_urgent_child_safeguarding_case_through_the_guided_form(page, output_dir):
    asked = answer_guided_form(page, URGENT_CHILD)
    assert verdict(page) == "ALLOW"
    assert "share now; the paperwork below is done afterwards" in page.locator("main").inner_text()
    assert asked[:3] == ["share.from.partner", "share.to.partner", "share.purpose.category"] and len(asked) == len(set(asked))
    assert page.get_by_text("Not legal advice").first.is_visible()
    page.screenshot(path=str(output_dir / "decision-urgent-child.png"), full_page=True)
    assert (output_dir / "decision-urgent-child.png").stat().st_size > 10_000


def test_deny_case_through_the_guided_form(page, output_dir):
    answer_guided_form(page, COUNCIL_LEGITIMATE_INTERESTS)
    assert verdict(page) == "DENY"
    reasons = page.locator(".reasons").inner_text()
    assert "legitimate interests" in reasons and "To change this:" in reasons
    page.screenshot(path=str(output_dir / "decision-deny.png"), full_page=True)


def test_download_the_agreement_draft(page, output_dir):
    answer_guided_form(page, URGENT_CHILD)
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the agreement draft (Markdown)").click()
    target = output_dir / info.value.suggested_filename
    info.value.save_as(target)
    text = target.read_text(encoding="utf-8")
    assert target.suffix == ".md" and "Not legal advice" in text
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the agreement draft (Word)").click()
    word = output_dir / info.value.suggested_filename
    info.value.save_as(word)
    assert word.suffix == ".docx" and word.read_bytes()[:2] == b"PK"
    with page.expect_download() as info:
        page.get_by_role("button", name="Download the scenario (YAML)").click()
    assert "safeguarding_child" in Path(info.value.path()).read_text(encoding="utf-8")


def test_triage_with_the_keyboard_alone(page, output_dir):
    page.goto("/")
    for _ in range(6):  # skip link, brand, then the first navigation link
        page.keyboard.press("Tab")
        if page.locator(":focus").inner_text().startswith("Urgent"):
            break
    page.keyboard.press("Enter")
    page.wait_for_url("**/triage")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")
    while page.locator(":focus").get_attribute("name") != "share.purpose.category":
        page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # from "Not sure" round to the first choice: a child
    page.keyboard.press("Tab")
    page.keyboard.press("ArrowDown")  # serious or imminent
    assert page.locator('[name="share.purpose.category"][value="safeguarding_child"]').is_checked()
    assert page.locator('[name="share.urgency.risk"][value="serious_or_imminent"]').is_checked()
    page.keyboard.press("Enter")  # submits the form from a radio button
    page.wait_for_url("**/triage")
    assert page.locator(".share-now").inner_text().strip().lower() == "share now"
    page.screenshot(path=str(output_dir / "triage-share-now.png"), full_page=True)


def test_record_the_decision_from_the_page(page):
    answer_guided_form(page, URGENT_CHILD)
    page.get_by_label("Case reference", exact=True).fill("CS-1")
    for label, name in (("Name of the organisation sharing the information", "North Yorkshire Police"),
                        ("Name of the organisation receiving it", "A school")):
        field = page.get_by_label(label)
        if field.count():  # asked only when the answers do not name the party
            field.fill(name)
    page.get_by_label("Your name or role").fill("DSL on call")
    page.get_by_role("button", name="Record this decision in the register").click()
    assert "Recorded as decision" in page.locator("main").inner_text()
    page.get_by_role("link", name="Decision register").click()
    assert "DSL on call" in page.locator("main").inner_text()


@pytest.mark.parametrize("address", ["/", "/ask", "/triage", "/check", "/rules", "/decisions"])
def test_pages_pass_axe_accessibility_checks(browser, server, address):
    """axe-core (WCAG 2 A and AA rules: labels, contrast, landmarks...) finds no violations.
    axe is itself a script, so this one context has JavaScript on."""
    context = browser.new_context(base_url=server, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto(address)
        assert_accessible(page)
    finally:
        context.close()


def test_decision_page_passes_axe(browser, server):
    context = browser.new_context(base_url=server, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/triage")
        page.locator('[name="share.purpose.category"][value="safeguarding_child"]').check()
        page.locator('[name="share.urgency.risk"][value="serious_or_imminent"]').check()
        page.get_by_role("button", name="Tell me what to do now").click()
        assert_accessible(page)
    finally:
        context.close()


def test_api_docs_render_offline(browser, server):
    """/docs is Swagger UI served from the package itself: it renders with no network."""
    context = browser.new_context(base_url=server)
    try:
        page = context.new_page()
        page.goto("/docs")
        page.get_by_text("/v1/assess", exact=True).first.wait_for(timeout=15_000)
        assert page.locator(".title").first.inner_text().startswith("isp-rules")
    finally:
        context.close()


def test_a_form_on_another_site_cannot_record_a_decision(browser, server):
    """Cross-site request forgery: a page elsewhere posting to the local server is refused."""
    import json
    import urllib.request

    context = browser.new_context()
    try:
        page = context.new_page()
        page.set_content(f'<form method="post" action="{server}/record"><input name="by" value="attacker">'
                         '<input type="hidden" name="scenario" value=\'{"share": {}}\'>'
                         '<button type="submit">Go</button></form>')
        with page.expect_navigation():
            page.click("button")
        assert "Refused" in page.content()
    finally:
        context.close()
    with urllib.request.urlopen(server + "/v1/decisions") as r:
        assert all(rec["by"] != "attacker" for rec in json.load(r)["records"])
