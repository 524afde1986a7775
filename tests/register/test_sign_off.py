"""Sign-off: an approver approves or rejects a recorded decision; the sign-off is a record of its
own, chained and signed like the decision, and every listing shows each decision's status.

Most tests run on a SQLite file and on PostgreSQL (the `store` fixture)."""

import csv
import io
import json

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS, build

from isp_rules import assess
from isp_rules.cli import cli
from isp_rules.register import (
    DECISION,
    SIGN_OFF,
    EmptyRegisterError,
    NotAllowedError,
    RegisterError,
    SignOffError,
    chain,
    local_actor,
    open_register,
    sign_off,
    status_of,
    statuses,
)
from isp_rules.register.listing import CSV_COLUMNS, render_log
from isp_rules.register.signing import create_key

URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
KEY_ENV = "ISP_REGISTER_KEY_FILE"
DPO = local_actor("A. Patel, DPO", ["approver"], "apatel")


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    for name in (KEY_ENV, "ISP_REGISTER_KEY", "ISP_REGISTER_STATE"):
        monkeypatch.delenv(name, raising=False)


def fill(target, n=2):
    register = open_register(target)
    for i in range(n):
        register.append(assess(build()), build(), by=f"officer-{i}")
    return register


def test_a_sign_off_is_a_new_chained_record_and_the_latest_one_counts(store):
    register = fill(store.target)
    before = [r.hash for r in register.records()]
    rejected = sign_off(register, 1, "rejected", "Consent should have been sought", DPO)
    approved = sign_off(register, 1, "approved", "  Asking would have put\n the child at risk  ", DPO)
    assert (rejected.seq, rejected.decision, rejected.verdict) == (3, 1, "rejected")
    assert approved.note == "Asking would have put\nthe child at risk"
    records = list(register.records())
    assert [r.hash for r in records[:2]] == before  # the decisions themselves are untouched
    assert [(r.seq, r.kind, r.verdict, r.by) for r in records[2:]] == [
        (3, SIGN_OFF, "rejected", "A. Patel, DPO"), (4, SIGN_OFF, "approved", "A. Patel, DPO")]
    assert records[3].prev_hash == records[2].hash and records[2].prev_hash == records[1].hash
    body = records[2].body["sign_off"]
    assert body == {"decision": 1, "decision_hash": before[0], "verdict": "rejected",
                    "note": "Consent should have been sought", "roles": ["approver"], "identified": "local user apatel"}
    assert records[2].scenario == records[0].scenario and records[2].ruleset_sha256 == records[0].ruleset_sha256
    assert register.check().problems == []
    status = status_of(register, 1)
    assert status.status == "approved" and [s.verdict for s in status.history] == ["rejected", "approved"]
    assert status_of(register, 2).status == "recorded" and status_of(register, 2).history == ()
    assert status_of(register, 3) is None and status_of(register, 99) is None  # a sign-off is not a decision
    assert set(statuses(register)) == {1}


def test_records_can_be_read_by_kind(store):
    register = fill(store.target, 3)
    sign_off(register, 2, "approved", "ok", DPO)
    assert [r.seq for r in register.records()] == [1, 2, 3, 4]
    assert [r.seq for r in register.records(kind=DECISION)] == [1, 2, 3]
    assert [r.seq for r in register.records(kind=SIGN_OFF)] == [4]
    assert [r.seq for r in register.records(kind=DECISION, newest_first=True, limit=2)] == [3, 2]
    with pytest.raises(ValueError, match="no kind of record"):
        list(register.records(kind="note"))


def test_only_a_recorded_decision_can_be_signed_off_and_not_by_its_decider(store):
    register = fill(store.target)
    sign_off(register, 1, "approved", "ok", DPO)
    with pytest.raises(RegisterError, match="there is no record 9"):
        sign_off(register, 9, "approved", "ok", DPO)
    with pytest.raises(RegisterError, match="record 3 is a sign-off, not a decision"):
        sign_off(register, 3, "approved", "ok", DPO)
    with pytest.raises(RegisterError, match="someone other than who decided it"):
        sign_off(register, 2, "approved", "ok", local_actor("Officer-1", ["approver"]))
    with pytest.raises(NotAllowedError, match="needs the approver role"):
        sign_off(register, 2, "approved", "ok", local_actor("K. Jones", ["practitioner", "administrator"]))
    with pytest.raises(SignOffError, match="approves or rejects"):
        sign_off(register, 2, "maybe", "ok", DPO)
    with pytest.raises(SignOffError, match="give a note"):
        sign_off(register, 2, "approved", " \n ", DPO)
    with pytest.raises(SignOffError, match="at most 2000"):
        sign_off(register, 2, "approved", "x" * 2001, DPO)
    assert [r.seq for r in register.records()] == [1, 2, 3]  # nothing was written by the refusals


def test_a_purged_decision_cannot_be_signed_off(store):
    import datetime as dt

    register = open_register(store.target)
    register.append(assess(build()), build(), by="DSL", at=dt.datetime(2019, 1, 1, tzinfo=dt.UTC))
    register.append(assess(build()), build(), by="DSL")
    assert register.purge(dt.datetime(2020, 1, 1, tzinfo=dt.UTC)) == [1]
    with pytest.raises(RegisterError, match="record 1 was purged"):
        sign_off(register, 1, "approved", "ok", DPO)
    assert status_of(register, 1) is None
    sign_off(register, 2, "approved", "ok", DPO)
    assert register.check().problems == []



@pytest.mark.parametrize("edit", ["UPDATE {records} SET verdict = 'deny' WHERE seq = 2",
                                  "UPDATE {records} SET body = 'not json' WHERE seq = 2"])
def test_a_record_changed_since_it_was_recorded_cannot_be_signed_off(store, edit):
    """A sign-off vouches for the decision as recorded: chained to a record edited in the
    database it would vouch for something nobody decided."""
    register = fill(store.target)
    store.sql(edit)
    with pytest.raises(RegisterError, match="record 2 was changed after it was recorded"):
        sign_off(register, 2, "approved", "ok", DPO)
    assert [r.seq for r in register.records()] == [1, 2]  # nothing was written
    sign_off(register, 1, "approved", "ok", DPO)  # an intact record still can be

def test_no_register_no_sign_off_and_none_is_created(tmp_path):
    register = open_register(tmp_path / "none.sqlite")
    with pytest.raises(EmptyRegisterError):
        sign_off(register, 1, "approved", "ok", DPO)
    assert not (tmp_path / "none.sqlite").exists()
    assert statuses(register) == {} and status_of(register, 1) is None


def test_sign_offs_are_signed_like_any_record(store, tmp_path, monkeypatch):
    key_path = tmp_path / "keys" / "register-key"
    _, _, public = create_key(key_path)
    monkeypatch.setenv(KEY_ENV, str(key_path))
    register = fill(store.target)
    sign_off(register, 1, "approved", "ok", DPO)
    found = register.check(public)
    assert found.problems == [] and found.signed_to == 3 and found.records == 3
    # Turning the approval into a rejection behind the library's back is found by the chain...
    store.sql("UPDATE {records} SET verdict = 'rejected' WHERE seq = 3")
    assert register.check().problems == ["record 3: edited after it was recorded (hash does not match its contents)"]
    # ... and, when the hash and head are recomputed to fool the chain, by the key.
    seq, at, by, scenario, _, sha, body, prev, _ = store.sql(f"SELECT {chain.COLUMNS} FROM {{records}} WHERE seq = 3")[0]
    digest = chain._hash(prev, seq, at, by, scenario, "rejected", sha, chain._hashed_body(body)[0])
    store.sql("UPDATE {records} SET hash = ? WHERE seq = 3", digest)
    store.sql("UPDATE {meta} SET value = ? WHERE key = 'head'", f"3 {digest}")
    assert register.check().problems == []  # the chain alone is fooled
    assert register.check(public).problems == ["the chain was rewritten: record 3 is not the record the key signed"]


def test_a_sign_off_note_can_be_redacted_and_the_register_still_verifies(store):
    register = fill(store.target)
    sign_off(register, 1, "rejected", "Jane Example's mother was not asked", DPO)
    assert register.redact(3) == ["sign_off.note"]
    assert "Jane Example" not in str(store.sql("SELECT body FROM {records} WHERE seq = 3"))
    assert status_of(register, 1).latest.note == chain.REDACTED_TEXT
    assert register.check().problems == []


def test_a_register_without_sign_offs_lists_as_before(store):
    register = fill(store.target)
    records = list(register.records())
    text = render_log(records, "text", statuses(register))
    assert text.endswith("\n2 record(s)\n") and text.count("Status: recorded, not signed off yet") == 2
    data = json.loads(render_log(records, "json", statuses(register)))
    assert [(r["seq"], r["status"], r["sign_offs"]) for r in data] == [(1, "recorded", []), (2, "recorded", [])]


# --- isp log ---------------------------------------------------------------------------------


def run(*args):
    result = CliRunner().invoke(cli, [str(a) for a in args])
    assert "Traceback" not in result.output
    return result


@pytest.fixture
def signed_off(store):
    """Two decisions; the first rejected then approved by the DPO through the command line."""
    for by in ("J. Smith, DSL", "K. Jones"):
        assert run("check", URGENT, "--record", "--by", by, "--case-ref", "CS-1", "--register", store.target).exit_code == 0
    for word, note in (("reject", "Consent should have been sought"), ("approve", "Asking would have put the child at risk")):
        done = run("log", word, 1, "--by", "A. Patel, DPO", "--note", note, "--register", store.target)
        assert done.exit_code == 0, done.output
        assert done.stdout.startswith(f"{open_register(store.target).where}: decision 1 {word}")
    return store


def test_isp_log_shows_each_decisions_status_and_who_signed(signed_off):
    text = run("log", "--register", signed_off.target).stdout
    blocks = text.split("\n\n")
    first = " ".join(blocks[0].split())
    assert "Status: approved by A. Patel, DPO (approver; local user " in first
    assert "sign-off record 4: Asking would have put the child at risk" in first
    assert "Earlier sign-off: rejected by A. Patel, DPO" in first and "Consent should have been sought" in first
    assert "Status: recorded, not signed off yet" in blocks[1]
    assert text.endswith("\n4 record(s): 2 decision(s), 2 sign-off(s)\n")
    verify = run("log", "verify", "--register", signed_off.target)
    assert verify.exit_code == 0 and "4 record(s), chain intact" in verify.stdout


def test_isp_log_csv_has_a_row_per_decision_with_its_status(signed_off):
    rows = list(csv.reader(io.StringIO(run("log", "--format", "csv", "--register", signed_off.target).stdout)))
    assert rows[0] == CSV_COLUMNS
    header = {name: i for i, name in enumerate(rows[0])}
    assert [r[header["No."]] for r in rows[1:]] == ["1", "2"]  # sign-offs are folded into their decision
    first, second = rows[1], rows[2]
    assert (first[header["Status"]], first[header["Signed off by"]]) == ("approved", "A. Patel, DPO")
    assert first[header["Sign-off note"]] == "Asking would have put the child at risk"
    assert first[header["Signed off (UK time)"]].endswith(("GMT", "BST", "UTC"))
    assert first[header["Earlier sign-offs"]].startswith("rejected by A. Patel, DPO")
    assert (second[header["Status"]], second[header["Signed off by"]], second[header["Earlier sign-offs"]]) == \
        ("recorded", "", "")


def test_isp_log_json_keeps_every_record_and_each_decisions_status(signed_off):
    data = json.loads(run("log", "--format", "json", "--register", signed_off.target).stdout)
    assert [(r["seq"], r["verdict"]) for r in data] == [(1, "allow"), (2, "allow"), (3, "rejected"), (4, "approved")]
    assert data[0]["status"] == "approved" and [s["seq"] for s in data[0]["sign_offs"]] == [3, 4]
    assert data[1]["status"] == "recorded" and "status" not in data[2]
    assert data[3]["body"]["sign_off"]["decision"] == 1


def test_a_decision_listed_without_its_sign_offs_still_shows_its_status(signed_off):
    # The sign-offs dated before --since (the hashes break; only the listing is tested here).
    signed_off.sql("UPDATE {records} SET at = '2020-01-01T00:00:00+00:00' WHERE seq >= 3")
    data = json.loads(run("log", "--since", "2021-01-01", "--format", "json", "--register", signed_off.target).stdout)
    assert [(r["seq"], r["status"]) for r in data] == [(1, "approved"), (2, "recorded")]
    text = run("log", "--since", "2021-01-01", "--register", signed_off.target).stdout
    assert "Status: approved by A. Patel, DPO" in text and text.endswith("\n2 record(s)\n")


@pytest.mark.parametrize(("args", "says"), [
    (["approve", 9], "there is no record 9"),
    (["approve", 3], "record 3 is a sign-off, not a decision"),
    (["reject", 1, "--by", "J. Smith, DSL"], "someone other than who decided it"),
    (["approve", 2, "--note", "  "], "give a note"),
    (["approve", 2, "--by", "A\x1bB"], "control character"),
    (["approve", 2, "--by", " "], "give the name"),
])
def test_each_bad_sign_off_is_one_line_and_exit_1(signed_off, args, says):
    defaults = {"--by": "A. Patel, DPO", "--note": "ok"}
    given = dict(zip(args[2::2], args[3::2], strict=True))
    extra = [x for k, v in {**defaults, **given}.items() for x in (k, v)]
    result = run("log", *args[:2], *extra, "--register", signed_off.target)
    assert result.exit_code == 1, result.output
    assert says in result.stderr and len(result.stderr.splitlines()) == 1 and result.stdout == ""
    assert len(list(open_register(signed_off.target).records())) == 4


def test_signing_off_where_there_is_no_register_is_one_line(tmp_path):
    result = run("log", "approve", 1, "--by", "A. Patel", "--note", "ok", "--register", tmp_path / "none.sqlite")
    assert result.exit_code == 1 and "no register here yet" in result.stderr
    assert not (tmp_path / "none.sqlite").exists()


def test_a_note_with_a_control_character_is_refused(tmp_path):
    """The note is kept in the register and shown in isp log: an escape sequence never goes in."""
    from isp_rules.register.approval import SignOffError, _clean_note

    with pytest.raises(SignOffError, match="control character"):
        _clean_note("Proportionate\x1b[2J")
    assert _clean_note("  Proportionate:\n  asking would raise the risk ") == "Proportionate:\nasking would raise the risk"
