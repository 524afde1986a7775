"""Urgent safeguarding triage: five fixed questions, then what to share now and what to record.

Shared by `isp triage` and the web triage page, so both say the same thing. The answers alone
cannot make a share unlawful; a deny needs stated facts (a start file or the full form).
"""

from __future__ import annotations

import datetime as dt
import textwrap
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..assessment import assess
from ..decision import DISCLAIMER, Decision, Obligation
from ..dotted import get_path, set_path
from ..ruleset import Ruleset
from ..scenario import Scenario
from .answers import NOT_SURE
from .questions import QUESTIONS, Question

__all__ = [
    "TRIAGE_QUESTIONS",
    "TriageSummary",
    "complete",
    "not_urgent",
    "run_triage",
    "subjects_for",
    "summarise",
    "triage_text",
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

def urgent_path_needs(ruleset: Ruleset, day: dt.date) -> str:
    """What the urgent path needs, in the rules' own words: each rule in force that defers
    paperwork says when it applies (its urgent_when, else its title). No law is restated here."""
    words = [r.urgent_when or r.title for r in ruleset.rules if r.defers_paperwork and r.in_force_on(day)]
    if not words:
        return "a rule that lets paperwork wait, and none is in force"
    return words[0] if len(words) == 1 else "; ".join(words[:-1]) + "; or " + words[-1]


def not_urgent(ruleset: Ruleset, day: dt.date) -> str:
    return f"NOT URGENT ON THESE ANSWERS: the urgent path does not apply. It needs {urgent_path_needs(ruleset, day)}."


def subjects_for(purpose: str) -> list[str] | None:
    """Who the data is about follows from who is at risk, unless the user said otherwise."""
    return {"safeguarding_child": ["child"], "safeguarding_adult": ["adult_at_risk"]}.get(purpose)


def complete(data: dict) -> None:
    """Fill in what the triage answers imply and the user did not say: who the data is about."""
    purpose = (data.get("share", {}).get("purpose") or {}).get("category")
    subject = subjects_for(purpose) if purpose else None
    if subject and "subjects" not in (data["share"].get("data") or {}):
        data["share"].setdefault("data", {})["subjects"] = subject


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
        count += 1
        answer = ask(question, count)
        if answer is not NOT_SURE:
            set_path(data, question.path, answer)
    complete(data)
    scenario = Scenario.model_validate(data)
    return scenario, assess(scenario, ruleset)


@dataclass(frozen=True)
class TriageSummary:
    share_now: bool  # urgent path applies and nothing stated makes the share unlawful
    share_with: str
    what: str
    record_after: list[Obligation]  # the likely basis to note after sharing
    paperwork: list[Obligation]  # paperwork that waits until after the share
    other: list[Obligation]


def summarise(scenario: Scenario, decision: Decision) -> TriageSummary:
    share = scenario.share
    labels = QUESTIONS["share.data.categories"].labels
    to = share.to.name or QUESTIONS["share.to.type"].labels.get(share.to.type or "", "the people who need it to protect them")
    what = ", ".join(labels[c].lower() for c in share.data.categories or []) or "what is needed to protect them"
    record_after = [o for o in decision.obligations if o.kind == "record_after"]
    paperwork = [o for o in decision.obligations if o.kind == "complete_after"]
    other = [o for o in decision.obligations if o.kind not in ("record_after", "complete_after")]
    return TriageSummary(decision.share_now, to, what, record_after, paperwork, other)


def triage_text(scenario: Scenario, decision: Decision, ruleset: Ruleset) -> str:
    from ..render import render

    if decision.verdict == "deny":
        return render([decision], "text")
    if not decision.deferred:
        return textwrap.fill(not_urgent(ruleset, decision.ruleset.as_of), 110) + " Use `isp ask` or `isp check`.\n\n" + render([decision], "text")
    if not decision.share_now:  # urgent, but a stated fact holds a point open: never "share now" beside it
        from ..render import urgent_line

        return textwrap.fill("HELD: " + (urgent_line(decision) or ""), 88) + "\n\n" + render([decision], "text")
    s = summarise(scenario, decision)

    def bullets(items: list[Obligation]) -> list[str]:
        return [textwrap.fill(f"- {o.message}", 88, subsequent_indent="  ") for o in items]

    lines = ["SHARE NOW: the law does not make you wait for paperwork in an urgent case.", "",
             f"Share with: {s.share_with}",
             textwrap.fill(f"What: only what they need to protect the person ({s.what}); not the whole file.", 88), ""]
    if s.record_after:
        lines += ["Record afterwards (the likely basis to note):"] + bullets(s.record_after) + [""]
    if s.paperwork:
        lines += ["Paperwork that waits until after the share:"] + bullets(s.paperwork) + [""]
    lines += ["Also:"] + bullets(s.other) + ["", DISCLAIMER]
    return "\n".join(lines)
