"""The decision register: append-only, hash-chained, atomic, safe with several writers."""

import json
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from isp_rules import assess
from isp_rules.cli import cli
from isp_rules.register import Register, RegisterError

from conftest import SCENARIOS, build

HERE = Path(__file__).resolve().parent
URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"


def fill(path, n=3):
    register = Register(path)
    for i in range(n):
        scenario = build(share__basis__article_6="legitimate_interests") if i % 2 else build()
        register.append(assess(scenario), scenario, by=f"officer-{i}")
    return register


def test_records_carry_when_who_scenario_verdict_and_ruleset(tmp_path, ruleset):
    register = fill(tmp_path / "r.sqlite")
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


def test_edits_are_detected_and_named(tmp_path):
    path = tmp_path / "r.sqlite"
    register = fill(path)
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE records SET verdict = 'allow' WHERE seq = 2")
    assert register.verify() == ["record 2: edited after it was recorded (hash does not match its contents)"]


@pytest.mark.parametrize("seq, expected", [
    (2, "record 2 deleted (the chain jumps to record 3)"),
    (3, "record 3 deleted from the end"),
])
def test_deletions_are_detected_and_named(tmp_path, seq, expected):
    path = tmp_path / "r.sqlite"
    register = fill(path)
    with sqlite3.connect(path) as conn:
        conn.execute("DELETE FROM records WHERE seq = ?", (seq,))
    assert expected in register.verify()


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


def test_four_processes_writing_200_records_each_lose_nothing(tmp_path):
    path = tmp_path / "r.sqlite"
    procs = [subprocess.Popen([sys.executable, str(HERE / "register_writer.py"), str(path), "200", f"w{i}", str(HERE)])
             for i in range(4)]
    for p in procs:
        assert p.wait(timeout=300) == 0
    register = Register(path)
    records = list(register.records())
    assert len(records) == 800
    assert [r.seq for r in records] == list(range(1, 801))
    assert {r.by.split("-")[0] for r in records} == {"w0", "w1", "w2", "w3"}
    assert register.verify() == []


def test_a_writer_killed_mid_run_leaves_no_half_record(tmp_path):
    path = tmp_path / "r.sqlite"
    proc = subprocess.Popen([sys.executable, str(HERE / "register_writer.py"), str(path), "100000", "k", str(HERE)],
                            stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "ready"
    deadline = time.time() + 60
    while time.time() < deadline:  # let it write for a while, then kill it without warning
        if path.exists() and sum(1 for _ in Register(path).records()) >= 50:
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    register = Register(path)
    records = list(register.records())
    assert len(records) >= 50
    assert [r.seq for r in records] == list(range(1, len(records) + 1))
    assert all(r.body.get("decision", {}).get("verdict") == r.verdict for r in records)
    assert register.verify() == []
    fill(path, 1)  # and it can still be written to
    assert register.verify() == []


def test_check_record_and_log_from_the_command_line(tmp_path):
    reg = tmp_path / "r.sqlite"
    runner = CliRunner()
    result = runner.invoke(cli, ["check", "--record", "--by", "A. Lead", "--register", str(reg), str(URGENT)])
    assert result.exit_code == 0 and "Recorded 1 decision(s)" in result.output
    text = runner.invoke(cli, ["log", "--register", str(reg)]).output
    assert "police-to-school-child-at-immediate-risk" in text and "by A. Lead" in text
    data = json.loads(runner.invoke(cli, ["log", "--register", str(reg), "--format", "json"]).output)
    assert data[0]["verdict"] == "allow" and data[0]["body"]["decision"]["ruleset"]["sha256"]
    csv = runner.invoke(cli, ["log", "--register", str(reg), "--format", "csv"]).output.splitlines()
    assert csv[0].startswith("seq,at,by,scenario,verdict") and len(csv) == 2
    assert runner.invoke(cli, ["log", "--register", str(reg), "--since", "2999-01-01"]).output.strip() == "0 record(s)"
    ok = runner.invoke(cli, ["log", "verify", "--register", str(reg)])
    assert ok.exit_code == 0 and "1 record(s), chain intact" in ok.output
    with sqlite3.connect(reg) as conn:
        conn.execute("UPDATE records SET by = 'someone else'")
    bad = runner.invoke(cli, ["log", "verify", "--register", str(reg)])
    assert bad.exit_code == 1 and "record 1: edited after it was recorded" in bad.output


def test_nothing_is_recorded_when_the_input_is_invalid(tmp_path):
    reg = tmp_path / "r.sqlite"
    bad = tmp_path / "bad.yaml"
    bad.write_text("share: {frequency: weekly}\n")
    result = CliRunner().invoke(cli, ["check", "--record", "--register", str(reg), str(URGENT), str(bad)])
    assert result.exit_code == 1
    assert not reg.exists()


def test_a_foreign_register_is_a_clear_error_on_the_command_line(tmp_path):
    reg = tmp_path / "r.sqlite"
    reg.write_text("hello")
    result = CliRunner().invoke(cli, ["check", "--record", "--register", str(reg), str(URGENT)])
    assert result.exit_code == 1 and "not an isp-rules register" in result.output
    assert reg.read_text() == "hello"


def test_several_decisions_are_recorded_in_one_transaction(tmp_path):
    register = Register(tmp_path / "r.sqlite")
    scenarios = [build(), build(share__basis__article_6="legitimate_interests")]
    records = register.append_many([(assess(s), s) for s in scenarios], by="batch")
    assert [r.seq for r in records] == [1, 2] and records[1].prev_hash == records[0].hash
    assert register.verify() == []


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
