"""Form tokens: every form a page shows carries one, and every form post must bring it back.

A signed double submit: the browser holds a random value in a cookie, and each form holds the
HMAC of that value under the server's secret. A page on another site can make a browser post a
form here, and may even plant a cookie, but it can read neither the page nor the secret, so it
cannot write the matching token. This stands beside the Fetch-metadata and Origin checks
(middleware.SameOrigin) for browsers that send neither header.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets

from fastapi import Request

__all__ = ["COOKIE", "FIELD", "FormTokenError", "FormTokens", "check_form_token"]

COOKIE = "isp_form"
FIELD = "form_token"
_NONCE = re.compile(r"[A-Za-z0-9_-]{43}")  # secrets.token_urlsafe(32)


class FormTokenError(Exception):
    """A form post without the token of a page this server showed (answered 403)."""


class FormTokens:
    def __init__(self, secret: bytes):
        self._secret = secret

    def nonce(self, request: Request) -> tuple[str, bool]:
        """The browser's cookie value, or a new one: (value, is_new)."""
        held = request.cookies.get(COOKIE, "")
        if _NONCE.fullmatch(held):
            return held, False
        return secrets.token_urlsafe(32), True

    def token(self, nonce: str) -> str:
        return hmac.new(self._secret, nonce.encode(), hashlib.sha256).hexdigest()

    def valid(self, request: Request, token: object) -> bool:
        held = request.cookies.get(COOKIE, "")
        return (isinstance(token, str) and bool(_NONCE.fullmatch(held))
                and hmac.compare_digest(self.token(held), token))


async def check_form_token(request: Request) -> None:
    """Every page's POST: refuse it unless it carries the token of a page this server showed."""
    if request.method != "POST":
        return
    form = await request.form()  # Starlette keeps it: the route reads the same form again
    tokens: FormTokens = request.app.state.form_tokens
    if not tokens.valid(request, form.get(FIELD)):
        raise FormTokenError
