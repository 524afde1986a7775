"""Law made but not yet in force: rules pending commencement, and the one line that switches them on.

A rule with `commencement: {status: pending}` never fires (in durable_rules or in the interpreter)
until ruleset.yaml's `commenced:` map gives its provision a date; from that date it is an in-force
rule, so --as-of and a scenario's as_of decide under the law of the day. A rule with status
until_commenced states today's law and stops on that date.
"""

from __future__ import annotations

import datetime as dt
import json
import shutil
import textwrap

import pytest
from click.testing import CliRunner
from conftest import RULES, SCENARIOS

from isp_rules import load_ruleset
from isp_rules.assessment import assess
from isp_rules.cli import cli
from isp_rules.errors import RulesetError
from isp_rules.facts import to_fact
from isp_rules.interpret import fired_rules
from isp_rules.loader import load_scenario

DUTY = {"CWSA-16LA-001", "CWSA-16LA-002", "CWSA-16LA-003", "CWSA-16LA-004", "CWSA-16LA-005"}
IDENTIFIER = {"CWSA-16LC-001"}
BEFORE = {"CWSA-PRE-001", "CWSA-PRE-002"}
LIBRARY = sorted((SCENARIOS / "pending").glob("*.yaml"))
SWITCH_ON = "  CWSA2026-16LA: 2027-04-01\n  CWSA2026-16LC: 2027-09-01\n"
LATER = dt.date(2027, 10, 1)  # after both dates


def _with_meta(tmp_path, commenced: str, name: str = "rules"):
    """A copy of the bundled ruleset whose ruleset.yaml has the given `commenced:` block."""
    target = tmp_path / name
    shutil.copytree(RULES, target)
    meta = target / "ruleset.yaml"
    text = meta.read_text()
    assert "\ncommenced: {}\n" in text  # the bundled ruleset switches nothing on yet
    meta.write_text(text.replace("\ncommenced: {}\n", "\ncommenced:\n" + commenced))
    return target


@pytest.fixture(scope="module")
def switched_on(tmp_path_factory):
    return load_ruleset(_with_meta(tmp_path_factory.mktemp("on"), SWITCH_ON))


def _fired(ruleset, scenario, day):
    """The rules that fire, by the engine (through assess) and by the interpreter: they must agree."""
    engine = {k.split("@")[0] for k in assess(scenario, ruleset, as_of=day).rule_keys}
    interpreter = {k.split("@")[0] for k in fired_rules(ruleset, to_fact(scenario, day, ruleset.phrases))
                   if not k.startswith(("POINT-", "KEEP-", "KIND-", "SETTLE-", "TRIGGER-", "MAYBE-"))}
    assert engine == interpreter
    return engine


# --- pending rules never fire ------------------------------------------------------------

def test_the_cwsa_rules_are_pending_in_the_bundled_ruleset(repo_ruleset):
    assert {r.id for r in repo_ruleset.pending} == DUTY | IDENTIFIER
    assert not {r.id for r in repo_ruleset.rules} & (DUTY | IDENTIFIER)
    assert {r.id for r in repo_ruleset.rules} >= BEFORE  # today's law: the duty is not in force
    assert repo_ruleset.commenced == {}


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
@pytest.mark.parametrize("day", [dt.date(2026, 12, 1), dt.date(2099, 1, 1)])
def test_a_pending_rule_never_fires_on_any_date(repo_ruleset, path, day):
    assert not _fired(repo_ruleset, load_scenario(path), day) & (DUTY | IDENTIFIER)


def test_coverage_does_not_ask_for_pending_rules(repo_ruleset, capsys):
    from isp_rules.cli.authoring import _coverage

    never = _coverage(repo_ruleset, set())
    assert not set(never) & (DUTY | IDENTIFIER)
    assert "CWSA-16LA-001" not in capsys.readouterr().out


# --- one line switches a provision on ---------------------------------------------------

def test_one_line_switches_a_provision_on(tmp_path):
    ruleset = load_ruleset(_with_meta(tmp_path, "  CWSA2026-16LA: 2027-04-01\n"))
    assert {r.id for r in ruleset.pending} == IDENTIFIER  # the identifier has its own line
    duty = ruleset.rule("CWSA-16LA-001")  # a commenced rule keeps its id as its key
    assert duty.in_force.from_ == dt.date(2027, 4, 1) and duty.commenced_on == dt.date(2027, 4, 1)
    before = ruleset.rule("CWSA-PRE-002")
    assert before.in_force.until == dt.date(2027, 4, 1)
    assert ruleset.commenced == {"CWSA2026-16LA": dt.date(2027, 4, 1)}


def test_a_rule_id_switches_on_just_that_rule(tmp_path):
    ruleset = load_ruleset(_with_meta(tmp_path, "  CWSA-16LA-001: 2027-04-01\n"))
    assert "CWSA-16LA-001" not in {r.id for r in ruleset.pending}
    assert {r.id for r in ruleset.pending} == (DUTY | IDENTIFIER) - {"CWSA-16LA-001"}


def test_switching_on_changes_the_sha(repo_ruleset, switched_on):
    assert switched_on.sha256 != repo_ruleset.sha256
    assert not switched_on.pending


def test_the_cache_reads_a_switched_on_ruleset_as_new(tmp_path):
    from isp_rules.loader import load_ruleset_cached

    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    assert load_ruleset_cached(target, load_ruleset).pending
    meta = target / "ruleset.yaml"
    meta.write_text(meta.read_text().replace("\ncommenced: {}\n", "\ncommenced:\n" + SWITCH_ON))
    assert not load_ruleset_cached(target, load_ruleset).pending


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: p.stem)
def test_the_same_share_decided_with_the_switch_on_line_uses_the_new_rules(repo_ruleset, switched_on, path):
    scenario = load_scenario(path)
    today = scenario.as_of
    assert _fired(switched_on, scenario, today) == _fired(repo_ruleset, scenario, today)  # before the date: as now
    after = _fired(switched_on, scenario, LATER)
    assert not after & BEFORE
    bound_recipient = scenario.share.to.type != "charity"
    if bound_recipient:
        assert {"CWSA-16LA-001", "CWSA-16LA-002", "CWSA-16LC-001"} <= after
    else:
        assert {"CWSA-16LA-004", "CWSA-16LA-002"} <= after and "CWSA-16LA-001" not in after


def test_the_duty_settles_a_legal_obligation_once_in_force(switched_on):
    path = SCENARIOS / "pending" / "school-relies-on-the-new-duty-to-share-before-it-commences.yaml"
    scenario = load_scenario(path)
    before = assess(scenario, switched_on, as_of=dt.date(2027, 3, 31))
    assert before.verdict == "needs-agreement" and "lawful_basis" in {p.id for p in before.open_points}
    after = assess(scenario, switched_on, as_of=dt.date(2027, 4, 1))  # the day it comes into force
    assert "lawful_basis" not in {p.id for p in after.open_points}
    assert "CWSA-16LA-001" in {r.rule for r in after.reasons}


def test_special_category_data_still_needs_its_own_condition(switched_on):
    path = SCENARIOS / "pending" / "hospital-refers-a-baby-with-unexplained-bruising-to-childrens-social-care.yaml"
    assert "CWSA-16LA-003" in _fired(switched_on, load_scenario(path), LATER)


def test_as_of_on_the_command_line_decides_under_the_law_of_the_day(tmp_path):
    rules = _with_meta(tmp_path, SWITCH_ON)
    path = str(SCENARIOS / "pending" / "police-tell-a-college-a-student-was-found-after-going-missing.yaml")
    runner = CliRunner()
    before = json.loads(runner.invoke(cli, ["check", path, "--rules", str(rules), "--format", "json",
                                            "--as-of", "2027-03-31"]).output)
    after = json.loads(runner.invoke(cli, ["check", path, "--rules", str(rules), "--format", "json",
                                           "--as-of", "2027-04-01"]).output)
    assert "CWSA-16LA-001" not in {r["rule"] for r in before["reasons"]}
    assert "CWSA-16LA-001" in {r["rule"] for r in after["reasons"]}


# --- the listing --------------------------------------------------------------------------

def test_rules_pending_lists_id_title_provision_and_switch_on_line():
    result = CliRunner().invoke(cli, ["rules", "--pending", "--rules", str(RULES)])
    assert result.exit_code == 0, result.output
    assert result.output.startswith("6 rules pending commencement")
    assert "CWSA-16LA-001  [ground]  The duty to share information for a child's safety and welfare" in result.output
    assert "Provision: Children Act 2004 s16LA" in result.output
    assert "add the line 'CWSA2026-16LA: YYYY-MM-DD' under commenced: in ruleset.yaml" in result.output
    assert "CWSA-PRE-001" not in result.output  # in force today


def test_rules_pending_as_json():
    result = CliRunner().invoke(cli, ["rules", "--pending", "--format", "json", "--rules", str(RULES)])
    data = json.loads(result.output)
    item = next(i for i in data["pending"] if i["id"] == "CWSA-16LC-001")
    assert item["commencement"] == "CWSA2026-16LC" and item["effect"] == "obligation"
    assert "s78(5)" in item["by"] and item["provision"].startswith("Children Act 2004 s16LC")


def test_rules_shows_the_status_in_text_json_and_markdown(tmp_path):
    runner = CliRunner()
    text = runner.invoke(cli, ["rules", "--rules", str(RULES)]).output
    assert "and 6 pending commencement" in text.splitlines()[0]
    assert "Status: pending commencement (CWSA2026-16LA)" in text
    markdown = runner.invoke(cli, ["rules", "--format", "markdown", "--rules", str(RULES)]).output
    assert "pending commencement" in markdown and "### CWSA-16LA-001" in markdown
    data = json.loads(runner.invoke(cli, ["rules", "--format", "json", "--rules", str(RULES)]).output)
    assert {r["id"] for r in data["pending"]} == DUTY | IDENTIFIER
    assert not {r["id"] for r in data["rules"]} & (DUTY | IDENTIFIER)
    on = _with_meta(tmp_path, SWITCH_ON)
    text = runner.invoke(cli, ["rules", "--rules", str(on)]).output
    assert "Status: commenced (CWSA2026-16LA): in force from 2027-04-01" in text
    assert runner.invoke(cli, ["rules", "--pending", "--rules", str(on)]).output == "No rule is pending commencement.\n"


# --- bad input: one clear line (file, line, entry), exit 1 -------------------------------

PENDING_RULE = """\
rules:
  - id: TEST-PENDING-001
    title: A provision not yet in force
    commencement:
      status: pending
      id: TEST2027-S1
      provision: Test Act 2027 s1
      by: regulations under the Test Act 2027 s9
    when: {field: share.frequency, equals: routine}
    effect: advice
    message: Routine.
    citations:
      - {source: Test Act 2027, ref: "s1"}
"""


def _bad(tmp_path, rules_text: str | None = None, commenced: str | None = None) -> tuple[int, list[str]]:
    target = _with_meta(tmp_path, commenced or "")
    if commenced is None:
        meta = target / "ruleset.yaml"
        meta.write_text(meta.read_text().replace("\ncommenced:\n", "\ncommenced: {}\n"))
    if rules_text:
        (target / "extra.yaml").write_text(textwrap.dedent(rules_text))
    result = CliRunner().invoke(cli, ["rules", "--rules", str(target)])
    return result.exit_code, [line for line in result.output.splitlines() if line]


def test_a_pending_rule_with_an_in_force_date_is_one_line_exit_1(tmp_path):
    text = PENDING_RULE.replace("    effect: advice\n", "    effect: advice\n    in_force: {from: 2027-01-01}\n")
    code, lines = _bad(tmp_path, text)
    assert code == 1
    (line,) = lines
    assert line.endswith("extra.yaml:11: rules[0].in_force: rule 'TEST-PENDING-001' waits for commencement "
                         "TEST2027-S1, so it has no in_force date: give the date with one line under commenced: "
                         "in ruleset.yaml")


@pytest.mark.parametrize("entry, message", [
    ("  TEST2027-S2: 2027-04-01\n", ("commenced.TEST2027-S2: 'TEST2027-S2' names no rule pending commencement and "
                                    "no commencement id; did you mean 'TEST2027-S1'?")),
    ("  LB-LEGOB-001: 2027-04-01\n", "commenced.LB-LEGOB-001: rule 'LB-LEGOB-001' is not tied to a commencement"),
    ("  TEST2027-S1: next spring\n", ("commenced.TEST2027-S1: expected the date it comes into force, such as "
                                     "2027-04-01, got 'next spring'")),
])
def test_a_bad_commenced_entry_is_one_line_exit_1(tmp_path, entry, message):
    code, lines = _bad(tmp_path, PENDING_RULE, commenced=entry)
    assert code == 1
    (line,) = lines
    assert "ruleset.yaml:" in line and message in line
    assert int(line.split("ruleset.yaml:")[1].split(":")[0]) > 1  # the entry's own line


def test_a_bad_commencement_status_is_reported(tmp_path):
    with pytest.raises(RulesetError) as info:
        load_ruleset(_bad_dir(tmp_path, PENDING_RULE.replace("status: pending", "status: soon")))
    (problem,) = info.value.problems
    assert "rules[0].commencement.status" in str(problem)


def _bad_dir(tmp_path, text):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    (target / "extra.yaml").write_text(textwrap.dedent(text))
    return target


def test_diff_shows_what_a_switch_on_line_does_to_decisions(tmp_path, repo_ruleset):
    from isp_rules.authoring.diff import diff_rulesets

    earlier = load_ruleset(_with_meta(tmp_path, "  CWSA2026-16LA: 2026-06-01\n"))  # before the library's as_of
    library = [(str(p), load_scenario(p)) for p in LIBRARY]
    report = diff_rulesets(repo_ruleset, earlier, library, sample=0)
    changed = {c.name.rsplit("/", 1)[-1]: c for c in report.library}
    assert set(changed) == {p.name for p in LIBRARY}  # every share the duty covers is decided anew
    school = changed["school-relies-on-the-new-duty-to-share-before-it-commences.yaml"]
    assert (school.old.verdict, school.new.verdict) == ("needs-agreement", "allow")
