"""DPIA screening for one share, and a DPIA outline filled in from it (issue 16, point 5).

A DPIA is required before processing that is likely to result in a high risk to people (UK GDPR
Art 35(1)); Art 35(3) names three kinds that always are, and the ICO publishes a list of more
under Art 35(4). The screening answers the ICO's checklist questions from the scenario's facts
where the facts settle them ("yes" or "no", with the facts that settle it) and leaves a box to
tick where they do not; names the high-risk signs that fired, from the agreement-points file's
triggers and from the rules that opened the DPIA point; and says whether a DPIA is required,
likely needed or not indicated, always in step with the decision: a decision that opens the DPIA
point is never screened as "not needed", and one that finds the point does not arise says so.

The questions are data (rulesets/dpia/screening.yaml, beside the rules but not part of them),
answered by the same high-risk signs the decision uses or by conditions in the rules' own
language. The outline follows the ICO's sample DPIA template: describe the processing, consult,
necessity and proportionality, risks, measures, sign-off. Both are one `Document`, written as
Markdown or Word by the agreement draft's writers.
"""

from __future__ import annotations

import datetime as dt
import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from .agreement import (
    BLANK,
    Clause,
    Document,
    Item,
    Section,
    Signature,
    cite,
    completed,
    document_markdown,
    matching_ruleset,
    party_names,
    signatures,
    write_document_docx,
)
from .decision import Decision, PointStatus
from .errors import Problem, RulesetError
from .facts import fact_key
from .interpret import evaluate, missing_fields, stated_support
from .labels import condition_template, condition_value, label, value_words, yes_no
from .ruleset import Citation, Condition, Ruleset, condition_fields, parse_condition
from .scenario import Scenario
from .settings import bundled_rules_dir

__all__ = [
    "CHECKLIST_FILE",
    "Answer",
    "Checklist",
    "Question",
    "Screening",
    "Sign",
    "build_dpia",
    "dpia_markdown",
    "load_checklist",
    "screen",
    "write_dpia_docx",
]

CHECKLIST_FILE = Path("dpia") / "screening.yaml"  # beside the rules; the bundled one when a partnership has none

Need = Literal["required", "likely", "not_known", "not_indicated"]
Said = Literal["yes", "no", "unknown"]
# law: UK GDPR Art 35(3) always requires a DPIA; ico: the ICO's list (Art 35(4)), for which the ICO
# requires one; consider: the European criteria, two or more of which usually mean one is needed.
Group = Literal["law", "ico", "consider"]
GROUPS: tuple[Group, ...] = ("law", "ico", "consider")
QUESTION_KEYS = frozenset({"id", "group", "asks", "help", "trigger", "when", "rules_out_only", "citations", "checked"})


# --- the checklist (data) ---------------------------------------------------------------


@dataclass(frozen=True)
class Question:
    id: str  # JSON only
    group: Group
    asks: str
    help: str
    trigger: str | None  # a high-risk sign of the agreement-points file that answers it
    when: Condition | None  # else a condition that answers it
    rules_out_only: bool  # the facts can answer "no" but never "yes"
    citations: tuple[Citation, ...]
    checked: str


@dataclass(frozen=True)
class Checklist:
    questions: tuple[Question, ...]
    outline_citations: tuple[Citation, ...]
    file: str


def checklist_path(rules_dir: str | Path | None) -> Path:
    """The partnership's checklist beside its rules, else the bundled one."""
    if rules_dir:
        own = Path(rules_dir) / CHECKLIST_FILE
        if own.is_file():
            return own
    return bundled_rules_dir() / CHECKLIST_FILE


@functools.lru_cache(maxsize=8)
def _load(path: str, stamp: float) -> Checklist:
    from .yamlfile import read_yaml

    doc = read_yaml(path)
    problems: list[Problem] = []

    def report(where: tuple[str | int, ...], message: str) -> None:
        from .errors import format_path

        problems.append(Problem(doc.name, doc.line(where), format_path(where), message))

    data = doc.data if isinstance(doc.data, dict) else {}
    if not isinstance(doc.data, dict) or not isinstance(data.get("questions"), list) or not data["questions"]:
        report((), "expected a mapping with a non-empty list of questions")
        raise RulesetError(problems)
    questions: list[Question] = []
    seen: set[str] = set()
    for i, raw in enumerate(data["questions"]):
        at: tuple[str | int, ...] = ("questions", i)
        if not isinstance(raw, dict):
            report(at, "expected a question: id, group, asks, citations, checked")
            continue
        for key in sorted(set(raw) - QUESTION_KEYS, key=str):
            report(at + (str(key),), f"unknown key {key!r}")
        qid, group, asks = raw.get("id"), raw.get("group"), raw.get("asks")
        if not isinstance(qid, str) or not qid or qid in seen:
            report(at + ("id",), "expected a unique id")
        if group not in GROUPS:
            report(at + ("group",), f"expected one of {', '.join(GROUPS)}")
        if not isinstance(asks, str) or not asks.strip():
            report(at + ("asks",), "expected the question in words")
        if not isinstance(raw.get("checked"), str):
            report(at + ("checked",), "say what the wording was checked against")
        cites: list[Citation] = []
        for j, c in enumerate(raw.get("citations") or []):
            try:
                cites.append(Citation.model_validate(c))
            except ValueError:
                report(at + ("citations", j), "expected a citation: source and ref")
        if not cites:
            report(at + ("citations",), "at least one citation is needed")
        when = None
        if raw.get("when") is not None:
            when = parse_condition(raw["when"], at + ("when",), report)
        trigger = raw.get("trigger")
        if trigger is not None and not isinstance(trigger, str):
            report(at + ("trigger",), "expected the id of a high-risk sign")
        if isinstance(qid, str):
            seen.add(qid)
        if isinstance(qid, str) and group in GROUPS and isinstance(asks, str):
            questions.append(Question(
                id=qid, group=group, asks=" ".join(asks.split()), help=" ".join(str(raw.get("help") or "").split()),
                trigger=trigger if isinstance(trigger, str) else None, when=when,
                rules_out_only=raw.get("rules_out_only") is True, citations=tuple(cites),
                checked=str(raw.get("checked") or "")))
    outline: dict[str, Any] = data["outline"] if isinstance(data.get("outline"), dict) else {}
    outline_cites = []
    for j, c in enumerate(outline.get("citations") or []):
        try:
            outline_cites.append(Citation.model_validate(c))
        except ValueError:
            report(("outline", "citations", j), "expected a citation: source and ref")
    if problems:
        raise RulesetError(problems)
    return Checklist(tuple(questions), tuple(outline_cites), doc.name)


def load_checklist(rules_dir: str | Path | None = None) -> Checklist:
    """The screening checklist beside the rules in `rules_dir` (else the bundled one), read once
    while unchanged. Raises RulesetError, each problem located, for a broken file."""
    path = checklist_path(rules_dir)
    try:
        stamp = path.stat().st_mtime
    except OSError:
        raise RulesetError([Problem(str(path), None, "", "the DPIA screening checklist is missing")]) from None
    return _load(str(path), stamp)


# --- the screening -------------------------------------------------------------------------


@dataclass(frozen=True)
class Answer:
    question: Question
    said: Said
    facts: tuple[str, ...]  # the stated facts behind the answer, or what is not known yet, in words


@dataclass(frozen=True)
class Sign:
    """A high-risk sign that fired: a trigger of the agreement-points file, or a rule that opened the DPIA point."""

    id: str  # JSON only
    kind: Literal["trigger", "rule"]
    says: str
    facts: tuple[str, ...]
    source: str


@dataclass(frozen=True)
class Screening:
    need: Need
    why: tuple[str, ...]  # plain words, one paragraph each
    point: PointStatus | None  # how the decision's DPIA point stands
    answers: tuple[Answer, ...]
    signs: tuple[Sign, ...]
    source: str  # what makes a DPIA needed (the point's citations)

    def held(self, group: Group) -> list[Answer]:
        return [a for a in self.answers if a.question.group == group and a.said == "yes"]


def _sentence(text: str) -> str:
    text = text.strip()
    text = text[:1].upper() + text[1:]
    return text if not text or text.endswith((".", "?", "!")) else text + "."


def _lower(text: str) -> str:
    """A sentence continued after a colon: its first letter lower-cased, unless it starts an acronym ("UK", "DPIA")."""
    first = text.split(" ", 1)[0]
    return text if len(first) > 1 and first.isupper() else text[:1].lower() + text[1:]


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def fact_words(path: str, fact: dict[str, Any]) -> str:
    """A stated fact as a sentence: 'The information is about a child (under 18) and family members.'"""
    value = fact.get(fact_key(path))
    if isinstance(value, bool):
        return _sentence(yes_no(path)[0 if value else 1])
    if isinstance(value, list):
        words = _and([condition_value(path, v) for v in value]) if value else "nothing"
    else:
        words = condition_value(path, value)
    return _sentence(condition_template(path).format(words))


def _support(cond: Condition, fact: dict[str, Any], want: bool) -> tuple[str, ...]:
    return tuple(dict.fromkeys(fact_words(f, fact) for f in stated_support(cond, fact, want)))


def _unknown(cond: Condition, fact: dict[str, Any]) -> tuple[str, ...]:
    missing = sorted(missing_fields([cond], fact)
                     or {f for f in condition_fields(cond) if fact_key(f) not in fact})
    return (_sentence("Not stated yet: " + _and([label(f) for f in missing])),) if missing else ()


def _answer(q: Question, ruleset: Ruleset, fact: dict[str, Any]) -> Answer:
    cond = q.when
    if q.trigger is not None:
        found = [t for t in ruleset.triggers if t.id == q.trigger]
        cond = found[0].when if found else None  # a partnership without this sign: a box to tick
    if cond is None:
        return Answer(q, "unknown", ())
    value = evaluate(cond, fact)
    if value is True and q.rules_out_only:
        return Answer(q, "unknown", tuple("Points to yes: " + _lower(s)
                                          for s in _support(cond, fact, True)))
    if value is True:
        return Answer(q, "yes", _support(cond, fact, True))
    if value is False:
        because = _support(cond, fact, False)
        # "No" only on a stated fact: a sign that does not hold because nothing was said is not an answer.
        return Answer(q, "no", because) if because else Answer(q, "unknown", _unknown(cond, fact))
    return Answer(q, "unknown", _unknown(cond, fact))


def _high_risk_point(decision: Decision, ruleset: Ruleset) -> PointStatus | None:
    """The decision's DPIA point: the agreement point that applies only where processing is likely
    to be high risk (the data says which; no point id is named here)."""
    ids = [p.id for p in ruleset.points if p.high_risk]
    return next((p for p in decision.points if p.id in ids), None)


def _signs(decision: Decision, ruleset: Ruleset, fact: dict[str, Any], point: PointStatus | None) -> list[Sign]:
    out = [Sign(t.id, "trigger", _sentence(t.says), _support(t.when, fact, True), cite(t.citations))
           for t in ruleset.triggers if evaluate(t.when, fact) is True]
    opened: list[str] = list(point.rules) if point is not None else []
    if point is not None:  # an urgent share defers the point: the rules that found it open
        opened += [r for o in decision.obligations if o.point == point.id for r in (o.found_by or [])]
    reasons = {r.rule: r for r in decision.reasons}
    for rule in dict.fromkeys(opened):
        found = reasons.get(rule)
        if found is None:
            continue
        # The stated facts that made the rule fire, after its message (the version that fired).
        versions = [r for r in ruleset.rules if r.id == rule]
        fired = next((r for r in versions if r.key in decision.rule_keys), versions[0] if versions else None)
        facts = _support(fired.when, fact, True) if fired is not None else ()
        out.append(Sign(rule, "rule", _sentence(found.title), (_sentence(found.message), *facts), cite(found.citations)))
    return out


def _verdict(point: PointStatus | None, signs: list[Sign], answers: list[Answer], fact: dict[str, Any]) \
        -> tuple[Need, list[str]]:
    law = [a for a in answers if a.question.group == "law" and a.said == "yes"]
    listed = [a for a in answers if a.question.group == "ico" and a.said == "yes"]
    named = _and([_lower(s.says.rstrip(".")) for s in signs]) if signs else ""
    given = fact.get(fact_key("share.governance.dpia"))
    if point is not None and point.status == "deferred":
        return "required", [
            ("A DPIA is needed, but this share is urgent: share what is necessary now and complete the DPIA "
             "afterwards. A DPIA is not a precondition of an urgent share."),
            _sentence(f"The decision found: {point.detail}")]
    if point is not None and point.status == "open" and not point.held_by and not point.rules \
            and not any(s.kind == "trigger" for s in signs) and not law and not listed:
        # Open only for want of facts, with no high-risk sign on those given: Art 35 asks for a DPIA
        # where processing is *likely* to be high risk, which cannot be said either way yet.
        missing = [label(f) for f in point.waits_for]
        return "not_known", [
            ("The decision leaves this point open only because facts are missing, and no high-risk sign holds on "
             "the facts given: whether the processing is likely to be high risk cannot be said yet."),
            *([_sentence(f"To settle it, state {_and(missing)}")] if missing else [])]
    if point is not None and point.status == "open":
        why = ["A DPIA is needed before the sharing starts: the decision leaves this point open.",
               _sentence(f"Why: {point.detail}")]
        shown = [_lower(s.says.rstrip(".")) for s in signs if s.kind == "trigger"]  # the rules are the why above
        if shown:
            why.append(_sentence(f"High-risk signs found: {_and(shown)}"))
        return "required", why
    if point is None or point.status == "not_applicable":
        why = ["The decision did not find a DPIA needed for this share"
               + (f": {point.detail}." if point is not None else ".")
               + " This screening is kept as the record of why."]
        if law or listed:
            why.append("Some checklist answers below are yes all the same: ask your data protection officer "
                       "whether they change this.")
        return "not_indicated", why
    # The point is settled by what the share states: whether a DPIA was done, or is needed.
    found = named or "some checklist answers below are yes"
    if given == "done" and (signs or law or listed):
        return "required", [_sentence(f"A DPIA is needed for this processing ({found}), and the share says one has "
                                      "been done"), "Attach it, and check that it covers this share as described here."]
    if law:  # UK GDPR Art 35(3): required whatever is stated
        then = ("The share says a DPIA is not needed, but the law requires one for this processing: do it before the "
                "processing starts." if given == "not_required" else
                "The share says no DPIA has been done: do one before the processing starts.")
        return "required", [_sentence(f"A DPIA is required by UK GDPR Art 35(3): {found}"), then]
    if signs or listed:
        then = ("The share says a DPIA is not needed, and the decision accepted that, so it did not open the point. "
                "Ask your data protection officer to confirm, and record why." if given == "not_required" else
                "The share says no DPIA has been done, and the decision did not open the point. Ask your data "
                "protection officer whether one is needed before the processing starts.")
        return "likely", [_sentence(f"A DPIA is likely to be needed: {found}"), then]
    return "not_indicated", [("The decision did not find a DPIA needed for this share: no high-risk sign holds. "
                              "This screening is kept as the record of why.")]


def screen(scenario: Scenario, decision: Decision, ruleset: Ruleset | None = None) -> Screening:
    """Screen one decided share for a DPIA: the checklist answered from its facts, the high-risk
    signs that fired, and whether a DPIA is required, likely needed or not indicated."""
    from .assessment import default_ruleset, scenario_fact

    rs = matching_ruleset(decision, ruleset) or default_ruleset()
    checklist = load_checklist(rs.source or None)
    fact = scenario_fact(scenario, rs, decision.ruleset.as_of)
    point = _high_risk_point(decision, rs)
    answers = [_answer(q, rs, fact) for q in checklist.questions]
    signs = _signs(decision, rs, fact, point)
    need, why = _verdict(point, signs, answers, fact)
    consider = [a for a in answers if a.question.group == "consider" and a.said == "yes"]
    if need == "not_indicated" and len(consider) >= 2 and fact.get(fact_key("share.frequency")) != "one_off":
        why.append(f"{len(consider)} of the European criteria hold (see below). The European guidelines say "
                   "processing meeting two or more of them usually needs a DPIA: ask your data protection "
                   "officer whether this does.")
    source = ""
    if point is not None:
        from contextlib import suppress

        with suppress(KeyError):
            source = cite(rs.point(point.id).citations)
    return Screening(need, tuple(why), point, tuple(answers), tuple(signs), source)


# --- the document ------------------------------------------------------------------------

NEED_WORDS: dict[Need, str] = {
    "required": "A DPIA is required",
    "likely": "A DPIA is likely to be needed",
    "not_known": "Not known yet: a DPIA may be needed",
    "not_indicated": "A DPIA is not indicated by the decision",
}
SAID_WORDS: dict[Said, str] = {"yes": "Yes", "no": "No", "unknown": "Not known from the facts given: tick one"}
GROUP_TITLES: dict[Group, tuple[str, str]] = {
    "law": ("Processing the law says always needs a DPIA",
            "UK GDPR Art 35(3). One yes means a DPIA is required."),
    "ico": ("The ICO's list of processing likely to result in high risk",
            ("Published by the ICO under UK GDPR Art 35(4). The ICO requires a DPIA for any of these; for the items "
             "marked so, when one of the European criteria below also holds.")),
    "consider": ("The European criteria",
                 ("The criteria in the European guidelines on DPIAs (WP248rev01, endorsed by the EDPB), which the "
                  "ICO's list builds on. Two or more yeses usually mean a DPIA is needed.")),
}


def _checklist_item(a: Answer) -> Item:
    q = a.question
    if a.said == "unknown":
        lines = [SAID_WORDS["unknown"] + ".", *a.facts]
    else:
        lines = [f"{SAID_WORDS[a.said]}: {_lower(' '.join(a.facts))}" if a.facts else f"{SAID_WORDS[a.said]}."]
    if q.help:
        lines.append(_sentence(q.help))
    choices = ("Yes", "No") if a.said == "unknown" else ()
    return Item(q.asks, tuple(lines), choices, cite(q.citations))


def _stated(scenario: Scenario, path: str) -> str | None:
    from .dotted import get_path

    value = get_path(scenario.model_dump(mode="json", by_alias=True, exclude_none=True), path)
    if value is None or value == []:
        return None
    return value_words(path, value)


def _said(scenario: Scenario, path: str) -> tuple[str, ...]:
    """A stated fact as a sentence ("The lawful basis (Art 6) is public task."); nothing when not stated."""
    from .dotted import get_path

    value = get_path(scenario.model_dump(mode="json", by_alias=True, exclude_none=True), path)
    return () if value is None or value == [] else (fact_words(path, {fact_key(path): value}),)


def _line(scenario: Scenario, path: str, prefix: str = "") -> tuple[str, ...]:
    words = _stated(scenario, path)
    return (_sentence(prefix + words if prefix else words),) if words else ()


def _party(name: str | None, kind: str | None) -> str:
    bits = [name or f"Name of organisation: {BLANK}"]
    if kind:
        words = value_words("share.from.type", kind)
        bits.append(words[:1].lower() + words[1:] if words.startswith(("A ", "An ", "The ")) else words)
    return _sentence(", ".join(bits))


def _describe(scenario: Scenario, decision: Decision) -> Section:
    share = scenario.share
    from_name, to_name = party_names(scenario, decision)
    purpose = _stated(scenario, "share.purpose.category")
    purpose_lines = tuple(x for x in (_sentence(purpose) if purpose else "",
                                      _sentence(share.purpose.detail) if share.purpose.detail else "") if x)
    people = _line(scenario, "share.data.subjects")
    info = list(_line(scenario, "share.data.categories"))
    volume = _line(scenario, "share.data.volume")
    often = _line(scenario, "share.frequency")
    return Section("Describe the processing", (
        ("The nature, scope, context and purposes of the processing, filled in from the facts given. Add what the "
        "facts do not say."),), (), (
        Item("Who shares the information", (_party(from_name, share.from_.type),)),
        Item("Who receives it", (_party(to_name, share.to.type),)),
        Item("How the organisations relate", _line(scenario, "share.relationship")),
        Item("What it is for, and the benefit expected", purpose_lines),
        Item("Whose information it is", people),
        Item("What information", tuple(info)),
        Item("How many people, and how often", volume + often),
        Item("How it is sent", _line(scenario, "share.handling.transfer")),
        Item("How long it is kept, and how it is deleted", _line(scenario, "share.handling.retention")),
        Item("How the information is collected, used and stored, and where it comes from"),
        Item("Would the people expect it? How much control do they have?",
             _said(scenario, "share.governance.privacy_notice") + _said(scenario, "share.consent.status")),
        Item("Any earlier concerns, security problems or public concern about this kind of processing"),
    ))


def _consult() -> Section:
    return Section("Consultation", (), (), (
        Item("How the people's views (or their representatives') will be sought, or why that is not appropriate",
             source="UK GDPR, Art 35(9)"),
        Item("Who else in your organisation is involved"),
        Item("Processors asked to help"),
        Item("Security or other experts consulted"),
        Item("The data protection officer's advice sought on", source="UK GDPR, Art 35(2)"),
    ))


def _necessity(scenario: Scenario, decision: Decision) -> Section:
    basis = (_said(scenario, "share.basis.article_6")
             + _line(scenario, "share.basis.legal_power", "The law or function relied on: "))
    conditions = (_said(scenario, "share.basis.article_9") + _said(scenario, "share.basis.schedule_1")
                  + _said(scenario, "share.basis.criminal_offence"))
    grounds = tuple(f"{_sentence(r.title)} Source: {cite(r.citations)}." for r in decision.reasons if r.effect == "ground")
    return Section("Necessity and proportionality", (), (), (
        Item("Lawful basis and the law relied on", basis),
        Item("Conditions for special category or offence information", conditions),
        Item("What the decision found in support", grounds),
        Item("Does the processing achieve the purpose? Is there a less intrusive way?"),
        Item("Only what is needed", _said(scenario, "share.data.minimised")),
        Item("Keeping the information accurate, and telling people about it",
             _said(scenario, "share.governance.privacy_notice")),
        Item("How people's rights are supported"),
        Item("Transfers outside the United Kingdom", (_sentence(f"The recipient is based in {scenario.share.to.location}"),)
             if scenario.share.to.location != "GB" else ("None stated.",)),
    ))


RISK_SCALES = (f"Likelihood of harm (remote, possible or probable): {BLANK}",
               f"Severity of harm (minimal, significant or severe): {BLANK}",
               f"Overall risk (low, medium or high): {BLANK}")


def _risks(screening: Screening, decision: Decision) -> Section:
    items = [Item(s.says.rstrip("."), (*s.facts, *RISK_SCALES), source=s.source) for s in screening.signs]
    seen = {s.id for s in screening.signs}
    for r in decision.reasons:
        if r.effect in ("deny", "open") and r.rule not in seen:
            items.append(Item(r.title.rstrip("."), (_sentence(r.message), *RISK_SCALES), source=cite(r.citations)))
    items.append(Item("Other risks to people", RISK_SCALES))
    return Section("Risks to people", (
        ("The risks to the people the information is about: the high-risk signs and what the decision found. "
        "For each, judge how likely and how severe the harm would be."),), (), tuple(items))


MEASURE_SCALES = (f"Effect on the risk (removed, reduced or accepted): {BLANK}",
                  f"Risk left (low, medium or high): {BLANK}", f"Measure approved (yes or no): {BLANK}")


def _measures(decision: Decision, screening: Screening) -> Section:
    items = [Item(f"Measure {n}", (_sentence(o.message), *MEASURE_SCALES), source=cite(o.citations))
             for n, o in enumerate(decision.obligations, 1)]
    n = len(items)
    for p in decision.points:
        if p.status in ("open", "deferred") and (screening.point is None or p.id != screening.point.id):
            n += 1
            items.append(Item(f"Measure {n}", (_sentence(f"Settle: {p.question}"), *MEASURE_SCALES),
                              choices=tuple(p.likely_answers)))
    return Section("Measures to reduce the risks", (
        "What the decision says must be done, and the points still to settle, as measures against the risks above.",),
        (), tuple(items))


def _sign_off() -> Section:
    return Section("Sign-off and outcomes", (), (), (
        Item("Measures approved by", ("Name, position and date:",)),
        Item("Risk left approved by", ("If a high risk remains, consult the ICO before going ahead.",),
             source="UK GDPR, Art 36(1)"),
        Item("Data protection officer's advice given", ("Date, and a summary of the advice:",),
             source="UK GDPR, Art 35(2)"),
        Item("The advice accepted or overruled by", ("If overruled, say why.",)),
        Item("People's views reviewed by", ("If the decision goes against their views, say why.",)),
        Item("This DPIA is kept under review by", ("Name, and the date of the next review:",)),
    ))


def _version(decision: Decision, today: dt.date) -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        mine = version("isp-rules")
    except PackageNotFoundError:
        mine = "0.0.0"
    r = decision.ruleset
    return (f"Drafted by isp-rules {mine} with ruleset {r.name} {r.version} (fingerprint {r.sha256[:12]}) on "
            f"{today.isoformat()}; law as at {r.as_of.isoformat()}. Following the ICO's guidance on DPIAs: the "
            "screening checklist and the sample DPIA template.")


def build_dpia(scenario: Scenario, decision: Decision, ruleset: Ruleset | None = None,
               today: dt.date | None = None) -> Document:
    """The DPIA screening and outline for one decided share, as a document for both writers."""
    from .assessment import default_ruleset

    rs = matching_ruleset(decision, ruleset) or default_ruleset()
    today = today or dt.date.today()
    scenario = completed(scenario, decision, rs)
    screening = screen(scenario, decision, rs)
    checklist = load_checklist(rs.source or None)

    banners = []
    if decision.verdict == "deny":
        banners.append("Do not start this processing: on these facts the share is unlawful, and a DPIA cannot make "
                       "it lawful. See the risks below.")
    if screening.need == "not_indicated":
        banners.append("The decision did not find a DPIA needed for this share. This screening records why.")

    result = Clause(NEED_WORDS[screening.need], screening.why, source=screening.source)
    signs = tuple(Clause(s.says.rstrip("."), s.facts, source=s.source) for s in screening.signs)
    sections = [Section("Screening: is a DPIA needed?", (), (result,)),
                Section("High-risk signs found in this share",
                        () if signs else ("None of the rules' high-risk signs holds on the facts given.",), signs)]
    for group in GROUPS:
        title, intro = GROUP_TITLES[group]
        sections.append(Section(title, (intro,), (), tuple(_checklist_item(a) for a in screening.answers
                                                           if a.question.group == group)))
    outline_intro = ("Should the missing facts show a DPIA is needed, this outline, after the ICO's sample template, "
                     "is a start: complete it before the processing starts." if screening.need == "not_known" else
                     "The outline of the DPIA, after the ICO's sample template, filled in from the share. "
                     "Complete it before the processing starts." if screening.need != "not_indicated" else
                     "Should a DPIA be done after all, this outline, after the ICO's sample template, is a start.")
    describe = _describe(scenario, decision)
    describe = Section(describe.title, (outline_intro, *describe.paragraphs), describe.clauses, describe.items)
    sections += [describe, _consult(), _necessity(scenario, decision), _risks(screening, decision),
                 _measures(decision, screening), _sign_off()]
    if checklist.outline_citations:
        last = sections[-1]
        sections[-1] = Section(last.title, (f"Source: {cite(checklist.outline_citations)}.",), last.clauses, last.items)

    sigs = tuple(Signature(s.heading.replace("Signed for", "Approved for"), s.lines, s.filled)
                 for s in signatures(scenario, decision, rs, ("Name", "Position", "Signature", "Date")))
    title = "DPIA screening and outline" + (f": {scenario.title.rstrip('.')}" if scenario.title else "")
    return Document(title=title, version=_version(decision, today), banners=tuple(banners), sections=tuple(sections),
                    signatures=sigs, signatures_title="Approval")


def dpia_markdown(scenario: Scenario, decision: Decision, ruleset: Ruleset | None = None,
                  today: dt.date | None = None) -> str:
    return document_markdown(build_dpia(scenario, decision, ruleset, today))


def write_dpia_docx(scenario: Scenario, decision: Decision, target: Path, ruleset: Ruleset | None = None,
                    today: dt.date | None = None) -> None:
    write_document_docx(build_dpia(scenario, decision, ruleset, today), target)
