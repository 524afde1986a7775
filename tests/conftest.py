"""Shared fixtures: the bundled ruleset, the repository paths, scenario builders and the register's stores."""

from __future__ import annotations

import copy
import dataclasses
import sqlite3
from pathlib import Path

import pg
import pytest

from isp_rules import default_ruleset, load_ruleset
from isp_rules.scenario import Scenario

pytest_plugins = ["web_fixtures"]  # the web app's client and Chromium for the browser tests (tests/web_fixtures.py)

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rulesets"
SCENARIOS = ROOT / "scenarios"

# A complete, lawful, one-off share between two signatories: every point settled.
COMPLETE = {
    "id": "complete-lawful-share",
    "title": "A council tells a school about a child in need",
    "as_of": "2026-12-01",
    "share": {
        "purpose": {"category": "statutory_duty"},
        "from": {"name": "City of York Council", "type": "local_authority", "signatory": True},
        "to": {"name": "Example School", "type": "school", "signatory": True},
        "relationship": "separate_controllers",
        "data": {"subjects": ["child"], "categories": ["identity", "education"], "identifiability": "identified",
                 "confidential": False, "volume": "individual", "minimised": True},
        "frequency": "one_off",
        "urgency": {"risk": "low", "emergency": False},
        "basis": {"article_6": "public_task", "legal_power": "Children Act 1989 s17"},
        "consent": {"status": "not_sought", "reason_not_sought": "cannot_reasonably_be_obtained"},
        "governance": {"agreement": "none", "dpia": "not_required", "privacy_notice": "covers"},
        "handling": {"transfer": "secure_email", "retention": "Until the child leaves the school"},
    },
}


def build(**changes) -> Scenario:
    """COMPLETE with dotted-path changes; a value of ... deletes the field (makes it unknown)."""
    data = copy.deepcopy(COMPLETE)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = data
        for part in parents:
            node = node.setdefault(part, {})
        if value is ...:
            node.pop(last, None)
        else:
            node[last] = value
    return Scenario.model_validate(data)


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory):
    """Keep the ruleset cache of test runs (and their subprocesses) out of the user's home."""
    import os

    old = os.environ.get("XDG_CACHE_HOME")
    os.environ["XDG_CACHE_HOME"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if old is None:
        os.environ.pop("XDG_CACHE_HOME", None)
    else:
        os.environ["XDG_CACHE_HOME"] = old


@pytest.fixture(scope="session")
def ruleset():
    return default_ruleset()


@pytest.fixture(scope="session")
def repo_ruleset():
    return load_ruleset(RULES)


# --- the register's two stores -------------------------------------------------------------


@dataclasses.dataclass
class Store:
    """A register store for a test: its target (a file or a URL) and raw SQL behind the library's back."""

    kind: str  # "sqlite" or "postgres"
    target: str
    tables: dict[str, str]  # {"records": ..., "meta": ...} as named in this store

    def sql(self, statement: str, *params) -> list[tuple]:
        """Run `statement`, with {records} and {meta} for the table names and ? for parameters."""
        statement = statement.format(**self.tables)
        if self.kind == "postgres":
            return pg.sql(self.target, statement.replace("?", "%s"), params)
        conn = sqlite3.connect(self.target)
        try:
            with conn:
                return conn.execute(statement, params).fetchall()
        finally:
            conn.close()


@pytest.fixture(scope="session")
def postgres_server():
    return pg.server_url()  # skips (or fails) once, for every test that needs it


@pytest.fixture
def pg_url(postgres_server):
    """A fresh, empty PostgreSQL database for one test."""
    with pg.fresh_database(postgres_server) as url:
        yield url


@pytest.fixture(params=["sqlite", "postgres"])
def store(request, tmp_path):
    """The register test runs once on a SQLite file and once on a fresh PostgreSQL database."""
    if request.param == "sqlite":
        return Store("sqlite", str(tmp_path / "r.sqlite"), {"records": "records", "meta": "meta"})
    url = request.getfixturevalue("pg_url")
    return Store("postgres", url, {"records": "isp_register_records", "meta": "isp_register_meta"})
