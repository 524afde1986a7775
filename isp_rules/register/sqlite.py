"""The register in a SQLite file: one file is one register, created on first write.

Every write is one SQLite transaction (BEGIN IMMEDIATE), so a crash mid-write leaves no half
record and concurrent writers from several processes queue rather than collide. A file that
is not an isp-rules register is refused, never overwritten.

The register holds personal data, so the file is created readable by its owner only (0600; SQLite
gives its journal the same mode) and any folder made for it is 0700: other users of the machine
cannot read the decisions.
"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

from ..settings import default_register_path
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

FILE_MODE = 0o600
FOLDER_MODE = 0o700
CHECKPOINTS_DDL = ("CREATE TABLE IF NOT EXISTS checkpoints (n INTEGER PRIMARY KEY AUTOINCREMENT, "
                   "seq INTEGER NOT NULL, checkpoint TEXT NOT NULL)")
TOKENS_DDL = f"CREATE TABLE IF NOT EXISTS tokens ({TOKEN_COLUMNS_DDL})"
LIVE = f"NOT (verdict = '{PURGED}' AND body = '{TOMBSTONE_BODY}')"  # a record, not a tombstone


class SqliteRegister(BaseRegister):
    """An isp-rules register in the SQLite file at `path` (created on first write if it does not exist)."""

    def __init__(self, path: str | os.PathLike | None = None):
        self.path = Path(path) if path is not None else default_register_path()

    @property
    def where(self) -> str:
        return str(self.path)

    @property
    def location(self) -> str:
        return str(self.path.resolve())

    # --- opening -------------------------------------------------------------------------

    def _create_file(self) -> None:
        """An empty file, 0600, in folders made 0700 where they are missing."""
        missing = []
        folder = self.path.parent
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
        try:
            for made in reversed(missing):
                try:
                    made.mkdir(mode=FOLDER_MODE)
                except FileExistsError:  # another process made it this moment
                    pass
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, FILE_MODE)
            os.close(fd)
        except FileExistsError:  # another process created it first: it is theirs to fill
            pass
        except OSError as exc:
            raise RegisterError(f"{self.path}: cannot create the register here ({exc.strerror or exc})") from None

    def _connect(self, create: bool) -> sqlite3.Connection:
        # The register holds personal data and is made 0600: a symbolic link would have SQLite
        # create or open whatever it points to, with the permissions it happens to get.
        if self.path.is_symlink():
            raise RegisterError(f"{self.path}: is a symbolic link; give the register's real path")
        try:
            exists = self.path.exists()
            if exists and self.path.is_dir():
                raise RegisterError(f"{self.path}: is a directory, not a register")
            size = self.path.stat().st_size if exists else 0
        except OSError as exc:
            raise RegisterError(f"{self.path}: cannot open the register ({exc.strerror or exc})") from None
        if not exists:
            if not create:
                raise EmptyRegisterError(f"{self.path}: no register here yet (nothing has been recorded)")
            self._create_file()
        elif size > 0 and not self._looks_like_register():
            raise RegisterError(f"{self.path}: not an isp-rules register; it was left untouched")
        try:
            conn = sqlite3.connect(self.path, timeout=60, isolation_level=None)
            conn.execute("PRAGMA busy_timeout = 60000")
            if not create:
                self._check(conn)
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

    def _tables(self, conn: sqlite3.Connection) -> set[str]:
        return {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}

    def _check(self, conn: sqlite3.Connection, tables: set[str] | None = None) -> None:
        tables = self._tables(conn) if tables is None else tables
        if not tables:  # an empty file (another process may be creating the register this moment)
            raise EmptyRegisterError(f"{self.path}: no register here yet (nothing has been recorded)")
        if "meta" not in tables or "records" not in tables:
            raise RegisterError(f"{self.path}: not an isp-rules register (unexpected tables); it was left untouched")
        row = conn.execute("SELECT value FROM meta WHERE key = 'format'").fetchone()
        check_format(self.where, row[0] if row else None)

    # --- the store's hooks ---------------------------------------------------------------

    def _write(self, plan: Plan, read: tuple[int, int] | None = None, tokens: bool = False) -> None:
        conn = self._connect(create=True)
        try:
            conn.execute("BEGIN IMMEDIATE")  # one writer at a time, across processes
            try:
                tables = self._tables(conn)
                if not tables:  # a new register: made in this transaction, so a refused write leaves none
                    conn.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
                    conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
                    conn.execute(f"CREATE TABLE records (seq INTEGER PRIMARY KEY, {RECORD_COLUMNS_DDL})")
                    tables = {"meta", "records"}
                self._check(conn, tables)
                conn.execute(CHECKPOINTS_DDL)
                conn.execute(TOKENS_DDL)
                last = conn.execute("SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1").fetchone()
                meta = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta").fetchall()}
                signed = conn.execute("SELECT EXISTS (SELECT 1 FROM checkpoints)").fetchone()[0] == 1
                rows = conn.execute(f"SELECT {COLUMNS} FROM records WHERE seq BETWEEN ? AND ? ORDER BY seq",
                                    read).fetchall() if read else []
                token_rows = conn.execute(f"SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY rowid").fetchall() \
                    if tokens else []
                change = plan(State(tuple(last) if last else None, meta, signed, rows, token_rows))
                conn.executemany("INSERT INTO records VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", change.insert)
                conn.executemany("UPDATE records SET at = ?, by = ?, scenario = ?, verdict = ?, ruleset_sha256 = ?, "
                                 "body = ?, prev_hash = ?, hash = ? WHERE seq = ?",
                                 [(*row[1:], row[0]) for row in change.update])
                for key, value in change.meta.items():
                    if value is None:
                        conn.execute("DELETE FROM meta WHERE key = ?", (key,))
                    else:
                        conn.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (key, value))
                if change.clear_checkpoints:
                    conn.execute("DELETE FROM checkpoints")
                if change.checkpoint:
                    conn.execute("INSERT INTO checkpoints (seq, checkpoint) VALUES (?, ?)", change.checkpoint)
                conn.executemany(f"INSERT INTO tokens ({TOKEN_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                                 change.new_tokens)
                conn.executemany("UPDATE tokens SET revoked_at = ?, revoked_by = ? WHERE name = ?",
                                 [(at, by, name) for name, at, by in change.revoked_tokens])
                conn.execute("COMMIT")
            except BaseException:
                if conn.in_transaction:
                    conn.execute("ROLLBACK")
                raise
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: cannot write to the register ({exc})") from None
        finally:
            conn.close()

    def _rows(self, after: int = 0, limit: int | None = None, newest_first: bool = False,
              kind: str | None = None) -> list[Row]:
        conn = self._connect(create=False)
        try:
            order = "DESC" if newest_first else "ASC"
            return conn.execute(f"SELECT {COLUMNS} FROM records WHERE seq > ? AND {LIVE} AND {KIND_SQL[kind]} "
                                f"ORDER BY seq {order} LIMIT ?", (after, -1 if limit is None else limit)).fetchall()
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: cannot read the register ({exc})") from None
        finally:
            conn.close()

    def _token_rows(self) -> list[Row]:
        conn = self._connect(create=False)
        try:
            if "tokens" not in self._tables(conn):
                return []
            return conn.execute(f"SELECT {TOKEN_COLUMNS} FROM tokens ORDER BY rowid").fetchall()
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: cannot read the register ({exc})") from None
        finally:
            conn.close()

    def _snapshot(self) -> Snapshot:
        conn = self._connect(create=False)
        try:
            conn.execute("BEGIN")  # one snapshot: a writer committing meanwhile is not a deletion
            rows = conn.execute(f"SELECT {COLUMNS} FROM records ORDER BY seq").fetchall()
            meta = {str(k): str(v) for k, v in conn.execute("SELECT key, value FROM meta").fetchall()}
            checkpoints = [r[0] for r in conn.execute("SELECT checkpoint FROM checkpoints ORDER BY n").fetchall()] \
                if "checkpoints" in self._tables(conn) else []
            conn.execute("COMMIT")
        except sqlite3.DatabaseError as exc:
            raise RegisterError(f"{self.path}: the register is damaged and cannot be read ({exc})") from None
        finally:
            conn.close()
        return Snapshot(rows, meta, checkpoints)
