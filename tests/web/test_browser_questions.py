"""The questionnaire in a real browser (JavaScript off): a school designated safeguarding lead's
referral to children's social care answered through the web form, going Back once, at desktop
and phone widths, with screenshots; and axe on the first page of questions."""

from __future__ import annotations

import pytest
from webutil import assert_accessible


def page_width(page) -> int:
    """The page's scrolling width in CSS pixels (as tests/web/conftest.py measures it)."""
    return int(page.locator("html").evaluate("e => e.scrollWidth"))

# A primary academy's designated safeguarding lead refers a pupil showing signs of neglect to
# North Yorkshire Council's children's social care: both chosen from the partnership's directory,
# the likely lawful basis confirmed, everything else as the lead would answer it.
DSL_REFERRAL = {
    "share.from.partner": "scarborough-coast-academy", "share.to.partner": "north-yorkshire-council",
    "share.purpose.category": "safeguarding_child", "share.urgency.risk": "significant", "share.frequency": "one_off",
    "share.data.subjects": ["child", "family_member"], "share.data.categories": ["identity", "contact", "health", "case_notes"],
    "share.data.identifiability": "identified", "share.data.confidential": "true:overriding_public_interest", "share.data.volume": "individual",
    "share.data.minimised": "yes", "proposal.basis": "yes", "share.consent.status": "not_sought",
    "share.consent.reason_not_sought": "would_increase_risk", "share.confidentiality": "overriding_public_interest",
    "share.handling.transfer": "secure_portal", "share.basis.appropriate_policy_document": "yes",
    "share.relationship": "separate_controllers", "share.request.by_recipient": "no", "share.basis.compatible_purpose": "yes",
    "share.governance.privacy_notice": "covers", "share.urgency.emergency": "no",
}


def _shown(page) -> list[str]:
    hidden = page.locator('input[name="shown"]')
    return [hidden.nth(i).get_attribute("value") for i in range(hidden.count())]


def _fill(page, shown: list[str]) -> None:
    for path in shown:
        value = DSL_REFERRAL.get(path)
        if value is None:
            continue  # "Not sure" is already chosen
        field = page.locator(f'[name="{path}"]')
        if field.first.get_attribute("type") in ("radio", "checkbox"):
            for v in value if isinstance(value, list) else [value]:
                page.locator(f'[name="{path}"][value="{v}"]').check()
        else:
            field.fill(value)


def answer_with_back_once(page, output_dir, name: str) -> list[str]:
    """Answer page by page; after the second page, go Back once and answer that page again."""
    page.goto("/")
    page.get_by_role("link", name="Answer questions about a share").click()
    asked: list[str] = []
    went_back = False
    for number in range(1, 30):
        shown = _shown(page)
        if not shown:
            return asked
        if number == 1:
            page.screenshot(path=str(output_dir / f"questions-{name}-first-page.png"), full_page=True)
            assert "For example:" in page.locator("main").inner_text()
        asked += shown
        _fill(page, shown)
        if number == 3 and not went_back:
            went_back = True
            page.get_by_role("button", name="Back").click()
            again = _shown(page)
            assert again == asked[-len(shown) - len(again):-len(shown)], "Back shows the previous page again"
            # its answers are kept: the choices made there are still chosen
            for path in again:
                value = DSL_REFERRAL.get(path)
                if isinstance(value, str) and page.locator(f'[name="{path}"][value="{value}"]').count():
                    assert page.locator(f'[name="{path}"][value="{value}"]').is_checked(), path
            page.screenshot(path=str(output_dir / f"questions-{name}-after-back.png"), full_page=True)
            asked = asked[: -len(shown) - len(again)]  # page two is answered again next
            continue
        page.get_by_role("button", name="Continue").click()
    raise AssertionError("the questionnaire did not reach a decision")


@pytest.mark.parametrize("width", ["desktop", "phone"])
def test_a_school_safeguarding_leads_referral_through_the_questions(request, width, output_dir):
    page = request.getfixturevalue("page" if width == "desktop" else "phone")
    asked = answer_with_back_once(page, output_dir, width)
    assert page.locator(".verdict-word").inner_text().strip() == "ALLOW"
    assert asked[:2] == ["share.from.partner", "share.to.partner"], asked  # who shares with whom first
    assert "proposal.basis" in asked and "share.basis.article_6" not in asked  # proposed, not asked cold
    assert "share.from.type" not in asked and "share.from.signatory" not in asked  # known from the directory
    assert len(asked) == len(set(asked)), "no question asked twice"
    assert len(asked) <= 24, (len(asked), asked)
    assert page_width(page) <= page.viewport_size["width"], "no sideways scrolling"
    page.screenshot(path=str(output_dir / f"questions-{width}-decision.png"), full_page=True)
    assert (output_dir / f"questions-{width}-decision.png").stat().st_size > 10_000


def test_the_first_page_of_questions_passes_axe(browser, server):
    """axe-core (WCAG 2 A and AA) on the first page of questions, with its help and examples.
    axe is itself a script, so this one context has JavaScript on."""
    context = browser.new_context(base_url=server, bypass_csp=True)
    try:
        page = context.new_page()
        page.goto("/ask")
        assert page.locator('input[name="shown"]').count() >= 2
        assert_accessible(page)
    finally:
        context.close()
