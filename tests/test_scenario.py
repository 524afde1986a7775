"""The scenario model: the public format, exactly; unknown stays unknown."""

import datetime as dt
import re

import pytest
from conftest import COMPLETE, ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

from isp_rules import parse_scenario
from isp_rules import vocabulary as V
from isp_rules.errors import ScenarioError
from isp_rules.facts import FIELDS, to_fact
from isp_rules.scenario import Scenario


def errors(text):
    with pytest.raises(ScenarioError) as info:
        parse_scenario(text, "s.yaml")
    return [str(p) for p in info.value.problems]


SPEC = ROOT / "tests" / "data" / "scenario-format.md"  # a copy of ../shared/spec/scenario-format.md
SHARED_SPEC = ROOT.parent / "shared" / "spec" / "scenario-format.md"


def test_the_spec_example_loads_unchanged():
    example = SPEC.read_text().split("```yaml\n", 1)[1].split("```", 1)[0]
    scenario = parse_scenario(example)
    assert scenario.share.from_.type == "police"
    assert scenario.expect.verdict == "allow"


def test_vocabularies_match_the_spec():
    # Values added since version 1 are documented in the project's format reference.
    spec = SPEC.read_text() + (ROOT / "docs" / "scenario-format.md").read_text()
    for vocab in (V.PURPOSES, V.PARTY_TYPES, V.SUBJECTS, V.DATA_CATEGORIES, V.ARTICLE_6, V.ANNEX_1,
                  V.ARTICLE_9, V.SCHEDULE_1, V.TRANSFER_METHODS):
        for value in vocab:
            assert f"`{value}`" in spec, value


def test_every_party_type_has_its_defaults_and_nothing_else_does():
    assert tuple(V.PARTY_DEFAULTS) == V.PARTY_TYPES
    assert V.DATA_CATEGORIES == V.ORDINARY_CATEGORIES + V.SPECIAL_CATEGORIES + ("criminal_offence", "non_personal")
    assert Scenario.model_validate({"share": {"from": {"type": "coroner"}}}).share.from_.effective("public_authority")


@pytest.mark.skipif(not SHARED_SPEC.exists(), reason="no ../shared beside this checkout to compare with")
def test_the_copied_spec_is_current():
    assert SPEC.read_text() == SHARED_SPEC.read_text(), "copy ../shared/spec/scenario-format.md to tests/data/"


def test_unknown_field_gets_did_you_mean_with_line():
    msgs = errors("share:\n  basis:\n    lawfull_basis: public_task\n    artcle_6: public_task\n")
    assert "s.yaml:4: share.basis.artcle_6: unknown field 'artcle_6'; did you mean 'article_6'?" in msgs
    assert any(m.startswith("s.yaml:3: share.basis.lawfull_basis: unknown field") for m in msgs)


def test_unknown_vocabulary_value_gets_did_you_mean():
    (msg,) = errors("share:\n  basis:\n    article_6: public_tsk\n")
    assert msg.startswith("s.yaml:3: share.basis.article_6: unknown value 'public_tsk'; expected consent, contract")
    assert msg.endswith("did you mean 'public_task'?")


TRANSFERS = ("secure_email, secure_portal, api, encrypted_media, verbal, post_sealed, unencrypted_email, "
             "unencrypted_media, fax, social_media, website")
CATEGORIES = ("identity, contact, household, financial, education, employment, housing, social_care, case_notes, "
              "location, images, racial_ethnic_origin, political_opinions, religious_beliefs, trade_union, genetic, "
              "biometric, health, sex_life, sexual_orientation, criminal_offence, non_personal")


@pytest.mark.parametrize(("text", "expected"), [
    # 22 values: listed in full (up to 25 are), with the word people use for one of them.
    ("share:\n  data:\n    categories: [identity, benefits]\n",
     f"s.yaml:3: share.data.categories[1]: unknown value 'benefits'; expected {CATEGORIES}; did you mean 'financial'?"),
    ("share:\n  handling:\n    transfer: sftp\n",
     f"s.yaml:3: share.handling.transfer: unknown value 'sftp'; expected {TRANSFERS}; did you mean 'secure_portal'?"),
    ("share:\n  handling:\n    transfer: email\n",
     (f"s.yaml:3: share.handling.transfer: unknown value 'email'; expected {TRANSFERS}; "
      "did you mean 'secure_email' or 'unencrypted_email'?")),
    # The start of a value.
    ("share:\n  urgency:\n    risk: serious\n",
     ("s.yaml:3: share.urgency.risk: unknown value 'serious'; expected none, low, significant, serious_or_imminent; "
      "did you mean 'serious_or_imminent'?")),
    # YAML reads no, yes, on and off as booleans: said so, with the word as written.
    ("share:\n  urgency:\n    risk: no\n",
     ("s.yaml:3: share.urgency.risk: YAML read `no` as false, and 'no' is not a value here either; "
      "expected none, low, significant, serious_or_imminent; did you mean 'none'?")),
    ("share:\n  purpose:\n    detail: Yes\n",
     "s.yaml:3: share.purpose.detail: YAML read `Yes` as true; write it in quotes if you meant the word"),
    # Nothing close: the values, and no guess.
    ("share:\n  handling:\n    transfer: pigeon\n",
     f"s.yaml:3: share.handling.transfer: unknown value 'pigeon'; expected {TRANSFERS}"),
])
def test_unknown_values_are_listed_with_a_suggestion(text, expected):
    assert errors(text) == [expected]


def test_a_word_yaml_reads_as_a_boolean_is_named_when_it_is_one_of_the_values():
    from typing import Literal

    from pydantic import BaseModel, ValidationError

    from isp_rules.loader import pydantic_problems
    from isp_rules.yamlfile import parse_yaml

    class Switch(BaseModel):
        state: Literal["on", "off"]

    doc = parse_yaml("state: off\n", "s.yaml")
    with pytest.raises(ValidationError) as info:
        Switch.model_validate(doc.data)
    (problem,) = pydantic_problems(info.value, doc, Switch)
    assert str(problem) == "s.yaml:1: state: YAML read `off` as false; write it in quotes if you meant the word: 'off'"


def test_wrong_types_are_rejected_not_coerced():
    msgs = errors("share:\n  from:\n    signatory: 'yes'\n    name: 12\n  data:\n    subjects: child\n")
    assert "s.yaml:3: share.from.signatory: expected true or false, got 'yes'" in msgs
    assert "s.yaml:4: share.from.name: expected text, got 12" in msgs
    assert "s.yaml:6: share.data.subjects: expected a list, got 'child'" in msgs


def test_missing_share_is_an_error():
    (msg,) = errors("id: no-share\ntitle: nothing\n")
    assert msg == "s.yaml:1: share: required field is missing"


def test_not_a_mapping():
    (msg,) = errors("- a\n- b\n")
    assert "expected a mapping with 'share:'" in msg


def test_every_problem_is_reported_not_just_the_first():
    msgs = errors("share:\n  frequency: weekly\n  relationship: partners\n  urgency: {risk: high}\n")
    assert len(msgs) == 3


def test_bad_country_code_and_date():
    msgs = errors("as_of: tomorrow\nshare:\n  to: {location: usa}\n")
    assert any("share.to.location: expected an ISO 3166 alpha-2 country code" in m for m in msgs)
    assert any("as_of: expected a date" in m for m in msgs)


def test_absent_fields_are_absent_from_the_fact():
    s = parse_scenario("share:\n  from: {type: charity}\n")
    fact = to_fact(s, dt.date(2026, 12, 1))
    assert "share__data__confidential" not in fact
    assert "share__basis__article_6" not in fact
    assert "share__both_signatories" not in fact
    assert fact["share__from__public_authority"] is False  # the party type's default
    assert "share__to__public_authority" not in fact  # no type: unknown
    assert fact["share__to__in_uk"] is True  # the spec's default location is GB


def test_overrides_beat_party_type_defaults():
    s = parse_scenario("share:\n  from: {type: charity, public_authority: true, competent_authority: true}\n")
    fact = to_fact(s, dt.date(2026, 12, 1))
    assert fact["share__from__public_authority"] is True and fact["share__from__competent_authority"] is True


def test_as_of_defaults_to_today_and_can_be_overridden():
    s = parse_scenario("share: {}\n")
    assert to_fact(s)["as_of"] == int(dt.date.today().strftime("%Y%m%d"))
    assert to_fact(s, dt.date(2026, 2, 5))["as_of"] == 20260205


def test_quoted_dates_are_accepted():
    assert parse_scenario("as_of: '2026-02-05'\nshare: {}\n").as_of == dt.date(2026, 2, 5)


def test_every_schema_field_is_typed():
    assert {s.kind for s in FIELDS.values()} <= {"bool", "enum", "enum_list", "text", "date", "country"}
    assert FIELDS["share.basis.article_6"].values == V.ARTICLE_6


@settings(max_examples=100, deadline=None)
@given(st.sampled_from(sorted(COMPLETE["share"])), st.booleans())
def test_scenarios_round_trip_through_their_dump(section, drop):
    data = {**COMPLETE, "share": dict(COMPLETE["share"])}
    if drop:
        data["share"].pop(section)
    s = Scenario.model_validate(data)
    again = Scenario.model_validate(s.model_dump(by_alias=True, exclude_none=True, mode="json"))
    assert again == s


def test_a_share_field_written_at_the_top_level_points_under_share():
    (msg,) = errors("share: {}\nbasis:\n  article_6: public_task\n")
    assert msg == "s.yaml:2: basis: unknown field 'basis'; did you mean 'share.basis'? (it belongs under share:)"


def test_null_sections_and_values_are_clear():
    msgs = errors("share: null\n")
    assert msgs == ["s.yaml:1: share: expected a mapping of fields, got nothing"]
    (msg,) = errors("share:\n  to: {location: null}\n")
    assert "leave location out for GB" in msg


def test_the_norway_problem_gets_a_hint():
    (msg,) = errors("share:\n  to: {location: NO}\n")
    assert "quote the code, e.g. location: 'NO'" in msg
    assert parse_scenario("share:\n  to: {location: 'NO'}\n").share.to.location == "NO"


def test_impossible_dates_are_located():
    (msg,) = errors("as_of: 2026-02-30\nshare: {}\n")
    assert msg.startswith("s.yaml:1: as_of: not a valid date: 2026-02-30")


def test_empty_text_is_refused_with_advice():
    (msg,) = errors("share:\n  basis: {legal_power: ''}\n")
    assert msg == "s.yaml:2: share.basis.legal_power: must not be empty; leave the field out if it is not known"


FORMAT_DOC = ROOT / "docs" / "scenario-format.md"


def test_every_field_and_value_is_documented_in_the_spec_or_the_format_reference():
    documented = SPEC.read_text() + FORMAT_DOC.read_text()
    for path, spec in FIELDS.items():
        if spec.derived or path == "as_of":
            continue
        last = path.rsplit(".", 1)[-1]
        assert f"{last}:" in documented or f"`{path.removeprefix('share.')}`" in documented \
            or f"`{last}`" in documented or f"`{path}`" in documented, f"{path} is not documented in docs/scenario-format.md"
        for value in spec.values:
            if isinstance(value, str):
                assert re.search(rf"\b{value}\b", documented), f"{path}: value {value!r} is not documented"


def test_a_version_1_file_loads_unchanged_beside_the_added_fields():
    example = SPEC.read_text().split("```yaml\n", 1)[1].split("```", 1)[0]
    added = example.replace("    states_public_task: false", "    states_public_task: false\n    by_person: false\n"
                            "    instrument: none")
    old, new = parse_scenario(example), parse_scenario(added)
    assert new.share.request.instrument == "none" and old.share.request.instrument is None
    assert old.share.model_dump(exclude={"request"}) == new.share.model_dump(exclude={"request"})


def test_review_date_becomes_overdue_against_the_date_of_the_share():
    text = "share:\n  governance:\n    agreement: in_place\n    agreement_review_date: 2026-03-31\n"
    scenario = parse_scenario(text)
    assert to_fact(scenario, dt.date(2026, 4, 1))["share__governance__agreement_review_overdue"] is True
    assert to_fact(scenario, dt.date(2026, 3, 31))["share__governance__agreement_review_overdue"] is False
    assert to_fact(scenario, dt.date(2026, 4, 1))["share__governance__agreement_review_date"] == 20260331


@pytest.mark.parametrize("number", [0, 1700000000, 20261201, 1.5])
def test_a_date_given_as_a_number_is_refused_not_read_as_seconds_since_1970(number):
    """pydantic would read `as_of: 0` as 1 January 1970: a decision on the wrong law."""
    from pydantic import ValidationError

    with pytest.raises(ValidationError, match="expected a date YYYY-MM-DD"):
        Scenario.model_validate({"as_of": number, "share": {}})
    with pytest.raises(ValidationError, match="expected a date YYYY-MM-DD"):
        Scenario.model_validate({"share": {"governance": {"agreement_review_date": number}}})
    assert Scenario.model_validate({"as_of": "2026-12-01", "share": {}}).as_of.isoformat() == "2026-12-01"
