"""A pure-Python evaluator of the same condition trees: the oracle for the durable_rules path,
and the source of explanations ("which leaf held?") and "what is still missing".

Three-valued (Kleene) logic: a test on an absent field is *unknown*, not false,
because an absent field means "not known yet". A rule fires only when its
condition is known to be true.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .facts import date_number, fact_key, words
from .ruleset import All, Any_, Condition, Leaf, Not, NotTrue, Ruleset, describe_node

__all__ = ["Explanation", "evaluate", "explain_condition", "fired_rules", "missing_fields"]


def _leaf(leaf: Leaf, fact: dict[str, Any]) -> bool | None:
    key = fact_key(leaf.field)
    if leaf.op == "present":
        return key in fact
    if leaf.op == "absent":
        return key not in fact
    if key not in fact:
        return None
    actual = fact[key]
    if leaf.op == "equals":
        return bool(actual == leaf.value and type(actual) is type(leaf.value))
    if leaf.op == "in":
        return bool(actual in leaf.value)
    if leaf.op == "contains_any":
        return any(v in actual for v in leaf.value)
    if leaf.op == "mentions":  # straight from the text: an independent check of the fact's list
        text = words(actual)
        return any(all(f" {part} " in text for part in p.split(" + ")) for p in leaf.value)
    if leaf.op == "before":
        return bool(actual < date_number(leaf.value))
    if leaf.op == "on_or_after":
        return bool(actual >= date_number(leaf.value))
    raise ValueError(f"unknown condition op {leaf.op!r}")


def evaluate(cond: Condition, fact: dict[str, Any]) -> bool | None:
    """True, False, or None for unknown."""
    if isinstance(cond, Leaf):
        return _leaf(cond, fact)
    if isinstance(cond, Not):
        inner = evaluate(cond.item, fact)
        return None if inner is None else not inner
    if isinstance(cond, NotTrue):
        return evaluate(cond.item, fact) is not True
    return _group(cond, [evaluate(c, fact) for c in cond.items])


def _group(cond: All | Any_, values: list[bool | None]) -> bool | None:
    """Kleene all / any: one false (true) decides, else one unknown leaves it unknown."""
    if isinstance(cond, All):
        return False if False in values else (None if None in values else True)
    return True if True in values else (None if None in values else False)


def _day(number: int) -> dt.date:
    """The date of a fact's day number (the inverse of date_number: 20260205 -> 2026-02-05)."""
    return dt.date(number // 10000, number // 100 % 100, number % 100)


def fired_rules(ruleset: Ruleset, fact: dict[str, Any]) -> set[str]:
    """The rule keys (and agreement-point pseudo-rules) that fire: what the engine returns."""
    day = _day(fact["as_of"])
    out = set()
    for rule in ruleset.rules:
        if rule.in_force_on(day) and evaluate(rule.when, fact) is True:
            out.add(rule.key)
    for rid, cond in ruleset.pseudo_rules():
        if evaluate(cond, fact) is True:
            out.add(rid)
    return out


@dataclass(frozen=True)
class Explanation:
    """One node of a condition tree with its value on a fact. `text` is the node in words
    (ruleset.describe_node); `leaf` is the test itself, for a leaf."""

    text: str
    value: bool | None
    children: tuple[Explanation, ...] = ()
    leaf: Leaf | None = None


def explain_condition(cond: Condition, fact: dict[str, Any]) -> Explanation:
    text = describe_node(cond)
    if isinstance(cond, Leaf):
        return Explanation(text, _leaf(cond, fact), leaf=cond)
    if isinstance(cond, Not):
        inner = explain_condition(cond.item, fact)
        return Explanation(text, None if inner.value is None else not inner.value, (inner,))
    if isinstance(cond, NotTrue):
        inner = explain_condition(cond.item, fact)
        return Explanation(text, inner.value is not True, (inner,))
    kids = tuple(explain_condition(c, fact) for c in cond.items)
    return Explanation(text, evaluate(cond, fact), kids)


def missing_fields(conds: Iterable[Condition], fact: dict[str, Any]) -> set[str]:
    """Fields whose absence leaves some of these conditions unknown: those in a part of the
    condition an answer could still change (not one already decided by what is stated, such as
    the other tests of an `all` one stated fact makes false)."""
    out: set[str] = set()

    def walk(cond: Condition) -> None:
        if settled_value(cond, fact) is not None:
            return
        if isinstance(cond, Leaf):
            if _leaf(cond, fact) is None:
                out.add(cond.field)
        elif isinstance(cond, (Not, NotTrue)):
            walk(cond.item)
        else:
            for item in cond.items:
                walk(item)

    for cond in conds:
        if evaluate(cond, fact) is None:
            walk(cond)
    return out


def settled_value(cond: Condition, fact: dict[str, Any]) -> bool | None:
    """The value the condition keeps whatever is stated later: True or False when no answer to
    an unknown field could change it, None when one could. Stricter than evaluate(): a test of
    presence or absence, and "not known to hold", are unknown while their field is absent."""
    if isinstance(cond, Leaf):
        if fact_key(cond.field) not in fact:
            return None
        return _leaf(cond, fact)
    if isinstance(cond, Not):
        inner = settled_value(cond.item, fact)
        return None if inner is None else not inner
    if isinstance(cond, NotTrue):
        inner = settled_value(cond.item, fact)
        return None if inner is None else not inner
    return _group(cond, [settled_value(c, fact) for c in cond.items])


def stated_support(cond: Condition, fact: dict[str, Any], want: bool = True) -> list[str]:
    """The stated fields that make a condition come out `want`: the facts to name when a stated
    fact keeps a point open. In the condition's own order, without repeats."""
    out: list[str] = []

    def walk(c: Condition, goal: bool) -> None:
        if isinstance(c, Leaf):
            if fact_key(c.field) in fact and c.op not in ("present", "absent") and _leaf(c, fact) is goal:
                out.append(c.field)
            return
        if isinstance(c, Not):
            walk(c.item, not goal)
            return
        if isinstance(c, NotTrue):
            if goal:
                walk(c.item, False)
            return
        kids = [k for k in c.items if evaluate(k, fact) is goal]
        needs_all = isinstance(c, All) == goal  # all true, or any false: every child counts
        for k in kids if needs_all else kids[:1]:
            walk(k, goal)

    walk(cond, want)
    return list(dict.fromkeys(out))
