"""The JSON API (/v1). Every answer comes from the library: assess(), the agreement draft, the register."""

from __future__ import annotations

import datetime as dt
import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ..assessment import assess
from ..loader import parse_scenario
from ..scenario import Scenario
from .inputs import YAML_TYPES, scenario_from_json
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


BODY = {"requestBody": {"required": True, "description": "A scenario in the public format (docs: scenario-format.md), "
                        "as JSON, or as YAML with Content-Type application/yaml.",
                        "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Scenario"}},
                                    "application/yaml": {"schema": {"type": "string"}}}}}


class UnsupportedType(Exception):
    """A body that is neither JSON nor YAML (answered 415)."""


async def read_scenario(request: Request) -> Scenario:
    raw = await request.body()
    kind = request.headers.get("content-type", "application/json").split(";")[0].strip().lower()
    if kind in YAML_TYPES:
        return parse_scenario(raw, "request body")
    # Only JSON otherwise: a browser cannot send application/json to another site without
    # asking first (CORS), so a page elsewhere cannot post to a server on this machine.
    if kind not in ("application/json", "") and not kind.endswith("+json"):
        raise UnsupportedType(kind)
    return scenario_from_json(raw)


def _json(data, status: int = 200) -> Response:
    return Response(json.dumps(data, ensure_ascii=False), status_code=status, media_type="application/json")


AsOf = Query(None, description="Decide under the law in force on this date (overrides the scenario's as_of).")


def _ruleset(request: Request):
    return request.app.state.service.ruleset


@router.post("/v1/assess", tags=["decide"], openapi_extra=BODY,
             responses={200: {"model": DecisionOut, "description": "The decision"}, **ERRORS},
             summary="Decide a scenario: allow, deny or needs-agreement, with cited reasons")
async def assess_scenario(request: Request, as_of: dt.date | None = AsOf) -> Response:
    """Returns the decision JSON of the scenario format spec. Nothing is recorded: to record,
    POST the same body to /v1/decisions. Invalid input gets 422 with one entry per problem."""
    scenario = await read_scenario(request)
    return _json(assess(scenario, _ruleset(request), as_of=as_of).to_json())


@router.post("/v1/agreement", tags=["decide"], openapi_extra=BODY,
             summary="Draft the Appendix J information sharing agreement for a scenario",
             responses={200: {"content": {"text/markdown": {}, "application/vnd.openxmlformats-officedocument."
                                          "wordprocessingml.document": {}}}, **ERRORS})
async def agreement(request: Request, format: Literal["markdown", "docx"] = "markdown",
                    as_of: dt.date | None = AsOf) -> Response:
    from .downloads import agreement_response

    scenario = await read_scenario(request)
    decision = assess(scenario, _ruleset(request), as_of=as_of)
    return agreement_response(scenario, decision, format)


@router.post("/v1/decisions", tags=["register"], openapi_extra=BODY, status_code=201,
             responses={**ERRORS, **REGISTER_ERRORS},
             summary="Decide a scenario and record the decision in the register")
async def record_decision(request: Request, by: str = Query(..., min_length=1, max_length=200,
                                                            description="Who decided (a name or role)."),
                          as_of: dt.date | None = AsOf) -> Response:
    """The register is written only once the scenario is valid and the decision is reached."""
    scenario = await read_scenario(request)
    decision = assess(scenario, _ruleset(request), as_of=as_of)
    who = " ".join(by.split())  # one line, as the register lists it
    if not who:
        from ..errors import Problem, ScenarioError

        raise ScenarioError([Problem("query", None, "query.by", "give who decided: a name or role")])
    register = request.app.state.service.register()
    record = await run_in_threadpool(register.append, decision, scenario, by=who)
    return _json({"record": record.to_json(full=False), "decision": decision.to_json()}, 201)


@router.get("/v1/decisions", tags=["register"], summary="The decisions recorded in the register",
            responses={422: ERRORS[422], **REGISTER_ERRORS})
async def list_decisions(request: Request,
                         since: Annotated[dt.date | None, Query(description="Only records from this date (UTC).")] = None,
                         after: Annotated[int, Query(ge=0, description="Only records after this sequence number (for paging).")] = 0,
                         limit: Annotated[int, Query(ge=1, le=1000)] = 100,
                         full: Annotated[bool, Query(description="Include each record's scenario and decision.")] = False,
                         ) -> Response:
    from ..register import EmptyRegisterError

    register = request.app.state.service.register()
    try:
        records = await run_in_threadpool(lambda: list(register.records(since, after=after, limit=limit + 1)))
    except EmptyRegisterError:
        records = []  # a register not yet written to is simply empty
    page = records[:limit]
    return _json({"records": [r.to_json(full) for r in page], "count": len(page),
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
        defs = _scenario_body()
        components = schema.setdefault("components", {}).setdefault("schemas", {})
        for name, sub in defs.pop("$defs", {}).items():
            components.setdefault(name, sub)
        components["Scenario"] = json.loads(json.dumps(defs).replace("#/$defs/", "#/components/schemas/"))
        for name in list(components):
            components[name] = json.loads(json.dumps(components[name]).replace("#/$defs/", "#/components/schemas/"))
        app.openapi_schema = schema
        return schema

    app.openapi = openapi

