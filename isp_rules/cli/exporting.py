"""Exports for the records people already keep: `isp ropa` (the record-of-processing CSV).

The other export, a decision as W3C Data Privacy Vocabulary JSON-LD, is `isp check --format dpv`.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .errors import ProblemsError, library_errors
from .options import as_of_option, register_option, rules_option

__all__ = ["ropa_cmd"]


@click.command(name="ropa")
@register_option
@rules_option
@click.option("-o", "--output", type=click.Path(allow_dash=True), metavar="FILE.csv",
              help="Write the CSV here instead of to standard output ('-' is standard output).")
@as_of_option(help="Give each agreement's status (in force, review overdue, ended) on this date instead of today.")
@library_errors
def ropa_cmd(register_path: str | None, rules: str | None, output: str | None, as_of: dt.datetime | None) -> None:
    """Write the record of processing as CSV: every sharing agreement and every recorded decision.

    For your UK GDPR Article 30 record of processing and the NHS Data Security and
    Protection Toolkit's data flow map. One row for each information sharing agreement
    in the partnership's directory (its organisations, purposes, information, lawful
    basis where it settles one, routine or one-off, start, review and end dates,
    document reference, status), then one row for each decision in the register (when,
    who shared with whom, the purpose, the information, the lawful basis and conditions,
    how it was sent, the verdict, the case reference, who decided). The column headings
    are in plain words; cells a spreadsheet could run as formulas start with a quote.

    \b
    Example:
        isp ropa -o record-of-processing.csv
        isp ropa --register postgresql://isp@db/isp --rules ./rulesets -o ropa.csv
        isp ropa --as-of 2027-04-01 > ropa.csv
    """
    from ..directory import load_directory
    from ..exports.ropa import render_ropa
    from ..register import DECISION, EmptyRegisterError, open_register, statuses
    from ..settings import default_rules_dir

    folder = Path(rules) if rules else Path(default_rules_dir())
    if not folder.is_dir():  # a mistyped folder must not pass for a partnership with no agreements
        raise ProblemsError([f"isp: --rules {folder}: no such folder"])
    if output not in (None, "-"):
        from ..guided.answers import check_output_file

        try:  # a folder, a link or a missing folder: one line, before the register is read
            check_output_file(output)
        except OSError as exc:
            raise ProblemsError([f"isp: {output}: cannot write the record of processing ({exc.strerror or exc})"]) from None
    directory = load_directory(folder)
    register = open_register(register_path)
    try:
        records = list(register.records())
    except EmptyRegisterError:
        records = []
        click.echo(f"No decisions recorded yet in {register.where}: only the agreements are listed.", err=True)
    text = render_ropa(directory, records, statuses(register), as_of.date() if as_of else None)
    from ..register.listing import integrity_warning

    if records and (warning := integrity_warning(register)) is not None:
        click.echo(warning, err=True)
    if output in (None, "-"):
        click.echo(text, nl=False)
        return
    from ..guided.answers import replace_file

    target = Path(str(output))
    try:  # whole or not at all: a crash never leaves half a record of processing
        replace_file(target, lambda tmp: tmp.write_text(text, encoding="utf-8", newline=""))
    except OSError as exc:
        raise ProblemsError([f"isp: {target}: cannot write the record of processing ({exc.strerror or exc})"]) from None
    decisions = sum(1 for r in records if r.kind == DECISION)
    click.echo(f"Wrote {len(directory.agreements)} agreement(s) and {decisions} decision(s) to {target}", err=True)
