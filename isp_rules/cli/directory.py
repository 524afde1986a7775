"""The partnership's directory: `isp partners`, `isp agreements`."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import click

from .errors import library_errors
from .options import as_of_option, format_option, rules_option

if TYPE_CHECKING:
    from ..directory import Directory

__all__ = ["agreements_cmd", "partners_cmd"]

FORMAT_HELP = "Output format: a plain table, JSON (with ids) or CSV (for a spreadsheet)."


def _load(rules: str | None) -> Directory:
    from ..directory import load_directory
    from ..settings import default_rules_dir

    return load_directory(rules if rules else default_rules_dir())


def _none_here(rules: str | None) -> str:
    from ..directory import directory_path
    from ..settings import default_rules_dir

    folder = directory_path(rules if rules else default_rules_dir())
    return (f"No partnership directory: add partners.yaml and agreements.yaml to {folder} "
            "(docs/directory.md describes them).")


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _table(header: Sequence[str], rows: Sequence[Sequence[str]]) -> str:
    """A plain table: columns padded to their widest cell, a rule under the header."""
    widths = [max(len(str(r[i])) for r in [header, *rows]) for i in range(len(header))]

    def line(cells: Sequence[str]) -> str:
        return "  ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)).rstrip()

    return "\n".join([line(header), line(["-" * w for w in widths]), *(line(r) for r in rows)]) + "\n"


def _csv(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


@click.command(name="partners")
@click.argument("search", required=False, default="")
@rules_option
@format_option("text", "json", "csv", help=FORMAT_HELP)
@library_errors
def partners_cmd(search: str, rules: str | None, fmt: str) -> None:
    """List the partnership's organisations: what each is, when it signed the protocol, its DPO.

    SEARCH keeps the partners whose name or kind of body contains every word of it
    (any case). The directory is the partners.yaml in the rules' directory/ folder.

    \b
    Example:
        isp partners
        isp partners police
        isp partners "york council" --format csv > partners.csv
    """
    directory = _load(rules)
    found = directory.search(search)
    if fmt == "json":
        click.echo(json.dumps({"partners": [{**p.model_dump(mode="json"), "kind": p.kind} for p in found]}, indent=2))
        return
    if fmt == "csv":
        click.echo(_csv(["id", "name", "kind", "type", "signed_on", "left_on", "dpo", "note"],
                        [[p.id, p.name, p.kind, p.type, _date(p.signed_on), _date(p.left_on), p.dpo or "", p.note or ""]
                         for p in found]), nl=False)
        return
    if not directory.partners:
        click.echo(_none_here(rules))
        return
    if not found:
        click.echo(f"No partner in the directory matches \"{search}\".")
        return
    click.echo(_table(["Organisation", "What it is", "The protocol", "Data protection officer"],
                      [[p.name, p.kind, p.protocol_words, p.dpo or "not given"] for p in found]), nl=False)


@click.command(name="agreements")
@click.option("--due", "due_days", type=click.IntRange(0, 3650), metavar="DAYS",
              help="Only the agreements whose review (or end) date is within DAYS days or already past, soonest first.")
@as_of_option(help="Count --due from this date instead of today.")
@rules_option
@format_option("text", "json", "csv", help=FORMAT_HELP)
@library_errors
def agreements_cmd(due_days: int | None, as_of: dt.datetime | None, rules: str | None, fmt: str) -> None:
    """List the information sharing agreements: parties, purposes, dates and document.

    With --due, only those the secretariat must review soon (or should have already),
    soonest first. The agreements are the agreements.yaml in the rules' directory/ folder.

    \b
    Example:
        isp agreements
        isp agreements --due 90
        isp agreements --due 30 --format csv > due.csv
    """
    directory = _load(rules)
    today = as_of.date() if as_of else dt.date.today()
    listed = directory.due(today, due_days) if due_days is not None else list(directory.agreements)
    if fmt == "json":
        click.echo(json.dumps({"agreements": [{**a.model_dump(mode="json"), "due_on": _date(a.due_on) or None,
                                               "status": a.status_on(today)} for a in listed]}, indent=2))
        return
    if fmt == "csv":
        click.echo(_csv(["id", "title", "parties", "purposes", "data", "frequency", "start", "review", "end", "document"],
                        [[a.id, a.title, "; ".join(directory.names(a.parties)),
                          "; ".join(a.purpose_words), "; ".join(a.data_words),
                          "Routine" if a.frequency == "routine" else "One-off",
                          _date(a.start), _date(a.review), _date(a.end), a.document or ""] for a in listed]), nl=False)
        return
    if not directory.agreements:
        click.echo(_none_here(rules))
        return
    if not listed:
        click.echo(f"No agreement is due for review in the next {due_days} days.")
        return
    blocks = []
    for a in listed:
        lines = [a.title]
        if due_days is not None:
            lines.append(f"  {a.due_words(today)}")
        lines += [
            f"  Between:  {'; '.join(directory.names(a.parties))}",
            f"  For:      {'; '.join(a.purpose_words)}",
            f"  Sharing:  {'; '.join(a.data_words)}",
            f"  How:      {a.frequency_words}",
            f"  Dates:    {a.dates_words}",
        ]
        if a.document:
            lines.append(f"  Document: {a.document}")
        blocks.append("\n".join(lines))
    click.echo("\n\n".join(blocks))
