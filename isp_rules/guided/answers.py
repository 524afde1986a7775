"""Answers to the guided questions, whatever the front end: "not sure", reading a typed answer,
the answers known from a start file, and writing the answers as a scenario file (whose id is
its file name, as loader.scenario_id_for_file gives it).

No terminal or web code here: `isp ask`/`isp triage` (cli/prompts.py) and the web form
(web/forms.py) each ask in their own way and share these.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any, Final

from ..errors import IspError
from ..ruleset import Ruleset
from ..scenario import unprintable
from .questions import Question, country_code

__all__ = ["NOT_SURE", "OutputFileError", "check_output_file", "choices", "parse_answer", "replace_file", "save_scenario", "scenario_yaml", "start_answers"]


class _NotSure:
    """The answer "not sure": the field stays unstated."""

    def __repr__(self) -> str:
        return "NOT_SURE"


NOT_SURE: Final = _NotSure()


MAX_ANSWER = 2000  # the longest text a scenario field holds

_YES_NO = {"y": "true", "yes": "true", "n": "false", "no": "false"}


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
        # A key the terminal sent as text (an arrow key is ESC [ A) or pasted control characters
        # are never what was meant, and a scenario may not hold them: asked again, in words.
        problem = unprintable(raw)
        if problem is not None:
            raise ValueError(f"the answer {problem}")
        if len(raw) > MAX_ANSWER:
            raise ValueError(f"keep the answer under {MAX_ANSWER:,} characters")
        if q.kind == "country":
            return country_code(raw)
        return raw
    if raw in ("0", "") or raw.lower() in ("not sure", "?"):
        return NOT_SURE

    def one(token: str) -> Any:
        token = token.strip()
        if token.isdecimal() and 1 <= int(token) <= len(options):
            return options[int(token) - 1][1]
        # A yes/no offered with its follow-up ("Yes, in confidence: the person agreed"): y or n is
        # the plain yes or no, the follow-up left unstated.
        if q.kind == "enum" and token.lower() in _YES_NO and _YES_NO[token.lower()] in q.labels:
            return _YES_NO[token.lower()]
        for label, value in options:
            if token.lower() in (str(value).lower(), label.lower()) or (
                    q.kind == "bool" and token.lower() in ("y", "n") and value is (token.lower() == "y")):
                return value
        partial = [value for label, value in options if token.lower() in label.lower()]
        if len(partial) == 1:  # "child" for "A child (under 18)"
            return partial[0]
        import difflib

        # A near miss gets the choices it is close to ("North Yorkshire Polce": 3) North Yorkshire
        # Police); a long list is not repeated in full, it is on the screen above the prompt.
        numbered = {label.lower(): f"{i}) {label}" for i, (label, _) in enumerate(options, 1)}
        close = [numbered[m] for m in difflib.get_close_matches(token.lower(), list(numbered), n=3, cutoff=0.6)]
        close += [numbered[label.lower()] for label, _ in options if token.lower() in label.lower()][:3]
        if close:
            raise ValueError(f"{token!r} is not one of the choices; did you mean {' or '.join(dict.fromkeys(close))}?")
        from ..loader import MAX_LISTED  # the choices are listed when there are 25 or fewer, as in a file's problems

        if len(options) > MAX_LISTED:
            raise ValueError(f"{token!r} is not one of the choices: give the number or words of one listed above, "
                             "or 0 for not sure")
        listing = ", ".join(f"{i}) {label}" for i, (label, _) in enumerate(options, 1))
        raise ValueError(f"{token!r} is not one of the choices: {listing}, or 0) Not sure")

    if q.kind == "enum_list":
        return list(dict.fromkeys(one(t) for t in raw.split(",") if t.strip()))
    return one(raw)


def start_answers(start: str | None, ruleset: Ruleset | None = None) -> dict[str, Any]:
    """Answers already known: a (possibly partial) scenario file, validated, as plain data. With
    the `ruleset`, the partners and agreement it names are checked against the directory beside
    those rules too, each unknown id located in the file (ScenarioError)."""
    if not start:
        return {"share": {}}
    from ..assessment import scenario_problems
    from ..errors import ScenarioError
    from ..loader import load_scenario

    scenario = load_scenario(start)
    problems = scenario_problems(scenario, ruleset) if ruleset is not None else []
    if problems:
        raise ScenarioError(problems)
    # Only what the file states: an unstated field (even the default location) stays unknown.
    return scenario.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"expect"})


class OutputFileError(IspError, OSError):
    """An output file that may not or cannot be written where asked. Typed for the library (every
    command's error handler gives one line and exit 1) and an OSError for the callers that catch
    those; `strerror` holds the problem in words."""

    def __init__(self, target: str | os.PathLike[str], problem: str):
        super().__init__(f"cannot write {os.fspath(target)}: {problem}")
        self.target = os.fspath(target)
        self.strerror = problem


def check_output_file(target: str | os.PathLike[str]) -> Path:
    """The target as a Path, if replace_file may write it: a new file in an existing folder, or an
    existing regular file (OutputFileError otherwise). Callers that print before writing check first."""
    if str(target) in ("", "-"):
        # "-" is standard input or output to the commands that take it there; as a file name it
        # would make a file most tools read as standard input.
        raise OutputFileError(Path(str(target) or "''"), "give a file name to write to")
    path = Path(target)
    try:
        found = os.lstat(path)
    except FileNotFoundError:
        found = None
    except OSError as exc:  # a folder on the way that is not one, or one we may not look in
        raise OutputFileError(path, exc.strerror or str(exc)) from None
    if found is not None:
        # Renaming over a device, a pipe or a folder would destroy it (as root, /dev/null would
        # become a file); renaming over a symbolic link replaces the link, not what it points to.
        if stat.S_ISLNK(found.st_mode):
            raise OutputFileError(path, "it is a symbolic link; give the real file's path")
        if stat.S_ISDIR(found.st_mode):
            raise OutputFileError(path, "it is a folder; give a file name")
        if not stat.S_ISREG(found.st_mode):
            raise OutputFileError(path, "it is not a regular file")
    if not path.parent.is_dir():
        raise OutputFileError(path, f"no such folder {str(path.parent)!r}")
    return path


def replace_file(target: str | os.PathLike[str], write: Callable[[Path], object]) -> None:
    """Write a file whole or not at all: `write(tmp_path)` fills a temporary file, which then
    replaces the target in one step, with the permissions a new file would normally get. Only a
    new file or an existing regular file is replaced (check_output_file; OutputFileError otherwise)."""
    path = check_output_file(target)
    try:
        fd, tmp = tempfile.mkstemp(dir=str(path.parent), suffix=".tmp")
    except OSError as exc:
        raise OutputFileError(path, exc.strerror or str(exc)) from None
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
    from ..loader import scenario_id_for_file

    path = Path(target)
    out = {"id": scenario_id_for_file(path), **data}
    replace_file(path, lambda tmp: tmp.write_text(scenario_yaml(out), encoding="utf-8"))
