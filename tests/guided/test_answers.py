"""Answers whatever the front end: naming a scenario after its file, reading typed answers."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from isp_rules.guided.answers import NOT_SURE, name_after_file, parse_answer, scenario_id, scenario_id_for_file
from isp_rules.guided.questions import QUESTIONS
from isp_rules.scenario import Scenario


@given(st.text(max_size=300))
def test_any_file_stem_gives_an_id_the_model_accepts(stem):
    for name in (stem, f"{stem}.yaml", f"some/folder/{stem}.yml"):
        sid = scenario_id_for_file(name)
        assert Scenario.model_validate({"id": sid, "share": {}}).id == sid


@pytest.mark.parametrize(("name", "expected"), [
    ("Case_1.yaml", "case-1"), ("police-to-school-child-at-immediate-risk.yaml", "police-to-school-child-at-immediate-risk"),
    ("scenarios/safeguarding/A  B--C.yml", "a-b-c"), ("___.yaml", "scenario"), ("x" * 200 + ".yaml", "x" * 120),
])
def test_a_file_name_becomes_a_kebab_case_id(name, expected):
    assert scenario_id_for_file(name) == expected


def test_an_id_already_valid_is_kept():
    assert scenario_id("monthly-nominations-extract") == "monthly-nominations-extract"


def test_a_scenario_without_an_id_is_named_after_its_file_and_stays_valid():
    unnamed = Scenario.model_validate({"share": {}})
    named = name_after_file(unnamed, "cases/Case_1.yaml")
    assert named.id == "case-1"
    Scenario.model_validate(named.model_dump(by_alias=True, exclude_none=True))  # a valid scenario still
    assert name_after_file(unnamed, "-").id is None  # standard input has no file name
    stated = Scenario.model_validate({"id": "my-own", "share": {}})
    assert name_after_file(stated, "Case_1.yaml").id == "my-own"


def test_a_typed_answer_outside_the_choices_is_a_value_error_listing_them():
    with pytest.raises(ValueError, match=r"'banana' is not one of the choices: 1\) "):
        parse_answer(QUESTIONS["share.purpose.category"], "banana")
    with pytest.raises(ValueError, match="two-letter country code"):
        parse_answer(QUESTIONS["share.to.location"], "Britain")
    assert parse_answer(QUESTIONS["share.to.location"], "gb") == "GB"
    assert parse_answer(QUESTIONS["share.data.confidential"], "y") is True
    assert parse_answer(QUESTIONS["share.data.subjects"], "1, 1,2") == ["child", "adult_at_risk"]
    assert parse_answer(QUESTIONS["share.purpose.category"], "0") is NOT_SURE
