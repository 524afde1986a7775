"""The register in a PostgreSQL database, shared by every worker process and replica.

- Its tables are named isp_register_meta, isp_register_records, isp_register_checkpoints
  (the signed heads) and isp_register_tokens (hashes of API tokens), so they never meet another app's tables in a shared database; they are
  created on the first write.
- Every append takes one transaction-level advisory lock (a fixed key) before it reads the
  last record, so however many processes write at once, seq numbers and the chain never fork.
- verify reads one REPEATABLE READ snapshot: a writer committing meanwhile is not a deletion.
- Each process keeps one connection per database URL, opened on first use, so a web server
  pays for a connection once rather than per request. A forked child opens its own; a
  connection the server dropped is reopened once.
- Every failure is a RegisterError of one line, never with the password in it.
"""

from __future__ import annotations

import atexit
import os
import re
import threading
from collections.abc import Callable
from typing import Any, TypeVar
from urllib.parse import unquote, urlsplit

from .chain import (
    COLUMNS,
    FORMAT,
    KIND_SQL,
    PURGED,
    RECORD_COLUMNS_DDL,
    TOKEN_COLUMNS,
    TOKEN_COLUMNS_DDL,
    TOMBSTONE_BODY,
    BaseRegister,
    EmptyRegisterError,
    Plan,
    RegisterError,
    Row,
    Snapshot,
    State,
    check_format,
)

META = "isp_register_meta"
RECORDS = "isp_register_records"
CHECKPOINTS = "isp_register_checkpoints"
CHECKPOINTS_DDL = (f"CREATE TABLE IF NOT EXISTS {CHECKPOINTS} (n BIGSERIAL PRIMARY KEY, seq BIGINT NOT NULL, "
                   "checkpoint TEXT NOT NULL)")
TOKENS = "isp_register_tokens"
# n keeps the order they were made in (PostgreSQL has no rowid).
TOKENS_DDL = f"CREATE TABLE IF NOT EXISTS {TOKENS} (n BIGSERIAL, {TOKEN_COLUMNS_DDL})"
LIVE = f"NOT (verdict = '{PURGED}' AND body = '{TOMBSTONE_BODY}')"  # a record, not a tombstone
# The key every isp-rules writer locks: the first 8 bytes of sha256("isp-rules decision
# register"), so that it does not meet another app's advisory lock by chance.
LOCK_KEY = -7274005946316673988
CONNECT_TIMEOUT = 10  # seconds, unless the URL sets connect_timeout
# Like the SQLite store's busy timeout: a writer waits for others, but not for ever.
SESSION_SETTINGS = "SET lock_timeout = '60s'; SET idle_in_transaction_session_timeout = '60s'"

T = TypeVar("T")

# This process's lock and connections ({url: connection}). The lock keeps threads from
# interleaving transactions on one connection.
_state: tuple[int, threading.Lock, dict[str, Any]] = (os.getpid(), threading.Lock(), {})


def _connections() -> tuple[threading.Lock, dict[str, Any]]:
    global _state
    if _state[0] != os.getpid():
        # A forked child starts afresh. The parent's connections are dropped, not closed:
        # psycopg never closes a connection in a process other than the one that opened it,
        # so the parent's sessions are left alone.
        _state = (os.getpid(), threading.Lock(), {})
    return _state[1], _state[2]


@atexit.register
def _close_all() -> None:
    if _state[0] == os.getpid():
        for conn in _state[2].values():
            conn.close()


def _psycopg() -> Any:
    try:
        import psycopg
    except ImportError:
        return None
    return psycopg


def redact(url: str) -> str:
    """The URL without its password (in the user part or as a password= parameter)."""
    scheme, sep, rest = url.partition("://")
    match = re.fullmatch(r"([^/?]*)([^?]*)\??(.*)", rest, re.DOTALL)
    assert match is not None  # every string matches: each part may be empty
    netloc, path, query = match.groups()
    if "@" in netloc:
        userinfo, hosts = netloc.rsplit("@", 1)
        netloc = f"{userinfo.split(':', 1)[0]}@{hosts}"
    query = "&".join(p for p in query.split("&") if p and not p.lower().startswith("password="))
    return f"{scheme}{sep}{netloc}{path}" + (f"?{query}" if query else "")


def _passwords(url: str) -> list[str]:
    parts = urlsplit(url)
    found = [parts.password or ""]
    found += [p.split("=", 1)[1] for p in parts.query.split("&") if p.lower().startswith("password=")]
    return [s for p in found if p for s in {p, unquote(p)}]


class PostgresRegister(BaseRegister):
    """An isp-rules register in the PostgreSQL database at `url` (postgresql://...)."""

    def __init__(self, url: str):
        self.url = url

    @property
    def where(self) -> str:
        return redact(self.url)

    def close(self) -> None:
        """Close this process's connection to the database (the next call opens a new one)."""
        lock, conns = _connections()
        with lock:
            conn = conns.pop(self.url, None)
        if conn is not None:
            conn.close()

    # --- the store's hooks ---------------------------------------------------------------

    def _write(self, plan: Plan, read: tuple[int, int] | None = None, tokens: bool = False) -> None:
        def work(conn: Any) -> None:
            conn.execute("SELECT pg_advisory_xact_lock(%s)", (LOCK_KEY,))  # held until commit
            self._check_or_create(conn, create=True)
            conn.execute(CHECKPOINTS_DDL)
            conn.execute(TOKENS_DDL)
            last = conn.execute(f"SELECT seq, hash FROM {RECORDS} ORDER BY seq DESC LIMIT 1").fetchone()
            meta = {str(k): str(v) for k, v in conn.execute(f"SELECT key, value FROM {META}").fetchall()}
            signed = conn.execute(f"SELECT EXISTS (SELECT 1 FROM {CHECKPOINTS})").fetchone()[0]
            rows = conn.execute(f"SELECT {COLUMNS} FROM {RECORDS} WHERE seq BETWEEN %s AND %s ORDER BY seq",
                                read).fetchall() if read else []
            token_rows = conn.execute(f"SELECT {TOKEN_COLUMNS} FROM {TOKENS} ORDER BY n").fetchall() if tokens else []
            change = plan(State(tuple(last) if last else None, meta, bool(signed), rows, token_rows))
            with conn.cursor() as cur:
                if change.insert:
                    cur.executemany(f"INSERT INTO {RECORDS} ({COLUMNS}) VALUES ({', '.join(['%s'] * 9)})", change.insert)
                if change.new_tokens:
                    cur.executemany(f"INSERT INTO {TOKENS} ({TOKEN_COLUMNS}) VALUES ({', '.join(['%s'] * 8)})",
                                    change.new_tokens)
                if change.revoked_tokens:
                    cur.executemany(f"UPDATE {TOKENS} SET revoked_at = %s, revoked_by = %s WHERE name = %s",
                                    [(at, by, name) for name, at, by in change.revoked_tokens])
                if change.update:
                    cur.executemany(f"UPDATE {RECORDS} SET at = %s, by = %s, scenario = %s, verdict = %s, "
                                    "ruleset_sha256 = %s, body = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                                    [(*row[1:], row[0]) for row in change.update])
            for key, value in change.meta.items():
                if value is None:
                    conn.execute(f"DELETE FROM {META} WHERE key = %s", (key,))
                else:
                    conn.execute(f"INSERT INTO {META} (key, value) VALUES (%s, %s) "
                                 "ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", (key, value))
            if change.clear_checkpoints:
                conn.execute(f"DELETE FROM {CHECKPOINTS}")
            if change.checkpoint:
                conn.execute(f"INSERT INTO {CHECKPOINTS} (seq, checkpoint) VALUES (%s, %s)", change.checkpoint)

        self._transaction(work, "cannot write to the register")

    def _rows(self, after: int = 0, limit: int | None = None, newest_first: bool = False,
              kind: str | None = None) -> list[Row]:
        def work(conn: Any) -> list[Row]:
            self._check_or_create(conn, create=False)
            order = "DESC" if newest_first else "ASC"
            return conn.execute(f"SELECT {COLUMNS} FROM {RECORDS} WHERE seq > %s AND {LIVE} AND {KIND_SQL[kind]} "
                                f"ORDER BY seq {order} LIMIT %s", (after, limit)).fetchall()

        return self._transaction(work, "cannot read the register")

    def _token_rows(self) -> list[Row]:
        def work(conn: Any) -> list[Row]:
            self._check_or_create(conn, create=False)
            if not conn.execute("SELECT to_regclass(%s) IS NOT NULL", (TOKENS,)).fetchone()[0]:
                return []
            return conn.execute(f"SELECT {TOKEN_COLUMNS} FROM {TOKENS} ORDER BY n").fetchall()

        return self._transaction(work, "cannot read the register")

    def _snapshot(self) -> Snapshot:
        def work(conn: Any) -> Snapshot:
            self._check_or_create(conn, create=False)
            rows = conn.execute(f"SELECT {COLUMNS} FROM {RECORDS} ORDER BY seq").fetchall()
            meta = {str(k): str(v) for k, v in conn.execute(f"SELECT key, value FROM {META}").fetchall()}
            has_checkpoints = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (CHECKPOINTS,)).fetchone()[0]
            checkpoints = [r[0] for r in conn.execute(f"SELECT checkpoint FROM {CHECKPOINTS} ORDER BY n").fetchall()] \
                if has_checkpoints else []
            return Snapshot(rows, meta, checkpoints)

        return self._transaction(work, "cannot read the register", isolation="REPEATABLE READ, READ ONLY")

    # --- tables and connections ----------------------------------------------------------

    def _check_or_create(self, conn: Any, create: bool) -> None:
        """Our two tables, created if neither exists and we are writing (under the writers' lock)."""
        has_meta, has_records = conn.execute("SELECT to_regclass(%s) IS NOT NULL, to_regclass(%s) IS NOT NULL",
                                             (META, RECORDS)).fetchone()
        if not has_meta and not has_records:
            if not create:
                raise EmptyRegisterError(f"{self.where}: no register here yet (nothing has been recorded)")
            conn.execute(f"CREATE TABLE {META} (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            conn.execute(f"INSERT INTO {META} (key, value) VALUES ('format', %s)", (FORMAT,))
            conn.execute(f"CREATE TABLE {RECORDS} (seq BIGINT PRIMARY KEY, {RECORD_COLUMNS_DDL})")
            return
        if not (has_meta and has_records):
            raise RegisterError(f"{self.where}: not an isp-rules register (only {META if has_meta else RECORDS} "
                                "exists); it was left untouched")
        try:
            row = conn.execute(f"SELECT value FROM {META} WHERE key = 'format'").fetchone()
        except _psycopg().ProgrammingError as exc:  # a table of that name, but not ours
            raise RegisterError(f"{self.where}: not an isp-rules register ({self._one_line(exc)}); "
                                "it was left untouched") from None
        check_format(self.where, row[0] if row else None)

    def _transaction(self, work: Callable[[Any], T], doing: str, isolation: str | None = None) -> T:
        """work(connection) in one transaction; a RegisterError naming what we were `doing` if it fails."""
        pg = _psycopg()
        if pg is None:
            raise RegisterError(f"{self.where}: a PostgreSQL register needs psycopg: pip install 'isp-rules[postgres]'")
        lock, conns = _connections()
        with lock:
            may_retry = True
            while True:
                conn = conns.get(self.url)
                reused = conn is not None and not conn.closed
                if conn is None or not reused:
                    conn = conns[self.url] = self._connect(pg)
                committing = False
                try:
                    with conn.transaction():
                        if isolation:
                            conn.execute(f"SET TRANSACTION ISOLATION LEVEL {isolation}")
                        result = work(conn)
                        committing = True  # leaving the block commits: past here it may have committed
                    return result
                except pg.Error as exc:
                    # A connection the server dropped while it sat idle fails before anything
                    # is committed: try once more on a new one. Never after COMMIT was sent,
                    # which could record the same decisions twice.
                    if may_retry and reused and conn.closed and not committing:
                        may_retry = False
                        continue
                    raise RegisterError(f"{self.where}: {doing} ({self._one_line(exc)})") from None

    def _connect(self, pg: Any) -> Any:
        timeout = {} if "connect_timeout=" in self.url else {"connect_timeout": CONNECT_TIMEOUT}
        conn = None
        try:
            conn = pg.connect(self.url, autocommit=True, **timeout)
            conn.execute(SESSION_SETTINGS)
        except pg.Error as exc:
            if conn is not None:
                conn.close()
            raise RegisterError(f"{self.where}: cannot connect to the register ({self._one_line(exc)})") from None
        return conn

    def _one_line(self, exc: Exception) -> str:
        """psycopg's message on one line, with any password in it hidden."""
        text = " ".join(str(exc).split())
        for secret in _passwords(self.url):
            text = text.replace(secret, "***")
        return text
