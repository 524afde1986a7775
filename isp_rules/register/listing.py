"""The register as a listing, for `isp log`: plain text, CSV (for a spreadsheet) or JSON.

Text and CSV say each decision in plain words (details.py): when (UK time, the zone named), the
case reference, who shared with whom, what, why, whether consent was sought, who decided, the
verdict and its reasons; and its status (recorded, approved or rejected) with who signed it off,
when and why, and any earlier sign-off (approval.py). A DPO reads decisions, so sign-off records
are folded into the decision they sign off rather than listed apart. JSON lists every record
exactly as stored, sign-offs included, and adds each decision's status (the API gives the same).

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
from collections.abc import Iterable, Mapping

from .approval import SignOff, Status, statuses_in
from .chain import DECISION, SIGN_OFF, BaseRegister, EmptyRegisterError, Record
from .details import describe, uk_time

__all__ = ["CSV_COLUMNS", "LOG_FORMATS", "csv_cell", "csv_row", "integrity_warning", "record_json", "render_log", "shown", "sign_off_words", "status_words",
           "text_block", "text_line"]

LOG_FORMATS = ("text", "csv", "json")
CSV_COLUMNS = ["No.", "When (UK time)", "Case reference", "From", "To", "Information", "Purpose",
               "Consent sought", "Decided by", "Verdict", "Reasons", "Scenario", "Recorded at (UTC)",
               "Ruleset sha256", "Record hash", "To check", "Status", "Signed off by", "Signed off (UK time)",
               "Sign-off note", "Earlier sign-offs"]
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


def sign_off_words(s: SignOff) -> str:
    """'approved by J. Doe (approver; local user alice), 8 Dec 2026 10:00 GMT, record 5: note'."""
    how = "; ".join(part for part in (", ".join(s.roles), s.identified) if part)
    return (f"{s.verdict} by {s.by}" + (f" ({how})" if how else "") + f", {uk_time(s.at)}, sign-off record {s.seq}"
            + (f": {s.note}" if s.note else ""))


def status_words(status: Status) -> str:
    """The decision's status as the listing says it."""
    latest = status.latest
    return sign_off_words(latest) if latest else "recorded, not signed off yet"


def _wrapped(label: str, value: str) -> list[str]:
    return textwrap.wrap(f"{label}: {shown(value)}", WIDTH, initial_indent=" " * 7, subsequent_indent=" " * 9,
                         break_on_hyphens=False) or [" " * 7 + label + ":"]


def text_block(r: Record, status: Status | None = None) -> str:
    """One record: its first line, then each detail on its own indented line; a decision's
    `status` (with any earlier sign-off) first, when given."""
    lines = [text_line(r)]
    if status is not None:
        lines += _wrapped("Status", status_words(status))
        for earlier in reversed(status.history[:-1]):
            lines += _wrapped("Earlier sign-off", sign_off_words(earlier))
    for label, value in describe(r).rows():
        if label in ("When", "Verdict", "Decided by"):
            continue  # on the first line already
        lines += _wrapped(label, value)
    lines.append(f"       Rules sha256 {shown(r.ruleset_sha256[:12])}; record hash {shown(r.hash[:12])}")
    return "\n".join(lines)


def csv_row(r: Record, status: Status | None = None) -> list[str | int]:
    """One decision as a CSV row, in CSV_COLUMNS order (the full body stays in the register)."""
    d = describe(r)
    status = status or Status(r.seq)
    latest = status.latest
    cells: list[str | int] = [r.seq, d.when, d.case_reference, d.shared_by, d.shared_with, d.what, d.purpose, d.consent,
                              d.decided_by, r.verdict, "; ".join(d.reasons), r.scenario or "", r.at, r.ruleset_sha256,
                              r.hash, " ".join(d.checks), status.status, latest.by if latest else "",
                              uk_time(latest.at) if latest else "", latest.note if latest else "",
                              "; ".join(sign_off_words(s) for s in status.history[:-1])]
    return [csv_cell(v) for v in cells]


def record_json(r: Record, known: Mapping[int, Status], full: bool = True) -> dict[str, object]:
    """A record as `isp log --format json` and the API's /v1/decisions give it: as stored, and a
    decision with its status and sign-offs (`known`: approval.statuses)."""
    data = r.to_json(full)
    if r.kind == DECISION:
        data.update((known.get(r.seq) or Status(r.seq)).to_json())
    return data


def render_log(records: Iterable[Record], fmt: str = "text", statuses: Mapping[int, Status] | None = None) -> str:
    """The records in one of LOG_FORMATS, ending in a newline. Text ends with the count.
    Each decision's status comes from `statuses` (approval.statuses: every sign-off in the
    register, so a decision listed without its sign-offs, as with --since, still shows them),
    else from the sign-off records among `records`."""
    items = list(records)
    known = statuses if statuses is not None else statuses_in(items)

    def status(r: Record) -> Status:
        return known.get(r.seq) or Status(r.seq)

    decisions = [r for r in items if r.kind == DECISION]
    if fmt == "json":
        return json.dumps([record_json(r, known) for r in items], indent=2, ensure_ascii=False) + "\n"
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(CSV_COLUMNS)
        writer.writerows(csv_row(r, status(r)) for r in decisions)
        return out.getvalue()
    if fmt != "text":
        raise ValueError(f"no log format {fmt!r}: one of {', '.join(LOG_FORMATS)}")
    signed = sum(1 for r in items if r.kind == SIGN_OFF)
    count = f"{len(items)} record(s)" + (f": {len(decisions)} decision(s), {signed} sign-off(s)" if signed else "")
    return "".join(text_block(r, status(r)) + "\n\n" for r in decisions) + count + "\n"


def integrity_warning(register: BaseRegister) -> str | None:
    """One line for a listing read from a register whose chain is broken (a record edited or
    deleted since it was recorded), or None when it is intact: golden rule 7's record is only
    worth reading if it is what was decided, so a list drawn from it says when it may not be."""
    try:
        problems = register.verify()
    except EmptyRegisterError:
        return None
    if not problems:
        return None
    more = f" and {len(problems) - 1} more" if len(problems) > 1 else ""
    return (f"warning: the register fails its check ({problems[0]}{more}): some records may not be what was "
            f"decided. `isp log verify` lists every problem.")
