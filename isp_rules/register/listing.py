"""The register as a listing, for `isp log`: plain lines, CSV (for a spreadsheet) or JSON."""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable

from .chain import Record

__all__ = ["CSV_COLUMNS", "LOG_FORMATS", "csv_row", "render_log", "text_line"]

LOG_FORMATS = ("text", "csv", "json")
CSV_COLUMNS = ["seq", "at", "by", "scenario", "verdict", "ruleset_sha256", "hash"]


def text_line(r: Record) -> str:
    """One record on one line: when, the verdict, what was decided, by whom, under which rules."""
    return f"{r.seq:>5}  {r.at}  {r.verdict:<15}  {r.scenario or '-'}  by {r.by}  (rules {r.ruleset_sha256[:12]})"


def csv_row(r: Record) -> list[str | int]:
    """One record as a CSV row, in CSV_COLUMNS order (the body stays in the register)."""
    return [r.seq, r.at, r.by, r.scenario or "", r.verdict, r.ruleset_sha256, r.hash]


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
    return "".join(text_line(r) + "\n" for r in items) + f"{len(items)} record(s)\n"
