"""The urgent triage in a real browser (JavaScript off): a child at serious risk on a desktop and on a
390 px phone, with screenshots; the "not urgent" answer handing its answers over to the full
questions; and axe on both answers. Fixtures: tests/web/conftest.py.
"""

from __future__ import annotations

import pytest
from webutil import assert_accessible

URGENT_CHILD = {"share.purpose.category": "safeguarding_child", "share.urgency.risk": "serious_or_imminent",
                "share.from.type": "nhs_trust", "share.to.type": "local_authority",
                "share.data.categories": ["identity", "health"]}
# Significant risk, recipient not known: the urgent path may apply, the triage cannot tell.
NOT_KNOWN_YET = {"share.purpose.category": "safeguarding_child", "share.urgency.risk": "significant",
                 "share.from.type": "school", "share.data.categories": ["identity"]}
TRIAGE_PATHS = ("share.purpose.category", "share.urgency.risk", "share.from.type", "share.to.type",
                "share.data.categories")


def answer_triage(page, answers: dict) -> None:
    """The five questions as a practitioner answers them; a question left out stays "Not sure"."""
    page.goto("/triage")
    for path, value in answers.items():
        for v in value if isinstance(value, list) else [value]:
            page.locator(f'[name="{path}"][value="{v}"]').check()
    page.get_by_role("button", name="Tell me what to do now").click()
    page.wait_for_url("**/triage")


def width(page) -> int:
    """The page's scrolling width in CSS pixels (as conftest.page_width)."""
    return int(page.locator("html").evaluate("e => e.scrollWidth"))


def check_share_now(page) -> None:
    triage = page.locator("section.triage")
    assert triage.locator(".share-now").inner_text().strip().lower() == "share now"
    text = triage.inner_text()
    assert "Record afterwards: what to note, with the answers likely for this share" in text
    assert "the likely basis" not in text
    items = triage.locator("ol.triage-items > li")
    assert items.count() >= 2
    for i in range(items.count()):  # every item cites its source
        assert "Source: " in items.nth(i).inner_text()
    assert "Localism Act" not in text  # a council's power, never offered to a hospital
    assert "Children Act 2004 s10 or s11" in text  # the catalogue opens s11 to an NHS trust


def test_an_urgent_child_on_a_desktop(page, output_dir):
    answer_triage(page, URGENT_CHILD)
    check_share_now(page)
    page.screenshot(path=str(output_dir / "triage-urgent-desktop.png"), full_page=True)


def test_an_urgent_child_on_a_phone(phone, output_dir):
    answer_triage(phone, URGENT_CHILD)
    check_share_now(phone)
    phone.screenshot(path=str(output_dir / "triage-urgent-phone.png"), full_page=True)
    assert width(phone) <= 390, f"the triage answer is {width(phone)} px wide on a 390 px phone"
    phone.goto("/triage")  # the questions themselves fit too
    assert width(phone) <= 390


def test_not_urgent_hands_its_answers_to_the_full_questions(page, output_dir):
    answer_triage(page, NOT_KNOWN_YET)
    notice = page.locator(".triage-not-urgent")
    assert "Not urgent on these answers, but it may be" in notice.inner_text()
    assert "not known yet: who the recipient is" in notice.inner_text()
    page.screenshot(path=str(output_dir / "triage-not-urgent.png"), full_page=True)
    page.get_by_role("button", name="Answer the full questions, keeping these answers").click()
    page.wait_for_url("**/ask")
    hidden = page.locator('input[name="shown"]')
    shown = [hidden.nth(i).get_attribute("value") for i in range(hidden.count())]
    assert shown, "the full questions did not start"
    answered = [p for p in TRIAGE_PATHS if p in NOT_KNOWN_YET]
    assert not set(shown) & set(answered), shown  # the triage's answers are kept, not asked again
    # Who receives it (left "not sure", and it decides whether this is urgent) is asked on the first page.
    assert any(p.startswith("share.to.") for p in shown), shown
    for _ in range(30):  # and no later page asks a triage answer again ("Not sure" to everything else)
        page.get_by_role("button", name="Continue").click()
        page.wait_for_load_state()  # the click waits for the next page to start, not to finish
        hidden = page.locator('input[name="shown"]')
        shown = [hidden.nth(i).get_attribute("value") for i in range(hidden.count())]
        if not shown:
            break
        assert not set(shown) & set(answered), shown
    else:
        raise AssertionError("the full questions did not reach a decision")
    assert page.locator("h1.verdict").count() == 1


@pytest.mark.parametrize("answers", [URGENT_CHILD, NOT_KNOWN_YET], ids=["share-now", "not-urgent"])
def test_the_triage_answer_passes_axe(browser, server, answers):
    context = browser.new_context(base_url=server, bypass_csp=True)
    try:
        page = context.new_page()
        answer_triage(page, answers)
        assert_accessible(page)
    finally:
        context.close()
