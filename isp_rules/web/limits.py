"""Request-size limit as plain ASGI middleware: a body over 1 MB is refused with 413 before the
application reads it (Content-Length up front, or counted as a chunked body arrives)."""

from __future__ import annotations

import json

from ..yamlfile import MAX_BYTES

__all__ = ["BodyLimit"]


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
