"""Strict loading of scenarios and rulesets: every problem, with file, line and field path.

Loading reads and validates the YAML files; it knows nothing of the engine. Whether a loaded
ruleset fits durable_rules is the compiler's to say (compiler.size_problems), and
assessment.load_ruleset puts the two together. The per-user ruleset cache is here too
(load_ruleset_cached): a pickle keyed by the ruleset's sha256, its directory, a hash of the code
that defines the cached objects, and the loader that filled it; one entry per rules directory. So is the one way a scenario
without an id is named after its file (name_after_file), which every front end and the
authoring tools use.
"""

from __future__ import annotations

import datetime as dt
import gc
import hashlib
import os
import pickle
import re
import sys
import tempfile
import typing
from collections.abc import Callable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any, BinaryIO, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import InputError, Problem, RulesetError, ScenarioError, did_you_mean, format_path
from .facts import FIELDS, power_phrase, power_words
from .ruleset import (
    CONDITIONS_FILE,
    LOCATION_FIELDS,
    AgreementPoint,
    All,
    Condition,
    InForce,
    NamedCondition,
    Power,
    PowerKind,
    Report,
    Rule,
    Ruleset,
    Settlement,
    ShareKind,
    Trigger,
    Where,
    parse_condition,
    placeholders,
)
from .scenario import Scenario, Share, validate_scenario
from .settings import cache_dir, cache_enabled, default_rules_dir
from .vocabulary import NEAR_WORDS, PARTY_TYPES, PURPOSES, Instrument
from .yamlfile import DocPath, YamlDoc, parse_yaml, read_yaml

__all__ = [
    "CONDITIONS_FILE",
    "MAX_ID_LENGTH",
    "META_FILE",
    "POINTS_FILE",
    "POWERS_DIR",
    "cache_entry",
    "code_hash",
    "describe_kind",
    "forget_older",
    "load_ruleset_cached",
    "load_scenario",
    "name_after_file",
    "parse_scenario",
    "power_files",
    "pydantic_problems",
    "read_ruleset",
    "ruleset_digest",
    "ruleset_files",
    "scenario_id",
    "scenario_id_for_file",
    "show_value",
]

META_FILE = "ruleset.yaml"
POINTS_FILE = "agreement-points.yaml"
POWERS_DIR = "powers"  # the catalogue of gateways and powers: one file per topic


# --- pydantic errors in our words -------------------------------------------------------

def _model_at(model: type[BaseModel] | None, loc: Sequence[Any]) -> type[BaseModel] | None:
    """The pydantic model that owns the last element of `loc`, if we can tell."""
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = next((f for n, f in model.model_fields.items() if (f.alias or n) == part), None)
        if field is None:
            return None
        ann = field.annotation
        found: type[BaseModel] | None = None
        stack: list[Any] = [ann]
        while stack:
            a = stack.pop()
            if isinstance(a, type) and issubclass(a, BaseModel):
                found = a
                break
            stack.extend(typing.get_args(a))
        model = found
    return model


_SHARE_FIELDS = {f.alias or n for n, f in Share.model_fields.items()}


def describe_kind(data: Any) -> str:
    """What a file holds instead of the mapping expected, in words (not Python's type names)."""
    return {list: "a list", str: "text", int: "a number", float: "a number", bool: "true or false"}.get(
        type(data), "something else")


def show_value(value: Any) -> str:
    """A value as a problem line quotes it, in the file's own terms rather than Python's: text in
    quotes, true/false, nothing for an empty value, dates as written, lists and mappings as JSON;
    cut to 60 characters."""
    import datetime as dt
    import json

    def plain(node: Any) -> Any:
        if isinstance(node, (dt.date, dt.datetime)):
            return node.isoformat()
        if isinstance(node, dict):
            return {str(k): plain(v) for k, v in node.items()}
        if isinstance(node, (list, tuple, set)):
            return [plain(v) for v in node]
        return node

    try:
        if value is None:
            text = "nothing"
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, (dt.date, dt.datetime)):
            text = value.isoformat()
        elif isinstance(value, (dict, list, tuple, set)):
            text = json.dumps(plain(value), ensure_ascii=False, default=str)
        else:
            text = repr(value)
    except ValueError:  # an integer too long to write in decimal (YAML reads 0x... of any length)
        return "a number far too long"
    return text if len(text) <= 60 else text[:57] + "..."


MAX_LISTED = 25  # an unknown value lists the values allowed when there are at most this many


def _read_as(word: str, value: bool) -> str:
    """YAML reads no, yes, on and off (in any case) as false or true."""
    return f"YAML read `{word}` as {'true' if value else 'false'}"


def suggest_value(word: str, choices: Sequence[str]) -> str:
    """"; did you mean 'x'?" for a vocabulary value: a close spelling, else a word people use
    for one of the values (sftp, benefits), else the values the word begins or is part of
    (serious: serious_or_imminent; email: secure_email or unencrypted_email)."""
    close = did_you_mean(word, choices)
    if close:
        return close
    key = re.sub(r"[\s-]+", "_", word.strip().lower())
    near = [c for c in NEAR_WORDS.get(key, ()) if c in choices]
    if not near and len(key) >= 4:
        near = [c for c in choices if c.startswith(key) or key in c.split("_")]
    if not near or len(near) > 3:
        return ""
    return "; did you mean " + " or ".join(f"'{c}'" for c in near) + "?"


def _unknown_field(name: str, owner: type[BaseModel] | None) -> str:
    """"unknown field 'x'", with a "did you mean" among the fields an author may write (not the
    ones the loader fills in: where the entry was written, LOCATION_FIELDS)."""
    names = [f.alias or n for n, f in owner.model_fields.items() if n not in LOCATION_FIELDS] if owner else []
    return f"unknown field '{name}'{did_you_mean(name, names)}"


# A file's own words for some of pydantic's errors: (error type, location, value) -> message, or
# None for the usual words (the directory words its ids and parties its own way).
Wording = Callable[[str, tuple[Any, ...], Any], "str | None"]


def pydantic_problems(exc: ValidationError, doc: YamlDoc, root: type[BaseModel], prefix: DocPath = (),
                      wording: Wording | None = None) -> list[Problem]:
    """Each of pydantic's errors as one Problem in our words, located in the file."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        value = err.get("input")
        own = wording(kind, loc, value) if wording is not None else None
        if own is not None:
            msg = own
        elif kind == "extra_forbidden":
            owner = _model_at(root, loc[:-1])
            msg = _unknown_field(str(loc[-1]), owner)
            if root is Scenario and len(loc) == 1 and str(loc[0]) in _SHARE_FIELDS:
                msg = f"unknown field '{loc[0]}'; did you mean 'share.{loc[0]}'? (it belongs under share:)"
        elif kind == "missing":
            msg = "required field is missing"
        elif kind == "literal_error":
            choices = re.findall(r"'([^']*)'", err.get("ctx", {}).get("expected", ""))
            listing = ", ".join(choices) if len(choices) <= MAX_LISTED else f"one of {len(choices)} values in the vocabulary"
            word = doc.spelled.get(prefix + loc) if isinstance(value, bool) else None
            if word is not None and word.lower() in choices:
                msg = f"{_read_as(word, value)}; write it in quotes if you meant the word: '{word.lower()}'"
            elif word is not None:
                msg = (f"{_read_as(word, value)}, and '{word}' is not a value here either; expected {listing}"
                       f"{suggest_value(word, choices)}")
            else:
                msg = f"unknown value {show_value(value)}; expected {listing}{suggest_value(str(value), choices)}"
        elif kind == "string_type" and isinstance(value, bool) and (prefix + loc) in doc.spelled \
                and loc[-1:] != ("location",):
            msg = f"{_read_as(doc.spelled[prefix + loc], value)}; write it in quotes if you meant the word"
        elif kind == "bool_type":
            msg = f"expected true or false, got {show_value(value)}"
        elif kind == "string_type" and loc[-1:] == ("location",) and value is None:
            msg = "expected an ISO 3166 alpha-2 country code; leave location out for GB"
        elif kind == "string_type" and loc[-1:] == ("location",) and isinstance(value, bool):
            msg = (f"expected an ISO 3166 alpha-2 country code, got {show_value(value)}: YAML reads NO, YES, ON "
                   "and OFF as true/false, so quote the code, e.g. location: 'NO'")
        elif kind == "string_type":
            msg = f"expected text, got {show_value(value)}"
        elif kind in ("list_type", "tuple_type"):
            msg = f"expected a list, got {show_value(value)}"
        elif kind in ("model_type", "dict_type", "model_attributes_type") and loc[-1:] in (("from",), ("to",)):
            who = "discloser" if loc[-1] == "from" else "recipient"
            hint = (f"write it as {loc[-1]}: {{partner: {value}}}" if isinstance(value, str)
                    else "for example partner: ID (from the partnership's directory), or name: and type:")
            msg = (f"nothing usable is given for the {who}; expected its details ({hint}), or leave "
                   f"'{loc[-1]}:' out if it is not known yet" if value is None
                   else f"expected the {who}'s details, got {show_value(value)}; {hint}")
        elif kind in ("model_type", "dict_type", "model_attributes_type"):
            msg = f"expected a mapping of fields, got {show_value(value)}"
        elif kind.startswith("date"):
            msg = f"expected a date such as 2026-12-01, got {show_value(value)}"
        elif kind == "string_pattern_mismatch":
            name = loc[-1] if loc else ""
            if name == "location":
                msg = f"expected an ISO 3166 alpha-2 country code such as GB, got {show_value(value)}"
            elif name == "id" and root is Scenario:
                msg = f"expected a kebab-case id such as 'police-to-school-child-at-risk', got {show_value(value)}"
            elif name == "id":
                msg = f"expected an id such as 'LB-PA-LEGIT-001' or a snake_case point id, got {show_value(value)}"
            else:
                msg = f"does not match {err.get('ctx', {}).get('pattern')}: {show_value(value)}"
        elif kind == "string_too_short":
            msg = "must not be empty; leave the field out if it is not known"
        elif kind == "too_short":
            msg = "must not be empty" if loc[-1:] != ("citations",) else "at least one citation is required"
        elif kind == "string_too_long":
            msg = "text is too long"
        else:
            msg = f"{err['msg']} (got {show_value(value)})"
        full = prefix + loc
        problems.append(Problem(doc.name, doc.line(full), format_path(full), msg))
    return sorted(problems, key=lambda p: (p.line or 0))


# --- scenarios --------------------------------------------------------------------------

# The fields that name an entry of the partnership's directory, and the blocks around them.
REFERENCE_PATHS = (("share",), ("share", "from"), ("share", "from", "partner"), ("share", "to"),
                   ("share", "to", "partner"), ("share", "governance", "agreement"))


def _scenario_from_doc(doc: YamlDoc) -> Scenario:
    if not isinstance(doc.data, dict):
        raise ScenarioError([Problem(doc.name, doc.line(()), "", f"expected a mapping with 'share:', got {describe_kind(doc.data)}")])
    try:
        scenario = validate_scenario(doc.data)  # pydantic's own validator only for invalid input
    except ValidationError as exc:
        raise ScenarioError(pydantic_problems(exc, doc, Scenario)) from None
    # Remember where the directory references are, so an unknown id found later (when the
    # rules, and so the directory, are known) is reported at its file and line.
    scenario._source = doc.name
    scenario._lines = {".".join(map(str, path)): line for path in REFERENCE_PATHS
                       if (line := doc.line(path)) is not None}
    return scenario


def load_scenario(path: str | Path, name: str | None = None) -> Scenario:
    """Load and validate one scenario file ('-' reads standard input)."""
    try:
        doc = read_yaml(path, name or ("<stdin>" if str(path) == "-" else str(path)))
    except InputError as exc:
        raise ScenarioError(exc.problems) from None
    return _scenario_from_doc(doc)


def parse_scenario(text: str | bytes, name: str = "<text>") -> Scenario:
    """Validate a scenario given as YAML (or JSON) text."""
    try:
        doc = parse_yaml(text, name)
    except InputError as exc:
        raise ScenarioError(exc.problems) from None
    return _scenario_from_doc(doc)


# --- naming a scenario after its file ---------------------------------------------------

MAX_ID_LENGTH = 120  # the scenario model's limit on an id


def scenario_id(name: str) -> str:
    """A valid scenario id from a file or free name: kebab-case, as the format asks, and no longer
    than the model allows ("Case_123" -> "case-123"; a name with no letter or digit -> "scenario")."""
    kebab = re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")
    return kebab[:MAX_ID_LENGTH].rstrip("-") or "scenario"


def scenario_id_for_file(path: str | os.PathLike[str]) -> str:
    """The id a scenario file without one is known by: its file name, as a valid id."""
    return scenario_id(Path(path).stem)


def name_after_file(scenario: Scenario, path: str | os.PathLike[str], *, from_file: bool = True) -> Scenario:
    """A scenario that states no id is known by its file's name, as the format says. The name is
    made a valid id: Case_1.yaml is "case-1". A scenario that came from no file (`from_file`
    false: pasted text) or from '-' (standard input) has no file name, and keeps no id."""
    if scenario.id is not None or not from_file or str(path) == "-":
        return scenario
    return scenario.model_copy(update={"id": scenario_id_for_file(path)})


# --- rulesets ---------------------------------------------------------------------------

_M = TypeVar("_M", bound=BaseModel)


class _Collector:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def at(self, doc: YamlDoc, base: DocPath) -> Report:
        def report(where: Where, message: str) -> None:
            full = base + tuple(where)
            self.problems.append(Problem(doc.name, doc.line(full), format_path(full), message))
        return report

    def model(self, cls: type[_M], data: Any, doc: YamlDoc, base: DocPath) -> _M | None:
        try:
            return cls.model_validate(data)
        except ValidationError as exc:
            self.problems.extend(pydantic_problems(exc, doc, cls, base))
            return None

    def located(self, cls: type[_M], raw: Any, doc: YamlDoc, base: DocPath) -> _M | None:
        """An entry of a ruleset file as its model, with where it was written: the model's
        LOCATION_FIELDS (file, line, and the line of each key), which only the loader fills. An
        author's own `file:`, `line:` or `lines:` is an unknown field like any other; the entry
        is still read without it, so what refers to the entry finds it (no follow-on problems)."""
        if not isinstance(raw, dict):
            return self.model(cls, raw, doc, base)
        before = len(self.problems)
        for key in raw:
            if key in LOCATION_FIELDS:
                at = (*base, key)
                self.problems.append(Problem(doc.name, doc.line(at), format_path(at), _unknown_field(key, cls)))
        own = {key: value for key, value in raw.items() if key not in LOCATION_FIELDS}
        lines = {str(key): doc.line((*base, key)) or 0 for key in own}
        item = self.model(cls, {**own, "file": doc.name, "line": doc.line(base) or 0, "lines": lines}, doc, base)
        self.problems[before:] = sorted(self.problems[before:], key=lambda p: p.line or 0)  # the entry's, by line
        return item

    def name_rules(self, entries: list[tuple[int, object]]) -> None:
        """Name each rule, by the id its entry gives, in the problems found in it (Problem.rule):
        `entries` holds, per entry of a rules file, where its problems start and its id."""
        ends = [start for start, _ in entries[1:]] + [len(self.problems)]
        for (start, rule_id), end in zip(entries, ends, strict=True):
            if rule_id:
                self.problems[start:end] = [replace(p, rule=str(rule_id)) for p in self.problems[start:end]]


def _read(path: Path, shown: str, col: _Collector) -> YamlDoc | None:
    try:
        return read_yaml(path, shown)
    except InputError as exc:
        col.problems.extend(exc.problems)
        return None


def _top(doc: YamlDoc, allowed: dict[str, type], col: _Collector) -> dict[str, Any] | None:
    if not isinstance(doc.data, dict):
        col.problems.append(Problem(doc.name, 1, "", f"expected a mapping with keys {', '.join(allowed)}"))
        return None
    good: dict[str, Any] = {}
    words: dict[type, str] = {str: "text", list: "a list", dict: "a mapping"}
    for key, value in doc.data.items():
        if key not in allowed:
            col.problems.append(Problem(doc.name, doc.line((key,)), str(key), f"unknown key '{key}'{did_you_mean(str(key), allowed)}"))
        elif not isinstance(value, allowed[key]):
            col.problems.append(Problem(doc.name, doc.line((key,)), str(key),
                                        f"expected {words.get(allowed[key], allowed[key].__name__)}, got {show_value(value)}"))
        else:
            good[key] = value
    return good


_Named = TypeVar("_Named", ShareKind, Settlement, Trigger, NamedCondition)


def _load_named(doc: YamlDoc, top: dict[str, Any], key: str, cls: type[_Named], col: _Collector,
                named: Mapping[str, Condition], define: bool = False) -> list[_Named]:
    """The share kinds, settlements or high-risk triggers of the agreement-points file, or (`define`)
    the named conditions, each added to `named` as it is read."""
    out: list[_Named] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(top.get(key, [])):
        base = (key, i)
        item = col.located(cls, raw, doc, base)
        if item is None:
            continue
        report = col.at(doc, base)
        if item.id in seen:
            report(("id",), f"duplicate id '{item.id}' in {key} (also {key}[{seen[item.id]}])")
        seen[item.id] = i
        cond = parse_condition(item.when, ("when",), report, named)
        if cond is not None:
            if define and isinstance(named, dict):
                dict.__setitem__(named, item.id, cond)  # not a lookup: not counted as a use
            out.append(item.model_copy(update={"when": cond}))
    return out


class _Names(dict[str, Condition]):
    """The named conditions, counting how often each is named (parse_condition looks each up once)."""

    def __init__(self) -> None:
        super().__init__()
        self.uses: dict[str, int] = {}
        self.broken = False  # the conditions file had problems: a name it failed to define is not reported again

    def __getitem__(self, name: str) -> Condition:
        self.uses[name] = self.uses.get(name, 0) + 1
        return super().__getitem__(name)


def _load_conditions(doc: YamlDoc, col: _Collector, named: _Names) -> list[NamedCondition]:
    """The ruleset's named conditions: each may use those defined above it (so none refers to itself)."""
    top = _top(doc, {"title": str, "conditions": list}, col)
    return _load_named(doc, top, "conditions", NamedCondition, col, named, define=True) if top is not None else []


def _load_points(doc: YamlDoc, col: _Collector, named: Mapping[str, Condition]
                 ) -> tuple[list[AgreementPoint], list[ShareKind], list[Settlement], list[Trigger]]:
    before = len(col.problems)
    top = _top(doc, {"points": list, "title": str, "share_kinds": list, "settlements": list,
                     "high_risk_triggers": list}, col)
    if top is None or "points" not in top:
        if top is not None and len(col.problems) == before:
            col.problems.append(Problem(doc.name, 1, "points", "required: the list of agreement points"))
        return [], [], [], []
    kinds = _load_named(doc, top, "share_kinds", ShareKind, col, named)
    settlements = _load_named(doc, top, "settlements", Settlement, col, named)
    triggers = _load_named(doc, top, "high_risk_triggers", Trigger, col, named)
    # Ids as written: an entry whose condition failed was reported once, not again where it is named.
    def written(key: str) -> list[str]:
        return [str(raw["id"]) for raw in top.get(key, []) if isinstance(raw, dict) and "id" in raw]
    kind_ids, settlement_ids = written("share_kinds"), written("settlements")
    points: list[AgreementPoint] = []
    seen: dict[str, int] = {}
    for i, raw in enumerate(top["points"]):
        base = ("points", i)
        point = col.located(AgreementPoint, raw, doc, base)
        if point is None:
            continue
        report = col.at(doc, base)
        if point.id in seen:
            report(("id",), f"duplicate agreement point id '{point.id}' (also points[{seen[point.id]}])")
        seen[point.id] = i
        for j, path in enumerate(point.settled_by):
            if path not in FIELDS:
                report(("settled_by", j), f"unknown field '{path}'{did_you_mean(path, FIELDS)}")
        for key in ("applies_to", "except_for", "obligation_for"):
            for j, kind in enumerate(getattr(point, key)):
                if kind not in kind_ids:
                    report((key, j), f"unknown kind of share '{kind}'{did_you_mean(kind, kind_ids)} "
                                     f"(the file's share_kinds: {', '.join(kind_ids) or 'none'})")
        for j, name in enumerate(point.settled_if):
            if name not in settlement_ids:
                report(("settled_if", j), f"unknown settlement '{name}'{did_you_mean(name, settlement_ids)} "
                                          f"(the file's settlements: {', '.join(settlement_ids) or 'none'})")
        if point.obligation_for and not point.standard:
            report(("standard",), "a point that becomes an obligation (obligation_for) needs its standard, in plain words")
        if point.high_risk and not triggers:
            report(("high_risk",), "high_risk needs the file's high_risk_triggers")
        update: dict[str, Any] = {}
        for key in ("applies_when", "urgency_keeps_when"):
            if getattr(point, key) is not None:
                update[key] = parse_condition(getattr(point, key), (key,), report, named)
        answers = []
        for j, ans in enumerate(point.likely_answers):
            if ans.unless is not None:
                ans = ans.model_copy(update={"unless": parse_condition(ans.unless, ("likely_answers", j, "unless"), report, named)})
            for path, value in (ans.sets or {}).items():
                spec = FIELDS.get(path)
                if spec is None:
                    report(("likely_answers", j, "sets", path), f"unknown field '{path}'{did_you_mean(path, FIELDS)}")
                elif spec.derived:
                    report(("likely_answers", j, "sets", path), f"'{path}' is computed; set the fields it comes from")
                elif spec.kind in ("enum", "bool") and not (value in spec.values if spec.kind == "enum" else isinstance(value, bool)):
                    report(("likely_answers", j, "sets", path), f"unknown value {value!r} for '{path}'"
                                                                 f"{did_you_mean(str(value), spec.values)}")
                elif spec.kind == "enum_list" and not (isinstance(value, list) and all(v in spec.values for v in value)):
                    report(("likely_answers", j, "sets", path), f"expected a list of values of '{path}'")
            answers.append(ans)
        update["likely_answers"] = answers
        points.append(point.model_copy(update=update))
    return points, kinds, settlements, triggers


def _is_always(cond: Any) -> bool:
    return isinstance(cond, All) and not cond.items


def _load_rules(doc: YamlDoc, point_ids: set[str] | None, col: _Collector, seen_ids: dict[str, list[Rule]],
                named: Mapping[str, Condition]) -> list[Rule]:
    before = len(col.problems)
    top = _top(doc, {"topic": str, "title": str, "rules": list}, col)
    if top is None:
        return []
    if "rules" not in top:
        if len(col.problems) == before:  # else the misspelt or mistyped key says it already
            col.problems.append(Problem(doc.name, 1, "rules", "required: the list of rules"))
        return []
    rules = []
    entries: list[tuple[int, object]] = []  # where each entry's problems start, and the id it gives
    for i, raw in enumerate(top["rules"]):
        entries.append((len(col.problems), raw.get("id") if isinstance(raw, dict) else None))
        base = ("rules", i)
        report = col.at(doc, base)
        rule = col.located(Rule, raw, doc, base)
        # Checks that need only the raw values run even when the model failed,
        # so one pass reports every problem in the file.
        raw = raw if isinstance(raw, dict) else {}
        cond = parse_condition(raw["when"], ("when",), report, named) if "when" in raw else None
        points = raw.get("points")
        for j, point in enumerate(points if isinstance(points, list) else []):
            if isinstance(point, str) and point_ids is not None and point not in point_ids:
                report(("points", j), f"unknown agreement point '{point}'{did_you_mean(point, point_ids)}")
        message = raw.get("message")
        for name in placeholders(message) if isinstance(message, str) else []:
            if name not in FIELDS:
                report(("message",), f"unknown field '{{{name}}}' in message{did_you_mean(name, FIELDS)}")
        if rule is None:
            continue
        for other in seen_ids.get(rule.id, []):
            # Versions of one rule may share an id when their in-force windows do not overlap.
            if rule.in_force is None or other.in_force is None:
                report(("id",), f"rule id '{rule.id}' is already used in {other.file}:{other.line}; ids are never "
                                "reused, except by versions of one rule with in_force windows that do not overlap")
            elif rule.in_force.overlaps(other.in_force):
                report(("in_force",), f"rule '{rule.id}': in-force dates overlap with its version at {other.file}:{other.line}")
        seen_ids.setdefault(rule.id, []).append(rule)
        if rule.effect == "deny" and not rule.remedy:
            report(("remedy",), "a deny rule must say what would change the outcome (remedy)")
        if rule.effect == "open" and not rule.points:
            report(("points",), "an open rule must name the agreement points it opens")
        if rule.missing_fact and rule.effect != "open":
            report(("missing_fact",), "only an open rule can say it opens a point for a missing fact")
        if rule.defers_paperwork and rule.effect != "ground":
            report(("defers_paperwork",), "only a ground rule can defer paperwork")
        if rule.urgent_when is not None and not rule.defers_paperwork:
            report(("urgent_when",), "only a rule that defers paperwork says when its urgent path applies")
        if rule.in_force and rule.in_force.from_ and rule.in_force.until and rule.in_force.until <= rule.in_force.from_:
            report(("in_force",), "in_force.until must be after in_force.from")
        if rule.commencement is not None and rule.in_force is not None:
            # Its dates come from the one line in ruleset.yaml's commenced: map that switches it on.
            report(("in_force",), f"rule '{rule.id}' waits for commencement {rule.commencement_id}, so it has no "
                                  f"in_force date: give the date with one line under commenced: in {META_FILE}")
        if cond is not None:
            rules.append(rule.model_copy(update={"when": cond}))
    col.name_rules(entries)
    return rules


def _commence(rules: list[Rule], entries: dict[Any, Any], doc: YamlDoc | None, col: _Collector
              ) -> tuple[list[Rule], list[Rule], dict[str, dt.date]]:
    """Apply ruleset.yaml's `commenced:` map (commencement id or rule id -> date in force).

    A rule pending commencement with a date becomes an in-force rule from that date; one with
    none goes to the ruleset's pending list and never fires. A rule that applies only until a
    provision commences stops on that date. One line per provision switches it on."""
    tied = [r for r in rules if r.commencement is not None]
    ids = {r.commencement_id or r.id for r in tied} | {r.id for r in tied}
    commenced: dict[str, dt.date] = {}
    for key, value in entries.items():
        line = doc.line(("commenced", key)) if doc is not None else None
        where = doc.name if doc is not None else META_FILE

        def bad(message: str, where: str = where, line: int | None = line, key: object = key) -> None:
            col.problems.append(Problem(where, line, f"commenced.{key}", message))

        if isinstance(value, str):
            try:
                value = dt.date.fromisoformat(value)
            except ValueError:
                pass
        if not isinstance(key, str) or key not in ids:
            if any(r.id == key for r in rules):
                bad(f"rule '{key}' is not tied to a commencement (it has no commencement: block), "
                    "so it cannot be switched on here")
            else:
                bad(f"'{key}' names no rule pending commencement and no commencement id"
                    f"{did_you_mean(str(key), sorted(ids))}"
                    + ("" if ids else " (no rule has a commencement: block)"))
        elif not isinstance(value, dt.date) or isinstance(value, dt.datetime):
            bad(f"expected the date it comes into force, such as 2027-04-01, got {show_value(value)}")
        else:
            commenced[key] = value
    active: list[Rule] = []
    pending: list[Rule] = []
    for rule in rules:
        if rule.commencement is None:
            active.append(rule)
            continue
        day = commenced.get(rule.id, commenced.get(rule.commencement_id or rule.id))
        if day is None:
            (pending if rule.commencement.status == "pending" else active).append(rule)
            continue
        window = {"from": day} if rule.commencement.status == "pending" else {"until": day}
        active.append(rule.model_copy(update={"in_force": InForce.model_validate(window)}))
    return active, pending, commenced


def ruleset_files(directory: Path) -> list[Path]:
    """The ruleset's YAML files (rules, ruleset.yaml and the agreement points), by name."""
    return sorted(p for p in directory.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file())


def power_files(directory: Path) -> list[Path]:
    """The catalogue's files: every YAML file in the ruleset's powers/ folder."""
    folder = directory / POWERS_DIR
    return ruleset_files(folder) if folder.is_dir() else []


def ruleset_digest(directory: Path) -> str:
    """sha256 over every YAML file's name and bytes (the catalogue of powers included): the
    identity printed with each decision."""
    digest = hashlib.sha256()
    for path in ruleset_files(directory):
        digest.update(path.name.encode() + b"\0" + path.read_bytes() + b"\0")
    for path in power_files(directory):
        digest.update(f"{POWERS_DIR}/{path.name}".encode() + b"\0" + path.read_bytes() + b"\0")
    return digest.hexdigest()


POWER_KEYS = ("id", "statute", "section", "names", "permits", "kind", "who", "to", "written", "instrument", "purposes", "citations",
              "pending", "in_force")


def _power_key(power: Power) -> str:
    """Statute and section in normal form, so 'Children Act 1989 s47' and '... section 47' are one power."""
    section = power.section.split("(")[0]  # s47(9)-(11) is still s47
    return f"{power_words(power.statute).strip()} | {power_words(section).strip()}"


def _load_powers(docs: list[YamlDoc], col: _Collector) -> list[Power]:
    """Every entry of the catalogue, typed, with one clear line per problem: an entry without a
    citation, a duplicate (same id, or same statute and section), an unknown party type in
    `who`, an unknown purpose in `purposes`, an unknown kind."""
    powers: list[Power] = []
    by_id: dict[str, Power] = {}
    by_key: dict[str, Power] = {}
    for doc in docs:
        top = _top(doc, {"powers": list, "title": str, "topic": str}, col)
        if top is None:
            continue
        if "powers" not in top:
            if isinstance(doc.data, dict) and "powers" not in doc.data:
                col.problems.append(Problem(doc.name, 1, "powers", "required: the list of powers"))
            continue
        for i, raw in enumerate(top["powers"]):
            base = ("powers", i)
            report = col.at(doc, base)
            if not isinstance(raw, dict):
                report((), f"expected a catalogue entry (a mapping with {', '.join(POWER_KEYS)}), got {show_value(raw)}")
                continue
            name = raw.get("id") if isinstance(raw.get("id"), str) else f"powers[{i}]"
            problems_before = len(col.problems)
            # The checks a reader most needs, in plain words, before the model's own.
            if not raw.get("citations"):
                report(("citations",), f"entry {name}: expected at least one citation (source and ref) for the power")
            kinds: tuple[PowerKind, ...] = typing.get_args(PowerKind)
            if "kind" in raw and raw["kind"] not in kinds:
                report(("kind",), f"entry {name}: unknown kind {show_value(raw['kind'])}; expected "
                                  f"{', '.join(kinds)}{did_you_mean(str(raw['kind']), kinds)}")
            for key in ("who", "to"):  # discloser and recipient party types
                listed = raw.get(key)
                for j, party in enumerate(listed if isinstance(listed, list) else []):
                    if party not in PARTY_TYPES:
                        report((key, j), f"entry {name}: unknown party type {show_value(party)} in {key}"
                                         f"{did_you_mean(str(party), PARTY_TYPES)}")
            instrument = raw.get("instrument")
            if instrument is not None and instrument not in typing.get_args(Instrument):
                report(("instrument",), f"entry {name}: unknown request instrument {show_value(instrument)}"
                                        f"{did_you_mean(str(instrument), typing.get_args(Instrument))}")
            purposes = raw.get("purposes")
            for j, purpose in enumerate(purposes if isinstance(purposes, list) else []):
                if purpose not in PURPOSES:
                    report(("purposes", j), f"entry {name}: unknown purpose {show_value(purpose)} in purposes"
                                            f"{did_you_mean(str(purpose), PURPOSES)}")
            if len(col.problems) > problems_before:
                continue
            power = col.located(Power, raw, doc, base)
            if power is None:
                continue
            match = []
            for j, phrase in enumerate(power.names):
                normal = power_phrase(phrase)
                if not all(normal.split(" + ")):
                    report(("names", j), f"entry {name}: expected a phrase with at least one letter or digit "
                                         f"in each part, got {show_value(phrase)}")
                match.append(normal)
            # The statute and section always name the entry ("children act 1989 + s 47").
            match.append(power_phrase(f"{power.statute} + {power.section.split('(')[0]}"))
            power = power.model_copy(update={"match": tuple(dict.fromkeys(m for m in match if all(m.split(" + "))))})
            if power.id in by_id:
                other = by_id[power.id]
                report(("id",), f"entry {power.id}: duplicate power id, already used at {other.file}:{other.line}; "
                                "ids are unique across the catalogue")
                continue
            key = _power_key(power)
            if key in by_key:
                other = by_key[key]
                report(("section",), f"entry {power.id}: duplicate power: {power.label} is already entry {other.id} "
                                     f"at {other.file}:{other.line}; add its names there instead")
                continue
            by_id[power.id], by_key[key] = power, power
            powers.append(power)
    return powers


def read_ruleset(directory: str | os.PathLike[str] | None = None) -> Ruleset:
    """Load, validate and hash every YAML file of a ruleset directory (default: settings.default_rules_dir).

    Raises RulesetError with every problem found. Whether the rules fit durable_rules is checked
    after loading, by the compiler: assessment.load_ruleset does both."""
    directory = Path(directory) if directory is not None else default_rules_dir()
    col = _Collector()
    if not directory.is_dir():
        raise RulesetError([Problem(str(directory), None, "", "not a directory of rulesets")])
    files = ruleset_files(directory)

    def shown(p: Path) -> str:
        return str(p) if not str(p).startswith(str(Path.cwd()) + os.sep) else str(p.relative_to(Path.cwd()))

    meta_path = directory / META_FILE
    meta: dict[str, Any] = {}
    meta_doc: YamlDoc | None = None
    if not meta_path.is_file():
        col.problems.append(Problem(shown(meta_path), None, "", "missing: the ruleset needs name and version here"))
    else:
        doc = _read(meta_path, shown(meta_path), col)
        if doc is not None:
            meta = _top(doc, {"name": str, "version": str, "title": str, "commenced": dict}, col) or {}
            meta_doc = doc
            for key in ("name", "version"):
                if isinstance(doc.data, dict) and key not in doc.data:
                    col.problems.append(Problem(doc.name, 1, key, "required"))

    # Named conditions come first: the agreement points and the rules may name them.
    conditions: list[NamedCondition] = []
    named = _Names()
    conditions_path = directory / CONDITIONS_FILE
    if conditions_path.is_file():
        before = len(col.problems)
        doc = _read(conditions_path, shown(conditions_path), col)
        if doc is not None:
            conditions = _load_conditions(doc, col, named)
        named.broken = len(col.problems) > before

    points_path = directory / POINTS_FILE
    points: list[AgreementPoint] = []
    kinds: list[ShareKind] = []
    settlements: list[Settlement] = []
    triggers: list[Trigger] = []
    points_broken = True
    if not points_path.is_file():
        col.problems.append(Problem(shown(points_path), None, "", "missing: the agreement points (Appendix J) file"))
    else:
        before = len(col.problems)
        doc = _read(points_path, shown(points_path), col)
        if doc is not None:
            points, kinds, settlements, triggers = _load_points(doc, col, named)
        points_broken = len(col.problems) > before
    # None: unknown, so as not to bury the real problem under follow-on errors.
    point_ids = None if points_broken else {p.id for p in points}

    rules: list[Rule] = []
    seen_ids: dict[str, list[Rule]] = {}
    topics: dict[str, str] = {}  # rule file name -> its own `title:`, the topic in plain words
    for path in files:
        if path.name in (META_FILE, POINTS_FILE, CONDITIONS_FILE, "ruleset.yml", "agreement-points.yml", "conditions.yml"):
            continue
        doc = _read(path, shown(path), col)
        if doc is not None:
            rules += _load_rules(doc, point_ids, col, seen_ids, named)
            if isinstance(doc.data, dict) and isinstance(doc.data.get("title"), str):
                topics[path.name] = doc.data["title"]
    rules, pending, commenced = _commence(rules, meta.get("commenced", {}), meta_doc, col)
    power_docs = [d for d in (_read(p, shown(p), col) for p in power_files(directory)) if d is not None]
    powers = _load_powers(power_docs, col)
    if not col.problems and not any(r.effect == "obligation" and _is_always(r.when) and r.in_force is None for r in rules):
        # Verdict semantics 5: every decision carries the obligation to record it.
        col.problems.append(Problem(str(directory), None, "", "no unconditional obligation rule (when: {all: []}) to record every decision"))
    if col.problems:
        raise RulesetError(col.problems)
    return Ruleset(
        name=meta["name"], version=meta["version"], title=meta.get("title"),
        rules=tuple(rules), points=tuple(points), kinds=tuple(kinds), settlements=tuple(settlements),
        triggers=tuple(triggers), powers=tuple(powers), pending=tuple(pending), commenced=commenced,
        sha256=ruleset_digest(directory), source=str(directory), topics=topics,
        conditions=tuple(c.model_copy(update={"uses": named.uses.get(c.id, 0)}) for c in conditions),
    )


# --- the per-user cache of validated rulesets -------------------------------------------
#
# So `isp check` does not re-validate unchanged rules. The key is the ruleset's sha256, a hash
# of the code that defines the cached objects, and the loader that filled the entry, so an
# edited rule file, an upgraded isp-rules or another loader never reads a stale entry (a
# ruleset read without the compiler's size check is never served to assessment.load_ruleset).
# The cache is an optimisation only: any problem reading or writing it falls back to a full
# load. Where it lives, and how to turn it off: settings.py (cache_dir, cache_enabled).
# Each rules directory has its own slot (cache_entry), so two checkouts of the same rules do not
# evict each other, and a new entry replaces the old one of its directory (forget_older), so the
# folder does not grow with every edit. assessment.py keeps the compiled rules in the same way.

# Every module whose code defines what is cached: the ruleset models and conditions
# (ruleset.py), how they are loaded and checked (loader.py, compiler.py, yamlfile.py), the
# fields and phrases they refer to (facts.py, scenario.py, vocabulary.py), and the engine's form
# of the compiled rules (engine.py: engine.prepare).
MODEL_SOURCES = ("ruleset.py", "loader.py", "compiler.py", "yamlfile.py", "facts.py", "scenario.py", "vocabulary.py",
                 "engine.py")


def code_hash() -> str:
    """A hash of the code that defines what the cache holds (MODEL_SOURCES) and of Python's version."""
    here = Path(__file__).resolve().parent
    digest = hashlib.sha256(sys.version.encode())
    for name in MODEL_SOURCES:
        digest.update((here / name).read_bytes())
    return digest.hexdigest()[:16]


_code_hash = code_hash


def _loader_hash(load: Callable[[Path], Ruleset]) -> str:
    """Which loader filled an entry: read_ruleset alone, or assessment.load_ruleset with the
    compiler's check that durable_rules can take every condition."""
    name = f"{getattr(load, '__module__', '?')}.{getattr(load, '__qualname__', repr(load))}"
    return hashlib.sha256(name.encode()).hexdigest()[:8]


def cache_entry(directory: Path, sha256: str, what: str, suffix: str) -> Path:
    """Where the cache keeps `what` for the rules in `directory` with this content: one slot per
    rules directory and content, so two checkouts of the same rules do not evict each other."""
    place = hashlib.sha256(str(directory).encode()).hexdigest()[:12]
    return cache_dir() / f"{what}-{sha256[:32]}-{place}-{code_hash()}{suffix}"


def forget_older(entry: Path) -> None:
    """Remove the entries this one replaces: the same directory's, for other content or code.
    The cache holds one slot per rules directory, not every version ever loaded."""
    what, _, place, _ = entry.stem.split("-", 3)
    try:
        for old in entry.parent.glob(f"{what}-*-{place}-*{entry.suffix}"):
            if old != entry and old.stem.split("-", 3)[2] == place and old.stat().st_uid == os.getuid():
                old.unlink(missing_ok=True)
    except OSError:
        pass


def _unpickle(handle: BinaryIO) -> Any:
    """pickle.load without the garbage collector: unpickling makes thousands of objects and no
    garbage, so each collection it would set off finds nothing to free (at 1,000 rules they
    cost as much as the unpickling itself)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        return pickle.load(handle)
    finally:
        if enabled:
            gc.enable()


def load_ruleset_cached(directory: Path, load: Callable[[Path], Ruleset]) -> Ruleset:
    """`load(directory)`, remembered per user between runs, apart for each loader: an entry one
    loader filled is never served to another (read_ruleset does not check what the compiler does).
    Only a ruleset that loads is cached: `load` raises on a bad one, and then nothing is written."""
    if not cache_enabled():
        return load(directory)
    sha = ruleset_digest(directory)
    path = cache_entry(directory, sha, f"ruleset{_loader_hash(load)}", ".pickle")
    try:
        # Only a file this user owns is trusted: unpickling runs code.
        if path.is_file() and path.stat().st_uid == os.getuid():
            with open(path, "rb") as handle:
                cached = _unpickle(handle)
            if isinstance(cached, Ruleset) and cached.sha256 == sha and cached.source == str(directory):
                return cached
    except Exception:  # noqa: BLE001, S110  (a corrupt or foreign entry: ignore it and rebuild)
        pass
    ruleset = load(directory)  # raises RulesetError on bad rules; nothing is cached then
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=path.parent, delete=False, suffix=".tmp") as temp:
            pickle.dump(ruleset, temp, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(temp.name, path)  # atomic: readers see the old entry or the new one
    except OSError:
        pass
    else:
        forget_older(path)
    return ruleset
