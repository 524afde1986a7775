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
  while the chain still verifies (docs/register.md).

It lives in a SQLite file (register/sqlite.py) or a PostgreSQL database (register/postgres.py);
both keep the same records and the same chain (register/chain.py), so they verify alike.
What a record says in plain words (golden rule 7: the case, who, what, why, when, consent) is
register/details.py.
"""

from __future__ import annotations

import os

from ..settings import database_url
from .chain import BaseRegister, EmptyRegisterError, Record, RegisterError, Verification
from .details import CaseGiven, RecordDetails, case_given, describe, uk_time
from .sqlite import SqliteRegister

__all__ = ["CaseGiven", "EmptyRegisterError", "Record", "RecordDetails", "Register", "RegisterError", "Verification",
           "case_given", "describe", "open_register", "uk_time"]

Register = SqliteRegister  # the name existing callers use for a register file

POSTGRES_SCHEMES = ("postgresql://", "postgres://")


def open_register(target: str | os.PathLike | None = None) -> BaseRegister:
    """The register at `target`: a postgresql:// (or postgres://) URL is a PostgreSQL database,
    anything else a SQLite file; None is $ISP_DATABASE_URL when set (so `isp serve`, `isp log` and
    `isp check --record` share one register), else the default file (settings.default_register_path)."""
    if target is None:
        target = database_url()
    if isinstance(target, str) and target.startswith(POSTGRES_SCHEMES):
        from .postgres import PostgresRegister

        return PostgresRegister(target)
    return SqliteRegister(target)
