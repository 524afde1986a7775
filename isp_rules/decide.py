"""Verdict semantics (DESIGN.md): combine the rules that fired into a Decision.

1. deny: a deny rule fired. Whatever is agreed later, the share is unlawful on the
   stated facts; the remedy says what would change that.
2. needs-agreement: no deny, and an agreement point is still open.
3. allow: no deny and no open point. Protocol-default points are settled when both
   parties signed the protocol (or an agreement covering the purpose is in place).
4. urgency: when a ground rule that defers paperwork fires (safeguarding or an
   emergency with serious or imminent risk), paperwork points and unstated
   lawfulness points become obligations to complete after sharing. A lawfulness
   point opened by a stated defect stays open, and a deny is never deferred.
5. every decision carries the obligation to record it (a rule the loader requires).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Optional

from dataclasses import dataclass, fields, is_dataclass

from .compiler import point_rule_id
from .interpret import evaluate
from .ruleset import AgreementPoint, Citation, Rule, Ruleset, placeholders
from .scenario import Scenario, fact_key

__all__ = ["Decision", "Reason", "OpenPoint", "Obligation", "PointStatus", "RulesetInfo", "decide", "DISCLAIMER"]

DISCLAIMER = ("Not legal advice: isp-rules applies the partnership's rules to the facts you gave; "
              "check doubtful cases with your data protection officer.")
EFFECT_ORDER = {"deny": 0, "open": 1, "ground": 2, "advice": 3, "obligation": 4}


@dataclass(frozen=True)
class CitationOut:
    source: str
    ref: str
    note: Optional[str] = None


@dataclass(frozen=True)
class Reason:
    rule: str
    effect: str
    title: str
    message: str
    citations: list[CitationOut]
    remedy: Optional[str] = None


@dataclass(frozen=True)
class OpenPoint:
    id: str
    question: str
    likely_answers: list[str]
    why: str


@dataclass(frozen=True)
class Obligation:
    rule: str
    message: str
    citations: list[CitationOut]


@dataclass(frozen=True)
class PointStatus:
    """How one applicable agreement point stands: for the agreement draft."""

    id: str
    question: str
    status: str  # open | deferred | scenario | protocol | agreement | condition | settled
    detail: str  # why it is open, or how it is settled
    likely_answers: list[str]


@dataclass(frozen=True)
class RulesetInfo:
    name: str
    version: str
    sha256: str
    as_of: dt.date


def _plain(value: Any) -> Any:
    """Dataclasses -> JSON-ready values, leaving out fields that are None."""
    if is_dataclass(value):
        return {f.name: _plain(getattr(value, f.name)) for f in fields(value) if getattr(value, f.name) is not None}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Decision:
    """The answer for one scenario. Plain dataclasses: cheap to build at start-up."""

    scenario: Optional[str]
    verdict: str
    reasons: list[Reason]
    open_points: list[OpenPoint]
    obligations: list[Obligation]
    deferred: bool  # urgent: paperwork moved to after the share
    ruleset: RulesetInfo
    title: Optional[str] = None
    disclaimer: str = DISCLAIMER
    rule_keys: tuple[str, ...] = ()  # the rule versions that fired (not part of the JSON answer)
    points: tuple[PointStatus, ...] = ()  # every applicable agreement point (not part of the JSON answer)

    @property
    def fired(self) -> list[str]:
        return [r.rule for r in self.reasons] + [o.rule for o in self.obligations]

    def to_json(self) -> dict[str, Any]:
        data = _plain(self)
        data.setdefault("scenario", None)  # the spec's answer always names the scenario (null if unnamed)
        order = ["scenario", "title", "verdict", "reasons", "open_points", "obligations", "deferred", "ruleset", "disclaimer"]
        return {k: data[k] for k in order if k in data}


def _cites(citations: list[Citation]) -> list[CitationOut]:
    return [CitationOut(source=c.source, ref=c.ref, note=c.note) for c in citations]


def _words(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(_words(v) for v in value) or "none"
    return str(value).replace("_", " ")


def render_message(message: str, fact: dict[str, Any]) -> str:
    """Fill {share.x.y} placeholders with the scenario's values ('not stated' when absent)."""
    for name in placeholders(message):
        if name == "as_of":
            n = fact["as_of"]
            value = f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"
        else:
            key = fact_key(name)
            if key in fact:
                value = _words(fact[key])
            elif name in ("share.from.name", "share.to.name"):  # read naturally without a name
                side = "discloser" if name.startswith("share.from") else "recipient"
                kind = fact.get(fact_key(name.replace(".name", ".type")))
                value = f"the {side} ({_words(kind)})" if kind else f"the {side}"
            else:
                value = "not stated"
        message = message.replace("{" + name + "}", value)
    return message


def _reason(rule: Rule, fact: dict[str, Any]) -> Reason:
    return Reason(rule=rule.id, effect=rule.effect, title=rule.title, message=render_message(rule.message, fact),
                  citations=_cites(rule.citations), remedy=rule.remedy if rule.effect == "deny" else None)


def likely_answers(point: AgreementPoint, fact: dict[str, Any]) -> list[str]:
    """The answers that fit this scenario: an answer is hidden when its `unless` holds."""
    return [a.text for a in point.likely_answers if a.unless is None or evaluate(a.unless, fact) is not True]


def _point_status(point: AgreementPoint, fact: dict[str, Any], opened_by: dict[str, list[Rule]],
                  fired: set[str]) -> tuple[str, str]:
    """(status, detail): open with why, or how the point is settled."""
    if point.id in opened_by:
        return "open", "; ".join(render_message(r.message, fact) for r in opened_by[point.id])
    if point_rule_id(point.id, "settled_when") in fired:
        return "condition", "settled by the facts of this share (an Art 28 contract, or a disclosure the law requires)"
    missing = [f for f in point.settled_by if fact_key(f) not in fact]
    if missing:
        return "open", "not stated: " + ", ".join(missing)
    if point.settled_by:
        values = []
        for f in point.settled_by:
            value = fact[fact_key(f)]
            label = f.removeprefix("share.").replace(".", " ").replace("_", " ")
            values.append(f"{label}: {_words(value)}")
        return "scenario", "; ".join(values)
    if point.protocol_default:
        if fact.get("share__both_signatories") is True:
            return "protocol", "the protocol's standard (both parties are signatories)"
        if fact.get("share__governance__agreement") == "in_place" and fact.get("share__governance__agreement_covers_purpose") is True:
            return "agreement", "the data sharing agreement in place for this purpose"
        return "open", "not settled by the protocol (both parties must be signatories) or by an agreement covering this purpose"
    return "settled", "nothing in this share calls it into question"


def decide(ruleset: Ruleset, scenario: Scenario, fact: dict[str, Any], fired: set[str], as_of: dt.date) -> Decision:
    rules = [r for r in ruleset.rules if r.key in fired]
    # Stable sort: ruleset order within an effect, the deciding urgent ground first.
    rules.sort(key=lambda r: (EFFECT_ORDER[r.effect], not r.defers_paperwork))
    opened_by: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.effect == "open":
            for point in rule.points:
                opened_by.setdefault(point, []).append(rule)

    open_points, statuses = [], []
    for point in ruleset.points:
        # A point a fired rule opens is open even where it would not otherwise apply.
        applies = point.applies_when is None or point_rule_id(point.id) in fired or point.id in opened_by
        if not applies:
            continue
        status, detail = _point_status(point, fact, opened_by, fired)
        answers = likely_answers(point, fact)
        statuses.append(PointStatus(point.id, point.question, status, detail, answers))
        if status == "open":
            open_points.append(OpenPoint(id=point.id, question=point.question, likely_answers=answers, why=detail))

    reasons = [_reason(r, fact) for r in rules if r.effect != "obligation"]
    obligations = [Obligation(rule=r.id, message=render_message(r.message, fact), citations=_cites(r.citations))
                   for r in rules if r.effect == "obligation"]

    denied = any(r.effect == "deny" for r in rules)
    urgent = [r for r in rules if r.defers_paperwork] if not denied else []
    if urgent and open_points:
        # The law does not make these a precondition of an urgent safeguarding or
        # emergency share: complete the paperwork, and record the basis, afterwards.
        # A lawfulness point opened by a stated defect is not paperwork: it stays open.
        by, kept = urgent[0], []
        for op in open_points:
            point = ruleset.point(op.id)
            stated_defect = point.kind == "lawfulness" and any(not r.missing_fact for r in opened_by.get(op.id, []))
            if stated_defect:
                kept.append(op)
                continue
            likely = "; ".join(op.likely_answers)
            if point.kind == "lawfulness":
                text = f"Record after sharing: {point.question} Likely: {likely}."
            else:
                text = f"Complete after sharing: {point.question} Likely: {likely}."
            if op.id in opened_by:  # say what was found, not only what to do
                text += f" (Found: {op.why})"
            obligations.append(Obligation(rule=by.id, message=text, citations=_cites(by.citations + point.citations)))
        open_points = kept
        kept_ids = {op.id for op in kept}
        statuses = [s if s.status != "open" or s.id in kept_ids else PointStatus(s.id, s.question, "deferred", s.detail, s.likely_answers)
                    for s in statuses]
        # An open rule whose points were all deferred is no longer a reason the share waits.
        still_open = {op.id for op in open_points}
        reasons = [_reason(r, fact) for r in rules if r.effect != "obligation"
                   and (r.effect != "open" or any(p in still_open for p in r.points))]

    if denied:
        verdict = "deny"
    elif open_points:
        verdict = "needs-agreement"
    else:
        verdict = "allow"
    return Decision(
        scenario=scenario.id, title=scenario.title, verdict=verdict, reasons=reasons,
        open_points=open_points, obligations=obligations, deferred=bool(urgent),
        rule_keys=tuple(r.key for r in rules), points=tuple(statuses),
        ruleset=RulesetInfo(name=ruleset.name, version=ruleset.version, sha256=ruleset.sha256, as_of=as_of),
    )
