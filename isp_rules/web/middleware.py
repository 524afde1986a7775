"""Plain ASGI middleware (cheaper per request than Starlette's BaseHTTPMiddleware):

- BodyLimit: a body over 1 MB is refused with 413 before the application reads it
  (Content-Length up front, or counted as a chunked body arrives);
- SameOrigin: a form posted from another site is refused (403), so a page elsewhere cannot
  record a decision in the register of a server a practitioner runs on their own machine;
- SecurityHeaders: no sniffing, no referrer, and on every page a Content-Security-Policy
  that allows no scripts at all (the pages have none) and no framing.
"""

from __future__ import annotations

import json

from ..yamlfile import MAX_BYTES

__all__ = ["CSP", "BodyLimit", "SameOrigin", "SecurityHeaders"]


class BodyLimit:
    def __init__(self, app, limit: int = MAX_BYTES):
        self.app = app
        self.limit = limit

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        length = dict(scope.get("headers") or []).get(b"content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            return await self._refuse(scope, send)
        # Read the whole body (at most the limit) before the application sees any of it.
        chunks, size, more = [], 0, True
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
        if scope.get("path", "").startswith("/v1/"):
            body, kind = json.dumps({"detail": [{"path": "", "msg": text, "problem": text}]}).encode(), b"application/json"
        else:
            body, kind = text.encode(), b"text/plain; charset=utf-8"
        await send({"type": "http.response.start", "status": 413,
                    "headers": [(b"content-type", kind), (b"content-length", str(len(body)).encode()), (b"connection", b"close")]})
        await send({"type": "http.response.body", "body": body})


CSP = b"default-src 'self'; script-src 'none'; frame-ancestors 'none'; form-action 'self'"


class SecurityHeaders:
    def __init__(self, app):
        self.app = app

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        # Swagger UI at /docs needs its own scripts; every other response forbids them.
        strict = not scope.get("path", "").startswith("/docs")

        async def send_with_headers(message):
            if message["type"] == "http.response.start":
                names = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(b"x-content-type-options", b"nosniff"), (b"referrer-policy", b"same-origin")]
                if strict:
                    extra.append((b"content-security-policy", CSP))
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
            # Programs (curl, scripts) send neither and are not browsers acting for someone else.
            if site:
                foreign = site not in ("same-origin", "none")
            else:
                foreign = origin not in ("", "null") and origin.split("://", 1)[-1] != host
            if foreign:
                body = b"Refused: this form was sent from another site."
                await send({"type": "http.response.start", "status": 403,
                            "headers": [(b"content-type", b"text/plain; charset=utf-8"),
                                        (b"content-length", str(len(body)).encode())]})
                await send({"type": "http.response.body", "body": body})
                return
        await self.app(scope, receive, send)
