"""The decision register: append-only, hash-chained, atomic, safe with several writers.

Most tests run twice, through the `store` fixture: on a SQLite file and on a fresh
PostgreSQL database (see pg.py for how to point them at a server).
"""

import datetime as dt
import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pg
import pytest
from click.testing import CliRunner
from conftest import SCENARIOS, build

from isp_rules import assess
from isp_rules.cli import cli
from isp_rules.register import EmptyRegisterError, Register, RegisterError, open_register
from isp_rules.register.postgres import PostgresRegister
from isp_rules.register.sqlite import SqliteRegister
from isp_rules.settings import default_register_path

HERE = Path(__file__).resolve().parent
URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
WRITER = str(HERE / "register_writer.py")


def fill(target, n=3, at=None):
    register = open_register(target)
    for i in range(n):
        scenario = build(share__basis__article_6="legitimate_interests") if i % 2 else build()
        register.append(assess(scenario), scenario, by=f"officer-{i}", at=at)
    return register


def count(target) -> int:
    """How many records the register holds; 0 before its first write."""
    try:
        return sum(1 for _ in open_register(target).records())
    except RegisterError as exc:
        assert "no register here yet" in str(exc)
        return 0


def writers(target, n, records_each, *extra):
    return [subprocess.Popen([sys.executable, WRITER, target, str(records_each), f"w{i}", str(HERE.parent), *extra],
                             stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True) for i in range(n)]


# --- both stores ---------------------------------------------------------------------------


def test_records_carry_when_who_scenario_verdict_and_ruleset(store, ruleset):
    register = fill(store.target)
    records = list(register.records())
    assert [r.seq for r in records] == [1, 2, 3]
    assert [r.verdict for r in records] == ["allow", "deny", "allow"]
    first = records[0]
    assert first.by == "officer-0" and first.scenario == "complete-lawful-share"
    assert first.ruleset_sha256 == ruleset.sha256
    assert first.body["scenario"]["share"]["from"]["name"] == "City of York Council"
    assert first.body["decision"]["obligations"] and first.body["decision"]["reasons"]
    assert first.prev_hash == "0" * 64 and records[1].prev_hash == first.hash
    assert register.verify() == []


def test_records_since_a_date(store):
    fill(store.target, 2, at=dt.datetime(2026, 3, 1, 12, tzinfo=dt.UTC))
    fill(store.target, 1, at=dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC))
    register = open_register(store.target)
    assert [r.seq for r in register.records(dt.date(2026, 3, 2))] == [3]
    assert [r.seq for r in register.records(dt.date(2026, 3, 1))] == [1, 2, 3]
    assert list(register.records(dt.date(2026, 3, 3))) == []
    assert register.verify() == []


def test_edits_are_detected_and_named(store):
    register = fill(store.target)
    store.sql("UPDATE {records} SET verdict = 'allow' WHERE seq = 2")
    assert register.verify() == ["record 2: edited after it was recorded (hash does not match its contents)"]


@pytest.mark.parametrize("seq, expected", [
    (2, "record 2 deleted (the chain jumps to record 3)"),
    (3, "record 3 deleted from the end"),
])
def test_deletions_are_detected_and_named(store, seq, expected):
    register = fill(store.target)
    store.sql("DELETE FROM {records} WHERE seq = ?", seq)
    assert expected in register.verify()


def test_several_records_deleted_from_the_end_are_named(store):
    register = fill(store.target, 5)
    store.sql("DELETE FROM {records} WHERE seq >= 3")
    assert register.verify() == ["records 3 to 5 deleted from the end (the register had 5, now ends at 2)"]


def test_tables_of_another_format_are_refused_and_left_untouched(store):
    fill(store.target, 2)
    store.sql("UPDATE {meta} SET value = 'someone else''s log v9' WHERE key = 'format'")
    before = store.sql("SELECT * FROM {records} ORDER BY seq") + store.sql("SELECT * FROM {meta} ORDER BY key")
    with pytest.raises(RegisterError, match=r"not an isp-rules register \(format \"someone else's log v9\"\)"):
        fill(store.target, 1)
    with pytest.raises(RegisterError, match="not an isp-rules register"):
        open_register(store.target).verify()
    assert store.sql("SELECT * FROM {records} ORDER BY seq") + store.sql("SELECT * FROM {meta} ORDER BY key") == before


def test_several_decisions_are_recorded_in_one_transaction(store):
    register = open_register(store.target)
    scenarios = [build(), build(share__basis__article_6="legitimate_interests")]
    records = register.append_many([(assess(s), s) for s in scenarios], by="batch")
    assert [r.seq for r in records] == [1, 2] and records[1].prev_hash == records[0].hash
    assert [r.hash for r in register.records()] == [r.hash for r in records]
    assert register.verify() == []


def test_four_processes_writing_200_records_each_lose_nothing(store):
    procs = writers(store.target, 4, 200)
    for p in procs:
        p.stdin.close()
        assert p.wait(timeout=300) == 0
    register = open_register(store.target)
    records = list(register.records())
    assert len(records) == 800
    assert [r.seq for r in records] == list(range(1, 801))
    assert {r.by.split("-")[0] for r in records} == {"w0", "w1", "w2", "w3"}
    assert register.verify() == []


def test_first_writers_released_together_create_the_register_once(store):
    procs = writers(store.target, 8, 5, "--wait")
    for p in procs:
        assert p.stdout.readline().strip() == "ready"
    for p in procs:  # all of them find no register, at the same moment
        p.stdin.write("go\n")
        p.stdin.close()
    for p in procs:
        assert p.wait(timeout=120) == 0
    register = open_register(store.target)
    assert [r.seq for r in register.records()] == list(range(1, 41))
    assert register.verify() == []


def test_verify_while_others_write_sees_no_false_breaks(store):
    fill(store.target, 1)
    procs = writers(store.target, 2, 300)
    for p in procs:
        p.stdin.close()
    results = []
    while any(p.poll() is None for p in procs):
        results.append(open_register(store.target).verify())
    assert all(p.returncode == 0 for p in procs)
    assert results and all(r == [] for r in results), [r for r in results if r][:3]
    assert count(store.target) == 601


def test_a_writer_killed_mid_run_leaves_no_half_record(store):
    proc = subprocess.Popen([sys.executable, WRITER, store.target, "100000", "k", str(HERE.parent)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    deadline = time.time() + 60
    while time.time() < deadline and count(store.target) < 50:  # let it write for a while
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)  # then kill it without warning
    proc.wait()
    register = open_register(store.target)
    records = list(register.records())
    assert len(records) >= 50
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert all(r.body.get("decision", {}).get("verdict") == r.verdict for r in records)
    assert register.verify() == []
    fill(store.target, 1)  # and it can still be written to
    assert register.verify() == []


def test_check_record_and_log_from_the_command_line(store):
    reg = store.target
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--record", "--by", "A. Lead", "--register", reg, str(URGENT)])
    assert result.exit_code == 0 and f"Recorded 1 decision(s) in {open_register(reg).where}" in result.output
    text = runner.invoke(cli, ["log", "--register", reg]).output
    assert "police-to-school-child-at-immediate-risk" in text and "by A. Lead" in text
    data = json.loads(runner.invoke(cli, ["log", "--register", reg, "--format", "json"]).output)
    assert data[0]["verdict"] == "allow" and data[0]["body"]["decision"]["ruleset"]["sha256"]
    csv = runner.invoke(cli, ["log", "--register", reg, "--format", "csv"]).output.splitlines()
    assert csv[0].startswith("seq,at,by,scenario,verdict") and len(csv) == 2
    assert runner.invoke(cli, ["log", "--register", reg, "--since", "2999-01-01"]).output.strip() == "0 record(s)"
    ok = runner.invoke(cli, ["log", "verify", "--register", reg])
    assert ok.exit_code == 0 and "1 record(s), chain intact" in ok.output
    store.sql("UPDATE {records} SET by = 'someone else'")
    bad = runner.invoke(cli, ["log", "verify", "--register", reg])
    assert bad.exit_code == 1 and "record 1: edited after it was recorded" in bad.output


def test_nothing_is_recorded_when_the_input_is_invalid(store, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("share: {frequency: weekly}\n")
    result = CliRunner().invoke(cli, ["check", "--record", "--register", store.target, str(URGENT), str(bad)])
    assert result.exit_code == 1
    with pytest.raises(EmptyRegisterError, match="no register here yet"):
        list(open_register(store.target).records())


# --- choosing a store ----------------------------------------------------------------------


def test_the_target_chooses_the_store_and_where_never_shows_a_password(tmp_path, monkeypatch):
    register = open_register("postgresql://officer:s3cret@db.example:5433/isp?sslmode=require&password=s3cret")
    assert isinstance(register, PostgresRegister)
    assert register.where == "postgresql://officer@db.example:5433/isp?sslmode=require"
    assert open_register("postgres://officer:s3cret@db.example/isp").where == "postgres://officer@db.example/isp"
    assert open_register("postgresql:///isp").where == "postgresql:///isp"
    path = tmp_path / "r.sqlite"
    for target in (path, str(path)):
        assert isinstance(open_register(target), SqliteRegister) and open_register(target).where == str(path)
    monkeypatch.setenv("ISP_REGISTER", str(tmp_path / "default.sqlite"))
    assert open_register().where == str(default_register_path()) == str(tmp_path / "default.sqlite")
    assert Register is SqliteRegister


def test_psycopg_is_imported_only_for_a_postgresql_register(tmp_path):
    code = ("import sys; from isp_rules.cli import cli; from isp_rules.register import open_register; "
            f"open_register({str(tmp_path / 'r.sqlite')!r}); open_register('postgresql://h/db'); "
            "print('psycopg' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout == "False\n"


def test_without_psycopg_the_error_says_what_to_install(monkeypatch):
    monkeypatch.setitem(sys.modules, "psycopg", None)  # import psycopg now raises ImportError
    with pytest.raises(RegisterError, match=r"postgresql://u@h/db: .*pip install 'isp-rules\[postgres\]'"):
        open_register("postgresql://u:pw@h/db").verify()


@pytest.mark.parametrize("command", [["log"], ["log", "verify"], ["check", "--record", str(URGENT)]])
def test_an_unreachable_database_is_one_clear_line_without_the_password(command):
    url = "postgresql://officer:s3cret-pw@127.0.0.1:1/isp?connect_timeout=5"
    result = subprocess.run([sys.executable, "-m", "isp_rules.cli", *command, "--register", url],
                            check=False, capture_output=True, text=True, timeout=60)
    assert result.returncode == 1
    assert "s3cret" not in result.stdout + result.stderr and "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("isp: postgresql://officer@127.0.0.1:1/isp?connect_timeout=5: cannot connect to the register (")


def test_a_driver_message_that_quotes_the_password_is_shown_without_it():
    register = PostgresRegister("postgresql://officer:s3cr%40t@db.example/isp?password=other-s3cret")
    message = register._one_line(Exception("bad login\n\tofficer s3cr@t / s3cr%40t / other-s3cret"))
    assert message == "bad login officer *** / *** / ***"


# --- PostgreSQL only -----------------------------------------------------------------------


def test_both_stores_chain_the_same_records_to_the_same_hashes(tmp_path, pg_url):
    at = dt.datetime(2026, 5, 1, 8, 30, tzinfo=dt.UTC)
    in_file, in_database = fill(tmp_path / "r.sqlite", 4, at=at), fill(pg_url, 4, at=at)
    assert list(in_file.records()) == list(in_database.records())
    assert in_file.verify() == in_database.verify() == []


def test_other_apps_tables_in_a_shared_database_are_left_alone(pg_url):
    for table in ("meta", "records", "customers"):  # names the SQLite store uses, and another
        pg.sql(pg_url, f"CREATE TABLE {table} (key TEXT, value TEXT)")
        pg.sql(pg_url, f"INSERT INTO {table} VALUES ('format', 'theirs')")
    register = fill(pg_url, 2)
    assert register.verify() == [] and count(pg_url) == 2
    for table in ("meta", "records", "customers"):
        assert pg.sql(pg_url, f"SELECT * FROM {table}") == [("format", "theirs")]


@pytest.mark.parametrize("tables", [
    ["CREATE TABLE isp_register_records (id INT)"],
    ["CREATE TABLE isp_register_meta (name TEXT, data TEXT)", "CREATE TABLE isp_register_records (id INT)"],
])
def test_tables_with_our_names_but_not_ours_are_refused_and_left_untouched(pg_url, tables):
    for statement in tables:
        pg.sql(pg_url, statement)
    listing = "SELECT table_name, column_name FROM information_schema.columns WHERE table_schema = 'public' ORDER BY 1, 2"
    before = pg.sql(pg_url, listing)
    with pytest.raises(RegisterError, match=r"^postgresql://postgres@[^ ]+: not an isp-rules register .*left untouched$"):
        fill(pg_url, 1)
    assert pg.sql(pg_url, listing) == before
    assert pg.sql(pg_url, "SELECT count(*) FROM isp_register_records") == [(0,)]


def test_one_connection_per_process_is_kept_between_calls(pg_url):
    fill(pg_url, 2)
    first = pg.sessions(pg_url)
    assert len(first) == 1  # still open after the writes
    fill(pg_url, 2)
    list(open_register(pg_url).records())
    open_register(pg_url).verify()
    assert pg.sessions(pg_url) == first  # the same one, reused by every new register object


def test_a_connection_the_server_dropped_is_reopened(pg_url):
    fill(pg_url, 1)
    pg.sql(pg_url, "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                   "WHERE datname = current_database() AND pid <> pg_backend_pid()")
    fill(pg_url, 1)
    assert count(pg_url) == 2 and open_register(pg_url).verify() == []


def test_a_forked_child_uses_its_own_connection_and_leaves_the_parents_alone(pg_url):
    fill(pg_url, 1)
    (parent,) = pg.sessions(pg_url)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - the child reports through the pipe, never to pytest
        try:
            fill(pg_url, 1)
            os.write(write, json.dumps(sorted(pg.sessions(pg_url))).encode())
        finally:
            os._exit(0)
    os.close(write)
    seen_by_child = json.loads(os.read(read, 4096) or b"null")
    os.close(read)
    os.waitpid(child, 0)
    assert seen_by_child is not None and parent in seen_by_child and len(seen_by_child) == 2
    fill(pg_url, 1)
    assert parent in pg.sessions(pg_url)  # the child did not close the parent's session
    assert count(pg_url) == 3 and open_register(pg_url).verify() == []


# --- SQLite files only ---------------------------------------------------------------------


def test_a_foreign_or_corrupt_file_is_refused_and_left_untouched(tmp_path):
    foreign = tmp_path / "foreign.sqlite"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE customers (name TEXT)")
    junk = tmp_path / "junk.sqlite"
    junk.write_bytes(b"this is not a database at all" * 100)
    for path in (foreign, junk):
        before = path.read_bytes()
        with pytest.raises(RegisterError, match="not an isp-rules register"):
            fill(path, 1)
        assert path.read_bytes() == before


def test_a_foreign_register_is_a_clear_error_on_the_command_line(tmp_path):
    reg = tmp_path / "r.sqlite"
    reg.write_text("hello")
    result = CliRunner().invoke(cli, ["check", "--record", "--register", str(reg), str(URGENT)])
    assert result.exit_code == 1 and "not an isp-rules register" in result.output
    assert reg.read_text() == "hello"


def test_a_damaged_row_is_named_not_a_crash(tmp_path):
    path = tmp_path / "r.sqlite"
    register = fill(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE records SET body = x'00ff' WHERE seq = 2")
    assert "record 2: damaged (a field is missing or of the wrong type)" in register.verify()


def test_an_existing_file_is_never_turned_into_a_register(tmp_path):
    view_only = tmp_path / "views.sqlite"
    with sqlite3.connect(view_only) as conn:
        conn.execute("CREATE VIEW v AS SELECT 1")
    before = view_only.read_bytes()
    with pytest.raises(RegisterError, match="not an isp-rules register"):
        fill(view_only, 1)
    assert view_only.read_bytes() == before


def test_register_is_still_the_sqlite_file_register(tmp_path):
    register = Register(tmp_path / "r.sqlite")
    assert register.path == tmp_path / "r.sqlite" and register.where == str(tmp_path / "r.sqlite")
    fill(register.path, 2)
    assert [r.seq for r in Register(tmp_path / "r.sqlite").records()] == [1, 2]
