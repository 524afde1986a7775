"""Another partnership's Appendix J is data: replacing agreement-points.yaml changes the
decisions, with no code change, and a broken points file is reported line by line."""

from __future__ import annotations

import copy
import shutil

import yaml
from click.testing import CliRunner
from conftest import RULES, SCENARIOS

from isp_rules import assess, load_ruleset, load_scenario
from isp_rules.cli import cli
from isp_rules.scenario import Scenario

FOODBANK = SCENARIOS / "safeguarding" / "children-act-1989-schedule-2-is-not-the-crime-exemption.yaml"
SCHOOL = SCENARIOS / "safeguarding" / "school-referral-child-hit-at-home-not-sure-of-condition.yaml"
STANDARDS = {"security", "accuracy", "rights_requests", "breach_handling", "onward_disclosure", "review", "sign_off"}


def stricter_partnership(tmp_path):
    """A partnership whose Appendix J makes one-off disclosures agree the protocol's standards
    too (settled by both signatures or an agreement), instead of making them the discloser's
    obligations."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / "agreement-points.yaml"
    data = yaml.safe_load(path.read_text())
    for point in data["points"]:
        if point["id"] in STANDARDS:
            point["applies_to"] = ["routine", "one_off"]
            point["obligation_for"] = [k for k in point["obligation_for"] if k != "one_off"]
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    return target


def test_a_stricter_appendix_j_opens_the_standards_for_a_one_off_to_a_non_signatory(tmp_path):
    ours = assess(load_scenario(FOODBANK))
    theirs = assess(load_scenario(FOODBANK), load_ruleset(stricter_partnership(tmp_path)))
    assert ours.verdict == "allow"
    assert STANDARDS <= {o.point for o in ours.obligations if o.kind == "standard"}
    assert theirs.verdict == "needs-agreement"
    assert {p.id for p in theirs.open_points} == STANDARDS
    assert not {o.point for o in theirs.obligations if o.kind == "standard"} & STANDARDS


def test_under_the_stricter_appendix_j_signatories_still_settle_the_standards(tmp_path):
    data = yaml.safe_load(FOODBANK.read_text())
    data["share"]["to"]["signatory"] = True
    theirs = assess(Scenario.model_validate(data), load_ruleset(stricter_partnership(tmp_path)))
    assert theirs.verdict == "allow"
    assert {p.id: p.settled_by for p in theirs.points if p.id in STANDARDS} == dict.fromkeys(STANDARDS, "both_signatories")


def test_under_the_stricter_appendix_j_an_urgent_referral_still_goes_now(tmp_path):
    """The partnership's paperwork is still paperwork: urgency defers it (DESIGN.md, semantics 5)."""
    data = yaml.safe_load(SCHOOL.read_text())
    data["share"]["to"]["signatory"] = False
    theirs = load_ruleset(stricter_partnership(tmp_path))
    decision = assess(Scenario.model_validate(data), theirs)
    assert decision.verdict == "allow" and decision.share_now
    assert STANDARDS <= {p.id for p in decision.points if p.status == "deferred"}
    calm = copy.deepcopy(data)
    calm["share"]["urgency"] = {"risk": "low", "emergency": False}
    assert assess(Scenario.model_validate(calm), theirs).verdict == "needs-agreement"


def test_the_stricter_partnership_works_from_the_command_line(tmp_path):
    rules = stricter_partnership(tmp_path)
    result = CliRunner().invoke(cli, ["check", "--rules", str(rules), "--format", "json", str(FOODBANK)])
    assert result.exit_code == 0
    assert '"verdict": "needs-agreement"' in result.output


def test_a_broken_points_file_gets_one_line_per_problem(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / "agreement-points.yaml"
    text = path.read_text()
    for old, new in [
        ("    except_for: [anonymised]\n    settled_by: [share.from.type, share.to.type",
         "    except_for: [anonymized]\n    settled_by: [share.from.type, share.to.typ"),
        ("sets: {share.relationship: joint_controllers}", "sets: {share.relationshp: joint_controllers}"),
        ('    citations:\n      - {source: UK GDPR, ref: "Art 5(1)(b)", note: purpose limitation}\n', ""),
        ("settled_if: [both_signatories, agreement_for_purpose]", "settled_if: [both_signatorys, agreement_for_purpose]"),
    ]:
        assert old in text, old
        text = text.replace(old, new, 1)
    path.write_text(text)
    result = CliRunner().invoke(cli, ["check", "--rules", str(target), str(SCHOOL)])
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 5 and all(line.startswith(f"{path}:") for line in lines), lines
    out = result.output
    assert "points[0].except_for[0]: unknown kind of share 'anonymized'; did you mean 'anonymised'?" in out
    assert "points[0].settled_by[1]: unknown field 'share.to.typ'; did you mean 'share.to.type'?" in out
    assert "sets.share.relationshp: unknown field 'share.relationshp'; did you mean 'share.relationship'?" in out
    assert "points[1].citations: required field is missing" in out
    assert "settled_if[0]: unknown settlement 'both_signatorys'; did you mean 'both_signatories'?" in out
    assert "Traceback" not in out


def test_a_rule_naming_a_point_the_file_does_not_have_is_located(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    (target / "extra.yaml").write_text(
        "rules:\n  - id: TEST-OPEN-001\n    title: A test\n    when: {field: share.frequency, equals: routine}\n"
        "    effect: open\n    points: [sharing_agreemnt]\n    message: Test.\n"
        "    citations:\n      - {source: UK GDPR, ref: \"Art 5\"}\n")
    result = CliRunner().invoke(cli, ["lint", str(target)])
    assert result.exit_code == 1
    assert "extra.yaml:6:" in result.output and "'sharing_agreemnt'" in result.output
    assert "did you mean 'sharing_agreement'" in result.output


def test_the_agreement_draft_says_what_settles_the_standards_in_the_partnerships_own_words(tmp_path):
    """No protocol text in Python: the draft's sentence on open standards is built from the
    settlements in the agreement-points file, so a partnership that words them differently sees
    its own words."""
    from isp_rules.agreement import agreement_markdown

    target = stricter_partnership(tmp_path)
    path = target / "agreement-points.yaml"
    data = yaml.safe_load(path.read_text())
    for settlement in data["settlements"]:
        if settlement["id"] == "both_signatories":
            settlement["says"] = "both parties are members of the Ryedale data compact"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    scenario = load_scenario(FOODBANK)
    draft = agreement_markdown(scenario, assess(scenario, load_ruleset(target)))
    assert "They would be if both parties are members of the Ryedale data compact; or if" in draft
    assert "both parties signed the protocol" not in draft
