"""What every register store shares: the record, the hash chain, signing, and verify's reading.

A store (SQLite file, PostgreSQL database) only supplies the connection and the SQL, through
a few hooks; the records, their hashes, the signed checkpoints, redaction, purging and verify's
reading of it all are made here once, so a record written to either store verifies the same way.

A record's hash covers every column and the previous record's hash. Since this version it covers
the body in its *committed* form: each piece of free text that may identify a person (see
REDACTABLE) is replaced, for hashing, by sha256(salt + text), its salt kept in the body beside it.
`isp log redact` can then replace the text by that commitment and drop the salt: the hash, and so
the chain and every signed checkpoint, still verify, and the text cannot be guessed back from it.
Records written before keep their old form (the hash over the body exactly as stored) and still
verify; they cannot be redacted, only purged.
"""

from __future__ import annotations

import copy
import datetime as dt
import getpass
import hashlib
import json
import secrets
import uuid
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, fields
from typing import TYPE_CHECKING, Any

from ..errors import IspError
from .details import CASE_KEY, CaseGiven, case_body

if TYPE_CHECKING:
    from .signing import Checkpoint, PublicKey, SigningKey

FORMAT = "isp-rules decision register v1"
GENESIS = "0" * 64
# Column order of a record row, in every store and every query.
COLUMNS = "seq, at, by, scenario, verdict, ruleset_sha256, body, prev_hash, hash"
# Everything but seq, whose type differs between stores. body is text, never a JSON type:
# the hash covers its exact characters.
RECORD_COLUMNS_DDL = ("at TEXT NOT NULL, by TEXT NOT NULL, scenario TEXT, verdict TEXT NOT NULL, "
                      "ruleset_sha256 TEXT NOT NULL, body TEXT NOT NULL, prev_hash TEXT NOT NULL, hash TEXT NOT NULL")
# A purged record (a tombstone) keeps its seq, time, prev_hash and hash; its verdict says so and
# its body is empty. Readers skip it; verify checks it still links the chain.
PURGED = "purged"
TOMBSTONE_BODY = ""
# The free text a record may hold about a person, redactable by `isp log redact`: the scenario's
# title and purpose detail, the parties' names and the case reference; and any text of the
# decision (a reason's message, its title) that quotes one of them. Who decided (the `by`
# column), the verdict, the scenario's id and every coded fact stay: they are the
# accountability record, and hold no free text about the person shared about.
REDACTABLE = ("scenario.title", "scenario.share.purpose.detail", "scenario.share.from.name",
              "scenario.share.to.name", f"{CASE_KEY}.reference", f"{CASE_KEY}.parties.from", f"{CASE_KEY}.parties.to",
              "sign_off.note")
QUOTED_MIN = 3  # shorter texts are not looked for inside the decision's words
SALTS_KEY = "redactable"  # the body's {path: salt} for each piece of text not yet redacted
REDACTED_KEY = "redacted"  # a redacted text becomes {"redacted": sha256(salt + text)}
REDACTED_TEXT = "[redacted]"  # how a redacted text is shown

# Two kinds of record share the chain: a decision, and an approver's sign-off of one. A sign-off's
# verdict column holds its verdict (approved or rejected), never a decision's (allow, deny,
# needs-agreement), so a store can tell the kinds apart in SQL; its body's "sign_off" names the
# decision. Both are hashed, chained and signed by the same code, so verify treats them alike.
DECISION = "decision"
SIGN_OFF = "sign-off"
KINDS = (DECISION, SIGN_OFF)
SIGN_OFF_KEY = "sign_off"
SIGN_OFF_VERDICTS = ("approved", "rejected")
_IN_SIGN_OFF = "verdict IN ({})".format(", ".join(f"'{v}'" for v in SIGN_OFF_VERDICTS))
KIND_SQL = {None: "1 = 1", DECISION: f"NOT ({_IN_SIGN_OFF})", SIGN_OFF: _IN_SIGN_OFF}  # for a store's WHERE
# API tokens (register/tokens.py) live beside the records, in the same database; they are not
# records: making one is not a decision. Only a hash of each token is stored.
TOKEN_COLUMNS = "name, role, hash, created_at, created_by, revoked_at, revoked_by, signature"
TOKEN_COLUMNS_DDL = ("name TEXT PRIMARY KEY, role TEXT NOT NULL, hash TEXT NOT NULL UNIQUE, created_at TEXT NOT NULL, "
                     "created_by TEXT NOT NULL, revoked_at TEXT, revoked_by TEXT, signature TEXT")

Row = Sequence[Any]  # one record as stored, in COLUMNS order


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

    @property
    def kind(self) -> str:
        """DECISION or SIGN_OFF."""
        return SIGN_OFF if self.verdict in SIGN_OFF_VERDICTS else DECISION

    def to_json(self, full: bool = True) -> dict[str, Any]:
        """The record as JSON data, its fields in order; the body (the scenario and the decision)
        only when `full`. `isp log --format json` and the API's /v1/decisions both give this."""
        return {f.name: getattr(self, f.name) for f in fields(self) if full or f.name != "body"}


# --- what a store hands a writer, and what the writer asks it to do --------------------------


@dataclass(frozen=True)
class State:
    """What a writer reads inside its transaction, with no other writer running."""

    last: tuple[int, str] | None  # (seq, hash) of the last row, tombstones included; None if there are none
    meta: dict[str, str]  # format, id (the register's identity), head ("SEQ HASH"), purged (how many)
    signed: bool  # the register holds signed checkpoints
    rows: list[Row] = field(default_factory=list)  # the rows the writer asked to read, in seq order
    tokens: list[Row] = field(default_factory=list)  # the token rows (TOKEN_COLUMNS), when the writer asked


@dataclass
class Change:
    """What a writer asks its store to do, in the same transaction."""

    insert: list[tuple] = field(default_factory=list)  # new rows, COLUMNS order
    update: list[tuple] = field(default_factory=list)  # rows replaced, matched by seq
    meta: dict[str, str | None] = field(default_factory=dict)  # None removes the key
    checkpoint: tuple[int, str] | None = None  # (seq, the checkpoint as JSON)
    clear_checkpoints: bool = False
    new_tokens: list[tuple] = field(default_factory=list)  # TOKEN_COLUMNS order
    revoked_tokens: list[tuple[str, str, str]] = field(default_factory=list)  # (name, revoked_at, revoked_by)


Plan = Callable[[State], Change]


@dataclass(frozen=True)
class Snapshot:
    """Every row, the meta keys and the stored checkpoints, read from one consistent snapshot."""

    rows: list[Row]
    meta: dict[str, str]
    checkpoints: list[str]  # each as stored (JSON), oldest first


@dataclass(frozen=True)
class Verification:
    """What verify found: every problem in words (none means intact), and what was checked."""

    problems: list[str]
    records: int  # records held (purged ones not counted)
    purged: int
    signed_to: int | None = None  # the last record a checkpoint signed by the public key covers
    key: str | None = None  # that key, short
    checkpoint: int | None = None  # the saved checkpoint's record, when one was given and holds
    never_signed: bool = False  # with a public key: the register holds nothing it signed, and no sign of tampering


@dataclass(frozen=True)
class Started:
    """A register started by `isp log init`."""

    where: str
    register: str  # its identity
    signed: bool


# --- hashing -------------------------------------------------------------------------------


def _canonical(data: Any) -> str:
    return json.dumps(data, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _hash(prev_hash: str, seq: int, at: str, by: str, scenario: str | None, verdict: str, sha: str, body_json: str) -> str:
    """Every column of a record, chained to the previous record's hash."""
    fields = [prev_hash, str(seq), at, by, scenario or "", verdict, sha, body_json]
    return hashlib.sha256("\n".join(fields).encode()).hexdigest()


def _new_salt() -> str:
    return secrets.token_hex(16)


def _commit(salt: str, text: str) -> str:
    """sha256 of the salt and the text: shows the text was not changed, but not what it was."""
    return hashlib.sha256(bytes.fromhex(salt) + text.encode()).hexdigest()


def _walk(path: str) -> list[str | int]:
    return [int(p) if p.isdigit() else p for p in path.split(".")]


def _get(data: Any, path: str) -> Any:
    for step in _walk(path):
        if isinstance(step, int) and isinstance(data, list) and step < len(data):
            data = data[step]
        elif isinstance(step, str) and isinstance(data, dict):
            data = data.get(step)
        else:
            return None
    return data


def _set(data: Any, path: str, value: Any) -> None:
    *parents, last = _walk(path)
    for step in parents:
        data = data[step]
    data[last] = value


def _leaves(data: Any, prefix: str) -> Iterator[tuple[str, str]]:
    """(path, text) of every string inside `data`."""
    if isinstance(data, str):
        yield prefix, data
    elif isinstance(data, dict):
        for k, v in data.items():
            yield from _leaves(v, f"{prefix}.{k}")
    elif isinstance(data, list):
        for i, v in enumerate(data):
            yield from _leaves(v, f"{prefix}.{i}")


def _redactable_paths(body: dict) -> list[str]:
    """The paths of REDACTABLE texts in `body`, and of the decision's texts quoting one of them."""
    paths = [p for p in REDACTABLE if isinstance(_get(body, p), str) and _get(body, p)]
    quoted = {_get(body, p) for p in paths if len(_get(body, p)) >= QUOTED_MIN}
    paths += [p for p, text in _leaves(body.get("decision"), "decision") if any(q in text for q in quoted)]
    return paths


def _committed(body: dict) -> dict:
    """The body as its hash covers it: every text not yet redacted replaced by its commitment
    (the form a fully redacted record has), the salts left out."""
    form = copy.deepcopy({k: v for k, v in body.items() if k != SALTS_KEY})
    for path, salt in body[SALTS_KEY].items():
        text = _get(form, path)
        if isinstance(text, str) and isinstance(salt, str):
            try:
                _set(form, path, {REDACTED_KEY: _commit(salt, text)})
            except ValueError:  # a salt that is not hex: the hash will not match, which verify names
                pass
    return form


def _hashed_body(body_json: str) -> tuple[str, dict | None]:
    """The body text the record's hash covers, and the body (None when it is not a JSON object).
    A record with no salts (written before redaction existed) is hashed exactly as stored."""
    try:
        body = json.loads(body_json)
    except ValueError:
        return body_json, None
    if not isinstance(body, dict):
        return body_json, None
    if not isinstance(body.get(SALTS_KEY), dict):
        return body_json, body
    try:
        return _canonical(_committed(body)), body
    except (KeyError, IndexError, TypeError):  # a salt for a path the body does not have
        return body_json, body


def _shown(body: Any) -> Any:
    """The body as readers see it: salts left out, each redacted text as REDACTED_TEXT."""
    if isinstance(body, dict):
        if set(body) == {REDACTED_KEY}:
            return REDACTED_TEXT
        return {k: _shown(v) for k, v in body.items() if k != SALTS_KEY}
    if isinstance(body, list):
        return [_shown(v) for v in body]
    return body


def _is_tombstone(row: Row) -> bool:
    return row[4] == PURGED and row[6] == TOMBSTONE_BODY


def check_format(where: str, value: str | None) -> None:
    """Refuse tables whose format marker is not ours (another app's, or a future version's)."""
    if value != FORMAT:
        raise RegisterError(f"{where}: not an isp-rules register (format {value or 'unknown'!r}); "
                            "it was left untouched")


def _parse_head(head: str) -> tuple[int, str] | None:
    parts = head.split(" ")
    if len(parts) != 2 or not parts[0].isdigit() or len(parts[1]) != 64:
        return None
    return int(parts[0]), parts[1]


class BaseRegister:
    """A register: append-only, every record chained to the one before by its hash."""

    _signing: Any = None
    _signing_read = False

    @property
    def where(self) -> str:
        """Where the register is, for messages (never a password)."""
        raise NotImplementedError

    @property
    def location(self) -> str:
        """Where the register is, as the key's state file remembers it."""
        return self.where

    def close(self) -> None:
        """Let go of any connection held between calls (a no-op where none is held)."""

    def use_key(self, key: SigningKey | None) -> BaseRegister:
        """Sign with `key` (None: do not sign) instead of the key the settings name."""
        self._signing, self._signing_read = key, True
        return self

    def signing_key(self) -> SigningKey | None:
        """The key this register is signed with: use_key's, else ISP_REGISTER_KEY_FILE's or ISP_REGISTER_KEY's."""
        if not self._signing_read:
            from .signing import configured_key

            self._signing, self._signing_read = configured_key(), True
        return self._signing

    # --- the store's hooks ---------------------------------------------------------------

    def _write(self, plan: Plan, read: tuple[int, int] | None = None, tokens: bool = False) -> None:
        """In one transaction, with no other writer: create the tables if there are none, read
        the State (with the rows whose seq is within `read`, inclusive, and with `tokens` the
        token rows), and do what `plan` returns for it. Nothing is written if `plan` raises."""
        raise NotImplementedError

    def _rows(self, after: int = 0, limit: int | None = None, newest_first: bool = False,
              kind: str | None = None) -> list[Row]:
        """Record rows after sequence number `after`, in seq order (or newest first), at most
        `limit`, only of `kind` (DECISION, SIGN_OFF; None: both); purged records (tombstones) left out."""
        raise NotImplementedError

    def _token_rows(self) -> list[Row]:
        """Every API token row (TOKEN_COLUMNS), oldest first; [] where none was ever made.
        EmptyRegisterError where there is no register."""
        raise NotImplementedError

    def _snapshot(self) -> Snapshot:
        """Every record row (tombstones too), the meta keys and the checkpoints, from one snapshot."""
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
        The same `case` details go with each (the parties' names are each decision's own).
        With a key, the new head is signed in the same transaction."""
        who = by or _user()
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
        prepared = []
        for decision, scenario in items:
            answer = decision.to_json()
            body: dict[str, Any] = {"decision": answer}
            if scenario is not None:
                body["scenario"] = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
            if submission is not None:
                body["submission"] = submission
            # Inside the hashed body, so the chain's format is unchanged and old records still verify.
            body[CASE_KEY] = case_body(case, decision, scenario)
            body[SALTS_KEY] = {path: _new_salt() for path in _redactable_paths(body)}
            verdict = answer["verdict"]
            if verdict in SIGN_OFF_VERDICTS:  # never: a decision's verdict is allow, deny or needs-agreement
                raise ValueError(f"a decision's verdict cannot be {verdict!r}")
            prepared.append((answer.get("scenario"), verdict, answer["ruleset"]["sha256"], body, _canonical(body),
                             _canonical(_committed(body))))
        return self._append(prepared, who, when)

    def _append(self, prepared: list[tuple[str | None, str, str, dict, str, str]], who: str, when: str,
                check: Callable[[State], None] | None = None, read: tuple[int, int] | None = None) -> list[Record]:
        """Append records, each (scenario, verdict, ruleset sha256, body, body as stored, body as
        hashed), in one transaction: chained, the head moved, and with a key the head signed.
        `check` may refuse the write (raising), seeing the State with the rows within `read`."""
        key = self.signing_key()
        out: list[Record] = []

        def plan(state: State) -> Change:
            out.clear()  # a store may retry the transaction on a new connection
            self._refuse_unsafe_write(state, key)
            if check is not None:
                check(state)
            seq, prev = state.last or (0, GENESIS)
            rows = []
            for scenario, verdict, sha, body, body_json, hashed_json in prepared:
                seq += 1
                digest = _hash(prev, seq, when, who, scenario, verdict, sha, hashed_json)
                rows.append((seq, when, who, scenario, verdict, sha, body_json, prev, digest))
                out.append(Record(seq, when, who, scenario, verdict, sha, _shown(body), prev, digest))
                prev = digest
            # The head lets verify notice records deleted from the end of the chain too.
            change = Change(insert=rows, meta={"head": f"{seq} {prev}"})
            ident[:] = [self._sign(state, change, key, seq, prev)]
            return change

        ident: list[str] = []
        self._write(plan, read=read)
        if out:
            self._remember(key, ident[0], out[-1].seq, out[-1].hash)
        return out

    def sign_off(self, seq: int, verdict: str, note: str, by: str, signer: dict[str, Any],
                 at: dt.datetime | None = None) -> Record:
        """Append a sign-off of decision `seq` (verdict one of SIGN_OFF_VERDICTS), chained and
        signed like any record, by `by`; `signer` says how they were identified and their roles.
        RegisterError when record `seq` is not a decision that can be signed off: checked inside
        the write's transaction, so a purge running meanwhile cannot slip between. Use
        register/approval.py's sign_off, which checks who may sign off first."""
        if verdict not in SIGN_OFF_VERDICTS:
            raise ValueError(f"a sign-off's verdict is one of {', '.join(SIGN_OFF_VERDICTS)}, not {verdict!r}")
        self._rows(max(seq - 1, 0), 1)  # EmptyRegisterError where there is no register: none is created
        when = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC).isoformat(timespec="seconds")
        target: list[Row] = []

        def check(state: State) -> None:
            target.clear()
            row = self._live_row(state, seq, "there is no decision left to sign off")
            # A signature vouches for the decision as recorded: never chain one to a record
            # whose contents no longer match its hash (edited in the database, or replaced).
            hashed, body = _hashed_body(row[6]) if isinstance(row[6], str) else ("", None)
            if body is None or _hash(row[7], row[0], row[1], row[2], row[3], row[4], row[5], hashed) != row[8]:
                raise RegisterError(f"{self.where}: record {seq} was changed after it was recorded (it no longer "
                                    "matches its hash), so it cannot be signed off; run isp log verify")
            if row[4] in SIGN_OFF_VERDICTS:
                raise RegisterError(f"{self.where}: record {seq} is a sign-off, not a decision; sign off the "
                                    "decision it names")
            if " ".join(str(row[2]).split()).casefold() == " ".join(by.split()).casefold():
                # Four eyes: the sign-off is someone else's check of the decision (the DPO's or
                # Caldicott Guardian's oversight), never the decider approving their own.
                raise RegisterError(f"{self.where}: record {seq} was decided by {row[2]}; a decision is signed off "
                                    "by someone other than who decided it")
            target.append(row)

        def prepare(state: State) -> None:
            check(state)
            row = target[0]
            body: dict[str, Any] = {SIGN_OFF_KEY: {"decision": seq, "decision_hash": row[8], "verdict": verdict,
                                                   "note": note, **signer}}
            body[SALTS_KEY] = {path: _new_salt() for path in _redactable_paths(body)}
            prepared[:] = [(row[3], verdict, row[5], body, _canonical(body), _canonical(_committed(body)))]

        prepared: list[tuple[str | None, str, str, dict, str, str]] = []
        # The rows to append depend on the decision read in the transaction: `prepare` fills them
        # in before the plan reads them.
        return self._append(prepared, by, when, check=prepare, read=(seq, seq))[0]

    def start(self, new: bool = False) -> Started:
        """Start a register here (`isp log init`): one that holds no records. `new` starts one
        deliberately where the key signed a register before that is now missing or emptied: it
        gets a new identity, and the old checkpoints are cleared. Never touches a register that
        holds records."""
        key = self.signing_key()
        started: list[str] = []

        def plan(state: State) -> Change:
            started.clear()
            if state.last is not None:
                n = state.last[0]
                raise RegisterError(f"{self.where}: a register is already here (it has {n} record(s)); it was "
                                    "left untouched: a new register needs another place, or this one moved away first")
            change = Change()
            if new:
                change.meta.update(id=uuid.uuid4().hex, head=None, purged=None)
                change.clear_checkpoints = True
                state = State(None, {k: v for k, v in state.meta.items() if k not in ("id", "head", "purged")}, False)
            else:
                self._refuse_unsafe_write(state, key)
            started.append(self._sign(state, change, key, 0, GENESIS))
            return change

        self._write(plan)
        self._remember(key, started[0], 0, GENESIS, replace=new)
        return Started(self.where, started[0], key is not None)

    def checkpoint(self) -> Checkpoint:
        """A signed head to keep elsewhere. With a key: the head signed now (refused when the
        register does not verify against the key, so a tampered register is never signed).
        Without one: the checkpoint stored for the current head, if there is one."""
        from .signing import Checkpoint

        key = self.signing_key()
        if key is None:
            snap = self._snapshot()
            last = (snap.rows[-1][0], snap.rows[-1][8]) if snap.rows else (0, GENESIS)
            for text in reversed(snap.checkpoints):
                cp = _parse_checkpoint(text)
                if cp is not None and (cp.seq, cp.hash) == last:
                    return cp
            raise RegisterError(f"{self.where}: no signed checkpoint for the register's last record; set "
                                "ISP_REGISTER_KEY_FILE to the register's key to sign one")
        for found in (self.check(), self.check(key.public)):
            # A register this key never signed may be signed for the first time; never one that
            # does not verify, which would make tampering look signed.
            if found.problems and not found.never_signed:
                raise RegisterError(f"{self.where}: not signed, because the register does not verify: "
                                    f"{found.problems[0]}")
        made: list[Checkpoint] = []

        def plan(state: State) -> Change:
            made.clear()
            self._refuse_unsafe_write(state, key)
            seq, prev = state.last or (0, GENESIS)
            change = Change()
            self._sign(state, change, key, seq, prev)
            assert change.checkpoint is not None
            made.append(Checkpoint.from_json(json.loads(change.checkpoint[1])))
            return change

        self._write(plan)
        self._remember(key, made[0].register, made[0].seq, made[0].hash)
        return made[0]

    def _live_row(self, state: State, seq: int, purged: str) -> Row:
        """Record `seq` as the write's transaction reads it; RegisterError when there is none, or
        when it was purged (`purged` says what that leaves undone)."""
        rows = [r for r in state.rows if r[0] == seq]
        if not rows:
            raise RegisterError(f"{self.where}: there is no record {seq}")
        if _is_tombstone(rows[0]):
            raise RegisterError(f"{self.where}: record {seq} was purged; {purged}")
        return rows[0]

    def redact(self, seq: int) -> list[str]:
        """Replace record `seq`'s free text about a person (REDACTABLE) by its commitment; the
        record's hash is unchanged, so the chain and its signatures still verify. Returns the
        paths redacted; RegisterError when the record cannot be redacted."""
        self._rows(seq - 1, 1)  # EmptyRegisterError where there is no register: none is created
        done: list[str] = []

        def plan(state: State) -> Change:
            done.clear()
            row = list(self._live_row(state, seq, "nothing is left to redact"))
            hashed, body = _hashed_body(row[6])
            if body is None or _hash(row[7], row[0], row[1], row[2], row[3], row[4], row[5], hashed) != row[8]:
                raise RegisterError(f"{self.where}: record {seq} does not match its hash, so it was not redacted "
                                    "(isp log verify names what is wrong)")
            salts = body.get(SALTS_KEY)
            if not isinstance(salts, dict):
                raise RegisterError(f"{self.where}: record {seq} was written before records could be redacted; "
                                    "it was left untouched (it can only be purged: isp log purge)")
            if not salts:
                raise RegisterError(f"{self.where}: record {seq} holds no free text left to redact")
            redacted = copy.deepcopy(body)
            for path, salt in salts.items():
                _set(redacted, path, {REDACTED_KEY: _commit(salt, _get(body, path))})
                done.append(path)
            redacted[SALTS_KEY] = {}  # the salts go: without them the text cannot be guessed back
            row[6] = _canonical(redacted)
            assert _hash(row[7], row[0], row[1], row[2], row[3], row[4], row[5], _hashed_body(row[6])[0]) == row[8]
            return Change(update=[tuple(row)])

        self._write(plan, read=(seq, seq))
        return done

    def purge(self, before: dt.datetime) -> list[int]:
        """Remove every record made before `before`, leaving tombstones (seq, time, prev_hash and
        hash) so the chain still verifies. With a key, the new record count is signed; a signed
        register cannot be purged without its key. Returns the seqs purged."""
        cutoff = before.astimezone(dt.UTC).isoformat(timespec="seconds")
        key = self.signing_key()
        purged: list[int] = []
        last = 0
        for r in self.records():  # the last record old enough: nothing after it is read in the transaction
            if r.at < cutoff:
                last = r.seq
        if not last:
            return []

        def plan(state: State) -> Change:
            purged.clear()
            self._refuse_unsafe_write(state, key)
            change = Change()
            for row in state.rows:
                if not _is_tombstone(row) and isinstance(row[1], str) and row[1] < cutoff:
                    change.update.append((row[0], row[1], "", None, PURGED, "", TOMBSTONE_BODY, row[7], row[8]))
                    purged.append(row[0])
            if not purged:
                return change
            change.meta["purged"] = str(int(state.meta.get("purged") or 0) + len(purged))
            seq, prev = state.last or (0, GENESIS)
            head[:] = [self._sign(state, change, key, seq, prev), seq, prev]
            return change

        head: list[Any] = []
        self._write(plan, read=(1, last))
        if purged:
            self._remember(key, *head)
        return purged

    # --- signing and the key's state -----------------------------------------------------

    def _refuse_unsafe_write(self, state: State, key: SigningKey | None) -> None:
        """Refuse a write that would hide tampering: writing to a signed register without its key
        (the new head would be unsigned), or writing where this key signed a register that is now
        missing, emptied, replaced or rolled back (it would silently start again)."""
        if key is None:
            if state.signed:
                raise RegisterError(f"{self.where}: this register is signed; set ISP_REGISTER_KEY_FILE (or "
                                    "ISP_REGISTER_KEY) to its key to write to it")
            return
        known = key.ledger.get(self.location)
        if known is None:
            return
        here_id = state.meta.get("id")
        last_seq = state.last[0] if state.last else 0
        if last_seq == 0 and (known.seq > 0 or known.register != here_id):
            raise RegisterError(f"{self.where}: the register this key signed here (to record {known.seq}) is "
                                "missing or empty: it was deleted or emptied. Restore it from a copy, or start "
                                "a new register deliberately: isp log init --new")
        if known.register != here_id:
            raise RegisterError(f"{self.where}: this is not the register the key signed here (its identity "
                                "differs): it was replaced. Restore the right one, or put this one elsewhere")
        if last_seq < known.seq:
            raise RegisterError(f"{self.where}: the register ends at record {last_seq}, but this key signed "
                                f"record {known.seq} here: it went back to an older copy. Restore the latest copy")

    def _sign(self, state: State, change: Change, key: SigningKey | None, seq: int, head_hash: str) -> str:
        """Give the register an identity if it has none, and sign its new head with `key`.
        Returns the register's identity."""
        register = change.meta.get("id") or state.meta.get("id")
        if not register:
            register = uuid.uuid4().hex
            change.meta["id"] = register
        if key is None:
            return register
        from .signing import Checkpoint

        purged = change.meta.get("purged", state.meta.get("purged"))
        count = seq - int(purged or 0)
        at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        cp = Checkpoint.make(key, register, seq, head_hash, count, at)
        change.checkpoint = (seq, json.dumps(cp.to_json(), sort_keys=True))
        return register

    def _remember(self, key: SigningKey | None, register: str, seq: int, head_hash: str, replace: bool = False) -> None:
        """After the commit: the key's state file remembers this register's identity and head."""
        if key is None:
            return
        from .signing import Signed

        key.ledger.remember(self.location, Signed(register, seq, head_hash), replace=replace)

    # --- reading -------------------------------------------------------------------------

    def records(self, since: dt.date | dt.datetime | None = None, after: int = 0, limit: int | None = None,
                newest_first: bool = False, kind: str | None = None) -> Iterator[Record]:
        """Records in order (or newest first); `after` and `limit` page through a long register
        in the database, not in memory. `since` filters what is read: a date is a UTC date, a
        datetime (with its zone) an instant, such as midnight in UK time (details.uk_day_start).
        `kind` (DECISION or SIGN_OFF) reads only records of that kind; None reads both.
        Purged records are left out; redacted texts read REDACTED_TEXT."""
        if kind not in KIND_SQL:
            raise ValueError(f"no kind of record {kind!r}: one of {', '.join(KINDS)}")
        if since is None:
            rows = self._rows(after, limit, newest_first, kind)
        elif isinstance(since, dt.datetime):
            start = since.astimezone(dt.UTC).isoformat(timespec="seconds")  # stored times are UTC, this format
            rows = [r for r in self._rows(after, None, newest_first, kind) if r[1] >= start][:limit]
        else:
            rows = [r for r in self._rows(after, None, newest_first, kind) if r[1][:10] >= since.isoformat()][:limit]
        for row in rows:
            try:
                body = json.loads(row[6])
            except ValueError:
                body = {}
            yield Record(row[0], row[1], row[2], row[3], row[4], row[5], _shown(body) if isinstance(body, dict) else {},
                         row[7], row[8])

    def get(self, seq: int) -> Record | None:
        """One record by its sequence number."""
        found = list(self.records(after=seq - 1, limit=1)) if seq >= 1 else []
        return found[0] if found and found[0].seq == seq else None

    def verify(self) -> list[str]:
        """Every break in the chain, in words; an empty list means the register is intact."""
        return self.check().problems

    def check(self, public_key: PublicKey | None = None, saved: Checkpoint | None = None) -> Verification:
        """Verify the chain; with `public_key`, also that its head is signed by that key and that
        every checkpoint it signed still holds; with a `saved` checkpoint (kept elsewhere), that
        the register still holds that head and has not gone back before it. Without a public key
        a missing register raises EmptyRegisterError; with one, it is a problem: the key signed
        a register that is no longer there."""
        try:
            snap = self._snapshot()
        except EmptyRegisterError:
            if public_key is None and saved is None:
                raise
            return Verification([("no register here: if one was kept here, it was deleted (its tables or file "
                                 "are gone)")], 0, 0)
        problems, count, purged = _chain_problems(snap)
        result = Verification(problems, count, purged)
        if public_key is not None:
            result = _signature_problems(snap, public_key, result)
        if saved is not None:
            result = _saved_problems(snap, saved, public_key, result)
        return result


def _chain_problems(snap: Snapshot) -> tuple[list[str], int, int]:
    """The chain's breaks in words, the records held and the tombstones."""
    problems: list[str] = []
    prev, expected_seq, count, purged = GENESIS, 1, 0, 0
    for row in snap.rows:
        seq, at, by, scenario, verdict, sha, body_json, prev_hash, digest = row
        if not isinstance(seq, int) or not all(isinstance(v, str) for v in (at, by, verdict, sha, body_json, prev_hash, digest)):
            problems.append(f"record {seq}: damaged (a field is missing or of the wrong type)")
            prev, expected_seq = digest if isinstance(digest, str) else prev, (seq + 1 if isinstance(seq, int) else expected_seq)
            continue
        if seq != expected_seq:
            missing = f"record {expected_seq}" if seq == expected_seq + 1 else f"records {expected_seq} to {seq - 1}"
            problems.append(f"{missing} deleted (the chain jumps to record {seq})")
        elif prev_hash != prev:
            problems.append(f"record {seq}: does not follow record {seq - 1} (previous hash changed)")
        if _is_tombstone(row):
            purged += 1  # its content is gone: only its place in the chain can be checked
        else:
            count += 1
            hashed, body = _hashed_body(body_json)
            if body is None:
                problems.append(f"record {seq}: its body is not a JSON object (damaged or replaced)")
            if _hash(prev_hash, seq, at, by, scenario, verdict, sha, hashed) != digest:
                problems.append(f"record {seq}: edited after it was recorded (hash does not match its contents)")
        prev, expected_seq = digest, seq + 1
    head = snap.meta.get("head")
    parsed = _parse_head(head) if isinstance(head, str) else None
    if head is None:
        if snap.rows:
            problems.append("the register's head is missing (it would show records deleted from the end)")
    elif parsed is None:
        problems.append(f"the register's head is damaged ({_quote(head)}, not a record number and a hash)")
    else:
        head_seq, head_hash = parsed
        if head_seq >= expected_seq:
            last = expected_seq - 1
            problems.append(f"records {expected_seq} to {head_seq} deleted from the end (the register "
                            f"had {head_seq}, now ends at {last})" if head_seq > expected_seq
                            else f"record {head_seq} deleted from the end")
        elif snap.rows and head_hash != prev:
            problems.append(f"record {snap.rows[-1][0]}: the last record does not match the register's head")
        elif not snap.rows and head_seq:
            problems.append("the register's head is damaged (it names a record, and there are none)")
    return problems, count, purged


def _quote(text: str) -> str:
    shown = text if len(text) <= 40 else text[:40] + "..."
    return json.dumps(shown, ensure_ascii=True)


def _parse_checkpoint(text: Any) -> Checkpoint | None:
    from .signing import Checkpoint

    try:
        return Checkpoint.from_json(json.loads(text))
    except (TypeError, ValueError):
        return None


def _hash_at(snap: Snapshot, seq: int) -> str | None:
    if seq == 0:
        return GENESIS
    for row in snap.rows:  # rows are in seq order, and a gap was reported by the chain check
        if row[0] == seq:
            return row[8] if isinstance(row[8], str) else None
    return None


def _signature_problems(snap: Snapshot, public_key: PublicKey, found: Verification) -> Verification:
    """With the public key: the checkpoints it signed must still hold, the last one must be the
    register's head, and the register must hold as many records as that one counts."""
    problems = list(found.problems)
    register = snap.meta.get("id")
    last_seq, last_hash = (snap.rows[-1][0], snap.rows[-1][8]) if snap.rows else (0, GENESIS)
    valid, forged, others, rewritten, beyond, foreign = [], 0, 0, [], [], 0
    for text in snap.checkpoints:
        cp = _parse_checkpoint(text)
        if cp is None:
            forged += 1
        elif cp.key != public_key.hex:
            others += 1  # not this key's: neither trusted nor counted against the register
        elif not cp.signed_by(public_key):
            forged += 1
        elif cp.register != register:
            foreign += 1
            problems.append(f"a checkpoint signed for another register (identity {cp.register[:12]}) is stored "
                            f"here: this is not the register the key signed, or its identity was changed")
        elif cp.seq > last_seq:
            beyond.append(cp.seq)
        elif _hash_at(snap, cp.seq) != cp.hash:
            rewritten.append(cp.seq)
        else:
            valid.append(cp)
    if forged:
        problems.append(f"{forged} checkpoint(s) claim this key but their signature does not match: forged or altered")
    if beyond and rewritten:
        problems.append(f"the chain was rewritten from record {min(rewritten)} and records were deleted: the key "
                        f"signed the register up to record {max(beyond)}, it now ends at record {last_seq}")
    elif beyond:
        gone = f"record {last_seq + 1}" if max(beyond) == last_seq + 1 else f"records {last_seq + 1} to {max(beyond)}"
        problems.append(f"{gone} deleted from the end: the key signed the register up to record {max(beyond)}, "
                        f"it now ends at record {last_seq}")
    elif rewritten:
        problems.append(f"the chain was rewritten: record {min(rewritten)} is not the record the key signed")
    never_signed = False
    # The last one stored for the head: after a purge, the head is signed again with the new count.
    head = next((cp for cp in reversed(valid) if cp.seq == last_seq and cp.hash == last_hash), None)
    signed_to = max((cp.seq for cp in valid), default=None)
    if head is None and not beyond and not rewritten:
        if signed_to is None:
            never_signed = not (forged or foreign)
            problems.append("the register holds no checkpoint signed by this key" + (
                             f" (only {others} by another key)" if others else "")
                             + (": if it was signed before, it was emptied and started again" if not snap.rows
                                else ": it was never signed with this key, or its checkpoints were deleted"))
        else:
            added = f"record {last_seq}" if last_seq == signed_to + 1 else f"records {signed_to + 1} to {last_seq}"
            problems.append(f"{added} not signed by this key: added without the key, or forged")
    elif head is not None and head.count != found.records:
        problems.append(f"the key signed {head.count} record(s) at record {head.seq}, but the register holds "
                        f"{found.records}: records were emptied without a signed purge")
    return Verification(problems, found.records, found.purged, signed_to, public_key.short, found.checkpoint,
                        never_signed)


def _saved_problems(snap: Snapshot, saved: Checkpoint, public_key: PublicKey | None, found: Verification) -> Verification:
    """The register still holds the head a saved checkpoint names, and has not gone back before it."""
    problems = list(found.problems)
    last_seq = snap.rows[-1][0] if snap.rows else 0
    if public_key is None or not saved.signed_by(public_key):
        problems.append("the saved checkpoint is not signed by this public key: it cannot be trusted")
    elif saved.register != snap.meta.get("id"):
        problems.append("this is not the register the saved checkpoint was taken from (its identity differs): "
                        "replaced, or deleted and started again")
    elif saved.seq > last_seq:
        problems.append(f"the register went back before the saved checkpoint: it ends at record {last_seq}, the "
                        f"checkpoint was taken at record {saved.seq} (an older copy, or records deleted)")
    elif _hash_at(snap, saved.seq) != saved.hash:
        problems.append(f"record {saved.seq} is not the record the saved checkpoint names: the chain was rewritten")
    else:
        return Verification(problems, found.records, found.purged, found.signed_to, found.key, saved.seq)
    return Verification(problems, found.records, found.purged, found.signed_to, found.key, None)


def _user() -> str:
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001  (no user name in this environment)
        return "unknown"
