"""The web app and JSON API: `isp serve`."""

from __future__ import annotations

import click

from ..settings import DATABASE_URL_ENV
from .errors import ProblemsError, library_errors
from .options import load_rules, rules_option

__all__ = ["serve"]


@click.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine can connect unless you choose another.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes. The rules engine is not thread-safe, so the server scales with processes.")
@click.option("--database-url", metavar="URL", envvar=DATABASE_URL_ENV, show_envvar=True,
              help="Where the decision register lives: postgresql://user@host/db (shared by every worker and "
                   "replica), or a SQLite file path (default: ISP_REGISTER, else your data directory).")
@rules_option
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]), help="Server log detail.")
@library_errors
def serve(host: str, port: int, workers: int, database_url: str | None, rules: str | None, log_level: str) -> None:
    """Run the web app and JSON API: pages for practitioners, /v1/... for programs.

    Open http://127.0.0.1:8000/ in a browser; the API is described at /docs.
    Each worker is a process with its own rules engine; for more capacity run more
    workers, or several replicas behind a load balancer sharing one PostgreSQL register.

    \b
    Example:
        isp serve
        isp serve --workers 4 --database-url postgresql://isp@db.internal/isp
    """
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - a core dependency
        raise ProblemsError(["isp: the web server needs uvicorn: pip install isp-rules"]) from None

    ruleset = load_rules(rules)  # a broken ruleset is reported here, once, not by every worker
    # Worker processes are started afresh and read their settings from the environment.
    from ..settings import pass_to_workers

    pass_to_workers(ruleset.source, database_url)
    from ..register import open_register

    register = open_register(database_url)
    click.echo(f"isp-rules: serving http://{host}:{port}/ with {workers} worker process(es); "
               f"register: {register.where}. Ctrl-C stops.", err=True)
    uvicorn.run("isp_rules.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, proxy_headers=False, server_header=False, timeout_graceful_shutdown=5)
