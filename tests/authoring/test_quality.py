"""Tools for people who edit the rules: isp explain, isp test --junit, isp diff."""

from __future__ import annotations

import json
import re
import shutil
import xml.etree.ElementTree as ET
from pathlib import Path

from click.testing import CliRunner
from conftest import RULES, SCENARIOS

from isp_rules.cli import cli

LEGIT = SCENARIOS / "lawful-basis" / "council-relies-on-legitimate-interests.yaml"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


# --- explain -----------------------------------------------------------------------------

def test_explain_says_why_a_deny_fired_leaf_by_leaf():
    out = run("explain", LEGIT, "LB-PA-LEGIT-001").output
    assert "LB-PA-LEGIT-001  [deny]  FIRED" in out
    assert "[   held] share.basis.article_6 is legitimate_interests  (it is legitimate_interests)" in out
    assert "[   held] share.from.public_authority is true  (it is true)" in out


def test_explain_says_why_a_rule_did_not_fire_and_which_facts_are_missing(tmp_path):
    partial = tmp_path / "partial.yaml"
    partial.write_text("share:\n  purpose: {category: safeguarding_child}\n  frequency: one_off\n")
    out = run("explain", partial, "SG-URGENT-001").output
    assert "SG-URGENT-001  [ground]  did not fire" in out
    assert "[   held] share.purpose.category is safeguarding_child  (it is safeguarding_child)" in out
    assert "[unknown] share.urgency.risk is serious_or_imminent  (share.urgency.risk is not stated)" in out


def test_explain_json_agrees_with_the_decision():
    from isp_rules import assess, load_scenario

    data = json.loads(run("explain", LEGIT, "--format", "json").output)
    decision = assess(load_scenario(LEGIT))
    assert {r["key"] for r in data["rules"] if r["fired"]} == set(decision.rule_keys)
    assert data["verdict"] == decision.verdict == "deny"


SCHOOL = SCENARIOS / "safeguarding" / "school-referral-child-hit-at-home-not-sure-of-condition.yaml"


def test_explain_shows_how_each_agreement_point_stands():
    out = run("explain", SCHOOL, "--fired").output
    points = out[out.index("Agreement points"):]
    assert points.startswith("Agreement points (this share is: a one-off disclosure):")
    # A one-off referral: no agreement, the standards are the school's obligations, and the
    # condition it was not sure of waits until after the urgent share.
    assert "sharing_agreement  [does not apply]" in points and "needed only for routine sharing" in points
    assert "security  [the discloser's obligation]" in points
    assert "special_category_condition  [after the urgent share]" in points
    assert "waits for: the condition for sensitive information (Art 9)" in points
    assert "dpia  [does not apply]" in points and "no high-risk sign holds" in points
    # Only the whole explanation shows points; one rule's explanation does not.
    assert "Agreement points" not in run("explain", SCHOOL, "SG-URGENT-003").output


NEEDS_RISK = SCENARIOS / "children-education" / "health-visitor-child-in-need-referral-after-mother-refuses-risk-not-stated.yaml"


def test_explain_says_why_a_needs_agreement_point_is_open_in_plain_words():
    from isp_rules import assess, load_scenario

    decision = assess(load_scenario(NEEDS_RISK))
    assert decision.verdict == "needs-agreement"
    out = run("explain", NEEDS_RISK, "--fired").output
    points = out[out.index("Agreement points"):]
    # The mother refused, and no para 18(2) reason to go on without her consent is given (SC-PARA18-006).
    assert ("Still open, so the share needs agreement first: special_category_condition, confidentiality "
            "(why, below).") in points
    block = points[points.index("  confidentiality  [OPEN]"):].split("\n  transparency")[0]
    assert "the risk is not stated" in block  # the point's own detail: why it is open
    assert "waits for: how serious the risk is" in block  # the fact it waits for, by its label
    assert "opened by: CHS-S17-003, CF-PUBLIC-INTEREST-003" in block
    assert not re.search(r"share\.[a-z]", points)  # labels, never field paths, in the text


def test_explain_json_gives_every_point_status():
    from isp_rules import assess, load_scenario

    data = json.loads(run("explain", SCHOOL, "--format", "json").output)
    decision = assess(load_scenario(SCHOOL))
    assert data["share_kinds"] == decision.share_kinds == ["one_off"]
    assert [(p["point"], p["status"]) for p in data["points"]] == [(p.id, p.status) for p in decision.points]
    opened = next(p for p in data["points"] if p["point"] == "special_category_condition")
    assert opened["status"] == "deferred" and opened["waits_for"] == ["share.basis.article_9"]


def test_explain_unknown_rule_suggests_the_close_one():
    result = run("explain", LEGIT, "SG-URGENT-01")
    assert result.exit_code == 1
    assert result.output.strip() == "isp: no rule 'SG-URGENT-01' in york-north-yorkshire-isp; did you mean 'SG-URGENT-001'?"


# --- test --junit ------------------------------------------------------------------------

def test_junit_xml_reports_every_scenario(tmp_path):
    target = tmp_path / "results.xml"
    assert run("test", "--junit", target, SCENARIOS / "lawful-basis").exit_code == 0
    root = ET.parse(target).getroot()
    suite = root.find("testsuite")
    cases = suite.findall("testcase")
    files = sorted(p.stem for p in (SCENARIOS / "lawful-basis").glob("*.yaml"))
    assert sorted(c.get("name") for c in cases) == files
    assert suite.get("tests") == str(len(files)) and suite.get("failures") == "0"


def test_junit_xml_carries_failures_and_errors(tmp_path):
    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(LEGIT.read_text().replace("verdict: deny", "verdict: allow").replace(
        "id: council-relies-on-legitimate-interests", "id: wrong"))
    broken = tmp_path / "broken.yaml"
    broken.write_text("share: {frm: {}}\nexpect: {verdict: allow}\n")
    target = tmp_path / "results.xml"
    assert run("test", "--junit", target, tmp_path).exit_code == 1
    suite = ET.parse(target).getroot().find("testsuite")
    assert (suite.get("failures"), suite.get("errors")) == ("1", "1")
    failure = suite.find("testcase[@name='wrong']/failure")
    assert failure.get("message") == "verdict: expected allow, got deny" and "LB-PA-LEGIT-001" in failure.text
    assert "unknown field 'frm'" in suite.find("testcase[@name='broken']/error").get("message")


def test_run_cases_tallies_the_run_and_tells_each_case_as_it_comes(tmp_path):
    from isp_rules.authoring.testing import run_cases

    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(LEGIT.read_text().replace("verdict: deny", "verdict: allow").replace(
        "id: council-relies-on-legitimate-interests", "id: wrong"))
    (tmp_path / "no-expect.yaml").write_text("share: {}\n")
    files = [LEGIT, wrong, tmp_path / "no-expect.yaml"]
    told = []
    summary = run_cases(files, each=told.append)
    assert [r.path for r in told] == [r.path for r, _ in summary.results] == files
    assert (summary.passed, summary.failed, summary.skipped, summary.ok) == (1, 1, 1, False)
    assert "LB-PA-LEGIT-001" in summary.fired  # by rule key
    assert run_cases([LEGIT]).ok and not run_cases([tmp_path / "no-expect.yaml"]).ok


# --- diff --------------------------------------------------------------------------------

def test_the_library_names_a_scenario_after_its_file_as_isp_check_does(tmp_path):
    from isp_rules.authoring.diff import load_library

    text = LEGIT.read_text().replace("id: council-relies-on-legitimate-interests\n", "")
    (tmp_path / "Case_1.yaml").write_text(text)
    library, skipped = load_library(tmp_path)
    assert [s.id for _, s in library] == ["case-1"] and skipped == []
    assert json.loads(run("check", "--format", "json", tmp_path / "Case_1.yaml").output)["scenario"] == "case-1"


def test_diff_of_a_ruleset_with_itself_changes_nothing():
    result = run("diff", RULES, RULES, "--scenarios", SCENARIOS, "--sample", 200)
    assert result.exit_code == 0
    count = len(list(Path(SCENARIOS).rglob("*.yaml")))
    assert "No decision changes." in result.output and f"{count} library scenario(s), 200 generated" in result.output


def edited_rules(tmp_path, old: str, new: str):
    """A copy of the bundled rules with the first `old` after LB-PA-LEGIT-001's id replaced by `new`."""
    folder = tmp_path / "rules"
    shutil.copytree(RULES, folder)
    path = folder / "lawful-basis.yaml"
    text = path.read_text()
    at = text.index(old, text.index("id: LB-PA-LEGIT-001"))
    path.write_text(text[:at] + new + text[at + len(old):])
    return folder


def test_diff_shows_what_softening_a_deny_does(tmp_path):
    new = edited_rules(tmp_path, "effect: deny", "effect: advice")
    result = run("diff", RULES, new, "--scenarios", SCENARIOS, "--sample", 300)
    assert result.exit_code == 3
    out = result.output
    assert "scenarios/lawful-basis/council-relies-on-legitimate-interests.yaml\n    verdict: deny -> allow" in out
    assert "reasons no longer given: LB-PA-LEGIT-001 [deny]" in out
    assert "for example:" in out  # a generated scenario that shows the change, as YAML


def test_diff_exits_0_when_only_wording_changes(tmp_path):
    new = edited_rules(tmp_path, "title: ", "title: Reworded ")
    result = run("diff", RULES, new, "--scenarios", SCENARIOS, "--sample", 100)
    assert result.exit_code == 0 and "No decision changes." in result.output


def test_explain_marks_a_rule_whose_point_waits_for_an_urgent_share(tmp_path):
    from isp_rules import assess, load_scenario

    urgent = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
    data = json.loads(run("explain", urgent, "--format", "json").output)
    decision = assess(load_scenario(urgent))
    shown = {r.rule for r in decision.reasons} | {o.rule for o in decision.obligations}
    for rule in data["rules"]:
        assert rule["in_answer"] == (rule["fired"] and rule["rule"] in shown)
    waiting = [r for r in data["rules"] if r["fired"] and not r["in_answer"]]
    if waiting:  # the text says so too
        assert "FIRED, but its point waits until after the urgent share" in run("explain", urgent).output


def test_junit_survives_control_characters_and_refuses_a_missing_folder(tmp_path):
    odd = tmp_path / "odd.yaml"
    odd.write_text(LEGIT.read_text().replace("verdict: deny", "verdict: allow")
                   .replace("id: council-relies-on-legitimate-interests", "id: odd")
                   .replace("name: North Yorkshire Council (housing options)", 'name: "Bad \\a name"'))
    target = tmp_path / "r.xml"
    run("test", "--junit", target, odd)
    ET.parse(target)  # well-formed
    missing = run("test", "--junit", tmp_path / "nope" / "r.xml", odd)
    assert missing.exit_code == 1 and "no such folder" in missing.output and "Traceback" not in missing.output


def test_diff_lists_verdict_changes_first_and_shrinks_examples(tmp_path):
    import yaml

    new = edited_rules(tmp_path, "effect: deny", "effect: advice")
    out = run("diff", RULES, new, "--scenarios", SCENARIOS, "--sample", 300).output
    library = out.split("Library scenarios whose decision changes")[1].split("\n\n")[0]
    assert library.splitlines()[2].strip().startswith("verdict:")
    examples = {}
    for group in out.split("scenario(s) like this one:\n")[1:]:
        change = group.splitlines()[0].strip()
        block = []
        for line in group.split("for example:\n")[1].splitlines():
            if not line.startswith("      "):
                break
            block.append(line[6:])
        examples[change] = yaml.safe_load("\n".join(block))
    assert all(x["share"]["basis"]["article_6"] == "legitimate_interests" for x in examples.values())
    # Shrunk to what the change needs: a change that is not to allow needs only the facts that
    # fire the rule (one that becomes allow also needs every point settled, so it is longer).
    shrinkable = [change for change in examples if "-> allow" not in change]
    assert shrinkable, list(examples)
    assert all(len(yaml.safe_dump(examples[change]).splitlines()) < 16 for change in shrinkable)
    if "verdict: deny -> allow" in examples:
        longest = max(len(yaml.safe_dump(examples[change]).splitlines()) for change in shrinkable)
        assert len(yaml.safe_dump(examples["verdict: deny -> allow"]).splitlines()) > longest


def test_diff_of_a_missing_directory_is_one_line(tmp_path):
    result = run("diff", RULES, tmp_path / "nowhere")
    assert result.exit_code == 1 and result.output.strip() == f"isp: {tmp_path / 'nowhere'}: no such rules directory"


def test_a_run_keeps_summaries_of_the_cases_that_passed_not_their_decisions(tmp_path):
    """A run over thousands of files must not hold every decision (issue 15): a passing case
    keeps its verdict and the rules it fired, a failing one its whole decision for the report."""
    from isp_rules.authoring.testing import run_cases

    wrong = tmp_path / "wrong.yaml"
    wrong.write_text(LEGIT.read_text().replace("verdict: deny", "verdict: allow").replace(
        "id: council-relies-on-legitimate-interests", "id: wrong"))
    told = []
    summary = run_cases([LEGIT, wrong], each=told.append)
    assert all(r.decision is not None for r in told)  # each case is told whole as it comes
    (passed, _), (failed, _) = summary.results
    assert passed.decision is None and passed.verdict == "deny" and "LB-PA-LEGIT-001" in passed.fired
    assert failed.decision is not None
    assert "LB-PA-LEGIT-001" in summary.fired or any(k.startswith("LB-PA-LEGIT-001") for k in summary.fired)
