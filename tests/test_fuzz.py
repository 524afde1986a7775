"""Fuzzing `isp check` with malformed scenarios: no input, however broken, is an internal error.

Over 2,000 mutations of the scenario library, generated from a fixed seed (so every run tries the
same files): wrong types, unknown fields, deep nesting, YAML tags (every standard tag with good and
bad values, and Python's), control characters raw and escaped, BOMs, UTF-16 and UTF-32, invalid
UTF-8, CRLF, duplicate keys, binary, impossible dates, huge numbers, and more. Each file goes
through the CLI in-process, as `isp check FILE`, and must get exit 0 (decided) or exit 1 (invalid
input, one line per problem, each naming the file); never exit 4, never a traceback.

A failure names the case, its base scenario and every mutation applied, and writes the file to
test-output/fuzz/ so it can be run by hand (`isp check test-output/fuzz/case-0123.yaml`).
ISP_FUZZ_SEED=N tries another set of mutations (the default seed is what CI runs).
"""

from __future__ import annotations

import codecs
import json
import os
import random
import string
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS

from isp_rules.cli import cli

SEED = int(os.environ.get("ISP_FUZZ_SEED", "14"))
RANDOM_CASES = 2_000  # besides one case for each tag and value below
EVIDENCE = ROOT / "test-output" / "fuzz"

# --- what to break a scenario with ------------------------------------------------------------

STANDARD_TAGS = ["!!bool", "!!int", "!!float", "!!timestamp", "!!null", "!!str", "!!binary", "!!set", "!!omap",
                 "!!pairs", "!!map", "!!seq", "!!merge", "!!value", "!!yaml"]
OTHER_TAGS = ["!!python/object:os.system", "!!python/object/apply:os.system", "!!python/name:os.system",
              "!!python/tuple", "!!python/str", "!foo", "!", "!<tag:yaml.org,2002:int>", "!<!bar>"]
TAG_VALUES = ["maybe", "''", "notadate", "0x", "@@@", "1", "true", "2026-02-30", "{a: 1}", "[1, 2]", "~", "-",
              "1e", "aGVsbG8=", "'2026-12-01'", "[a: 1]"]
ESCAPES = ["\\x01", "\\0", "\\uFFFF", "\\uFFFE", "\\ud800", "\\udfff", "\\x7f", "\\x85", "\\u2028", "\\e", "\\x1b[31m",
           "\\b", "\\v", "\\a", "\\U0010FFFF", "\\uFEFF"]
RAW_CHARACTERS = ["\x00", "\x01", "\x08", "\x0b", "\x1b", "\x7f", "\x85", "\x9f", "\ufffe", "\uffff", "\u2028",
                  "\ufeff", "\t", "\r"]
BAD_BYTES = [b"\xff", b"\xfe\xff", b"\xc3\x28", b"\xe2\x82", b"\xf0\x9f\x98", b"\xed\xa0\x80", b"\xc0\xaf",
             b"\xf8\x88\x80\x80\x80", b"\x80"]
NUMBERS = ["1e999", "-1e999", ".nan", ".inf", "-.inf", "99999999999999999999999999999999", "1" * 5000,
           "0x" + "f" * 300, "0x" + "f" * 4000, "0b" + "1" * 15000, ":".join(["59"] * 2500), "0o777", "0b101", "1_000", "1:30:00", "-0", "0.0000000000000000000001", "+12"]
DATES = ["2026-02-30", "2026-13-01", "2025-02-29", "0000-01-01", "9999-99-99", "2026-00-10", "2026-1-1",
         "2026-12-01T25:61:61", "2026-12-01 10:00:00 +99:00", "'2026-02-30'", "'yesterday'", "1900-01-01",
         "2026-12-01t10:00:00.123456789z", "-2026-01-01"]
WRONG_VALUES: list[Any] = [None, True, False, 0, -1, 10**30, 1.5, float("inf"), "", "x", " ", "yes", "no", [], {},
                           ["a", 1, None], {"a": {"b": []}}, "x" * 3000, "é😀", "{share.to.name}"]
WORDS = ["name", "type", "share", "frm", "Purpose", "categorys", "__class__", "id", "", "1", "true", "null",
         "from ", "sig natory", "ü", "x" * 200]

Mutation = Callable[[random.Random, bytes], tuple[str, bytes]]


def _text(raw: bytes) -> str:
    return raw.decode("utf-8", "replace")


def _data(raw: bytes) -> Any:
    # libyaml (fast) overflows its stack on some 50,000 levels, far more than 20,000 bytes hold;
    # and an alias bomb would be walked in full by _paths.
    if len(raw) > 20_000 or b"&" in raw:
        return {"share": {}}
    try:
        data = yaml.load(_text(raw), Loader=yaml.CSafeLoader)
    except Exception:  # noqa: BLE001  (an earlier mutation broke it: start again from an empty share)
        return {"share": {}}
    return data if _shallow(data) else {"share": {}}  # deep data would overflow the dumper's recursion


def _shallow(data: Any, limit: int = 40) -> bool:
    stack = [(data, 0)]
    while stack:
        node, depth = stack.pop()
        if depth > limit:
            return False
        if isinstance(node, dict):
            stack += [(v, depth + 1) for v in node.values()]
        elif isinstance(node, list):
            stack += [(v, depth + 1) for v in node]
        elif isinstance(node, int) and node.bit_length() > 12_000:
            return False  # a hex number too long to write back in decimal (Python's digit limit)
    return True


def _dump(data: Any) -> bytes:
    text = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, allow_unicode=True, width=10**6)
    return text.encode("utf-8", "surrogatepass")


def _paths(data: Any, here: tuple = ()) -> list[tuple]:
    """Every path in the data (mappings and lists), the root included."""
    out = [here]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*here, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*here, i))
    return out


def _set(data: Any, path: tuple, value: Any) -> Any:
    if not path:
        return value
    node = data
    for part in path[:-1]:
        node = node[part]
    node[path[-1]] = value
    return data


def _value_lines(text: str) -> list[int]:
    """Indexes of lines written `key: value` (a value to replace)."""
    return [i for i, line in enumerate(text.split("\n"))
            if ": " in line and not line.lstrip().startswith("#") and line.split(": ", 1)[1].strip()]


def _replace_value(rng: random.Random, raw: bytes, new: str) -> tuple[str, bytes]:
    lines = _text(raw).split("\n")
    candidates = _value_lines("\n".join(lines))
    if not candidates:
        return "appended", (_text(raw) + f"\nextra: {new}\n").encode("utf-8", "surrogatepass")
    i = rng.choice(candidates)
    key = lines[i].split(": ", 1)[0]
    lines[i] = f"{key}: {new}"
    return f"line {i + 1} ({key.strip()})", "\n".join(lines).encode("utf-8", "surrogatepass")


def wrong_type(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    data = _data(raw)
    path = rng.choice(_paths(data))
    value = rng.choice(WRONG_VALUES)
    return f"wrong type: {path} = {value!r:.40}", _dump(_set(data, path, value))


def unknown_field(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    data = _data(raw)
    maps = [p for p in _paths(data) if isinstance(_get(data, p), dict)] or [()]
    path = rng.choice(maps)
    key = rng.choice(WORDS)
    node = _get(data, path)
    if isinstance(node, dict):
        node[key] = rng.choice(WRONG_VALUES[:12])
    return f"unknown field {key!r:.30} at {path}", _dump(data)


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


def deep_nesting(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    depth = rng.choice([63, 64, 65, 100, 1_000, 50_000, 400_000])
    opener, closer = rng.choice([("[", "]"), ("{a: ", "}"), ("- ", "")])
    if opener == "- ":  # block style: each level indented once more
        nested = "\n" + "".join("  " * i + "- \n" for i in range(min(depth, 2_000)))
        where, out = _replace_value(rng, raw, nested)
    else:
        where, out = _replace_value(rng, raw, opener * depth + "x" + closer * depth)
    return f"nested {depth} deep ({opener.strip()}) at {where}", out


def yaml_tag(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    tag, value = rng.choice(STANDARD_TAGS + OTHER_TAGS), rng.choice(TAG_VALUES)
    return tagged(rng, raw, tag, value)


def tagged(rng: random.Random, raw: bytes, tag: str, value: str) -> tuple[str, bytes]:
    where, out = _replace_value(rng, raw, f"{tag} {value}")
    return f"tag {tag} {value} at {where}", out


def escaped_control(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    escape = rng.choice(ESCAPES)
    where, out = _replace_value(rng, raw, f'"a {escape} b"')
    return f"escaped {escape} at {where}", out


def raw_character(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    char = rng.choice(RAW_CHARACTERS)
    text = _text(raw)
    at = rng.randrange(len(text) + 1)
    return f"raw U+{ord(char):04X} at character {at}", (text[:at] + char + text[at:]).encode("utf-8", "surrogatepass")


def bom(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    which = rng.choice(["utf-8 BOM", "two BOMs", "BOM mid-file"])
    if which == "utf-8 BOM":
        return which, codecs.BOM_UTF8 + raw
    if which == "two BOMs":
        return which, codecs.BOM_UTF8 * 2 + raw
    at = rng.randrange(len(raw) + 1)
    return which, raw[:at] + codecs.BOM_UTF8 + raw[at:]


def other_encoding(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    encoding = rng.choice(["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "latin-1", "cp1252"])
    return f"encoded as {encoding}", _text(raw).replace("\ufffd", "?").encode(encoding, "replace")


def invalid_utf8(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    bad = rng.choice(BAD_BYTES)
    at = rng.randrange(len(raw) + 1)
    return f"bytes {bad!r} at offset {at}", raw[:at] + bad + raw[at:]


def line_endings(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    which = rng.choice(["CRLF", "CR", "mixed", "LS"])
    if which == "CRLF":
        return which, raw.replace(b"\n", b"\r\n")
    if which == "CR":
        return which, raw.replace(b"\n", b"\r")
    if which == "LS":
        return which, raw.replace(b"\n", "\u2028".encode())
    return which, b"".join(line + rng.choice([b"\n", b"\r\n", b"\r"]) for line in raw.split(b"\n"))


def duplicate_key(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    lines = _text(raw).split("\n")
    keyed = [i for i, line in enumerate(lines) if ":" in line and not line.lstrip().startswith("#")]
    if not keyed:
        return "no key to duplicate", raw
    i = rng.choice(keyed)
    lines.insert(i + 1, lines[i])
    return f"line {i + 1} twice", "\n".join(lines).encode("utf-8", "surrogatepass")


def binary(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    size = rng.choice([1, 2, 16, 300, 5_000])
    which = rng.choice(["random bytes", "random bytes after the text", "zip header", "ELF header"])
    noise = rng.randbytes(size)
    if which == "random bytes after the text":
        return f"{which} ({size})", raw + noise
    if which == "zip header":
        return which, b"PK\x03\x04" + noise
    if which == "ELF header":
        return which, b"\x7fELF" + noise
    return f"{which} ({size})", noise


def impossible_date(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    date = rng.choice(DATES)
    text = _text(raw)
    field = rng.choice(["as_of", "agreement_review_date"])
    if field == "as_of":
        lines = [ln for ln in text.split("\n") if not ln.startswith("as_of:")]
        return f"as_of: {date}", ("\n".join(lines) + f"\nas_of: {date}\n").encode("utf-8", "surrogatepass")
    data = _data(raw)
    if isinstance(data, dict) and isinstance(data.get("share"), dict):
        data["share"].setdefault("governance", {})
        if isinstance(data["share"]["governance"], dict):
            data["share"]["governance"]["agreement_review_date"] = "@DATE@"
    out = _text(_dump(data)).replace("'@DATE@'", date).replace("@DATE@", date)
    return f"agreement_review_date: {date}", out.encode("utf-8", "surrogatepass")


def huge_number(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    number = rng.choice(NUMBERS)
    where, out = _replace_value(rng, raw, number)
    return f"number {number[:20]} at {where}", out


def yaml_features(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    text = _text(raw)
    which = rng.choice(["anchor and alias", "alias bomb", "merge key", "two documents", "complex key", "null key",
                        "directive", "flow garble", "tab indent", "block scalar", "top-level list",
                        "top-level scalar", "json", "comment only"])
    if which == "anchor and alias":
        return which, (text + "\nextra: &a [1, 2]\nagain: *a\n").encode("utf-8", "surrogatepass")
    if which == "alias bomb":
        bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
            f"{n}: &{n} [{', '.join(['*' + p] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi", strict=True))
        return which, bomb.encode()
    if which == "merge key":
        return which, text.replace("share:\n", "base: &b {x: 1}\nshare:\n  <<: *b\n", 1).encode("utf-8", "surrogatepass")
    if which == "two documents":
        return which, (text + "\n---\n" + text).encode("utf-8", "surrogatepass")
    if which == "complex key":
        return which, (text + "\n? [a, b]\n: c\n").encode("utf-8", "surrogatepass")
    if which == "null key":
        return which, (text + "\n~: x\n").encode("utf-8", "surrogatepass")
    if which == "directive":
        return which, ("%YAML 1.1\n%TAG ! tag:evil.example,2026:\n---\n" + text).encode("utf-8", "surrogatepass")
    if which == "flow garble":
        at = rng.randrange(len(text) + 1)
        return f"{which} at {at}", (text[:at] + rng.choice("{}[],:&*!|>'\"%@`#?-") + text[at:]).encode(
            "utf-8", "surrogatepass")
    if which == "tab indent":
        return which, text.replace("\n  ", "\n\t", rng.randint(1, 5)).encode("utf-8", "surrogatepass")
    if which == "block scalar":
        where, out = _replace_value(rng, raw, "|\n" + rng.choice(["", "  a\x01", "x", "  \x00"]))
        return f"{which} at {where}", out
    if which == "top-level list":
        return which, b"- " + raw
    if which == "top-level scalar":
        return which, rng.choice([b"42", b"hello", b"true", b"~", b"'share'"])
    if which == "json":
        data = _data(raw)
        return which, json.dumps(data, default=str, ensure_ascii=rng.random() < 0.5).encode("utf-8", "surrogatepass")
    return which, b"# nothing but a comment\n\n   \n"


def cut(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    which = rng.choice(["truncated", "a line deleted", "indent changed", "too large", "emptied"])
    if which == "truncated":
        at = rng.randrange(len(raw) + 1)
        return f"{which} at byte {at}", raw[:at]
    if which == "too large":
        return which, raw + b"\n# " + b"x" * 1_000_001
    if which == "emptied":
        return which, rng.choice([b"", b"   ", b"\n\n", b"---\n", b"...\n"])
    lines = _text(raw).split("\n")
    i = rng.randrange(len(lines))
    if which == "a line deleted":
        del lines[i]
    else:
        lines[i] = " " * rng.randint(1, 7) + lines[i]
    return f"{which} (line {i + 1})", "\n".join(lines).encode("utf-8", "surrogatepass")


def injection(rng: random.Random, raw: bytes) -> tuple[str, bytes]:
    value = rng.choice(['"{share.to.name}"', '"{share.from.name} {as_of}"', '"{{}}"', '"{"', '"%s%n"',
                        '"<script>x</script>"', '"=HYPERLINK(\\"x\\")"', '"$(touch /tmp/x)"', '"../../etc/passwd"'])
    where, out = _replace_value(rng, raw, value)
    return f"text {value} at {where}", out


MUTATIONS: list[Mutation] = [wrong_type, unknown_field, deep_nesting, yaml_tag, escaped_control, raw_character, bom,
                             other_encoding, invalid_utf8, line_endings, duplicate_key, binary, impossible_date,
                             huge_number, yaml_features, cut, injection]


@dataclass(frozen=True)
class Case:
    number: int
    base: str  # the library scenario it started from
    mutations: tuple[str, ...]  # what was done to it, in order
    raw: bytes

    def describe(self) -> str:
        return f"case {self.number} (seed {SEED}): {self.base}, then " + "; then ".join(self.mutations)


def cases(seed: int = SEED) -> list[Case]:
    """Every case, the same for the same seed: each tag with each value once, then random mutations
    (each kind in turn first, a second random one for about a third of them)."""
    rng = random.Random(seed)
    bases = sorted(SCENARIOS.rglob("*.yaml"))
    out: list[Case] = []

    def add(base: Path, steps: list[str], raw: bytes) -> None:
        out.append(Case(len(out), str(base.relative_to(ROOT)), tuple(steps), raw))

    for tag in STANDARD_TAGS + OTHER_TAGS:
        for value in TAG_VALUES:
            base = rng.choice(bases)
            step, raw = tagged(rng, base.read_bytes(), tag, value)
            add(base, [step], raw)
    for i in range(RANDOM_CASES):
        base = rng.choice(bases)
        raw = base.read_bytes()
        steps = []
        for mutate in [MUTATIONS[i % len(MUTATIONS)]] + ([rng.choice(MUTATIONS)] if rng.random() < 0.35 else []):
            step, raw = mutate(rng, raw)
            steps.append(f"{mutate.__name__}: {step}")
        add(base, steps, raw)
    return out


# --- the test ---------------------------------------------------------------------------------

VERDICT_LINES = ("ALLOW", "DENY", "NEEDS AGREEMENT")


def _fault(case: Case, path: Path, runner: CliRunner, exits: list[int] | None = None) -> str | None:
    """What is wrong with how `isp check` answered this file, or None if it answered well."""
    result = runner.invoke(cli, ["check", str(path)])
    if exits is not None:
        exits.append(result.exit_code)
    out, err = result.stdout, result.stderr
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"internal error (exit 4 from the console command): {type(result.exception).__name__}: {result.exception}"
    if "Traceback" in out + err:
        return "a traceback in the output"
    if result.exit_code == 0:
        return None if out.startswith(VERDICT_LINES) else f"exit 0 without a verdict: {out[:200]!r}"
    if result.exit_code != 1:
        return f"exit {result.exit_code}: {err[:300]!r}"
    lines = err.splitlines()
    if not lines:
        return "exit 1 with nothing said"
    for line in lines:
        # One line per problem, each naming the file; a flood is cut to 50 and the rest counted.
        if not line.startswith(f"{path}:") and not (line.startswith("... and ") and line.endswith(" more problems")):
            return f"a line that does not name the file: {line[:200]!r}"
    return None


def test_malformed_scenarios_never_crash_isp_check(tmp_path):
    every = cases()
    assert len(every) >= 2_000
    runner = CliRunner()
    failures: list[str] = []
    exits: list[int] = []
    for case in every:
        path = tmp_path / f"case-{case.number:04d}.yaml"
        path.write_bytes(case.raw)
        fault = _fault(case, path, runner, exits)
        if fault is not None:
            EVIDENCE.mkdir(parents=True, exist_ok=True)
            (EVIDENCE / path.name).write_bytes(case.raw)
            failures.append(f"{case.describe()}: {fault} (file: test-output/fuzz/{path.name})")
        path.unlink()
    assert not failures, f"{len(failures)} of {len(every)} cases failed; the first:\n" + "\n".join(failures[:10])
    # Both answers were reached often: the mutations break files, and some still decide (a BOM,
    # CRLF, a harmless text), so deciding mutated input is tried too.
    assert exits.count(1) > len(every) / 2 and exits.count(0) > 100, (exits.count(0), exits.count(1))


def test_the_cases_are_the_same_for_the_same_seed_and_cover_every_kind():
    first = cases()
    assert [c.raw for c in cases()] == [c.raw for c in first]
    assert [c.raw for c in cases(SEED + 1)] != [c.raw for c in first]
    kinds = {step.split(":")[0] for c in first for step in c.mutations}
    assert {m.__name__ for m in MUTATIONS} <= kinds
    assert len({c.raw for c in first}) > 0.9 * len(first)  # not the same few files over and over


def test_the_fuzzer_catches_a_crash(tmp_path, monkeypatch):
    """The check above can fail: a loader that crashes on one input is reported with its case."""
    from isp_rules import loader

    real = loader.load_scenario

    def crashing(path, name=None):
        if b"boom" in Path(path).read_bytes():
            raise KeyError("boom")
        return real(path, name)

    monkeypatch.setattr(loader, "load_scenario", crashing)
    case = Case(0, "scenarios/x.yaml", ("injection: boom",), b"share: {purpose: {detail: boom}}\n")
    path = tmp_path / "case-0000.yaml"
    path.write_bytes(case.raw)
    assert "internal error" in (_fault(case, path, CliRunner()) or "")
    path.write_bytes(b"share: {purpose: {detail: fine}}\n")
    assert _fault(case, path, CliRunner()) is None
    path.write_bytes(string.ascii_letters.encode() + b": [\n")
    assert _fault(case, path, CliRunner()) is None  # malformed YAML: exit 1, named, so no fault
