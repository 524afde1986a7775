"""The decision register: `isp log`, `isp log verify`."""

from __future__ import annotations

import datetime as dt

import click

from .errors import ProblemsError, library_errors
from .options import format_option, register_option

__all__ = ["log_cmd", "log_verify"]


@click.group(name="log", invoke_without_command=True)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Only records from this date (UK time).")
@format_option("text", "csv", "json")
@register_option
@click.pass_context
@library_errors
def log_cmd(ctx: click.Context, since: dt.datetime | None, fmt: str, register_path: str | None) -> None:
    """List the decisions recorded in the register (see `isp check --record`).

    Each record in plain words: when (UK time, GMT or BST), the case reference, who shared
    with whom, what information, the purpose, whether consent was sought, who decided, the
    verdict and its reasons. CSV gives the same as columns for a spreadsheet; JSON gives the
    records exactly as stored. Records made before case references were asked for say
    "not recorded".

    \b
    Example:
        isp log --since 2026-12-01
        isp log --format csv > decisions.csv
        isp log verify
    """
    ctx.obj = register_path
    if ctx.invoked_subcommand is not None:
        return
    from ..register import open_register
    from ..register.details import uk_day_start
    from ..register.listing import render_log

    records = open_register(register_path).records(uk_day_start(since.date()) if since else None)
    click.echo(render_log(records, fmt), nl=False)


@log_cmd.command(name="verify")
@register_option
@click.pass_context
@library_errors
def log_verify(ctx: click.Context, register_path: str | None) -> None:
    """Check that no recorded decision was edited or deleted; name any that was (exit 1).

    \b
    Example:
        isp log verify
        isp log verify --register postgresql://isp@db.example/isp
    """
    from ..register import open_register

    register = open_register(register_path or ctx.obj)
    problems = register.verify()
    if problems:
        raise ProblemsError([f"{register.where}: {p}" for p in problems])
    count = sum(1 for _ in register.records())
    click.echo(f"{register.where}: {count} record(s), chain intact")
