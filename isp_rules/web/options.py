"""The server's protections that `isp serve` hands its worker processes: the host names it
answers to, how long a client may take to send a request, and the secret that signs form tokens.

Worker processes start afresh and read these from the environment (as settings.py's are read):

=====================  ===================================================================
ISP_ALLOWED_HOSTS      the names (with an optional :port) the server answers to, comma
                       separated; `isp serve` sets it from --host, --port and --allowed-host
ISP_FORM_SECRET        the secret that signs the pages' form tokens; set the same value on
                       every replica behind a load balancer (else `isp serve` makes one at
                       start-up, and a restart expires the forms that were open)
ISP_HEADER_TIMEOUT     seconds a client has to send a request's headers (`isp serve` sets it)
ISP_BODY_TIMEOUT       seconds a client has to send a request's body (`isp serve` sets it)
ISP_SIGN_IN            SIGNED-IN mode's settings (web/access.py), as `isp serve` sets them
                       from --sign-in-header, --trusted-proxy and --roles
=====================  ===================================================================
"""

from __future__ import annotations

import secrets
from collections.abc import Iterable
from dataclasses import dataclass

from .. import settings

__all__ = [
    "ALLOWED_HOSTS_ENV",
    "BODY_TIMEOUT_ENV",
    "DEFAULT_BODY_TIMEOUT",
    "DEFAULT_CONNECTIONS",
    "DEFAULT_HEADER_TIMEOUT",
    "DEFAULT_KEEP_ALIVE",
    "FORM_SECRET_ENV",
    "HEADER_TIMEOUT_ENV",
    "LOOPBACK_NAMES",
    "HostList",
    "body_timeout",
    "form_secret",
    "header_timeout",
    "host_entry",
    "pass_sign_in",
    "sign_in_text",
    "split_host",
]

ALLOWED_HOSTS_ENV = settings.ALLOWED_HOSTS_ENV
FORM_SECRET_ENV = settings.FORM_SECRET_ENV
HEADER_TIMEOUT_ENV = settings.HEADER_TIMEOUT_ENV
BODY_TIMEOUT_ENV = settings.BODY_TIMEOUT_ENV

# The names this machine always has for itself; a browser on it uses one of them.
LOOPBACK_NAMES = ("localhost", "127.0.0.1", "[::1]")
SIGN_IN_ENV = "ISP_SIGN_IN"
DEFAULT_HEADER_TIMEOUT = 10.0  # seconds: a browser sends its headers at once
DEFAULT_BODY_TIMEOUT = 30.0  # seconds: a scenario is a few kilobytes; the limit is 1 MB
DEFAULT_KEEP_ALIVE = 5  # seconds an idle connection is kept open between requests
DEFAULT_CONNECTIONS = 200  # connections per worker before new requests get 503


def split_host(value: str) -> tuple[str, int | None] | None:
    """A Host header (or a --allowed-host value) as (name, port), lower-case; None if malformed.
    An IPv6 address keeps its brackets, as a Host header writes it."""
    text = value.strip().lower()
    if text.startswith("["):
        end = text.find("]")
        if end <= 1 or not set(text[1:end]) <= set("0123456789abcdef:."):
            return None
        name, rest = text[: end + 1], text[end + 1:]
    elif text.count(":") > 1:  # a bare IPv6 address: never a Host header, but a --host value
        name, rest = f"[{text}]", ""
    else:
        name, colon, port_text = text.partition(":")
        rest = colon + port_text
    if not name or any(c.isspace() or c in "/?#@\\" for c in name):
        return None
    if not rest:
        return name, None
    port = rest[1:]
    if not (rest.startswith(":") and port.isascii() and port.isdigit() and len(port) <= 5 and int(port) <= 65535):
        return None
    return name, int(port)


def host_entry(value: str) -> tuple[str, int | None]:
    """One allowed host as (name, port); ValueError with a plain sentence if it is not one."""
    found = split_host(value)
    if found is None or found[0] in ("", "[]"):
        raise ValueError(f"{value!r} is not a host name, an address, or one of them with :PORT")
    return found


@dataclass(frozen=True)
class HostList:
    """The names the server answers to. A name with a port matches only that port (or no port,
    when the port is 80, which browsers leave out); a name without one matches any port.

    A page elsewhere can point its own DNS name at 127.0.0.1 (DNS rebinding); the browser then
    sends that name as the Host, so refusing unknown names keeps such a page from reading the
    register or posting to a server on a practitioner's machine."""

    entries: tuple[tuple[str, int | None], ...]

    @classmethod
    def of(cls, values: Iterable[str]) -> HostList:
        return cls(tuple(host_entry(v) for v in values if v.strip()))

    @classmethod
    def from_environment(cls) -> HostList:
        """ISP_ALLOWED_HOSTS as `isp serve` set it; this machine's own names when unset."""
        raw = settings.server_setting(ALLOWED_HOSTS_ENV) or ""
        return cls.of(raw.split(",")) if raw.strip() else cls.of(LOOPBACK_NAMES)

    def allows(self, host_header: str) -> bool:
        found = split_host(host_header)
        if found is None:
            return False
        name, port = found
        return any(name == allowed and (want is None or want == port or (port is None and want == 80))
                   for allowed, want in self.entries)

    def as_text(self) -> str:
        return ",".join(name if port is None else f"{name}:{port}" for name, port in self.entries)


def _seconds(name: str, default: float) -> float:
    raw = settings.server_setting(name) or ""
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if 0 < value <= 3600 else default


def header_timeout() -> float:
    return _seconds(HEADER_TIMEOUT_ENV, DEFAULT_HEADER_TIMEOUT)


def body_timeout() -> float:
    return _seconds(BODY_TIMEOUT_ENV, DEFAULT_BODY_TIMEOUT)


def form_secret() -> bytes:
    """ISP_FORM_SECRET, else a new random secret (good for this process only)."""
    given = settings.server_setting(FORM_SECRET_ENV) or ""
    return given.encode() if given else secrets.token_bytes(32)


# SIGNED-IN mode's settings for a server run in this process (one worker), when they cannot be
# handed over in the environment.
_sign_in_here: list[str] = []


def can_pass_sign_in() -> bool:
    """Whether sign-in settings can reach worker processes (settings.py knows ISP_SIGN_IN)."""
    return SIGN_IN_ENV in settings.SERVER_SETTINGS


def pass_sign_in(text: str) -> None:
    """Hand SIGNED-IN mode's settings to this process's app and to worker processes."""
    _sign_in_here[:] = [text]
    if can_pass_sign_in():
        settings.set_server_setting(SIGN_IN_ENV, text)


def sign_in_text() -> str | None:
    """SIGNED-IN mode's settings as `isp serve` handed them over; None in LOCAL mode."""
    if _sign_in_here:
        return _sign_in_here[0]
    return settings.server_setting(SIGN_IN_ENV) if can_pass_sign_in() else None
