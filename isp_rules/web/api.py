"""The JSON API (/v1). Every answer comes from the library: assess(), the agreement draft, the register."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from ..assessment import assess
from ..scenario import Scenario, unprintable
from .inputs import YAML_TYPES, scenario_from_json, scenario_from_yaml
from .schema import DecisionOut

__all__ = ["DecisionOut", "install_schema", "read_scenario", "router"]

router = APIRouter()


# --- response shapes, for the OpenAPI description (the answers themselves come from the library;
# the decision's models are generated from isp_rules.decision, in schema.py)

class ProblemOut(BaseModel):
    path: str = Field(description="Field path, e.g. share.data.subjects[0]; empty for the body as a whole")
    msg: str = Field(description="What was expected, with 'did you mean' where a close match exists")
    line: int | None = Field(None, description="Line of the body where the problem is")
    problem: str = Field(description="The whole problem on one line, as isp check prints it")


class ProblemsOut(BaseModel):
    detail: list[ProblemOut]


ERRORS: dict[int | str, dict[str, Any]] = {
    422: {"model": ProblemsOut, "description": "Not a valid scenario (or parameter): one entry per problem"},
    413: {"model": ProblemsOut, "description": "The body is larger than 1 MB"},
    415: {"model": ProblemsOut, "description": "The body is neither JSON nor YAML"},
    500: {"model": ProblemsOut, "description": "A fault in isp-rules (details in the server log only)"},
}
REGISTER_ERRORS: dict[int | str, dict[str, Any]] = {503: {"model": ProblemsOut, "description": "The register cannot be reached; nothing was recorded"}}

_SCENARIO_SCHEMA: dict | None = None


def _scenario_body() -> dict:
    """The request body in the OpenAPI document: the public scenario format (JSON or YAML)."""
    global _SCENARIO_SCHEMA
    if _SCENARIO_SCHEMA is None:
        _SCENARIO_SCHEMA = Scenario.model_json_schema(by_alias=True)
    return _SCENARIO_SCHEMA


# YAML is another way of writing the same scenario, so both media types carry its schema.
SCENARIO_REF = {"$ref": "#/components/schemas/Scenario"}
BODY = {"requestBody": {"required": True, "description": "A scenario in the public format (docs: scenario-format.md), "
                        "as JSON, or as YAML with Content-Type application/yaml.",
                        "content": {"application/json": {"schema": SCENARIO_REF},
                                    "application/yaml": {"schema": SCENARIO_REF}}}}


class UnsupportedType(Exception):
    """A body that is neither JSON nor YAML (answered 415)."""


async def read_scenario(request: Request) -> Scenario:
    raw = await request.body()
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind in YAML_TYPES:
        return scenario_from_yaml(raw, "request body")
    # Only JSON otherwise: a browser cannot send application/json to another site without
    # asking first (CORS), so a page elsewhere cannot post to a server on this machine.
    if kind not in ("application/json", "") and not kind.endswith("+json"):
        raise UnsupportedType(kind)
    return scenario_from_json(raw)


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json")


def _iso_date(value: object) -> object:
    """Only YYYY-MM-DD, as the OpenAPI document says (format: date): pydantic alone would also
    read 0 or 1700000000 as a time stamp, a date nobody meant."""
    if isinstance(value, str) and not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", value):
        raise PydanticCustomError("date_format", "expected a date YYYY-MM-DD, got {given}", {"given": repr(value[:20])})
    return value


Day = Annotated[dt.date, BeforeValidator(_iso_date)]
SEQ_MAX = 2**63 - 1  # the register's sequence numbers are 64-bit integers in SQLite and PostgreSQL
AsOf = Query(None, description="Decide under the law in force on this date (overrides the scenario's as_of).")


def _ruleset(request: Request):
    return request.app.state.service.ruleset


@router.post("/v1/assess", tags=["decide"], openapi_extra=BODY,
             responses={200: {"model": DecisionOut, "description": "The decision"}, **ERRORS},
             summary="Decide a scenario: allow, deny or needs-agreement, with cited reasons")
async def assess_scenario(request: Request, as_of: Day | None = AsOf) -> Response:
    """Returns the decision JSON of the scenario format spec. Nothing is recorded: to record,
    POST the same body to /v1/decisions. Invalid input gets 422 with one entry per problem."""
    scenario = await read_scenario(request)
    return _json(assess(scenario, _ruleset(request), as_of=as_of).to_json())


@router.post("/v1/agreement", tags=["decide"], openapi_extra=BODY,
             summary="Draft the Appendix J information sharing agreement for a scenario",
             responses={200: {"content": {"text/markdown": {}, "application/vnd.openxmlformats-officedocument."
                                          "wordprocessingml.document": {}}}, **ERRORS})
async def agreement(request: Request, format: Literal["markdown", "docx"] = "markdown",
                    as_of: Day | None = AsOf) -> Response:
    """Numbered clauses in plain words for each party's DPO to sign: the parties, purpose and legal
    basis, the protocol's standards quoted with their sources, the points still to agree as a
    checklist, start and review dates, a version and a signature block for each party."""
    from .downloads import agreement_response

    scenario = await read_scenario(request)
    ruleset = _ruleset(request)
    decision = assess(scenario, ruleset, as_of=as_of)
    return agreement_response(scenario, decision, format, ruleset)


@router.post("/v1/annex-b", tags=["decide"], openapi_extra=BODY,
             summary="Fill in the ICO Annex B data sharing request and decision record for a one-off request",
             responses={200: {"content": {"text/markdown": {}, "application/vnd.openxmlformats-officedocument."
                                          "wordprocessingml.document": {}}}, **ERRORS})
async def annex_b(request: Request, format: Literal["markdown", "docx"] = "markdown",
                  as_of: Day | None = AsOf) -> Response:
    """The ICO data sharing code's Annex B record (the request, considering it, the decision, who
    decided), filled in from the decision. A routine share gets 422 saying why: routine sharing is
    set out in its information sharing agreement (/v1/agreement), not decided request by request."""
    from .downloads import record_response

    scenario = await read_scenario(request)
    ruleset = _ruleset(request)
    decision = assess(scenario, ruleset, as_of=as_of)
    return record_response(scenario, decision, format, ruleset)


class RecordIn(BaseModel):
    """What the register holds beyond the scenario and its decision (safeguarding golden rule 7)."""

    case_reference: str | None = Field(None, max_length=100, description="The case reference")
    no_case_reference: bool = Field(False, description="True to say there is no case reference (instead of giving one)")
    by: str | None = Field(None, max_length=200, description="Who decided (a name or role); instead of ?by=")
    from_name: str | None = Field(None, max_length=200, description="The discloser's name, if the scenario does not give it")
    to_name: str | None = Field(None, max_length=200, description="The recipient's name, if the scenario does not give it")

    model_config = {"extra": "forbid"}


RECORD_BODY = {"requestBody": {"required": True, "description": (
    "A scenario in the public format (as JSON, or YAML with Content-Type application/yaml); or, as JSON, "
    "{\"scenario\": ..., \"record\": {\"case_reference\": ..., \"by\": ...}} to record the case reference "
    "(or \"no_case_reference\": true), who decided and any party's name the scenario lacks. Names and case "
    "references go in the body, not the address, so that they stay out of server logs. A plain scenario is "
    "recorded as before, its case reference shown as not recorded."),
    "content": {"application/json": {"schema": {"oneOf": [
        {"$ref": "#/components/schemas/Scenario"},
        {"type": "object", "required": ["scenario", "record"], "additionalProperties": False,
         "properties": {"scenario": {"$ref": "#/components/schemas/Scenario"},
                        "record": RecordIn.model_json_schema()}}]}},
        "application/yaml": {"schema": SCENARIO_REF}}}}


async def _scenario_and_record(request: Request) -> tuple[Scenario, RecordIn | None]:
    """The posted scenario, and the record's details when the body is {"scenario", "record"}."""
    from pydantic import ValidationError

    from ..errors import Problem, ScenarioError

    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind in YAML_TYPES:
        return await read_scenario(request), None
    try:
        data = json.loads(await request.body())
    except (ValueError, RecursionError):
        data = None  # read_scenario reports it as the scenario problem it is
    if not (isinstance(data, dict) and "scenario" in data and "share" not in data):
        return await read_scenario(request), None
    problems = [Problem("request body", None, key, f"unknown field {key!r}: the body has 'scenario' and 'record'")
                for key in data if key not in ("scenario", "record")]
    try:
        details = RecordIn.model_validate(data.get("record") or {})
    except ValidationError as exc:
        details = None
        problems += [Problem("request body", None, ".".join(["record", *map(str, e["loc"])]), e["msg"])
                     for e in exc.errors()]
    for name, value in (details.model_dump() if details else {}).items():
        if isinstance(value, str) and (problem := unprintable(value)):
            problems.append(Problem("request body", None, f"record.{name}", problem))
    if problems:
        raise ScenarioError(problems)
    return scenario_from_json(json.dumps(data["scenario"]).encode(), "request body: scenario"), details


@router.post("/v1/decisions", tags=["register"], openapi_extra=RECORD_BODY, status_code=201,
             responses={**ERRORS, **REGISTER_ERRORS},
             summary="Decide a scenario and record the decision in the register")
async def record_decision(request: Request, by: str | None = Query(None, min_length=1, max_length=200, description=(
                              "Who decided (a name or role); or give it in the body as record.by.")),
                          as_of: Day | None = AsOf) -> Response:
    """The register is written only once the scenario is valid and the decision is reached.
    With {"scenario", "record"} the record holds the case reference (or an explicit "none"), so it
    meets safeguarding golden rule 7; a plain scenario body still records, as before."""
    from ..errors import Problem, ScenarioError
    from ..register import case_given

    scenario, details = await _scenario_and_record(request)
    decision = assess(scenario, _ruleset(request), as_of=as_of)
    who = " ".join(((details.by if details else None) or by or "").split())  # one line, as the register lists it
    if not who:
        raise ScenarioError([Problem("query", None, "query.by", "give who decided: a name or role")])
    if problem := unprintable(who):  # it would forge or hide words in the register's listing
        raise ScenarioError([Problem("query", None, "query.by", problem)])
    case = None
    if details is not None:
        try:
            case = case_given(details.case_reference, details.no_case_reference,
                              {"from": details.from_name, "to": details.to_name})
        except ValueError as exc:
            raise ScenarioError([Problem("request body", None, "record.case_reference", str(exc))]) from None
    register = request.app.state.service.register()
    record = await run_in_threadpool(register.append, decision, scenario, by=who, case=case)
    return _json({"record": record.to_json(full=False), "decision": decision.to_json()}, 201)


@router.get("/v1/decisions", tags=["register"], summary="The decisions recorded in the register",
            responses={422: ERRORS[422], **REGISTER_ERRORS})
async def list_decisions(request: Request,
                         since: Annotated[Day | None, Query(description="Only records from this date (UTC).")] = None,
                         after: Annotated[int, Query(ge=0, le=SEQ_MAX, description=(
                             "Only records after this sequence number (for paging)."))] = 0,
                         limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                         full: Annotated[bool, Query(description="Include each record's scenario and decision.")] = False,
                         ) -> Response:
    from ..register import EmptyRegisterError
    from ..register.approval import statuses
    from ..register.listing import record_json

    register = request.app.state.service.register()
    try:
        records = await run_in_threadpool(lambda: list(register.records(since, after=after, limit=limit + 1)))
        known = await run_in_threadpool(lambda: statuses(register))  # each decision's sign-offs, as isp log shows
    except EmptyRegisterError:
        records, known = [], {}  # a register not yet written to is simply empty
    page = records[:limit]
    return _json({"records": [record_json(r, known, full) for r in page], "count": len(page),
                  "more": len(records) > limit})


@router.get("/v1/decisions/verify", tags=["register"], summary="Check that no recorded decision was edited or deleted")
async def verify_decisions(request: Request) -> Response:
    from ..register import EmptyRegisterError

    register = request.app.state.service.register()
    try:
        problems = await run_in_threadpool(register.verify)
    except EmptyRegisterError:
        problems = []
    return _json({"intact": not problems, "problems": problems})


@router.get("/v1/rules", tags=["rules"], summary="Every rule: effect, message, citations and in-force dates")
async def rules(request: Request) -> Response:
    from ..authoring.catalogue import rules_as_data

    r = _ruleset(request)
    return _json({"name": r.name, "version": r.version, "sha256": r.sha256, "rules": rules_as_data(r)})


@router.get("/v1/agreement-points", tags=["rules"], summary="The Appendix J agreement points with their likely answers")
async def agreement_points(request: Request) -> Response:
    from ..authoring.catalogue import points_as_data

    r = _ruleset(request)
    return _json({"name": r.name, "version": r.version, "sha256": r.sha256, "points": points_as_data(r)})


@router.head("/healthz", include_in_schema=False)  # load balancers often check with HEAD
@router.get("/healthz", tags=["service"], summary="Liveness: the worker is up and its ruleset is loaded")
async def healthz(request: Request) -> Response:
    import os

    r = _ruleset(request)
    return _json({"status": "ok", "ruleset": {"name": r.name, "version": r.version, "sha256": r.sha256}, "pid": os.getpid()})


def install_schema(app) -> None:
    """Put the Scenario schema in the OpenAPI components (the routes read the body themselves,
    so that every problem gets the CLI's field path and line)."""
    original = app.openapi

    def openapi():
        if app.openapi_schema:
            return app.openapi_schema
        schema = original()
        defs = json.loads(json.dumps(_scenario_body()))  # a copy: the cached schema serves every app
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, sub in defs.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components["Scenario"] = json.loads(json.dumps(defs).replace("#/$defs/", "#/components/schemas/"))
        for name in list(components):
            components[name] = json.loads(json.dumps(components[name]).replace("#/$defs/", "#/components/schemas/"))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi

