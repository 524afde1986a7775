"""A register nobody can quietly rewrite: signed checkpoints, and verify with the public key.

The attacker in these tests can write the database (raw SQL behind the library's back, and the
library's own hash function to recompute every hash) but does not hold the private key. Each
kind of tampering is tried on a SQLite file and on PostgreSQL (the `store` fixture); verify with
the public key names each in a clear line. Several show first that the chain alone, without the
key, is fooled: that is the point of the signature.
"""

import json
import os
import stat
import subprocess
import sys
from pathlib import Path
from types import SimpleNamespace

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS, build

from isp_rules import assess
from isp_rules.cli import cli
from isp_rules.register import RegisterError, chain, open_register
from isp_rules.register.signing import Checkpoint, KeyProblem, create_key, load_public_key, load_signing_key

URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
KEY_ENV, STATE_ENV, KEY_TEXT_ENV = "ISP_REGISTER_KEY_FILE", "ISP_REGISTER_STATE", "ISP_REGISTER_KEY"


def fill(target, n=1):
    register = open_register(target)
    for i in range(n):
        scenario = build(share__basis__article_6="legitimate_interests") if i % 2 else build()
        register.append(assess(scenario), scenario, by=f"officer-{i}")
    return register


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    """No key from the machine running the tests: each test sets its own."""
    for name in (KEY_ENV, STATE_ENV, KEY_TEXT_ENV):
        monkeypatch.delenv(name, raising=False)


@pytest.fixture
def signed(store, tmp_path, monkeypatch):
    """A register of 4 records, each append signed with a key the attacker does not have."""
    key_path = tmp_path / "keys" / "register-key"
    _, pub_path, public = create_key(key_path)
    monkeypatch.setenv(KEY_ENV, str(key_path))
    register = fill(store.target, 4)
    assert register.check(public).problems == []
    return SimpleNamespace(store=store, target=store.target, register=register, public=public, key=key_path,
                           pub=pub_path)


# --- what the attacker does --------------------------------------------------------------


def rows(store):
    return [list(r) for r in store.sql(f"SELECT {chain.COLUMNS} FROM {{records}} ORDER BY seq")]


def set_head(store, head):
    store.sql("DELETE FROM {meta} WHERE key = 'head'")
    if head is not None:
        store.sql("INSERT INTO {meta} (key, value) VALUES ('head', ?)", head)


def rewrite(store, new_rows):
    """Replace every record by `new_rows`, each rehashed and rechained as the library would, and
    fix the head: the chain is then perfect."""
    store.sql("DELETE FROM {records}")
    prev, seq = chain.GENESIS, 0
    for seq, at, by, scenario, verdict, sha, body, _, _ in new_rows:
        digest = chain._hash(prev, seq, at, by, scenario, verdict, sha, chain._hashed_body(body)[0])
        store.sql("INSERT INTO {records} VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                  seq, at, by, scenario, verdict, sha, body, prev, digest)
        prev = digest
    set_head(store, f"{seq} {prev}")


def problems(s, saved=None):
    found = open_register(s.target).check(s.public, saved)
    assert found.problems, "tampering not detected"
    return found.problems


def cli_verify(s, *extra):
    result = CliRunner().invoke(cli, ["log", "verify", "--register", s.target, "--public-key", str(s.pub), *extra])
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    return result.output.strip().splitlines()


# --- each kind of tampering --------------------------------------------------------------


def test_a_rechained_edit_is_detected(signed):
    old = rows(signed.store)
    old[1][2] = "someone else"  # who decided record 2, then every later hash and the head recomputed
    rewrite(signed.store, old)
    assert open_register(signed.target).verify() == []  # the chain alone is fooled
    assert problems(signed) == ["the chain was rewritten: record 2 is not the record the key signed"]
    assert cli_verify(signed) == [(f"{open_register(signed.target).where}: the chain was rewritten: record 2 is "
                                  "not the record the key signed")]


def test_a_rechained_edit_of_the_body_is_detected(signed):
    old = rows(signed.store)
    body = json.loads(old[2][6])
    body["case"]["reference"] = "CS-FORGED"
    del body[chain.SALTS_KEY]  # hashed as stored, the old way
    old[2][6] = json.dumps(body)
    rewrite(signed.store, old)
    assert open_register(signed.target).verify() == []
    assert problems(signed) == ["the chain was rewritten: record 3 is not the record the key signed"]


def test_a_renumbered_delete_is_detected(signed):
    old = rows(signed.store)
    kept = [old[0]] + [[r[0] - 1, *r[1:]] for r in old[2:]]  # record 2 gone, 3 and 4 renumbered 2 and 3
    rewrite(signed.store, kept)
    assert open_register(signed.target).verify() == []
    assert problems(signed) == [("the chain was rewritten from record 2 and records were deleted: the key signed "
                                "the register up to record 4, it now ends at record 3")]


def test_the_last_record_deleted_with_the_head_fixed_is_detected(signed):
    old = rows(signed.store)
    signed.store.sql("DELETE FROM {records} WHERE seq = 4")
    set_head(signed.store, f"3 {old[2][8]}")
    assert open_register(signed.target).verify() == []
    assert problems(signed) == [("record 4 deleted from the end: the key signed the register up to record 4, "
                                "it now ends at record 3")]


def test_the_last_record_and_the_head_deleted_are_detected(signed):
    signed.store.sql("DELETE FROM {records} WHERE seq >= 3")
    set_head(signed.store, None)
    assert problems(signed) == [
        "the register's head is missing (it would show records deleted from the end)",
        "records 3 to 4 deleted from the end: the key signed the register up to record 4, it now ends at record 2"]


def test_a_forged_append_with_a_correct_hash_and_a_new_head_is_detected(signed):
    old = rows(signed.store)
    forged = [5, old[3][1], "forger", old[3][3], "allow", old[3][5], old[3][6], old[3][8], ""]
    rewrite(signed.store, old + [forged])
    assert open_register(signed.target).verify() == []
    assert problems(signed) == ["record 5 not signed by this key: added without the key, or forged"]


def test_forged_checkpoints_are_detected(signed):
    """The attacker adds a record and a checkpoint for it: signed with their own key, or claiming
    the register's key with a signature they could not make."""
    old = rows(signed.store)
    rewrite(signed.store, old + [[5, old[3][1], "forger", old[3][3], "allow", old[3][5], old[3][6], "", ""]])
    head = rows(signed.store)[-1]
    meta = dict(signed.store.sql("SELECT key, value FROM {meta}"))
    table = "checkpoints" if signed.store.kind == "sqlite" else "isp_register_checkpoints"
    theirs = load_signing_key(create_key(Path(signed.key).with_name("attacker-key"))[0])
    mine = Checkpoint.make(theirs, meta["id"], 5, head[8], 5, "2026-12-07T10:00:00+00:00")
    claimed = Checkpoint(mine.register, 5, head[8], 5, mine.at, signed.public.hex, mine.signature)
    for cp in (mine, claimed):
        signed.store.sql(f"INSERT INTO {table} (seq, checkpoint) VALUES (?, ?)", 5, json.dumps(cp.to_json()))
    assert problems(signed) == ["1 checkpoint(s) claim this key but their signature does not match: forged or altered",
                                "record 5 not signed by this key: added without the key, or forged"]


@pytest.mark.parametrize("head", ["x", "x y", "3", f"x {'a' * 64}", "4 " + "b" * 64 + " extra"])
def test_a_damaged_head_is_one_clear_line_and_exit_1(signed, head):
    set_head(signed.store, head)
    found = open_register(signed.target).verify()  # no key needed
    assert len(found) == 1 and found[0].startswith("the register's head is damaged ("), found
    result = CliRunner().invoke(cli, ["log", "verify", "--register", signed.target])
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1, result.output
    assert "head is damaged" in result.output


def test_a_damaged_head_from_the_command_line_is_exit_1_not_4(tmp_path):
    reg = str(tmp_path / "r.sqlite")
    fill(reg, 2)
    import sqlite3

    with sqlite3.connect(reg) as conn:
        conn.execute("UPDATE meta SET value = 'x y' WHERE key = 'head'")
    result = subprocess.run([sys.executable, "-m", "isp_rules.cli", "log", "verify", "--register", reg],
                            capture_output=True, text=True, check=False)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [(f'{reg}: the register\'s head is damaged ("x y", not a record '
                                                  'number and a hash)')]


def test_a_body_rehashed_as_non_json_is_detected(signed):
    old = rows(signed.store)
    old[1][6] = "not json at all"
    rewrite(signed.store, old)
    assert open_register(signed.target).verify() == ["record 2: its body is not a JSON object (damaged or replaced)"]
    assert problems(signed) == ["record 2: its body is not a JSON object (damaged or replaced)",
                                "the chain was rewritten: record 2 is not the record the key signed"]


def test_a_rollback_to_an_older_copy_is_detected_with_a_saved_checkpoint(signed):
    tables = ("{records}", "{meta}", "checkpoints" if signed.store.kind == "sqlite" else "isp_register_checkpoints")
    copy = {t: signed.store.sql(f"SELECT * FROM {t}") for t in tables}  # the older copy, at record 4
    fill(signed.target, 2)
    saved = open_register(signed.target).checkpoint()  # kept elsewhere, at record 6
    assert saved.seq == 6 and Checkpoint.from_json(json.loads(json.dumps(saved.to_json()))) == saved
    for t in tables:  # the database put back to the older copy
        signed.store.sql(f"DELETE FROM {t}")
        for row in copy[t]:
            signed.store.sql(f"INSERT INTO {t} VALUES ({', '.join('?' * len(row))})", *row)
    assert open_register(signed.target).check(signed.public).problems == []  # self-consistent, and signed
    assert problems(signed, saved) == [("the register went back before the saved checkpoint: it ends at record 4, "
                                       "the checkpoint was taken at record 6 (an older copy, or records deleted)")]
    path = Path(signed.key).with_name("cp.json")
    path.write_text(json.dumps(saved.to_json()))
    assert cli_verify(signed, "--checkpoint", str(path))[0].endswith("the checkpoint was taken at record 6 (an older "
                                                                   "copy, or records deleted)")
    with pytest.raises(RegisterError, match="went back to an older copy"):  # and the key will not sign on top of it
        fill(signed.target, 1)


def test_a_saved_checkpoint_still_held_verifies(signed):
    saved = open_register(signed.target).checkpoint()
    fill(signed.target, 2)
    found = open_register(signed.target).check(signed.public, saved)
    assert found.problems == [] and found.checkpoint == 4 and found.signed_to == 6


def test_a_saved_checkpoint_signed_by_another_key_is_not_trusted(signed):
    saved = open_register(signed.target).checkpoint()
    forged = Checkpoint(saved.register, saved.seq, saved.hash, saved.count, saved.at, saved.key,
                        Checkpoint.make(load_signing_key(create_key(Path(signed.key).with_name("k2"))[0]),
                                        saved.register, 1, "x", 1, "t").signature)
    assert problems(signed, forged) == ["the saved checkpoint is not signed by this public key: it cannot be trusted"]


def test_a_deleted_register_is_detected_and_never_silently_restarted(signed):
    if signed.store.kind == "sqlite":
        os.remove(signed.target)
    else:
        signed.store.sql("DROP TABLE {records}, {meta}, isp_register_checkpoints")
    assert problems(signed) == ["no register here: if one was kept here, it was deleted (its tables or file are gone)"]
    with pytest.raises(RegisterError, match=r"to record 4\) is missing or empty: it was deleted or emptied\. Restore it "
                                            r"from a copy, or start a new register deliberately: isp log init --new"):
        fill(signed.target, 1)
    result = CliRunner().invoke(cli, ["check", "--record", "--no-case-ref", "--register", signed.target, str(URGENT)])
    assert result.exit_code == 1 and "isp log init --new" in result.output


def test_an_emptied_register_is_detected_and_never_silently_restarted(signed):
    signed.store.sql("DELETE FROM {records}")
    set_head(signed.store, None)
    signed.store.sql("DELETE FROM " + ("checkpoints" if signed.store.kind == "sqlite" else "isp_register_checkpoints"))
    assert open_register(signed.target).verify() == []  # an empty chain is a perfect chain
    assert problems(signed) == [("the register holds no checkpoint signed by this key: if it was signed before, it "
                                "was emptied and started again")]
    with pytest.raises(RegisterError, match="missing or empty: it was deleted or emptied"):
        fill(signed.target, 1)


def test_a_file_truncated_to_nothing_is_never_silently_restarted(tmp_path, monkeypatch):
    key = tmp_path / "key"
    create_key(key)
    monkeypatch.setenv(KEY_ENV, str(key))
    reg = tmp_path / "r.sqlite"
    fill(reg, 2)
    reg.write_bytes(b"")
    with pytest.raises(RegisterError, match="missing or empty"):
        fill(reg, 1)


def test_starting_again_deliberately_with_init_new(signed):
    runner = CliRunner()
    signed.store.sql("DELETE FROM {records}")
    refused = runner.invoke(cli, ["log", "init", "--register", signed.target])
    assert refused.exit_code == 1 and "isp log init --new" in refused.output
    started = runner.invoke(cli, ["log", "init", "--new", "--register", signed.target])
    assert started.exit_code == 0 and "started an empty register (signed by its key)" in started.output
    found = open_register(signed.target).check(signed.public)
    assert found.problems == [] and found.signed_to == 0 and found.records == 0
    fill(signed.target, 1)  # and it records again
    assert open_register(signed.target).check(signed.public).signed_to == 1
    again = runner.invoke(cli, ["log", "init", "--new", "--register", signed.target])
    assert again.exit_code == 1 and "already here (it has 1 record(s)); it was left untouched" in again.output


def test_a_replaced_register_is_refused_for_writing(tmp_path, monkeypatch):
    key = tmp_path / "key"
    create_key(key)
    reg, other = tmp_path / "r.sqlite", tmp_path / "other.sqlite"
    fill(other, 5)  # another register, never signed
    monkeypatch.setenv(KEY_ENV, str(key))
    fill(reg, 2)
    os.replace(other, reg)
    with pytest.raises(RegisterError, match="this is not the register the key signed here .* it was replaced"):
        fill(reg, 1)


def test_a_signed_register_cannot_be_written_without_its_key(signed, monkeypatch):
    monkeypatch.delenv(KEY_ENV)
    with pytest.raises(RegisterError, match="this register is signed; set ISP_REGISTER_KEY_FILE"):
        fill(signed.target, 1)


def test_checkpoint_refuses_to_sign_a_tampered_register(signed):
    old = rows(signed.store)
    old[1][2] = "someone else"
    rewrite(signed.store, old)
    result = CliRunner().invoke(cli, ["log", "checkpoint", "--register", signed.target])
    assert result.exit_code == 1
    assert "not signed, because the register does not verify: the chain was rewritten" in result.output


def test_checkpoint_without_the_key_prints_the_stored_one(signed, monkeypatch, tmp_path):
    monkeypatch.delenv(KEY_ENV)
    result = CliRunner().invoke(cli, ["log", "checkpoint", "--register", signed.target])
    assert result.exit_code == 0, result.output
    saved = Checkpoint.from_json(json.loads(result.output))
    assert saved.seq == 4 and saved.signed_by(signed.public) and saved.count == 4
    out = tmp_path / "cp.json"
    written = CliRunner().invoke(cli, ["log", "checkpoint", "--register", signed.target, "--key", str(signed.key),
                                       "--out", str(out)])
    assert written.exit_code == 0 and "Checkpoint for record 4 written to" in written.output
    ok = CliRunner().invoke(cli, ["log", "verify", "--register", signed.target, "--public-key", str(signed.pub),
                                  "--checkpoint", str(out)])
    assert ok.exit_code == 0
    assert ok.output.endswith("4 record(s), chain intact, signed to record 4 by key "
                              f"{signed.public.short}, still holds the saved checkpoint at record 4\n")


def test_an_unsigned_register_says_so_with_a_public_key(store, tmp_path):
    fill(store.target, 2)
    public = create_key(tmp_path / "key")[2]
    found = open_register(store.target).check(public)
    assert found.never_signed and found.problems == [
        ("the register holds no checkpoint signed by this key: it was never signed with this key, or its "
        "checkpoints were deleted")]
    # the key can start signing it: the first signed head covers every record before it
    open_register(store.target).use_key(load_signing_key(tmp_path / "key")).checkpoint()
    assert open_register(store.target).check(public).problems == []


# --- keys --------------------------------------------------------------------------------


def test_key_create_writes_a_private_key_0600_and_never_overwrites(tmp_path):
    out = tmp_path / "keys" / "k"
    result = CliRunner().invoke(cli, ["log", "key", "create", "--out", str(out)])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600 and stat.S_IMODE(out.parent.stat().st_mode) == 0o700
    assert "PRIVATE KEY" in out.read_text() and "PUBLIC KEY" in (tmp_path / "keys" / "k.pub").read_text()
    assert load_public_key(tmp_path / "keys" / "k.pub").hex == load_signing_key(out).public.hex
    before = out.read_bytes()
    again = CliRunner().invoke(cli, ["log", "key", "create", "--out", str(out)])
    assert again.exit_code == 1 and "already exists; a key is never overwritten" in again.output
    assert out.read_bytes() == before


def test_a_key_file_others_can_read_is_refused_in_one_line(tmp_path, monkeypatch):
    key = tmp_path / "k"
    create_key(key)
    os.chmod(key, 0o640)
    monkeypatch.setenv(KEY_ENV, str(key))
    result = CliRunner().invoke(cli, ["check", "--record", "--no-case-ref", "--register", str(tmp_path / "r.sqlite"),
                                      str(URGENT)])
    assert result.exit_code == 1
    assert (f"isp: {key}: the key file can be read by other users (mode 0640); make it private with: chmod 600 {key}"
            in result.output.splitlines())


@pytest.mark.parametrize("text, expected", [
    ("not a key", "not an Ed25519 private key"),
    ("ed25519:!!!", "not an Ed25519 private key"),
])
def test_a_bad_key_is_one_clear_line(tmp_path, monkeypatch, text, expected):
    key = tmp_path / "k"
    key.write_text(text)
    os.chmod(key, 0o600)
    monkeypatch.setenv(KEY_ENV, str(key))
    with pytest.raises(KeyProblem, match=expected):
        fill(tmp_path / "r.sqlite", 1)


def test_a_key_in_the_environment_needs_a_state_file(tmp_path, monkeypatch):
    key = tmp_path / "k"
    create_key(key)
    monkeypatch.setenv(KEY_TEXT_ENV, key.read_text())
    with pytest.raises(KeyProblem, match="ISP_REGISTER_KEY is set but ISP_REGISTER_STATE is not"):
        fill(tmp_path / "r.sqlite", 1)
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "state.json"))
    register = fill(tmp_path / "r.sqlite", 2)
    assert register.check(load_public_key(tmp_path / "k.pub")).problems == []
    state = json.loads((tmp_path / "state.json").read_text())
    assert state["registers"][str((tmp_path / "r.sqlite").resolve())]["seq"] == 2
    assert stat.S_IMODE((tmp_path / "state.json").stat().st_mode) == 0o600


def test_a_public_key_that_is_not_one_is_one_clear_line(signed):
    result = CliRunner().invoke(cli, ["log", "verify", "--register", signed.target, "--public-key", str(signed.key)])
    assert result.exit_code == 1
    assert result.output.strip() == f"isp: {signed.key}: not an Ed25519 public key (that is the private key: give the .pub file)"
    bad = Path(signed.key).with_name("cp.json")
    bad.write_text("{not json")
    result = CliRunner().invoke(cli, ["log", "verify", "--register", signed.target, "--public-key", str(signed.pub),
                                      "--checkpoint", str(bad)])
    assert result.exit_code == 1 and result.output.strip() == f"isp: {bad}: not JSON"
    alone = CliRunner().invoke(cli, ["log", "verify", "--register", signed.target, "--checkpoint", str(bad)])
    assert alone.exit_code == 2 and "--checkpoint needs --public-key" in alone.output


def test_verify_with_the_public_key_from_the_command_line(signed):
    result = CliRunner().invoke(cli, ["log", "verify", "--register", signed.target, "--public-key", str(signed.pub)])
    assert result.exit_code == 0
    assert result.output.endswith(f"4 record(s), chain intact, signed to record 4 by key {signed.public.short}\n")


def test_cryptography_is_imported_only_when_a_register_is_signed_or_checked(tmp_path):
    code = ("import sys; from isp_rules.cli import cli; from isp_rules.register import open_register; "
            f"r = open_register({str(tmp_path / 'r.sqlite')!r}); "
            "print('cryptography' in sys.modules)")
    env = {k: v for k, v in os.environ.items() if k not in (KEY_ENV, KEY_TEXT_ENV, STATE_ENV)}
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True, env=env).stdout
    assert out == "False\n"


def test_several_signing_writers_at_once_keep_every_head_signed(store, tmp_path, monkeypatch):
    """Processes sharing the key write at once: each head is signed in its own transaction, and
    the key's state file ends at the last record, never behind it."""
    key = tmp_path / "key"
    public = create_key(key)[2]
    monkeypatch.setenv(KEY_ENV, str(key))
    writer = str(Path(__file__).resolve().parent / "register_writer.py")
    tests_dir = str(Path(__file__).resolve().parents[1])
    procs = [subprocess.Popen([sys.executable, writer, store.target, "30", f"w{i}", tests_dir],
                              stdout=subprocess.DEVNULL) for i in range(3)]
    assert [p.wait(timeout=300) for p in procs] == [0, 0, 0]
    found = open_register(store.target).check(public)
    assert found.problems == [] and found.records == 90 and found.signed_to == 90
    state = json.loads(key.with_name("key.registers").read_text())["registers"]
    assert [v["seq"] for v in state.values()] == [90]


def test_a_key_in_the_environment_may_be_the_raw_32_bytes(tmp_path, monkeypatch):
    import base64

    from cryptography.hazmat.primitives import serialization

    key = load_signing_key(create_key(tmp_path / "k")[0])
    raw = key.private.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                    serialization.NoEncryption())
    monkeypatch.setenv(KEY_TEXT_ENV, "ed25519:" + base64.b64encode(raw).decode())
    monkeypatch.setenv(STATE_ENV, str(tmp_path / "state.json"))
    register = fill(tmp_path / "r.sqlite", 1)
    assert register.check(key.public).problems == [] and register.check(key.public).signed_to == 1
    monkeypatch.setenv(KEY_ENV, str(tmp_path / "k"))
    with pytest.raises(KeyProblem, match="both ISP_REGISTER_KEY_FILE and ISP_REGISTER_KEY are set"):
        fill(tmp_path / "r.sqlite", 1)
