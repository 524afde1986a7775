"""Ruleset -> durable_rules JSON definition. A pure function: no durable import, no state.

durable_rules has no `$not` and no `$in`, so negation is pushed down to the
leaves (De Morgan, which holds in three-valued logic too) and "in" becomes an
`$or` of equalities. A leaf over an absent field never matches in durable_rules,
which is exactly "unknown" in the interpreter's Kleene logic: a rule fires only
when its condition is known to be true.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from .errors import Problem
from .facts import FACT_MARKER, date_number, fact_key
from .ruleset import All, Condition, Leaf, Not, NotTrue, Rule, Ruleset, Settlement, ShareKind, Trigger, may_hold

__all__ = [
    "CATCH_ALL",
    "MAX_GROUPS",
    "MAX_RULES_PER_SET",
    "compile_condition",
    "compile_ruleset",
    "count_groups",
    "rule_body",
    "rule_expression",
    "size_problems",
]

CATCH_ALL = "ISP-CATCH-ALL"
MAX_RULES_PER_SET = 150  # durable_rules fails near 300 similar rules in one ruleset (error 108)
Json = dict[str, Any]  # a durable_rules expression or definition
TRUE: Json = {}  # sentinels, compared by identity
FALSE: Json = {"never": True}
_MARKER = {FACT_MARKER: 1}
_NEVER = {FACT_MARKER: 0}  # a fact always has the marker set to 1, so this never matches


def _flat(op: str, items: list[Any]) -> list[Any]:
    """Nested groups of the same kind merge: durable_rules allows few groups per rule."""
    out: list[Any] = []
    for item in items:
        if isinstance(item, dict) and list(item) == [op]:
            out.extend(item[op])
        else:
            out.append(item)
    return out


def _and(items: list[Any]) -> Any:
    if any(i is FALSE for i in items):
        return FALSE
    items = _flat("$and", [i for i in items if i is not TRUE])
    if not items:
        return TRUE
    return items[0] if len(items) == 1 else {"$and": items}


def _or(items: list[Any]) -> Any:
    if any(i is TRUE for i in items):
        return TRUE
    items = _flat("$or", [i for i in items if i is not FALSE])
    if not items:
        return FALSE
    return items[0] if len(items) == 1 else {"$or": items}


def count_groups(expr: Any) -> int:
    """$and / $or groups in an expression: each costs durable_rules two of its 31 expression slots."""
    if isinstance(expr, dict):
        return sum((key in ("$and", "$or")) + count_groups(value) for key, value in expr.items())
    if isinstance(expr, list):
        return sum(count_groups(item) for item in expr)
    return 0


def _literal(leaf: Leaf, negated: bool) -> Any:
    """The leaf known to hold (or, negated, known not to hold) on a fact that has the field."""
    key = fact_key(leaf.field)
    op, value = leaf.op, leaf.value
    if op in ("present", "absent"):
        exists = (op == "present") != negated
        return {"$ex" if exists else "$nex": {key: 1}}
    if op == "equals":
        return {"$neq": {key: value}} if negated else {key: value}
    if op == "in":
        if negated:
            return _and([{"$neq": {key: v}} for v in value])
        return _or([{key: v} for v in value])
    if op in ("contains_any", "mentions"):
        # mentions tests the list of the ruleset's phrases found in the text, built in
        # Python when the fact is made: durable_rules' own regex matching ($mt) misses
        # matches whenever the next word starts with the phrase's first letter.
        if op == "mentions":
            key += "__mentions"
        if negated:
            # A known list holding none of the values: empty, or every item differs
            # ($iall never matches an empty list, hence the length test).
            none_match = {"$iall": {key: _and([{"$neq": {"$i": v}} for v in value])}}
            return _or([{key + "__n": 0}, none_match])
        return _or([{"$iany": {key: {"$i": v}}} for v in value])
    if op in ("before", "on_or_after"):
        less = (op == "before") != negated
        return {"$lt" if less else "$gte": {key: date_number(value)}}
    raise ValueError(f"unknown condition op {op!r}")  # the loader never lets one through


# Modes: what must be known of a condition for the compiled expression to match.
#   true      known to hold            false      known not to hold
#   not_true  not known to hold        not_false  not known to fail
# "not known" includes an absent field: an absent field means "not known yet".
_FLIP = {"true": "false", "false": "true", "not_true": "not_false", "not_false": "not_true"}


def _leaf(leaf: Leaf, mode: str) -> Any:
    if leaf.op in ("present", "absent"):  # never unknown
        return _literal(leaf, mode in ("false", "not_true"))
    if mode in ("true", "false"):
        return _literal(leaf, mode == "false")
    unknown = {"$nex": {fact_key(leaf.field): 1}}
    return _or([unknown, _literal(leaf, mode == "not_true")])


def compile_condition(cond: Condition, mode: str = "true") -> Any:
    """A condition AST -> a durable_rules expression (or the TRUE / FALSE sentinels)."""
    if isinstance(cond, Leaf):
        return _leaf(cond, mode)
    if isinstance(cond, Not):
        return compile_condition(cond.item, _FLIP[mode])
    if isinstance(cond, NotTrue):
        # Two-valued: holds exactly when the inner condition is not known to hold.
        inner = "not_true" if mode in ("true", "not_false") else "true"
        return compile_condition(cond.item, inner)
    parts = [compile_condition(c, mode) for c in cond.items]
    conjunction = isinstance(cond, All) == (mode in ("true", "not_false"))
    return _and(parts) if conjunction else _or(parts)


def _in_force(rule: Rule) -> list[Json]:
    window = rule.in_force
    if window is None:
        return []
    out: list[Json] = []
    if window.from_ is not None:
        out.append({"$gte": {"as_of": date_number(window.from_)}})
    if window.until is not None:
        out.append({"$lt": {"as_of": date_number(window.until)}})
    return out


MAX_GROUPS = 15  # durable_rules: at most 31 expressions per rule (MAX_SEQUENCE_EXPRESSIONS 32)


def rule_body(expr: Any) -> Json:
    """The pattern one rule matches: its condition, and the marker only scenario facts carry."""
    # The marker also matters because a rule whose only test is $nex loops forever.
    body: Json = _and([dict(_MARKER), expr])
    return dict(_NEVER) if body is FALSE else body


def rule_expression(rule: Rule) -> Json:
    """The pattern a rule matches: its condition within its in-force window."""
    return rule_body(_and(_in_force(rule) + [compile_condition(rule.when)]))


def _rule(run: str, body: Json) -> Json:
    return {"all": [{"m": body}], "run": run}


def size_problems(ruleset: Ruleset) -> list[Problem]:
    """The conditions too large for durable_rules once compiled (more than MAX_GROUPS all/any
    groups in one rule), each located where it was written. Rules pending commencement are
    checked too, so switching one on never breaks the engine."""
    problems: list[tuple[str, int, str, int, str | None]] = []

    def check(file: str, line: int, path: str, *bodies: Json, rule: str | None = None) -> None:
        groups = max(count_groups(body) for body in bodies)
        if groups > MAX_GROUPS:
            problems.append((file, line, path, groups, rule))

    # The agreement-points file: what its kinds, settlements and triggers compile to (each as
    # itself and as "may hold"), and each point's conditions.
    named: list[tuple[str, Sequence[ShareKind | Settlement | Trigger]]] = [
        ("share_kinds", ruleset.kinds), ("settlements", ruleset.settlements), ("high_risk_triggers", ruleset.triggers)]
    for key, items in named:
        for i, item in enumerate(items):
            check(item.file, item.lines.get("when", item.line), f"{key}[{i}].when",
                  rule_body(compile_condition(item.when)), rule_body(compile_condition(may_hold(item.when))))
    for i, point in enumerate(ruleset.points):
        for key, cond in (("applies_when", point.applies_when), ("urgency_keeps_when", point.urgency_keeps_when)):
            if cond is not None:
                check(point.file, point.lines.get(key, point.line), f"points[{i}].{key}",
                      rule_body(compile_condition(cond)))
    # The rules, numbered as in their file (ordered by line: the file's order).
    by_file: dict[str, list[Rule]] = {}
    for rule in ruleset.rules + ruleset.pending:
        by_file.setdefault(rule.file, []).append(rule)
    for file, rules in sorted(by_file.items()):
        for i, rule in enumerate(sorted(rules, key=lambda r: r.line)):
            check(file, rule.lines.get("when", rule.line), f"rules[{i}].when", rule_expression(rule), rule=rule.id)
    return [Problem(file, line or None, path, f"condition too complex for durable_rules: {groups} all/any groups "
                                              f"once compiled (at most {MAX_GROUPS}); split it into several rules",
                    rule=rule_id)
            for file, line, path, groups, rule_id in problems]


def compile_ruleset(ruleset: Ruleset) -> dict[str, Json]:
    """The durable_rules definition: {ruleset_name: {rule_name: rule}}, split into chunks.

    Names carry the ruleset hash, so a changed ruleset never collides with an old
    registration in the same process.
    """
    entries: list[tuple[str, Json]] = []
    for rule in ruleset.rules:
        entries.append((rule.key, _rule(rule.key, rule_expression(rule))))
    for rid, cond in ruleset.pseudo_rules():
        entries.append((rid, _rule(rid, rule_body(compile_condition(cond)))))
    out: dict[str, Json] = {}
    for start in range(0, max(len(entries), 1), MAX_RULES_PER_SET):
        chunk = dict(entries[start:start + MAX_RULES_PER_SET])
        # Lowest priority catch-all: every scenario fact is handled by some rule, so a scenario
        # that fires no real rule is told apart from a foreign fact (which fires nothing).
        chunk[CATCH_ALL] = {"all": [{"m": dict(_MARKER)}], "pri": 1000, "run": CATCH_ALL}
        out[f"isp_{ruleset.sha256[:16]}_{start // MAX_RULES_PER_SET}"] = chunk
    return out
