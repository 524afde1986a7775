"""Strict, bounded YAML reading that remembers where every value came from.

Scenario and ruleset files are written by people and read by a tool that gives
legal answers, so the reader refuses anything ambiguous rather than guessing:
duplicate keys, aliases (which can hide a "billion laughs" expansion), files
over 1 MB, binary files and empty files are all errors with a line number.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import InputError, Problem

__all__ = ["MAX_BYTES", "DocPath", "YamlDoc", "parse_yaml", "read_yaml"]

MAX_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64

DocPath = tuple[str | int, ...]  # keys and indexes from the document's root, e.g. ("rules", 3, "when")

_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}

try:  # libyaml is several times faster; the pure-Python loader gives the same nodes.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


@dataclass
class YamlDoc:
    """A parsed document plus the line of every path in it (1-based)."""

    name: str
    data: Any
    lines: dict[DocPath, int] = field(default_factory=dict)
    # How each unquoted true/false value was written (no, Yes, off...): YAML reads these words as
    # booleans, so an error about one can say which word it was.
    spelled: dict[DocPath, str] = field(default_factory=dict)

    def line(self, path: Sequence[str | int]) -> int | None:
        """The line of `path`, or of its nearest ancestor that has one."""
        at = tuple(path)
        while at:
            if at in self.lines:
                return self.lines[at]
            at = at[:-1]
        return self.lines.get((), None)


def read_yaml(path: str | Path, name: str | None = None) -> YamlDoc:
    """Read a YAML file from disk (or '-' for stdin) with every safety check."""
    import sys

    shown = name or str(path)
    try:
        if str(path) == "-":
            raw = sys.stdin.buffer.read(MAX_BYTES + 1)
        else:
            with open(path, "rb") as handle:
                raw = handle.read(MAX_BYTES + 1)
    except FileNotFoundError:
        raise InputError([Problem(shown, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(shown, None, "", "is a directory, expected a YAML file")]) from None
    except OSError as exc:
        raise InputError([Problem(shown, None, "", f"cannot read: {exc.strerror}")]) from None
    return parse_yaml(raw, shown)


def parse_yaml(raw: bytes | str, name: str) -> YamlDoc:
    """Parse YAML text or bytes into a YamlDoc, or raise InputError."""
    if isinstance(raw, str):
        raw = raw.encode("utf-8")
    if len(raw) > MAX_BYTES:
        raise InputError([Problem(name, None, "", f"file is larger than {MAX_BYTES:,} bytes; a scenario or ruleset is far smaller")])
    if b"\x00" in raw:
        raise InputError([Problem(name, None, "", "binary file (contains NUL bytes), expected YAML text")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(name, None, "", f"not UTF-8 text (bad byte at offset {exc.start}), expected YAML")]) from None
    if not text.strip() or all(not ln.strip() or ln.lstrip().startswith("#") for ln in text.splitlines()):
        raise InputError([Problem(name, 1, "", "file is empty, expected a YAML mapping")])

    loader = _Loader(text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        line, message = _plain_error(exc, text)
        raise InputError([Problem(name, line, "", message)]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, None, "", f"not valid YAML: {exc}")]) from None
    finally:
        loader.dispose()
    if node is None or (isinstance(node, ScalarNode) and node.value == "" and node.tag.endswith(":null")):
        raise InputError([Problem(name, 1, "", "file is empty, expected a YAML mapping")])

    builder = _Builder(name)
    data = builder.build(node, ())
    if builder.problems:
        raise InputError(builder.problems)
    return YamlDoc(name, data, builder.lines, builder.spelled)


def _plain_error(exc: yaml.MarkedYAMLError, text: str) -> tuple[int | None, str]:
    """The parser's error as (line, one plain sentence), at the line where the mistake is.

    The parser reports where it gave up, which is often a line after the mistake (a key
    without its colon is only noticed at the next key), and in its own terms ("mapping
    values are not allowed in this context"); the commonest mistakes are named instead.
    """
    lines = text.splitlines()
    problem = exc.problem or ""
    pm, cm = exc.problem_mark, exc.context_mark

    def at(mark: Any) -> str:
        return lines[mark.line] if mark is not None and mark.line < len(lines) else ""

    # A tab used to indent (libyaml and PyYAML word it differently, or not at all).
    if pm is not None:
        tab = _tab_before(lines, pm.line, pm.column)
        if tab is not None and ("tab" in problem or "\t" in problem or "cannot start any token" in problem
                                or "expected key" in problem or "block end" in problem):
            row, col = tab
            return row + 1, f"a tab character at line {row + 1}, column {col + 1}: indent with spaces"
    if problem.startswith("mapping values are not allowed") and pm is not None:
        here = at(pm)
        if re.match(r"\s*(- +)?[^\s#'\"][^:#]*:\s", here[: pm.column]):
            return pm.line + 1, (f"a value with ': ' in it at line {pm.line + 1}, column {pm.column + 1}: "
                                 "put the whole value in quotes")
        before = _previous_content_line(lines, pm.line)
        if before is not None:
            prev = lines[before]
            if ":" not in prev and not prev.lstrip().startswith("- "):
                return before + 1, _no_colon(before, prev)
            if _indent(here) > _indent(prev):
                return pm.line + 1, (f"line {pm.line + 1} is indented more than the line above it: "
                                     "keys at the same level need the same number of spaces")
    if "could not find expected ':'" in problem and cm is not None:
        return cm.line + 1, _no_colon(cm.line, at(cm))
    if exc.context == "while scanning a quoted scalar" and cm is not None:
        return cm.line + 1, f"a quote opened at line {cm.line + 1}, column {cm.column + 1} is never closed"
    if exc.context in ("while parsing a flow sequence", "while parsing a flow mapping") and cm is not None \
            and ("expected ','" in problem or "end of stream" in problem):
        opened, closer = ("[", "]") if "sequence" in exc.context else ("{", "}")
        return cm.line + 1, (f"a '{opened}' opened at line {cm.line + 1}, column {cm.column + 1} "
                             f"is not closed with '{closer}'")
    if pm is not None and ("expected key" in problem or "block end" in problem or "'-' indicator" in problem):
        return pm.line + 1, (f"line {pm.line + 1} is not lined up with the lines around it: "
                             "keys at the same level need the same number of spaces")
    mark = pm or cm
    if mark is None:
        return None, f"not valid YAML: {problem or exc}"
    return mark.line + 1, f"not valid YAML at line {mark.line + 1}, column {mark.column + 1}: {problem or exc}"


def _tab_before(lines: list[str], row: int, column: int) -> tuple[int, int] | None:
    """(row, column) of the tab in the indentation the parser stopped at, if one is there."""
    for r in range(min(row, len(lines) - 1), max(row - 2, -1), -1):
        line = lines[r]
        if r == row and column < len(line) and line[column] == "\t":
            return r, column
        lead = line[: len(line) - len(line.lstrip(" \t"))]
        if "\t" in lead:
            return r, lead.index("\t")
    return None


def _previous_content_line(lines: list[str], row: int) -> int | None:
    for r in range(row - 1, -1, -1):
        stripped = lines[r].strip()
        if stripped and not stripped.startswith("#"):
            return r
    return None


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip(" "))


def _no_colon(row: int, line: str) -> str:
    shown = line.strip()
    shown = shown if len(shown) <= 40 else shown[:37] + "..."
    return f"line {row + 1} has no ':' after its key ('{shown}'): write it as key: value"


class _Builder:
    """Turns a node tree into plain Python values, recording lines and problems."""

    def __init__(self, name: str) -> None:
        self.name = name
        self.lines: dict[DocPath, int] = {}
        self.spelled: dict[DocPath, str] = {}
        self.problems: list[Problem] = []
        self.seen: set[int] = set()
        self.alias_seen = False
        self.too_big = False
        self.count = 0
        self.constructor = SafeConstructor()

    def problem(self, node: Any, path: DocPath, message: str) -> None:
        from .errors import format_path

        self.problems.append(Problem(self.name, node.start_mark.line + 1, format_path(path), message))

    def build(self, node: Any, path: DocPath, depth: int = 0) -> Any:
        self.count += 1
        if self.count > MAX_NODES or depth > MAX_DEPTH:
            if not self.too_big:  # said once, at the top-level key where it happened
                self.too_big = True
                self.problem(node, path[:1], f"document is too large or nested more than {MAX_DEPTH} levels deep")
            return None
        if id(node) in self.seen:
            # An alias: the composer hands back the anchored node again. Said once per file,
            # since a "billion laughs" file would otherwise produce a flood of lines.
            if not self.alias_seen:
                self.alias_seen = True
                self.problem(node, path, "YAML anchors and aliases (&name, *name) are not allowed; write the values out")
            return None
        self.seen.add(id(node))
        self.lines.setdefault(path, node.start_mark.line + 1)
        if isinstance(node, ScalarNode):
            value = self.scalar(node, path)
            if isinstance(value, bool) and not node.style:  # plain (libyaml says "", PyYAML None)
                self.spelled[path] = node.value
            return value
        if node.tag not in _PLAIN_TAGS:  # e.g. !!python/object: never honoured, so refused
            self.problem(node, path, f"YAML tags ({node.tag}) are not allowed")
            return None
        if isinstance(node, SequenceNode):
            return [self.build(item, path + (i,), depth + 1) for i, item in enumerate(node.value)]
        if isinstance(node, MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if not isinstance(key_node, ScalarNode):
                    self.problem(key_node, path, "mapping keys must be plain words")
                    continue
                if key_node.tag == "tag:yaml.org,2002:merge":
                    self.problem(key_node, path, "YAML merge keys (<<) are not allowed; write the keys out")
                    continue
                key = self.scalar(key_node, path)
                if not isinstance(key, str):
                    self.problem(key_node, path, f"keys must be words, got {key_node.value!r}; quote it if it is meant as text")
                    continue
                if key in out:
                    self.problem(key_node, path + (key,), f"duplicate key '{key}' (first given on line {self.lines.get(path + (key,), '?')})")
                    continue
                self.lines[path + (key,)] = key_node.start_mark.line + 1
                out[key] = self.build(value_node, path + (key,), depth + 1)
            return out
        self.problem(node, path, "unsupported YAML node")  # pragma: no cover
        return None

    def scalar(self, node: Any, path: DocPath) -> Any:
        try:
            return self.constructor.construct_object(node)
        except yaml.YAMLError as exc:
            self.problem(node, path, f"bad value: {getattr(exc, 'problem', None) or exc}")
        except ValueError as exc:  # e.g. 2026-02-30: looks like a date, is not one
            what = "not a valid date" if node.tag.endswith(":timestamp") else "not a valid value"
            self.problem(node, path, f"{what}: {node.value} ({exc})")
        return None
