"""Terminal questions for `isp ask` and `isp triage`: every question shows one line of help and
an example, accepts "not sure" (Enter alone, or 0), and answers outside the choices are asked
again with the choices shown. In `isp ask`, `back` (or `<`) returns to the previous question.
Nothing is written until the end: end of input leaves no file and no register row, and Ctrl-C
raises KeyboardInterrupt for the command to offer saving the answers so far."""

from __future__ import annotations

from typing import Any

import click

from ..guided.answers import NOT_SURE, choices, parse_answer
from ..guided.asking import BACK
from ..guided.questions import Question

__all__ = ["BACK", "NOT_SURE", "ask_question", "ask_question_with_back"]

BACK_WORDS = ("back", "<")


def _show(q: Question) -> str:
    lines = [q.text]
    if q.help:
        lines.append(f"  {q.help}")
    if q.example:
        lines.append(f"  For example: {q.example}")
    if q.kind in ("bool", "enum", "enum_list"):
        lines += [f"  {i}) {label}" for i, (label, _) in enumerate(choices(q), 1)]
        lines.append("  0) Not sure")
        if q.kind == "enum_list":
            lines.append("  (several numbers, separated by commas)")
    return "\n".join(lines)


def _parse(q: Question, raw: str, back: bool) -> Any:
    if back and raw.strip().lower() in BACK_WORDS:
        return BACK
    try:
        return parse_answer(q, raw)
    except ValueError as exc:  # click asks again, showing the sentence
        raise click.BadParameter(str(exc)) from None


def _prompt(q: Question, number: int, back: bool) -> Any:
    click.echo("")
    click.echo(f"Q{number}. " + _show(q))
    try:
        return click.prompt("Answer (Enter = not sure)", default="", show_default=False,
                            value_proc=lambda raw: _parse(q, raw, back))
    except click.Abort as exc:  # click turns Ctrl-C and end of input into Abort; tell them apart
        if isinstance(exc.__context__, KeyboardInterrupt):
            raise KeyboardInterrupt from None
        raise


def ask_question(q: Question, number: int) -> Any:
    """Ask until the answer is one of the choices (or "not sure")."""
    return _prompt(q, number, back=False)


def ask_question_with_back(q: Question, number: int) -> Any:
    """As ask_question, and `back` or `<` returns BACK (go to the previous question)."""
    return _prompt(q, number, back=True)
