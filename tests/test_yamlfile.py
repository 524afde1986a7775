"""The strict YAML reader: every unsafe or ambiguous input is one located problem."""

import pytest

from isp_rules.errors import InputError
from isp_rules.yamlfile import MAX_BYTES, parse_yaml


def problems(text, name="f.yaml"):
    with pytest.raises(InputError) as info:
        parse_yaml(text, name)
    return [str(p) for p in info.value.problems]


def test_lines_are_remembered_for_every_path():
    doc = parse_yaml("a: 1\nb:\n  c: [x, y]\n  d: true\n", "f.yaml")
    assert doc.data == {"a": 1, "b": {"c": ["x", "y"], "d": True}}
    assert doc.line(("b", "d")) == 4
    assert doc.line(("b", "c", 1)) == 3
    assert doc.line(("b", "nope")) == 2  # nearest known ancestor


def test_duplicate_keys_are_errors_with_both_lines():
    (msg,) = problems("a: 1\nb: 2\na: 3\n")
    assert msg == "f.yaml:3: a: duplicate key 'a' (first given on line 1)"



@pytest.mark.parametrize("number", ["0x" + "f" * 4000, "0b" + "1" * 15000, ":".join(["59"] * 2500)])
def test_an_integer_too_long_to_write_out_is_one_located_problem(number):
    """YAML reads hex, binary and base-60 integers of any length; Python cannot write them in
    decimal, so no later message could quote one (a 500 on the web, before)."""
    (msg,) = problems(f"share:\n  data:\n    volume: {number}\n")
    assert msg.startswith("f.yaml:3: share.data.volume: a number too long to read: ")
    assert parse_yaml("a: 0x" + "f" * 300 + "\n", "f.yaml").data["a"] == int("f" * 300, 16)  # long, but readable

SHARE = "share:\n  purpose:\n    category: direct_care\n    detail: Weekly review\n  urgency:\n    risk: low\n    emergency: false\n"


@pytest.mark.parametrize(("text", "expected"), [
    # A colon and space inside a value: the parser's "mapping values are not allowed in this context".
    (SHARE.replace("detail: Weekly review", "detail: Note: weekly review"),
     "f.yaml:4: a value with ': ' in it at line 4, column 17: put the whole value in quotes"),
    # A key without its colon: the parser notices only at the next line, and says so there.
    (SHARE.replace("category: direct_care", "category direct_care"),
     "f.yaml:3: line 3 has no ':' after its key ('category direct_care'): write it as key: value"),
    (SHARE.replace("emergency: false", "emergency false"),
     "f.yaml:7: line 7 has no ':' after its key ('emergency false'): write it as key: value"),
    (SHARE.replace("    emergency:", "      emergency:"),
     "f.yaml:7: line 7 is indented more than the line above it: keys at the same level need the same number of spaces"),
    (SHARE.replace("    emergency:", "   emergency:"),
     "f.yaml:7: line 7 is not lined up with the lines around it: keys at the same level need the same number of spaces"),
    (SHARE.replace("detail: Weekly", "detail: 'Weekly"),
     "f.yaml:4: a quote opened at line 4, column 13 is never closed"),
    ("a: [1, 2\nb: 3\n", "f.yaml:1: a '[' opened at line 1, column 4 is not closed with ']'"),
    ("a: {x: 1\nb: 3\n", "f.yaml:1: a '{' opened at line 1, column 4 is not closed with '}'"),
])
def test_malformed_yaml_is_named_in_plain_words_at_the_right_line(text, expected):
    assert problems(text) == [expected]


@pytest.mark.parametrize(("text", "expected"), [
    (SHARE.replace("    emergency:", "\temergency:"), "f.yaml:7: a tab character at line 7, column 1: indent with spaces"),
    (SHARE.replace("    emergency:", "  \temergency:"), "f.yaml:7: a tab character at line 7, column 3: indent with spaces"),
    ("urgency:\n\trisk: low\n", "f.yaml:2: a tab character at line 2, column 1: indent with spaces"),
])
def test_a_tab_used_to_indent_is_named(text, expected):
    assert problems(text) == [expected]


def test_billion_laughs_is_refused_before_expansion():
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        bomb += f"{name}: &{name} [*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev},*{prev}]\n"
    (msg,) = problems(bomb)  # refused once, before anything is expanded
    assert "aliases" in msg


def test_merge_keys_are_refused():
    (msg,) = problems("a: 1\nb:\n  <<: {k: 1}\n")
    assert msg == "f.yaml:3: b: YAML merge keys (<<) are not allowed; write the keys out"


def test_tags_are_refused():
    (msg,) = problems("share: !!python/object:os.system {}\n")
    assert "YAML tags" in msg and msg.startswith("f.yaml:1: share:")


def test_keys_must_be_words():
    msgs = problems("share:\n  1: x\n  null: y\n")
    assert msgs == ["f.yaml:2: share: keys must be words, got '1'; quote it if it is meant as text",
                    "f.yaml:3: share: keys must be words, got 'null'; quote it if it is meant as text"]


def test_deep_nesting_is_one_short_line():
    (msg,) = problems("a: " + "[" * 100 + "]" * 100 + "\n")
    assert msg == "f.yaml:1: a: document is too large or nested more than 64 levels deep"


def test_impossible_dates():
    (msg,) = problems("d: 2026-13-45\n")
    assert msg.startswith("f.yaml:1: d: not a valid date: 2026-13-45")


def test_oversized_file():
    (msg,) = problems(b"a: " + b"x" * MAX_BYTES)
    assert "larger than 1,000,000 bytes" in msg


@pytest.mark.parametrize("raw", [b"\x00\x01\x02binary", b"\xff\xfe\xfa not utf8"])
def test_binary_files(raw):
    (msg,) = problems(raw)
    assert "binary" in msg or "not UTF-8" in msg


@pytest.mark.parametrize("raw", ["", "   \n", "# only a comment\n", "---\n"])
def test_empty_files(raw):
    assert problems(raw) == ["f.yaml:1: file is empty, expected a YAML mapping"]


STANDARD_TAGS = ["bool", "int", "float", "timestamp", "null", "str", "binary", "set", "omap", "pairs", "map", "seq",
                 "merge", "value", "yaml", "python/object:os.system", "python/name:os.system", "python/tuple"]


@pytest.mark.parametrize("tag", STANDARD_TAGS)
@pytest.mark.parametrize("value", ["maybe", "''", "notadate", "0x", "'@@@'", "1", "{a: 1}", "[1]", "x"])
def test_every_tag_is_one_located_problem_whatever_its_value(tag, value):
    # PyYAML's own builders raise KeyError, AttributeError or IndexError on some of these.
    (msg,) = problems(f"a: 1\nb:\n  c: !!{tag} {value}\n")
    assert msg.startswith(f"f.yaml:3: b.c: YAML tags (!!{tag}) are not allowed; write the value without one"), msg


@pytest.mark.parametrize("value", ["=", "<<"])
def test_characters_yaml_1_1_gives_tags_of_their_own_are_text(value):
    assert parse_yaml(f"a: {value}\n", "f.yaml").data == {"a": value}


@pytest.mark.parametrize(("text", "expected"), [
    ('a: "x\\x01"\n', ("f.yaml:1: a: contains an invisible control character (U+0001) at character 2; remove it: "
                      "no field may hold one")),
    ('"k\\x02": 1\n', ("f.yaml:1: contains an invisible control character (U+0002) at character 2; remove it: "
                      "no field may hold one")),
    ('a:\n  - ok\n  - "\\uFFFE"\n', ("f.yaml:3: a[1]: contains a character that is not text (U+FFFE) at character 1; "
                                   "remove it: no field may hold one")),
    ("a: x\x1by\n", "f.yaml:1: an invisible control character (U+001B) at line 1, column 5: remove it"),
    ("a: 1\nb: \ud800\n", "f.yaml:2: a broken character (U+D800, half of a pair that must go together) at line 2, column 4: remove it"),
])
def test_characters_no_one_types_are_one_located_problem(text, expected):
    assert problems(text) == [expected]


def test_nesting_is_measured_before_anything_is_built():
    # Deep enough that building it (libyaml recurses) would overflow the stack.
    (msg,) = problems("a: 1\nb: " + "{k: " * 30_000 + "x" + "}" * 30_000 + "\n")
    assert msg == "f.yaml:2: b: document is too large or nested more than 64 levels deep"


@pytest.mark.parametrize(("text", "expected"), [
    ("!!str k: 1\n", "f.yaml:1: YAML tags (!!str) are not allowed; write the key without one"),
    ("!!map {a: 1}\n", "f.yaml:1: YAML tags (!!map) are not allowed; write the value without one"),
    ("a: ! 1\n", "f.yaml:1: a: YAML tags (!) are not allowed; write the value without one, in quotes if it is text"),
    ("a: !!map [1]\n", "f.yaml:1: a: YAML tags (!!map) are not allowed; write the value without one"),
])
def test_a_tag_anywhere_is_refused_even_one_that_changes_nothing(text, expected):
    assert problems(text) == [expected]
