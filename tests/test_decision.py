"""One decision JSON shape: decision.py's dataclasses state it; to_json writes it; the API's
response models are generated from it and checked against every library scenario's answer."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any, Literal, get_args

import pytest
from conftest import SCENARIOS

from isp_rules import assess, load_scenario
from isp_rules.decision import (
    NOT_IN_JSON,
    CitationOut,
    Contradiction,
    Decision,
    DirectoryFact,
    Obligation,
    OpenPoint,
    Reason,
    RulesetInfo,
    doc,
    json_fields,
)

pytest.importorskip("fastapi")
from isp_rules.web.schema import DecisionOut, response_model  # after importorskip: needs the web extra

FILES = sorted(SCENARIOS.glob("**/*.yaml"))


@pytest.fixture(scope="module")
def decisions() -> dict[str, Decision]:
    return {str(f.relative_to(SCENARIOS)): assess(load_scenario(f)) for f in FILES}


def _walk(obj: Any, data: Any, seen: dict[type, set[str]]) -> None:
    """Every result dataclass in the decision, beside its JSON: the keys are exactly its JSON
    fields that have a value (or are always written), and its model accepts them."""
    if isinstance(obj, list):
        assert isinstance(data, list) and len(obj) == len(data)
        for o, d in zip(obj, data, strict=True):
            _walk(o, d, seen)
        return
    if not dataclasses.is_dataclass(obj):
        return
    cls = type(obj)
    model = response_model(cls)
    written = [f.name for f in json_fields(cls) if getattr(obj, f.name) is not None or f.metadata.get("always")]
    assert list(data) == written, cls.__name__  # the same keys, in the declared order
    required = {name for name, f in model.model_fields.items() if f.is_required()}
    assert required <= set(data) <= set(model.model_fields), cls.__name__
    seen.setdefault(cls, set()).update(data)
    for f in json_fields(cls):
        if f.name in data:
            _walk(getattr(obj, f.name), data[f.name], seen)


def test_library_scenarios_exist():
    assert len(FILES) > 100


def test_every_library_answer_fits_the_api_model_exactly(decisions):
    seen: dict[type, set[str]] = {}
    for name, decision in decisions.items():
        data = decision.to_json()
        parsed = DecisionOut.model_validate(data)  # extra="forbid": no key the model does not know
        assert parsed.model_dump(mode="json", exclude_unset=True) == data, name  # nothing lost or changed
        _walk(decision, data, seen)
    # Each model's fields are its dataclass's JSON fields, and the library exercises every one of them.
    for cls, keys in seen.items():
        names = [f.name for f in json_fields(cls)]
        assert list(response_model(cls).model_fields) == names, cls.__name__
        assert keys == set(names), (cls.__name__, set(names) - keys)
    assert set(seen) == {Decision, Reason, OpenPoint, Obligation, CitationOut, RulesetInfo, DirectoryFact, Contradiction}


def test_fields_kept_out_of_the_json_are_marked_once():
    marked = {f.name for f in dataclasses.fields(Decision) if f not in json_fields(Decision)}
    assert marked == {"rule_keys", "points", "parties"}
    assert not marked & set(DecisionOut.model_fields)
    d = DecisionOut.model_fields
    assert d["scenario"].is_required()  # always written, null when the scenario is unnamed
    assert get_args(d["verdict"].annotation) == ("allow", "deny", "needs-agreement")


def test_a_field_added_to_a_result_dataclass_reaches_the_model():
    @dataclasses.dataclass(frozen=True)
    class Extra:
        verdict: Literal["allow", "deny"]
        day: dt.date
        cites: list[CitationOut]
        note: str | None = dataclasses.field(default=None, metadata=doc("A note"))
        internal: tuple[str, ...] = dataclasses.field(default=(), metadata=NOT_IN_JSON)

    model = response_model(Extra)
    assert list(model.model_fields) == ["verdict", "day", "cites", "note"]
    schema = model.model_json_schema()
    assert schema["properties"]["note"]["description"] == "A note"
    assert schema["properties"]["verdict"]["enum"] == ["allow", "deny"]
    assert set(schema["required"]) == {"verdict", "day", "cites"}
    assert schema["additionalProperties"] is False


def test_openapi_describes_the_decision_json(decisions):
    from fastapi.testclient import TestClient

    from isp_rules.web import create_app

    with TestClient(create_app(), base_url="http://localhost") as client:
        spec = client.get("/openapi.json").json()
    schemas = spec["components"]["schemas"]
    ok = spec["paths"]["/v1/assess"]["post"]["responses"]["200"]["content"]["application/json"]["schema"]
    assert ok == {"$ref": "#/components/schemas/DecisionOut"}
    for name, cls in {"DecisionOut": Decision, "ReasonOut": Reason, "OpenPointOut": OpenPoint,
                      "ObligationOut": Obligation, "CitationOut": CitationOut, "RulesetOut": RulesetInfo}.items():
        assert list(schemas[name]["properties"]) == [f.name for f in json_fields(cls)], name
    keys = set().union(*(d.to_json() for d in decisions.values()))
    assert keys == set(schemas["DecisionOut"]["properties"])
    assert schemas["DecisionOut"]["properties"]["verdict"]["enum"] == ["allow", "deny", "needs-agreement"]
    assert schemas["ReasonOut"]["properties"]["effect"]["enum"] == ["deny", "open", "ground", "advice"]
    assert schemas["ObligationOut"]["properties"]["kind"]["enum"] == ["duty", "standard", "record_after",
                                                                      "complete_after"]
    assert schemas["OpenPointOut"]["properties"]["kind"]["enum"] == ["lawfulness", "paperwork", "protocol_standard",
                                                                     "legal_requirement"]


def test_a_decision_is_still_built_positionally_as_the_public_api_always_allowed():
    """Decision is in isp_rules.__all__: callers who built one by position keep working, and its
    JSON still comes out in the answer's order."""
    import datetime as dt

    from isp_rules import Decision
    from isp_rules.decision import RulesetInfo

    info = RulesetInfo("york", "2026.12.0", "0" * 64, dt.date(2026, 12, 7))
    built = Decision("case-1", "allow", [], [], [], False, info, "A title")
    assert (built.scenario, built.verdict, built.ruleset, built.title) == ("case-1", "allow", info, "A title")
    assert list(built.to_json()) == ["scenario", "title", "verdict", "share_now", "share_kinds", "reasons",
                                     "open_points", "obligations", "deferred", "ruleset", "disclaimer"]
