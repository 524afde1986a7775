"""Answers whatever the front end: reading typed answers (naming a scenario after its file is
the loader's: tests/test_loader.py)."""

import pytest

from isp_rules.guided.answers import NOT_SURE, parse_answer
from isp_rules.guided.questions import QUESTIONS


def test_a_typed_answer_outside_the_choices_is_a_value_error_listing_them():
    with pytest.raises(ValueError, match=r"'banana' is not one of the choices: 1\) "):
        parse_answer(QUESTIONS["share.purpose.category"], "banana")
    with pytest.raises(ValueError, match="two-letter country code"):
        parse_answer(QUESTIONS["share.to.location"], "Britain")
    assert parse_answer(QUESTIONS["share.to.location"], "gb") == "GB"
    assert parse_answer(QUESTIONS["share.data.minimised"], "y") is True
    # A yes/no offered with its follow-up in the same choice: y is the plain yes, the follow-up unstated.
    assert parse_answer(QUESTIONS["share.data.confidential"], "y") == "true"
    assert parse_answer(QUESTIONS["share.data.confidential"], "n") == "false"
    assert parse_answer(QUESTIONS["share.data.subjects"], "1, 1,2") == ["child", "adult_at_risk"]
    assert parse_answer(QUESTIONS["share.purpose.category"], "0") is NOT_SURE


def test_a_typed_answer_with_a_control_character_or_too_long_is_asked_again():
    """An arrow key arrives as ESC [ A; it must not reach the scenario (where it would be refused)."""
    with pytest.raises(ValueError, match="control character"):
        parse_answer(QUESTIONS["share.purpose.detail"], "Referral\x1b[A")
    with pytest.raises(ValueError, match="under 2,000 characters"):
        parse_answer(QUESTIONS["share.purpose.detail"], "x" * 2001)
    assert parse_answer(QUESTIONS["share.purpose.detail"], "A pupil's welfare concerns") == "A pupil's welfare concerns"
