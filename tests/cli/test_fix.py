"""`isp fix`: what would make a share lawful, from the command line, and the file it writes."""

from __future__ import annotations

import json

import pytest
import yaml
from click.testing import CliRunner
from conftest import SCENARIOS

from isp_rules import assess, default_ruleset, load_scenario
from isp_rules.cli import cli

UNENCRYPTED = SCENARIOS / "children-education" / "secondary-school-emails-child-protection-file-to-college-unencrypted.yaml"
ROUTINE = SCENARIOS / "governance" / "monthly-nominations-extract-to-housing-association-no-agreement.yaml"
URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"


def run(*args, input=None):
    return CliRunner().invoke(cli, [str(a) for a in args], input=input, catch_exceptions=False)


def one_line_exit_1(result) -> str:
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1, lines
    return lines[0]


def test_fix_shows_what_would_make_it_lawful():
    result = run("fix", UNENCRYPTED)
    assert result.exit_code == 0, result.output
    assert result.output.startswith("DENY")
    assert "What would make it lawful:" in result.output
    assert "1. Send it by secure email." in result.output
    assert "This clears: Sensitive or confidential data must travel securely." in result.output


def test_fix_json_has_the_field_paths():
    result = run("fix", "--format", "json", ROUTINE)
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["verdict"] == "needs-agreement"
    first = data["remedies"][0]
    assert {(c["field"], c["new"]) for c in first["changes"]} == {
        ("share.governance.agreement", "in_place"), ("share.governance.agreement_covers_purpose", True)}
    assert first["points"] == ["sharing_agreement"] and first["only_if_true"] is False


@pytest.mark.parametrize("path", [UNENCRYPTED, ROUTINE])
def test_fix_write_round_trip_gives_allow(tmp_path, path):
    out = tmp_path / "fixed.yaml"
    result = run("fix", path, "--write", out)
    assert result.exit_code == 0, result.output
    written = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert written["id"] == "fixed" and "expect" not in written
    original = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert written["share"]["purpose"] == original["share"]["purpose"]
    assert written["share"]["urgency"] == original["share"]["urgency"]
    scenario = load_scenario(out)
    assert assess(scenario, default_ruleset()).verdict == "allow"
    checked = run("check", out)
    assert checked.exit_code == 0 and checked.output.startswith("ALLOW")
    assert path.read_text(encoding="utf-8") == path.read_text(encoding="utf-8")  # the input untouched


def test_fix_write_in_place_only_when_given_the_same_path(tmp_path):
    source = tmp_path / "share.yaml"
    source.write_text(ROUTINE.read_text(encoding="utf-8"), encoding="utf-8")
    before = source.read_text(encoding="utf-8")
    line = one_line_exit_1(run("fix", source, "--write", f"{tmp_path}/./share.yaml"))
    assert "is the scenario itself" in line
    assert source.read_text(encoding="utf-8") == before
    result = run("fix", source, "--write", source)
    assert result.exit_code == 0, result.output
    assert assess(load_scenario(source), default_ruleset()).verdict == "allow"
    assert yaml.safe_load(source.read_text(encoding="utf-8"))["id"] == yaml.safe_load(before)["id"]
    # The comments at the top (the library's "# why:" line) stay when the file is changed in place.
    heading = [line for line in before.splitlines() if line.startswith("#")][:1]
    assert heading and source.read_text(encoding="utf-8").splitlines()[0] == heading[0]


def test_fix_on_an_allowed_share_changes_nothing(tmp_path):
    result = run("fix", URGENT)
    assert result.exit_code == 0 and result.output.startswith("ALLOW")
    assert "Nothing to change" in result.output
    out = tmp_path / "out.yaml"
    assert "already allowed" in one_line_exit_1(run("fix", URGENT, "--write", out))
    assert not out.exists()


def test_fix_bad_input_is_one_line_and_exit_1(tmp_path):
    assert "no such file" in one_line_exit_1(run("fix", tmp_path / "missing.yaml"))
    bad = tmp_path / "bad.yaml"
    bad.write_text("share:\n  frm: {}\n", encoding="utf-8")
    assert "did you mean 'from'" in one_line_exit_1(run("fix", bad))
    assert not list(tmp_path.glob("*.tmp"))


def test_check_shows_the_remedies_in_text_markdown_and_json():
    text = run("check", UNENCRYPTED)
    assert "What would make it lawful:" in text.output and "Send it by secure email." in text.output
    markdown = run("check", "--format", "markdown", UNENCRYPTED)
    assert "### What would make it lawful" in markdown.output
    data = json.loads(run("check", "--format", "json", UNENCRYPTED).output)
    assert data["remedies"][0]["changes"][0]["field"] == "share.handling.transfer"
    allowed = json.loads(run("check", "--format", "json", URGENT).output)
    assert "remedies" not in allowed  # nothing sought for an allow
    quiet = run("check", "--no-remedies", UNENCRYPTED)
    assert "What would make it lawful" not in quiet.output


def test_check_of_many_files_leaves_the_search_out_unless_asked():
    files = sorted((SCENARIOS / "children-education").glob("*.yaml"))[:6]
    many = run("check", *files)
    assert "What would make it lawful" not in many.output
    asked = json.loads(run("check", "--format", "json", "--remedies", *files).output)
    for decision in asked:
        assert ("remedies" in decision) == (decision["verdict"] != "allow")


def test_fix_write_into_a_missing_folder_is_one_line_and_exit_1(tmp_path):
    """Review finding 8: it exited 4 with FileNotFoundError."""
    line = one_line_exit_1(run("fix", UNENCRYPTED, "--write", tmp_path / "nope" / "x.yaml"))
    assert "no such folder" in line
    assert not (tmp_path / "nope").exists()


def test_fix_write_refuses_a_symbolic_link_and_leaves_it(tmp_path):
    """Review finding 13: a dangling link was replaced by a file; a link to a file is refused too."""
    dangling = tmp_path / "dangling.yaml"
    dangling.symlink_to(tmp_path / "absent.yaml")
    assert "symbolic link" in one_line_exit_1(run("fix", UNENCRYPTED, "--write", dangling))
    assert dangling.is_symlink() and not (tmp_path / "absent.yaml").exists()
    real = tmp_path / "real.yaml"
    real.write_text("kept\n", encoding="utf-8")
    link = tmp_path / "link.yaml"
    link.symlink_to(real)
    assert "symbolic link" in one_line_exit_1(run("fix", UNENCRYPTED, "--write", link))
    assert link.is_symlink() and real.read_text(encoding="utf-8") == "kept\n"


def test_fix_write_refuses_something_that_is_not_a_regular_file(tmp_path):
    """Review finding 1: the output replaced whatever was there (as root, /dev/null became a file)."""
    import os
    import stat

    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    assert "not a regular file" in one_line_exit_1(run("fix", UNENCRYPTED, "--write", fifo))
    assert stat.S_ISFIFO(os.lstat(fifo).st_mode)
    assert not list(tmp_path.glob("*.tmp"))
