"""The decision register: an append-only, hash-chained record of every decision recorded.

Recording the decision and its reasons is itself an obligation (ICO data sharing code,
accountability; safeguarding golden rule 7), so the register must be trustworthy:

- append-only: the library offers no update or delete;
- each record carries the hash of the previous one, so `verify` names any record that was
  edited or deleted afterwards;
- every write is one transaction, so a crash mid-write leaves no half record, and
  concurrent writers from several processes queue rather than collide;
- tables that are not an isp-rules register are refused, never overwritten;
- with a key (register/signing.py), every write signs the new head, so that someone who can
  write the database but lacks the key cannot rewrite, shorten, forge, replace or empty it
  unnoticed; and a register the key signed is never silently started again;
- it keeps personal data private: files 0600, free text redactable and records purgeable
  while the chain still verifies (docs/register.md);
- an approver's sign-off of a decision is a record of its own, chained like the decision
  (register/approval.py); who may do what is register/access.py, and the API tokens machines
  use are kept beside the records as hashes only (register/tokens.py; docs/access.md).

It lives in a SQLite file (register/sqlite.py) or a PostgreSQL database (register/postgres.py);
both keep the same records and the same chain (register/chain.py), so they verify alike.
What a record says in plain words (golden rule 7: the case, who, what, why, when, consent) is
register/details.py.
"""

from __future__ import annotations

import os

from ..settings import database_url
from .access import AccessError, Actor, NotAllowedError, local_actor, may, proxy_actor, require
from .approval import SignOff, SignOffError, Status, sign_off, status_of, statuses
from .chain import DECISION, SIGN_OFF, BaseRegister, EmptyRegisterError, Record, RegisterError, Verification
from .details import CaseGiven, RecordDetails, case_given, describe, uk_time
from .sqlite import SqliteRegister
from .tokens import NewToken, TokenError, TokenInfo, actor_for_token, create_token, list_tokens, revoke_token

__all__ = ["DECISION", "SIGN_OFF", "AccessError", "Actor", "CaseGiven", "EmptyRegisterError", "NewToken",
           "NotAllowedError", "Record", "RecordDetails", "Register", "RegisterError", "SignOff", "SignOffError", "Status",
           "TokenError", "TokenInfo", "Verification", "actor_for_token", "case_given", "create_token", "describe",
           "list_tokens", "local_actor", "may", "open_register", "proxy_actor", "require", "revoke_token", "sign_off",
           "status_of", "statuses", "uk_time"]

Register = SqliteRegister  # the name existing callers use for a register file

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_register(target: str | os.PathLike | None = None) -> BaseRegister:
    """The register at `target`: a postgresql:// (or postgres://) URL is a PostgreSQL database,
    anything else a SQLite file; None is $ISP_DATABASE_URL when set (so `isp serve`, `isp log` and
    `isp check --record` share one register), else the default file (settings.default_register_path)."""
    if target is None:
        target = database_url()
    if isinstance(target, str) and target.startswith(POSTGRES_SCHEMES):
        from urllib.parse import urlsplit

        from .postgres import PostgresRegister, redact

        try:  # a malformed address (an unclosed [IPv6 host, a port that is not a number) is the user's input
            _ = urlsplit(target).port  # reading the port parses the address
        except ValueError as exc:
            raise RegisterError(f"{redact(target)}: not a valid database address ({exc})") from None
        return PostgresRegister(target)
    return SqliteRegister(target)
