"""PostgreSQL for the register tests: a fresh database per test, on the server named by
ISP_TEST_POSTGRES_URL (`eval "$(.ci/postgres.sh)"` starts one and sets it).

Without a server those tests skip and say why, except under ISP_REQUIRE_POSTGRES=1 (CI),
where they fail: CI must never pass by skipping the PostgreSQL store.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import pytest

from isp_rules.register import open_register
from isp_rules.register.postgres import redact

URL_ENV = "ISP_TEST_POSTGRES_URL"
REQUIRE_ENV = "ISP_REQUIRE_POSTGRES"
HOW = (f"set {URL_ENV}, e.g. postgresql://postgres@127.0.0.1:54329/postgres "
       '(eval "$(.ci/postgres.sh)" starts one)')


def server_url() -> str:
    """The server's URL, once it answers; otherwise skip the test (fail it if one is required)."""
    url = os.environ.get(URL_ENV)
    problem = None
    if not url:
        problem = f"no PostgreSQL server: {HOW}"
    else:
        try:
            import psycopg
        except ImportError:
            problem = "no PostgreSQL driver: pip install 'psycopg[binary]'"
        else:
            try:
                psycopg.connect(url, connect_timeout=5).close()
            except psycopg.Error as exc:
                problem = f"no PostgreSQL server: {redact(url)} does not answer ({' '.join(str(exc).split())}); {HOW}"
    if problem:
        if os.environ.get(REQUIRE_ENV) == "1":
            pytest.fail(f"{problem} [{REQUIRE_ENV}=1]", pytrace=False)
        pytest.skip(problem)
    return url


def database_url(server: str, name: str) -> str:
    return urlunsplit(urlsplit(server)._replace(path="/" + name))


@contextmanager
def fresh_database(server: str) -> Iterator[str]:
    """The URL of a new, empty database, dropped afterwards (whoever is still connected)."""
    name = f"isp_test_{uuid.uuid4().hex[:16]}"
    sql(server, f"CREATE DATABASE {name}")
    url = database_url(server, name)
    try:
        yield url
    finally:
        open_register(url).close()  # this process's cached connection to it
        sql(server, f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


def sql(url: str, statement: str, params: tuple = ()) -> list[tuple[Any, ...]]:
    """Run one statement on its own connection (autocommit); its rows, if it returns any."""
    import psycopg

    with psycopg.connect(url, autocommit=True) as conn:
        cur = conn.execute(statement, params)
        return cur.fetchall() if cur.description else []


def sessions(url: str) -> set[int]:
    """The backend pids connected to url's database, other than the one asking."""
    return {pid for (pid,) in sql(url, "SELECT pid FROM pg_stat_activity "
                                       "WHERE datname = current_database() AND pid <> pg_backend_pid()")}
