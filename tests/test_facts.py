"""The fact: one table of derived facts, complete and consistent, and a fact computed from it exactly."""

import datetime as dt
import re

import pytest
from conftest import build
from hypothesis import HealthCheck, given, settings
from strategies import LIBRARY, any_scenarios

from isp_rules.dotted import get_path, set_path
from isp_rules.facts import (
    DERIVED,
    FACT_MARKER,
    FIELDS,
    SOURCES,
    TextPhrases,
    date_number,
    fact_key,
    mentions,
    power_words,
    recognised_powers,
    to_fact,
)
from isp_rules.scenario import Scenario

MODEL_PATHS = {path for path, spec in FIELDS.items() if not spec.derived}
TABLE = {d.path: d for d in DERIVED}
DAY = dt.date(2026, 12, 1)


def test_each_derived_fact_has_one_entry_in_the_table():
    paths = [d.path for d in DERIVED]
    assert len(paths) == len(set(paths)), "a path is in the table twice"
    documented = {path for path, spec in FIELDS.items() if spec.derived}
    # Every derived field a rule may test is computed by the table, with the table's words as its doc;
    # every other entry completes a scenario field (a party's authority status).
    assert documented == {p for p in paths if p not in MODEL_PATHS}
    for path in documented:
        assert FIELDS[path].derived == TABLE[path].doc and FIELDS[path].kind == "bool"
    assert {p for p in paths if p in MODEL_PATHS} == {
        f"share.{side}.{which}" for side in ("from", "to") for which in ("public_authority", "competent_authority")}


def test_each_entry_says_what_it_means_and_comes_from_real_scenario_fields():
    for d in DERIVED:
        assert d.doc.strip() and d.sources, d.path
        assert len(d.sources) == len(set(d.sources)), d.path
        for source in d.sources:
            # A source is a field of the scenario itself, never another derived fact.
            assert source in MODEL_PATHS and source != "as_of", (d.path, source)
        # A field the table completes is computed from its own stated value first.
        if d.path in MODEL_PATHS:
            assert d.sources[0] == d.path


def test_sources_are_the_tables():
    assert dict(SOURCES) == {d.path: d.sources for d in DERIVED}


def _fact_keys_of_the_scenario(scenario: Scenario) -> set[str]:
    """The keys the scenario's own stated values give (the fact without what the table computes)."""
    data = scenario.model_dump(by_alias=True, exclude_none=True)
    keys = set()
    for path in MODEL_PATHS - {"as_of"}:
        value = get_path(data, path)
        if value is not None:
            keys.add(fact_key(path))
            if isinstance(value, list):
                keys.add(fact_key(path) + "__n")
    return keys


def _computed(fact: dict) -> set[str]:
    return {k for k in fact if k not in (FACT_MARKER, "as_of") and not re.search(r"__mentions(__n)?$", k)}


def test_to_fact_computes_exactly_the_tables_paths_for_a_complete_share(ruleset):
    scenario = build(share__governance__agreement_review_date="2027-01-01")
    fact = to_fact(scenario, DAY, ruleset.phrases)
    # What the fact holds beyond the stated values is the table's, and here every entry is known.
    assert _computed(fact) - _fact_keys_of_the_scenario(scenario) <= {d.key for d in DERIVED}
    assert all(fact[d.key] in (True, False) for d in DERIVED)
    assert fact[FACT_MARKER] == 1 and fact["as_of"] == date_number(DAY)


def test_an_empty_share_knows_only_what_follows_from_defaults(ruleset):
    fact = to_fact(Scenario.model_validate({"share": {}}), DAY, ruleset.phrases)
    # Locations default to GB; nothing else is stated, so nothing else is derived.
    assert {k for k in _computed(fact)} == {"share__from__location", "share__to__location", "share__from__in_uk",
                                           "share__to__in_uk", "share__from__eea", "share__to__eea",
                                           "share__to__uk_adequacy", "share__to__uk_adequacy_full"}


def _only(scenario: Scenario, paths) -> Scenario:
    """The scenario with only the given fields stated (a party's location is always there)."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    kept: dict = {"share": {}}
    for path in paths:
        value = get_path(data, path)
        if value is not None:
            set_path(kept, path, value)
    return Scenario.model_validate(kept)


def _candidates() -> list[Scenario]:
    """The library, and the complete share varied where the table's computations turn."""
    return [Scenario.model_validate(d) for d in LIBRARY] + [
        build(share__to__location="US"), build(share__from__location="FR"),
        build(share__governance__agreement_review_date="2026-01-01"),
        build(share__data__identifiability="anonymised", share__data__categories=["health", "criminal_offence"]),
        build(share__to__signatory=False), build(share__basis__legal_power="Children Act 2004 s11"),
        build(share__from__type="charity", share__from__public_authority=True),
        build(share__to__type="charity", share__to__public_authority=True),
        build(share__from__competent_authority=True), build(share__to__competent_authority=True),
        # a duty on written notice; a duty to notify the police only
        build(share__basis__legal_power="Coroners and Justice Act 2009 Schedule 5"),
        build(share__basis__legal_power="FGM Act s5B", share__to__type="local_authority"),
        # a stated order or notice is the law named, beside whatever the text names
        build(share__basis__legal_power="Children Act 2004 s11", share__from__type="school",
              share__request__instrument="court_order"),
        build(share__basis__legal_power="DPA 2018 Sch 2 para 2", share__request__instrument="court_order"),
        build(share__basis__legal_power="an unknown law", share__request__instrument="court_order"),
        build(share__basis__legal_power="Children Act 1989 s47", share__request__instrument="schedule_5_notice"),
        build(share__basis__legal_power="FGM Act s5B", share__to__type="local_authority",
              share__request__instrument="court_order")]


CANDIDATES = _candidates()


def _sources_alone_give_the_same_facts(scenario: Scenario, phrases) -> None:
    fact = to_fact(scenario, DAY, phrases)
    for d in DERIVED:
        alone = to_fact(_only(scenario, d.sources), DAY, phrases)
        assert alone.get(d.key) == fact.get(d.key), d.path


def test_a_derived_fact_follows_from_its_sources_alone(ruleset):
    """What SOURCES says is what the computation reads: the sources alone give the same value."""
    for scenario in CANDIDATES:
        _sources_alone_give_the_same_facts(scenario, ruleset.phrases)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(any_scenarios())
def test_a_derived_fact_follows_from_its_sources_alone_for_any_share(ruleset, scenario):
    _sources_alone_give_the_same_facts(scenario, ruleset.phrases)


@pytest.mark.parametrize("entry", DERIVED, ids=lambda d: d.path)
def test_each_source_matters_somewhere(entry, ruleset):
    """No entry lists a field it never reads: without each source the value changes for some share."""
    for source in entry.sources:
        others = [s for s in entry.sources if s != source]
        assert any(to_fact(_only(s, entry.sources), DAY, ruleset.phrases).get(entry.key)
                   != to_fact(_only(s, others), DAY, ruleset.phrases).get(entry.key) for s in CANDIDATES), source


def test_a_plain_mapping_of_phrases_gives_the_same_mentions(ruleset):
    scenario = build(share__basis__legal_power="Crime and Disorder Act 1998 s115")
    plain = {path: sorted(found) for path, found in ruleset.phrases.items()}
    with_catalogue = to_fact(scenario, DAY, ruleset.phrases)
    without = to_fact(scenario, DAY, plain)
    assert {k: v for k, v in with_catalogue.items() if "mentions" in k} == {
        k: v for k, v in without.items() if "mentions" in k}
    # The catalogue travels only with the ruleset's TextPhrases: without it no power is recognised.
    assert "share__basis__power_recognised" in with_catalogue
    assert "share__basis__power_recognised" not in without
    assert isinstance(ruleset.phrases, TextPhrases)



# Third check on unseen shares, 8 December 2026: a section inserted later is another section,
# and a list of sections names each of them.
@pytest.mark.parametrize(("text", "named", "not_named"), [
    ("Housing Act 1996 s213B (duty to refer)", "housing act 1996 + s 213b", "housing act 1996 + s 213"),
    ("Crime and Disorder Act 1998 s17A", "crime and disorder act 1998 + s 17a", "crime and disorder act 1998 + s 17"),
    ("National Health Service Act 2006 ss3 and 82", "nhs act 2006 + s 82", "nhs act 2006 + s 8"),
    ("NHS Act 2006 ss 3, 82 and 251", "nhs act 2006 + s 251", "nhs act 2006 + s 25"),
    ("DPA 2018 Sch 1 paras 10 and 18", "sch 1 + para 18", "sch 1 + para 1"),
])
def test_a_section_letter_and_a_list_of_sections_are_read_as_written(text, named, not_named):
    normal = power_words(text)
    assert mentions(normal, named) and not mentions(normal, not_named), normal


def test_a_later_section_is_not_recognised_as_the_one_it_follows(repo_ruleset):
    labels = {p.label for p in recognised_powers("Housing Act 1996 s213B", repo_ruleset.powers)}
    assert labels and all("213B" in label for label in labels), labels
