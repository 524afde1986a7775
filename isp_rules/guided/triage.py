"""Urgent safeguarding triage: five fixed questions, then what to share now and what to record.

Shared by `isp triage` and the web triage page, so both say the same thing. The answers alone
cannot make a share unlawful; a deny needs stated facts (a start file or the full form).

Everything the triage says about the law comes from the ruleset: when the urgent path applies
(each urgent rule's `urgent_when`), why you may share now (the urgent rule's message and
citations), what to note afterwards (the agreement points urgency deferred, each with its own
citations), and which of their likely answers fit this discloser (the catalogue of powers'
`who`). When the share is not urgent the answers go on, kept, to the full questions.
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..assessment import assess, complete_scenario, scenario_fact
from ..decision import DISCLAIMER, CitationOut, Decision, Obligation, PointStatus
from ..dotted import get_path, set_path
from ..facts import SOURCES, fact_key, recognised_powers
from ..interpret import evaluate
from ..labels import label
from ..ruleset import Citation, Condition, Leaf, Not, NotTrue, Ruleset
from ..scenario import Scenario
from .answers import NOT_SURE
from .questions import QUESTIONS, Question

__all__ = [
    "TRIAGE_QUESTIONS",
    "TriageItem",
    "TriageSummary",
    "UrgentIf",
    "answered",
    "complete",
    "continue_questions",
    "fits_discloser",
    "item_text",
    "not_urgent",
    "not_urgent_text",
    "run_triage",
    "sources",
    "subjects_for",
    "summarise",
    "triage_text",
    "urgent_if",
    "urgent_path_needs",
]

TRIAGE_WHO = {"safeguarding_child": "A child", "safeguarding_adult": "An adult at risk",
              "emergency_response": "People caught up in an emergency"}

TRIAGE_QUESTIONS: tuple[Question, ...] = (
    Question("share.purpose.category", "Who is at risk?", TRIAGE_WHO, "enum"),
    Question("share.urgency.risk", "Is the risk serious or imminent?",
             {"serious_or_imminent": "Yes: they could be harmed soon", "significant": "Significant, not imminent",
              "low": "Low"}, "enum"),
    QUESTIONS["share.from.type"], QUESTIONS["share.to.type"], QUESTIONS["share.data.categories"],
)

WIDTH = 88
RECORD_HEADING = "Record afterwards: what to note, with the answers likely for this share"
PAPERWORK_HEADING = "Paperwork that waits until after the share"
ALSO_HEADING = "Also, as you share"


def urgent_path_needs(ruleset: Ruleset, day: dt.date) -> str:
    """What the urgent path needs, in the rules' own words: each rule in force that defers
    paperwork says when it applies (its urgent_when, else its title). No law is restated here."""
    words = [r.urgent_when or r.title for r in ruleset.rules if r.defers_paperwork and r.in_force_on(day)]
    if not words:
        return "a rule that lets paperwork wait, and none is in force"
    return words[0] if len(words) == 1 else "; ".join(words[:-1]) + "; or " + words[-1]


def not_urgent(ruleset: Ruleset, day: dt.date) -> str:
    return f"NOT URGENT ON THESE ANSWERS: the urgent path does not apply. It needs {urgent_path_needs(ruleset, day)}."


@dataclass(frozen=True)
class UrgentIf:
    """An urgent rule that the answers neither meet nor rule out: what it needs, in its own
    words, and the facts not known yet that decide it (plain words)."""

    when: str
    not_known: list[str]


def _deciding(cond: Condition, fact: dict[str, Any]) -> list[str]:
    """The unknown fields that leave a condition unknown. A "not known to hold" test never does
    (it holds while its field is unknown), so nothing under one is named."""
    if evaluate(cond, fact) is not None or isinstance(cond, NotTrue):
        return []
    if isinstance(cond, Leaf):
        return [cond.field]
    if isinstance(cond, Not):
        return _deciding(cond.item, fact)
    return [f for c in cond.items for f in _deciding(c, fact)]


def urgent_if(ruleset: Ruleset, scenario: Scenario, decision: Decision) -> list[UrgentIf]:
    """The urgent rules in force that could still apply once an unknown fact is stated: a child
    at significant risk is urgent if the referral goes to children's social care, say, so the
    answer is "not known yet", never "wait"."""
    day = decision.ruleset.as_of
    fact = scenario_fact(scenario, ruleset, day)  # as assess() sees it, completed from the directory
    out: list[UrgentIf] = []
    for rule in ruleset.rules:
        if not (rule.defers_paperwork and rule.in_force_on(day)) or evaluate(rule.when, fact) is not None:
            continue
        # A derived fact is named by the scenario fields it comes from that are not stated yet.
        paths = [s for f in _deciding(rule.when, fact) for s in SOURCES.get(f, (f,)) if fact_key(s) not in fact]
        out.append(UrgentIf(rule.urgent_when or rule.title, list(dict.fromkeys(label(p) for p in paths))))
    return out


def subjects_for(purpose: str) -> list[str] | None:
    """Who the data is about follows from who is at risk, unless the user said otherwise."""
    return {"safeguarding_child": ["child"], "safeguarding_adult": ["adult_at_risk"]}.get(purpose)


def complete(data: dict) -> None:
    """Fill in what the triage answers imply and the user did not say: who the data is about."""
    purpose = (data.get("share", {}).get("purpose") or {}).get("category")
    subject = subjects_for(purpose) if purpose else None
    if subject and "subjects" not in (data["share"].get("data") or {}):
        data["share"].setdefault("data", {})["subjects"] = subject


def answered(data: dict[str, Any]) -> list[str]:
    """The triage questions the answers (or the start file) settle: the full questions that
    follow never ask them again."""
    return [q.path for q in TRIAGE_QUESTIONS if get_path(data, q.path) is not None]


def run_triage(ruleset: Ruleset, data: dict[str, Any], ask: Callable[[Question, int], Any],
               started: bool = False) -> tuple[Scenario, Decision]:
    """The triage conversation: ask(question, number) each triage question the answers so far
    (`data`, from a start file when `started`) leave unknown; NOT_SURE leaves its field unstated.
    When the facts given already make the share unlawful nothing is asked: the deny is said at once."""
    plan = list(TRIAGE_QUESTIONS)
    if started and assess(Scenario.model_validate(data), ruleset).verdict == "deny":
        plan = []
    count = 0
    for question in plan:
        if get_path(data, question.path) is not None:
            continue  # already known from the file
        side = question.path.rsplit(".", 1)[0]
        if question.path.endswith(".type") and get_path(data, side + ".partner") is not None:
            continue  # a partner named from the directory: its type is the directory's
        count += 1
        answer = ask(question, count)
        if answer is not NOT_SURE:
            set_path(data, question.path, answer)
    complete(data)
    scenario = Scenario.model_validate(data)
    return scenario, assess(scenario, ruleset)


def continue_questions(ruleset: Ruleset, data: dict[str, Any], ask: Callable[[Question, int], Any]) -> tuple[Scenario, Decision, int]:
    """From the triage to the full questions (asking.ask_until_settled), the answers in `data`
    kept: a question whose field is already stated is never put to the person again, whatever
    the questionnaire's order names. Returns the scenario, its decision and how many more were asked."""
    from .asking import ask_until_settled

    count = 0

    def ask_rest(question: Question, number: int) -> Any:
        nonlocal count
        known = get_path(data, question.path)
        if known is not None:
            return known
        count += 1
        return ask(question, count)

    scenario, decision, _ = ask_until_settled(ruleset, data, ask_rest)
    return scenario, decision, count


# --- what to do: the summary both front ends lay out ------------------------------------

def sources(citations: Sequence[CitationOut | Citation]) -> str:
    """Citations in plain words: 'UK GDPR, Art 6(3); DPA 2018, s8'."""
    return "; ".join(dict.fromkeys(f"{c.source}, {c.ref}" for c in citations))


def fits_discloser(answer: str, ruleset: Ruleset, discloser: str | None, day: dt.date) -> bool:
    """Whether a likely answer fits this discloser, by the catalogue of powers: an answer that
    names powers (Children Act 2004 s11, Localism Act 2011 s1...) fits when at least one of
    them is in force and open to this kind of discloser (its `who`, empty meaning any). An
    answer that names no power, or a discloser not known, keeps it."""
    named = recognised_powers(answer, ruleset.powers)
    if not named or discloser is None:
        return True
    return any(p.in_force_on(day) and (not p.who or discloser in p.who) for p in named)


@dataclass(frozen=True)
class TriageItem:
    """One thing urgency moved until after the share, for this discloser."""

    question: str  # what to note or complete
    likely: list[str]  # the likely answers that fit this share and this discloser, best first as the data lists them
    sources: str  # the provision that makes it needed, in plain words
    only_if: str | None = None  # "only if it is routine sharing between controllers": the kinds it is needed for
    found: str | None = None  # what a rule found, where one opened it
    legal_requirement: bool = False  # a legal requirement, not only good practice
    point: str | None = None  # the agreement point (for tests and front ends, never shown)


@dataclass(frozen=True)
class TriageSummary:
    share_now: bool  # urgent path applies and nothing stated makes the share unlawful
    share_with: str
    what: str
    why: str | None  # the urgent rule's own words: why paperwork may wait (for share now)
    why_sources: str | None
    record_after: list[TriageItem]  # lawfulness points to note after sharing
    paperwork: list[TriageItem]  # paperwork that waits until after the share
    other: list[tuple[Obligation, str]]  # duties and the protocol's standards for this disclosure, with their sources
    urgent_if: list[UrgentIf]  # when not urgent: the urgent rules the answers leave open


def _own_sources(o: Obligation, ruleset: Ruleset) -> str:
    """The provision that makes an obligation needed: a point's own citations (the urgent ground
    that moved it until after the share is cited once, as the reason to share now)."""
    point = ruleset.point(o.point) if o.point else None
    return sources(point.citations if point is not None and point.citations else o.citations)


def _item(o: Obligation, st: PointStatus | None, ruleset: Ruleset, scenario: Scenario,
          decision: Decision) -> TriageItem:
    point = ruleset.point(o.point) if o.point else None
    day = decision.ruleset.as_of
    likely = [a for a in (st.likely_answers if st else []) if fits_discloser(a, ruleset, scenario.share.from_.type, day)]
    only_if = None
    if point is not None and point.applies_to and not any(k in decision.share_kinds for k in point.applies_to):
        only_if = "only if it is " + " or ".join(ruleset.kind(k).says for k in point.applies_to)
    found = st.detail if st is not None and st.rules else None
    return TriageItem(st.question if st else o.message, likely, _own_sources(o, ruleset), only_if, found,
                      point is not None and point.kind == "legal_requirement", o.point)


def summarise(scenario: Scenario, decision: Decision, ruleset: Ruleset) -> TriageSummary:
    # The scenario as the decision weighed it: a partner named by id has its name and type.
    scenario = complete_scenario(scenario, ruleset, decision.ruleset.as_of).scenario
    share = scenario.share
    labels = QUESTIONS["share.data.categories"].labels
    to = share.to.name or QUESTIONS["share.to.type"].labels.get(share.to.type or "", "the people who need it to protect them")
    what = ", ".join(labels[c].lower() for c in share.data.categories or []) or "what is needed to protect them"
    status = {st.id: st for st in decision.points}

    def items(kind: str) -> list[TriageItem]:
        return [_item(o, status.get(o.point or ""), ruleset, scenario, decision)
                for o in decision.obligations if o.kind == kind]

    # A standard cites its own provision; the urgent ground that moved it is cited once, above.
    other = [(o, _own_sources(o, ruleset)) for o in decision.obligations if o.kind not in ("record_after", "complete_after")]
    ground = next((r for r in decision.reasons if r.rule == decision.urgent_by), None)
    return TriageSummary(decision.share_now, to, what, ground.message if ground else None,
                         sources(ground.citations) if ground else None, items("record_after"),
                         items("complete_after"), other,
                         urgent_if(ruleset, scenario, decision) if not decision.deferred else [])


def item_text(item: TriageItem) -> str:
    """One item in a sentence or three, as the terminal shows it."""
    text = item.question
    if item.legal_requirement:
        text += " (a legal requirement, not only good practice)"
    if item.only_if:
        text += f" ({item.only_if})"
    if item.likely:
        text += " Likely: " + "; ".join(item.likely) + "."
    if item.found:
        text += f" Found: {item.found.rstrip('.')}."
    return text + f" ({item.sources})"


def _fill(text: str, first: str = "", rest: str = "") -> str:
    return textwrap.fill(text, WIDTH, initial_indent=first, subsequent_indent=rest)


def not_urgent_text(ruleset: Ruleset, scenario: Scenario, decision: Decision) -> str:
    """Not urgent on these answers, and, where an answer not given could make it urgent, what:
    in the urgent rules' own words, with the facts not known yet."""
    maybe = urgent_if(ruleset, scenario, decision)
    if not maybe:
        return _fill(not_urgent(ruleset, decision.ruleset.as_of))
    ways = [m.when + (f" (not known yet: {', '.join(m.not_known)})" if m.not_known else "") for m in maybe]
    return _fill("NOT URGENT ON THESE ANSWERS, BUT IT MAY BE: it is urgent if it is "
                 + (ways[0] if len(ways) == 1 else "; ".join(ways[:-1]) + "; or " + ways[-1])
                 + ". If so, share now: the paperwork waits.")


def triage_text(scenario: Scenario, decision: Decision, ruleset: Ruleset) -> str:
    from ..render import render

    if decision.verdict == "deny":
        return render([decision], "text")
    if not decision.deferred:
        return not_urgent_text(ruleset, scenario, decision) + "\n\n" + render([decision], "text")
    if not decision.share_now:  # urgent, but a stated fact holds a point open: never "share now" beside it
        from ..render import urgent_line

        return _fill("HELD: " + (urgent_line(decision) or "")) + "\n\n" + render([decision], "text")
    s = summarise(scenario, decision, ruleset)

    def bullets(texts: list[str]) -> list[str]:
        return [_fill(f"- {t}", rest="  ") for t in texts]

    lines = ["SHARE NOW: the law does not make you wait for paperwork in an urgent case.", ""]
    if s.why:
        lines += [_fill(f"Why: {s.why} ({s.why_sources})"), ""]
    lines += [f"Share with: {s.share_with}",
              _fill(f"What: only what they need to protect the person ({s.what}); not the whole file."), ""]
    if s.record_after:
        lines += [RECORD_HEADING + ":"] + bullets([item_text(i) for i in s.record_after]) + [""]
    if s.paperwork:
        lines += [PAPERWORK_HEADING + ":"] + bullets([item_text(i) for i in s.paperwork]) + [""]
    if s.other:
        lines += [ALSO_HEADING + ":"] + bullets([f"{o.message} ({cited})" for o, cited in s.other]) + [""]
    lines.append(DISCLAIMER)
    return "\n".join(lines)
