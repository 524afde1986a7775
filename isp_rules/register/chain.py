"""What every register store shares: the record, the hash chain, appending and verifying.

A store (SQLite file, PostgreSQL database) only supplies the connection and the SQL, through
three hooks; the records, their hashes and verify's reading of the chain are made here once,
so a record written to either store verifies the same way.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, fields
from typing import Any

from ..errors import IspError
from .details import CASE_KEY, CaseGiven, case_body

FORMAT = "isp-rules decision register v1"
GENESIS = "0" * 64
# Column order of a record row, in every store and every query.
COLUMNS = "seq, at, by, scenario, verdict, ruleset_sha256, body, prev_hash, hash"
# Everything but seq, whose type differs between stores. body is text, never a JSON type:
# the hash covers its exact characters.
RECORD_COLUMNS_DDL = ("at TEXT NOT NULL, by TEXT NOT NULL, scenario TEXT, verdict TEXT NOT NULL, "
                      "ruleset_sha256 TEXT NOT NULL, body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL")

Row = Sequence[Any]  # one record as stored, in COLUMNS order
# Given the last stored (seq, hash), or None: the rows to insert and the new head marker.
Chain = Callable[[Row | None], tuple[list[tuple], str]]


class RegisterError(IspError):
    """The register cannot be used (foreign, corrupt, unreadable or unreachable)."""


class EmptyRegisterError(RegisterError):
    """No register exists here yet: nothing has been recorded. Readers treat it as empty."""


@dataclass(frozen=True)
class Record:
    seq: int
    at: str  # UTC, ISO 8601
    by: str
    scenario: str | None
    verdict: str
    ruleset_sha256: str
    body: dict  # scenario, decision (reasons, obligations, open points), case (details.py)
    prev_hash: str
    hash: str

    def to_json(self, full: bool = True) -> dict[str, Any]:
        """The record as JSON data, its fields in order; the body (the scenario and the decision)
        only when `full`. `isp log --format json` and the API's /v1/decisions both give this."""
        return {f.name: getattr(self, f.name) for f in fields(self) if full or f.name != "body"}


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash(prev_hash: str, seq: int, at: str, by: str, scenario: str | None, verdict: str, sha: str, body_json: str) -> str:
    """Every column of a record, chained to the previous record's hash."""
    fields = [prev_hash, str(seq), at, by, scenario or "", verdict, sha, body_json]
    return hashlib.sha256("\n".join(fields).encode()).hexdigest()


def check_format(where: str, value: str | None) -> None:
    """Refuse tables whose format marker is not ours (another app's, or a future version's)."""
    if value != FORMAT:
        raise RegisterError(f"{where}: not an isp-rules register (format {value or 'unknown'!r}); "
                            "it was left untouched")


class BaseRegister:
    """A register: append-only, every record chained to the one before by its hash."""

    @property
    def where(self) -> str:
        """Where the register is, for messages (never a password)."""
        raise NotImplementedError

    def close(self) -> None:
        """Let go of any connection held between calls (a no-op where none is held)."""

    # --- the store's hooks ---------------------------------------------------------------

    def _write(self, chain: Chain) -> None:
        """In one transaction, with no other writer: read the last (seq, hash), insert the
        rows `chain` returns for it and set the head marker to what it returns."""
        raise NotImplementedError

    def _rows(self, after: int = 0, limit: int | None = None, newest_first: bool = False) -> list[Row]:
        """Record rows after sequence number `after`, in seq order (or newest first), at most `limit`."""
        raise NotImplementedError

    def _snapshot(self) -> tuple[list[Row], str | None]:
        """Every record row and the head marker, read from one consistent snapshot."""
        raise NotImplementedError

    # --- writing -------------------------------------------------------------------------

    def append(self, decision: Any, scenario: Any = None, by: str | None = None,
               at: dt.datetime | None = None, submission: str | None = None,
               case: CaseGiven | None = None) -> Record:
        """Record a decision (and the scenario it decided). One transaction; returns the record.
        `submission` names the form that sent it, so a second click can be recognised. `case` is
        what the decider gave when recording (details.case_given): the case reference, or an
        explicit "none", and any party's name the scenario lacked; without it the record says
        its case reference was not recorded."""
        return self.append_many([(decision, scenario)], by=by, at=at, submission=submission, case=case)[0]

    def append_many(self, items: list[tuple[Any, Any]], by: str | None = None,
                    at: dt.datetime | None = None, submission: str | None = None,
                    case: CaseGiven | None = None) -> list[Record]:
        """Record several decisions in one transaction: all of them, or (after a crash) none.
        The same `case` details go with each (the parties' names are each decision's own)."""
        who = by or _user()
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
        prepared = []
        for decision, scenario in items:
            answer = decision.to_json()
            body = {"decision": answer}
            if scenario is not None:
                body["scenario"] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
            if submission is not None:
                body["submission"] = submission
            # Inside the hashed body, so the chain's format is unchanged and old records still verify.
            body[CASE_KEY] = case_body(case, decision, scenario)
            prepared.append((answer, body, _canonical(body)))
        out: list[Record] = []

        def chain(last: Row | None) -> tuple[list[tuple], str]:
            out.clear()  # a store may retry the transaction on a new connection
            seq, prev = (last[0], last[1]) if last else (0, GENESIS)
            rows = []
            for answer, body, body_json in prepared:
                seq += 1
                scenario, verdict, sha = answer.get("scenario"), answer["verdict"], answer["ruleset"]["sha256"]
                digest = _hash(prev, seq, when, who, scenario, verdict, sha, body_json)
                rows.append((seq, when, who, scenario, verdict, sha, body_json, prev, digest))
                out.append(Record(seq, when, who, scenario, verdict, sha, body, prev, digest))
                prev = digest
            # The head lets verify notice records deleted from the end of the chain too.
            return rows, f"{seq} {prev}"

        self._write(chain)
        return out

    # --- reading -------------------------------------------------------------------------

    def records(self, since: dt.date | dt.datetime | None = None, after: int = 0, limit: int | None = None,
                newest_first: bool = False) -> Iterator[Record]:
        """Records in order (or newest first); `after` and `limit` page through a long register
        in the database, not in memory. `since` filters what is read: a date is a UTC date, a
        datetime (with its zone) an instant, such as midnight in UK time (details.uk_day_start)."""
        if since is None:
            rows = self._rows(after, limit, newest_first)
        elif isinstance(since, dt.datetime):
            start = since.astimezone(dt.UTC).isoformat(timespec="seconds")  # stored times are UTC, this format
            rows = [r for r in self._rows(after, None, newest_first) if r[1] >= start][:limit]
        else:
            rows = [r for r in self._rows(after, None, newest_first) if r[1][:10] >= since.isoformat()][:limit]
        for row in rows:
            try:
                body = json.loads(row[6])
            except ValueError:
                body = {}
            yield Record(row[0], row[1], row[2], row[3], row[4], row[5], body, row[7], row[8])

    def get(self, seq: int) -> Record | None:
        """One record by its sequence number."""
        found = list(self.records(after=seq - 1, limit=1)) if seq >= 1 else []
        return found[0] if found and found[0].seq == seq else None

    def verify(self) -> list[str]:
        """Every break in the chain, in words; an empty list means the register is intact."""
        rows, head = self._snapshot()
        problems, prev, expected_seq = [], GENESIS, 1
        for seq, at, by, scenario, verdict, sha, body_json, prev_hash, digest in rows:
            if not isinstance(seq, int) or not all(isinstance(v, str) for v in (at, by, verdict, sha, body_json, prev_hash, digest)):
                problems.append(f"record {seq}: damaged (a field is missing or of the wrong type)")
                prev, expected_seq = digest if isinstance(digest, str) else prev, (seq + 1 if isinstance(seq, int) else expected_seq)
                continue
            if seq != expected_seq:
                missing = f"record {expected_seq}" if seq == expected_seq + 1 else f"records {expected_seq} to {seq - 1}"
                problems.append(f"{missing} deleted (the chain jumps to record {seq})")
            elif prev_hash != prev:
                problems.append(f"record {seq}: does not follow record {seq - 1} (previous hash changed)")
            if _hash(prev_hash, seq, at, by, scenario, verdict, sha, body_json) != digest:
                problems.append(f"record {seq}: edited after it was recorded (hash does not match its contents)")
            prev, expected_seq = digest, seq + 1
        if isinstance(head, str) and len(head.split()) == 2:
            head_seq, head_hash = head.split()
            if int(head_seq) >= expected_seq:
                last = expected_seq - 1
                problems.append(f"records {expected_seq} to {head_seq} deleted from the end (the register "
                                f"had {head_seq}, now ends at {last})" if int(head_seq) > expected_seq
                                else f"record {head_seq} deleted from the end")
            elif rows and head_hash != prev:
                problems.append(f"record {rows[-1][0]}: the last record does not match the register's head")
        return problems


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001  (no user name in this environment)
        return "unknown"
