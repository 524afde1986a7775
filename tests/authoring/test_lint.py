"""isp lint on crafted rulesets: each check finds what it should, with file, rule and example;
and the bundled ruleset has no errors."""

from __future__ import annotations

import json
import shutil

import pytest
from click.testing import CliRunner
from conftest import ROOT, SCENARIOS

from isp_rules.cli import cli

TINY = ROOT / "tests" / "data" / "tiny-rules"
CITE = '    citations:\n      - {source: UK GDPR, ref: "Art 6(1)"}\n'


def rules_with(tmp_path, extra: str):
    folder = tmp_path / "rules"
    shutil.copytree(TINY, folder)
    (folder / "extra.yaml").write_text("rules:\n" + extra)
    return folder


def rule(rule_id: str, effect: str, when: str, more: str = "") -> str:
    text = f"  - id: {rule_id}\n    title: {rule_id} title\n    when: {when}\n    effect: {effect}\n    message: Says so.\n"
    if effect == "deny":
        text += "    remedy: Do otherwise.\n"
    return text + more + CITE


def no_library(tmp_path):
    folder = tmp_path / "no-scenarios"
    folder.mkdir(exist_ok=True)
    return folder


def lint(*args):
    result = CliRunner().invoke(cli, ["lint", *map(str, args)])
    return result.exit_code, result.output


def findings(folder, *args):
    code, out = lint(folder, "--format", "json", *args)
    return code, json.loads(out)["findings"]


def test_an_unreachable_rule_is_an_error(tmp_path):
    folder = rules_with(tmp_path, rule("TINY-NEVER-001", "advice",
                                       "{all: [{field: share.purpose.category, equals: marketing}, "
                                       "{field: share.purpose.category, equals: direct_care}]}"))
    code, found = findings(folder)
    assert code == 1
    assert [(f["check"], f["file"], f["rule"]) for f in found if f["level"] == "error"] == [("unreachable", "extra.yaml", "TINY-NEVER-001")]


def test_a_ground_and_a_deny_on_the_same_condition_contradict(tmp_path):
    when = "{field: share.purpose.category, in: [direct_care, public_health]}"
    folder = rules_with(tmp_path, rule("TINY-GROUND-001", "ground", when) + rule("TINY-DENY-001", "deny", when))
    code, found = findings(folder)
    contradiction = [f for f in found if f["check"] == "contradiction"]
    assert code == 1 and contradiction[0]["rule"] == "TINY-GROUND-001" and contradiction[0]["level"] == "error"
    assert "TINY-DENY-001" in contradiction[0]["message"]
    assert contradiction[0]["example"]["share"]["purpose"]["category"] in ("direct_care", "public_health")


def test_a_narrower_rule_with_the_same_finding_is_shadowed(tmp_path):
    folder = rules_with(tmp_path,
                        rule("TINY-GROUND-001", "ground", "{field: share.purpose.category, equals: direct_care}")
                        + rule("TINY-GROUND-002", "ground", "{all: [{field: share.purpose.category, equals: direct_care}, "
                               "{field: share.frequency, equals: one_off}]}"))
    code, found = findings(folder, "--scenarios", no_library(tmp_path))  # no library: only the search
    shadowed = [f for f in found if f["check"] == "shadowed"]
    assert [f["rule"] for f in shadowed] == ["TINY-GROUND-002"] and "TINY-GROUND-001" in shadowed[0]["message"]
    assert code == 0  # a warning only...
    code, _ = lint(folder, "--scenarios", no_library(tmp_path), "--strict")
    assert code == 1  # ...unless --strict


def test_different_findings_are_not_shadowed(tmp_path):
    folder = rules_with(tmp_path,
                        rule("TINY-GROUND-001", "ground", "{field: share.purpose.category, equals: direct_care}")
                        + rule("TINY-GROUND-002", "ground", "{all: [{field: share.purpose.category, in: [direct_care, public_health]}, "
                               "{field: share.frequency, equals: one_off}]}"))
    _, found = findings(folder, "--scenarios", no_library(tmp_path))
    assert not [f for f in found if f["check"] == "shadowed"]


def test_gaps_are_allows_with_no_ground(tmp_path):
    from isp_rules import assess, load_ruleset
    from isp_rules.scenario import Scenario

    _code, found = findings(TINY, "--scenarios", SCENARIOS / "safeguarding")
    gaps = [f for f in found if f["check"] == "gap"]
    assert gaps and all(f["level"] == "warning" for f in gaps)
    example = Scenario.model_validate(gaps[0]["example"])  # a whole scenario, ready to check
    decision = assess(example, load_ruleset(TINY))
    assert decision.verdict == "allow" and not [r for r in decision.reasons if r.effect == "ground"]


def test_the_gap_found_in_the_bundled_rules_would_be_found_again(tmp_path):
    """Without LB-LEGIT-002, a body that is not a public authority relying on legitimate interests
    is allowed with no ground saying that basis holds: the gap lint found before it was fixed."""
    folder = tmp_path / "rules"
    shutil.copytree(ROOT / "rulesets", folder)
    path = folder / "lawful-basis.yaml"
    text = path.read_text()
    start = text.index("  - id: LB-LEGIT-002")
    path.write_text(text[:start] + text[text.index("  - id: ", start + 10):])
    _, found = findings(folder, "--scenarios", SCENARIOS)
    assert [f["rule"] for f in found if f["check"] == "gap"] == ["article_6=legitimate_interests"]


def test_rules_reachable_only_through_named_values_are_not_called_unreachable():
    """Countries, dates, three list values, categories with a derived test, two phrases: each
    rule here can fire; only the two that truly cannot are errors."""
    code, found = findings(ROOT / "tests" / "data" / "lint-reach", "--scenarios", SCENARIOS / "consent")
    errors = sorted(f["rule"] for f in found if f["level"] == "error")
    assert code == 1 and errors == ["U-ANON-SC", "U-MENTIONS"]


def test_an_invalid_seed_scenario_is_skipped_with_a_note(tmp_path):
    seeds = tmp_path / "seeds"
    seeds.mkdir()
    (seeds / "bad.yaml").write_text("share: {frm: {}}\n")
    shutil.copy(SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml", seeds)
    _code, out = lint(TINY, "--scenarios", seeds)
    assert "note: scenario " in out and "bad.yaml was not used as a seed" in out
    assert "0 error(s)" in out


def test_a_missing_rules_directory_is_one_line(tmp_path):
    code, out = lint(tmp_path / "nowhere")
    assert code == 1 and out.strip() == f"isp: {tmp_path / 'nowhere'}: no such rules directory"


def test_schema_errors_are_reported_with_file_and_line(tmp_path):
    folder = rules_with(tmp_path, "  - id: TINY-BAD-001\n    title: no citation\n    when: {all: []}\n    effect: advice\n"
                                  "    message: Says so.\n")
    code, out = lint(folder)
    assert code == 1
    assert "extra.yaml:2: TINY-BAD-001 (rules[0].citations): [schema]" in out


def test_a_schema_error_names_its_rule_from_the_loader_not_from_its_path(tmp_path):
    """The rule a problem is in comes with the problem (Problem.rule, from the loader or the
    compiler), not from parsing its path and reading the file again."""
    from isp_rules.assessment import load_ruleset
    from isp_rules.errors import RulesetError

    anys = ", ".join(f"{{any: [{{field: share.frequency, equals: routine}}, "
                     f"{{field: share.data.confidential, equals: {str(i % 2 == 0).lower()}}}]}}" for i in range(17))
    folder = rules_with(tmp_path, rule("TINY-OK-001", "advice", "{all: []}")
                        + "  - id: TINY-BAD-002\n    title: no citation\n    when: {all: []}\n    effect: advice\n"
                          "    message: Says so.\n" + rule("TINY-BIG-003", "advice", "{all: [" + anys + "]}"))
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    assert [(p.path, p.rule) for p in info.value.problems] == [("rules[1].citations", "TINY-BAD-002")]
    code, out = lint(folder)
    assert code == 1 and "extra.yaml:9: TINY-BAD-002 (rules[1].citations): [schema]" in out
    (folder / "extra.yaml").write_text("rules:\n" + rule("TINY-OK-001", "advice", "{all: []}")
                                       + rule("TINY-BIG-003", "advice", "{all: [" + anys + "]}"))
    code, out = lint(folder)  # the compiler's problem names its rule too
    assert code == 1 and "extra.yaml:11: TINY-BIG-003 (rules[1].when): [schema] condition too complex" in out, out


def test_a_suspect_directory_entry_is_a_warning_that_fails_only_under_strict(tmp_path):
    folder = tmp_path / "rules"
    shutil.copytree(TINY, folder)
    (folder / "directory").mkdir()
    (folder / "directory" / "partners.yaml").write_text(
        "partners:\n  - {id: a, name: Ryedale Trust, type: charity}\n  - {id: b, name: ryedale trust, type: charity}\n")
    code, out = lint(folder, "--scenarios", no_library(tmp_path))
    assert code == 0 and "partners.yaml:3: partners[1].name: [directory] the same name as the partner on line 2" in out
    code, out = lint(folder, "--scenarios", no_library(tmp_path), "--strict")
    assert code == 1 and "0 error(s), 1 warning(s)" in out


def test_the_bundled_rules_are_clean_even_under_strict():
    code, out = lint(ROOT / "rulesets", "--scenarios", SCENARIOS, "--strict")
    assert out.splitlines()[-1].startswith("0 error(s), 0 warning(s)") and code == 0, out


def test_a_named_condition_nothing_names_is_a_warning(tmp_path):
    folder = rules_with(tmp_path, rule("TINY-OK-002", "advice", "{condition: routine}"))
    (folder / "conditions.yaml").write_text(
        "conditions:\n"
        "  - {id: routine, says: routine sharing, when: {field: share.frequency, equals: routine}}\n"
        "  - {id: one_off, says: a one-off, when: {field: share.frequency, equals: one_off}}\n")
    code, found = findings(folder, "--scenarios", no_library(tmp_path))
    unused = [(f["level"], f["file"], f["rule"]) for f in found if f["check"] == "unused"]
    assert unused == [("warning", "conditions.yaml", "one_off")]
    assert code == 0
