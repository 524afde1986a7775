"""What a record says, in plain words: the details safeguarding golden rule 7 asks a record to hold.

Each record holds the case reference, the parties by name, what was shared, the purpose, when,
who decided, the verdict and reasons, and whether consent was sought. Most of these are read from
the scenario and the decision the record already holds; the case reference and the parties'
names as they were given when recording are kept in the record's body under "case" (so they are
inside the hash, and the chain's format is unchanged). A record written before the case details
were asked for has no "case": its case reference is shown as "not recorded", never guessed.

Times are stored in UTC and shown in UK time (Europe/London) with the zone named, GMT or BST.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..labels import VALUE_LABELS

if TYPE_CHECKING:
    from .chain import Record

__all__ = ["CASE_KEY", "NOT_RECORDED", "REFERENCE_MAX", "CaseGiven", "RecordDetails", "case_body", "case_given",
           "clean_reference", "describe", "parties_of", "uk_day_start", "uk_time"]

CASE_KEY = "case"  # the body's key for what was given when recording
NOT_RECORDED = "not recorded"
NO_REFERENCE = "none: the decider said there is no case reference"
REFERENCE_MAX = 100
NAME_MAX = 200
UK_ZONE = "Europe/London"

# Whether consent was sought, as a record says it (the scenario's consent.status).
CONSENT_WORDS = {"given": "sought, and given", "refused": "sought, and refused",
                 "withdrawn": "sought and given, then withdrawn", "not_sought": "not sought"}


def clean_reference(text: str | None) -> str | None:
    """A case reference on one line (inner spaces kept single), or None when empty. ValueError,
    with a plain sentence, when it is too long."""
    from ..scenario import unprintable

    reference = " ".join((text or "").split())
    if len(reference) > REFERENCE_MAX:
        raise ValueError(f"A case reference has at most {REFERENCE_MAX} characters.")
    if problem := unprintable(reference, record=True):  # it would forge or hide words in `isp log`
        raise ValueError(f"The case reference {problem}.")
    return reference or None


def _clean_name(text: Any) -> str | None:
    name = " ".join(str(text).split()) if isinstance(text, str) else ""
    return name[:NAME_MAX] or None


def parties_of(decision: Any, scenario: Any = None) -> dict[str, str | None]:
    """The parties by name: the decision's own `parties` (names the directory supplies) where it
    has them, else the names the scenario states; None where neither names a party."""
    found: dict[str, str | None] = {"from": None, "to": None}
    given = getattr(decision, "parties", None)
    if isinstance(given, Mapping):
        found = {side: _clean_name(given.get(side)) for side in found}
    share = getattr(scenario, "share", None)
    if share is not None:
        found["from"] = found["from"] or _clean_name(share.from_.name)
        found["to"] = found["to"] or _clean_name(share.to.name)
    return found


@dataclass(frozen=True)
class CaseGiven:
    """What the decider gave when recording: the case reference, or an explicit "there is none";
    and any party's name typed in because neither the decision nor the scenario named it."""

    reference: str | None
    no_reference: bool
    parties: dict[str, str | None] | None = None


def case_given(reference: str | None, no_reference: bool, parties: dict[str, str | None] | None = None) -> CaseGiven:
    """The case details as given, checked: a reference, or "no case reference", never neither or
    both. ValueError with a plain sentence otherwise."""
    ref = clean_reference(reference)
    if ref is None and not no_reference:
        raise ValueError("Give the case reference, or say that there is no case reference.")
    if ref is not None and no_reference:
        raise ValueError("Give a case reference or say that there is none, not both.")
    names = {side: _clean_name((parties or {}).get(side)) for side in ("from", "to")}
    return CaseGiven(ref, ref is None, names)


def case_body(case: CaseGiven | None, decision: Any, scenario: Any = None) -> dict[str, Any]:
    """The "case" object a record's body keeps: the case reference (None with no_reference false
    when it was not asked, as through an API call that did not give one) and the parties by name."""
    parties = parties_of(decision, scenario)
    for side, name in ((case.parties or {}) if case else {}).items():
        parties[side] = parties.get(side) or _clean_name(name)
    return {"reference": case.reference if case else None, "no_reference": bool(case and case.no_reference),
            "parties": parties}


def _uk_zone() -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        return ZoneInfo(UK_ZONE)
    except (ImportError, ZoneInfoNotFoundError, ValueError):
        return dt.UTC


def uk_day_start(day: dt.date) -> dt.datetime:
    """Midnight at the start of `day` in UK time (so `isp log --since` means a UK date)."""
    return dt.datetime.combine(day, dt.time(), _uk_zone())


def uk_time(at: str) -> str:
    """A stored UTC time (ISO 8601) in UK time with the zone named: '7 Dec 2026 09:14 GMT'.
    Where this machine has no time zone data, it stays in UTC and says so."""
    try:
        when = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return str(at)
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    when = when.astimezone(_uk_zone())
    return f"{when.day} {when:%b %Y %H:%M} {when.tzname() or 'UTC'}"


@dataclass(frozen=True)
class RecordDetails:
    """One record in plain words, every field a sentence fragment ready to show."""

    seq: int
    when: str  # UK time with the zone named
    case_reference: str
    shared_by: str
    shared_with: str
    what: str
    purpose: str
    consent: str
    decided_by: str
    verdict: str  # allow, deny, needs-agreement (the register's word)
    reasons: list[str]
    title: str  # the scenario's title or id, or NOT_RECORDED
    # What the decision asked to be checked: stated facts that differ from the partnership's
    # directory, and parts of the share not described (empty for records without any).
    checks: tuple[str, ...] = ()

    def rows(self) -> list[tuple[str, str]]:
        """(label, value) in the order a record is read, for lists and pages."""
        return [("When", self.when), ("Case reference", self.case_reference), ("From", self.shared_by),
                ("To", self.shared_with), ("Information", self.what), ("Purpose", self.purpose),
                ("Consent sought", self.consent), ("Decided by", self.decided_by),
                ("Verdict", self.verdict.upper().replace("-", " ")),
                ("Reasons", "; ".join(self.reasons) or "none given")] + (
                    [("To check", " ".join(self.checks))] if self.checks else [])


def _words(path: str, value: Any) -> str:
    """A value's plain words as they read mid-sentence ('a child (under 18)', 'names, dates of birth')."""
    words = VALUE_LABELS.get(path, {}).get(value) if isinstance(value, str) else None
    if words is None:
        return str(value).replace("_", " ")
    return words[:1].lower() + words[1:] if not words[1:2].isupper() else words


def _what(data: dict) -> str:
    categories = [_words("share.data.categories", c) for c in data.get("categories") or []]
    subjects = [_words("share.data.subjects", s) for s in data.get("subjects") or []]
    what = "; ".join(categories)
    if subjects:
        about = " and ".join(subjects) if len(subjects) <= 2 else ", ".join(subjects[:-1]) + " and " + subjects[-1]
        what = f"about {about}: {what}" if what else f"information about {about}"
    return (what[:1].upper() + what[1:]) if what else NOT_RECORDED


def _purpose(purpose: dict) -> str:
    category, detail = purpose.get("category"), purpose.get("detail")
    words = _words("share.purpose.category", category) if category else ""
    words = (words[:1].upper() + words[1:]) if words else ""
    if detail:
        words = f"{words} ({detail})" if words else str(detail)
    return words or NOT_RECORDED


def _consent(consent: dict) -> str:
    status = consent.get("status")
    if status not in CONSENT_WORDS:
        return NOT_RECORDED
    words = CONSENT_WORDS[status]
    reason = consent.get("reason_not_sought")
    if status == "not_sought" and reason:
        words += f": {_words('share.consent.reason_not_sought', reason)}"
    if consent.get("as_good_practice"):
        words += " (as good practice, not as the basis for sharing)"
    return words[:1].upper() + words[1:]


def _mapping(value: Any) -> dict[str, Any]:
    """A part of a stored body as a dict ({} when it is missing or damaged): describing never fails."""
    return value if isinstance(value, dict) else {}


def describe(record: Record) -> RecordDetails:
    """The record in plain words. What the record does not hold is NOT_RECORDED."""
    body = _mapping(record.body)
    scenario = _mapping(body.get("scenario"))
    share = _mapping(scenario.get("share"))
    decision = _mapping(body.get("decision"))
    case = body.get(CASE_KEY) if isinstance(body.get(CASE_KEY), dict) else None
    parties = _mapping((case or {}).get("parties"))
    if case is None:
        reference = NOT_RECORDED
    else:
        reference = case.get("reference") or (NO_REFERENCE if case.get("no_reference") else NOT_RECORDED)

    def party(side: str, key: str) -> str:
        stated = _mapping(share.get(key))
        return _clean_name(parties.get(side)) or _clean_name(stated.get("name")) or NOT_RECORDED

    reasons = [str(r.get("title") or r.get("message") or "") for r in decision.get("reasons") or [] if isinstance(r, dict)]
    return RecordDetails(
        seq=record.seq, when=uk_time(record.at), case_reference=reference,
        shared_by=party("from", "from"), shared_with=party("to", "to"),
        what=_what(_mapping(share.get("data"))), purpose=_purpose(_mapping(share.get("purpose"))),
        consent=_consent(_mapping(share.get("consent"))), decided_by=record.by, verdict=record.verdict,
        reasons=[r for r in reasons if r], title=str(scenario.get("title") or record.scenario or NOT_RECORDED),
        checks=tuple(_checks(decision)))


def _checks(decision: dict[str, Any]) -> list[str]:
    """The decision's differences from the directory and what it found not stated, as stored."""
    found = [str(c.get("words")) for c in decision.get("contradictions") or [] if isinstance(c, dict) and c.get("words")]
    return found + [str(n) for n in decision.get("not_stated") or [] if isinstance(n, str)]
