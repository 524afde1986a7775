"""Who is acting, and what each role may do: the same rules for the command line and the web.

Three roles, as the partnership's governance divides the work:

- practitioner: asks whether a share is allowed, and records the decision;
- approver (the DPO or Caldicott Guardian): signs off recorded decisions, approving or rejecting them;
- administrator: manages API tokens and the partnership's directory, verifies and exports the register.

Everyone signed in may read the register: a practitioner reads what was decided before, an
approver what waits for sign-off, an administrator what to export. An `Actor` says who is acting,
with which roles, and how they were identified (by the trusted proxy's header, by an API token,
or as a user of this machine); "who decided" in a record comes from it, never from a text box.

Pure logic, no I/O: the web and the CLI both import it (it sits in the register layer, below both).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from ..errors import IspError, did_you_mean

__all__ = ["ACTIONS", "ADMINISTRATOR", "APPROVER", "PERMISSIONS", "PRACTITIONER", "ROLES", "AccessError", "Actor",
           "NotAllowedError", "clean_name", "local_actor", "may", "parse_role", "proxy_actor", "require",
           "token_actor"]

PRACTITIONER, APPROVER, ADMINISTRATOR = "practitioner", "approver", "administrator"
ROLES = (PRACTITIONER, APPROVER, ADMINISTRATOR)

# What can be done, in the words a refusal uses ("... may not <words>").
ACTIONS = {
    "decide": "ask whether a share is allowed",
    "record": "record decisions in the register",
    "read": "read the register",
    "sign-off": "sign off decisions",
    "tokens": "manage API tokens",
    "directory": "change the partnership's directory",
    "verify": "verify the register",
    "export": "export the register",
}
PERMISSIONS: dict[str, frozenset[str]] = {
    PRACTITIONER: frozenset({"decide", "record", "read"}),
    # The approver checks decisions others made; recording them is the practitioner's part.
    APPROVER: frozenset({"sign-off", "read"}),
    ADMINISTRATOR: frozenset({"tokens", "directory", "verify", "export", "read"}),
}
# How an actor was identified, as the sign-off record and the logs say it.
BY_PROXY = "proxy header"
BY_TOKEN = "token"  # followed by the token's name
BY_LOCAL = "local user"  # followed by this machine's user name, where known
NAME_MAX = 200


class AccessError(IspError):
    """A role, an action or a name that is not valid: one line saying what is allowed."""


class NotAllowedError(AccessError):
    """The actor's roles do not allow what they tried (HTTP 403; on the command line, exit 1)."""

    def __init__(self, actor: Actor, action: str):
        self.actor, self.action = actor, action
        needs = [role for role in ROLES if action in PERMISSIONS[role]]
        super().__init__(f"{actor.name} ({', '.join(actor.roles) or 'no role'}) may not {ACTIONS[action]}: "
                         f"that needs the {' or '.join(needs)} role")


@dataclass(frozen=True)
class Actor:
    """Who is acting: a display name or email, their roles (in ROLES order), and how they were
    identified ("proxy header", "token NAME", "local user NAME")."""

    name: str
    roles: tuple[str, ...]
    identified: str

    def may(self, action: str) -> bool:
        return may(self, action)

    def to_json(self) -> dict[str, object]:
        """What a sign-off record keeps about who signed."""
        return {"name": self.name, "roles": list(self.roles), "identified": self.identified}


def parse_role(text: str) -> str:
    """A role by its name (any case); AccessError naming the roles, with a "did you mean", otherwise."""
    role = str(text).strip().lower()
    if role not in ROLES:
        starts = [r for r in ROLES if role and r.startswith(role)]  # "admin" is short for administrator
        hint = f"; did you mean '{starts[0]}'?" if len(starts) == 1 else did_you_mean(role, ROLES)
        raise AccessError(f"no role '{text}': one of {', '.join(ROLES)}{hint}")
    return role


def _roles(roles: Iterable[str]) -> tuple[str, ...]:
    given = {parse_role(r) for r in roles}
    return tuple(r for r in ROLES if r in given)


def clean_name(text: str, what: str = "name") -> str:
    """A person's name or email on one line, spaces kept single: it goes into the register as who
    acted. AccessError when empty or too long, or holding control characters (which could forge a
    line of a listing or a log)."""
    name = " ".join(str(text).split())
    if not name:
        raise AccessError(f"give the {what}: who is acting, for the register")
    if len(name) > NAME_MAX:
        raise AccessError(f"the {what} has at most {NAME_MAX} characters")
    from ..scenario import unprintable

    if unprintable(name, record=True):  # it would forge or hide words in a listing or a log
        raise AccessError(f"the {what} holds a control character; give it as plain text")
    return name


def may(actor: Actor | None, action: str) -> bool:
    """Whether `actor` may do `action` (one of ACTIONS); nobody (None) may do anything."""
    if action not in ACTIONS:
        raise ValueError(f"no action {action!r}: one of {', '.join(ACTIONS)}")
    return actor is not None and any(action in PERMISSIONS.get(role, frozenset()) for role in actor.roles)


def require(actor: Actor, action: str) -> None:
    """NotAllowedError unless `actor` may do `action`."""
    if not may(actor, action):
        raise NotAllowedError(actor, action)


def local_actor(name: str, roles: Iterable[str], user: str | None = None) -> Actor:
    """Someone acting on this machine (the command line, or `isp serve` in local mode), by the
    name they give; `user` is this machine's account they act from, kept for accountability."""
    return Actor(clean_name(name), _roles(roles), f"{BY_LOCAL} {user}" if user else BY_LOCAL)


def proxy_actor(email: str, roles: Iterable[str]) -> Actor:
    """A person the trusted reverse proxy signed in (its header names them); their roles come
    from the server's configuration, never from the request."""
    return Actor(clean_name(email, "signed-in user"), _roles(roles), BY_PROXY)


def token_actor(name: str, role: str) -> Actor:
    """A machine presenting the API token called `name`."""
    return Actor(name, _roles([role]), f"{BY_TOKEN} {name}")
