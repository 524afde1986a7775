"""The decision register: an append-only, hash-chained record of every decision recorded.

Recording the decision and its reasons is itself an obligation (ICO data sharing code,
accountability; safeguarding golden rule 7), so the register must be trustworthy:

- append-only: the library offers no update or delete;
- each record carries the hash of the previous one, so `verify` names any record that was
  edited or deleted afterwards;
- every write is one SQLite transaction (BEGIN IMMEDIATE), so a crash mid-write leaves no
  half record and concurrent writers from several processes queue rather than collide;
- a file that is not an isp-rules register is refused, never overwritten.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import os
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Iterator

from .errors import IspError

__all__ = ["Register", "Record", "RegisterError", "default_register_path", "REGISTER_ENV"]

REGISTER_ENV = "ISP_REGISTER"
FORMAT = "isp-rules decision register v1"
GENESIS = "0" * 64


class RegisterError(IspError):
    """The register cannot be used (foreign, corrupt or unreadable)."""


@dataclass(frozen=True)
class Record:
    seq: int
    at: str  # UTC, ISO 8601
    by: str
    scenario: str | None
    verdict: str
    ruleset_sha256: str
    body: dict  # scenario, decision (reasons, obligations, open points)
    prev_hash: str
    hash: str


def default_register_path() -> Path:
    """$ISP_REGISTER, else the user's data directory."""
    env = os.environ.get(REGISTER_ENV)
    if env:
        return Path(env)
    base = os.environ.get("XDG_DATA_HOME") or os.path.join(os.path.expanduser("~"), ".local", "share")
    return Path(base) / "isp-rules" / "register.sqlite"


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash(prev_hash: str, seq: int, at: str, by: str, scenario: str | None, verdict: str, sha: str, body_json: str) -> str:
    """Every column of a record, chained to the previous record's hash."""
    fields = [prev_hash, str(seq), at, by, scenario or "", verdict, sha, body_json]
    return hashlib.sha256("\n".join(fields).encode()).hexdigest()


class Register:
    """An isp-rules register at `path` (created on first write if it does not exist)."""

    def __init__(self, path: str | Path | None = None):
        self.path = Path(path) if path is not None else default_register_path()

    # --- opening -------------------------------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection:
        if not self.path.exists():
            if not create:
                raise RegisterError(f"{self.path}: no register here yet (nothing has been recorded)")
            self.path.parent.mkdir(parents=True, exist_ok=True)
        elif self.path.is_dir():
            raise RegisterError(f"{self.path}: is a directory, not a register")
        elif self.path.stat().st_size > 0 and not self._looks_like_register():
            raise RegisterError(f"{self.path}: not an isp-rules register; it was left untouched")
        try:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 60000")
            self._check_or_create(conn, create)
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: not an isp-rules register ({exc}); it was left untouched") from None
        return conn

    def _looks_like_register(self) -> bool:
        """An existing, non-empty file is only used if it already is a register (never converted)."""
        try:
            # A normal (not read-only) connection: after a crash, SQLite must be able to roll
            # back the hot journal before it can read; nothing is written otherwise.
            conn = sqlite3.connect(self.path, timeout=60)
            try:
                conn.execute("PRAGMA busy_timeout = 60000")
                names = {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
            finally:
                conn.close()
        except sqlite3.DatabaseError:
            return False
        return {"meta", "records"} <= names

    def _check_or_create(self, conn: sqlite3.Connection, create: bool) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        if not tables and create:
            conn.execute("BEGIN IMMEDIATE")
            try:
                tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
                if not tables:  # another process may have created it while we waited
                    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                    conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
                    conn.execute(
                        "CREATE TABLE records (seq INTEGER PRIMARY KEY, at TEXT NOT NULL, by TEXT NOT NULL, "
                        "scenario TEXT, verdict TEXT NOT NULL, ruleset_sha256 TEXT NOT NULL, body TEXT NOT NULL, "
                        "prev_hash TEXT NOT NULL, hash TEXT NOT NULL)")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            tables = {"meta", "records"}
        if "meta" not in tables or "records" not in tables:
            raise RegisterError(f"{self.path}: not an isp-rules register (unexpected tables); it was left untouched")
        row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        if row is None or row[0] != FORMAT:
            raise RegisterError(f"{self.path}: not an isp-rules register (format {row[0] if row else 'unknown'!r}); "
                                "it was left untouched")

    # --- writing -------------------------------------------------------------------------

    def append(self, decision: Any, scenario: Any = None, by: str | None = None,
               at: dt.datetime | None = None) -> Record:
        """Record a decision (and the scenario it decided). One transaction; returns the record."""
        return self.append_many([(decision, scenario)], by=by, at=at)[0]

    def append_many(self, items: list[tuple[Any, Any]], by: str | None = None,
                    at: dt.datetime | None = None) -> list[Record]:
        """Record several decisions in one transaction: all of them, or (after a crash) none."""
        who = by or _user()
        when = (at or dt.datetime.now(dt.timezone.utc)).astimezone(dt.timezone.utc).isoformat(timespec="seconds")
        prepared = []
        for decision, scenario in items:
            answer = decision.to_json()
            body = {"decision": answer}
            if scenario is not None:
                body["scenario"] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
            prepared.append((answer, body, _canonical(body)))
        out: list[Record] = []
        conn = self._connect(create=True)
        try:
            conn.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes
            try:
                last = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
                seq, prev = (last[0], last[1]) if last else (0, GENESIS)
                for answer, body, body_json in prepared:
                    seq += 1
                    sha = answer["ruleset"]["sha256"]
                    digest = _hash(prev, seq, when, who, answer.get("scenario"), answer["verdict"], sha, body_json)
                    conn.execute("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                 (seq, when, who, answer.get("scenario"), answer["verdict"], sha, body_json, prev, digest))
                    out.append(Record(seq, when, who, answer.get("scenario"), answer["verdict"], sha, body, prev, digest))
                    prev = digest
                # The head lets verify notice records deleted from the end of the chain too.
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)", (f"{seq} {prev}",))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: cannot write to the register ({exc})") from None
        finally:
            conn.close()
        return out

    # --- reading -------------------------------------------------------------------------

    def records(self, since: dt.date | None = None) -> Iterator[Record]:
        conn = self._connect(create=False)
        try:
            rows = conn.execute("SELECT seq, at, by, scenario, verdict, ruleset_sha256, body, prev_hash, hash "
                                "FROM records ORDER BY seq").fetchall()
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: cannot read the register ({exc})") from None
        finally:
            conn.close()
        for row in rows:
            if since is not None and row[1][:10] < since.isoformat():
                continue
            try:
                body = json.loads(row[6])
            except ValueError:
                body = {}
            yield Record(row[0], row[1], row[2], row[3], row[4], row[5], body, row[7], row[8])

    def verify(self) -> list[str]:
        """Every break in the chain, in words; an empty list means the register is intact."""
        conn = self._connect(create=False)
        try:
            conn.execute("BEGIN")  # one snapshot: a writer committing meanwhile is not a deletion
            rows = conn.execute("SELECT seq, at, by, scenario, verdict, ruleset_sha256, body, prev_hash, hash "
                                "FROM records ORDER BY seq").fetchall()
            head = conn.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: the register is damaged and cannot be read ({exc})") from None
        finally:
            conn.close()
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
        if head is not None and isinstance(head[0], str) and len(head[0].split()) == 2:
            head_seq, head_hash = head[0].split()
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
    except Exception:  # no user name in this environment
        return "unknown"
