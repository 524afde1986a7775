"""The compiler against the interpreter on random condition trees, not only the bundled rules.

Every operator, negation, not_true and absent field is exercised, so a compiler
mistake in any mode shows up as a disagreement with the three-valued interpreter.
"""

import datetime as dt
import hashlib

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from isp_rules.assessment import fire
from isp_rules.compiler import MAX_GROUPS, count_groups, rule_expression
from isp_rules.ruleset import All, Any_, Citation, Leaf, Not, NotTrue, Rule, Ruleset
from isp_rules.scenario import Scenario, to_fact

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


def tiny_ruleset(conds):
    rules = tuple(Rule.model_construct(id=f"T-{i}", title="t", when=c, effect="advice", message="m",
                                       citations=CITE, points=[], in_force=None, defers_paperwork=False,
                                       missing_fact=False, remedy=None, file="", line=0)
                  for i, c in enumerate(conds))
    sha = hashlib.sha256(repr(conds).encode()).hexdigest()
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
