"""The practitioner pages: server-rendered HTML that works with JavaScript switched off.

Every page answers from the library (assess, still_to_ask, the triage summary, the register);
the templates only lay the answer out. Jinja2 escapes everything a user or a rule supplies.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import json
import secrets
from pathlib import Path
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from jinja2 import Environment, FileSystemLoader
from starlette.concurrency import run_in_threadpool

from ..assessment import assess, scenario_problems
from ..authoring.remedy import find_remedies
from ..decision import DISCLAIMER, Decision
from ..dotted import set_path, unset_path
from ..errors import Problem, ScenarioError
from ..guided.answers import NOT_SURE
from ..loader import name_after_file
from ..register.details import uk_time
from ..render import (
    REMEDIES_NOTE,
    REMEDIES_TITLE,
    VERDICT_TEXT,
    obligation_groups,
    remedy_lines,
    urgent_note,
    verdict_word,
)
from ..scenario import Scenario, unprintable
from .access import acting, allowed, require_to
from .downloads import agreement_response, record_response, scenario_data, scenario_response
from .forms import StateError, answers_summary, form_field, pack_state, read_answer
from .inputs import scenario_from_data, scenario_from_json, scenario_from_yaml
from .tokens import COOKIE, check_form_token

__all__ = ["BATCH", "error_page", "router"]

# Every form post brings the token of the page that showed the form (tokens.py).
router = APIRouter(include_in_schema=False, dependencies=[Depends(check_form_token)])
PAGE_METHODS = ["GET", "HEAD"]  # HEAD too: monitors and `curl -I` ask for the headers alone
_RECORDING = asyncio.Lock()
BATCH = 4  # questions per page of the guided form: few enough that each answer can still prune the rest

_env = Environment(loader=FileSystemLoader(str(Path(__file__).parent / "templates")), autoescape=True, trim_blocks=True, lstrip_blocks=True)
_env.globals.update(disclaimer=DISCLAIMER, verdict_text=VERDICT_TEXT)
_env.globals["uk_time"] = uk_time


def _page(request: Request, name: str, status: int = 200, **context: Any) -> HTMLResponse:
    ruleset = request.app.state.service.ruleset
    tokens = request.app.state.form_tokens
    nonce, new = tokens.nonce(request)
    # `actor`: who is signed in (None on a server for this machine alone, where names are typed).
    html = _env.get_template(name).render(ruleset=ruleset, path=request.url.path, form_token=tokens.token(nonce),
                                          actor=acting(request), **context)
    response = HTMLResponse(html, status_code=status)
    if new:  # the browser's half of the form token; no script needs it, and it never leaves this site
        response.set_cookie(COOKIE, nonce, httponly=True, samesite="lax", path="/")
    return response


def error_page(request: Request, status: int, messages: list[str]) -> HTMLResponse:
    titles = {401: "Please sign in", 403: "Not allowed", 404: "Page not found", 405: "Not allowed", 409: "Not possible", 413: "Too large", 422: "Please check what you entered",
              500: "Something went wrong", 503: "The register is not available"}
    return _page(request, "error.html", status, title=titles.get(status, "Error"), messages=messages)


def _ruleset(request: Request):
    return request.app.state.service.ruleset


def _decision_page(request: Request, scenario: Scenario, decision: Decision, status: int = 200, **extra: Any) -> HTMLResponse:
    context: dict[str, Any] = {"record": None, "triage": None, "answers": None,
                               "submission": secrets.token_urlsafe(12), **extra}
    d = decision.to_json()
    # the obligations grouped as the text output groups them (same objects, JSON-shaped)
    groups = [(title, [d["obligations"][decision.obligations.index(o)] for o in items])
              for title, items in obligation_groups(decision)]
    # What would make it lawful: the same search and words as `isp check` (capped, so the page stays quick).
    remedies = [] if decision.verdict == "allow" else \
        [remedy_lines(r) for r in find_remedies(scenario, _ruleset(request), decision, as_of=decision.ruleset.as_of)]
    return _page(request, "decision.html", status, title=verdict_word(decision.verdict).title(),
                 d=d, urgent=urgent_note(decision), groups=groups, scenario_json=json.dumps(scenario_data(scenario), ensure_ascii=False),
                 scenario_name=scenario.title or scenario.id, remedies=remedies, remedies_title=REMEDIES_TITLE,
                 remedies_note=REMEDIES_NOTE, **context)


# --- home and catalogue -----------------------------------------------------------------

def _text(form: Any, name: str) -> str:
    """A form field's text; "" for a missing one, or for a file uploaded where text was asked for
    (its Python description would otherwise be written into the register as if it were a name)."""
    value = form.get(name)
    return value if isinstance(value, str) else ""


@router.api_route("/", methods=["GET", "HEAD"], response_class=HTMLResponse)
async def home(request: Request):
    return _page(request, "home.html", title="Can I share this?")


@router.api_route("/rules", methods=PAGE_METHODS, response_class=HTMLResponse)
async def rules(request: Request, q: str = ""):
    """The catalogue by topic, with conditions as sentences; ?q= keeps only what mentions every word
    (a GET form: it works without JavaScript)."""
    from ..authoring.catalogue import URGENCY_WORDS, matches, points_as_data, rules_as_data, sentence, topics

    q = " ".join(q.split())[:200]
    ruleset = _ruleset(request)
    every = rules_as_data(ruleset)
    seen: set[str] = set()
    for item in every:  # a rule's later versions share its id: the first one is the anchor the decision page links to
        item["anchor"] = item["id"] if item["id"] not in seen else item["key"]
        seen.add(item["id"])
    anchors = {topic: f"topic-{i + 1}" for i, topic in enumerate(topics(every))}
    items, points = every, points_as_data(ruleset)
    if q:
        items = [i for i in every if matches(i, q)]
        points = [p for p in points if matches(p, q)]
    return _page(request, "rules.html", title="Rules catalogue", q=q, by_topic=topics(items), anchors=anchors,
                 found=len(items), total=len(every), points=points, urgency_words=URGENCY_WORDS, sentence=sentence)


# --- the guided form --------------------------------------------------------------------

def _ask_step(request: Request, data: dict, asked: list[str], errors: dict[str, str] | None = None,
              pages: list[dict] | None = None, show: list[str] | None = None, shown_from: dict | None = None) -> HTMLResponse:
    """One page of the guided form. `show` (after Back) puts those questions again, with the
    answers `shown_from` held for them chosen."""
    from ..guided.asking import answered, page_of, question_for, still_to_ask

    errors = errors or {}
    pages = pages or []
    ruleset = _ruleset(request)
    scenario = scenario_from_data(data, None, "your answers")
    scenario, decision, fields = still_to_ask(ruleset, data, set(asked) - set(errors) - set(show or ()))
    if show:
        fields = list(show) + [f for f in fields if f not in show]
    if errors:  # ask the same questions again, each problem beside its field
        fields = list(errors) + [f for f in fields if f not in errors]

    def summary_question(path: str):
        return answered(ruleset, path, data)

    answers = answers_summary(data, asked, summary_question)
    if not fields:
        return _decision_page(request, scenario, decision, answers=answers, state=pack_state(data, asked, pages))
    page_paths = list(show) if show else (list(errors) or page_of(fields, BATCH))
    shown = []
    for path in page_paths:
        q = question_for(ruleset, path, data)
        if q is None:  # a proposal that no longer fits after Back: nothing to ask
            continue
        value = None
        if shown_from is not None:
            held = answered(ruleset, path, shown_from)
            value = held[1] if held is not None else None
        shown.append(form_field(q, data, errors.get(path), with_help=True, value=value))
    return _page(request, "ask.html", 422 if errors else 200, title="Can I share this?", fields=shown,
                 state=pack_state(data, asked, pages), answers=answers, remaining=len(fields),
                 errors=errors, can_go_back=bool(pages))


@router.api_route("/ask", methods=PAGE_METHODS, response_class=HTMLResponse)
async def ask_start(request: Request):
    return _ask_step(request, {"share": {}}, [])


@router.post("/ask", response_class=HTMLResponse)
async def ask_next(request: Request):
    from ..guided.asking import apply_answer, is_question_path, question_for, withdraw_answer
    from ..guided.proposals import PROPOSAL_PATH
    from .forms import unpack_state_pages

    form = await request.form()
    if form.get("start"):  # from a decision page or the triage: go on from that scenario's facts
        scenario = scenario_from_json(str(form["start"]).encode(), "the scenario")
        return _ask_step(request, scenario_data(scenario), [])
    try:
        data, asked, pages = unpack_state_pages(form.get("state"))  # a file posted as the state is damage too
    except StateError as exc:
        return error_page(request, 422, [f"{exc}; please start again."])
    ruleset = _ruleset(request)
    change = form.get("change")
    if isinstance(change, str) and is_question_path(change):  # "Change" beside an earlier answer
        withdraw_answer(ruleset, data, change)
        asked = [p for p in asked if p != change]
        return _ask_step(request, data, asked, pages=pages)
    if form.get("back") and pages:  # Back: the previous page again, its answers chosen
        page = pages.pop()
        held = data
        data = page["before"]
        asked = [p for p in asked if p not in page["paths"]]
        return _ask_step(request, data, asked, pages=pages, show=list(page["paths"]), shown_from=held)
    before = json.loads(json.dumps(data))
    errors: dict[str, str] = {}
    answered_now: list[str] = []
    for path in form.getlist("shown"):
        path = str(path)
        q = question_for(ruleset, path, data) if is_question_path(path) else None
        if q is None:
            continue
        try:
            value = read_answer(q, [str(v) for v in form.getlist(q.path)])
        except ValueError as exc:
            errors[q.path] = str(exc)
            continue
        answered_now.append(q.path)
        if q.path not in asked:
            asked.append(q.path)
        if value is NOT_SURE and q.path.endswith(".partner"):
            unset_path(data, q.path)  # not sure which partner: a kind of body already given (by the triage) stays
        elif value is NOT_SURE or q.path == PROPOSAL_PATH:  # "not sure" (or a changed mind) takes it back
            withdraw_answer(ruleset, data, q.path)
        if value is not NOT_SURE:
            apply_answer(ruleset, data, q.path, value)
    if answered_now and not errors:
        pages.append({"paths": answered_now, "before": before})
    return _ask_step(request, data, asked, errors, pages=pages)


# --- urgent triage ----------------------------------------------------------------------

@router.api_route("/triage", methods=PAGE_METHODS, response_class=HTMLResponse)
async def triage_form(request: Request):
    from ..guided.triage import TRIAGE_QUESTIONS

    return _page(request, "triage.html", title="Urgent: someone is at risk now",
                 fields=[form_field(q, {"share": {}}) for q in TRIAGE_QUESTIONS])


@router.post("/triage", response_class=HTMLResponse)
async def triage_answer(request: Request):
    from ..guided.triage import (
        PAPERWORK_HEADING,
        RECORD_HEADING,
        TRIAGE_QUESTIONS,
        complete,
        summarise,
        urgent_path_needs,
    )

    form = await request.form()
    data: dict = {"share": {}}
    errors: dict[str, str] = {}
    for q in TRIAGE_QUESTIONS:
        try:
            value = read_answer(q, [str(v) for v in form.getlist(q.path)])
        except ValueError as exc:
            errors[q.path] = str(exc)
            continue
        if value is not NOT_SURE:
            set_path(data, q.path, value)
    if errors:
        return _page(request, "triage.html", 422, title="Urgent: someone is at risk now",
                     fields=[form_field(q, data, errors.get(q.path)) for q in TRIAGE_QUESTIONS])
    complete(data)
    scenario = scenario_from_data(data, None, "your answers")
    ruleset = _ruleset(request)
    decision = assess(scenario, ruleset)
    # Not urgent: the page's button posts these answers to /ask as `start`, so the full
    # questions go on from them (triage_result.html).
    return _decision_page(request, scenario, decision, triage=summarise(scenario, decision, ruleset),
                          urgent_path_needs=urgent_path_needs(ruleset, decision.ruleset.as_of),
                          record_heading=RECORD_HEADING, paperwork_heading=PAPERWORK_HEADING)


# --- a scenario file --------------------------------------------------------------------

_EXAMPLE_SCENARIO = Path(__file__).parent / "static" / "example-scenario.yaml"


@router.api_route("/check", methods=PAGE_METHODS, response_class=HTMLResponse)
async def check_form(request: Request, example: bool = False):
    text = _EXAMPLE_SCENARIO.read_text(encoding="utf-8") if example else ""  # ?example=1 fills in the example
    return _page(request, "check.html", title="Check a scenario file", text=text, problems=[])


@router.post("/check", response_class=HTMLResponse)
async def check_scenario(request: Request):
    form = await request.form()
    upload = form.get("file")
    name, from_file = "pasted scenario", False
    raw: str | bytes = _text(form, "text")
    if upload is not None and not isinstance(upload, str) and upload.filename:
        name, raw, from_file = Path(upload.filename).name, await upload.read(), True
    try:
        if not raw or (isinstance(raw, str) and not raw.strip()):
            raise ScenarioError([Problem(name, None, "", "paste a scenario or choose a file first")])
        scenario = scenario_from_yaml(raw, name)  # exactly as a scenario file is checked
        unknown = scenario_problems(scenario, _ruleset(request))  # partner and agreement ids
        if unknown:
            raise ScenarioError(unknown)
    except ScenarioError as exc:
        text = raw if isinstance(raw, str) else raw.decode("utf-8", "replace")
        return _page(request, "check.html", 422, title="Check a scenario file", text=text,
                     problems=[str(p) for p in exc.problems])
    scenario = name_after_file(scenario, name, from_file=from_file)  # "Case_123.yaml" is known as "case-123"
    decision = assess(scenario, _ruleset(request))
    return _decision_page(request, scenario, decision, can_ask=decision.verdict != "deny")


# --- what the decision page's buttons do ------------------------------------------------

async def _posted_scenario(request: Request) -> tuple[Any, Scenario]:
    form = await request.form()
    scenario = scenario_from_json(_text(form, "scenario").encode(), "the scenario")
    day = _text(form, "as_of")
    if day:  # a recorded decision's downloads use the law as it was decided
        try:
            scenario = scenario.model_copy(update={"as_of": dt.date.fromisoformat(day)})
        except ValueError:
            raise ScenarioError([Problem("the form", None, "as_of", f"expected a date YYYY-MM-DD, got {day!r}")]) from None
    return form, scenario


@router.post("/download/scenario")
async def download_scenario(request: Request) -> Response:
    _, scenario = await _posted_scenario(request)
    return scenario_response(scenario)


@router.post("/download/agreement")
async def download_agreement(request: Request) -> Response:
    form, scenario = await _posted_scenario(request)
    fmt = "docx" if form.get("format") == "docx" else "markdown"
    ruleset = _ruleset(request)
    return agreement_response(scenario, assess(scenario, ruleset), fmt, ruleset)


@router.post("/download/annex-b")
async def download_annex_b(request: Request) -> Response:
    """The ICO Annex B request and decision record for a one-off request (a routine share gets 422
    and the reason: its agreement is its record)."""
    form, scenario = await _posted_scenario(request)
    fmt = "docx" if form.get("format") == "docx" else "markdown"
    ruleset = _ruleset(request)
    return record_response(scenario, assess(scenario, ruleset), fmt, ruleset)


def _missing_parties(scenario_json: str) -> dict[str, bool]:
    """Which parties the record form must ask a name for: those the scenario neither names nor
    identifies by a directory partner id (the directory supplies that name when recording)."""
    try:
        data = json.loads(scenario_json)
    except ValueError:
        data = {}
    share = data.get("share") if isinstance(data, dict) else None
    missing = {}
    for side in ("from", "to"):
        party = share.get(side) if isinstance(share, dict) else None
        party = party if isinstance(party, dict) else {}
        missing[side] = not (str(party.get("name") or "").strip() or party.get("partner"))
    return missing


_env.globals["missing_parties"] = _missing_parties

RECORD_FIELDS = ("case_reference", "no_case_reference", "from_name", "to_name", "by")


@router.post("/record")
async def record(request: Request) -> Response:
    """Record the decision on the page, with what golden rule 7 asks a record to hold.

    The record form asks for the case reference and lets it be left out only by ticking "There
    is no case reference": a record nobody can find from the case file fails the rule as surely as
    no record, and an empty box is more often a slip than a decision. A form from before the form
    asked (a page left open across an upgrade; it sends no `case_asked`) is still recorded, rather
    than losing the decision, and the register shows its case reference as "not recorded"."""
    from ..register import case_given
    from ..register.details import NAME_MAX, parties_of

    actor = require_to(request, "record")
    form, scenario = await _posted_scenario(request)
    # Signed in, the register names who is signed in: a `by` sent anyway could name anybody.
    by = actor.name if actor is not None else " ".join(_text(form, "by").split())
    decision = assess(scenario, _ruleset(request))  # decided first: a failed assessment records nothing
    errors: dict[str, str] = {}
    if not by or len(by) > 200:
        errors["by"] = "Give your name or role (up to 200 characters), so the record says who decided."
    elif problem := unprintable(by, record=True):  # it would forge or hide words in the register's listing
        errors["by"] = f"Your name or role {problem}."
    case = None
    if form.get("case_asked"):
        names = parties_of(decision, scenario)
        asked = _missing_parties(_text(form, "scenario"))  # the fields the form showed
        for side, field, words in (("from", "from_name", "sharing the information"), ("to", "to_name", "receiving it")):
            typed = " ".join(_text(form, field).split())
            if asked[side] and not names[side] and not typed:
                errors[field] = f"Give the name of the organisation {words}, so the record says who was involved."
            elif len(typed) > NAME_MAX:
                errors[field] = f"A name has at most {NAME_MAX} characters."
            elif problem := unprintable(typed, record=True):
                errors[field] = f"The name {problem}."
            names[side] = names[side] or typed or None
        reference = _text(form, "case_reference")
        try:
            if problem := unprintable(reference, record=True):
                raise ValueError(f"The case reference {problem}.")
            case = case_given(reference, form.get("no_case_reference") == "yes", names)
        except ValueError as exc:
            errors["case_reference"] = str(exc)
    if errors:
        order = [f for f in ("case_reference", "from_name", "to_name", "by") if f in errors]
        return _decision_page(request, scenario, decision, 422, by_error=errors[order[0]], record_errors=errors,
                              record_form={f: _text(form, f) for f in RECORD_FIELDS},
                              record_error_first=order[0])
    register = request.app.state.service.register()
    token = _text(form, "submission")[:64] or None
    async with _RECORDING:  # one check-then-append at a time in this worker
        recent = await _records(request, limit=200, newest_first=True)  # a second click comes soon after
        earlier = [r for r in recent if r.body.get("submission") == token] if token else []
        # A second click on the same page's button shows the first record instead of adding one.
        saved = earlier[0] if earlier else await run_in_threadpool(register.append, decision, scenario, by=by,
                                                                   submission=token, case=case)
    # Post/redirect/get: reloading the next page shows the record, it does not record twice.
    return RedirectResponse(f"/decisions/{saved.seq}", status_code=303)


# --- the register -----------------------------------------------------------------------

async def _statuses(request: Request):
    """Each signed-off decision's status (approval.statuses), {} if there is no register yet."""
    from ..register import statuses

    register = request.app.state.service.register()
    return await run_in_threadpool(statuses, register)


async def _records(request: Request, **query):
    """Records as `register.records(**query)` reads them (paged in the database), [] if none yet."""
    from ..register import EmptyRegisterError

    register = request.app.state.service.register()
    try:
        return await run_in_threadpool(lambda: list(register.records(**query)))
    except EmptyRegisterError:
        return []


@router.api_route("/decisions", methods=PAGE_METHODS, response_class=HTMLResponse)
async def decisions(request: Request):
    """The register, newest first, each record in plain words (a list, not a table, so that it
    reads on a phone), times in UK time with the zone named."""
    from ..register import DECISION, describe
    from ..register.approval import Status

    # Sign-offs are folded into the decisions they sign off, as `isp log` shows them.
    records = await _records(request, limit=500, newest_first=True, kind=DECISION)
    newest = await _records(request, limit=1, newest_first=True)
    known = await _statuses(request)
    # Records are never deleted, so the newest one's number, less the sign-offs, is how many decisions there are.
    signed = sum(len(s.history) for s in known.values())
    return _page(request, "decisions.html", title="Decision register",
                 entries=[(describe(r), known.get(r.seq) or Status(r.seq)) for r in records],
                 total=max(newest[0].seq - signed, len(records)) if newest else 0,
                 may_export=allowed(request, "export"), may_verify=allowed(request, "verify"))


@router.api_route("/decisions.csv", methods=PAGE_METHODS)
async def decisions_csv(request: Request) -> Response:
    """The whole register as a spreadsheet (the same CSV as `isp log --format csv`), each
    decision with its status and who signed it off. Administrators only, where people sign in:
    it is every case at once."""
    from ..register import DECISION
    from ..register.listing import render_log

    require_to(request, "export")
    records = await _records(request, kind=DECISION)
    known = await _statuses(request)
    return Response(render_log(records, "csv", known), media_type="text/csv; charset=utf-8",
                    headers={"content-disposition": 'attachment; filename="decision-register.csv"'})


@router.api_route("/decisions/verify", methods=PAGE_METHODS, response_class=HTMLResponse)
async def decisions_verify(request: Request):
    """Verify the register as a page for people; /v1/decisions/verify gives the same as JSON."""
    from ..register import EmptyRegisterError

    require_to(request, "verify")
    register = request.app.state.service.register()

    def check() -> tuple[list[str], int]:
        try:
            problems = register.verify()
        except EmptyRegisterError:
            return [], 0
        return problems, sum(1 for _ in register.records())

    problems, count = await run_in_threadpool(check)
    return _page(request, "register_verify.html", title="Check the decision register", problems=problems,
                 count=count)


def _record_number(seq: str) -> int:
    # Only a plain number a register could hold: not "²" (a digit to isdigit(), not to int()), and
    # not one past SQLite's and PostgreSQL's 64-bit integers.
    return int(seq) if seq.isascii() and seq.isdigit() and len(seq) <= 18 else 0


async def _record_page(request: Request, seq: str, status: int = 200, **extra: Any) -> Response:
    from ..register import SIGN_OFF, SignOff, describe
    from ..register.approval import Status

    number = _record_number(seq)
    found = await _records(request, after=number - 1, limit=1) if number >= 1 else []
    found = [r for r in found if str(r.seq) == seq]
    if not found:
        return error_page(request, 404, [f"There is no decision {seq} in the register."])
    r = found[0]
    if r.kind == SIGN_OFF:  # a sign-off is shown with the decision it signs off
        made = SignOff.from_record(r)
        if made is not None:
            return RedirectResponse(f"/decisions/{made.decision}#sign-off-{r.seq}", status_code=303)
    known = await _statuses(request)
    d = r.body.get("decision", {})
    sc = r.body.get("scenario", {})
    # record=None: the record's own notice (record.html) says when, in UK time, and what it holds.
    return _page(request, "record.html", status, title=f"Decision {r.seq}", d=d, entry=describe(r), stored=r,
                 scenario_json=json.dumps(sc, ensure_ascii=False), scenario_name=sc.get("title") or sc.get("id"),
                 record=None, triage=None, answers=None, groups=[], urgent=None,
                 as_of=d.get("ruleset", {}).get("as_of"), approval=known.get(r.seq) or Status(r.seq),
                 may_sign_off=r.kind != SIGN_OFF and allowed(request, "sign-off"), **extra)


@router.api_route("/decisions/{seq}", methods=PAGE_METHODS, response_class=HTMLResponse)
async def decision_record(request: Request, seq: str):
    return await _record_page(request, seq)


@router.post("/decisions/{seq}/sign-off")
async def sign_off_page(request: Request, seq: str) -> Response:
    """An approver approves or rejects the decision, with a note (and, on a server for this
    machine alone, their name, as `isp log approve --by` takes it)."""
    from ..register import AccessError, NotAllowedError, SignOffError
    from .approvals import Refusal, sign_off_on_web

    require_to(request, "sign-off")
    form = await request.form()
    number = _record_number(seq)
    verdict = _text(form, "verdict")
    note, typed = _text(form, "note"), _text(form, "signed_by")
    fields = {"note": note, "signed_by": typed}
    if problem := unprintable(typed, record=True) or unprintable(note, record=True):
        return await _record_page(request, seq, 422, sign_off_error=f"The name or note {problem}.", sign_off_form=fields)
    if verdict not in ("approved", "rejected"):
        return await _record_page(request, seq, 422, sign_off_error="Choose Approve or Reject.", sign_off_form=fields)
    try:
        made = await sign_off_on_web(request, number, verdict, note, typed)
    except NotAllowedError:
        raise
    except (AccessError, SignOffError) as exc:  # no name or note, or one too long
        return await _record_page(request, seq, 422, sign_off_error=f"{str(exc)[:1].upper()}{str(exc)[1:]}.",
                                  sign_off_form=fields)
    if isinstance(made, Refusal):
        if made.status == 404:
            return error_page(request, 404, [made.message])
        return await _record_page(request, seq, made.status, sign_off_error=made.message, sign_off_form=fields)
    # Post/redirect/get: reloading the page shows the sign-off, it does not sign twice.
    return RedirectResponse(f"/decisions/{made.decision}#sign-off-{made.seq}", status_code=303)


# --- the partnership's directory --------------------------------------------------------

DUE_MAX = 3650  # days: ten years ahead is the furthest a review is worth looking for


def _directory(request: Request):
    """The directory beside the service's ruleset, read again whenever its files change (partners
    sign and agreements are reviewed without a restart); a slip saved meanwhile leaves the last
    good copy in use (directory_for)."""
    from ..directory import directory_for

    return directory_for(_ruleset(request).source)


@router.api_route("/partners", methods=PAGE_METHODS, response_class=HTMLResponse)
async def partners(request: Request, q: str = ""):
    directory = _directory(request)
    q = q.strip()[:200]
    return _page(request, "partners.html", title="Partners", q=q, found=directory.search(q),
                 total=len(directory.partners))


def _due_days(raw: str | None) -> tuple[int | None, str | None]:
    """The `due` box read as whole days 0-3650: (days, None), (None, None) when left empty, or
    (None, a plain sentence) when it is not such a number."""
    text = (raw or "").strip()
    if not text:
        return None, None
    if text.isascii() and text.isdigit() and int(text) <= DUE_MAX:
        return int(text), None
    shown = text if len(text) <= 20 else text[:17] + "..."
    return None, f"Enter a whole number of days from 0 to {DUE_MAX}, not \u201c{shown}\u201d."


@router.api_route("/agreements", methods=PAGE_METHODS, response_class=HTMLResponse)
async def agreements(request: Request, due: str | None = None):
    directory = _directory(request)
    today = dt.date.today()
    days, error = _due_days(due)
    listed = directory.due(today, days) if days is not None else list(directory.agreements)
    rows = [{"a": a, "parties": directory.names(a.parties), "status": a.status_words(today),
             "status_kind": a.status_on(today)} for a in listed]
    return _page(request, "agreements.html", 422 if error else 200, title="Information sharing agreements",
                 rows=rows, days=days, due=(due or "").strip()[:20], error=error, today=today,
                 total=len(directory.agreements), due_max=DUE_MAX)
