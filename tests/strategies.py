"""Hypothesis strategies: scenarios drawn from the public format's own schema."""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from isp_rules.facts import FIELDS
from isp_rules.scenario import Scenario

# Free text is built from fragments of real gateway names and random words, so that
# phrase tests meet near misses, punctuation, '&' and words starting like the phrase.
FRAGMENTS = ["Children Act 2004 s11", "Care Act 2014 s45", "Crime and Disorder Act 1998 s115",
             "Police, Crime, Sentencing and Courts Act 2022", "Police, Crime, Sentencing & Courts Act 2022",
             "serious violence duty", "Serious Violence Duty (s16)", "PCSC Act", "pcsca", "s16", "Part 2",
             "serious violence dut", "violence duty", "sentencing", "York", "s", "ss", "the"]
WORDS = st.sampled_from(FRAGMENTS) | st.text(alphabet="abcdefgsvp(),&- 0123456789", max_size=12)


def _ruleset_phrases() -> list[str]:
    """Every phrase the bundled rules look for, and every power the catalogue names, so that
    generated text reaches the rules that read free text (and their near misses above)."""
    from isp_rules.assessment import default_ruleset

    ruleset = default_ruleset()
    found = {p.replace(" + ", " ") for phrases in ruleset.phrases.values() for p in phrases}
    found |= {power.label for power in ruleset.powers}
    return sorted(found)


PHRASES = st.sampled_from(_ruleset_phrases())
TEXT_PARTS = WORDS | PHRASES
COUNTRIES = ["GB", "GB", "IE", "US", "IN", "FR", "NO", "CH"]
SKIP = {path for path, spec in FIELDS.items() if spec.derived} | {"as_of"}


def _value(spec):
    if spec.kind == "bool":
        return st.booleans()
    if spec.kind == "enum":
        return st.sampled_from(spec.values)
    if spec.kind == "enum_list":
        return st.lists(st.sampled_from(spec.values), unique=True, max_size=5)
    if spec.kind == "country":
        return st.sampled_from(COUNTRIES)
    if spec.kind == "date":
        return st.dates(dt.date(2025, 1, 1), dt.date(2028, 1, 1))
    return st.lists(TEXT_PARTS, min_size=1, max_size=4).map(" ".join).filter(str.strip)


@st.composite
def scenario_dicts(draw, absent_probability: float = 0.3):
    data: dict = {"share": {}}
    for path, spec in FIELDS.items():
        if path in SKIP or draw(st.floats(0, 1)) < absent_probability:
            continue
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = draw(_value(spec))
    data["as_of"] = draw(st.dates(dt.date(2025, 6, 1), dt.date(2027, 6, 1)))
    return data


def scenarios(absent_probability: float = 0.3):
    return scenario_dicts(absent_probability).map(Scenario.model_validate)


def _library() -> list[dict]:
    from pathlib import Path

    from isp_rules.yamlfile import read_yaml

    root = Path(__file__).resolve().parent.parent / "scenarios"
    docs = [read_yaml(p).data for p in sorted(root.rglob("*.yaml"))]
    for d in docs:
        d.pop("expect", None)
    return docs


LIBRARY = _library()
PATHS = [p for p in FIELDS if p not in SKIP]


@st.composite
def library_variant_dicts(draw):
    """A scenario from the library with a few fields changed or removed: realistic shares, near the rules' edges."""
    import copy

    data = copy.deepcopy(draw(st.sampled_from(LIBRARY)))
    for path in draw(st.lists(st.sampled_from(PATHS), max_size=3, unique=True)):
        node = data
        *parents, last = path.split(".")
        for part in parents:
            node = node.setdefault(part, {})
        if draw(st.booleans()):
            node.pop(last, None)
        else:
            node[last] = draw(_value(FIELDS[path]))
    return data


def any_scenarios():
    # Two in three are library variants: with several hundred rules, most of them guarded by
    # specific combinations, fully random shares alone reach too few of them.
    return st.one_of(scenario_dicts(), library_variant_dicts(), library_variant_dicts()).map(Scenario.model_validate)
