"""The agreements and the recorded decisions as one record-of-processing CSV: `isp ropa`.

For the records a data protection officer already keeps: the record of processing activities UK
GDPR Art 30(1) requires (purposes, categories of people and of personal data, recipients,
transfers abroad, how long it is kept), and the NHS Data Security and Protection Toolkit's record
of processing and data flow map (evidence item 1.1.2: purpose, Art 6 and Art 9 basis, categories
of people and data, recipients, transfers overseas, retention, and whether a written sharing
agreement is in place and when it ends; dsptoolkit.nhs.uk/Help/88). The ICO's documentation
guidance suggests the same headings. The columns use those headings in plain words, one row for
each information sharing agreement in the partnership's directory and one for each decision
recorded in the register; a cell that does not apply to a row, or that its source does not say,
is left empty.

A decision's facts are the ones it was decided on: what the scenario stated, with what the
directory filled in (share.py). The record needs categories, not case detail: a purpose is given
by its category without the case's own words, and a private individual by kind, never by name. Cells go through the register listing's csv_cell, so a cell a
spreadsheet would run as a formula starts with a quote instead.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from ..directory import Agreement, Directory
from ..labels import VALUE_LABELS
from ..register import Record, Status, describe
from ..register.chain import DECISION
from ..register.details import NOT_RECORDED
from ..register.listing import csv_cell, status_words
from ..vocabulary import SPECIAL_CATEGORIES
from .share import PRIVATE_PERSONS, decided_share, get

__all__ = ["ROPA_COLUMNS", "agreement_row", "decision_row", "render_ropa"]

ROPA_COLUMNS = [
    "Record", "Register no.", "Title", "Decided (UK time)", "Organisations", "Shared by", "Shared with",
    "Purposes", "People the information is about", "Categories of information",
    "Special category or criminal offence information", "Lawful basis", "Conditions for sensitive information",
    "Routine or one-off", "How it is sent", "Sent outside the UK", "How long it is kept",
    "Information sharing agreement", "Starts", "Review by", "Ends", "Document reference", "Verdict",
    "Case reference", "Decided by", "Status",
]
VERDICT_WORDS = {"allow": "Allow", "deny": "Deny", "needs-agreement": "Needs agreement"}
AGREEMENT_STATE_WORDS = {"none": "None", "in_place": "In place", "expired": "Expired"}
SENSITIVE = frozenset(SPECIAL_CATEGORIES) | {"criminal_offence"}  # UK GDPR Art 9(1) and Art 10


def _words(path: str, value: Any) -> str:
    """A value, or each of a list of values, in plain words ("; " between them); "" when unknown."""
    if value is None:
        return ""
    if isinstance(value, list):
        return "; ".join(_words(path, v) for v in value)
    if not isinstance(value, str):
        return str(value)
    return VALUE_LABELS.get(path, {}).get(value) or value.replace("_", " ")


def _sensitive(categories: Any) -> str:
    """The special category and criminal offence categories, in words; "None" when the categories
    are known and hold neither; "" when they are not known."""
    if not isinstance(categories, list):
        return ""
    found = [c for c in categories if c in SENSITIVE]
    return _words("share.data.categories", found) if found else "None"


def _basis(share: Mapping[str, Any]) -> str:
    parts = [_words("share.basis.article_6", get(share, "basis.article_6"))]
    if get(share, "basis.annex_1"):
        parts.append(f"Annex 1: {_words('share.basis.annex_1', get(share, 'basis.annex_1'))}")
    if get(share, "basis.part_3"):  # law enforcement processing by a competent authority: DPA 2018 s35(2)
        parts.append(f"DPA 2018 Part 3: {_words('share.basis.part_3', get(share, 'basis.part_3'))}")
    return "; ".join(p for p in parts if p)


def _conditions(share: Mapping[str, Any]) -> str:
    parts = [
        ("Art 9", "share.basis.article_9"), ("DPA 2018 Schedule 1", "share.basis.schedule_1"),
        ("Art 10", "share.basis.criminal_offence"), ("DPA 2018 Schedule 8", "share.basis.schedule_8"),
    ]
    return "; ".join(f"{name}: {_words(path, get(share, path))}" for name, path in parts if get(share, path))


def _abroad(share: Mapping[str, Any]) -> str:
    where = get(share, "to.location")
    if not isinstance(where, str):
        return ""
    return "No" if where == "GB" else f"Yes: {where}"


def _date(day: dt.date | None) -> str:
    return day.isoformat() if day else ""


def _row(cells: Mapping[str, Any]) -> list[str | int]:
    unknown = set(cells) - set(ROPA_COLUMNS)
    if unknown:  # a programming error, never the user's input
        raise ValueError(f"not a record-of-processing column: {', '.join(sorted(unknown))}")
    return [csv_cell(cells.get(column, "")) for column in ROPA_COLUMNS]


def agreement_row(agreement: Agreement, directory: Directory, today: dt.date) -> list[str | int]:
    """One agreement as a row, in ROPA_COLUMNS order. What it settles for every share under it (its
    lawful basis, how information is sent and kept) fills those columns when it says."""
    settles = agreement.settles.model_dump(mode="json", by_alias=True, exclude_none=True) if agreement.settles else {}
    return _row({
        "Record": "Agreement", "Title": agreement.title, "Organisations": "; ".join(directory.names(agreement.parties)),
        "Purposes": _words("share.purpose.category", list(agreement.purposes)),
        "Categories of information": _words("share.data.categories", list(agreement.data)),
        "Special category or criminal offence information": _sensitive(list(agreement.data)),
        "Lawful basis": _basis(settles), "Conditions for sensitive information": _conditions(settles),
        "Routine or one-off": _words("share.frequency", agreement.frequency),
        "How it is sent": _words("share.handling.transfer", get(settles, "handling.transfer")),
        "How long it is kept": get(settles, "handling.retention") or "",
        "Starts": _date(agreement.start), "Review by": _date(agreement.review), "Ends": _date(agreement.end),
        "Document reference": agreement.document or "", "Status": agreement.status_words(today),
    })


def _agreement_words(share: Mapping[str, Any], directory: Directory) -> str:
    """The agreement a decision was made under: its title when the directory still lists it."""
    named = get(share, "governance.agreement_id")
    if isinstance(named, str):
        title = next((a.title for a in directory.agreements if a.id == named), None)
        state = AGREEMENT_STATE_WORDS.get(get(share, "governance.agreement") or "")
        return f"{title or named}" + (f" ({state.lower()})" if state else "")
    return AGREEMENT_STATE_WORDS.get(get(share, "governance.agreement") or "", "")


def _party(share: Mapping[str, Any], side: str, name: str) -> str:
    """Who shared or received, by name; a private individual by the kind of person only, since a
    record of processing lists categories of recipients (UK GDPR Art 30(1)(d)), not people's names."""
    kind = get(share, f"{side}.type")
    if kind in PRIVATE_PERSONS:
        return _words(f"share.{side}.type", kind)
    return name


def decision_row(record: Record, directory: Directory, status: Status | None = None) -> list[str | int]:
    """One recorded decision as a row, in ROPA_COLUMNS order."""
    body = record.body if isinstance(record.body, dict) else {}
    scenario = body.get("scenario") if isinstance(body.get("scenario"), dict) else {}
    decision = body.get("decision") if isinstance(body.get("decision"), dict) else {}
    share = decided_share(scenario, decision.get("from_directory") if isinstance(decision, dict) else None)
    details = describe(record)
    categories = get(share, "data.categories")
    shared_by = _party(share, "from", details.shared_by)
    shared_with = _party(share, "to", details.shared_with)
    known = [name for name in (shared_by, shared_with) if name != NOT_RECORDED]
    return _row({
        "Record": "Decision", "Register no.": record.seq, "Title": details.title, "Decided (UK time)": details.when,
        "Organisations": "; ".join(known), "Shared by": shared_by, "Shared with": shared_with,
        # The purpose's category only: its free-text detail is about the case and may name the person,
        # and a record of processing needs the purpose, not the case (UK GDPR Art 5(1)(c), Art 30(1)(b)).
        "Purposes": _words("share.purpose.category", get(share, "purpose.category")),
        "People the information is about": _words("share.data.subjects", get(share, "data.subjects")),
        "Categories of information": _words("share.data.categories", categories),
        "Special category or criminal offence information": _sensitive(categories),
        "Lawful basis": _basis(share), "Conditions for sensitive information": _conditions(share),
        "Routine or one-off": _words("share.frequency", get(share, "frequency")),
        "How it is sent": _words("share.handling.transfer", get(share, "handling.transfer")),
        "Sent outside the UK": _abroad(share), "How long it is kept": get(share, "handling.retention") or "",
        "Information sharing agreement": _agreement_words(share, directory),
        "Verdict": VERDICT_WORDS.get(record.verdict, record.verdict), "Case reference": details.case_reference,
        "Decided by": details.decided_by, "Status": status_words(status or Status(record.seq)),
    })


def render_ropa(directory: Directory, records: Iterable[Record], statuses: Mapping[int, Status] | None = None,
                today: dt.date | None = None) -> str:
    """The CSV: the header, each agreement (in the directory's order, its status counted on `today`),
    then each decision among `records` (sign-offs are shown as each decision's status, from
    `statuses`: approval.statuses)."""
    day = today or dt.date.today()
    known = statuses or {}
    rows: list[Sequence[str | int]] = [agreement_row(a, directory, day) for a in directory.agreements]
    rows += [decision_row(r, directory, known.get(r.seq)) for r in records if r.kind == DECISION]
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ROPA_COLUMNS)
    writer.writerows(rows)
    return out.getvalue()
