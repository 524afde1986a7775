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
@click.option("--allowed-host", "allowed_hosts", multiple=True, metavar="NAME[:PORT]",
              help="Another name the server answers to, such as the name users type behind a proxy (repeat for "
                   "more). It always answers to the --host address, localhost, 127.0.0.1 and [::1] on --port; "
                   "any other name gets 400.")
# The defaults are web/options.py's (not imported here: that would load the web app for every command).
@click.option("--header-timeout", default=10.0, show_default=True, type=click.FloatRange(0.1, 3600), metavar="SECONDS",
              help="Close a connection whose request headers have not all arrived in this time.")
@click.option("--body-timeout", default=30.0, show_default=True, type=click.FloatRange(0.1, 3600), metavar="SECONDS",
              help="Answer 408 to a request whose body has not all arrived in this time.")
@click.option("--keep-alive", default=5, show_default=True, type=click.IntRange(1, 3600), metavar="SECONDS",
              help="Close a connection left idle between requests for this long.")
@click.option("--limit-concurrency", default=200, show_default=True, type=click.IntRange(1, 100_000), metavar="N",
              help="Connections each worker holds at once; past this, new requests get 503 until some close.")
@click.option("--sign-in-header", metavar="NAME",
              help="Signed-in mode: the header your reverse proxy names the signed-in person in, such as "
                   "X-Forwarded-Email. Believed only from a --trusted-proxy address; anyone else gets 401.")
@click.option("--trusted-proxy", "trusted_proxies", multiple=True, metavar="ADDRESS",
              help="The IP address your reverse proxy connects from (repeat for more): the only peer whose "
                   "--sign-in-header is believed.")
@click.option("--roles", "roles_file", metavar="FILE",
              help="Signed-in mode: a YAML file naming the approvers and administrators (by the name the proxy "
                   "gives); everyone signed in is a practitioner.")
@rules_option
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]), help="Server log detail.")
@library_errors
def serve(host: str, port: int, workers: int, database_url: str | None, allowed_hosts: tuple[str, ...],
          header_timeout: float, body_timeout: float, keep_alive: int, limit_concurrency: int,
          sign_in_header: str | None, trusted_proxies: tuple[str, ...], roles_file: str | None, rules: str | None,
          log_level: str) -> None:
    """Run the web app and JSON API: pages for practitioners, /v1/... for programs.

    Open http://127.0.0.1:8000/ in a browser; the API is described at /docs.
    Each worker is a process with its own rules engine; for more capacity run more
    workers, or several replicas behind a load balancer sharing one PostgreSQL register
    (and one ISP_FORM_SECRET, so that a form shown by one replica is accepted by another).

    \b
    Example:
        isp serve
        isp serve --workers 4 --database-url postgresql://isp@db.internal/isp
        isp serve --host 10.0.0.5 --allowed-host isp.council.example --sign-in-header X-Forwarded-Email \\
            --trusted-proxy 10.0.0.2 --roles roles.yaml

    Without --sign-in-header it listens on this machine only (127.0.0.1), nobody signs in and
    "who decided" is typed; it refuses to listen on any other address that way.
    """
    try:
        from ..web.server import Limits
        from ..web.server import allowed_hosts as host_list
        from ..web.server import serve as run_server
    except ImportError:  # pragma: no cover - a core dependency
        raise ProblemsError(["isp: the web server needs uvicorn: pip install isp-rules"]) from None
    from ..web.access import check_binding, sign_in_from

    # Before anything else: a server nobody signs in to is for this machine alone.
    sign_in = sign_in_from(sign_in_header, trusted_proxies, roles_file)
    check_binding(host, sign_in)
    from ..web.options import can_pass_sign_in

    if sign_in is not None and workers > 1 and not can_pass_sign_in():
        raise ProblemsError(["isp serve: sign-in works with one worker process in this version; leave out --workers"])
    try:
        hosts = host_list(host, port, allowed_hosts)
    except ValueError as exc:
        raise ProblemsError([f"isp serve: --allowed-host or --host: {exc}"]) from None

    ruleset = load_rules(rules)  # a broken ruleset is reported here, once, not by every worker
    # Worker processes are started afresh and read their settings from the environment.
    from ..settings import pass_to_workers

    pass_to_workers(ruleset.source, database_url)
    from ..register import open_register

    register = open_register(database_url)
    mode = (f"signed-in users from {', '.join(sorted(sign_in.proxies))} ({sign_in.header})" if sign_in
            else "local mode, no sign-in")
    click.echo(f"isp-rules: serving http://{host}:{port}/ with {workers} worker process(es); "
               f"register: {register.where}; {mode}. Ctrl-C stops.", err=True)
    run_server(host=host, port=port, workers=workers, log_level=log_level, hosts=hosts,
               limits=Limits(header_timeout=header_timeout, body_timeout=body_timeout, keep_alive=keep_alive,
                             connections=limit_concurrency),
               sign_in=sign_in.to_text() if sign_in else None)
