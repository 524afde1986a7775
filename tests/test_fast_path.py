"""The fast path (scenario.validate_scenario) accepts exactly what the Scenario model accepts.

Valid input is checked by a plain walk and built without validation; invalid input goes to
pydantic, which words the problems. So the walk must never accept what pydantic refuses (or
build a different scenario), and should accept what pydantic accepts, or the light start is lost.
"""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest
from conftest import COMPLETE
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError
from strategies import LIBRARY, library_variant_dicts, scenario_dicts

from isp_rules import parse_scenario
from isp_rules.errors import ScenarioError
from isp_rules.scenario import Scenario, _fast_check, _Unsure, validate_scenario

# Values put where they do not belong: wrong types, empty and over-long text, bad dates and
# codes, text pydantic cannot read (a lone surrogate), deeper nesting.
ODD = [None, 0, 1, -3, 1.5, True, False, "", " ", "x", "a" * 2001, "a" * 2000, "GB", "gb", "GB\n", "G",
       "police", "POLICE", "in_place", "inplace", "some-agreement", "Some Agreement", "a" * 121, "-bad-",
       "2026-12-01", "2026-02-30", "2026-13-01", "20261201", "2026-1-1", "2026-W01-1", "\ud800",
       "abc\u0660", dt.date(2026, 12, 1), [], ["x"], ["child"], [1], {}, {"x": 1}, ("child",)]


def _paths(data: Any, at: tuple = ()) -> list[tuple]:
    """Every path into a dict-and-list document (the root included)."""
    out = [at]
    if isinstance(data, dict):
        for key, value in data.items():
            out += _paths(value, (*at, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            out += _paths(value, (*at, i))
    return out


def _get(data: Any, path: tuple) -> Any:
    for part in path:
        data = data[part]
    return data


@st.composite
def mutated(draw: st.DrawFn) -> dict:
    """A valid scenario dict, then a few changes of the kinds people and programs make."""
    base = draw(st.one_of(scenario_dicts(), library_variant_dicts(), st.sampled_from(LIBRARY + [COMPLETE])))
    data = copy.deepcopy(base)
    if draw(st.booleans()):
        data["expect"] = draw(st.sampled_from([{"verdict": "allow"}, {"verdict": "maybe"}, {},
                                               {"verdict": "deny", "rules": ["R-1"], "open_points": []},
                                               {"verdict": "allow", "rules": [""]}]))
    for _ in range(draw(st.integers(0, 3))):
        path = draw(st.sampled_from(_paths(data)))
        node = _get(data, path)
        kind = draw(st.sampled_from(["replace", "unknown", "nest", "drop", "case"]))
        if kind == "replace" and path:
            _get(data, path[:-1])[path[-1]] = copy.deepcopy(draw(st.sampled_from(ODD)))
        elif kind == "unknown" and isinstance(node, dict):
            node[draw(st.sampled_from(["extra", "from_", "agreement_id", "category", "share", "as_of"]))] = \
                copy.deepcopy(draw(st.sampled_from(ODD)))
        elif kind == "nest" and path:
            _get(data, path[:-1])[path[-1]] = draw(st.sampled_from([{"value": node}, [node]]))
        elif kind == "drop" and path and isinstance(path[-1], str):
            del _get(data, path[:-1])[path[-1]]
        elif kind == "case" and path and isinstance(node, str):
            _get(data, path[:-1])[path[-1]] = draw(st.sampled_from([node.upper(), node + "x", node[:-1], f" {node}"]))
    return data


def _fields_set(model: BaseModel) -> dict:
    """Which fields were given, at every level (what exclude_unset writes back)."""
    return {"": model.model_fields_set} | {
        name: _fields_set(value) for name in type(model).model_fields
        if isinstance(value := getattr(model, name), BaseModel)}


def _full(data: Any) -> Scenario | ValidationError:
    try:
        return Scenario.model_validate(data)
    except ValidationError as exc:
        return exc


def _fast(data: Any) -> Scenario | None:
    check = _fast_check()
    assert check is not None, "the walk no longer understands the Scenario model: every input goes to pydantic"
    try:
        return check(data)
    except _Unsure:
        return None


@settings(max_examples=400, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(mutated())
def test_the_fast_path_accepts_exactly_what_the_model_accepts(data: dict) -> None:
    original = copy.deepcopy(data)
    fast, full = _fast(data), _full(data)
    assert data == original  # the walk does not change the input
    if isinstance(full, ValidationError):
        assert fast is None, f"the fast path accepted what pydantic refuses: {full}"
    else:
        assert fast is not None, "the fast path left valid input to pydantic"
        assert fast.model_dump() == full.model_dump()
        assert fast.model_dump(by_alias=True, exclude_unset=True) == full.model_dump(by_alias=True, exclude_unset=True)
        assert _fields_set(fast) == _fields_set(full)
        assert fast == full


@settings(max_examples=100, deadline=None)
@given(mutated())
def test_validate_scenario_gives_what_model_validate_gives(data: dict) -> None:
    full = _full(data)
    try:
        got: Scenario | ValidationError = validate_scenario(data)
    except ValidationError as exc:
        got = exc
    assert type(got) is type(full)
    if isinstance(full, ValidationError):
        assert isinstance(got, ValidationError)
        assert got.errors(include_url=False) == full.errors(include_url=False)
    else:
        assert got == full


def test_every_library_scenario_takes_the_fast_path() -> None:
    for data in LIBRARY + [COMPLETE]:
        fast = _fast(data)
        assert fast is not None
        assert fast.model_dump() == Scenario.model_validate(data).model_dump()


@pytest.mark.parametrize("as_of", [dt.datetime(2026, 1, 1), "2026-01-01T00:00:00", b"2026-01-01"])
def test_rare_date_spellings_are_left_to_pydantic_which_accepts_them(as_of: Any) -> None:
    # Spellings no scenario file uses: the walk does not try to prove them, pydantic decides.
    data = {"share": {}, "as_of": as_of}
    assert _fast(data) is None
    assert validate_scenario(data).as_of == dt.date(2026, 1, 1)


def test_an_agreement_named_by_id_is_read_as_the_model_reads_it() -> None:
    for agreement in ("in_place", "york-schools-isa", "Not An Id"):
        data = {"share": {"governance": {"agreement": agreement}}}
        full = _full(data)
        fast = _fast(data)
        if isinstance(full, ValidationError):
            assert fast is None
        else:
            assert fast is not None and fast.model_dump() == full.model_dump()
            assert fast.share.governance.agreement_id == full.share.governance.agreement_id


def test_problems_in_a_file_are_worded_as_before() -> None:
    with pytest.raises(ScenarioError) as info:
        parse_scenario("share:\n  frequency: once\n  data:\n    confidential: 'yes'\n", "s.yaml")
    assert [str(p) for p in info.value.problems] == [
        "s.yaml:2: share.frequency: unknown value 'once'; expected one_off, routine",
        "s.yaml:4: share.data.confidential: expected true or false, got 'yes'",
    ]
