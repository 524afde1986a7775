"""The register in a SQLite file: one file is one register, created on first write.

Every write is one SQLite transaction (BEGIN IMMEDIATE), so a crash mid-write leaves no half
record and concurrent writers from several processes queue rather than collide. A file that
is not an isp-rules register is refused, never overwritten.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..settings import default_register_path
from .chain import (
    COLUMNS,
    FORMAT,
    RECORD_COLUMNS_DDL,
    BaseRegister,
    Chain,
    EmptyRegisterError,
    RegisterError,
    Row,
    check_format,
)


class SqliteRegister(BaseRegister):
    """An isp-rules register in the SQLite file at `path` (created on first write if it does not exist)."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_register_path()

    @property
    def where(self) -> str:
        return str(self.path)

    # --- opening -------------------------------------------------------------------------

    def _connect(self, create: bool) -> sqlite3.Connection:
        if not self.path.exists():
            if not create:
                raise EmptyRegisterError(f"{self.path}: no register here yet (nothing has been recorded)")
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
                    conn.execute(f"CREATE TABLE records (seq INTEGER PRIMARY KEY, {RECORD_COLUMNS_DDL})")
                conn.execute("COMMIT")
            except BaseException:
                conn.execute("ROLLBACK")
                raise
            tables = {"meta", "records"}
        if not tables:  # an empty file (another process may be creating the register this moment)
            raise EmptyRegisterError(f"{self.path}: no register here yet (nothing has been recorded)")
        if "meta" not in tables or "records" not in tables:
            raise RegisterError(f"{self.path}: not an isp-rules register (unexpected tables); it was left untouched")
        row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        check_format(self.where, row[0] if row else None)

    # --- the store's hooks ---------------------------------------------------------------

    def _write(self, chain: Chain) -> None:
        conn = self._connect(create=True)
        try:
            conn.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes
            try:
                last = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
                rows, head = chain(last)
                conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
                conn.execute("INSERT OR REPLACE INTO meta VALUES ('head', ?)", (head,))
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: cannot write to the register ({exc})") from None
        finally:
            conn.close()

    def _rows(self, after: int = 0, limit: int | None = None, newest_first: bool = False) -> list[Row]:
        conn = self._connect(create=False)
        try:
            order = "DESC" if newest_first else "ASC"
            return conn.execute(f"SELECT {COLUMNS} FROM records WHERE seq > ? ORDER BY seq {order} LIMIT ?",
                                (after, -1 if limit is None else limit)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: cannot read the register ({exc})") from None
        finally:
            conn.close()

    def _snapshot(self) -> tuple[list[Row], str | None]:
        conn = self._connect(create=False)
        try:
            conn.execute("BEGIN")  # one snapshot: a writer committing meanwhile is not a deletion
            rows = conn.execute(f"SELECT {COLUMNS} FROM records ORDER BY seq").fetchall()
            head = conn.execute("SELECT value FROM meta WHERE key = 'head'").fetchone()
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: the register is damaged and cannot be read ({exc})") from None
        finally:
            conn.close()
        return rows, head[0] if head else None
