"""The warm path keeps what it works out (issue 15): which likely answers fit, the words of a stated
fact, a rule's message for the values it names, and which parts of a fact each durable ruleset
reads. Remembering must never change an answer: a decision reached after many others is the one
reached with nothing remembered, and the engine fires exactly what the interpreter says."""

from __future__ import annotations

import json
import random

import pytest
from conftest import SCENARIOS, build

from isp_rules import assess, load_scenario
from isp_rules import decide as decide_module
from isp_rules.assessment import fire
from isp_rules.compiler import compile_ruleset
from isp_rules.engine import Engine, _rule_name
from isp_rules.errors import EngineError
from isp_rules.facts import FACT_MARKER, fact_key, to_fact
from isp_rules.ruleset import leaves

LIBRARY = sorted(SCENARIOS.rglob("*.yaml"))


def _forget() -> None:
    """Everything decide remembers between decisions, dropped."""
    decide_module._PLANS.clear()
    decide_module._STATED.clear()
    decide_module._STATED_KEYS.clear()
    decide_module._MESSAGES.clear()
    decide_module._MESSAGE_KEYS.clear()


def test_a_decision_after_many_others_is_the_one_reached_with_nothing_remembered(ruleset):
    scenarios = [load_scenario(p) for p in LIBRARY]
    cold = []
    for s in scenarios:
        _forget()
        cold.append(json.dumps(assess(s, ruleset).to_json(), sort_keys=True, default=str))
    order = list(range(len(scenarios)))
    random.Random(15).shuffle(order)  # another order: what is remembered comes from other shares
    for _ in range(2):
        for i in order:
            warm = json.dumps(assess(scenarios[i], ruleset).to_json(), sort_keys=True, default=str)
            assert warm == cold[i], LIBRARY[i].name


def test_every_point_status_matches_the_unremembered_answers(ruleset):
    """likely_answers (no plan, nothing kept) against what the decision carries, on every scenario."""
    for path in LIBRARY:
        scenario = load_scenario(path)
        decision = assess(scenario, ruleset)
        fact = to_fact(scenario, decision.ruleset.as_of, ruleset.phrases)
        if scenario.share.from_.partner or scenario.share.to.partner or scenario.share.governance.agreement_id:
            continue  # completed from the directory first: the fact differs from the stated one
        for st in decision.points:
            assert st.likely_answers == decide_module.likely_answers(ruleset.point(st.id), fact), (path.name, st.id)


def test_a_message_is_filled_from_this_share_not_an_earlier_one(ruleset):
    rule = next(r for r in ruleset.rules if "{share.from.name}" in r.message)
    first = to_fact(build(share__from__name="Alpha Council"), phrases=ruleset.phrases)
    second = to_fact(build(share__from__name="Beta Trust"), phrases=ruleset.phrases)
    unnamed = to_fact(build(share__from__name=...), phrases=ruleset.phrases)
    assert "Alpha Council" in decide_module.render_message(rule.message, first)
    assert "Beta Trust" in decide_module.render_message(rule.message, second)
    assert "Alpha Council" in decide_module.render_message(rule.message, first)
    text = decide_module.render_message(rule.message, unnamed)
    assert "Alpha Council" not in text and "Beta Trust" not in text and "the discloser" in text


def test_true_and_one_are_different_values_to_what_is_remembered(ruleset):
    """Python says True == 1; the rules do not, and neither may a remembered answer."""
    message = "Signed: {share.from.signatory}."
    as_bool = decide_module.render_message(message, {"share__from__signatory": True})
    as_int = decide_module.render_message(message, {"share__from__signatory": 1})
    assert as_bool == "Signed: yes." and as_int == "Signed: 1."


def test_parts_of_a_fact_no_rule_reads_change_nothing(ruleset):
    engine = Engine()
    names = engine.register(compile_ruleset(ruleset))
    for path in LIBRARY[::7]:
        fact = to_fact(load_scenario(path), phrases=ruleset.phrases)
        noisy = {**fact, "share__not_a_field": "deny everything", "zz_extra": [1, 2, 3]}
        assert engine.fire(names, noisy) == engine.fire(names, fact)
        assert fire(ruleset, fact) == fire(ruleset, fact, "interpreter"), path.name


def test_every_field_a_condition_tests_is_sent(ruleset):
    """Each field the rules and pseudo-rules test (read from the rules, not from durable's JSON)
    is among the parts of a fact some durable ruleset is sent; so is the date and the marker."""
    engine = Engine()
    names = engine.register(compile_ruleset(ruleset))
    sent = set().union(*(engine._rulesets[n].reads for n in names))
    conds = [r.when for r in ruleset.rules] + [c for _, c in ruleset.pseudo_rules()]
    for leaf in (leaf for c in conds for leaf in leaves(c)):
        key = fact_key(leaf.field)
        wanted = {key, key + "__mentions"} if leaf.op == "mentions" else {key}
        assert wanted & sent, leaf.field
    assert {"as_of", FACT_MARKER} <= sent


def test_a_fact_json_cannot_hold_is_still_refused_whole(ruleset):
    engine = Engine()
    names = engine.register(compile_ruleset(ruleset))
    fact = to_fact(build(), phrases=ruleset.phrases)
    with pytest.raises(EngineError, match="cannot be written as JSON"):
        engine.fire(names, {**fact, "a_key_no_rule_reads": object()})


def test_a_rule_name_is_read_from_its_message_fast_or_slow():
    assert _rule_name('{"LB-PA-LEGIT-001": {"m": {}}}', frozenset({"LB-PA-LEGIT-001"})) == "LB-PA-LEGIT-001"
    # A name the ruleset does not hold, or one written with escapes, is read as JSON.
    assert _rule_name('{"R-\\"quoted\\"": {}}', frozenset({"R-"})) == 'R-"quoted"'
    assert _rule_name('{"R-2": {}}', frozenset({"R-1"})) == "R-2"
    with pytest.raises(EngineError, match="names no rule"):
        _rule_name("[]", frozenset())


@pytest.mark.parametrize("bad", ["\x07", "\ud800", "\ufffe", "\x9f"])
def test_an_unprintable_character_anywhere_in_a_json_body_is_still_refused_with_its_path(bad):
    from isp_rules.errors import ScenarioError
    from isp_rules.web.inputs import scenario_from_json

    data = {"share": {"purpose": {"category": "statutory_duty", "detail": "fine"},
                      "handling": {"retention": "a year"}, "data": {"subjects": ["child"]}}}
    data["share"]["handling"]["retention"] = f"a{bad}year"
    raw = json.dumps(data).encode()
    with pytest.raises(ScenarioError) as caught:
        scenario_from_json(raw)
    assert [p.path for p in caught.value.problems] == ["share.handling.retention"]
    clean = json.dumps({"share": {"purpose": {"category": "statutory_duty", "detail": "tab\tand\nnew line"}}}).encode()
    assert scenario_from_json(clean).share.purpose.detail == "tab\tand\nnew line"
