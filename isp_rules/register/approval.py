"""Sign-off: an approver (the DPO or Caldicott Guardian) approves or rejects a recorded decision.

A sign-off is a new record in the register, chained and signed like a decision (chain.py), so it
cannot be changed or removed unnoticed any more than the decision can; it names the decision by
its number and its hash. A decision's status is "recorded" until it is signed off, then the
verdict of its latest sign-off: an approver may change their mind, and every earlier sign-off
stays in the register as its history.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from ..errors import IspError
from ..scenario import unprintable
from .access import Actor, require
from .chain import DECISION, SIGN_OFF, SIGN_OFF_KEY, SIGN_OFF_VERDICTS, BaseRegister, EmptyRegisterError, Record

__all__ = ["APPROVED", "NOTE_MAX", "RECORDED", "REJECTED", "STATUSES", "SignOff", "SignOffError", "Status",
           "sign_off", "status_of", "statuses", "statuses_in"]

APPROVED, REJECTED = SIGN_OFF_VERDICTS
RECORDED = "recorded"  # not signed off (yet)
STATUSES = (RECORDED, APPROVED, REJECTED)
NOTE_MAX = 2000


class SignOffError(IspError):
    """A sign-off that cannot be made: its verdict or note is not valid (one line)."""


@dataclass(frozen=True)
class SignOff:
    """One sign-off record: who approved or rejected which decision, when, and why."""

    seq: int  # the sign-off's own record number
    decision: int  # the decision's record number
    verdict: str  # approved or rejected
    note: str  # "[redacted]" once redacted
    by: str
    roles: tuple[str, ...]
    identified: str  # how the signer was identified (access.Actor.identified)
    at: str  # UTC, ISO 8601

    @classmethod
    def from_record(cls, record: Record) -> SignOff | None:
        """The sign-off a record holds; None for a decision (or a body that is damaged: verify names it)."""
        data = record.body.get(SIGN_OFF_KEY) if record.kind == SIGN_OFF else None
        if not isinstance(data, dict) or not isinstance(data.get("decision"), int):
            return None
        roles = data.get("roles")
        return cls(record.seq, data["decision"], record.verdict, str(data.get("note") or ""), record.by,
                   tuple(str(r) for r in roles) if isinstance(roles, list) else (), str(data.get("identified") or ""),
                   record.at)

    def to_json(self) -> dict[str, object]:
        return {"seq": self.seq, "decision": self.decision, "verdict": self.verdict, "note": self.note, "by": self.by,
                "roles": list(self.roles), "identified": self.identified, "at": self.at}


@dataclass(frozen=True)
class Status:
    """A decision's status: RECORDED, or its latest sign-off's verdict; `history` holds every sign-off, oldest first."""

    decision: int
    history: tuple[SignOff, ...] = ()

    @property
    def status(self) -> str:
        return self.history[-1].verdict if self.history else RECORDED

    @property
    def latest(self) -> SignOff | None:
        return self.history[-1] if self.history else None

    def to_json(self) -> dict[str, object]:
        return {"status": self.status, "sign_offs": [s.to_json() for s in self.history]}


def _clean_note(note: str) -> str:
    text = "\n".join(" ".join(line.split()) for line in str(note).strip().splitlines()).strip()
    if not text:
        raise SignOffError("give a note: why the decision is approved or rejected (it is kept with the sign-off)")
    if len(text) > NOTE_MAX:
        raise SignOffError(f"a sign-off's note has at most {NOTE_MAX} characters, not {len(text)}")
    problem = unprintable(text, record=True)
    if problem is not None:  # the note is kept in the register and shown in isp log and the pages
        raise SignOffError(f"the note {problem}")
    return text


def sign_off(register: BaseRegister, seq: int, verdict: str, note: str, actor: Actor,
             at: dt.datetime | None = None) -> SignOff:
    """Approve or reject decision `seq` (verdict "approved" or "rejected") with a note, as `actor`,
    who must hold the approver role (NotAllowedError otherwise). The sign-off is a new record,
    chained and signed like any other. RegisterError when `seq` is not a recorded decision (no
    such record, a sign-off, or purged), or when `actor` made that decision (four eyes);
    EmptyRegisterError when there is no register."""
    require(actor, "sign-off")
    if verdict not in SIGN_OFF_VERDICTS:
        raise SignOffError(f"a sign-off approves or rejects: one of {', '.join(SIGN_OFF_VERDICTS)}, not '{verdict}'")
    record = register.sign_off(seq, verdict, _clean_note(note), actor.name,
                               {"roles": list(actor.roles), "identified": actor.identified}, at=at)
    made = SignOff.from_record(record)
    assert made is not None  # the record was made just above, from these values
    return made


def statuses_in(records: Iterable[Record]) -> dict[int, Status]:
    """{decision: Status} for every decision a sign-off among `records` names (others are RECORDED)."""
    history: dict[int, list[SignOff]] = {}
    for record in sorted(records, key=lambda r: r.seq):
        made = SignOff.from_record(record)
        if made is not None:
            history.setdefault(made.decision, []).append(made)
    return {seq: Status(seq, tuple(items)) for seq, items in history.items()}


def statuses(register: BaseRegister) -> dict[int, Status]:
    """{decision: Status} for every decision signed off at least once (any other is RECORDED):
    one read of the sign-offs, for a listing. {} where there is no register yet."""
    try:
        return statuses_in(register.records(kind=SIGN_OFF))
    except EmptyRegisterError:
        return {}


def status_of(register: BaseRegister, seq: int, known: Mapping[int, Status] | None = None) -> Status | None:
    """Decision `seq`'s status; None when the register holds no decision `seq` (or none at all).
    `known` (from statuses()) saves reading the sign-offs again."""
    try:
        found = list(register.records(after=seq - 1, limit=1)) if seq >= 1 else []
    except EmptyRegisterError:
        return None
    if not found or found[0].seq != seq or found[0].kind != DECISION:
        return None
    return (known if known is not None else statuses(register)).get(seq, Status(seq))
