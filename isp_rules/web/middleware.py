"""Plain ASGI middleware (cheaper per request than Starlette's BaseHTTPMiddleware):

- HostCheck: a request naming a host the server does not answer to is refused (400), so a page
  elsewhere cannot reach a server on this machine through a DNS name of its own (DNS rebinding);
- BodyLimit: a body over 1 MB is refused with 413 before the application reads it
  (Content-Length up front, or counted as a chunked body arrives), and one that has not arrived
  within the body time limit with 408, so slow senders cannot hold the server's connections;
- SameOrigin: a form posted from another site is refused (403), so a page elsewhere cannot
  record a decision in the register of a server a practitioner runs on their own machine;
- SecurityHeaders: no sniffing, no referrer, no caching of anything but the static files (a
  decision or the register must not stay in a shared computer's cache), and on every page a
  Content-Security-Policy that allows no scripts at all (the pages have none) and no framing.
"""

from __future__ import annotations

import asyncio
import json

from ..yamlfile import MAX_BYTES
from .options import DEFAULT_BODY_TIMEOUT, HostList

__all__ = ["CSP", "BodyLimit", "HostCheck", "SameOrigin", "SecurityHeaders"]


def _plain(scope, status: int, text: str, close: bool = False) -> tuple[dict, dict]:
    """A short refusal: JSON problems under /v1/ (as the API answers), plain text elsewhere."""
    if scope.get("path", "").startswith("/v1/"):
        body, kind = json.dumps({"detail": [{"path": "", "msg": text, "problem": text}]}).encode(), b"application/json"
    else:
        body, kind = text.encode(), b"text/plain; charset=utf-8"
    headers = [(b"content-type", kind), (b"content-length", str(len(body)).encode())]
    if close:
        headers.append((b"connection", b"close"))
    return ({"type": "http.response.start", "status": status, "headers": headers},
            {"type": "http.response.body", "body": body})


class HostCheck:
    """Answer only to the names in the allow-list (options.HostList)."""

    def __init__(self, app, hosts: HostList):
        self.app = app
        self.hosts = hosts

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http":
            host = dict(scope.get("headers") or []).get(b"host", b"").decode("latin-1")
            if not self.hosts.allows(host):
                # The name is not echoed back: it is whatever the other site chose.
                text = ("This server does not answer to that address. Use the address it was started with, or ask "
                        "its administrator to add the name (isp serve --allowed-host NAME).")
                for message in _plain(scope, 400, text, close=True):
                    await send(message)
                return
        await self.app(scope, receive, send)


class BodyLimit:
    def __init__(self, app, limit: int = MAX_BYTES, timeout: float = DEFAULT_BODY_TIMEOUT):
        self.app = app
        self.limit = limit
        self.timeout = timeout

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._refuse(scope, send)
        # Read the whole body (at most the limit, within the time limit) before the application
        # sees any of it, so no request holds a worker's attention while its sender dawdles.
        chunks: list[bytes] = []
        try:
            async with asyncio.timeout(self.timeout):
                size, more = 0, True
                while more:
                    message = await receive()
                    if message["type"] == "http.disconnect":
                        return
                    chunk = message.get("body", b"")
                    size += len(chunk)
                    if size > self.limit:
                        return await self._refuse(scope, send)
                    chunks.append(chunk)
                    more = message.get("more_body", False)
        except TimeoutError:
            text = f"The request body did not arrive within {self.timeout:g} seconds; please send it again."
            for message in _plain(scope, 408, text, close=True):
                await send(message)
            return
        body = b"".join(chunks)
        sent = False

        async def replay():
            nonlocal sent
            if not sent:
                sent = True
                return {"type": "http.request", "body": body, "more_body": False}
            return await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, scope, send):
        text = f"The request body is larger than {self.limit:,} bytes; a scenario is far smaller."
        for message in _plain(scope, 413, text, close=True):
            await send(message)


CSP = b"default-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self'"


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        path = scope.get("path", "")
        # Swagger UI at /docs needs its own scripts; every other response forbids them.
        strict = not path.startswith("/docs")
        # Decisions and the register name people and cases: no copy is kept by the browser or a
        # proxy. Only the static files (the same for everyone) may be cached.
        store = path.startswith(("/static/", "/docs-assets/"))

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                if strict:
                    extra.append((b"content-security-policy", CSP))
                if not store:
                    extra.append((b"cache-control", b"no-store"))
                message = {**message, "headers": list(message.get("headers", [])) + [h for h in extra if h[0] not in names]}
            await send(message)

        await self.app(scope, receive, send_with_headers)


class SameOrigin:
    """Refuse state-changing requests that a browser says come from another site."""

    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] == "http" and scope.get("method") not in ("GET", "HEAD", "OPTIONS"):
            headers = dict(scope.get("headers") or [])
            site = headers.get(b"sec-fetch-site", b"").decode("latin-1")
            origin = headers.get(b"origin", b"").decode("latin-1")
            host = headers.get(b"host", b"").decode("latin-1")
            # Browsers say where a request comes from in Sec-Fetch-Site; older ones only in Origin.
            # "null" is an origin a page can give itself (a sandboxed frame, a data: address), so
            # it is never this site. Programs (curl, scripts) send neither header; the pages'
            # forms must then bring their form token (tokens.py), which no other site can read.
            if site:
                foreign = site not in ("same-origin", "none")
            else:
                foreign = origin != "" and origin.split("://", 1)[-1] != host
            foreign = foreign or origin == "null"
            if foreign:
                for message in _plain(scope, 403, "Refused: this form was sent from another site."):
                    await send(message)
                return
        await self.app(scope, receive, send)
