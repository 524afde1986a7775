"""Verdict semantics (DESIGN.md): combine what fired into a Decision.

1. deny: a deny rule fired. Whatever is agreed later, the share is unlawful on the
   stated facts; the remedy says what would change that.
2. needs-agreement: no deny, and an agreement point is still open.
3. allow: no deny and no open point.
4. Which points apply, what settles them and what urgency may defer are data in the
   agreement-points file (share kinds, settlements, triggers, each point's applies_to,
   obligation_for, settled_by, settled_if and urgency), fired as pseudo-rules by the
   engine. This module holds no point id, share kind or settlement: it reads them from
   the Ruleset (tests/test_partnership.py replaces the file). The few fields it names are
   for wording only: a party without a name, and the power a catalogue match is sought for.
5. urgency: when a ground rule that defers paperwork fires, every point open only
   because a fact is not known becomes an obligation to complete or record after
   sharing; a stated defect keeps its point open and the point names the stated facts.
   What a deferred point becomes follows from its kind (the data's vocabulary):
   lawfulness -> record after sharing; paperwork, legal_requirement -> complete after
   sharing; protocol_standard -> its standard.
6. every decision carries the obligation to record it (a rule the loader requires).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from dataclasses import replace
from typing import Any

from .decision import (
    CitationOut,
    Decision,
    Obligation,
    ObligationKind,
    OpenPoint,
    PointStatus,
    Reason,
    RulesetInfo,
    Status,
    Verdict,
)
from .facts import SOURCES, fact_key
from .interpret import evaluate, settled_value, stated_support
from .labels import label, message_words, value_words
from .ruleset import (
    AgreementPoint,
    Answer,
    Citation,
    Condition,
    ReasonEffect,
    Rule,
    Ruleset,
    condition_fields,
    leaves,
    pseudo_rule_id,
)
from .scenario import Scenario

__all__ = ["decide"]

EFFECT_ORDER = {"deny": 0, "open": 1, "ground": 2, "advice": 3, "obligation": 4}
POWER_RECOGNISED = "share.basis.power_recognised"


def _signature(fact: dict[str, Any], keys: tuple[str, ...]) -> tuple[Any, ...]:
    """The values a fact holds under these keys, each with its type (True and 1 are equal in
    Python, not to the rules), absent ones marked: what a condition on those keys depends on."""
    get = fact.get
    out = []
    for key in keys:
        value = get(key, _ABSENT)
        out.append((type(value), tuple(value) if isinstance(value, list) else value))
    return tuple(out)


def _remember(memo: dict[Any, Any], limit: int, key: Any, compute: Any) -> Any:
    """memo[key], computed on first use; cleared when full (bounded, for a long-running server).
    A key that cannot be hashed (a fact built by hand with nested values) is simply computed."""
    try:
        found = memo.get(key)
    except TypeError:
        return compute()
    if found is None:
        if len(memo) >= limit:
            memo.clear()
        found = memo[key] = compute()
    return found


_ABSENT = object()


class _PointPlan:
    """What decide needs of one agreement point, read from the ruleset once."""

    __slots__ = ("always", "answer_keys", "answer_memo", "answers", "applies", "keep", "point", "settled_keys", "settles",
                 "settles_when")

    def __init__(self, point: AgreementPoint, ruleset: Ruleset) -> None:
        self.point = point
        self.answers = tuple(point.likely_answers)
        # The fact keys the answers' `unless` conditions read: which answers fit depends on
        # those values alone, so it is worked out once for each combination met.
        self.answer_keys = tuple(sorted({fact_key(f) for a in self.answers if a.unless is not None
                                         for f in condition_fields(a.unless)}))
        self.answer_memo: dict[tuple[Any, ...], tuple[str, ...]] = {}
        # Answers without an `unless` always fit: with none (and none kept for when nothing else
        # fits), the list never changes.
        self.always = (None if any(a.unless is not None or a.otherwise for a in self.answers)
                       else tuple(a.text for a in self.answers))
        self.applies = pseudo_rule_id("point", point.id)
        self.keep = pseudo_rule_id("keep", point.id)
        # (settlement, the id it fires under, the id it may hold under)
        self.settles = tuple((ruleset.settlement(sid), pseudo_rule_id("settle", sid), pseudo_rule_id("settle", sid, maybe=True))
                             for sid in point.settled_if)
        self.settles_when = tuple(x.says for x, _, _ in self.settles)
        self.settled_keys = tuple((f, fact_key(f)) for f in point.settled_by)

    def fitting(self, fact: dict[str, Any]) -> list[str]:
        """The texts of the answers that fit this fact (fitting_answers, remembered)."""
        if self.always is not None:
            return list(self.always)

        def compute() -> tuple[str, ...]:
            return tuple(a.text for a in _fit(self.answers, fact))
        return list(_remember(self.answer_memo, 4096, _signature(fact, self.answer_keys), compute))


class _Plan:
    """Everything decide reads from a ruleset that does not depend on the share: rule keys in
    the order reasons are given, the pseudo-rule ids, each condition's fields, each point's
    answers. Built once per ruleset (plan), so deciding does no per-rule work for rules that
    did not fire."""

    __slots__ = ("cited", "close", "fields", "kind_of", "kinds", "points", "reads_power", "rules", "ruleset", "triggers")

    def __init__(self, ruleset: Ruleset) -> None:
        self.ruleset = ruleset
        # Stable: ruleset order within an effect, the deciding urgent ground first.
        order = sorted(range(len(ruleset.rules)),
                       key=lambda i: (EFFECT_ORDER[ruleset.rules[i].effect], not ruleset.rules[i].defers_paperwork))
        self.rules = {ruleset.rules[i].key: (rank, ruleset.rules[i]) for rank, i in enumerate(order)}
        self.kinds = tuple((k, pseudo_rule_id("kind", k.id), pseudo_rule_id("kind", k.id, maybe=True))
                           for k in ruleset.kinds)
        self.triggers = tuple((t, pseudo_rule_id("trigger", t.id), pseudo_rule_id("trigger", t.id, maybe=True))
                              for t in ruleset.triggers)
        self.points = tuple(_PointPlan(p, ruleset) for p in ruleset.points)
        self.kind_of = {k.id: k for k in ruleset.kinds}
        # Conditions' fields, sorted, by the condition's identity, filled as they are asked for
        # (the ruleset holds every condition asked about, so an identity is never reused).
        self.fields: dict[int, tuple[Condition, list[str]]] = {}
        self.reads_power: dict[str, bool] = {}  # rule key -> whether its condition reads POWER_RECOGNISED
        self.close: dict[str, list[str]] = {}  # power named -> the catalogue's close matches (difflib: slow)
        self.cited: dict[int, tuple[list[Citation], tuple[CitationOut, ...]]] = {}

    def close_matches(self, text: str) -> list[str]:
        found = self.close.get(text)
        if found is None:
            if len(self.close) >= 1024:
                self.close.clear()
            found = self.close[text] = self.ruleset.power_suggestions(text)
        return list(found)

    def cites(self, citations: list[Citation]) -> list[CitationOut]:
        """_cites, made once for each list of citations the ruleset holds (CitationOut is frozen)."""
        found = self.cited.get(id(citations))
        if found is None or found[0] is not citations:
            if len(self.cited) >= 4096:
                self.cited.clear()
            found = self.cited[id(citations)] = (citations, tuple(_cites(citations)))
        return list(found[1])

    def condition_fields(self, cond: Condition) -> list[str]:
        found = self.fields.get(id(cond))
        if found is None or found[0] is not cond:
            if len(self.fields) >= 8192:
                self.fields.clear()
            found = self.fields[id(cond)] = (cond, sorted(condition_fields(cond)))
        return found[1]


_PLANS: dict[int, _Plan] = {}


def plan(ruleset: Ruleset) -> _Plan:
    """The ruleset's plan, made on first use. Kept by the ruleset's identity (the plan holds the
    ruleset, so the identity is never reused while the plan is kept), for a few rulesets at most:
    a ruleset changed in memory keeps its sha256 but is another object, with a plan of its own."""
    found = _PLANS.get(id(ruleset))
    if found is None or found.ruleset is not ruleset:
        if len(_PLANS) >= 8:
            _PLANS.clear()
        found = _PLANS[id(ruleset)] = _Plan(ruleset)
    return found


def _cites(citations: list[Citation]) -> list[CitationOut]:
    return [CitationOut(source=c.source, ref=c.ref, note=c.note) for c in citations]


def render_message(message: str, fact: dict[str, Any]) -> str:
    """Fill {share.x.y} placeholders with the scenario's values ('not stated' when absent).

    In one pass over the rule's own text: a value is never read for placeholders again, so a
    party named "{share.to.name}" is printed as written and cannot put other words in a reason.
    Remembered per message and the values it reads (a message with no placeholder is itself)."""
    keys = _remember(_MESSAGE_KEYS, 4096, message, lambda: _placeholder_keys(message))
    if not keys:
        return message
    return str(_remember(_MESSAGES, 8192, (message, _signature(fact, keys)),
                         lambda: _PLACEHOLDER.sub(lambda found: _placeholder_value(found.group(1), fact), message)))


def _placeholder_keys(message: str) -> tuple[str, ...]:
    """The fact keys _placeholder_value reads for a message's placeholders."""
    keys: list[str] = []
    for name in _PLACEHOLDER.findall(message):
        keys.append("as_of" if name == "as_of" else fact_key(name))
        if name in ("share.from.name", "share.to.name"):
            keys.append(fact_key(name.replace(".name", ".type")))
    return tuple(dict.fromkeys(keys))


_MESSAGE_KEYS: dict[str, tuple[str, ...]] = {}
_MESSAGES: dict[tuple[Any, ...], str] = {}


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")  # the blanks ruleset.placeholders finds


def _placeholder_value(name: str, fact: dict[str, Any]) -> str:
    if name == "as_of":
        n = fact["as_of"]
        return f"{n // 10000:04d}-{n // 100 % 100:02d}-{n % 100:02d}"
    key = fact_key(name)
    if key in fact:
        return message_words(name, fact[key])
    if name in ("share.from.name", "share.to.name"):  # read naturally without a name
        side = "discloser" if name.startswith("share.from") else "recipient"
        kind_path = name.replace(".name", ".type")
        kind = fact.get(fact_key(kind_path))
        return f"the {side} ({message_words(kind_path, kind)})" if kind else f"the {side}"
    return "not stated"


def power_suggestions(rule: Rule, ruleset: Ruleset, fact: dict[str, Any]) -> list[str] | None:
    """For a rule that fired on a power the catalogue does not recognise: the catalogue's close
    matches for the power named (None for any other rule)."""
    if fact.get(fact_key(POWER_RECOGNISED)) is not False or not _reads_power(rule, ruleset):
        return None
    return plan(ruleset).close_matches(str(fact.get(fact_key("share.basis.legal_power"), "")))


def _reads_power(rule: Rule, ruleset: Ruleset) -> bool:
    pl = plan(ruleset)
    found = pl.rules.get(rule.key)
    if found is None or found[1] is not rule:  # a rule from elsewhere
        return POWER_RECOGNISED in condition_fields(rule.when)
    reads = pl.reads_power.get(rule.key)
    if reads is None:
        reads = pl.reads_power[rule.key] = POWER_RECOGNISED in pl.condition_fields(rule.when)
    return reads


def rule_text(rule: Rule, ruleset: Ruleset, fact: dict[str, Any]) -> str:
    """The rule's message for this share, with the close matches in plain words where it has them."""
    text = render_message(rule.message, fact)
    close = power_suggestions(rule, ruleset, fact)
    if close is not None:
        text = text.rstrip() + (f" Close matches in the catalogue: {'; '.join(close)}." if close
                                else " Nothing in the catalogue comes close.")
    return text


def _effect(rule: Rule) -> ReasonEffect:
    if rule.effect == "obligation":  # an obligation rule is an Obligation, never a reason
        raise ValueError(f"{rule.id} is an obligation, not a reason")
    return rule.effect


def _reason(rule: Rule, fact: dict[str, Any], ruleset: Ruleset | None = None) -> Reason:
    close = power_suggestions(rule, ruleset, fact) if ruleset is not None else None
    message = rule_text(rule, ruleset, fact) if ruleset is not None else render_message(rule.message, fact)
    return Reason(rule=rule.id, effect=_effect(rule), title=rule.title, message=message,
                  citations=plan(ruleset).cites(rule.citations) if ruleset is not None else _cites(rule.citations),
                  remedy=rule.remedy if rule.effect == "deny" else None,
                  suggestions=close)


def likely_answers(point: AgreementPoint, fact: dict[str, Any]) -> list[str]:
    """The answers that fit this scenario: an answer is hidden when its `unless` holds."""
    return [a.text for a in fitting_answers(point, fact)]


def fitting_answers(point: AgreementPoint, fact: dict[str, Any]) -> list[Answer]:
    return _fit(point.likely_answers, fact)


def _fit(answers: Iterable[Answer], fact: dict[str, Any]) -> list[Answer]:
    """The answers whose `unless` does not hold; those kept for when nothing else fits, only then."""
    fits = [a for a in answers if a.unless is None or evaluate(a.unless, fact) is not True]
    return [a for a in fits if not a.otherwise] or [a for a in fits if a.otherwise]


def _facts(paths: Iterable[str]) -> str:
    return ", ".join(label(p) for p in paths)


def _stated(paths: Iterable[str], fact: dict[str, Any]) -> str:
    """The stated facts among these fields, in plain words (remembered per fields and values)."""
    paths = tuple(paths)
    keys = _remember(_STATED_KEYS, 4096, paths, lambda: tuple(fact_key(p) for p in paths))

    def compute() -> str:
        return "; ".join(f"{label(p)}: {value_words(p, fact[k])}" for p, k in zip(paths, keys, strict=True)
                         if k in fact)
    return str(_remember(_STATED, 8192, (paths, _signature(fact, keys)), compute))


_STATED_KEYS: dict[tuple[str, ...], tuple[str, ...]] = {}
_STATED: dict[tuple[Any, ...], str] = {}


def _absent(conds: Iterable[Condition], fact: dict[str, Any], pl: _Plan | None = None) -> list[str]:
    """Unknown facts the conditions read: stating them could change the outcome. A computed
    fact is named by the unknown scenario fields it comes from."""
    out: list[str] = []
    for cond in conds:
        for f in (pl.condition_fields(cond) if pl is not None else sorted(condition_fields(cond))):
            if fact_key(f) in fact:
                continue
            sources = [x for x in SOURCES.get(f, [f]) if x != f or f not in SOURCES]
            out += [x for x in sources if fact_key(x) not in fact] or [f]
    return list(dict.fromkeys(out))


def _sentences(texts: Iterable[str]) -> str:
    """Messages one after another, each a whole sentence (not "urgent).; Sensitive...")."""
    return " ".join(t if t.endswith((".", "!", "?")) else t + "." for t in (t.strip() for t in texts) if t)


def _status(pp: _PointPlan, pl: _Plan, fact: dict[str, Any], fired: set[str],
            opened_by: dict[str, list[Rule]], kinds: set[str], maybe: set[str]) -> PointStatus:
    """How one point stands, read from the agreement-points data and what fired."""
    point, ruleset = pp.point, pl.ruleset
    answers = pp.fitting(fact)

    def make(status: Status, detail: str, **kw: Any) -> PointStatus:
        return PointStatus(point.id, point.question, status, detail, answers, point.kind, standard=point.standard,
                           settles_when=pp.settles_when, **kw)

    excluded = [k for k in point.except_for if k in kinds]
    opened = opened_by.get(point.id)
    if opened and not excluded:
        # Open because a stated fact is wrong, or only because one is not known yet: the
        # difference decides what urgency may defer.
        # A rule marked missing_fact opens its point because something needed is not yet
        # established (a power the catalogue does not recognise, say), not because a stated
        # fact makes the share wrong: urgency may defer it like an unknown fact.
        stated = [r for r in opened if settled_value(r.when, fact) is True and not r.missing_fact]
        support = [f for r in stated for f in stated_support(r.when, fact)]
        waits = [] if stated else _absent([r.when for r in opened], fact, pl)
        if not stated and not waits:
            waits = [leaf.field for r in opened for leaf in leaves(r.when) if leaf.op == "present"] \
                or sorted({f for r in opened for f in pl.condition_fields(r.when)})
        return make("open", _sentences(rule_text(r, ruleset, fact) for r in opened),
                    waits_for=tuple(waits), held_by=tuple(dict.fromkeys(support)), rules=tuple(r.id for r in opened))
    if point.applies_when is not None and pp.applies not in fired:
        return make("not_applicable", "does not arise for this share")
    if point.high_risk and not any(maybe_id in fired for _, _, maybe_id in pl.triggers):
        return make("not_applicable", "the processing is not likely to be high risk (no high-risk sign holds)")
    if excluded:
        return make("not_applicable", f"not needed for {pl.kind_of[excluded[0]].says}")
    as_duty = [k for k in point.obligation_for if k in kinds]
    if as_duty:
        return make("obligation", f"for {pl.kind_of[as_duty[0]].says}, the discloser's obligation: {point.standard}")
    if point.applies_to and not any(k in maybe for k in point.applies_to):
        return make("not_applicable", "needed only for " + " or ".join(pl.kind_of[k].says for k in point.applies_to))
    for settlement, settle_id, _ in pp.settles:
        if settle_id in fired:
            return make("settled", settlement.says, settled_by=settlement.id)
    missing = [f for f, key in pp.settled_keys if key not in fact]
    if point.settled_by and not missing:
        return make("scenario", _stated(point.settled_by, fact), settled_by="scenario")
    if not point.settled_by and not point.settled_if:
        return make("settled", "nothing in this share calls it into question")
    waits = list(missing)
    if point.applies_to and not any(k in kinds for k in point.applies_to):
        waits += _absent([pl.kind_of[k].when for k in point.applies_to], fact, pl)  # which kind of share this is
    settles = [x for x, _, _ in pp.settles]
    waits += _absent([x.when for x, _, maybe_id in pp.settles if maybe_id in fired], fact, pl)
    if point.high_risk and not any(trigger_id in fired for _, trigger_id, _ in pl.triggers):
        # whether it is high risk at all is still unknown
        waits += _absent([t.when for t, trigger_id, maybe_id in pl.triggers
                          if trigger_id not in fired and maybe_id in fired], fact, pl)
    waits = list(dict.fromkeys(waits))
    if settles:
        detail = "not settled: it needs " + " or ".join(x.says for x in settles)
        if waits:
            detail += f" (not known yet: {_facts(waits)})"
    else:
        detail = f"not known yet: {_facts(waits)}"
    held: tuple[str, ...] = ()
    if not waits:  # every fact that could settle it is stated, and none does
        held = tuple(dict.fromkeys(f for x in settles for f in stated_support(x.when, fact, want=False)))
    return make("open", detail, waits_for=tuple(waits), held_by=held)


def _deferred_obligation(point: AgreementPoint, st: PointStatus, by: Rule, fact: dict[str, Any]) -> Obligation:
    likely = "; ".join(st.likely_answers)
    kind: ObligationKind
    if point.kind == "protocol_standard" and point.standard:
        text, kind = point.standard, "standard"
    elif point.kind == "lawfulness":
        text, kind = f"Record after sharing: {point.question} Likely: {likely}.", "record_after"
    elif point.kind == "legal_requirement":
        text, kind = (f"Complete after sharing (a legal requirement, not only good practice): {point.question} "
                      f"Likely: {likely}."), "complete_after"
    else:
        text, kind = f"Complete after sharing: {point.question} Likely: {likely}.", "complete_after"
    if st.rules:  # say what was found, not only what to do
        text += f" (Found: {st.detail})"
    return Obligation(rule=by.id, message=text, citations=_cites(by.citations + point.citations), kind=kind,
                      point=point.id, found_by=list(st.rules) or None)


def decide(ruleset: Ruleset, scenario: Scenario, fact: dict[str, Any], fired: set[str], as_of: dt.date) -> Decision:
    pl = plan(ruleset)
    # Ruleset order within an effect, the deciding urgent ground first (the plan's order).
    rules = [rule for _, rule in sorted(pl.rules[key] for key in fired if key in pl.rules)]
    opened_by: dict[str, list[Rule]] = {}
    for rule in rules:
        if rule.effect == "open":
            for point_id in rule.points:
                opened_by.setdefault(point_id, []).append(rule)
    kinds = {k.id for k, kind_id, _ in pl.kinds if kind_id in fired}
    maybe = {k.id for k, _, maybe_id in pl.kinds if maybe_id in fired}
    denied = any(r.effect == "deny" for r in rules)
    urgent = [r for r in rules if r.defers_paperwork] if not denied else []

    statuses: list[PointStatus] = []
    standards: list[Obligation] = []
    deferred: list[Obligation] = []
    for pp in pl.points:
        point = pp.point
        st = _status(pp, pl, fact, fired, opened_by, kinds, maybe)
        if st.status == "obligation" and point.standard:
            standards.append(Obligation(rule=pp.applies, message=point.standard,
                                        citations=pl.cites(point.citations), kind="standard", point=point.id))
        if st.status == "open" and urgent:
            # Paperwork waits, the law does not: a point open only because a fact is not known
            # is done after an urgent share; a stated defect, or a standing relationship the
            # point protects, keeps it open (DESIGN.md, verdict semantics 5).
            keeps = point.urgency == "keep" or pp.keep in fired
            unknown_only = bool(st.waits_for) and not st.held_by
            if not keeps and (point.urgency == "defer_always" or unknown_only):
                deferred.append(_deferred_obligation(point, st, urgent[0], fact))
                st = replace(st, status="deferred")
            else:
                kept = list(st.held_by)
                if keeps and point.urgency_keeps_when is not None:
                    kept = stated_support(point.urgency_keeps_when, fact) + kept
                kept = list(dict.fromkeys(kept))
                st = replace(st, held_by=tuple(kept), detail=st.detail.rstrip(".") + (
                    f". It stays open although the share is urgent, because of what is stated: {_stated(kept, fact)}"
                    if kept else ". It stays open although the share is urgent"))
        statuses.append(st)

    def close_matches(st: PointStatus) -> list[str] | None:
        found = [f for f in (power_suggestions(ruleset.rule(r.key), ruleset, fact) for r in opened_by.get(st.id, []))
                 if f is not None]
        return list(dict.fromkeys(x for f in found for x in f)) if found else None

    open_points = [OpenPoint(id=s.id, question=s.question, likely_answers=s.likely_answers, why=s.detail,
                             kind=s.kind, help=ruleset.point(s.id).help, waits_for=list(s.waits_for),
                             held_by=list(s.held_by), rules=list(s.rules), citations=pl.cites(ruleset.point(s.id).citations),
                             suggestions=close_matches(s))
                   for s in statuses if s.status == "open"]
    still_open = {op.id for op in open_points}
    # An open rule whose points were all deferred is no longer a reason the share waits, nor is one
    # whose points do not apply to this kind of share (anonymised data and the agreement point).
    reasons = [_reason(r, fact, ruleset) for r in rules if r.effect != "obligation"
               and (r.effect != "open" or any(p in still_open for p in r.points))]
    obligations = [Obligation(rule=r.id, message=render_message(r.message, fact), citations=pl.cites(r.citations))
                   for r in rules if r.effect == "obligation"] + standards + deferred

    verdict: Verdict
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
        share_kinds=[k.id for k, _, _ in pl.kinds if k.id in kinds],
        share_now=bool(urgent) and verdict == "allow", urgent_by=urgent[0].id if urgent else None,
        ruleset=RulesetInfo(name=ruleset.name, version=ruleset.version, sha256=ruleset.sha256, as_of=as_of),
    )
