"""Answers to the guided questions, whatever the front end: "not sure", reading a typed answer,
the answers known from a start file, naming a scenario, and writing the answers as a scenario file.

No terminal or web code here: `isp ask`/`isp triage` (cli/prompts.py) and the web form
(web/forms.py) each ask in their own way and share these.
"""

from __future__ import annotations

import os
import re
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any, Final

from .questions import Question, country_code

if TYPE_CHECKING:
    from ..scenario import Scenario

__all__ = ["MAX_ID_LENGTH", "NOT_SURE", "choices", "name_after_file", "parse_answer", "replace_file", "save_scenario", "scenario_id",
           "scenario_id_for_file", "scenario_yaml", "start_answers"]


class _NotSure:
    """The answer "not sure": the field stays unstated."""

    def __repr__(self) -> str:
        return "NOT_SURE"


NOT_SURE: Final = _NotSure()

MAX_ID_LENGTH = 120  # the scenario model's limit on an id


def choices(q: Question) -> list[tuple[str, Any]]:
    """The (label, value) choices a question offers, in order; "not sure" is not among them."""
    if q.kind == "bool":
        return [("Yes", True), ("No", False)]
    return [(label, value) for value, label in q.labels.items()]


def parse_answer(q: Question, raw: str) -> Any:
    """A typed answer as a value for the question's field, NOT_SURE, or ValueError saying what to type.

    A choice is given by its number, its value or its label, or by a word found in one label only."""
    raw = raw.strip()
    options = choices(q)
    if q.kind in ("text", "country"):
        if not raw or raw == "0" or raw.lower() in ("not sure", "?", "unknown", "don't know"):
            return NOT_SURE
        if q.kind == "country":
            return country_code(raw)
        return raw
    if raw in ("0", "") or raw.lower() in ("not sure", "?"):
        return NOT_SURE

    def one(token: str) -> Any:
        token = token.strip()
        if token.isdecimal() and 1 <= int(token) <= len(options):
            return options[int(token) - 1][1]
        for label, value in options:
            if token.lower() in (str(value).lower(), label.lower()) or (
                    q.kind == "bool" and token.lower() in ("y", "n") and value is (token.lower() == "y")):
                return value
        partial = [value for label, value in options if token.lower() in label.lower()]
        if len(partial) == 1:  # "child" for "A child (under 18)"
            return partial[0]
        listing = ", ".join(f"{i}) {label}" for i, (label, _) in enumerate(options, 1))
        raise ValueError(f"{token!r} is not one of the choices: {listing}, or 0) Not sure")

    if q.kind == "enum_list":
        return list(dict.fromkeys(one(t) for t in raw.split(",") if t.strip()))
    return one(raw)


def start_answers(start: str | None) -> dict[str, Any]:
    """Answers already known: a (possibly partial) scenario file, validated, as plain data."""
    if not start:
        return {"share": {}}
    from ..loader import load_scenario

    # Only what the file states: an unstated field (even the default location) stays unknown.
    return load_scenario(start).model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"expect"})


def scenario_id(name: str) -> str:
    """A valid scenario id from a file or free name: kebab-case, as the format asks, and no longer
    than the model allows ("Case_123" -> "case-123"; a name with no letter or digit -> "scenario")."""
    kebab = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return kebab[:MAX_ID_LENGTH].rstrip("-") or "scenario"


def scenario_id_for_file(path: str | os.PathLike[str]) -> str:
    """The id a scenario file without one is known by: its file name, as a valid id."""
    return scenario_id(Path(path).stem)


def name_after_file(scenario: Scenario, path: str | os.PathLike[str]) -> Scenario:
    """A scenario that states no id is known by its file's name, as the format says ('-', standard
    input, has none). The name is made a valid id: Case_1.yaml is "case-1"."""
    if scenario.id is not None or str(path) == "-":
        return scenario
    return scenario.model_copy(update={"id": scenario_id_for_file(path)})


def replace_file(target: str | os.PathLike[str], write: Callable[[Path], object]) -> None:
    """Write a file whole or not at all: `write(tmp_path)` fills a temporary file, which then
    replaces the target in one step, with the permissions a new file would normally get."""
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


def scenario_yaml(data: dict[str, Any]) -> str:
    """Answers as scenario-file text in the public format (only what was stated)."""
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def save_scenario(data: dict[str, Any], target: str | os.PathLike[str]) -> None:
    """Write the answers as a scenario file in the public format, whole or not at all."""
    path = Path(target)
    out = {"id": scenario_id_for_file(path), **data}
    replace_file(path, lambda tmp: tmp.write_text(scenario_yaml(out), encoding="utf-8"))
