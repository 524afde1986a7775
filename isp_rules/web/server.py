"""The HTTP server under the app (uvicorn; the only module that imports it), with limits so that
slow or idle clients cannot hold the connections practitioners need, and an access log that
holds no query string.

uvicorn closes a kept-alive connection that stays idle, and refuses requests (503) over a
connection limit, but it waits for ever for a request's headers: a client sending one byte a
second keeps its connection, and a few hundred such clients fill the limit (or the process's
files) for everyone. `HeaderDeadline` closes a connection whose request headers have not all
arrived within the header time limit; the app's BodyLimit does the same for the body.
"""

from __future__ import annotations

import copy
import logging
import secrets
from dataclasses import dataclass
from typing import Any

import uvicorn
from uvicorn.config import LOGGING_CONFIG
from uvicorn.protocols.http.h11_impl import H11Protocol

from .. import settings
from .options import (
    ALLOWED_HOSTS_ENV,
    BODY_TIMEOUT_ENV,
    DEFAULT_BODY_TIMEOUT,
    DEFAULT_CONNECTIONS,
    DEFAULT_HEADER_TIMEOUT,
    DEFAULT_KEEP_ALIVE,
    FORM_SECRET_ENV,
    HEADER_TIMEOUT_ENV,
    LOOPBACK_NAMES,
    HostList,
    header_timeout,
    host_entry,
    pass_sign_in,
)

try:  # uvicorn's faster parser, which it uses by default when installed (a dependency of ours)
    from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol as _Base
except ImportError:  # pragma: no cover
    _Base = H11Protocol  # type: ignore[assignment, misc]

__all__ = ["HeaderDeadline", "Limits", "PathOnly", "allowed_hosts", "log_config", "serve"]

_TOO_SLOW = (b"HTTP/1.1 408 Request Timeout\r\ncontent-type: text/plain; charset=utf-8\r\nconnection: close\r\n"
             b"content-length: 49\r\n\r\nThe request did not arrive in time; send it again")


class _Deadline:
    """Close a connection whose request headers are not all in within the header time limit,
    counted from the connection's start or, on a kept-alive connection, from the next request's
    first byte. (The body's own limit is kept by the app: middleware.BodyLimit.)"""

    cycle: Any
    loop: Any
    transport: Any
    _header_timer: Any = None

    def connection_made(self, transport: Any) -> None:
        super().connection_made(transport)  # type: ignore[misc]
        self._seconds = header_timeout()
        self._arm()

    def data_received(self, data: bytes) -> None:
        if self._header_timer is None and (self.cycle is None or self.cycle.response_complete):
            self._arm()  # the first byte of another request on a kept-alive connection
        before = self.cycle
        super().data_received(data)  # type: ignore[misc]
        if self.cycle is not before:  # the parser has a new request: its headers are complete
            self._disarm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)  # type: ignore[misc]

    def _arm(self) -> None:
        self._disarm()
        self._header_timer = self.loop.call_later(self._seconds, self._too_slow)

    def _disarm(self) -> None:
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None

    def _too_slow(self) -> None:
        self._header_timer = None
        if not self.transport.is_closing():
            if self.cycle is None or self.cycle.response_complete:  # nothing of a response sent yet
                self.transport.write(_TOO_SLOW)
            self.transport.close()


class HeaderDeadline(_Deadline, _Base):
    """uvicorn's HTTP/1.1 protocol with the header time limit."""


class PathOnly(logging.Filter):
    """The access log records the path, never the query string: a search or a name in an address
    (?q=..., ?by=...) can be personal data, and a server log is no place for it."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.args, tuple):
            record.args = tuple(a.split("?", 1)[0] if isinstance(a, str) else a for a in record.args)
        return True


def log_config() -> dict[str, Any]:
    """uvicorn's logging, with the access log's query strings cut off, and this package's own
    log lines (errors by reference and type) on the server's error stream."""
    config = copy.deepcopy(LOGGING_CONFIG)
    config.setdefault("filters", {})["path_only"] = {"()": f"{__name__}.PathOnly"}
    config["loggers"]["uvicorn.access"]["filters"] = ["path_only"]
    config["loggers"]["isp_rules"] = {"handlers": ["default"], "level": "INFO", "propagate": False}
    return config


@dataclass(frozen=True)
class Limits:
    header_timeout: float = DEFAULT_HEADER_TIMEOUT
    body_timeout: float = DEFAULT_BODY_TIMEOUT
    keep_alive: int = DEFAULT_KEEP_ALIVE
    connections: int = DEFAULT_CONNECTIONS


def allowed_hosts(host: str, port: int, extra: tuple[str, ...] = ()) -> HostList:
    """The names the server answers to: the address it listens on and this machine's own names,
    each with the port, and any names the administrator added (ValueError for a malformed one)."""
    names = [host_entry(host)[0]] if host not in ("0.0.0.0", "::", "") else []  # a wildcard is no name
    names += [n for n in LOOPBACK_NAMES if n not in names]
    suffix = f":{port}" if port else ""  # port 0: the system chose one
    return HostList.of([n + suffix for n in names] + list(extra))


def serve(*, host: str, port: int, workers: int, log_level: str, hosts: HostList, limits: Limits,
          sign_in: str | None = None) -> None:
    """Run the app until stopped. The workers are fresh processes: they read these settings
    (and the form secret, shared so that a form shown by one worker is accepted by another)
    from the environment. `sign_in`: SIGNED-IN mode's settings (access.SignIn.to_text)."""
    if sign_in is not None:
        pass_sign_in(sign_in)
    settings.set_server_setting(ALLOWED_HOSTS_ENV, hosts.as_text())
    settings.set_server_setting(HEADER_TIMEOUT_ENV, f"{limits.header_timeout:g}")
    settings.set_server_setting(BODY_TIMEOUT_ENV, f"{limits.body_timeout:g}")
    if not settings.server_setting(FORM_SECRET_ENV):
        settings.set_server_setting(FORM_SECRET_ENV, secrets.token_urlsafe(32))
    uvicorn.run("isp_rules.web.app:worker_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, log_config=log_config(), http=HeaderDeadline,
                timeout_keep_alive=limits.keep_alive, limit_concurrency=limits.connections,
                proxy_headers=False, server_header=False, timeout_graceful_shutdown=5)
