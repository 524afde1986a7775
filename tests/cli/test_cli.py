"""The `isp` command as a user meets it: outputs, exit codes, and one clear line per bad input."""

import json
import os
import shutil
import subprocess
import sys
import textwrap

import pytest
from click.testing import CliRunner
from conftest import RULES, SCENARIOS

from isp_rules.cli import cli

URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
DENY = SCENARIOS / "lawful-basis" / "council-relies-on-legitimate-interests.yaml"
ROUTINE = SCENARIOS / "governance" / "monthly-nominations-extract-to-housing-association-no-agreement.yaml"


def run(*args, input=None):
    result = CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)
    return result


def assert_no_traceback(result):
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_text_output_starts_with_the_verdict_and_ends_with_the_footer():
    result = run("check", URGENT)
    assert result.exit_code == 0
    lines = result.output.strip().splitlines()
    assert lines[0].startswith("ALLOW")
    assert "Source:" in result.output and "Urgent child safeguarding" in result.output
    assert "SG-URGENT-001" not in result.output  # ids are for --verbose (and the JSON)
    assert "Obligations:" in result.output
    assert lines[-1].startswith("Not legal advice")
    assert sum("legal advice" in line for line in lines) == 1


def test_verbose_text_output_adds_the_ids():
    """For IG teams: rule ids beside reasons and duties, and each open point's id, rules and fields."""
    assert "[ground] SG-URGENT-001: Urgent child safeguarding" in run("check", "--verbose", URGENT).output
    verbose = run("check", "-v", ROUTINE).output
    assert "Ids: point sharing_agreement" in verbose and "share." in verbose
    assert "Ids:" not in run("check", ROUTINE).output


def test_text_output_shows_open_points_with_likely_answers():
    result = run("check", ROUTINE)
    assert result.output.startswith("NEEDS AGREEMENT")
    assert "- Is a written information sharing agreement" in result.output and "Likely answers:" in result.output
    assert "sharing_agreement" not in result.output  # a practitioner reads the question, not its id


def test_deny_shows_the_remedy():
    result = run("check", DENY)
    assert result.output.startswith("DENY") and "To change this:" in result.output


def test_json_output_is_the_spec_shape():
    result = run("check", "--format", "json", URGENT)
    data = json.loads(result.output)
    assert data["scenario"] == "police-to-school-child-at-immediate-risk"
    assert data["verdict"] == "allow"
    assert data["ruleset"]["as_of"] == "2026-12-01" and len(data["ruleset"]["sha256"]) == 64
    assert any(r["rule"] == "SG-URGENT-001" for r in data["reasons"])


def test_json_for_several_files_is_a_list():
    data = json.loads(run("check", "--format", "json", URGENT, DENY).output)
    assert [d["verdict"] for d in data] == ["allow", "deny"]


def test_markdown_output():
    result = run("check", "--format", "markdown", DENY)
    assert result.output.startswith("## DENY")
    assert "| deny | " in result.output and "LB-PA-LEGIT-001" not in result.output
    assert "| `LB-PA-LEGIT-001` | deny |" in run("check", "--format", "markdown", "--verbose", DENY).output


def test_stdin_is_read_with_a_dash():
    result = run("check", "-", input=URGENT.read_text())
    assert result.exit_code == 0 and result.output.startswith("ALLOW")


def test_standard_input_named_twice_is_one_line_not_an_empty_second_file():
    result = run("check", "-", "-", input=URGENT.read_text())
    assert result.exit_code == 1
    assert result.output.strip() == "-: standard input is named more than once; it can be read only once"


def test_as_of_overrides_the_scenario_date():
    march = SCENARIOS / "lawful-basis" / "charity-rli-safeguarding-referral-march-2026.yaml"
    assert json.loads(run("check", "--format", "json", march).output)["verdict"] == "allow"
    data = json.loads(run("check", "--format", "json", "--as-of", "2025-12-01", march).output)
    assert data["verdict"] == "deny" and data["ruleset"]["as_of"] == "2025-12-01"


@pytest.mark.parametrize("fail_on, path, code", [
    ("deny", DENY, 3), ("deny", ROUTINE, 0), ("needs-agreement", ROUTINE, 3),
    ("needs-agreement", URGENT, 0), ("needs-agreement", DENY, 3),
])
def test_fail_on(fail_on, path, code):
    assert run("check", "--fail-on", fail_on, path).exit_code == code


def test_usage_errors_exit_2():
    assert run("check").exit_code == 2
    assert run("check", "--format", "yaml", URGENT).exit_code == 2
    assert run("check", "--as-of", "yesterday", URGENT).exit_code == 2
    assert run("frobnicate").exit_code == 2


BAD_INPUTS = {
    "malformed.yaml": (b"share: [unclosed\n", "a '[' opened at line 1, column 8 is not closed with ']'"),
    "bomb.yaml": (b"a: &a [x, x]\nb: &b [*a, *a]\nshare: {}\n", "aliases"),
    "huge.yaml": (b"share: {}\n# " + b"x" * 1_100_000 + b"\n", "larger than"),
    "types.yaml": (b"share:\n  data:\n    minimised: 'yes'\n", "share.data.minimised: expected true or false"),
    "unknown.yaml": (b"share:\n  purpose:\n    categry: direct_care\n", "did you mean 'category'?"),
    "vocab.yaml": (b"share:\n  purpose:\n    category: safeguarding_children\n", "did you mean 'safeguarding_child'?"),
    "noshare.yaml": (b"id: x\n", "share: required field is missing"),
    "empty.yaml": (b"", "file is empty"),
    "binary.yaml": (bytes(range(256)), "binary file"),
}


@pytest.mark.parametrize("name", sorted(BAD_INPUTS))
def test_bad_input_gets_one_clear_line_and_exit_1(tmp_path, name):
    raw, expected = BAD_INPUTS[name]
    path = tmp_path / name
    path.write_bytes(raw)
    result = run("check", path)
    assert result.exit_code == 1
    assert_no_traceback(result)
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(str(path)) and expected in lines[0]


def test_nothing_is_evaluated_when_any_file_is_invalid(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("share:\n  frequency: weekly\n  relationship: partners\n")
    result = run("check", URGENT, bad)
    assert result.exit_code == 1
    assert "ALLOW" not in result.output
    assert len(result.output.strip().splitlines()) == 2  # one line per problem


def test_missing_file():
    result = run("check", "/no/such/file.yaml")
    assert result.exit_code == 1 and "no such file" in result.output


def test_rules_option_and_environment_variable(tmp_path, monkeypatch):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "local.yaml").write_text(textwrap.dedent("""\
        rules:
          - id: LOCAL-NO-FAX-001
            title: This partnership never uses verbal sharing for case notes
            when: {field: share.handling.transfer, equals: verbal}
            effect: deny
            message: Local policy forbids verbal sharing.
            remedy: Use secure email.
            citations:
              - {source: Local policy, ref: "para 1"}
        """))
    assert run("check", "--rules", rules, URGENT).output.startswith("DENY")
    monkeypatch.setenv("ISP_RULES_DIR", str(rules))
    assert run("check", URGENT).output.startswith("DENY")


def test_a_broken_ruleset_is_reported_not_crashed(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "broken.yaml").write_text("rules:\n  - id: X-1\n    title: t\n    when: {field: share.frm.type, equals: police}\n"
                                       "    effect: advice\n    message: m\n    citations: []\n")
    result = run("check", "--rules", rules, URGENT)
    assert result.exit_code == 1
    assert_no_traceback(result)
    assert "broken.yaml:4: rules[0].when.field: unknown field 'share.frm.type'; did you mean 'share.from.type'?" in result.output
    assert "rules[0].citations: at least one citation is required" in result.output


def test_isp_test_reports_passes_and_failures(tmp_path):
    good = tmp_path / "scenarios" / URGENT.name
    good.parent.mkdir()
    shutil.copy(URGENT, good)
    wrong = tmp_path / "scenarios" / "wrong-expectation.yaml"
    wrong.write_text(DENY.read_text().replace("council-relies-on-legitimate-interests", "wrong-expectation")
                     .replace("verdict: deny", "verdict: allow"))
    result = run("test", tmp_path / "scenarios")
    assert result.exit_code == 1
    assert result.output.strip().splitlines()[-1] == "1 passed, 1 failed"
    assert "verdict: expected allow, got deny" in result.output
    assert "[deny] LB-PA-LEGIT-001" in result.output


def test_isp_test_checks_the_id_matches_the_file_name(tmp_path):
    path = tmp_path / "renamed.yaml"
    shutil.copy(URGENT, path)
    result = run("test", path)
    assert "should equal the file name 'renamed'" in result.output and result.exit_code == 1


def test_isp_test_expects_the_id_isp_check_gives_the_file(tmp_path):
    """Case_1.yaml without an id is "case-1" to `isp check`, so `isp test` expects that id too."""
    path = tmp_path / "Case_1.yaml"
    text = URGENT.read_text()
    path.write_text(text.replace(f"\nid: {URGENT.stem}\n", "\n"))
    assert json.loads(run("check", "--format", "json", path).output)["scenario"] == "case-1"
    path.write_text(text.replace(f"id: {URGENT.stem}", "id: case-1"))
    result = run("test", path)
    assert result.exit_code == 0 and result.output.strip().splitlines()[-1] == "1 passed, 0 failed"
    path.write_text(text.replace(f"id: {URGENT.stem}", "id: case-2"))
    result = run("test", path)
    assert "id: 'case-2' should equal 'case-1', its file name 'Case_1' as an id" in result.output
    assert result.exit_code == 1


def test_isp_test_fails_a_second_file_with_the_same_id(tmp_path):
    """Ids are unique in the format: the second file of a pair fails and names the first."""
    for folder in ("a", "b"):
        (tmp_path / folder).mkdir()
        shutil.copy(URGENT, tmp_path / folder / URGENT.name)
    result = run("test", tmp_path)
    assert result.exit_code == 1 and result.output.strip().splitlines()[-1] == "1 passed, 1 failed"
    assert f"FAIL {tmp_path / 'b' / URGENT.name}" in result.output
    assert f"id: '{URGENT.stem}' is also the id of {tmp_path / 'a' / URGENT.name}" in result.output


def test_isp_test_verbose_lists_every_file_and_counts_the_skipped(tmp_path):
    shutil.copy(URGENT, tmp_path / URGENT.name)
    (tmp_path / "no-expect.yaml").write_text("id: no-expect\nshare: {}\n")
    lines = run("test", "-v", tmp_path).output.strip().splitlines()
    assert lines == [f"SKIP {tmp_path / 'no-expect.yaml'} (no expect: block)", f"PASS {tmp_path / URGENT.name}",
                     "1 file(s) without an expect: block were not run", "1 passed, 0 failed"]
    assert run("test", tmp_path / "no-expect.yaml").exit_code == 1  # nothing passed: not a success


def test_isp_test_on_the_library_passes():
    result = run("test", SCENARIOS)
    assert result.exit_code == 0, result.output
    assert result.output.strip().endswith(" passed, 0 failed")


def test_the_installed_console_script_never_shows_a_traceback(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("share: {data: {subjects: [kid]}}\n")
    isp = shutil.which("isp", path=os.path.dirname(sys.executable)) or shutil.which("isp")
    proc = subprocess.run([isp, "check", str(bad)], check=False, capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr + proc.stdout
    assert proc.stderr.strip() == f"{bad}:1: share.data.subjects[0]: unknown value 'kid'; expected child, adult_at_risk, adult, patient, service_user, tenant, offender, victim, witness, staff, family_member, public; did you mean 'child'?"


def test_help_has_examples():
    for command in ("check", "test", "rules", "agreement", "log", "ask", "triage", "serve", "explain", "diff"):
        result = run(command, "--help")
        assert result.exit_code == 0 and "Example" in result.output


def test_a_directory_is_invalid_input_not_a_usage_error(tmp_path):
    result = run("check", tmp_path)
    assert result.exit_code == 1
    assert result.output.strip() == f"{tmp_path}: is a directory, expected a YAML file"


def test_thousands_of_mistakes_are_summarised(tmp_path):
    path = tmp_path / "many.yaml"
    path.write_text("share:\n" + "".join(f"  field{i}: x\n" for i in range(500)))
    lines = run("check", path).output.strip().splitlines()
    assert len(lines) == 51 and lines[-1] == "... and 450 more problems"


def test_an_engine_failure_is_exit_4_not_invalid_input(monkeypatch):
    from isp_rules import assessment
    from isp_rules.errors import EngineError

    def broken(*args, **kwargs):
        raise EngineError("rules engine failed while assessing a scenario: out of memory (durable_rules error 1)")

    monkeypatch.setattr(assessment, "fire", broken)
    result = run("check", URGENT)
    assert result.exit_code == 4
    assert result.output.strip() == "isp: rules engine failed while assessing a scenario: out of memory (durable_rules error 1)"


def test_isp_test_reports_invalid_files_as_failures_and_still_summarises(tmp_path):
    (tmp_path / "bad-date.yaml").write_text("id: bad-date\nas_of: 2026-02-30\nshare: {}\nexpect: {verdict: allow}\n")
    shutil.copy(URGENT, tmp_path / URGENT.name)
    result = run("test", tmp_path)
    assert "not a valid date" in result.output
    assert result.output.strip().splitlines()[-1] == "1 passed, 1 failed"


def test_isp_test_coverage_reports_and_fails_on_unfired_rules(tmp_path):
    result = run("test", "--coverage", SCENARIOS)
    assert result.exit_code == 0, result.output
    assert "coverage: " in result.output and "rule never fired" not in result.output
    one = tmp_path / URGENT.name
    shutil.copy(URGENT, one)
    result = run("test", "--coverage", one)
    assert result.exit_code == 1
    assert "rule never fired: LB-PA-LEGIT-001" in result.output
    assert "provision never exercised: " in result.output
    assert result.output.strip().splitlines()[-1] == "1 passed, 0 failed"


def test_isp_rules_lists_every_rule_in_every_format(ruleset):
    text = run("rules").output
    assert all(r.id in text for r in ruleset.rules)
    data = json.loads(run("rules", "--format", "json").output)
    assert data["sha256"] == ruleset.sha256 and len(data["rules"]) == len(ruleset.rules)
    assert all(r["citations"] and r["message"] and r["in_force"] for r in data["rules"])
    rli = next(r for r in data["rules"] if r["id"] == "LB-PA-RLI-001")
    assert rli["in_force"] == "from 2026-02-05"
    assert run("rules", "--format", "markdown").output.startswith("# Rule catalogue")


def test_docs_rules_md_is_current():
    from conftest import ROOT

    assert (ROOT / "docs" / "rules.md").read_text() == run("rules", "--format", "markdown").output, \
        "docs/rules.md is stale: isp rules --format markdown > docs/rules.md"


def test_docs_powers_md_is_current_and_lists_the_whole_catalogue(ruleset):
    import json

    from conftest import ROOT

    assert (ROOT / "docs" / "powers.md").read_text() == run("rules", "--powers", "--format", "markdown").output, \
        "docs/powers.md is stale: isp rules --powers --format markdown > docs/powers.md"
    listed = json.loads(run("rules", "--powers", "--format", "json").output)["powers"]
    assert sorted(p["id"] for p in listed) == sorted(p.id for p in ruleset.powers)
    assert all(p["citations"] for p in listed)
    assert run("rules", "--powers", "--pending").exit_code == 2


def test_an_unnamed_scenario_takes_its_file_name(tmp_path):
    path = tmp_path / "unnamed-share.yaml"
    path.write_text("share:\n  purpose: {category: direct_care}\n")
    assert json.loads(run("check", "--format", "json", path).output)["scenario"] == "unnamed-share"
    data = json.loads(run("check", "--format", "json", "-", input=path.read_text()).output)
    assert "scenario" in data and data["scenario"] is None


@pytest.mark.parametrize(("given", "says"), [("2026-13-01", "2026-13-01 is not a date (month must be in 1..12)"),
                                             ("2026-02-30", "2026-02-30 is not a date (day is out of range for month)"),
                                             ("1/12/2026", "expected a date such as 2026-12-01, got '1/12/2026'")])
def test_a_date_option_says_what_is_wrong_in_words_not_a_strftime_pattern(given, says):
    share = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
    for args in (["check", "--as-of", given, str(share)], ["log", "--since", given]):
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 2 and says in result.output and "%Y" not in result.output, result.output
