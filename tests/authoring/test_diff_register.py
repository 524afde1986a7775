"""`isp diff OLD NEW --register REG`: the register's decisions re-decided under a candidate ruleset.

The register is built through the library (on a SQLite file and on PostgreSQL, the `store`
fixture) from library scenarios at different dates; the new ruleset is a copy of rulesets/ with
three edits, each of which a test below can see:

- LB-PA-LEGIT-001 (a public authority on legitimate interests) gives advice instead of denying;
- PR-SEC-001 (sensitive data sent insecurely) comes into force only on 1 January 2027;
- the charity survive-york is taken out of the partnership's directory.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import RULES, SCENARIOS, build
from leaks import DOTTED, RULE_TOKEN, SNAKE, YAML_KEY

from isp_rules import assess, load_ruleset
from isp_rules.authoring.diff import UnverifiedRegisterError, render_replay, replay_register
from isp_rules.cli import cli
from isp_rules.loader import load_scenario
from isp_rules.register import EmptyRegisterError, case_given, open_register
from isp_rules.scenario import Scenario

LEGIT = SCENARIOS / "safeguarding" / "urgent-adult-safeguarding-on-legitimate-interests.yaml"
INSECURE = SCENARIOS / "children-education" / "secondary-school-emails-child-protection-file-to-college-unencrypted.yaml"
LEFT = SCENARIOS / "directory" / "routine-list-to-a-charity-that-left-the-protocol.yaml"
LEGIT_TITLE = "A public authority cannot rely on legitimate interests for its tasks"
SECURE_TITLE = "Sensitive or confidential data must travel securely"
KEY_ENV = ("ISP_REGISTER_KEY_FILE", "ISP_REGISTER_KEY", "ISP_REGISTER_STATE")


@pytest.fixture(autouse=True)
def no_key(monkeypatch):
    for name in KEY_ENV:
        monkeypatch.delenv(name, raising=False)


def _edit(path: Path, after: str, old: str, new: str) -> None:
    """Replace the first `old` after `after` in the file (and fail loudly if it is not there)."""
    text = path.read_text(encoding="utf-8")
    start = text.index(after)
    at = text.index(old, start)
    path.write_text(text[:at] + new + text[at + len(old):], encoding="utf-8")


@pytest.fixture(scope="module")
def new_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("new") / "rulesets"
    shutil.copytree(RULES, folder)
    _edit(folder / "lawful-basis.yaml", "id: LB-PA-LEGIT-001", "effect: deny", "effect: advice")
    _edit(folder / "principles.yaml", "id: PR-SEC-001", "    effect: deny",
          "    in_force: {from: 2027-01-01}\n    effect: deny")
    _edit(folder / "directory" / "partners.yaml", "  - id: survive-york", "  - id: survive-york\n",
          "  - id: survive-york-gone\n")  # the old id is no longer held
    return folder


@pytest.fixture(scope="module")
def old():
    return load_ruleset(RULES)


@pytest.fixture(scope="module")
def new(new_dir):
    return load_ruleset(new_dir)


def _record(register, scenario, ruleset, reference, by="alice", as_of=None, at=None):
    decision = assess(scenario, ruleset, as_of=as_of)
    return register.append(decision, scenario, by=by, at=at, case=case_given(reference, False))


def fill(target, old, new):
    """The register the tests replay; returns {what: seq}."""
    register = open_register(target)
    seqs = {}
    # Made long ago, then purged under the retention policy.
    seqs["purged"] = _record(register, build(), old, "OLD-1", at=dt.datetime(2024, 1, 5, 9, tzinfo=dt.UTC)).seq
    seqs["legit"] = _record(register, load_scenario(LEGIT), old, "CS-1").seq
    # The same kind of share at another date: the same rule changes it, so the same group.
    legit_june = build(share__basis__article_6="legitimate_interests", as_of="2026-06-01")
    seqs["legit-june"] = _record(register, legit_june, old, "CS-2").seq
    seqs["insecure"] = _record(register, load_scenario(INSECURE), old, "CS-3").seq
    # Decided for 1 Feb 2027 (--as-of), when the new rules have PR-SEC-001 in force too: no change.
    seqs["insecure-2027"] = _record(register, load_scenario(INSECURE), old, "CS-4", as_of=dt.date(2027, 2, 1)).seq
    seqs["lawful"] = _record(register, build(), old, "CS-5").seq
    seqs["left"] = _record(register, load_scenario(LEFT), old, "CS-6").seq
    # Recorded under the new rules: the old rules do not reproduce its verdict.
    seqs["made-under-new"] = _record(register, build(share__basis__article_6="legitimate_interests"), new, "CS-7").seq
    seqs["redacted"] = _record(register, build(share__purpose__detail="Jane Example told her teacher"), old,
                               "CS-8 Jane Example").seq
    register.redact(seqs["redacted"])
    register.sign_off(seqs["legit"], "approved", "Checked", "dpo", {"roles": ["approver"]})
    assert register.purge(dt.datetime(2025, 1, 1, tzinfo=dt.UTC)) == [seqs["purged"]]
    return seqs


@pytest.fixture
def filled(store, old, new):
    return store, fill(store.target, old, new)


def test_replay_groups_verdict_changes_by_the_rule_that_caused_them(filled, old, new):
    store, seqs = filled
    report = replay_register(open_register(store.target), old, new)
    assert report.decisions == 8  # the purged record and the sign-off are not decisions to replay
    assert report.purged == 1
    grouped = [([(c.rule, c.how) for c in g.causes], [r.seq for r in g.records]) for g in report.groups]
    assert grouped == [
        ([("LB-PA-LEGIT-001", "changed")], [seqs["legit"], seqs["legit-june"], seqs["made-under-new"]]),
        ([("PR-SEC-001", "no_longer_applies")], [seqs["insecure"]]),
    ]
    changes = {r.seq: (r.old.verdict, r.new.verdict, r.day.isoformat()) for g in report.groups for r in g.records}
    assert changes == {seqs["legit"]: ("deny", "allow", "2026-12-01"),
                       seqs["legit-june"]: ("deny", "allow", "2026-06-01"),
                       seqs["made-under-new"]: ("deny", "allow", "2026-12-01"),
                       seqs["insecure"]: ("deny", "allow", "2026-12-01")}
    replayed = {r.seq: r for r in report.replayed}
    # Re-decided at the date it was decided for: in 2027 the new rules still refuse it.
    assert replayed[seqs["insecure-2027"]].day == dt.date(2027, 2, 1)
    assert (replayed[seqs["insecure-2027"]].old.verdict, replayed[seqs["insecure-2027"]].new.verdict) == ("deny", "deny")
    assert (replayed[seqs["lawful"]].old.verdict, replayed[seqs["lawful"]].new.verdict) == ("allow", "allow")
    # The record made under the new rules is the only one the old rules do not reproduce.
    assert [(r.seq, r.recorded, r.old.verdict) for r in report.not_reproduced] == [(seqs["made-under-new"], "allow", "deny")]
    assert report.verdicts_changed and len(report.changed) == 4


def test_records_that_cannot_be_replayed_are_counted_with_the_reason(filled, old, new):
    store, seqs = filled
    report = replay_register(open_register(store.target), old, new)
    missing = {n.seq: n for n in report.not_replayable}
    assert sorted(missing) == sorted([seqs["left"], seqs["redacted"]])
    left = missing[seqs["left"]]
    assert left.rules == "new" and "new rules' partnership directory" in left.why
    assert any("survive-york" in p for p in left.problems)  # the id, for the JSON
    assert missing[seqs["redacted"]].rules is None and "redacted" in missing[seqs["redacted"]].why
    text = render_replay(report, old, new)
    assert f"record {seqs['left']}: the new rules' partnership directory does not hold" in text
    assert "1 purged record(s)" in text
    # the purged record is not counted among the decisions: its kind is not kept
    assert "6 of 8 recorded decision(s) replayed" in text and "2 not replayable" in text
    assert "1 purged record(s) not counted" in text


def test_a_purged_sign_off_is_never_counted_as_a_decision(tmp_path, old, new):
    """Review finding 10: a purge removes sign-offs too, and a tombstone keeps no kind; the replay
    counted every purged record as a decision not replayable."""
    register = open_register(str(tmp_path / "reg.sqlite"))
    early = dt.datetime(2024, 1, 5, 9, tzinfo=dt.UTC)
    first = _record(register, build(), old, "OLD-1", at=dt.datetime(2026, 1, 5, 9, tzinfo=dt.UTC))
    register.sign_off(first.seq, "approved", "Checked", "dpo", {"roles": ["approver"]}, at=early)
    assert len(register.purge(dt.datetime(2025, 1, 1, tzinfo=dt.UTC))) == 1  # the sign-off only
    report = replay_register(open_register(str(tmp_path / "reg.sqlite")), old, new)
    assert report.decisions == 1 and len(report.replayed) == 1 and report.purged == 1
    text = render_replay(report, old, new)
    assert "1 of 1 recorded decision(s) replayed" in text and "not replayable;" not in text
    assert "decisions or sign-offs" in text


def test_the_old_rules_directory_is_used_for_the_old_replay(store, old, new, new_dir, tmp_path):
    """A record naming a partner only the new directory holds cannot be replayed under the old rules."""
    register = open_register(store.target)
    data = load_scenario(LEFT).model_dump(mode="json", by_alias=True, exclude_none=True)
    data["share"]["to"]["partner"] = "survive-york-gone"
    scenario = Scenario.model_validate(data)
    _record(register, scenario, new, "CS-9")
    # A partner neither directory holds (the decision stored beside it is another share's).
    data["share"]["to"]["partner"] = "a-council-nobody-knows"
    register.append(assess(build(), old), Scenario.model_validate(data), by="alice")
    report = replay_register(register, old, new)
    assert [(n.seq, n.rules) for n in report.not_replayable] == [(1, "old"), (2, "both")]
    assert report.not_replayable[1].why.startswith("neither the old nor the new rules' partnership directory holds")
    assert any("a-council-nobody-knows" in p for p in report.not_replayable[1].problems)
    assert not report.replayed and not report.verdicts_changed


def test_a_record_without_a_scenario_is_not_replayable(store, old):
    register = open_register(store.target)
    register.append(assess(build(), old), None, by="alice")
    _record(register, build(), old, "CS-10")
    report = replay_register(register, old, old)
    assert [(n.seq, n.rules) for n in report.not_replayable] == [(1, None)]
    assert "holds no scenario" in report.not_replayable[0].why
    assert [r.seq for r in report.replayed] == [2] and not report.verdicts_changed


def test_a_register_that_does_not_verify_is_refused(filled, old, new):
    store, seqs = filled
    store.sql("UPDATE {records} SET verdict = 'allow' WHERE seq = ?", seqs["insecure"])
    with pytest.raises(UnverifiedRegisterError) as caught:
        replay_register(open_register(store.target), old, new)
    assert f"record {seqs['insecure']}: edited after it was recorded" in str(caught.value)
    assert "\n" not in str(caught.value)


def test_no_register_there(tmp_path, old):
    with pytest.raises(EmptyRegisterError):
        replay_register(open_register(tmp_path / "none.sqlite"), old, old)
    assert not (tmp_path / "none.sqlite").exists()  # reading never creates one


# --- the command ---------------------------------------------------------------------------


def run(*args: str):
    return CliRunner().invoke(cli, ["diff", *args])


@pytest.fixture
def sqlite_filled(tmp_path, old, new):
    target = str(tmp_path / "reg.sqlite")
    return target, fill(target, old, new)


def test_cli_lists_the_changes_in_plain_words_and_exits_3(sqlite_filled, new_dir, old):
    target, seqs = sqlite_filled
    result = run(str(RULES), str(new_dir), "--register", target)
    assert result.exit_code == 3, result.output
    out = result.output
    assert "4 verdict(s) change." in out
    assert (f"3 decision(s) change because, under the new rules:\n    the rule \"{LEGIT_TITLE}\" still applies, but "
            "does something else") in out
    assert f"the rule \"{SECURE_TITLE}\" no longer applies" in out
    assert (f"    - record {seqs['legit-june']}, case CS-2: City of York Council to Example School, 1 Jun 2026: "
            "deny -> allow") in out
    assert f"The old rules do not reproduce 1 recorded decision(s): record {seqs['made-under-new']}" in out
    rule_ids = {r.id for r in old.rules}
    assert not [t for t in RULE_TOKEN.findall(out) if t in rule_ids]
    assert not SNAKE.findall(out) and not DOTTED.findall(out) and not YAML_KEY.findall(out)


def test_cli_json_names_rule_ids_and_every_record(sqlite_filled, new_dir):
    target, seqs = sqlite_filled
    result = run(str(RULES), str(new_dir), "--register", target, "--format", "json")
    assert result.exit_code == 3, result.output
    data = json.loads(result.output)
    assert data["decisions"] == 8 and data["replayed"] == 6 and data["purged"] == 1
    assert [g["rules"][0]["id"] for g in data["verdict_changes"]] == ["LB-PA-LEGIT-001", "PR-SEC-001"]
    assert [g["count"] for g in data["verdict_changes"]] == [3, 1]
    first = data["verdict_changes"][1]["records"][0]
    assert first == {"record": seqs["insecure"], "scenario": load_scenario(INSECURE).id, "case_reference": "CS-3",
                     "from": first["from"], "to": first["to"], "as_of": "2026-12-01", "recorded": "deny",
                     "old": "deny", "new": "allow"}
    assert {n["record"]: n["rules"] for n in data["not_replayable"]} == {seqs["left"]: "new", seqs["redacted"]: None}
    assert data["not_reproduced"] == [{"record": seqs["made-under-new"], "recorded": "allow", "old": "deny"}]


def test_cli_markdown_for_a_pull_request(sqlite_filled, new_dir):
    target, seqs = sqlite_filled
    result = run(str(RULES), str(new_dir), "--register", target, "--format", "markdown")
    assert result.exit_code == 3, result.output
    assert result.output.startswith("## Replaying the decision register\n")
    assert f"| {seqs['insecure']} | CS-3 | " in result.output
    assert result.output.count("| Record | Case | From | To | Date | Old verdict | New verdict |") == 2


def test_cli_no_change_exits_0(sqlite_filled):
    target, _ = sqlite_filled
    result = run(str(RULES), str(RULES), "--register", target)
    assert result.exit_code == 0, result.output
    assert result.output.rstrip().endswith("No verdict changes.")


def test_cli_refuses_a_tampered_register_in_one_line(sqlite_filled, new_dir):
    import sqlite3

    target, seqs = sqlite_filled
    with sqlite3.connect(target) as conn:
        conn.execute("UPDATE records SET by = 'mallory' WHERE seq = ?", (seqs["lawful"],))
    conn.close()
    result = run(str(RULES), str(new_dir), "--register", target)
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "does not verify" in lines[0] and f"record {seqs['lawful']}" in lines[0]
    assert "Traceback" not in result.output


@pytest.mark.parametrize("problem", ["no register", "not a register", "bad rules"])
def test_cli_bad_input_is_one_line_and_exit_1(tmp_path, new_dir, problem):
    rules, register = str(RULES), str(tmp_path / "none.sqlite")
    if problem == "not a register":
        (tmp_path / "none.sqlite").write_text("hello", encoding="utf-8")
    if problem == "bad rules":
        rules = str(tmp_path / "broken")
        shutil.copytree(RULES, rules)
        (Path(rules) / "principles.yaml").write_text("rules: [\n", encoding="utf-8")
    result = run(rules, str(new_dir), "--register", register)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output and result.output.strip()
    if problem != "bad rules":
        assert len(result.output.strip().splitlines()) == 1


@pytest.mark.parametrize("address", ["postgresql://u:secret@[::1", "postgresql://host:notaport/isp"])
def test_cli_a_malformed_database_address_is_one_line_and_exit_1(address):
    """Review finding 11: an unclosed IPv6 host exited 4 (ValueError: Invalid IPv6 URL)."""
    result = run(str(RULES), str(RULES), "--register", address)
    assert result.exit_code == 1, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and "not a valid database address" in lines[0], lines
    assert "secret" not in result.output


@pytest.mark.parametrize("extra", [["--sample", "10"], ["--scenarios", str(SCENARIOS)], ["--seed", "3"]])
def test_cli_library_options_do_not_mix_with_a_register(tmp_path, extra):
    result = run(str(RULES), str(RULES), "--register", str(tmp_path / "r.sqlite"), *extra)
    assert result.exit_code == 2 and "with --register" in result.output


def test_cli_formats_other_than_text_need_a_register():
    result = run(str(RULES), str(RULES), "--format", "json", "--sample", "0")
    assert result.exit_code == 2 and "--format json is for --register" in result.output


def test_a_register_made_with_isp_check_record_is_replayed_at_each_records_date(tmp_path, new_dir):
    """The same share recorded twice with `isp check --record`: for its own date (1 Dec 2026) and
    with --as-of 2027-02-01. Only the first changes: by February 2027 the new rules refuse it too."""
    target = str(tmp_path / "reg.sqlite")
    runner = CliRunner()
    for extra in ([], ["--as-of", "2027-02-01"]):
        done = runner.invoke(cli, ["check", "--record", "--register", target, "--by", "alice", "--case-ref", "CS-11",
                                   *extra, str(INSECURE)])
        assert done.exit_code == 0, done.output
    result = run(str(RULES), str(new_dir), "--register", target, "--format", "json")
    assert result.exit_code == 3, result.output
    data = json.loads(result.output)
    assert [(r["record"], r["as_of"], r["old"], r["new"]) for g in data["verdict_changes"] for r in g["records"]] == \
        [(1, "2026-12-01", "deny", "allow")]
    assert data["replayed"] == 2 and data["not_replayable"] == [] and data["not_reproduced"] == []
