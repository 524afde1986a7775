"""Questions as HTML form fields, and form answers back to scenario values.

Presentation only: which questions are asked comes from asking.py, their words from questions.py.
Every field offers "Not sure", which leaves the fact unknown (never false).
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from ..guided.answers import NOT_SURE
from ..guided.asking import is_question_path
from ..guided.questions import ORDER, QUESTIONS, Question, country_code
from ..scenario import unprintable

__all__ = [
    "NOT_SURE_VALUE",
    "FormField",
    "StateError",
    "answer_label",
    "answers_summary",
    "form_field",
    "pack_state",
    "read_answer",
    "unpack_state",
    "unpack_state_pages",
]

NOT_SURE_VALUE = "not_sure"
MAX_TEXT = 500


class StateError(ValueError):
    """The hidden state of a form came back damaged (edited, truncated or from another version)."""


@dataclass(frozen=True)
class FormField:
    path: str  # also the form field's name
    id: str  # the HTML id
    text: str
    kind: str  # bool | enum | enum_list | text | country
    choices: list[tuple[str, str]]  # (value, label); value "not_sure" is the "Not sure" choice
    current: tuple[str, ...]  # values already given, as form values
    error: str | None = None
    help: str = ""  # one line of plain help (the guided form shows it; the triage keeps its own words)
    example: str = ""


def _form_value(value: Any) -> str:
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


def form_field(q: Question, data: dict, error: str | None = None, with_help: bool = False,
               value: Any = None) -> FormField:
    """A question as a form field; `value` is the answer to show chosen when the question's own
    field does not hold it (a proposal, a question shown again after Back)."""
    if q.kind == "bool":
        choices = [("yes", "Yes"), ("no", "No")]
    else:
        choices = [(v, label) for v, label in q.labels.items()]
    if value is None:
        value = q.combined(data)  # a value with its follow-up is one choice ("true:consent")
    current: tuple[str, ...] = ()
    if isinstance(value, list):
        current = tuple(_form_value(v) for v in value)
    elif value is not None:
        current = (_form_value(value),)
    return FormField(q.path, "q-" + re.sub(r"[^a-z0-9]+", "-", q.path.lower()), q.text, q.kind, choices, current, error,
                     help=q.help if with_help else "", example=q.example if with_help else "")


def read_answer(q: Question, values: list[str]) -> Any:
    """The value a form gave for one question, NOT_SURE, or ValueError with a sentence for the user."""
    values = [v.strip() for v in values if isinstance(v, str)]
    given = [v for v in values if v and v != NOT_SURE_VALUE]
    if given and NOT_SURE_VALUE in values and q.kind == "enum_list":
        raise ValueError("tick the options that apply, or Not sure, but not both")
    if not given or NOT_SURE_VALUE in values:
        return NOT_SURE
    if q.kind == "bool":
        if given[0] not in ("yes", "no"):
            raise ValueError("choose Yes, No or Not sure")
        return given[0] == "yes"
    if q.kind in ("enum", "enum_list"):
        unknown = [v for v in given if v not in q.labels]
        if unknown:
            raise ValueError("choose one of the options shown, or Not sure")
        return list(dict.fromkeys(given)) if q.kind == "enum_list" else given[0]
    text = given[0]
    if len(text) > MAX_TEXT:
        raise ValueError(f"keep this under {MAX_TEXT} characters")
    if (problem := unprintable(text)) is not None:
        raise ValueError(f"this answer {problem}")
    if q.kind == "country":
        return country_code(text)
    return text


def answer_label(q: Question, value: Any) -> str:
    if value is None:
        return "Not sure"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, list):
        return ", ".join(q.labels.get(v, str(v)) for v in value) or "None"
    return q.labels.get(str(value), str(value))


def answers_summary(data: dict, asked: list[str], questions: Callable[[str], tuple[Question, Any] | None] | None = None,
                    ) -> list[tuple[str, str, str]]:
    """(path, question, answer) for every question asked so far, in the order a person describes a
    share. `questions(path)` gives the question asked and its answer for the questions worked out
    from the data (the directory's partners, a proposed lawful basis); by default only the fixed ones."""
    rank = {p: i for i, p in enumerate(ORDER)}
    out = []
    for path in sorted(asked, key=lambda p: rank.get(p.replace(".partner", ".type"), len(rank))):
        q = QUESTIONS.get(path)
        if q is not None:
            out.append((path, q.text, answer_label(q, q.combined(data))))
        elif questions is not None and (found := questions(path)) is not None:
            out.append((path, found[0].text, answer_label(found[0], found[1])))
    return out


def pack_state(data: dict, asked: list[str], pages: list[dict] | None = None) -> str:
    """The answers so far as the form's hidden field: the scenario data, the questions asked, and
    for Back each page of questions shown with the answers as they were before it."""
    state: dict[str, Any] = {"data": data, "asked": sorted(asked)}
    if pages:
        state["pages"] = pages
    return json.dumps(state, separators=(",", ":"), ensure_ascii=False)


def unpack_state(raw: object) -> tuple[dict, list[str]]:
    data, asked, _ = unpack_state_pages(raw)
    return data, asked


def unpack_state_pages(raw: object) -> tuple[dict, list[str], list[dict]]:
    """The answers so far from the form's hidden field: the user's own data, checked like any
    other input (shape, depth, and the scenario model). `raw` is the field as the form came:
    None or empty for a first page; anything but text (a file posted in its place) is damage."""
    if raw is None or raw == "":
        return {"share": {}}, [], []
    if not isinstance(raw, str):
        raise StateError("the form's saved answers are damaged")
    if len(raw) > 200_000:
        raise StateError("the form's saved answers are too long")
    from pydantic import ValidationError

    from ..scenario import Scenario
    from .inputs import nesting_depth

    try:
        state = json.loads(raw)
    except (ValueError, RecursionError):
        raise StateError("the form's saved answers are damaged") from None
    if (not isinstance(state, dict) or not isinstance(state.get("data"), dict) or not isinstance(state.get("asked"), list)
            or not all(isinstance(p, str) and is_question_path(p) for p in state["asked"]) or nesting_depth(state) > 16):
        raise StateError("the form's saved answers are damaged")
    pages = state.get("pages", [])
    if (not isinstance(pages, list) or len(pages) > 200 or not all(
            isinstance(page, dict) and isinstance(page.get("paths"), list) and isinstance(page.get("before"), dict)
            and all(isinstance(p, str) and is_question_path(p) for p in page["paths"]) for page in pages)):
        raise StateError("the form's saved answers are damaged")
    try:  # the answers were valid when they were given; anything else was changed on the way
        for data in [state["data"]] + [page["before"] for page in pages]:
            Scenario.model_validate(data)
    except ValidationError:
        raise StateError("the form's saved answers are damaged") from None
    return state["data"], list(dict.fromkeys(state["asked"])), pages
