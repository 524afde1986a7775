"""Fixtures shared by the web tests (a pytest plugin, loaded by tests/conftest.py; a second
conftest.py would shadow the first's module name): the app's test client over each register
store, and for every tests/web/test_browser*.py file Debian's Chromium driven by
Playwright against `isp serve`, JavaScript off, a desktop and a phone viewport, and a folder for
screenshots kept as test output.

Skipped with a reason where Chromium or Playwright is missing, except under CI
(ISP_REQUIRE_BROWSER=1), where a missing browser fails the run.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from webutil import running_server

CHROMIUM = os.environ.get("ISP_CHROMIUM", "/usr/bin/chromium")
ROOT = Path(__file__).resolve().parents[2]
# Flags for a closed network: no background fetches that would fail (and slow each start).
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--disable-dev-shm-usage"]


def _missing() -> str | None:
    try:
        import playwright.sync_api  # noqa: F401
    except ImportError:
        return "Playwright for Python is not installed (pip install -e '.[test]')"
    if not (Path(CHROMIUM).exists() or shutil.which(CHROMIUM)):
        return f"no Chromium at {CHROMIUM}: apt-get install chromium (or set ISP_CHROMIUM)"
    return None


@pytest.fixture(scope="module")
def browser():
    reason = _missing()
    if reason:
        if os.environ.get("ISP_REQUIRE_BROWSER") == "1":
            pytest.fail(f"browser tests are required here (ISP_REQUIRE_BROWSER=1) but {reason}")
        pytest.skip(reason)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    folder = tmp_path_factory.mktemp("server")
    with running_server(folder) as (base, _):
        yield base


@pytest.fixture()
def page(browser, server):
    context = browser.new_context(java_script_enabled=False, base_url=server, accept_downloads=True,
                                  viewport={"width": 1100, "height": 900})
    yield context.new_page()
    context.close()


@pytest.fixture(scope="session")
def output_dir() -> Path:
    """Where the browser tests leave screenshots and downloads for a person (or CI) to look at."""
    folder = Path(os.environ.get("ISP_TEST_OUTPUT", ROOT / "test-output")) / "browser"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


PHONE = {"width": 390, "height": 844}  # a common phone width in CSS pixels


@pytest.fixture()
def phone(browser, server):
    """A page at a phone's width (390 px), JavaScript off."""
    context = browser.new_context(java_script_enabled=False, base_url=server, accept_downloads=True,
                                  viewport=PHONE, is_mobile=True)
    yield context.new_page()
    context.close()


def page_width(page) -> int:
    """The page's scrolling width in CSS pixels: more than the viewport means sideways scrolling."""
    return int(page.locator("html").evaluate("e => e.scrollWidth"))


# --- the app in-process ---------------------------------------------------------------

@pytest.fixture(params=["sqlite", "postgres"])
def register_target(request, tmp_path):
    """The server's register: a SQLite file, and a fresh PostgreSQL database (skipped locally
    with a reason when no server is available; required in CI)."""
    if request.param == "sqlite":
        return str(tmp_path / "register.sqlite")
    return request.getfixturevalue("pg_url")


@pytest.fixture()
def client(register_target):
    """The app in-process, posting the pages' forms as a browser does (webutil.browser_client)."""
    pytest.importorskip("fastapi.testclient")
    from webutil import browser_client

    from isp_rules.web import create_app

    with browser_client(create_app(database_url=register_target), raise_server_exceptions=False) as c:
        yield c
