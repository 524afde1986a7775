"""The register as a listing, for `isp log`: plain text, CSV (for a spreadsheet) or JSON.

Text and CSV say each record in plain words (details.py): when (UK time, the zone named), the
case reference, who shared with whom, what, why, whether consent was sought, who decided, the
verdict and its reasons. JSON is the record itself, exactly as stored (the API gives the same).

Text someone typed can hold control characters, and a listing must not let it forge a line or
move the terminal's cursor: text shows each as an escape (\\n, \\x1b). A CSV cell beginning
with =, +, -, @, a tab or a carriage return is a formula to a spreadsheet, which could run it
or send data away: such a cell starts with a single quote instead (OWASP's advice).
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
import unicodedata
from collections.abc import Iterable

from .chain import Record
from .details import describe

__all__ = ["CSV_COLUMNS", "LOG_FORMATS", "csv_cell", "csv_row", "render_log", "shown", "text_block", "text_line"]

LOG_FORMATS = ("text", "csv", "json")
CSV_COLUMNS = ["No.", "When (UK time)", "Case reference", "From", "To", "Information", "Purpose",
               "Consent sought", "Decided by", "Verdict", "Reasons", "Scenario", "Recorded at (UTC)",
               "Ruleset sha256", "Record hash", "To check"]
WIDTH = 88
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
# Control characters, line and paragraph separators, and invisible format characters (such as
# the right-to-left override that makes text read backwards).
HIDDEN = ("Cc", "Cf", "Zl", "Zp")


def shown(text: object) -> str:
    """`text` on one line, each control or invisible character written as an escape."""
    out = []
    for ch in str(text):
        if unicodedata.category(ch) in HIDDEN:
            code = ord(ch)
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}.get(ch) or
                       (f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}" if code < 0x10000 else f"\\U{code:08x}"))
        else:
            out.append(ch)
    return "".join(out)


def csv_cell(value: str | int) -> str | int:
    """A CSV cell a spreadsheet will not read as a formula. A carriage return inside it becomes a
    line break, so that the cell is quoted and cannot start a row of its own."""
    if not isinstance(value, str):
        return value
    if value.startswith(FORMULA_STARTS):
        value = "'" + value
    return value.replace("\r\n", "\n").replace("\r", "\n")


def text_line(r: Record) -> str:
    """The record's first line: number, when, the verdict, what was decided and by whom."""
    d = describe(r)
    return f"{r.seq:>5}  {d.when}  {shown(r.verdict):<15}  {shown(r.scenario or '-')}  by {shown(r.by)}"


def text_block(r: Record) -> str:
    """One record: its first line, then each detail on its own indented line."""
    lines = [text_line(r)]
    for label, value in describe(r).rows():
        if label in ("When", "Verdict", "Decided by"):
            continue  # on the first line already
        lines += textwrap.wrap(f"{label}: {shown(value)}", WIDTH, initial_indent=" " * 7, subsequent_indent=" " * 9,
                               break_on_hyphens=False) or [" " * 7 + label + ":"]
    lines.append(f"       Rules sha256 {shown(r.ruleset_sha256[:12])}; record hash {shown(r.hash[:12])}")
    return "\n".join(lines)


def csv_row(r: Record) -> list[str | int]:
    """One record as a CSV row, in CSV_COLUMNS order (the full body stays in the register)."""
    d = describe(r)
    cells: list[str | int] = [r.seq, d.when, d.case_reference, d.shared_by, d.shared_with, d.what, d.purpose, d.consent,
                              d.decided_by, r.verdict, "; ".join(d.reasons), r.scenario or "", r.at, r.ruleset_sha256,
                              r.hash, " ".join(d.checks)]
    return [csv_cell(v) for v in cells]


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
