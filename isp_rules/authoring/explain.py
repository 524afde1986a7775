"""`isp explain`: for each rule, whether it fired, and for each leaf of its condition whether it
held, was false, or was unknown because a field is not stated. Answers "why did it say deny?"
and "why did this rule not fire?" from the same three-valued evaluator the tests check the
engine against. Without a rule id it also shows how each agreement point stands: which kind of
share it is, and for each point whether it applies, what settles it, or why it is still open."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from ..decision import Decision, PointStatus
from ..facts import SOURCES, fact_key
from ..interpret import Explanation, explain_condition
from ..labels import label
from ..ruleset import Rule, Ruleset

__all__ = ["RuleExplanation", "explain_rules", "render_explanation"]


@dataclass(frozen=True)
class RuleExplanation:
    rule: Rule
    fired: bool
    in_force: bool
    condition: Explanation
    in_answer: bool  # among the decision's reasons or obligations (an urgent share defers open points)


def explain_rules(ruleset: Ruleset, fact: dict[str, Any], decision: Decision, rule_id: str | None = None) -> list[RuleExplanation]:
    day = decision.ruleset.as_of
    fired = set(decision.rule_keys)
    shown = {r.rule for r in decision.reasons} | {o.rule for o in decision.obligations}
    rules = [r for r in ruleset.rules if rule_id is None or r.id == rule_id]
    return [RuleExplanation(r, r.key in fired, r.in_force_on(day), explain_condition(r.when, fact), r.id in shown)
            for r in rules]


MARK = {True: "held", False: "false", None: "unknown"}


def _leaf_note(node: Explanation, fact: dict[str, Any]) -> str:
    """What the scenario says about the leaf's field, so a reader can see why it held or not."""
    if node.leaf is None:
        return ""
    field = node.leaf.field
    key = fact_key(field)
    if node.value is None:
        sources = [f for f in SOURCES.get(field, []) if f != field]
        return f"{field} is not known: {', '.join(sources)} not stated" if sources else f"{field} is not stated"
    if key in fact and node.leaf.op not in ("present", "absent"):
        value = fact[key]
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, list):
            value = "[" + ", ".join(map(str, value)) + "]"
        if field == "as_of":
            return ""  # a day number inside the fact; the header gives the date
        return f"it is {value}"
    return ""


def _tree(node: Explanation, fact: dict[str, Any], depth: int) -> list[str]:
    pad = "    " * depth
    if not node.children:
        note = _leaf_note(node, fact)
        return [f"{pad}[{MARK[node.value]:>7}] {node.text}" + (f"  ({note})" if note else "")]
    lines = [f"{pad}[{MARK[node.value]:>7}] {node.text}:"]
    for child in node.children:
        lines += _tree(child, fact, depth + 1)
    return lines


def _as_data(node: Explanation) -> dict:
    out: dict[str, Any] = {"test": node.text, "value": MARK[node.value]}
    if node.children:
        out["items"] = [_as_data(c) for c in node.children]
    return out


POINT_STATUS = {
    "open": "OPEN",
    "deferred": "after the urgent share",
    "obligation": "the discloser's obligation",
    "scenario": "settled by the facts stated",
    "settled": "settled",
    "not_applicable": "does not apply",
}


def _point_data(p: PointStatus) -> dict:
    return {"point": p.id, "question": p.question, "kind": p.kind, "status": p.status, "detail": p.detail,
            "settled_by": p.settled_by, "waits_for": list(p.waits_for), "held_by": list(p.held_by),
            "rules": list(p.rules)}


def _point_lines(decision: Decision, kind_words: dict[str, str]) -> list[str]:
    """How each point stands, in plain words: the facts a point waits for, or that hold it open,
    by their labels (the JSON gives their field paths)."""
    kinds = "; ".join(kind_words.get(k, k) for k in decision.share_kinds) or "not known yet"
    lines = [f"Agreement points (this share is: {kinds}):"]
    still_open = [p.id for p in decision.points if p.status == "open"]
    if decision.verdict == "needs-agreement" and still_open:
        lines.append(f"  Still open, so the share needs agreement first: {', '.join(still_open)} (why, below).")
    for p in decision.points:
        lines.append(f"  {p.id}  [{POINT_STATUS.get(p.status, p.status)}]  {p.question}")
        lines.append(f"      {p.detail}")
        if p.waits_for:
            lines.append(f"      waits for: {'; '.join(label(f) for f in p.waits_for)}")
        if p.held_by:
            lines.append(f"      held open by: {'; '.join(label(f) for f in p.held_by)}")
        if p.rules:
            lines.append(f"      opened by: {', '.join(p.rules)}")
    return lines


def render_explanation(items: list[RuleExplanation], decision: Decision, fact: dict[str, Any], fmt: str = "text",
                       only_fired: bool = False, points: bool = True, ruleset: Ruleset | None = None) -> str:
    """The explanation as text or JSON; `ruleset` (the one decided under) says the kinds of share
    in words in the text's agreement points, which otherwise gives their ids."""
    total, fired = len(items), sum(e.fired for e in items)
    if only_fired:
        items = [e for e in items if e.fired]
    if fmt == "json":
        return json.dumps({"scenario": decision.scenario, "verdict": decision.verdict,
                           "as_of": decision.ruleset.as_of.isoformat(),
                           "rules": [{"rule": e.rule.id, "key": e.rule.key, "effect": e.rule.effect, "title": e.rule.title,
                                      "fired": e.fired, "in_answer": e.in_answer, "in_force": e.in_force,
                                      "condition": _as_data(e.condition)}
                                     for e in items],
                           **({"share_kinds": decision.share_kinds, "points": [_point_data(p) for p in decision.points]}
                              if points else {})}, indent=2, ensure_ascii=False)
    lines = [f"{decision.verdict.upper()}: {decision.scenario or 'scenario'} (law as at {decision.ruleset.as_of.isoformat()})",
             f"{fired} of {total} rule(s) fired{' (only those are shown)' if only_fired else ''}.",
             "Each test held, was false, or is unknown (its field is not stated); a rule fires only when",
             "its whole condition is known to hold.", ""]
    for e in sorted(items, key=lambda e: (not e.fired, e.rule.key)):
        if e.fired:
            status = "FIRED" if e.in_answer else \
                "FIRED, but its point waits until after the urgent share (not among the reasons)"
        else:
            status = "not in force on that date" if not e.in_force else "did not fire"
        lines.append(f"{e.rule.key}  [{e.rule.effect}]  {status}: {e.rule.title}")
        lines += _tree(e.condition, fact, 1)
        lines.append("")
    if points:
        lines += _point_lines(decision, {k.id: k.says for k in ruleset.kinds} if ruleset is not None else {})
    return "\n".join(lines).rstrip() + "\n"
