"""The register as a listing, for `isp log`: plain text, CSV (for a spreadsheet) or JSON.

Text and CSV say each record in plain words (details.py): when (UK time, the zone named), the
case reference, who shared with whom, what, why, whether consent was sought, who decided, the
verdict and its reasons. JSON is the record itself, exactly as stored (the API gives the same).
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable

from .chain import Record
from .details import describe

__all__ = ["CSV_COLUMNS", "LOG_FORMATS", "csv_row", "render_log", "text_block", "text_line"]

LOG_FORMATS = ("text", "csv", "json")
CSV_COLUMNS = ["No.", "When (UK time)", "Case reference", "From", "To", "Information", "Purpose",
               "Consent sought", "Decided by", "Verdict", "Reasons", "Scenario", "Recorded at (UTC)",
               "Ruleset sha256", "Record hash", "To check"]
WIDTH = 88


def text_line(r: Record) -> str:
    """The record's first line: number, when, the verdict, what was decided and by whom."""
    d = describe(r)
    return f"{r.seq:>5}  {d.when}  {r.verdict:<15}  {r.scenario or '-'}  by {r.by}"


def text_block(r: Record) -> str:
    """One record: its first line, then each detail on its own indented line."""
    lines = [text_line(r)]
    for label, value in describe(r).rows():
        if label in ("When", "Verdict", "Decided by"):
            continue  # on the first line already
        lines += textwrap.wrap(f"{label}: {value}", WIDTH, initial_indent=" " * 7, subsequent_indent=" " * 9,
                               break_on_hyphens=False) or [" " * 7 + label + ":"]
    lines.append(f"       Rules sha256 {r.ruleset_sha256[:12]}; record hash {r.hash[:12]}")
    return "\n".join(lines)


def csv_row(r: Record) -> list[str | int]:
    """One record as a CSV row, in CSV_COLUMNS order (the full body stays in the register)."""
    d = describe(r)
    return [r.seq, d.when, d.case_reference, d.shared_by, d.shared_with, d.what, d.purpose, d.consent,
            d.decided_by, r.verdict, "; ".join(d.reasons), r.scenario or "", r.at, r.ruleset_sha256, r.hash,
            " ".join(d.checks)]


def render_log(records: Iterable[Record], fmt: str = "text") -> str:
    """The records in one of LOG_FORMATS, ending in a newline. Text ends with the count."""
    items = list(records)
    if fmt == "json":
        return json.dumps([r.to_json() for r in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_row(r) for r in items)
        return out.getvalue()
    if fmt != "text":
        raise ValueError(f"no log format {fmt!r}: one of {', '.join(LOG_FORMATS)}")
    return "".join(text_block(r) + "\n\n" for r in items) + f"{len(items)} record(s)\n"
