"""The Appendix J agreement draft: three parts, from the same decision as isp check."""

from click.testing import CliRunner
from conftest import SCENARIOS, build

from isp_rules import assess, load_scenario
from isp_rules.agreement import agreement_markdown
from isp_rules.cli import cli

ROUTINE = SCENARIOS / "governance" / "monthly-nominations-extract-to-housing-association-no-agreement.yaml"
URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"


def draft(scenario, ruleset):
    return agreement_markdown(scenario, assess(scenario, ruleset))


def test_three_parts_with_values_and_likely_answers(ruleset):
    text = draft(load_scenario(ROUTINE), ruleset)
    settled, by_share, still = (text.index(h) for h in ("## 1. Already settled", "## 2. Settled by this share", "## 3. Still to agree"))
    assert settled < by_share < still
    assert "| security |" in text[settled:by_share] and "both parties signed the protocol" in text[settled:by_share]
    assert "secure route" in text[settled:by_share]  # the standard itself, in plain words
    assert "| retention |" in text[by_share:still] and "Broadacres deletes nominee details" in text[by_share:still]
    assert "### sharing_agreement:" in text[still:]
    assert "- [ ] Draft one from the protocol's Appendix J template" in text[still:]
    assert text.rstrip().endswith("_Not legal advice: isp-rules applies the partnership's rules to the facts you gave; "
                                  "check doubtful cases with your data protection officer._")


def test_the_draft_matches_the_decision(ruleset):
    scenario = load_scenario(ROUTINE)
    decision = assess(scenario, ruleset)
    text = agreement_markdown(scenario, decision)
    for point in decision.open_points:
        assert f"### {point.id}:" in text
    assert f"**Assessment: {decision.verdict.upper()}.**" in text


def test_routine_sharing_with_a_non_signatory_has_the_protocol_standards_still_to_agree(ruleset):
    text = draft(build(share__frequency="routine", share__to__signatory=False), ruleset)
    assert "The protocol's standards are not settled for this share" in text
    assert "### security:" in text


def test_a_one_off_disclosure_to_a_non_signatory_lists_the_standards_as_obligations(ruleset):
    decision = assess(build(share__to__signatory=False), ruleset)
    text = agreement_markdown(build(share__to__signatory=False), decision)
    assert decision.verdict == "allow" and "### security:" not in text
    assert "for a one-off disclosure, the discloser's obligation: Send it by a secure route" in text


def test_an_urgent_share_lists_paperwork_for_afterwards_and_never_a_dpia_first(ruleset):
    urgent = build(share__purpose__category="safeguarding_child", share__urgency__risk="serious_or_imminent",
                   share__handling__retention=..., share__governance__dpia=..., share__frequency=...)
    text = draft(urgent, ruleset)
    assert "Urgent: share now" in text
    assert "### To complete after the share (urgent)" in text and "**retention:**" in text
    assert "Required before sharing starts" not in text


def test_an_urgent_share_held_by_a_stated_defect_never_says_share_now(ruleset):
    held = build(share__purpose__category="safeguarding_child", share__urgency__risk="serious_or_imminent",
                 share__data__categories=["identity", "health"], share__basis__article_9="employment_social_protection")
    decision = assess(held, ruleset)
    text = agreement_markdown(held, decision)
    assert decision.verdict == "needs-agreement" and decision.deferred and not decision.share_now
    assert "share now" not in text.lower() and "must be settled first" in text


def test_the_command_writes_a_markdown_file_or_stdout(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["agreement", str(ROUTINE)])
    assert out.exit_code == 0 and out.output.startswith("# Information sharing agreement (draft):")
    target = tmp_path / "agreement.md"
    result = runner.invoke(cli, ["agreement", str(ROUTINE), "-o", str(target)])
    assert result.exit_code == 0 and target.read_text() == out.output
    assert not list(tmp_path.glob("*.tmp"))
    assert runner.invoke(cli, ["agreement", str(ROUTINE), "-o", str(tmp_path / "a.pdf")]).exit_code == 2


def test_a_word_draft_has_the_same_content(tmp_path, ruleset):
    import docx

    target = tmp_path / "agreement.docx"
    result = CliRunner().invoke(cli, ["agreement", str(ROUTINE), "-o", str(target)])
    assert result.exit_code == 0, result.output
    document = docx.Document(str(target))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for row in t.rows for c in row.cells)
    for heading in ("1. Already settled", "2. Settled by this share", "3. Still to agree", "Sign-off"):
        assert heading in text
    assert "sharing_agreement: Is a written information sharing agreement" in text
    assert "security" in cells and "Broadacres deletes nominee details" in cells
    assert "Not legal advice" in text


def test_the_word_draft_opens_in_libreoffice(tmp_path):
    import shutil
    import subprocess

    import pytest

    office = shutil.which("libreoffice") or shutil.which("soffice")
    if office is None:
        pytest.skip("LibreOffice is not installed here, so the .docx cannot be converted to PDF in this run")
    target = tmp_path / "agreement.docx"
    assert CliRunner().invoke(cli, ["agreement", str(ROUTINE), "-o", str(target)]).exit_code == 0
    subprocess.run([office, "--headless", "--convert-to", "pdf", "--outdir", str(tmp_path), str(target)],
                   check=True, capture_output=True, timeout=180)
    pdf = tmp_path / "agreement.pdf"
    assert pdf.exists() and pdf.read_bytes().startswith(b"%PDF")


def test_bad_input_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("share: {frequency: weekly}\n")
    target = tmp_path / "agreement.md"
    result = CliRunner().invoke(cli, ["agreement", str(bad), "-o", str(target)])
    assert result.exit_code == 1 and "share.frequency: unknown value 'weekly'" in result.output
    assert not target.exists()


def test_drafts_get_ordinary_file_permissions(tmp_path):
    import os

    target = tmp_path / "agreement.md"
    CliRunner().invoke(cli, ["agreement", str(ROUTINE), "-o", str(target)])
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask
