"""Privacy in the register: files only their owner can read, redaction and purging that keep the
chain verifiable, and listings that typed text cannot forge lines in or turn into formulas."""

import csv
import io
import json
import re
import stat
import subprocess
import sys

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS, build

from isp_rules import assess
from isp_rules.cli import cli
from isp_rules.register import Record, case_given, chain, open_register
from isp_rules.register.listing import csv_cell, render_log, shown
from isp_rules.register.signing import create_key

URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
DETAIL = "Jane Example, aged 7, told her teacher about bruises"
KEY_ENV = "ISP_REGISTER_KEY_FILE"


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    for name in (KEY_ENV, "ISP_REGISTER_KEY", "ISP_REGISTER_STATE"):
        monkeypatch.delenv(name, raising=False)


def record(target, detail=DETAIL, reference="CS-2026-0412 Jane Example", at=None, by="DSL"):
    scenario = build(share__purpose__detail=detail, title=f"About {detail}")
    return open_register(target).append(assess(scenario), scenario, by=by, at=at, case=case_given(reference, False))


def stored(store, seq):
    """The record's row exactly as the database holds it."""
    return store.sql(f"SELECT {chain.COLUMNS} FROM {{records}} WHERE seq = ?", seq)[0]


# --- file modes ----------------------------------------------------------------------------


def test_a_new_register_is_0600_in_folders_made_0700(tmp_path):
    reg = tmp_path / "made" / "for" / "it" / "r.sqlite"
    record(reg)
    assert stat.S_IMODE(reg.stat().st_mode) == 0o600
    for folder in (tmp_path / "made", tmp_path / "made" / "for", tmp_path / "made" / "for" / "it"):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder


def test_an_existing_folder_keeps_its_mode(tmp_path):
    folder = tmp_path / "shared"
    folder.mkdir(mode=0o755)
    folder.chmod(0o755)
    record(folder / "r.sqlite")
    assert stat.S_IMODE(folder.stat().st_mode) == 0o755
    assert stat.S_IMODE((folder / "r.sqlite").stat().st_mode) == 0o600


def test_a_register_given_as_a_symbolic_link_is_refused_and_nothing_is_made(tmp_path):
    """Through a link SQLite would create whatever it points to with the umask's permissions
    (0644 for a register of personal data), or open another file than the one named."""
    from isp_rules.register import RegisterError

    link = tmp_path / "link.sqlite"
    link.symlink_to(tmp_path / "real.sqlite")  # dangling: the target does not exist yet
    with pytest.raises(RegisterError, match="is a symbolic link"):
        record(link)
    assert not (tmp_path / "real.sqlite").exists()


def test_a_register_folder_that_cannot_be_created_is_exit_1_and_one_line(tmp_path):
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder")
    reg = blocker / "sub" / "r.sqlite"
    result = subprocess.run([sys.executable, "-m", "isp_rules.cli", "check", "--record", "--no-case-ref",
                             "--register", str(reg), str(URGENT)], capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [f"isp: {reg}: cannot create the register here (Not a directory)"]


# --- redaction -----------------------------------------------------------------------------


def test_a_redacted_record_still_verifies_and_its_text_is_gone(store):
    record(store.target)
    record(store.target, detail="another child", reference="CS-2")
    register = open_register(store.target)
    redacted = register.redact(1)
    assert "scenario.share.purpose.detail" in redacted and "case.reference" in redacted
    assert register.verify() == []
    row = stored(store, 1)
    assert "Jane Example" not in row[6] and "bruises" not in row[6]  # not in the database any more
    body = json.loads(row[6])
    assert body[chain.SALTS_KEY] == {}  # the salts went with the text: it cannot be guessed back
    assert set(body["case"]["reference"]) == {chain.REDACTED_KEY}
    first, second = register.records()
    assert first.body["case"]["reference"] == "[redacted]" and first.body["scenario"]["title"] == "[redacted]"
    assert first.body["scenario"]["share"]["purpose"]["category"]  # the coded facts stay
    assert first.verdict == second.verdict and first.by == "DSL"  # so do the verdict and who decided
    assert second.body["scenario"]["share"]["purpose"]["detail"] == "another child"  # the other record is untouched
    text = CliRunner().invoke(cli, ["log", "--register", store.target]).output
    assert "Case reference: [redacted]" in text and "Jane" not in text


def test_redaction_takes_the_decisions_words_that_quote_the_text(store):
    """A rule's message quotes the parties' names; redacting a record takes those messages too."""
    scenario = build(share__from__name="Jane Example Childminding")
    open_register(store.target).append(assess(scenario), scenario, by="DSL")
    assert "Jane Example Childminding" in stored(store, 1)[6].split('"decision"')[1]
    open_register(store.target).redact(1)
    assert "Jane Example" not in stored(store, 1)[6]
    assert open_register(store.target).verify() == []


def test_a_redacted_text_cannot_be_changed_afterwards(store):
    record(store.target)
    open_register(store.target).redact(1)
    row = stored(store, 1)
    body = json.loads(row[6])
    body["case"]["reference"] = {chain.REDACTED_KEY: "0" * 64}
    store.sql("UPDATE {records} SET body = ? WHERE seq = 1", json.dumps(body))
    assert open_register(store.target).verify() == [("record 1: edited after it was recorded (hash does not match "
                                                    "its contents)")]


def test_a_text_not_yet_redacted_cannot_be_changed(store):
    record(store.target)
    store.sql("UPDATE {records} SET body = replace(body, 'bruises', 'nothing') WHERE seq = 1")
    assert open_register(store.target).verify() == [("record 1: edited after it was recorded (hash does not match "
                                                    "its contents)")]


def test_what_cannot_be_redacted_is_refused_in_one_line(store):
    register = open_register(store.target)
    scenario = build()
    old_body = chain._canonical({"decision": assess(scenario).to_json()})
    at, sha = "2026-06-01T08:00:00+00:00", assess(scenario).ruleset.sha256

    def old_version(state):  # a record written before redaction existed
        digest = chain._hash(chain.GENESIS, 1, at, "old", scenario.id, "allow", sha, old_body)
        return chain.Change(insert=[(1, at, "old", scenario.id, "allow", sha, old_body, chain.GENESIS, digest)],
                            meta={"head": f"1 {digest}"})

    register._write(old_version)
    record(store.target)
    runner = CliRunner()
    for seq, words in ((1, "record 1 was written before records could be redacted; it was left untouched"),
                       (3, "there is no record 3")):
        result = runner.invoke(cli, ["log", "redact", str(seq), "--yes", "--register", store.target])
        assert result.exit_code == 1 and words in result.output and len(result.output.strip().splitlines()) == 1
    assert runner.invoke(cli, ["log", "redact", "2", "--yes", "--register", store.target]).exit_code == 0
    again = runner.invoke(cli, ["log", "redact", "2", "--yes", "--register", store.target])
    assert again.exit_code == 1 and "record 2 holds no free text left to redact" in again.output
    assert register.verify() == []


def test_redact_asks_first(store):
    record(store.target)
    result = CliRunner().invoke(cli, ["log", "redact", "1", "--register", store.target], input="n\n")
    assert result.exit_code == 1 and "cannot be undone" in result.output
    assert "Jane" in stored(store, 1)[6]


def test_a_signed_register_still_verifies_after_redaction(store, tmp_path, monkeypatch):
    _, _, public = create_key(tmp_path / "key")
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "key"))
    record(store.target)
    record(store.target)
    monkeypatch.delenv(KEY_ENV)  # redaction needs no key: no hash changes
    open_register(store.target).redact(1)
    assert open_register(store.target).check(public).problems == []


# --- purging -------------------------------------------------------------------------------


def at(day):
    import datetime as dt

    return dt.datetime(2020, 1, day, 12, tzinfo=dt.UTC)


def test_purge_leaves_tombstones_and_the_chain_still_verifies(store):
    for day in (1, 2, 3):
        record(store.target, at=at(day))
    result = CliRunner().invoke(cli, ["log", "purge", "--before", "2020-01-03", "--yes", "--register", store.target])
    assert result.exit_code == 0 and "purged 2 record(s)" in result.output, result.output
    assert [r.seq for r in open_register(store.target).records()] == [3]
    tomb = stored(store, 1)
    assert tomb[4] == chain.PURGED and tomb[6] == "" and tomb[2] == "" and tomb[3] is None
    assert tomb[8] and tomb[7] == chain.GENESIS  # seq, prev_hash and hash kept
    assert open_register(store.target).verify() == []
    record(store.target)  # and the chain goes on
    ok = CliRunner().invoke(cli, ["log", "verify", "--register", store.target])
    assert ok.exit_code == 0 and "2 record(s) and 2 purged, chain intact" in ok.output
    assert open_register(store.target).get(1) is None
    nothing = CliRunner().invoke(cli, ["log", "purge", "--before", "2020-01-03", "--yes", "--register", store.target])
    assert nothing.exit_code == 0 and "nothing purged" in nothing.output


def test_a_signed_register_is_purged_with_its_key_and_the_new_count_signed(store, tmp_path, monkeypatch):
    _, _pub, public = create_key(tmp_path / "key")
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "key"))
    for day in (1, 2, 3):
        record(store.target, at=at(day))
    monkeypatch.delenv(KEY_ENV)
    refused = CliRunner().invoke(cli, ["log", "purge", "--before", "2020-01-03", "--yes", "--register", store.target])
    assert refused.exit_code == 1 and "this register is signed" in refused.output
    done = CliRunner().invoke(cli, ["log", "purge", "--before", "2020-01-03", "--yes", "--key", str(tmp_path / "key"),
                                    "--register", store.target])
    assert done.exit_code == 0, done.output
    found = open_register(store.target).check(public)
    assert found.problems == [] and found.records == 1 and found.purged == 2


def test_a_record_emptied_into_a_tombstone_without_the_key_is_detected(store, tmp_path, monkeypatch):
    _, _, public = create_key(tmp_path / "key")
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "key"))
    for day in (1, 2, 3):
        record(store.target, at=at(day))
    store.sql("UPDATE {records} SET by = '', scenario = NULL, verdict = 'purged', ruleset_sha256 = '', body = '' "
              "WHERE seq = 2")
    assert open_register(store.target).verify() == []  # a tombstone links the chain like any other
    assert open_register(store.target).check(public).problems == [
        "the key signed 3 record(s) at record 3, but the register holds 2: records were emptied without a signed purge"]


# --- listings ------------------------------------------------------------------------------


def test_text_escapes_control_characters_so_no_line_can_be_forged(store):
    forged = "a\n    2  1 Jan 2026 09:00 GMT  deny             x  by y\x1b[2J\u202e"
    record(store.target, by=forged, reference="CS-X")
    # A reference is refused with such characters now; a register written before may hold one.
    store.sql("UPDATE {records} SET body = replace(body, ?, ?) WHERE seq = 1", '"CS-X"', '"CS\\u001b[31mX"')
    text = CliRunner().invoke(cli, ["log", "--register", store.target]).output
    first = text.splitlines()[0]
    assert first.endswith("by a\\n    2  1 Jan 2026 09:00 GMT  deny             x  by y\\x1b[2J\\u202e")
    assert "\x1b" not in text and "\u202e" not in text
    assert "Case reference: CS\\x1b[31mX" in text
    assert sum(1 for line in text.splitlines() if re.match(r" *\d+  \d", line)) == 1  # one record, one first line


def test_shown_leaves_ordinary_text_alone():
    assert shown("Zoë O'Brien — DSL, Tŷ Gwyn") == "Zoë O'Brien — DSL, Tŷ Gwyn"
    assert shown("a\tb\rc\x00d\x7f\x85") == "a\\tb\\rc\\x00d\\x7f\\x85"


@pytest.mark.parametrize("cell", ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)",
                                  "\tcmd", "\rcmd"])
def test_csv_cells_that_start_a_formula_are_escaped(cell):
    assert csv_cell(cell) == "'" + cell.replace("\r", "\n")
    r = Record(1, "2026-12-01T09:00:00+00:00", cell, None, "allow", "a" * 64,
               {"case": {"reference": cell, "no_reference": False, "parties": {}}}, "0" * 64, "b" * 64)
    row = list(csv.reader(io.StringIO(render_log([r], "csv"))))[1]
    assert row[2] == row[8] == "'" + cell.replace("\r", "\n")  # the case reference and who decided


def test_csv_leaves_other_cells_alone():
    assert csv_cell("CS-1") == "CS-1" and csv_cell(7) == 7 and csv_cell("") == "" and csv_cell("a=b") == "a=b"


def test_csv_from_the_command_line_is_escaped(store):
    record(store.target, by="=cmd|' /C calc'!A0", reference="+CS-1")
    rows = list(csv.reader(io.StringIO(CliRunner().invoke(cli, ["log", "--format", "csv", "--register",
                                                                 store.target]).output)))
    assert rows[1][2] == "'+CS-1" and rows[1][8] == "'=cmd|' /C calc'!A0"


# --- every new command explains itself ---------------------------------------------------


@pytest.mark.parametrize("command", [["log", "verify"], ["log", "key"], ["log", "key", "create"], ["log", "init"],
                                     ["log", "checkpoint"], ["log", "redact"], ["log", "purge"]])
def test_each_command_has_help_with_an_example(command):
    result = CliRunner().invoke(cli, [*command, "--help"])
    assert result.exit_code == 0 and "Example:" in result.output and f"isp {' '.join(command)}" in result.output
