"""Sign-off on the web: the checks the page and the API share before the register is written.

An approver approves or rejects a recorded decision (register/approval.py). What cannot be
signed off is told apart by reading the register, not by the wording of an error: no such
record (404), a sign-off or a purged record (409), or the signer's own decision (409: a
sign-off is a second person's check). In LOCAL mode the signer is named by hand, as on the
command line (`isp log approve --by`).
"""

from __future__ import annotations

import getpass
from dataclasses import dataclass

from fastapi import Request
from starlette.concurrency import run_in_threadpool

from ..register import DECISION, EmptyRegisterError, SignOff, local_actor, sign_off
from ..register.access import ROLES
from .access import require_to

__all__ = ["Refusal", "sign_off_on_web"]


@dataclass(frozen=True)
class Refusal:
    """Why a decision cannot be signed off: 404 (no such record) or 409 (not a decision that
    this person may sign off), with the sentence to show."""

    status: int
    message: str


def _machine_user() -> str | None:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001  (no user name in this environment)
        return None


async def sign_off_on_web(request: Request, seq: int, verdict: str, note: str, typed_by: str | None) -> SignOff | Refusal:
    """Sign off decision `seq` as the request's actor (in LOCAL mode, as `typed_by`, with every
    role: it is the user's own register). NotAllowedError without the approver role;
    AccessError or SignOffError (422) for a missing name, note or verdict."""
    actor = require_to(request, "sign-off")
    if actor is None:
        actor = local_actor(typed_by or "", ROLES, _machine_user())  # AccessError when no name was typed
    register = request.app.state.service.register()

    def check_and_sign() -> SignOff | Refusal:
        try:
            found = list(register.records(after=seq - 1, limit=1)) if seq >= 1 else []
        except EmptyRegisterError:
            found = []
        if not found:
            return Refusal(404, f"There is no decision {seq} in the register.")
        record = found[0]
        if record.seq != seq:  # record numbers have no gaps: a later one means this one was purged
            return Refusal(409, f"Record {seq} was purged when its retention ended; there is no decision left to "
                                "sign off.")
        if record.kind != DECISION:
            return Refusal(409, f"Record {seq} is a sign-off, not a decision; sign off the decision it names.")
        if " ".join(record.by.split()).casefold() == actor.name.casefold():
            # Four eyes: a sign-off is someone else's check of the decision, never the decider's own.
            return Refusal(409, f"Decision {seq} was made by {record.by}; it is signed off by someone else.")
        return sign_off(register, seq, verdict, note, actor)

    return await run_in_threadpool(check_and_sign)
