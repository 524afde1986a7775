"""Helpers for the web tests: a real `isp serve` in a subprocess, and a form walker that
answers the guided questions the way a practitioner would (what they know, "Not sure" otherwise)."""

from __future__ import annotations

import contextlib
import html
import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

# The facts a practitioner knows in two cases the tests walk through the guided form.
URGENT_CHILD = {
    "share.purpose.category": "safeguarding_child",
    "share.urgency.risk": "serious_or_imminent",
    "share.urgency.emergency": "no",
    "share.frequency": "one_off",
    "share.from.type": "police",
    "share.to.type": "school",
    "share.data.subjects": ["child"],
    "share.data.categories": ["identity", "contact", "health"],
    "share.data.identifiability": "identified",
    "share.basis.article_6": "public_task",
    "share.basis.legal_power": "Children Act 2004 s11",
    "share.basis.article_9": "substantial_public_interest",
    "share.basis.schedule_1": "safeguarding",
    "share.basis.appropriate_policy_document": "yes",
    "share.relationship": "separate_controllers",
    "share.consent.status": "not_sought",
    "share.consent.reason_not_sought": "would_increase_risk",
    "share.confidentiality": "overriding_public_interest",
    "share.data.minimised": "yes",
    "share.handling.transfer": "verbal",
}
# A council relying on legitimate interests for its own task: unlawful whatever else is agreed.
COUNCIL_LEGITIMATE_INTERESTS = {
    "share.purpose.category": "service_delivery",
    "share.from.type": "local_authority",
    "share.to.type": "housing_association",
    "share.basis.article_6": "legitimate_interests",
}


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def running_server(tmp_path: Path, *args: str, env: dict | None = None, timeout: float = 60):
    """`isp serve` on a free loopback port; yields (base_url, process). Stopped afterwards."""
    port = free_port()
    log = open(tmp_path / f"server-{port}.log", "w+")  # noqa: SIM115  (closed when the server stops)
    full_env = {**os.environ, "ISP_REGISTER": str(tmp_path / "register.sqlite"), **(env or {})}
    proc = subprocess.Popen([sys.executable, "-m", "isp_rules", "serve", "--port", str(port), "--log-level", "warning", *args],
                            stdout=log, stderr=subprocess.STDOUT, env=full_env)
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + timeout
        while True:
            if proc.poll() is not None:
                log.seek(0)
                raise RuntimeError(f"isp serve exited with {proc.returncode}:\n{log.read()}")
            try:
                with urllib.request.urlopen(base + "/healthz", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise RuntimeError("isp serve did not answer /healthz in time")
            time.sleep(0.1)
        yield base, proc
    finally:
        proc.terminate()
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        log.close()


def hidden(page: str, name: str) -> str | None:
    m = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    return html.unescape(m.group(1)) if m else None


def shown_questions(page: str) -> list[str]:
    return [html.unescape(v) for v in re.findall(r'name="shown" value="([^"]*)"', page)]


def walk_form(client, answers: dict, max_pages: int = 30) -> tuple[str, list[str]]:
    """Answer the guided form over HTTP (a TestClient or httpx client) until the decision page.
    Returns the decision page and every question shown, in order."""
    page = client.get("/ask").text
    asked: list[str] = []
    for _ in range(max_pages):
        shown = shown_questions(page)
        if not shown:
            return page, asked
        asked += shown
        form: dict[str, list[str]] = {"state": [hidden(page, "state") or ""], "shown": shown}
        for path in shown:
            value = answers.get(path, "not_sure")
            form[path] = value if isinstance(value, list) else [value]
        response = client.post("/ask", data=form)
        assert response.status_code == 200, response.text
        page = response.text
    raise AssertionError(f"the form did not reach a decision in {max_pages} pages")


def browser_client(app, **kwargs):
    """A TestClient that posts the pages' forms as a browser does: from an address the server
    answers to (localhost), with the form token of the page that showed the form and its cookie.
    Tests of the protections themselves use a plain TestClient."""
    from fastapi.testclient import TestClient

    class BrowserClient(TestClient):
        _token: tuple[str | None, str] = (None, "")

        def form_token(self) -> str:
            """The token a page of this server gives this client's cookie (fetched once per cookie)."""
            held = self.cookies.get("isp_form")
            if held is None or self._token[0] != held:
                token = hidden(self.get("/check").text, "form_token")
                assert token, "the /check page carries no form token"
                self._token = (self.cookies.get("isp_form"), token)
            return self._token[1]

        def post(self, url, *args, data=None, files=None, **kw):  # type: ignore[override]
            form = data is not None or files is not None
            if form and not str(url).startswith(("/v1/", "http")) and (data is None or isinstance(data, dict)):
                data = dict(data or {})
                data.setdefault("form_token", self.form_token())
            return super().post(url, *args, data=data, files=files, **kw)

    kwargs.setdefault("base_url", "http://localhost")
    return BrowserClient(app, **kwargs)


AXE_TAGS = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21aa"]}}  # WCAG 2.1 A and AA


def assert_accessible(page) -> None:
    """axe-core finds no WCAG 2.1 A or AA violation (labels, contrast, landmarks...) on the page as
    it is now. axe is itself a script: the page's context needs JavaScript on (and bypass_csp)."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options=AXE_TAGS)
    assert results.violations_count == 0, results.generate_report()
