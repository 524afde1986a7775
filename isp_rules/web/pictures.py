"""The pictures on the web: /map (the data-flow map, with a purpose filter), /map.svg (the
same picture as a file) and /dashboard (the register's charts).

The pictures are SVG written into the page by the server: no script draws them, and every colour
is an SVG attribute, so the Content-Security-Policy (no scripts, no inline styles) holds. Each
picture has a name and a description for screen readers, and the figures behind it follow in
words, as lists that read on a phone (WCAG 2.1, 1.1.1: a text alternative for non-text content).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from ..pictures.charts import (
    count_decisions,
    due_agreements,
    due_chart,
    month_words,
    purpose_chart,
    purpose_label,
    verdict_chart,
)
from ..pictures.flowmap import (
    FlowMap,
    UnknownPurposeError,
    build_map,
    describe_map,
    parse_purpose,
    purpose_choices,
    purpose_words,
    render_map,
)
from ..pictures.svg import VERDICTS, look
from .pages import _directory, _page
from .tokens import check_form_token

__all__ = ["DUE_DAYS", "router"]

router = APIRouter(include_in_schema=False, dependencies=[Depends(check_form_token)])
PAGE_METHODS = ["GET", "HEAD"]
DUE_DAYS = 365  # the dashboard lists agreements due within a year, and every one overdue
UK_ZONE_NOTE = "Months are UK months (GMT in winter, BST in summer), as the register shows its times."


async def _decisions(request: Request) -> list[Any]:
    """Every decision record in the register, [] when nothing has been recorded yet."""
    from ..register import DECISION, EmptyRegisterError

    register = request.app.state.service.register()
    try:
        return await run_in_threadpool(lambda: list(register.records(kind=DECISION)))
    except EmptyRegisterError:
        return []


def _purpose(raw: str | None) -> tuple[str | None, str | None]:
    """(purpose, None), or (None, a plain sentence) when `raw` names no purpose."""
    try:
        return parse_purpose(raw), None
    except UnknownPurposeError:
        return None, "Choose a purpose from the list."


async def _map(request: Request, purpose: str | None) -> FlowMap:
    return build_map(_directory(request), await _decisions(request), purpose, today=dt.date.today())


def _map_rows(fmap: FlowMap) -> list[dict[str, Any]]:
    return [{"source": fmap.name(f.source), "target": fmap.name(f.target), "verdict": look(f.verdict).words,
             "verdict_class": f.verdict, "count": f.count} for f in fmap.decisions]


@router.api_route("/map", methods=PAGE_METHODS, response_class=HTMLResponse)
async def map_page(request: Request, purpose: str | None = None):
    """The data-flow map, every purpose or one, with the agreements and decisions it draws listed after it."""
    chosen, error = _purpose(purpose)
    fmap = await _map(request, chosen)
    return _page(request, "map.html", 422 if error else 200, title="Data-flow map", error=error,
                 svg=render_map(fmap, standalone=False), fmap=fmap, summary=describe_map(fmap),
                 rows=_map_rows(fmap), choices=purpose_choices(), chosen=chosen,
                 chosen_words=purpose_words(chosen) if chosen else None)


@router.api_route("/map.svg", methods=PAGE_METHODS)
async def map_svg(request: Request, purpose: str | None = None) -> Response:
    """The map as a picture file, to save or to put in a report."""
    chosen, error = _purpose(purpose)
    if error:
        return Response(error + "\n", status_code=422, media_type="text/plain; charset=utf-8")
    fmap = await _map(request, chosen)
    name = f"data-flow-map-{chosen.replace('_', '-')}.svg" if chosen else "data-flow-map.svg"
    return Response(render_map(fmap), media_type="image/svg+xml",
                    headers={"content-disposition": f'inline; filename="{name}"'})


@router.api_route("/dashboard", methods=PAGE_METHODS, response_class=HTMLResponse)
async def dashboard(request: Request):
    """The register's charts: decisions per month by verdict and by purpose, agreements due for
    review; each followed by its figures."""
    today = dt.date.today()
    counts = count_decisions(await _decisions(request), today)
    due = due_agreements(_directory(request), today, DUE_DAYS)
    purposes = counts.purposes()
    months = list(reversed(counts.months))  # the tables read newest first, as the register does
    return _page(request, "dashboard.html", title="Register dashboard", counts=counts, today=today,
                 verdict_svg=verdict_chart(counts), purpose_svg=purpose_chart(counts),
                 due_svg=due_chart(due, DUE_DAYS), due=due, due_days=DUE_DAYS, verdicts=VERDICTS,
                 months=months, month_words=month_words, purposes=[(p, purpose_label(p)) for p in purposes],
                 zone_note=UK_ZONE_NOTE)
