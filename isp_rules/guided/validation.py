"""The guided questions' own files beside the rules (guided/proposals.yaml, guided/confirmations.yaml)
checked when they are read: each problem one located line with a "did you mean", as the rules and
the directory get, so a slip in them is reported by `isp lint` and before any question is put,
never met half-way through a questionnaire. Every value must be one a scenario may hold: a
proposal or confirmation only fills in answers, which the rules then test like any other.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from ..errors import InputError, Problem, RulesetError, did_you_mean, format_path
from ..yamlfile import DocPath, YamlDoc, read_yaml
from .proposals import CONFIRMATIONS_FILE, PROPOSALS_FILE

__all__ = ["FILES", "check_guided_files", "guided_entries", "guided_problems"]

PROPOSAL_KEYS: dict[str, type] = {"id": str, "purpose": list, "from": list, "to": list, "says": str, "basis": dict, "special": dict,
                 "criminal": dict, "citations": list, "checked": str}
PROPOSAL_REQUIRED = ("id", "purpose", "from", "says", "basis", "citations", "checked")
CONFIRMATION_KEYS: dict[str, type] = {"id": str, "says": str, "asks": str, "sets": dict, "choose": str, "options": list,
                     "citations": list, "checked": str}
CONFIRMATION_REQUIRED = ("id", "says", "sets", "citations", "checked")
CHECKLIST_KEYS: dict[str, type] = {"id": str, "asks": str, "checked": str, "items": list}
ITEM_KEYS: dict[str, type] = {"id": str, "says": str, "sets": dict, "citations": list}
FILES = {PROPOSALS_FILE: ("proposals",), CONFIRMATIONS_FILE: ("confirmations", "checklists")}
TYPE_WORDS: dict[type, str] = {str: "text", list: "a list", dict: "a mapping"}


class _Check:
    def __init__(self, doc: YamlDoc) -> None:
        self.doc = doc
        self.problems: list[Problem] = []

    def add(self, at: DocPath, message: str) -> None:
        self.problems.append(Problem(self.doc.name, self.doc.line(at), format_path(at), message))

    def entry(self, at: DocPath, raw: Any, keys: Mapping[str, type], required: tuple[str, ...]) -> bool:
        """The entry's shape: a mapping, known keys of the right type, the required ones given."""
        if not isinstance(raw, dict):
            self.add(at, "expected a mapping of fields")
            return False
        before = len(self.problems)
        for key, value in raw.items():
            if key not in keys:
                self.add((*at, key), f"unknown field '{key}'{did_you_mean(str(key), list(keys))}")
            elif not isinstance(value, keys[key]) or isinstance(value, str) and not value.strip():
                self.add((*at, key), f"expected {TYPE_WORDS[keys[key]]}")
        unknown = [str(key) for key in raw if key not in keys]
        for key in required:
            # a misspelt key is reported once, as unknown with its "did you mean", not also as missing
            if key not in raw and not any(did_you_mean(other, [key]) for other in unknown):
                self.add((*at, key), "required field is missing")
        if isinstance(raw.get("citations"), list) and not all(
                isinstance(c, dict) and isinstance(c.get("source"), str) and isinstance(c.get("ref"), str)
                for c in raw["citations"]) or raw.get("citations") == []:
            self.add((*at, "citations"), "expected at least one citation, each with a source and a ref")
        return len(self.problems) == before

    def values(self, at: DocPath, given: list, allowed: tuple[str, ...], what: str) -> None:
        for j, value in enumerate(given):
            if value not in allowed:
                self.add((*at, j), f"unknown {what} {value!r}{did_you_mean(str(value), list(allowed))}")

    def answers(self, at: DocPath, sets: dict[str, Any]) -> None:
        """Each {field: value} must be an answer a scenario may hold: the field one of the format's
        and the value one it takes (checked by the scenario model itself)."""
        for field, value in sets.items():
            self.answer((*at, field), str(field), value)

    def answer(self, at: DocPath, field: str, value: Any) -> None:
        from pydantic import ValidationError

        from ..dotted import set_path
        from ..loader import pydantic_problems
        from ..scenario import Scenario

        if not field.startswith("share."):
            self.add(at, f"expected a scenario field such as share.data.minimised, got {field!r}")
            return
        data: dict[str, Any] = {}
        try:
            set_path(data, field, value)
            Scenario.model_validate(data)
        except (TypeError, ValueError) as exc:
            if not isinstance(exc, ValidationError):
                self.add(at, f"not a scenario field: {field}")
                return
            wrong = pydantic_problems(exc, YamlDoc(self.doc.name, data), Scenario)
            self.add(at, f"{wrong[0].path}: {wrong[0].message}" if wrong[0].path != field else wrong[0].message)


def _file_problems(doc: YamlDoc, keys: tuple[str, ...]) -> list[Problem]:
    from ..vocabulary import PARTY_TYPES, PURPOSES

    check = _Check(doc)
    if not isinstance(doc.data, dict):
        check.add((), f"expected a mapping with {' and '.join(repr(k + ':') for k in keys)}")
        return check.problems
    for key in doc.data:
        if key not in keys:
            check.add((key,), f"unknown key '{key}'{did_you_mean(str(key), list(keys))}")
    for key in keys:
        entries = doc.data.get(key)
        if entries is None:
            continue
        if not isinstance(entries, list):
            check.add((key,), "expected a list")
            continue
        seen: dict[str, int] = {}
        for i, raw in enumerate(entries):
            at: DocPath = (key, i)
            spec, required = {"proposals": (PROPOSAL_KEYS, PROPOSAL_REQUIRED),
                              "confirmations": (CONFIRMATION_KEYS, CONFIRMATION_REQUIRED),
                              "checklists": (CHECKLIST_KEYS, ("id", "asks", "checked", "items"))}[key]
            if not check.entry(at, raw, spec, required):
                continue
            ident = raw["id"]
            if ident in seen:
                check.add((*at, "id"), f"duplicate id '{ident}' (first on line {doc.line((key, seen[ident]))})")
            seen.setdefault(ident, i)
            if key == "proposals":
                check.values((*at, "purpose"), raw["purpose"], PURPOSES, "purpose")
                check.values((*at, "from"), raw["from"], PARTY_TYPES, "kind of organisation")
                check.values((*at, "to"), raw.get("to") or [], PARTY_TYPES, "kind of organisation")
                if "article_6" not in raw["basis"]:
                    check.add((*at, "basis"), "required: article_6, the lawful basis proposed")
                for part in ("basis", "special", "criminal"):
                    for field, value in (raw.get(part) or {}).items():
                        check.answer((*at, part, field), f"share.basis.{field}", value)
            elif key == "confirmations":
                check.answers((*at, "sets"), raw["sets"])
                choose = raw.get("choose")
                if choose is None and raw.get("options"):
                    check.add((*at, "options"), "options need `choose`: the field they are values of")
                for j, option in enumerate(raw.get("options") or [] if choose else []):
                    check.answer((*at, "options", j), choose, option)
            else:
                items: dict[str, int] = {}
                for j, item in enumerate(raw["items"]):
                    where: DocPath = (*at, "items", j)
                    if not check.entry(where, item, ITEM_KEYS, ("id", "says", "sets", "citations")):
                        continue
                    if item["id"] in items:
                        check.add((*where, "id"), f"duplicate item id '{item['id']}'")
                    items.setdefault(item["id"], j)
                    check.answers((*where, "sets"), item["sets"])
    return check.problems


def _stamps(rules_dir: str | Path) -> tuple[int, ...]:
    return tuple((Path(rules_dir) / name).stat().st_mtime_ns if (Path(rules_dir) / name).is_file() else -1
                 for name in FILES)


@functools.lru_cache(maxsize=8)
def _read(rules_dir: str, stamps: tuple[int, ...]) -> tuple[tuple[Problem, ...], dict[Path, Any]]:
    """Each guided file read and checked once while unchanged: its problems, and its data by name."""
    problems: list[Problem] = []
    data: dict[Path, Any] = {}
    for name, keys in FILES.items():
        path = Path(rules_dir) / name
        if not path.is_file():
            continue
        try:
            doc = read_yaml(path, str(path))
        except InputError as exc:
            problems += exc.problems
            continue
        problems += _file_problems(doc, keys)
        data[name] = doc.data
    return tuple(problems), data


def guided_problems(rules_dir: str | Path) -> list[Problem]:
    """Every problem in the guided questions' files beside the rules in `rules_dir` (none where a
    file is absent: the questions then propose nothing)."""
    return list(_read(str(rules_dir), _stamps(rules_dir))[0])


def guided_entries(rules_dir: str | Path, name: Path, key: str) -> list[dict[str, Any]]:
    """The entries under `key` in the guided file `name` beside the rules, checked ([] when the file
    is absent); RulesetError, every problem located, when the guided files have any."""
    problems, data = _read(str(rules_dir), _stamps(rules_dir))
    if problems:
        raise RulesetError(list(problems))
    return list((data.get(name) or {}).get(key) or [])


def check_guided_files(rules_dir: str | Path) -> None:
    """RulesetError, every problem located, when the guided files beside the rules have any."""
    problems = guided_problems(rules_dir)
    if problems:
        raise RulesetError(problems)
