"""Who is acting on the web server: its two modes, and who each request comes from.

- LOCAL (the default): the server listens on this machine's loopback address only and nobody
  signs in; whoever can reach it is the machine's own user, who may do everything (it is their
  own register) and types who decided. An API token, when one is presented, still acts with its
  own role only.
- SIGNED-IN: a reverse proxy signs people in and names them in a header (such as
  X-Forwarded-Email). The header is believed only on a connection from a configured proxy
  address (the connection's own peer, never X-Forwarded-For, which any client can write); from
  anywhere else, or without the header, the answer is 401. Roles come from the server's roles
  file, never from the request: everyone signed in is a practitioner; the file names the
  approvers and administrators.

Machines present an API token (`Authorization: Bearer ...`, /v1 only) in either mode.

Binding to an address other than loopback without sign-in is refused at start: anyone on the
network could read every decision and write to the register.
"""

from __future__ import annotations

import ipaddress
import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from starlette.concurrency import run_in_threadpool

from ..errors import InputError, IspError, Problem
from ..register.access import (
    ADMINISTRATOR,
    APPROVER,
    PRACTITIONER,
    AccessError,
    Actor,
    NotAllowedError,
    clean_name,
    may,
    proxy_actor,
)

__all__ = ["ACTOR_KEY", "SignIn", "SignInError", "acting", "allowed", "check_binding", "read_roles", "require_to"]

ACTOR_KEY = "isp_actor"  # where the middleware leaves the request's actor in the ASGI scope
logger = logging.getLogger("isp_rules.web")
OPEN_PATHS = ("/healthz",)  # a load balancer's liveness check: it names nobody and reads nothing
# The roles file's keys, and the role each gives (everyone signed in is a practitioner).
ROLE_KEYS = {"approvers": APPROVER, "administrators": ADMINISTRATOR}
LOOPBACK_HOSTS = ("localhost",)


class SignInError(IspError):
    """`isp serve`'s sign-in options do not fit together, or the server may not start as asked (one line)."""


@dataclass(frozen=True)
class SignIn:
    """SIGNED-IN mode's settings: the header the proxy names people in, the proxy addresses it is
    believed from, and the roles of the people the roles file names (lower-case email: roles)."""

    header: str
    proxies: frozenset[str]
    roles: Mapping[str, tuple[str, ...]] = field(default_factory=dict)

    def roles_of(self, who: str) -> tuple[str, ...]:
        return (PRACTITIONER, *self.roles.get(who.casefold(), ()))

    def to_text(self) -> str:
        """As `isp serve` hands it to its worker processes."""
        return json.dumps({"header": self.header, "proxies": sorted(self.proxies),
                           "roles": {k: list(v) for k, v in self.roles.items()}})

    @classmethod
    def from_text(cls, text: str) -> SignIn:
        """What to_text wrote; ValueError otherwise (a worker then refuses to start, never
        falling back to local mode, where everyone may do everything)."""
        data = json.loads(text)
        if not (isinstance(data, dict) and isinstance(data.get("header"), str) and data["header"]
                and isinstance(data.get("proxies"), list) and data["proxies"] and isinstance(data.get("roles"), dict)):
            raise ValueError("not sign-in settings")
        return cls(data["header"], frozenset(map(str, data["proxies"])),
                   {str(k): tuple(map(str, v)) for k, v in data["roles"].items()})


def sign_in_from(header: str | None, proxies: Iterable[str], roles_file: str | None) -> SignIn | None:
    """SIGNED-IN mode's settings from `isp serve`'s options, or None for LOCAL mode; SignInError
    when they do not fit together, InputError (each problem located) for a bad roles file."""
    proxies = tuple(proxies)
    if header is None:
        if proxies:
            raise SignInError("--trusted-proxy is for sign-in: give --sign-in-header NAME too (the header your "
                              "reverse proxy names the signed-in person in)")
        if roles_file:
            raise SignInError("--roles is for sign-in: give --sign-in-header NAME and --trusted-proxy ADDRESS too")
        return None
    name = header.strip()
    if not name or not all(c.isalnum() or c in "-_" for c in name) or not name.isascii():
        raise SignInError(f"--sign-in-header: '{header}' is not a header name (such as X-Forwarded-Email)")
    if name.lower() in ("authorization", "host", "cookie", "x-forwarded-for"):
        raise SignInError(f"--sign-in-header: {name} is not a header a proxy names people in; use the one your "
                          "proxy sets, such as X-Forwarded-Email")
    if not proxies:
        raise SignInError("--sign-in-header needs --trusted-proxy ADDRESS: the address your reverse proxy connects "
                          "from (the header is believed from no other)")
    addresses = set()
    for value in proxies:
        try:
            addresses.add(_peer_address(value.strip()))
        except ValueError:
            raise SignInError(f"--trusted-proxy: '{value}' is not an IP address (such as 10.0.0.2)") from None
    return SignIn(name, frozenset(addresses), read_roles(roles_file) if roles_file else {})


def _peer_address(value: str) -> str:
    """An address as the trusted-proxy list keeps it: an IPv4 proxy reached over a dual-stack
    socket (`--host ::`) is seen as ::ffff:10.0.0.2, and is the same proxy as 10.0.0.2.
    ValueError for anything but an IP address."""
    ip = ipaddress.ip_address(value)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return str(ip.ipv4_mapped)
    return str(ip)


def _peer(scope: dict) -> str:
    """The connection's own peer address, normalised as the trusted-proxy list is ("" if none)."""
    host = str((scope.get("client") or ("", 0))[0])
    try:
        return _peer_address(host)
    except ValueError:
        return host


def read_roles(path: str | Path) -> dict[str, tuple[str, ...]]:
    """The roles file: `approvers:` and `administrators:`, each a list of signed-in names (the
    email the proxy gives). InputError with one located line per problem."""
    from ..register.access import clean_name
    from ..yamlfile import read_yaml

    doc = read_yaml(path)
    where = doc.name
    if not isinstance(doc.data, dict):
        raise InputError([Problem(where, doc.line(()), "", "expected a mapping with approvers: and administrators:, "
                                  "each a list of signed-in people (their email)")])
    problems: list[Problem] = []
    roles: dict[str, tuple[str, ...]] = {}
    for key, value in doc.data.items():
        if key not in ROLE_KEYS:
            problems.append(Problem(where, doc.line((key,)), str(key), "unknown key: the roles file has approvers "
                                    "and administrators (everyone signed in is a practitioner)"))
            continue
        if value is None:
            continue
        if not isinstance(value, list):
            problems.append(Problem(where, doc.line((key,)), str(key), "expected a list of signed-in people (email)"))
            continue
        for i, item in enumerate(value):
            if not isinstance(item, str):
                problems.append(Problem(where, doc.line((key, i)), f"{key}[{i}]", "expected a name or email as text"))
                continue
            try:
                who = clean_name(item, "signed-in person").casefold()
            except AccessError as exc:
                problems.append(Problem(where, doc.line((key, i)), f"{key}[{i}]", str(exc)))
                continue
            roles[who] = (*roles.get(who, ()), ROLE_KEYS[key])
    if problems:
        raise InputError(problems)
    return {who: tuple(r for r in (APPROVER, ADMINISTRATOR) if r in held) for who, held in roles.items()}


def is_loopback(host: str) -> bool:
    name = host.strip().strip("[]").lower()
    if name in LOOPBACK_HOSTS:
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def check_binding(host: str, sign_in: SignIn | None) -> None:
    """SignInError unless the server may listen on `host`: without sign-in, only on loopback."""
    if sign_in is None and not is_loopback(host):
        raise SignInError(f"not starting on {host} without sign-in: anyone on the network could read "
                          "every decision and write to the register. Put it behind your reverse proxy with "
                          "--sign-in-header NAME --trusted-proxy ADDRESS, or listen on 127.0.0.1 (the default).")


# --- each request ---------------------------------------------------------------------------

def _refuse(scope, status: int, text: str) -> tuple[dict, dict]:
    if scope.get("path", "").startswith("/v1/"):
        body, kind = json.dumps({"detail": [{"path": "", "msg": text, "problem": text}]}).encode(), b"application/json"
    else:
        body, kind = text.encode(), b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    if status == 401:  # RFC 9110 s11.6.1: a 401 says how to authenticate
        headers.append((b"www-authenticate", b'Bearer realm="isp-rules"'))
    return ({"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body})


class Identify:
    """ASGI middleware: find who a request comes from (an API token, the proxy's header, or in
    LOCAL mode nobody in particular) and leave it in the scope, or answer 401."""

    def __init__(self, app, sign_in: SignIn | None, service):
        self.app = app
        self.sign_in = sign_in
        self.service = service

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        headers = dict(scope.get("headers") or [])
        actor: Actor | None = None
        refusal: str | None = None
        auth = headers.get(b"authorization", b"").decode("latin-1")
        if auth and path.startswith("/v1/"):
            scheme, _, token = auth.partition(" ")
            if scheme.lower() != "bearer" or not token.strip():
                refusal = "Send the API token as Authorization: Bearer TOKEN."
            else:
                try:
                    actor = await run_in_threadpool(self._token_actor, token.strip())
                except IspError as exc:
                    from ..register import RegisterError

                    if not isinstance(exc, RegisterError):
                        raise
                    # Tokens live in the register: an outage is a 503 (as on every other route,
                    # app.py), never an "internal error" that a monitor would read as a bug.
                    logger.warning("register unavailable while checking an API token")
                    for message in _refuse(scope, 503, "The decision register is not available, so the API "
                                                       "token cannot be checked; nothing was done."):
                        await send(message)
                    return
                if actor is None:
                    refusal = ("This API token is not accepted: it is unknown or was revoked. Ask the register's "
                               "administrator for a token (isp token create).")
        elif self.sign_in is not None and path not in OPEN_PATHS:
            wanted = self.sign_in.header.lower().encode()
            given = [value for key, value in scope.get("headers") or [] if key.lower() == wanted]
            named = given[0].decode("utf-8", "replace").strip() if len(given) == 1 else ""
            if _peer(scope) not in self.sign_in.proxies:
                refusal = ("Sign in first: this server is reached through your organisation's sign-in page. "
                           "Programs use an API token.")
            elif len(given) > 1:
                # Two names: a proxy that adds its own but passes the client's on. Which one is
                # true cannot be known, so neither is believed.
                refusal = "Sign in first: the sign-in service named more than one person."
            elif not named:
                refusal = "Sign in first: the sign-in service did not say who you are."
            else:
                try:
                    cleaned = clean_name(named)  # the roles are looked up under the name recorded
                    actor = proxy_actor(cleaned, self.sign_in.roles_of(cleaned))
                except AccessError:
                    refusal = "Sign in first: the name the sign-in service gave could not be read."
        if refusal is not None:
            for message in _refuse(scope, 401, refusal):
                await send(message)
            return
        scope[ACTOR_KEY] = actor
        await self.app(scope, receive, send)

    def _token_actor(self, token: str) -> Actor | None:
        from ..register import EmptyRegisterError, actor_for_token

        try:
            return actor_for_token(self.service.register(), token)
        except EmptyRegisterError:
            return None


def acting(request) -> Actor | None:
    """Who the request comes from: the signed-in person or the token's machine; None in LOCAL
    mode without a token (this machine's user, who types who decided)."""
    actor = request.scope.get(ACTOR_KEY)
    return actor if isinstance(actor, Actor) else None


def allowed(request, action: str) -> bool:
    """Whether the request may do `action` (register.access.ACTIONS); in LOCAL mode without a
    token, everything: it is the user's own machine and register."""
    actor = acting(request)
    return actor is None or may(actor, action)


def require_to(request, action: str) -> Actor | None:
    """The request's actor (None in LOCAL mode), or NotAllowedError (answered 403)."""
    actor = acting(request)
    if actor is not None and not may(actor, action):
        raise NotAllowedError(actor, action)
    return actor
