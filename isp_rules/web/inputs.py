"""A scenario from an HTTP body or form field, with the same problems (field path, line, did you
mean) the CLI gives for a file. Nothing here decides anything."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from ..errors import Problem, ScenarioError, format_path
from ..loader import parse_scenario, pydantic_problems
from ..scenario import Scenario, unprintable
from ..yamlfile import MAX_BYTES, MAX_DEPTH, YamlDoc, parse_yaml

__all__ = [
    "MAX_BYTES",
    "json_from_body",
    "nesting_depth",
    "problem_json",
    "scenario_from_data",
    "scenario_from_json",
    "scenario_from_yaml",
    "unprintable_problems",
]

YAML_TYPES = ("application/yaml", "application/x-yaml", "text/yaml", "text/x-yaml")


def scenario_from_data(data: Any, raw: bytes | str | None, name: str, *, clean: bool = False) -> Scenario:
    """Validate parsed data; on failure re-read `raw` as YAML (JSON is YAML) to give each problem its line.
    `clean`: the caller has already found no unprintable character in it (scenario_from_json)."""
    if not isinstance(data, dict):
        raise ScenarioError([Problem(name, 1, "", f"expected a JSON object with 'share', got {type(data).__name__}")])
    unprintables = [] if clean else unprintable_problems(data, name)
    if unprintables:
        raise ScenarioError(unprintables)
    try:
        # pydantic's own validator: built once in a server, it is faster warm than the loader's
        # walk (scenario.validate_scenario), which spares a cold start building it.
        scenario = Scenario.model_validate(data)
    except ValidationError as exc:
        doc = YamlDoc(name, data)
        if raw is not None:
            try:
                doc = parse_yaml(raw, name)
            except Exception:  # noqa: BLE001, S110  (lines are a courtesy; the problems themselves are what matter)
                pass
        raise ScenarioError(pydantic_problems(exc, doc, Scenario)) from None
    return scenario


def scenario_from_yaml(raw: bytes | str, name: str) -> Scenario:
    """A scenario from YAML text, exactly as `isp check` reads a file (a date given as a number
    is refused by the model itself, as in a file)."""
    return parse_scenario(raw, name)


def unprintable_problems(data: Any, name: str) -> list[Problem]:
    """Each text that holds a character no field may hold (a control character, U+FFFE/U+FFFF,
    half a surrogate pair): it can hide or forge words in what a person reads, and breaks the
    Word downloads. The YAML reader refuses them in a file; JSON does not pass through it."""
    problems = []
    stack: list[tuple[Any, tuple[str | int, ...]]] = [(data, ())]
    while stack:
        node, path = stack.pop()
        if isinstance(node, dict):
            stack.extend((value, (*path, str(key))) for key, value in node.items())
        elif isinstance(node, list):
            stack.extend((value, (*path, i)) for i, value in enumerate(node))
        elif isinstance(node, str) and (problem := unprintable(node)) is not None:
            problems.append(Problem(name, None, format_path(path), problem))
    return sorted(problems, key=lambda p: p.path)


class _DuplicateKey(ValueError):
    pass


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(f"duplicate key {key!r}: each field may appear once")
        seen[key] = value
    return seen


def json_from_body(raw: bytes, name: str = "request body") -> tuple[Any, bool]:
    """A JSON body read strictly: at most MAX_BYTES, UTF-8, no key twice (the last would win
    unseen: a sign-off's verdict, who decided), no number too long to write out, nested at most
    MAX_DEPTH deep. Returns the data and whether every text in it is free of unprintable
    characters (one walk). ScenarioError with one plain problem otherwise."""
    if len(raw) > MAX_BYTES:
        raise ScenarioError([Problem(name, None, "", f"larger than {MAX_BYTES:,} bytes")])
    try:
        data = json.loads(raw, object_pairs_hook=_no_duplicates)
    except json.JSONDecodeError as exc:
        raise ScenarioError([Problem(name, exc.lineno, "", f"malformed JSON: {exc.msg} (column {exc.colno})")]) from None
    except UnicodeDecodeError:
        raise ScenarioError([Problem(name, None, "", "not UTF-8 text")]) from None
    except _DuplicateKey as exc:
        raise ScenarioError([Problem(name, None, "", str(exc))]) from None
    except RecursionError:
        raise ScenarioError([Problem(name, None, "", NESTED)]) from None
    except ValueError:  # Python reads at most 4,300 digits of an integer
        raise ScenarioError([Problem(name, None, "", "a number far too long: no field takes one")]) from None
    depth, clean = _scan(data)
    if depth > MAX_DEPTH:
        raise ScenarioError([Problem(name, None, "", NESTED)])
    return data, clean


def scenario_from_json(raw: bytes, name: str = "request body") -> Scenario:
    data, clean = json_from_body(raw, name)
    return scenario_from_data(data, raw, name, clean=clean)


NESTED = f"nested more than {MAX_DEPTH} levels deep; a scenario is far shallower"


def nesting_depth(data: Any) -> int:
    """How deeply lists and objects nest (iteratively: no recursion for hostile input)."""
    deepest, stack = 0, [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, (dict, list)):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in (node.values() if isinstance(node, dict) else node))
    return deepest


def _scan(data: Any) -> tuple[int, bool]:
    """nesting_depth, and whether every text is free of unprintable characters, in one walk
    (iteratively: no recursion for hostile input). Where a text is not clean,
    unprintable_problems finds each one with its field path."""
    deepest, texts, stack = 0, [], [(data, 1)]
    while stack:
        node, depth = stack.pop()
        if isinstance(node, dict):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth, False
            stack.extend((value, depth + 1) for value in node.values())
        elif isinstance(node, list):
            deepest = max(deepest, depth)
            if depth > MAX_DEPTH:
                return depth, False
            stack.extend((child, depth + 1) for child in node)
        elif isinstance(node, str):
            texts.append(node)
    # One search over every text: the characters refused are single characters, and the space
    # between texts is not one of them, so this finds one exactly when some text holds one.
    return deepest, unprintable(" ".join(texts)) is None


def problem_json(p: Problem) -> dict[str, Any]:
    out: dict[str, Any] = {"path": p.path, "msg": p.message}
    if p.line is not None:
        out["line"] = p.line
    out["problem"] = str(p)
    return out
