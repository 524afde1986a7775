"""The ASGI application: settings, the shared service (ruleset + register), error handling.

durable_rules is not thread-safe, so every route is `async def` and decides on the worker's one
event-loop thread; the server scales with worker processes (`isp serve --workers N`), never
threads. Only the register's I/O (SQLite or PostgreSQL, which never touch the engine) runs in a
thread, so a slow database cannot stall `/healthz` or the other requests of the worker.
Each worker loads the ruleset and registers it with its own engine at start-up.
"""

from __future__ import annotations

import gc
import logging
import os
import secrets
import traceback
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, PlainTextResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.staticfiles import StaticFiles

from ..errors import EngineError, InputError, IspError, format_path
from .access import Identify, SignIn
from .inputs import problem_json
from .middleware import CSP, BodyLimit, HostCheck, SameOrigin, SecurityHeaders
from .options import HostList, body_timeout, form_secret, sign_in_text
from .tokens import FormTokenError, FormTokens

__all__ = ["Service", "create_app", "worker_app"]
HERE = Path(__file__).parent
log = logging.getLogger("isp_rules.web")


@dataclass
class Service:
    """What every request shares within one worker process."""

    ruleset: Any
    register_target: str | None  # a SQLite path or a postgresql:// URL; None = the default file

    def register(self):
        from ..register import open_register

        return open_register(self.register_target)


def _wants_json(request: Request) -> bool:
    return request.url.path.startswith("/v1/") or request.url.path == "/healthz"


def _problems_response(request: Request, status: int, problems: list[dict]) -> Response:
    if _wants_json(request):
        return JSONResponse({"detail": problems}, status_code=status)
    from ..labels import label
    from .pages import error_page

    # A page names the fact in words, not by its field path or the file it came from.
    def words(p: dict) -> str:
        if not p.get("path"):
            return p["msg"]
        what = label(p["path"])
        return f"{what[:1].upper()}{what[1:]}: {p['msg']}"

    return error_page(request, status, [words(p) for p in problems])


def _log_failure(what: str, request: Request, exc: BaseException) -> str:
    """Log a failure by a reference and the exception's type, with the code's frames, and give the
    reference (for the user to quote). Never the message: it may quote the input, which can name
    a person, and the server log is not where personal data belongs."""
    reference = secrets.token_hex(4)
    frames = "".join(traceback.format_tb(exc.__traceback__)).rstrip()
    log.error("%s, reference %s, on %s %s: %s\n%s", what, reference, request.method, request.url.path,
              type(exc).__name__, frames)
    return reference


def allowed_methods(app: FastAPI, path: str) -> list[str]:
    """The methods some route answers at `path`, for a 405's Allow header."""
    from starlette.routing import Mount

    from .api import router as api_router
    from .pages import router as pages_router
    from .pictures import router as pictures_router

    methods: set[str] = set()
    for route in [*app.router.routes, *api_router.routes, *pages_router.routes, *pictures_router.routes]:
        regex = getattr(route, "path_regex", None)
        if regex is None or not regex.match(path):
            continue
        if isinstance(route, Mount):
            methods |= {"GET", "HEAD"}  # the static files
        else:
            methods |= set(getattr(route, "methods", None) or ())
    return sorted(methods)


def _install_error_handlers(app: FastAPI) -> None:
    # Users never see a stack trace: each failure is a status and a plain sentence.

    @app.exception_handler(InputError)
    async def _input(request: Request, exc: InputError):
        return _problems_response(request, 422, [problem_json(p) for p in exc.problems])

    @app.exception_handler(RequestValidationError)
    async def _request(request: Request, exc: RequestValidationError):
        problems = []
        for err in exc.errors():
            loc = [str(x) for x in err.get("loc", ())]
            path = format_path(loc)
            problems.append({"path": path, "msg": err.get("msg", "invalid"), "problem": f"{path}: {err.get('msg', 'invalid')}"})
        return _problems_response(request, 422, problems)

    @app.exception_handler(EngineError)
    async def _engine(request: Request, exc: EngineError):
        reference = _log_failure("rules engine failure", request, exc)
        msg = (f"The rules engine failed on this request; it has been logged (reference {reference}). "
               "Your input was not at fault.")
        return _problems_response(request, 500, [{"path": "", "msg": msg, "problem": msg}])

    from ..register import NotAllowedError

    @app.exception_handler(NotAllowedError)
    async def _not_allowed(request: Request, exc: NotAllowedError):
        return _problems_response(request, 403, [{"path": "", "msg": str(exc), "problem": str(exc)}])

    @app.exception_handler(IspError)
    async def _isp(request: Request, exc: IspError):
        from ..register import RegisterError

        if isinstance(exc, RegisterError):
            _log_failure("register unavailable", request, exc)
            msg = "The decision register is not available; nothing was recorded."
            return _problems_response(request, 503, [{"path": "", "msg": msg, "problem": msg}])
        return _problems_response(request, 422, [{"path": "", "msg": str(exc), "problem": str(exc)}])

    @app.exception_handler(FormTokenError)
    async def _form_token(request: Request, exc: FormTokenError):
        msg = ("This form could not be accepted: it has expired (the server was restarted, or your browser's "
               "cookies were cleared) or it was not sent from this site's own page. Go back, reload the page "
               "and send it again.")
        return _problems_response(request, 403, [{"path": "", "msg": msg, "problem": msg}])

    from .api import UnsupportedType

    @app.exception_handler(UnsupportedType)
    async def _unsupported(request: Request, exc: UnsupportedType):
        kind, what = exc.args if len(exc.args) == 2 else (exc.args[0], "the scenario")
        msg = f"send {what} as application/json (or application/yaml), not {kind}"
        return _problems_response(request, 415, [{"path": "", "msg": msg, "problem": msg}])

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException):
        msg = {404: "There is no page at this address.", 405: "This address does not accept that method.",
               400: "The request could not be read."}.get(exc.status_code, str(exc.detail))
        response = _problems_response(request, exc.status_code, [{"path": "", "msg": msg, "problem": msg}])
        if exc.status_code == 405:  # RFC 9110 s15.5.6: a 405 says which methods the address does accept
            response.headers["Allow"] = ", ".join(allowed_methods(request.app, request.url.path))
        return response

    @app.exception_handler(Exception)
    async def _crash(request: Request, exc: Exception):
        reference = _log_failure("internal error", request, exc)
        msg = (f"Internal error in isp-rules; it has been logged (reference {reference}). Please try again or "
               "tell your administrator.")
        # This response is sent outside the other middleware, so it carries its own headers.
        headers = {"X-Content-Type-Options": "nosniff", "Referrer-Policy": "same-origin",
                   "Content-Security-Policy": CSP.decode()}
        if _wants_json(request):
            return JSONResponse({"detail": [{"path": "", "msg": msg, "problem": msg}]}, status_code=500, headers=headers)
        try:
            from .pages import error_page

            response = error_page(request, 500, [msg])
            response.headers.update(headers)
            return response
        except Exception:  # noqa: BLE001  (the page itself failed: say it plainly)
            return PlainTextResponse(msg, status_code=500, headers=headers)


class _App(FastAPI):
    """FastAPI, except that an exception already answered (a 500 with a reference, logged by
    `_crash`) is not raised again into the server, which would log it whole, message and all."""

    async def __call__(self, scope, receive, send) -> None:
        try:
            await super().__call__(scope, receive, send)
        except Exception:  # answered and logged by _crash, without the input
            if scope.get("type") != "http":
                raise


def create_app(rules_dir: str | os.PathLike | None = None, database_url: str | None = None,
               allowed_hosts: Iterable[str] | None = None, sign_in: SignIn | None = None) -> FastAPI:
    """The application. Settings default to $ISP_RULES_DIR and $ISP_DATABASE_URL, and the
    server's protections to options.py's variables, which is how `isp serve` passes them to
    worker processes. `allowed_hosts` are the names it answers to (default: this machine's own).
    `sign_in` puts it in SIGNED-IN mode (web/access.py); by default, as `isp serve` set it."""
    from .. import __version__
    from ..assessment import assess, default_ruleset
    from ..settings import database_url as settings_database_url
    from ..settings import default_rules_dir

    ruleset = default_ruleset(Path(rules_dir) if rules_dir else default_rules_dir())
    # Register with this process's engine now, so the first request is not the slow one and a
    # broken ruleset stops the worker at start-up rather than failing requests.
    from ..scenario import Scenario

    assess(Scenario.model_validate({"share": {}}), ruleset)
    # The partnership's directory and the guided questions' files too: a mistake in them is the
    # secretariat's to fix, so it stops the server at start-up (exit 1, each problem located)
    # instead of reaching practitioners as theirs.
    from ..directory import directory_for
    from ..guided.validation import check_guided_files

    directory_for(ruleset.source)
    check_guided_files(ruleset.source)
    service = Service(ruleset, database_url or settings_database_url())

    app = _App(
        title="isp-rules",
        version=__version__,
        summary="Can partners of the York and North Yorkshire information sharing protocol share this?",
        description=("Decide a described share with cited reasons, open agreement points and obligations. "
                     "Not legal advice: check doubtful cases with your data protection officer."),
        docs_url=None, redoc_url=None, openapi_url="/openapi.json", debug=False,
    )
    app.state.service = service
    app.state.form_tokens = FormTokens(form_secret())
    _install_error_handlers(app)

    from .api import install_schema
    from .api import router as api_router
    from .pages import router as pages_router
    from .pictures import router as pictures_router

    app.include_router(api_router)
    install_schema(app)
    app.include_router(pages_router)
    app.include_router(pictures_router)
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")
    _install_docs(app)

    if sign_in is None and (text := sign_in_text()) is not None:
        sign_in = SignIn.from_text(text)  # a worker given settings it cannot read stops: never LOCAL instead
    app.state.sign_in = sign_in
    hosts = HostList.of(allowed_hosts) if allowed_hosts is not None else HostList.from_environment()
    # The last added runs first: the headers go on every answer, a foreign Host is refused
    # before the body is read, and a 413 or 408 is sent before anything reads the body.
    app.add_middleware(SameOrigin)
    app.add_middleware(BodyLimit, timeout=body_timeout())
    app.add_middleware(Identify, sign_in=sign_in, service=service)  # who is asking: 401 before the body is read
    app.add_middleware(HostCheck, hosts=hosts)
    app.add_middleware(SecurityHeaders)
    return app


def worker_app() -> FastAPI:
    """The app as `isp serve` starts it in each worker process: create_app(), then what start-up
    built (the ruleset, the app, the imported modules), which lives as long as the worker, moved
    out of the garbage collector's sight, so a full collection under load walks only what requests
    make: measured, 3 ms instead of 30-40 ms, a pause every waiting request would share."""
    app = create_app()
    gc.collect()
    gc.freeze()
    return app


def _install_docs(app: FastAPI) -> None:
    """OpenAPI docs at /docs, with Swagger UI served from an installed package (fastapi-offline
    ships its files), so the page works on a closed network such as a council intranet."""
    from fastapi.openapi.docs import get_swagger_ui_html

    assets: dict[str, Any] = {}  # the Swagger UI's asset addresses
    try:
        import fastapi_offline

        folder = Path(fastapi_offline.__file__).parent / "static"
        app.mount("/docs-assets", StaticFiles(directory=folder), name="docs-assets")
        assets = {"swagger_js_url": "/docs-assets/swagger-ui-bundle.js", "swagger_css_url": "/docs-assets/swagger-ui.css",
                  "swagger_favicon_url": "/static/favicon.svg"}
    except ImportError:  # FastAPI's default: the same page, its script from a CDN
        pass

    @app.get("/docs", include_in_schema=False)
    async def docs():
        return get_swagger_ui_html(openapi_url="/openapi.json", title="isp-rules API", **assets)
