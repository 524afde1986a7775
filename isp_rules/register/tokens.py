"""API tokens for machines (a case management system posting decisions, a script exporting the
register): each has a name and one role, and is kept in the register's database as a hash only.

The token itself is shown once, when it is made, and never stored: whoever reads the database (or
a backup of it) learns no token it can use. It is 32 random bytes, so a plain sha256 is enough to
store it: a slow password hash only matters for guessable secrets, and nobody can guess 256 random
bits from their hash. A presented token is compared with every stored hash in constant time, so
the time an answer takes says nothing about how close a guess was.

With the register's signing key set, each token row is signed when it is made, and a token whose
row is not signed by that key is refused: someone who can write the database but has not the key
cannot add a token of their own and have the server record, and sign, decisions in its name.
A revoked token is refused; revocation cannot be undone (make a new token instead).
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass

from ..errors import did_you_mean
from .access import AccessError, Actor, clean_name, parse_role, token_actor
from .chain import BaseRegister, Change, EmptyRegisterError, Row, State
from .details import uk_time
from .listing import shown

__all__ = ["PREFIX", "NewToken", "TokenError", "TokenInfo", "actor_for_token", "create_token", "list_tokens",
           "revoke_token"]

PREFIX = "isp_"  # recognisable in a config file or a secret scanner's findings
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,63}")
PRESENTED_MAX = 200  # a token is 47 characters; anything far longer is not one


class TokenError(AccessError):
    """A token name or role that cannot be used (one line)."""


@dataclass(frozen=True)
class TokenInfo:
    """A token as `isp token list` shows it: never the token itself."""

    name: str
    role: str
    created_at: str  # UTC, ISO 8601
    created_by: str
    revoked_at: str | None
    revoked_by: str | None
    signed: bool  # its row is signed by the key that was set when it was made

    @property
    def revoked(self) -> bool:
        return self.revoked_at is not None

    def to_json(self) -> dict[str, object]:
        return {"name": self.name, "role": self.role, "created_at": self.created_at, "created_by": self.created_by,
                "revoked_at": self.revoked_at, "revoked_by": self.revoked_by, "signed": self.signed}


@dataclass(frozen=True)
class NewToken:
    """A token just made: `token` is the only copy there will ever be."""

    info: TokenInfo
    token: str


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _statement(name: str, role: str, digest: str, created_at: str, created_by: str) -> str:
    """What a token row's signature covers."""
    return f"isp-rules api token v1\n{name}\n{role}\n{digest}\n{created_at}\n{created_by}"


def _info(row: Row) -> TokenInfo:
    return TokenInfo(row[0], row[1], row[3], row[4], row[5], row[6], bool(row[7]))


def _who(by: str | None) -> str:
    if by is not None:
        return clean_name(by, "name of who acts")
    try:
        return getpass.getuser()
    except Exception:  # noqa: BLE001  (no user name in this environment)
        return "unknown"


def _check_name(name: str) -> str:
    if not NAME_PATTERN.fullmatch(name):
        raise TokenError(f"a token's name is 1 to 64 letters, digits, dots, dashes or underscores, starting with a "
                         f"letter or digit (such as case-system), not '{shown(name)}'")
    return name


def create_token(register: BaseRegister, name: str, role: str, by: str | None = None) -> NewToken:
    """Make a token called `name` with `role`, made by `by` (default: this machine's user). Its
    hash is stored; the token is returned once. TokenError for a name already used (revoked
    tokens' too: a name always means one token) or a role that is not one of ROLES."""
    name, role, who = _check_name(name), parse_role(role), _who(by)
    token = PREFIX + secrets.token_urlsafe(32)
    digest = _digest(token)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    key = register.signing_key()
    signature = key.sign(_statement(name, role, digest, at, who)) if key is not None else None
    row = (name, role, digest, at, who, None, None, signature)

    def plan(state: State) -> Change:
        if any(r[0] == name for r in state.tokens):
            raise TokenError(f"{register.where}: there is already a token called '{name}'; choose another name "
                             "(isp token list shows them)")
        return Change(new_tokens=[row])

    register._write(plan, tokens=True)
    return NewToken(_info(row), token)


def list_tokens(register: BaseRegister) -> list[TokenInfo]:
    """Every token, oldest first, revoked ones too; [] where there is no register yet."""
    try:
        return [_info(r) for r in register._token_rows()]
    except EmptyRegisterError:
        return []


def revoke_token(register: BaseRegister, name: str, by: str | None = None) -> TokenInfo:
    """Revoke the token called `name`: it is refused from now on. TokenError when there is no
    such token (with a "did you mean") or it was revoked already."""
    who = _who(by)
    at = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    done: list[TokenInfo] = []

    def plan(state: State) -> Change:
        done.clear()
        found = [r for r in state.tokens if r[0] == name]
        if not found:
            names = [r[0] for r in state.tokens]
            raise TokenError(f"{register.where}: no token called '{shown(name)}'{did_you_mean(name, names)}")
        info = _info(found[0])
        if info.revoked:
            raise TokenError(f"{register.where}: the token '{name}' was revoked already, on "
                             f"{uk_time(str(info.revoked_at))} by {info.revoked_by}")
        done.append(TokenInfo(info.name, info.role, info.created_at, info.created_by, at, who, info.signed))
        return Change(revoked_tokens=[(name, at, who)])

    try:
        register._rows(0, 1)  # where there is no register, none is created to hold nothing
    except EmptyRegisterError:
        raise TokenError(f"{register.where}: no token called '{shown(name)}' (no register here yet)") from None
    register._write(plan, tokens=True)
    return done[0]


def actor_for_token(register: BaseRegister, presented: str) -> Actor | None:
    """Who a presented token (an Authorization: Bearer value) acts as; None when it is not a
    live token of this register (unknown, revoked, or, with the signing key set, not signed by
    it). Never raises for what a client sends; a register that cannot be read raises RegisterError."""
    if not isinstance(presented, str) or not presented.startswith(PREFIX) or len(presented) > PRESENTED_MAX:
        return None
    digest = _digest(presented)
    try:
        rows = register._token_rows()
    except EmptyRegisterError:
        return None
    key = register.signing_key()
    found = None
    for row in rows:  # every row compared, in constant time: no early exit
        if hmac.compare_digest(str(row[2]), digest):
            found = row
    if found is None:
        return None
    name, role, digest_, created_at, created_by, revoked_at, _by, signature = found
    if revoked_at is not None:
        return None
    if key is not None and not (isinstance(signature, str)
                                and key.public.signed(_statement(name, role, digest_, created_at, created_by),
                                                      signature)):
        return None  # added by someone without the key, or altered
    try:
        return token_actor(name, parse_role(role))
    except AccessError:  # a role this version does not know: no access rather than a guess
        return None


