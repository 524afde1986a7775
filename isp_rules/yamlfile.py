"""Strict, bounded YAML reading that remembers where every value came from.

Scenario and ruleset files are written by people and read by a tool that gives
legal answers, so the reader refuses anything ambiguous rather than guessing:
duplicate keys, aliases (which can hide a "billion laughs" expansion), files
over 1 MB, binary files and empty files are all errors with a line number. So are
YAML tags (`!!bool maybe`, `!!python/object`), which change how a value is read, and
characters no one types on purpose (controls, lone surrogates), which can hide words from a
reader and break the Word output.
"""

from __future__ import annotations

import os
import re
import stat
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from yaml.constructor import SafeConstructor
from yaml.nodes import MappingNode, ScalarNode, SequenceNode

from .errors import InputError, Problem
from .scenario import character_name, unprintable

__all__ = ["MAX_BYTES", "DocPath", "YamlDoc", "parse_yaml", "read_yaml"]

MAX_BYTES = 1_000_000
MAX_NODES = 200_000
MAX_DEPTH = 64

DocPath = tuple[str | int, ...]  # keys and indexes from the document's root, e.g. ("rules", 3, "when")

_PLAIN_TAGS = {"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"}
_STANDARD = "tag:yaml.org,2002:"
# Plain `=` and `<<` as values: YAML 1.1 gives them tags of their own that no safe loader
# builds; they can only be meant as the text.
_AS_TEXT = {_STANDARD + "value", _STANDARD + "merge"}

try:  # libyaml is several times faster; the pure-Python loader gives the same nodes.
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader


_LONGEST_INT_BITS = 14_000  # about 4,200 decimal digits: within what Python writes out (4,300)


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
            raw = _read_regular_file(path, shown)
    except FileNotFoundError:
        raise InputError([Problem(shown, None, "", "no such file")]) from None
    except IsADirectoryError:
        raise InputError([Problem(shown, None, "", "is a directory, expected a YAML file")]) from None
    except OSError as exc:
        raise InputError([Problem(shown, None, "", f"cannot read: {exc.strerror or exc}")]) from None
    return parse_yaml(raw, shown)


def _read_regular_file(path: str | Path, shown: str) -> bytes:
    """The first MAX_BYTES + 1 bytes of an ordinary file, refusing anything else.

    A FIFO with no writer blocks open() for ever, and a device can be read without end, so
    the file is opened without waiting (O_NONBLOCK has no effect on an ordinary file) and
    checked on the open handle, so it cannot be swapped between the check and the read."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    try:
        mode = os.fstat(fd).st_mode
        if stat.S_ISDIR(mode):
            raise IsADirectoryError
        if not stat.S_ISREG(mode):
            raise InputError([Problem(shown, None, "", f"is {_kind_of_file(mode)}, not an ordinary file; "
                                                       "save the scenario to a file, or give '-' to read it "
                                                       "from standard input")])
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)
        with os.fdopen(fd, "rb", closefd=False) as handle:
            return handle.read(MAX_BYTES + 1)
    finally:
        os.close(fd)


def _kind_of_file(mode: int) -> str:
    if stat.S_ISFIFO(mode):
        return "a pipe (FIFO)"
    if stat.S_ISCHR(mode) or stat.S_ISBLK(mode):
        return "a device"
    if stat.S_ISSOCK(mode):
        return "a socket"
    return "not a regular file"


def parse_yaml(raw: bytes | str, name: str) -> YamlDoc:
    """Parse YAML text or bytes into a YamlDoc, or raise InputError."""
    if isinstance(raw, str):
        given = raw
        try:
            raw = given.encode("utf-8")
        except UnicodeEncodeError as exc:  # a lone surrogate: text no file could hold
            row, column = _line_column(given, exc.start)
            raise InputError([Problem(name, row, "", f"{character_name(given[exc.start])} at line {row}, "
                                                     f"column {column}: remove it")]) from None
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

    try:
        scan = _scan(text)
        if scan.deep is not None:
            where, key = scan.deep
            raise InputError([Problem(name, where, key, TOO_DEEP)])
        loader = _Loader(text)
        try:
            node = loader.get_single_node()
        finally:
            loader.dispose()
    except yaml.MarkedYAMLError as exc:
        if "maximum nesting depth" in (exc.problem or ""):
            # Newer libyaml stops at its own depth limit (1,000) while scanning, before our
            # count of MAX_DEPTH is reached: the same problem, said the same way.
            at = exc.problem_mark.line + 1 if exc.problem_mark is not None else None
            raise InputError([Problem(name, at, _top_key_before(text, at), TOO_DEEP)]) from None
        line, message = _plain_error(exc, text)
        raise InputError([Problem(name, line, "", message)]) from None
    except yaml.reader.ReaderError as exc:  # a character YAML forbids, written as is
        row, column = _line_column(text, exc.position)
        char = chr(exc.character) if isinstance(exc.character, int) else exc.character  # libyaml: int; PyYAML: str
        what = character_name(char) if isinstance(char, str) and len(char) == 1 else "a character YAML does not allow"
        raise InputError([Problem(name, row, "", f"{what} at line {row}, column {column}: remove it")]) from None
    except yaml.YAMLError as exc:
        raise InputError([Problem(name, None, "", "not valid YAML: " + " ".join(str(exc).split()))]) from None
    if node is None or (isinstance(node, ScalarNode) and node.value == "" and node.tag.endswith(":null")):
        raise InputError([Problem(name, 1, "", "file is empty, expected a YAML mapping")])

    builder = _Builder(name, scan.tags)
    data = builder.build(node, ())
    if builder.problems:
        raise InputError(builder.problems)
    return YamlDoc(name, data, builder.lines, builder.spelled)


TOO_DEEP = f"document is too large or nested more than {MAX_DEPTH} levels deep"


def _top_key_before(text: str, row: int | None) -> str:
    """The top-level key whose value holds line `row` (1-based), as far as plain text shows it."""
    key = ""
    for line in text.splitlines()[: row or 0]:
        found = re.match(r"([A-Za-z_][\w-]*)\s*:", line)
        if found:
            key = found.group(1)
    return key


# Where a node starts, (line, column) from 0, and what it is: a block mapping and its first key
# start at the same place.
Mark = tuple[int, int, str]
_KINDS = {yaml.ScalarEvent: "scalar", yaml.SequenceStartEvent: "seq", yaml.MappingStartEvent: "map",
          ScalarNode: "scalar", SequenceNode: "seq", MappingNode: "map"}


def _mark(item: Any) -> Mark:
    return item.start_mark.line, item.start_mark.column, _KINDS.get(type(item), "")


@dataclass
class _Scan:
    deep: tuple[int | None, str] | None = None  # (line, top-level key) where the document is too deep
    tags: dict[Mark, str] = field(default_factory=dict)  # every tag written in the file, by where


def _scan(text: str) -> _Scan:
    """What must be known before a node tree is built: how deep the document nests, and where tags are.

    libyaml builds its node tree recursively, and a few tens of thousands of nested brackets
    overflow the C stack and kill the process (a whole web worker with it). The parser's events
    come one at a time without recursion, so the depth is measured on them first and nothing is
    built from a document too deep. The events also say which nodes carry a tag written in the
    file (the node tree has only the tag each value ended up with)."""
    scan = _Scan()
    loader = _Loader(text)
    try:
        depth, children, key = 0, 0, ""
        while loader.check_event():
            event = loader.get_event()
            if getattr(event, "tag", None) is not None:
                scan.tags[_mark(event)] = event.tag
            if isinstance(event, yaml.CollectionStartEvent):
                if depth == 1 and children % 2 == 0:
                    key = ""  # a collection used as a top-level key: no word to name it by
                depth += 1
                if depth > MAX_DEPTH + 1:  # the document's own mapping is one level
                    scan.deep = (event.start_mark.line + 1 if event.start_mark else None, key)
                    return scan
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
                if depth == 1:
                    children += 1
            elif depth == 1 and isinstance(event, yaml.ScalarEvent | yaml.AliasEvent):
                if children % 2 == 0:
                    key = str(getattr(event, "value", ""))
                children += 1
        return scan
    finally:
        loader.dispose()


def _line_column(text: str, position: int) -> tuple[int, int]:
    """1-based line and column of a character position in `text`."""
    line = text.count("\n", 0, position) + 1
    return line, position - (text.rfind("\n", 0, position) + 1) + 1


def _short_tag(tag: str) -> str:
    """A tag as it is written in the file: !!bool, !!python/object:os.system, !mine."""
    return "!!" + tag.removeprefix(_STANDARD) if tag.startswith(_STANDARD) else tag


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

    def __init__(self, name: str, tags: dict[Mark, str] | None = None) -> None:
        self.name = name
        self.tags = tags or {}
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
                self.problem(node, path[:1], TOO_DEEP)
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
        # A tag written in the file (`!!bool maybe`, `!!timestamp x`, `!!set`, `!!python/...`)
        # changes how a value is read, and PyYAML's builders fail on malformed tagged values in
        # ways that are not YAML errors (KeyError, IndexError...). No scenario or rule needs
        # one, so every tag is refused, and a value is read only as plain YAML reads it.
        written = self.tags.get(_mark(node))
        if written is not None:
            self.problem(node, path, f"YAML tags ({_short_tag(written)}) are not allowed; write the value without "
                                     "one" + (", in quotes if it is text" if isinstance(node, ScalarNode) else ""))
            return None
        if isinstance(node, ScalarNode):
            value = self.scalar(node, path)
            if isinstance(value, bool) and not node.style:  # plain (libyaml says "", PyYAML None)
                self.spelled[path] = node.value
            return value
        if node.tag not in _PLAIN_TAGS:  # pragma: no cover - only a written tag gives another, refused above
            self.problem(node, path, f"YAML tags ({_short_tag(node.tag)}) are not allowed; write the value without one")
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
                said = len(self.problems)
                key = self.scalar(key_node, path)
                if len(self.problems) > said:  # the key itself was refused (a tag, a control character)
                    continue
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
        written = self.tags.get(_mark(node))
        if written is not None:  # a key with a tag (a value's is refused in build)
            self.problem(node, path, f"YAML tags ({_short_tag(written)}) are not allowed; write the key without one")
            return None
        if node.tag in _AS_TEXT:
            value: Any = node.value
        else:
            try:
                value = self.constructor.construct_object(node)
            except yaml.YAMLError as exc:
                self.problem(node, path, f"bad value: {getattr(exc, 'problem', None) or exc}")
                return None
            except ValueError as exc:  # e.g. 2026-02-30: looks like a date, is not one
                shown = node.value if len(node.value) <= 40 else node.value[:37] + "..."
                if node.tag.endswith(":timestamp"):
                    reason = str(exc)  # "day is out of range for month"; Python's longer ones are left out
                    self.problem(node, path, f"not a valid date: {shown}" + (f" ({reason})" if len(reason) <= 40 else ""))
                elif node.tag.endswith(":int"):  # more digits than Python reads (4,300)
                    self.problem(node, path, f"a number too long to read: {shown}")
                else:
                    self.problem(node, path, f"not a valid value: {shown}")
                return None
            except Exception:  # noqa: BLE001  (PyYAML failing on a value it resolved: still the input's)
                self.problem(node, path, f"not a valid value: {node.value[:40]}")
                return None
        if isinstance(value, str) and (problem := unprintable(value)) is not None:
            self.problem(node, path, problem)
            return None
        if isinstance(value, int) and value.bit_length() > _LONGEST_INT_BITS:
            # YAML reads hex, binary, octal and base-60 integers of any length, which Python then
            # cannot write in decimal, so no message could quote them.
            self.problem(node, path, f"a number too long to read: {node.value[:37]}...")
            return None
        return value
