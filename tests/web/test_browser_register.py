"""The decision register in a real browser (Chromium, JavaScript off): recording asks for the case
reference and the parties' names, the register and a record read on a 390 px phone without
sideways scrolling, times are UK time with the zone named, and checking the register is a page.

Screenshots (desktop and phone) are left in the test output folder for a person to look at."""

from __future__ import annotations

import re

import pytest
from webutil import assert_accessible

UK_TIME = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d (GMT|BST)\b")


def page_width(page) -> int:
    """As tests/web/conftest.py measures it (a conftest is not importable by name from here)."""
    return int(page.locator("html").evaluate("e => e.scrollWidth"))


LONG_REFERENCE = "CSC/2026/" + "0412" * 22  # 97 characters with nowhere to break: must still wrap


def urgent_decision(page):
    """The urgent triage's decision page: no party is named, so the record form asks for both."""
    page.goto("/triage")
    page.locator('[name="share.purpose.category"][value="safeguarding_child"]').check()
    page.locator('[name="share.urgency.risk"][value="serious_or_imminent"]').check()
    page.get_by_role("button", name="Tell me what to do now").click()


def record(page, reference: str | None, by: str = "DSL on call") -> None:
    if reference is None:
        page.get_by_label("There is no case reference").check()
    else:
        page.get_by_label("Case reference", exact=True).fill(reference)
    page.get_by_label("Name of the organisation sharing the information").fill("North Yorkshire Police")
    page.get_by_label("Name of the organisation receiving it").fill("Harrogate primary school (designated safeguarding lead)")
    page.get_by_label("Your name or role").fill(by)
    page.get_by_role("button", name="Record this decision in the register").click()


def test_recording_asks_for_the_case_reference_and_the_register_shows_it(page, output_dir):
    urgent_decision(page)
    page.get_by_label("Your name or role").fill("DSL on call")
    page.get_by_role("button", name="Record this decision in the register").click()
    main = page.locator("main").inner_text()
    assert "Nothing was recorded" in main
    assert "Give the case reference, or say that there is no case reference." in main
    assert page.get_by_label("Case reference", exact=True).get_attribute("aria-invalid") == "true"

    record(page, "CS-2026-0412")
    assert re.search(r"/decisions/\d+$", page.url)
    notice = page.locator(".notice").first.inner_text()
    assert "Recorded as decision" in notice and "by DSL on call" in notice and UK_TIME.search(notice)
    for words in ("CS-2026-0412", "North Yorkshire Police", "Harrogate primary school", "Protecting a child"):
        assert words in notice, words
    assert "(UTC)" not in page.locator("main").inner_text()
    page.screenshot(path=str(output_dir / "register-record-desktop.png"), full_page=True)

    page.get_by_role("link", name="Decision register").click()
    listing = page.locator("main").inner_text()
    assert "CS-2026-0412" in listing and "DSL on call" in listing and UK_TIME.search(listing)
    assert "–" not in listing  # the old register's "Scenario –"
    page.screenshot(path=str(output_dir / "register-desktop.png"), full_page=True)


def test_an_explicit_no_case_reference_is_recorded_as_such(page):
    urgent_decision(page)
    record(page, None, by="Night duty DSL")
    assert "none: the decider said there is no case reference" in page.locator(".notice").first.inner_text()


def test_the_register_and_a_record_fit_a_phone(page, phone, output_dir):
    urgent_decision(page)
    record(page, LONG_REFERENCE, by="Designated safeguarding lead, Harrogate primary school")
    seq = page.url.rsplit("/", 1)[1]
    for address, shot in (("/decisions", "register-phone.png"), (f"/decisions/{seq}", "register-record-phone.png"),
                          ("/decisions/verify", "register-verify-phone.png")):
        phone.goto(address)
        assert page_width(phone) <= 390, f"{address} is {page_width(phone)} px wide on a 390 px phone"
        phone.screenshot(path=str(output_dir / shot), full_page=True)
    phone.goto("/decisions")
    assert LONG_REFERENCE in phone.locator("main").inner_text()
    urgent_decision(phone)  # the record form, with its errors, on the phone
    phone.get_by_role("button", name="Record this decision in the register").click()
    assert "Nothing was recorded" in phone.locator("main").inner_text()
    assert page_width(phone) <= 390, f"the record form is {page_width(phone)} px wide on a 390 px phone"
    phone.locator(".record-form").screenshot(path=str(output_dir / "register-record-form-phone.png"))


def test_checking_the_register_is_a_page_and_json_stays_for_programs(page):
    urgent_decision(page)
    record(page, "CS-1")
    page.goto("/decisions")
    page.get_by_role("link", name="check the register").click()
    assert page.url.endswith("/decisions/verify")
    assert "The register is intact" in page.locator("main").inner_text()
    response = page.request.get("/v1/decisions/verify")
    assert response.headers["content-type"].startswith("application/json") and response.json()["intact"] is True


@pytest.mark.parametrize("address", ["/decisions", "/decisions/1", "/decisions/verify", "record-form-errors"])
def test_register_pages_pass_axe(browser, server, address):
    """axe-core (WCAG 2 A and AA) finds nothing on the register's pages and the record form with
    its errors. axe is itself a script, so this one context has JavaScript on."""
    context = browser.new_context(base_url=server, bypass_csp=True)
    try:
        page = context.new_page()
        urgent_decision(page)
        if address == "record-form-errors":
            page.get_by_role("button", name="Record this decision in the register").click()
            assert "Nothing was recorded" in page.locator("main").inner_text()
        else:
            record(page, "CS-axe")
            page.goto(address)
        assert_accessible(page)
    finally:
        context.close()
