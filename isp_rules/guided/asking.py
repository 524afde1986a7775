"""Which questions can still change the verdict: worked out from the rules, not a fixed list.

A deny never becomes anything else when more is known (three-valued logic is monotone: a
condition known to hold still holds), so a deny is settled at once. Otherwise a field still
matters when some in-force rule or agreement-point condition is unknown because of it, or when
an open point waits for it. When a stated defect already holds the share at needs-agreement,
only the facts that could still turn it into a deny matter.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from ..assessment import assess
from ..decision import Decision
from ..dotted import set_path
from ..facts import SOURCES as SCENARIO_SOURCES
from ..interpret import missing_fields, settled_value
from ..ruleset import Condition, Ruleset
from ..scenario import Scenario
from .answers import NOT_SURE
from .questions import ORDER, QUESTIONS, Question

__all__ = ["ask_until_settled", "fields_that_matter", "settled", "still_to_ask"]

# Computed facts are asked through the facts they come from; a party's authority status
# through its type (the override is for files, not a question worth asking first).
SOURCES = {path: [f for f in sources if f != path] for path, sources in SCENARIO_SOURCES.items()}


def _revocable(cond: Condition, fact: dict[str, Any]) -> set[str]:
    """Absent fields that a condition holds *because* they are absent: stating them could undo it.
    Those are the absent fields of a presence test, and every absent field under "not known to hold"."""
    from ..facts import fact_key
    from ..ruleset import NotTrue, leaves, walk

    tested = [leaf for leaf in leaves(cond) if leaf.op in ("absent", "present")]
    tested += [leaf for node in walk(cond) if isinstance(node, NotTrue) for leaf in leaves(node.item)]
    return {leaf.field for leaf in tested if fact_key(leaf.field) not in fact}


def fields_that_matter(ruleset: Ruleset, scenario: Scenario, decision: Decision, fact: dict[str, Any]) -> list[str]:
    """Unknown fields whose answer could still change the verdict, in the order a person describes a share."""
    if decision.verdict == "deny":
        return []
    day = decision.ruleset.as_of
    rules = [r for r in ruleset.rules if r.in_force_on(day)]
    still_open = {r.rule for r in decision.reasons if r.effect == "open"}
    fired = [ruleset.rule(k) for k in decision.rule_keys]
    opened = [r for r in fired if r.effect == "open" and r.id in still_open]
    undo = {r.key: _revocable(r.when, fact) for r in opened}
    # Held open by a stated defect that no further answer can undo: only a deny can follow.
    stuck = decision.verdict == "needs-agreement" and any(settled_value(r.when, fact) is True for r in opened)
    if stuck:
        conds = [r.when for r in rules if r.effect == "deny"]
    elif decision.deferred:
        # Urgent: a point open only for want of a fact waits whatever the answers, so only what
        # could deny, or hold the share on a stated fact, still matters.
        conds = [r.when for r in rules if r.effect == "deny" or r.effect == "open" and any(
            ruleset.point(p).urgency != "defer_always" for p in r.points)]  # a point urgency always defers cannot hold it
        conds += [p.urgency_keeps_when for p in ruleset.points if p.urgency_keeps_when is not None]
    else:
        conds = [r.when for r in rules if r.effect in ("deny", "open") or r.defers_paperwork]
        conds += [c for _, c in ruleset.pseudo_rules()]
    # How many undecided conditions wait on each field: the busiest are asked first,
    # so one answer settles as much as possible.
    weight: dict[str, int] = {}
    for cond in conds:
        for path in missing_fields([cond], fact):
            for source in SOURCES.get(path, [path]):
                weight[source] = weight.get(source, 0) + 1
    # Whether the share is urgent decides how much else matters, so those facts come first,
    # in the order a person describes a share (who is at risk before how often).
    urgent: set[str] = set()
    for rule in rules if not decision.deferred else []:
        if rule.defers_paperwork:
            for path in missing_fields([rule.when], fact):
                urgent.update(SOURCES.get(path, [path]))
    for path in urgent:
        weight[path] = weight.get(path, 0) + 1
    for fields in undo.values():
        for path in fields:
            for source in SOURCES.get(path, [path]):
                weight[source] = weight.get(source, 0) + 1
    if not stuck and not decision.deferred:
        for status in decision.points:
            if status.status == "open":  # the facts it waits for, typed in the decision
                for path in status.waits_for:
                    weight[path] = weight.get(path, 0) + 1
    # The spec's default location is GB; ask where the recipient is unless the answer was given.
    if "location" not in scenario.share.to.model_fields_set:
        weight["share.to.location"] = weight.get("share.to.location", 0) + 1
    rank = {path: i for i, path in enumerate(ORDER)}
    return sorted((p for p in weight if p in QUESTIONS),
                  key=lambda p: (p not in urgent, rank[p] if p in urgent else -weight[p], rank[p]))


def settled(ruleset: Ruleset, scenario: Scenario, as_of: dt.date | None = None) -> tuple[Decision, list[str]]:
    """The decision now, and the fields still worth asking about."""
    from ..facts import to_fact

    decision = assess(scenario, ruleset, as_of=as_of)
    fact = to_fact(scenario, decision.ruleset.as_of, ruleset.phrases)
    return decision, fields_that_matter(ruleset, scenario, decision, fact)


def still_to_ask(ruleset: Ruleset, data: dict, asked: set[str] | frozenset[str] = frozenset(),
                 as_of: dt.date | None = None) -> tuple[Scenario, Decision, list[str]]:
    """One step of a guided conversation (`isp ask`, the web form): the scenario the answers so
    far describe, its decision, and the questions still worth asking that were not asked yet."""
    scenario = Scenario.model_validate(data)
    decision, fields = settled(ruleset, scenario, as_of)
    return scenario, decision, [f for f in fields if f not in asked]


def ask_until_settled(ruleset: Ruleset, data: dict[str, Any], ask: Callable[[Question, int], Any],
                      as_of: dt.date | None = None) -> tuple[Scenario, Decision, int]:
    """A whole guided conversation: ask(question, number) the question that matters most until no
    answer can change the verdict, each question once; NOT_SURE leaves its field unstated. The
    answers go into `data`. Returns the scenario they describe, its decision and how many were asked."""
    asked: set[str] = set()
    while True:
        scenario, decision, fields = still_to_ask(ruleset, data, asked, as_of)
        if not fields:
            return scenario, decision, len(asked)
        question = QUESTIONS[fields[0]]
        asked.add(question.path)
        answer = ask(question, len(asked))
        if answer is not NOT_SURE:
            set_path(data, question.path, answer)
