"""The decision register: append-only, hash-chained, atomic, safe with several writers.

Most tests run twice, through the `store` fixture: on a SQLite file and on a fresh
PostgreSQL database (see pg.py for how to point them at a server).
"""

import datetime as dt
import json
import os
import re
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
from isp_rules.register import EmptyRegisterError, Register, RegisterError, case_given, chain, describe, open_register
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


def test_isp_log_since_is_a_uk_date(store):
    """Half past midnight on 2 July in UK time (BST) is 23:30 UTC on 1 July: `isp log --since
    2026-07-02` lists it, as the listing shows it on 2 July; the library's date stays UTC."""
    fill(store.target, 1, at=dt.datetime(2026, 7, 1, 22, 59, tzinfo=dt.UTC))  # 23:59 BST on 1 July
    fill(store.target, 1, at=dt.datetime(2026, 7, 1, 23, 30, tzinfo=dt.UTC))  # 00:30 BST on 2 July
    text = CliRunner().invoke(cli, ["log", "--register", store.target, "--since", "2026-07-02"]).output
    assert "2 Jul 2026 00:30 BST" in text and "1 Jul 2026" not in text and text.endswith("1 record(s)\n")
    assert [r.seq for r in open_register(store.target).records(dt.date(2026, 7, 2))] == []


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
    result = runner.invoke(cli, ["check", "--record", "--by", "A. Lead", "--case-ref", "CS-2026-0412",
                                 "--register", reg, str(URGENT)])
    assert result.exit_code == 0 and f"Recorded 1 decision(s) in {open_register(reg).where}" in result.output
    text = runner.invoke(cli, ["log", "--register", reg]).output
    assert "police-to-school-child-at-immediate-risk" in text and "by A. Lead" in text
    assert "Case reference: CS-2026-0412" in text and "From: North Yorkshire Police" in text
    assert re.search(r"\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d (GMT|BST)", text)  # UK time, the zone named
    data = json.loads(runner.invoke(cli, ["log", "--register", reg, "--format", "json"]).output)
    assert data[0]["verdict"] == "allow" and data[0]["body"]["decision"]["ruleset"]["sha256"]
    assert data[0]["body"]["case"]["reference"] == "CS-2026-0412"
    csv = runner.invoke(cli, ["log", "--register", reg, "--format", "csv"]).output.splitlines()
    assert csv[0].startswith("No.,When (UK time),Case reference,From,To,Information,Purpose,Consent sought,Decided by")
    assert len(csv) == 2 and ",CS-2026-0412,North Yorkshire Police," in csv[1]
    assert runner.invoke(cli, ["log", "--register", reg, "--since", "2999-01-01"]).output.strip() == "0 record(s)"
    ok = runner.invoke(cli, ["log", "verify", "--register", reg])
    assert ok.exit_code == 0 and "1 record(s), chain intact" in ok.output
    store.sql("UPDATE {records} SET by = 'someone else'")
    bad = runner.invoke(cli, ["log", "verify", "--register", reg])
    assert bad.exit_code == 1 and "record 1: edited after it was recorded" in bad.output


def test_a_listing_drawn_from_a_broken_register_says_so(store, tmp_path):
    """isp log, isp ropa and isp map read records as evidence of what was decided: each warns,
    on standard error, when the chain shows an edit (isp log verify lists every problem)."""
    reg = store.target
    runner = CliRunner()
    runner.invoke(cli, ["check", "--record", "--by", "A. Lead", "--no-case-ref", "--register", reg, str(URGENT)])
    commands = (["log"], ["ropa"], ["map", "-o", str(tmp_path / "map.svg")])
    for command in commands:
        assert "warning:" not in runner.invoke(cli, [*command, "--register", reg]).output, command
    store.sql("UPDATE {records} SET by = 'someone else'")
    for command in commands:
        result = runner.invoke(cli, [*command, "--register", reg])
        assert result.exit_code == 0, command
        assert ("warning: the register fails its check (record 1: edited after it was recorded (hash does not "
                "match its contents)): some records may not be what was decided.") in result.output, command


def test_check_record_needs_a_case_reference_or_an_explicit_none(store):
    runner = CliRunner()
    missing = runner.invoke(cli, ["check", "--record", "--register", store.target, str(URGENT)])
    assert missing.exit_code == 2 and "--case-ref REF, or --no-case-ref" in missing.output
    both = runner.invoke(cli, ["check", "--record", "--case-ref", "X1", "--no-case-ref", "--register", store.target, str(URGENT)])
    assert both.exit_code == 2 and "not both" in both.output
    blank = runner.invoke(cli, ["check", "--record", "--case-ref", "  ", "--register", store.target, str(URGENT)])
    assert blank.exit_code == 2
    assert count(store.target) == 0  # nothing decided, nothing recorded
    none = runner.invoke(cli, ["check", "--record", "--no-case-ref", "--register", store.target, str(URGENT)])
    assert none.exit_code == 0
    text = runner.invoke(cli, ["log", "--register", store.target]).output
    assert "Case reference: none: the decider said there is no case reference" in text


def test_nothing_is_recorded_when_the_input_is_invalid(store, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("share: {frequency: weekly}\n")
    result = CliRunner().invoke(cli, ["check", "--record", "--case-ref", "CS-1", "--register", store.target,
                                      str(URGENT), str(bad)])
    assert result.exit_code == 1
    with pytest.raises(EmptyRegisterError, match="no register here yet"):
        list(open_register(store.target).records())


def test_the_case_details_are_inside_the_hash(store):
    register = open_register(store.target)
    scenario = build()
    record = register.append(assess(scenario), scenario, by="DSL", case=case_given("CS-7", False))
    assert record.body["case"] == {"reference": "CS-7", "no_reference": False,
                                   "parties": {"from": "City of York Council", "to": "Example School"}}
    assert next(iter(register.records())).body["case"]["reference"] == "CS-7"
    assert register.verify() == []
    store.sql("UPDATE {records} SET body = replace(body, '\"CS-7\"', '\"CS-8\"')")
    assert next(iter(register.records())).body["case"]["reference"] == "CS-8"  # the edit took effect...
    assert register.verify() == ["record 1: edited after it was recorded (hash does not match its contents)"]


def test_a_register_written_before_the_case_details_still_verifies_and_reads(store):
    """Records written by the previous version (no "case" in the body) and new ones chain and
    verify together; the old ones say their case reference was not recorded."""
    register = open_register(store.target)
    scenario = build()
    old_body = json.dumps({"decision": assess(scenario).to_json(),
                           "scenario": scenario.model_dump(mode="json", by_alias=True, exclude_none=True)},
                          sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    at, sha = "2026-06-01T08:00:00+00:00", assess(scenario).ruleset.sha256

    def old_version(state):  # exactly the rows the previous version wrote
        digest = chain._hash(chain.GENESIS, 1, at, "old DSL", scenario.id, "allow", sha, old_body)
        return chain.Change(insert=[(1, at, "old DSL", scenario.id, "allow", sha, old_body, chain.GENESIS, digest)],
                            meta={"head": f"1 {digest}"})

    register._write(old_version)
    register.append(assess(scenario), scenario, by="new DSL", case=case_given(None, True))
    assert register.verify() == []
    old, new = (describe(r) for r in register.records())
    assert old.case_reference == "not recorded" and old.when == "1 Jun 2026 09:00 BST"
    assert old.shared_by == "City of York Council" and old.decided_by == "old DSL"
    assert new.case_reference.startswith("none")
    assert CliRunner().invoke(cli, ["log", "verify", "--register", store.target]).exit_code == 0


def test_a_case_reference_is_one_line_and_not_too_long():
    assert case_given("  CS 12\n/34 ", False).reference == "CS 12 /34"
    with pytest.raises(ValueError, match="at most 100"):
        case_given("x" * 101, False)
    with pytest.raises(ValueError, match="or say that there is no case reference"):
        case_given("", False)
    with pytest.raises(ValueError, match="not both"):
        case_given("CS-1", True)


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


@pytest.mark.parametrize("command", [["log"], ["log", "verify"], ["check", "--record", "--no-case-ref", str(URGENT)]])
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


def test_both_stores_chain_the_same_records_to_the_same_hashes(tmp_path, pg_url, monkeypatch):
    monkeypatch.setattr(chain, "_new_salt", lambda: "5a" * 16)  # the same salts for both stores (random otherwise)
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
    result = CliRunner().invoke(cli, ["check", "--record", "--case-ref", "CS-1", "--register", str(reg), str(URGENT)])
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
