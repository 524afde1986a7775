"""The ICO Annex B data sharing request and decision record for a one-off request (issue 13, point 5):
filled in from the decision, blanks where the decision cannot know, and none for routine sharing."""

from __future__ import annotations

import re

import pytest
from conftest import build

from isp_rules import assess
from isp_rules.agreement import BLANK
from isp_rules.request_record import RecordNotNeededError, not_needed, record_markdown


def record(scenario, ruleset):
    return record_markdown(scenario, assess(scenario, ruleset), ruleset)


def item(text: str, label: str) -> str:
    """The answer given for one item of the form (its line, and any lines under it)."""
    found = re.search(rf"^- \*\*{re.escape(label)}:?\*\*(.*?)(?=^- \*\*|^## |\Z)", text, re.MULTILINE | re.DOTALL)
    assert found, f"no item {label!r}"
    return found.group(1).strip()


def test_a_one_off_request_is_filled_in_from_the_decision(ruleset):
    text = record(build(share__request__by_recipient=True), ruleset)  # the school asked
    assert text.startswith("# Data sharing request and decision record: A council tells a school about a child in need")
    for part in ("## 1. The request", "## 2. Considering the request", "## 3. The decision", "## 4. Who decided"):
        assert part in text
    assert item(text, "Organisation asked to share the information") == "City of York Council"
    assert item(text, "Organisation asking for it") == "Example School"
    assert item(text, "Lawful basis for sharing").startswith("The lawful basis (Art 6): public task")
    assert "Source: UK GDPR" in item(text, "Lawful basis for sharing")
    assert item(text, "Legal power for sharing").startswith("The law or function relied on: Children Act 1989 s17")
    assert item(text, "Will an information sharing agreement be in place?").startswith("Does not apply:")
    assert item(text, "How it was sent") == "Secure email"
    assert item(text, "Decision on the request") == "Share, on the terms below."
    # What the decision cannot know is a blank to fill in, never a guess.
    for label in ("Name, position and contact details of the person asking", "Date the request was received",
                  "Why sharing is necessary (what it achieves, and why less would not do)", "When it was shared"):
        assert item(text, label) == BLANK
    signed = text[text.index("## 4. Who decided"):]
    assert "### Decision taken by, for City of York Council" in signed
    assert all(f"- {line}: {BLANK}" in signed for line in ("Name", "Position", "Signature", "Date"))


def test_the_standards_the_discloser_keeps_are_quoted_with_their_source(ruleset):
    decision = assess(build(), ruleset)
    security = next(p for p in decision.points if p.id == "security")
    assert security.status == "obligation"
    answer = item(record_markdown(build(), decision, ruleset), "Security")
    assert security.standard.strip() in answer and "Appendix J (security)" in answer


def test_a_routine_share_has_no_record_and_says_why(ruleset):
    routine = build(share__frequency="routine")
    assert "information sharing agreement" in not_needed(routine)
    with pytest.raises(RecordNotNeededError, match="routine sharing"):
        record(routine, ruleset)


def test_a_share_of_unknown_frequency_gets_the_record_with_a_warning(ruleset):
    text = record(build(share__frequency=...), ruleset)
    assert "> **Whether this share is one-off or routine is not stated" in text


def test_a_refused_request_says_do_not_share_and_nothing_was_shared(ruleset):
    refused = build(share__from__type="local_authority", share__basis__article_6="legitimate_interests")
    decision = assess(refused, ruleset)
    assert decision.verdict == "deny"
    text = record_markdown(refused, decision, ruleset)
    assert item(text, "Decision on the request").startswith("Do not share")
    assert item(text, "What was shared") == "Nothing: the request is refused."
    assert item(text, "Shared with") == BLANK


def test_unknown_organisations_are_blanks(ruleset):
    text = record(build(share__from__name=..., share__to__name=...), ruleset)
    assert item(text, "Organisation asked to share the information") == BLANK
    assert f"### Decision taken by, for the organisation asked (name: {BLANK})" in text


def test_the_requester_is_the_recipient_only_when_it_asked():
    from isp_rules.request_record import _requester
    from isp_rules.scenario import Share

    assert _requester(Share.model_validate({"request": {"by_recipient": True}}), "A school") == ("A school",)
    assert "own initiative" in _requester(Share.model_validate({"request": {"by_recipient": False}}), "A school")[0]
    assert _requester(Share.model_validate({}), "A school") == ()  # unknown: a blank to fill in
