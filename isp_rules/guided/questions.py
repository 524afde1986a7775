"""Plain-words questions for the scenario fields, for `isp ask`, `isp triage` and the web form.

Presentation only: which questions are asked, and when to stop, is worked out from the rules
(see asking.py). The words, one line of help and an example for each question, and when each
question can matter given earlier answers (its precondition), are data in questions.yaml. The
choices are the values' plain words (labels.py), which every vocabulary value has.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..dotted import get_path
from ..facts import FIELDS
from ..labels import VALUE_LABELS

__all__ = ["COMBINED", "ORDER", "QUESTIONS", "Gate", "Question", "country_code", "precondition_holds"]

QUESTIONS_FILE = Path(__file__).with_name("questions.yaml")
COMBINED = ":"  # "not_sought:would_increase_risk": a value and its follow-up in one choice
_BOOLS = {"true": True, "false": False}


@dataclass(frozen=True)
class Gate:
    """One precondition: the field was answered with one of `values` (or, `negate`, with none of them)."""

    path: str
    values: tuple[Any, ...]
    negate: bool = False

    def holds(self, data: dict) -> bool:
        value = get_path(data, self.path)
        if value is None:
            return False
        given = value if isinstance(value, list) else [value]
        hit = any(v in self.values for v in given)
        return not hit if self.negate else hit


@dataclass(frozen=True)
class Question:
    path: str
    text: str
    labels: dict[str, str]  # value -> label (enum and list fields)
    kind: str  # bool | enum | enum_list | text | country
    help: str = ""
    example: str = ""
    # Asked only if one of these groups holds whole (an empty tuple: no precondition) ...
    when: tuple[tuple[Gate, ...], ...] = ()
    # ... and none of these holds.
    unless: tuple[Gate, ...] = field(default=())
    # A follow-up answered in the same choice: after one of `then_on`, each value of `then` is a
    # choice of its own ("not_sought:would_increase_risk"), so the follow-up is not asked again.
    then: str | None = None
    then_on: tuple[Any, ...] = ()

    def split(self, answer: Any) -> dict[str, Any]:
        """The answers a choice gives: its own field's, and the follow-up's for a combined choice
        (a yes/no question with a follow-up is offered as choices "true", "true:consent", "false")."""
        if self.then is not None and isinstance(answer, str) and COMBINED in answer and answer in self.labels:
            value, follow = answer.split(COMBINED, 1)
            return {self.path: _typed(self.path, value), self.then: _typed(self.then, follow)}
        return {self.path: _typed(self.path, answer) if self.then is not None else answer}

    def combined(self, data: dict) -> Any:
        """The choice that gives the answers in `data` (a combined one when the follow-up is answered too)."""
        value, follow = (_word(get_path(data, f)) if f is not None else None for f in (self.path, self.then))
        if value in self.then_on and follow is not None and f"{value}{COMBINED}{follow}" in self.labels:
            return f"{value}{COMBINED}{follow}"
        return value if self.then is not None else get_path(data, self.path)

    def can_matter(self, data: dict) -> bool:
        """Whether the question's precondition holds for the answers so far."""
        if self.when and not any(all(g.holds(data) for g in group) for group in self.when):
            return False
        return not any(g.holds(data) for g in self.unless)


def _word(value: Any) -> Any:
    """A yes/no answer as the word its choice is keyed by ("true", "false"); other values as they are."""
    return ("true" if value else "false") if isinstance(value, bool) else value


def _typed(path: str, value: Any) -> Any:
    """A choice's word as the field's value (a yes/no field's "true" as True)."""
    return _BOOLS.get(value, value) if FIELDS[path].kind == "bool" and isinstance(value, str) else value


def _gates(spec: dict[str, Any], negate_all: bool = False) -> tuple[Gate, ...]:
    out = []
    for path, values in spec.items():
        if path not in FIELDS:
            raise ValueError(f"questions.yaml: a precondition names no field: {path}")
        if isinstance(values, dict):
            out.append(Gate(path, tuple(values["not"]), negate=True))
        else:
            out.append(Gate(path, tuple(values)))
    return tuple(out)


def _load() -> dict[str, Question]:
    import yaml

    raw = yaml.safe_load(QUESTIONS_FILE.read_text(encoding="utf-8"))
    out: dict[str, Question] = {}
    for path, spec in raw.items():
        when = spec.get("when") or []
        groups = tuple(_gates(g) for g in (when if isinstance(when, list) else [when]))
        labels = dict(VALUE_LABELS.get(path, {}))
        kind = FIELDS[path].kind
        then, then_on = spec.get("then"), tuple(_word(v) for v in spec.get("then_on") or ())
        if then is not None:
            if kind == "bool":  # a yes/no whose follow-up is chosen with it: a choice of words
                labels, kind = {_word(k): v for k, v in spec["yes_no"].items()}, "enum"
            if then not in FIELDS or not set(then_on) <= set(labels):
                raise ValueError(f"questions.yaml: {path}: then names no field or then_on no value")
            follows = VALUE_LABELS.get(then) or {str(k).lower(): v for k, v in (spec.get("then_words") or {}).items()}
            # then_values: the follow-ups that go with each value (Schedule 1 paragraphs by Art 9 condition)
            only = {_word(k): set(v) for k, v in (spec.get("then_values") or {}).items()}
            lead = {_word(k): v for k, v in (spec.get("lead_words") or {}).items()}
            for value in then_on:  # each follow-up choice right after the value it follows
                for follow, words in follows.items():
                    if value in only and follow not in only[value]:
                        continue
                    first = lead.get(value, labels[value])
                    joined = f"{first}: {words[:1].lower()}{words[1:]}" if then in VALUE_LABELS else f"{first}, {words}"
                    labels[f"{value}{COMBINED}{follow}"] = joined
            labels = {k: labels[k] for k in sorted(labels, key=lambda k: list(labels).index(k.split(COMBINED)[0]))}
        out[path] = Question(path, spec["text"], labels, kind,
                             help=spec["help"], example=str(spec["example"]), when=groups,
                             unless=_gates(spec.get("unless") or {}), then=then, then_on=then_on)
    return out


QUESTIONS: dict[str, Question] = _load()

# The order a practitioner describes a share in: who with whom, what for, how urgent, what data, then the law.
ORDER = list(QUESTIONS)


def precondition_holds(path: str, data: dict) -> bool:
    """Whether the question about `path` can matter given the answers so far (True for a path with no question)."""
    q = QUESTIONS.get(path)
    return q is None or q.can_matter(data)


_UK = {"yes", "y", "uk", "gb", "united kingdom", "england", "wales", "scotland", "northern ireland"}


def country_code(text: str) -> str:
    """A two-letter country code from an answer ("gb" -> "GB"; "yes" or "UK" -> "GB"), or ValueError in words."""
    if text.strip().lower() in _UK:
        return "GB"
    code = text.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError("say yes for the UK, or give a two-letter country code such as IE or US, or leave it empty if not sure")
    return code
