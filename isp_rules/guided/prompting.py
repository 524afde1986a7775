"""Terminal questions for `isp ask` and `isp triage`: every question accepts "not sure",
answers outside the choices are asked again with the choices shown, and nothing is written
until the end (Ctrl-C or end of input leaves no file and no register row)."""

from __future__ import annotations

import re
from typing import Any

import click

from ..dotted import set_path
from .questions import Question, country_code

__all__ = ["NOT_SURE", "ask_question", "replace_file", "save_scenario", "scenario_id", "scenario_yaml", "set_path"]

NOT_SURE = object()


def _choices(q: Question) -> list[tuple[str, Any]]:
    if q.kind == "bool":
        return [("Yes", True), ("No", False)]
    return [(label, value) for value, label in q.labels.items()]


def _show(q: Question) -> str:
    lines = [q.text]
    if q.kind in ("bool", "enum", "enum_list"):
        lines += [f"  {i}) {label}" for i, (label, _) in enumerate(_choices(q), 1)]
        lines.append("  0) Not sure")
        if q.kind == "enum_list":
            lines.append("  (several numbers, separated by commas)")
    else:
        lines.append("  (0 or leave empty if not sure)")
    return "\n".join(lines)


def _parse(q: Question, raw: str) -> Any:
    raw = raw.strip()
    choices = _choices(q)
    if q.kind in ("text", "country"):
        if not raw or raw == "0" or raw.lower() in ("not sure", "?", "unknown", "don't know"):
            return NOT_SURE
        if q.kind == "country":
            try:
                return country_code(raw)
            except ValueError as exc:
                raise click.BadParameter(str(exc)) from None
        return raw
    if raw in ("0", "") or raw.lower() in ("not sure", "?"):
        return NOT_SURE

    def one(token: str) -> Any:
        token = token.strip()
        if token.isdigit() and 1 <= int(token) <= len(choices):
            return choices[int(token) - 1][1]
        for label, value in choices:
            if token.lower() in (str(value).lower(), label.lower()) or (q.kind == "bool" and token.lower() in ("y", "n") and value is (token.lower() == "y")):
                return value
        partial = [value for label, value in choices if token.lower() in label.lower()]
        if len(partial) == 1:  # "child" for "A child (under 18)"
            return partial[0]
        listing = ", ".join(f"{i}) {label}" for i, (label, _) in enumerate(choices, 1))
        raise click.BadParameter(f"{token!r} is not one of the choices: {listing}, or 0) Not sure")

    if q.kind == "enum_list":
        return list(dict.fromkeys(one(t) for t in raw.split(",") if t.strip()))
    return one(raw)


def ask_question(q: Question, number: int) -> Any:
    """Ask until the answer is one of the choices (or "not sure")."""
    click.echo("")
    click.echo(f"Q{number}. " + _show(q))
    return click.prompt("Answer", default="", show_default=False, value_proc=lambda raw: _parse(q, raw))


def replace_file(target, write) -> None:
    """Write a file whole or not at all: `write(tmp_path)` fills a temporary file, which then
    replaces the target in one step, with the permissions a new file would normally get."""
    import os
    import tempfile
    from pathlib import Path

    path = Path(target)
    fd, tmp = tempfile.mkstemp(dir=str(path.parent) if str(path.parent) else ".", suffix=".tmp")
    os.close(fd)
    try:
        write(Path(tmp))
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600 files
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)


def scenario_id(name: str) -> str:
    """A scenario id (kebab-case, as the format asks) from a file or free name."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-") or "scenario"


def scenario_yaml(data: dict) -> str:
    """Answers as scenario-file text in the public format (only what was stated)."""
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_scenario(data: dict, target: str) -> None:
    """Write the answers as a scenario file in the public format, whole or not at all."""
    from pathlib import Path

    path = Path(target)
    out = {"id": scenario_id(path.stem), **data}
    replace_file(path, lambda tmp: tmp.write_text(scenario_yaml(out), encoding="utf-8"))
