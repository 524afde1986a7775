"""The compiler against the interpreter on random condition trees, not only the bundled rules.

Every operator, negation, not_true and absent field is exercised, so a compiler
mistake in any mode shows up as a disagreement with the three-valued interpreter.
"""

import datetime as dt
import hashlib
import re

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from isp_rules.assessment import fire
from isp_rules.compiler import MAX_GROUPS, count_groups, rule_expression
from isp_rules.facts import to_fact
from isp_rules.ruleset import (
    All,
    Any_,
    Citation,
    InForce,
    Leaf,
    Not,
    NotTrue,
    Rule,
    Ruleset,
    condition_fields,
    describe_condition,
    describe_node,
    leaves,
    walk,
)
from isp_rules.scenario import Scenario

LEAVES = st.one_of(
    st.sampled_from(["routine", "one_off"]).map(lambda v: Leaf("equals", "share.frequency", v)),
    st.booleans().map(lambda v: Leaf("equals", "share.data.confidential", v)),
    st.lists(st.sampled_from(["child", "adult", "patient"]), min_size=1, max_size=2, unique=True)
      .map(lambda v: Leaf("contains_any", "share.data.subjects", tuple(v))),
    st.lists(st.sampled_from(["routine", "one_off"]), min_size=1, max_size=2, unique=True)
      .map(lambda v: Leaf("in", "share.frequency", tuple(v))),
    st.lists(st.sampled_from(["care act", "s 16", "serious violence duty", "act 2004"]), min_size=1, max_size=2, unique=True)
      .map(lambda v: Leaf("mentions", "share.basis.legal_power", tuple(v))),
    st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1)).map(lambda d: Leaf("before", "as_of", d)),
    st.dates(dt.date(2025, 1, 1), dt.date(2027, 1, 1)).map(lambda d: Leaf("on_or_after", "as_of", d)),
    st.sampled_from(["share.frequency", "share.data.subjects", "share.basis.legal_power"])
      .flatmap(lambda f: st.sampled_from([Leaf("present", f), Leaf("absent", f)])),
)

CONDITIONS = st.recursive(
    LEAVES,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3).map(lambda xs: All(tuple(xs))),
        st.lists(inner, min_size=1, max_size=3).map(lambda xs: Any_(tuple(xs))),
        inner.map(Not),
        inner.map(NotTrue),
    ),
    max_leaves=8,
)

SCENARIOS = st.fixed_dictionaries({}, optional={
    "frequency": st.sampled_from(["routine", "one_off"]),
    "data": st.fixed_dictionaries({}, optional={
        "confidential": st.booleans(),
        "subjects": st.lists(st.sampled_from(["child", "adult", "patient", "tenant"]), max_size=3, unique=True),
    }),
    "basis": st.fixed_dictionaries({}, optional={
        "legal_power": st.sampled_from(["Care Act 2014 s45", "Serious Violence Duty (s16)", "Children Act 2004 s11",
                                        "PCSC Act s 16", "care acts", "s16s"]),
    }),
}).map(lambda share: Scenario.model_validate({"share": share}))

CITE = (Citation.model_construct(source="test", ref="none"),)


def tiny_ruleset(conds, windows=None):
    windows = windows or [None] * len(conds)
    rules = tuple(Rule.model_construct(id=f"T-{i}", title="t", when=c, effect="advice", message="m",
                                       citations=CITE, points=[], in_force=w, defers_paperwork=False,
                                       missing_fact=False, remedy=None, file="", line=0, commencement=None)
                  for i, (c, w) in enumerate(zip(conds, windows, strict=True)))
    sha = hashlib.sha256(repr((conds, windows)).encode()).hexdigest()
    return Ruleset(name="t", version="0", rules=rules, points=(), sha256=sha, source="test")


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(CONDITIONS, min_size=1, max_size=4), st.lists(SCENARIOS, min_size=1, max_size=4),
       st.dates(dt.date(2025, 6, 1), dt.date(2026, 6, 1)))
def test_compiled_conditions_agree_with_the_interpreter(conds, scenarios, day):
    ruleset = tiny_ruleset(conds)
    # The loader refuses rules durable_rules cannot hold (test_loader covers that message).
    assume(all(count_groups(rule_expression(r)) <= MAX_GROUPS for r in ruleset.rules))
    for scenario in scenarios:
        fact = to_fact(scenario, day, ruleset.phrases)
        assert fire(ruleset, fact, "durable") == fire(ruleset, fact, "interpreter")


WINDOWS = st.one_of(st.none(), st.tuples(
    st.one_of(st.none(), st.dates(dt.date(2025, 6, 1), dt.date(2026, 6, 1))),
    st.one_of(st.none(), st.dates(dt.date(2025, 6, 1), dt.date(2026, 6, 1)))))


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.tuples(CONDITIONS, WINDOWS), min_size=1, max_size=3), SCENARIOS,
       st.dates(dt.date(2025, 6, 1), dt.date(2026, 6, 1)))
def test_the_in_force_check_agrees_with_the_compiled_window(rules, scenario, day):
    """Rule.in_force_on (the one in-force check, used by the interpreter) and the window the
    compiler writes for durable_rules pick the same rules on every day, boundaries included."""
    windows = [None if w is None else InForce.model_validate({"from": w[0], "until": w[1]}) for _, w in rules]
    ruleset = tiny_ruleset([c for c, _ in rules], windows)
    assume(all(count_groups(rule_expression(r)) <= MAX_GROUPS for r in ruleset.rules))
    fact = to_fact(scenario, day, ruleset.phrases)
    assert fire(ruleset, fact, "durable") == fire(ruleset, fact, "interpreter")
    for rule in ruleset.rules:
        if not rule.in_force_on(day):
            assert rule.key not in fire(ruleset, fact, "interpreter")


def test_in_force_on_starts_on_its_first_day_and_ends_before_until():
    window = InForce.model_validate({"from": dt.date(2026, 2, 5), "until": dt.date(2027, 4, 1)})
    rule = Rule.model_construct(id="T-1", in_force=window)
    assert not rule.in_force_on(dt.date(2026, 2, 4))
    assert rule.in_force_on(dt.date(2026, 2, 5)) and rule.in_force_on(dt.date(2027, 3, 31))
    assert not rule.in_force_on(dt.date(2027, 4, 1))
    assert Rule.model_construct(id="T-2", in_force=None).in_force_on(dt.date(1990, 1, 1))


SAMPLE = All((Leaf("in", "share.frequency", ("routine", "one_off")),
              Any_((Leaf("contains_any", "share.data.subjects", ("child", "adult")), Leaf("present", "share.basis.legal_power"))),
              Not(Leaf("equals", "share.data.confidential", True)),
              NotTrue(Leaf("on_or_after", "as_of", dt.date(2026, 2, 5)))))


def test_walk_visits_every_node_before_what_is_inside_it():
    nodes = list(walk(SAMPLE))
    assert nodes[0] is SAMPLE and len(nodes) == 9
    assert [type(n).__name__ for n in nodes] == ["All", "Leaf", "Any_", "Leaf", "Leaf", "Not", "Leaf", "NotTrue", "Leaf"]
    assert list(leaves(SAMPLE)) == [n for n in nodes if isinstance(n, Leaf)]
    assert condition_fields(SAMPLE) == {"share.frequency", "share.data.subjects", "share.basis.legal_power",
                                        "share.data.confidential", "as_of"}


def test_a_condition_reads_as_a_sentence():
    """The catalogue's wording (issue 13): plain words from labels.py, no field paths or raw values."""
    assert describe_condition(SAMPLE) == (
        "the share is routine or regular or one-off; "
        "(the information is about a child (under 18) or an adult; or the law or function relied on is known); "
        "it was not given in confidence; and it is not known that the date of the share is on or after 5 February 2026")
    assert describe_condition(All(())) == "always" and describe_condition(Any_(())) == "never"
    assert describe_condition(All((Leaf("equals", "share.to.type", "police"),
                                   Leaf("equals", "share.urgency.risk", "serious_or_imminent")))) == \
        "the recipient is the police and the risk is serious or imminent"
    assert describe_condition(Not(Leaf("contains_any", "share.data.subjects", ("child",)))) == \
        "the information is not about a child (under 18)"
    assert describe_condition(Leaf("absent", "share.basis.article_6")) == "the lawful basis (Art 6) is not known"


def test_explain_and_the_catalogue_word_every_bundled_test():
    """`isp explain` words each node in the rules' own terms (ruleset.describe_node), for rule editors;
    the catalogue (`isp rules`, /rules) words the whole condition as a sentence in plain words."""
    from isp_rules import default_ruleset
    from isp_rules.authoring.catalogue import rules_as_data
    from isp_rules.interpret import explain_condition

    ruleset = default_ruleset()
    fact = to_fact(Scenario.model_validate({"share": {}}), dt.date(2026, 12, 1), ruleset.phrases)

    def texts(node):
        yield node.text
        for child in node.children:
            yield from texts(child)

    for rule, item in zip(ruleset.rules, rules_as_data(ruleset), strict=True):
        explained = list(texts(explain_condition(rule.when, fact)))
        assert explained == [describe_node(n) for n in walk(rule.when)]
        # The catalogue says the same condition in plain words: no field path, raw value or brace.
        assert not re.search(r"share\.[a-z]|\b[a-z]+_[a-z_]+\b|[{}]", item["when"]), (rule.id, item["when"])
