"""Terminal questions for `isp ask` and `isp triage`: every question accepts "not sure",
answers outside the choices are asked again with the choices shown, and nothing is written
until the end (Ctrl-C or end of input leaves no file and no register row)."""

from __future__ import annotations

from typing import Any

import click

from ..guided.answers import NOT_SURE, choices, parse_answer
from ..guided.questions import Question

__all__ = ["NOT_SURE", "ask_question"]


def _show(q: Question) -> str:
    lines = [q.text]
    if q.kind in ("bool", "enum", "enum_list"):
        lines += [f"  {i}) {label}" for i, (label, _) in enumerate(choices(q), 1)]
        lines.append("  0) Not sure")
        if q.kind == "enum_list":
            lines.append("  (several numbers, separated by commas)")
    else:
        lines.append("  (0 or leave empty if not sure)")
    return "\n".join(lines)


def _parse(q: Question, raw: str) -> Any:
    try:
        return parse_answer(q, raw)
    except ValueError as exc:  # click asks again, showing the sentence
        raise click.BadParameter(str(exc)) from None


def ask_question(q: Question, number: int) -> Any:
    """Ask until the answer is one of the choices (or "not sure")."""
    click.echo("")
    click.echo(f"Q{number}. " + _show(q))
    return click.prompt("Answer", default="", show_default=False, value_proc=lambda raw: _parse(q, raw))
