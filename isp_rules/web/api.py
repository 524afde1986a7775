"""The JSON API (/v1). Every answer comes from the library: assess(), the agreement draft, the register."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, BeforeValidator, Field
from pydantic_core import PydanticCustomError
from starlette.concurrency import run_in_threadpool

from ..assessment import assess
from ..scenario import Scenario, unprintable
from .access import require_to
from .inputs import YAML_TYPES, json_from_body, scenario_from_data, scenario_from_json, scenario_from_yaml
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
# Who is acting (web/access.py): a token or a signed-in identity, where the server asks for one.
ACCESS_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ProblemsOut, "description": "An API token that is unknown or revoked; or, on a server where people "
          "sign in, no token and no signed-in identity", "headers": {"WWW-Authenticate": {"schema": {"type": "string"}}}},
    403: {"model": ProblemsOut, "description": "The token's or person's role does not allow this (the sentence names "
          "the role needed)"},
}
ERRORS.update(ACCESS_ERRORS)

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
    """A body that is neither JSON nor YAML (answered 415): args are its type and, optionally,
    what the body should be ("the sign-off")."""


def _body_type(request: Request, what: str = "the scenario") -> str:
    """The body's media type, checked before the body is read: YAML, or else only JSON. A browser
    cannot send application/json to another site without asking first (CORS), so a page
    elsewhere cannot post to a server on this machine; a text/plain form body can be valid JSON,
    so it is refused whatever it holds."""
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind not in YAML_TYPES and kind not in ("application/json", "") and not kind.endswith("+json"):
        raise UnsupportedType(kind, what)
    return kind


async def read_scenario(request: Request) -> Scenario:
    kind = _body_type(request)
    raw = await request.body()
    if kind in YAML_TYPES:
        return scenario_from_yaml(raw, "request body")
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
    require_to(request, "decide")
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

    require_to(request, "decide")
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

    require_to(request, "decide")
    scenario = await read_scenario(request)
    ruleset = _ruleset(request)
    decision = assess(scenario, ruleset, as_of=as_of)
    return record_response(scenario, decision, format, ruleset)


class RecordIn(BaseModel):
    """What the register holds beyond the scenario and its decision (safeguarding golden rule 7)."""

    case_reference: str | None = Field(None, max_length=100, description="The case reference")
    no_case_reference: bool = Field(False, description="True to say there is no case reference (instead of giving one)")
    by: str | None = Field(None, max_length=200, description=(
        "Who decided (a name or role); instead of ?by=. Ignored when the request has an API token or a signed-in "
        "identity: the register names who that is."))
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

    if _body_type(request) in YAML_TYPES:
        return await read_scenario(request), None
    raw = await request.body()
    data, clean = json_from_body(raw)  # read once, duplicate keys refused in the wrapper too
    if not (isinstance(data, dict) and "scenario" in data and "share" not in data):
        return scenario_from_data(data, raw, "request body", clean=clean), None
    problems = [Problem("request body", None, key, f"unknown field {key!r}: the body has 'scenario' and 'record'")
                for key in data if key not in ("scenario", "record")]
    record = data.get("record") or {}
    details = None
    if not isinstance(record, dict):
        problems.append(Problem("request body", None, "record", "expected an object: {\"by\": ..., \"case_reference\": ...}"))
    else:
        try:
            details = RecordIn.model_validate(record)
        except ValidationError as exc:
            problems += [Problem("request body", None, ".".join(["record", *map(str, e["loc"])]), e["msg"])
                         for e in exc.errors()]
    for name, value in (details.model_dump() if details else {}).items():
        if isinstance(value, str) and (problem := unprintable(value, record=True)):
            problems.append(Problem("request body", None, f"record.{name}", problem))
    if problems:
        raise ScenarioError(problems)
    return scenario_from_data(data["scenario"], None, "request body: scenario", clean=clean), details


@router.post("/v1/decisions", tags=["register"], openapi_extra=RECORD_BODY, status_code=201,
             responses={**ERRORS, **REGISTER_ERRORS},
             summary="Decide a scenario and record the decision in the register")
async def record_decision(request: Request, by: str | None = Query(None, min_length=1, max_length=200, description=(
                              "Who decided (a name or role); or give it in the body as record.by. Ignored when the "
                          "request has an API token or a signed-in identity: the register names who that is.")),
                          as_of: Day | None = AsOf) -> Response:
    """The register is written only once the scenario is valid and the decision is reached.
    With {"scenario", "record"} the record holds the case reference (or an explicit "none"), so it
    meets safeguarding golden rule 7; a plain scenario body still records, as before.
    Needs the practitioner role. With an API token or a signed-in identity, who decided is who
    that is, whatever `by` says; without one (a server on this machine only), `by` is required."""
    from ..errors import Problem, ScenarioError
    from ..register import case_given

    actor = require_to(request, "record")
    scenario, details = await _scenario_and_record(request)
    decision = assess(scenario, _ruleset(request), as_of=as_of)
    # Who decided comes from the identity when there is one: a text box could name anybody.
    typed = (details.by if details else None) or by or ""
    who = actor.name if actor is not None else " ".join(typed.split())  # one line, as the register lists it
    if not who:
        raise ScenarioError([Problem("query", None, "query.by", "give who decided: a name or role")])
    if problem := unprintable(who, record=True):  # it would forge or hide words in the register's listing
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
            responses={422: ERRORS[422], **ACCESS_ERRORS, **REGISTER_ERRORS})
async def list_decisions(request: Request,
                         since: Annotated[Day | None, Query(description="Only records from this date (UTC).")] = None,
                         after: Annotated[int, Query(ge=0, le=SEQ_MAX, description=(
                             "Only records after this sequence number (for paging)."))] = 0,
                         limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                         full: Annotated[bool, Query(description="Include each record's scenario and decision.")] = False,
                         ) -> Response:
    """Every record, sign-offs included, each decision with its status and sign-offs. With
    full=true (each record's scenario and decision: the whole register) it needs the
    administrator role, as the CSV export does, where the server asks who is acting."""
    from ..register import EmptyRegisterError
    from ..register.approval import statuses

    require_to(request, "export" if full else "read")
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


@router.get("/v1/decisions/verify", tags=["register"], summary="Check that no recorded decision was edited or deleted",
            responses={**ACCESS_ERRORS})
async def verify_decisions(request: Request) -> Response:
    """Needs the administrator role where the server asks who is acting."""
    from ..register import EmptyRegisterError

    require_to(request, "verify")
    register = request.app.state.service.register()
    try:
        problems = await run_in_threadpool(register.verify)
    except EmptyRegisterError:
        problems = []
    return _json({"intact": not problems, "problems": problems})


class SignOffIn(BaseModel):
    """An approver's sign-off of a recorded decision."""

    verdict: Literal["approved", "rejected"] = Field(description="Approve or reject the decision")
    note: str = Field(min_length=1, max_length=2000, description="Why: kept with the sign-off in the register")
    by: str | None = Field(None, min_length=1, max_length=200, description=(
        "Who signs off, on a server without sign-in (this machine only). Ignored when the request has an API token "
        "or a signed-in identity: the register names who that is."))

    model_config = {"extra": "forbid"}


class SignOffOut(BaseModel):
    seq: int = Field(description="The sign-off's own record number")
    decision: int = Field(description="The decision signed off")
    verdict: Literal["approved", "rejected"]
    note: str
    by: str
    roles: list[str]
    identified: str = Field(description="How the signer was identified: proxy header, token NAME or local user")
    at: str = Field(description="When, UTC, ISO 8601")


SIGN_OFF_BODY = {"requestBody": {"required": True, "content": {"application/json": {
    "schema": SignOffIn.model_json_schema()}}}}


SIGN_OFF_SHAPE = 'send the sign-off as JSON: {"verdict": "approved" or "rejected", "note": "..."}'


def _sign_off_body(raw: bytes) -> SignOffIn:
    """The posted sign-off, or 422 with one entry per problem (never a 400: the body is read here)."""
    from pydantic import ValidationError

    from ..errors import Problem, ScenarioError

    try:
        data, _ = json_from_body(raw)  # a verdict given twice is refused, never the last one taken
    except ScenarioError as exc:
        raise ScenarioError([Problem("request body", None, "", f"{SIGN_OFF_SHAPE} ({exc.problems[0].message})")]) from None
    if not isinstance(data, dict):
        raise ScenarioError([Problem("request body", None, "", SIGN_OFF_SHAPE)])
    try:
        body = SignOffIn.model_validate(data)
    except ValidationError as exc:
        raise ScenarioError([Problem("request body", None, ".".join(map(str, e["loc"])), e["msg"])
                             for e in exc.errors()]) from None
    for name, value in (("note", body.note), ("by", body.by or "")):
        if problem := unprintable(value, record=True):  # it would forge or hide words in the register's listing
            raise ScenarioError([Problem("request body", None, name, problem)])
    return body


def _problem(status: int, message: str) -> Response:
    return _json({"detail": [{"path": "", "msg": message, "problem": message}]}, status)


@router.post("/v1/decisions/{seq}/sign-off", tags=["register"], status_code=201, openapi_extra=SIGN_OFF_BODY,
             summary="Approve or reject a recorded decision (approvers)",
             responses={201: {"model": SignOffOut, "description": "The sign-off, a new record chained to the decision"},
                        404: {"model": ProblemsOut, "description": "No record with this number"},
                        409: {"model": ProblemsOut, "description": "The record is a sign-off or was purged, or the "
                              "signer made the decision (a sign-off is someone else's check)"},
                        **ERRORS, **REGISTER_ERRORS})
async def sign_off_decision(request: Request,
                            seq: Annotated[int, Path(ge=1, le=SEQ_MAX, description="The decision's record number")],
                            ) -> Response:
    """Needs the approver role (a token or a signed-in identity; on a server without sign-in,
    give `by`). The sign-off is a new record in the register, chained to the decision; the
    decision's status becomes the verdict of its latest sign-off."""
    from .approvals import Refusal, sign_off_on_web

    require_to(request, "sign-off")  # before the body: a refusal says so whatever was sent
    _body_type(request, "the sign-off")  # JSON only, before anything is read
    body = _sign_off_body(await request.body())
    made = await sign_off_on_web(request, seq, body.verdict, body.note, body.by)
    if isinstance(made, Refusal):
        return _problem(made.status, made.message)
    return _json(made.to_json(), 201)


@router.get("/v1/rules", tags=["rules"], summary="Every rule: effect, message, citations and in-force dates",
            responses={401: ACCESS_ERRORS[401]})
async def rules(request: Request) -> Response:
    from ..authoring.catalogue import rules_as_data

    r = _ruleset(request)
    return _json({"name": r.name, "version": r.version, "sha256": r.sha256, "rules": rules_as_data(r)})


@router.get("/v1/agreement-points", tags=["rules"], summary="The Appendix J agreement points with their likely answers",
            responses={401: ACCESS_ERRORS[401]})
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

