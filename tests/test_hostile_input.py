"""Hostile input to the command line, from the reliability review (../shared/review/reliability.md):
YAML standard tags, control characters, placeholders inside values, files that are not files.
Each gets exit 1 and one clear line naming the file, or is shown as written; never exit 4."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from conftest import SCENARIOS

from isp_rules import assess, parse_scenario
from isp_rules.agreement import Clause, Document, Section, write_document_docx, write_docx
from isp_rules.cli import cli
from isp_rules.decide import render_message
from isp_rules.errors import ScenarioError
from isp_rules.facts import fact_key
from isp_rules.scenario import Scenario

URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args])


def one_line_exit_1(result, path: Path) -> str:
    """The single problem line of a refused file (asserting how it was refused)."""
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)
    assert result.exit_code == 1, result.output
    assert "Traceback" not in result.output
    lines = result.stderr.splitlines()
    assert len(lines) == 1, lines
    assert lines[0].startswith(f"{path}:"), lines[0]
    return lines[0]


# --- YAML standard tags: every one was exit 4 (KeyError, AttributeError, IndexError) or slipped through


@pytest.mark.parametrize(("value", "tag"), [
    ("!!bool maybe", "!!bool"),
    ("!!timestamp notadate", "!!timestamp"),
    ("!!int ''", "!!int"),
    ("!!float ''", "!!float"),
    ("!!binary '@@@'", "!!binary"),
    ("!!binary dHJ1ZQ==", "!!binary"),
    ("!!set {a: 1}", "!!set"),
    ("!!omap [a: 1]", "!!omap"),
    ("!!python/object/apply:os.system [echo]", "!!python/object/apply:os.system"),
    ("!!python/name:os.system ''", "!!python/name:os.system"),
    ("!!str true", "!!str"),
    ("!!null x", "!!null"),
    ("!local yes", "!local"),
])
def test_a_yaml_tag_is_one_located_line(tmp_path, value, tag):
    path = tmp_path / "t.yaml"
    path.write_text(f"share:\n  from:\n    signatory: {value}\n")
    line = one_line_exit_1(run("check", path), path)
    assert line.startswith(f"{path}:3: share.from.signatory: YAML tags ({tag}) are not allowed"), line


# --- control characters: refused where they are read, so no output ever holds one


@pytest.mark.parametrize(("written", "code"), [
    ("\\x01", "U+0001"), ("\\0", "U+0000"), ("\\uFFFF", "U+FFFF"), ("\\e", "U+001B"), ("\\x7f", "U+007F"),
])
def test_an_escaped_control_character_is_refused_with_its_field(tmp_path, written, code):
    path = tmp_path / "s.yaml"
    path.write_text(f'title: "a {written} b"\nshare: {{}}\n')
    line = one_line_exit_1(run("check", path), path)
    assert line == f"{path}:1: title: contains {'a character that is not text' if code == 'U+FFFF' else 'an invisible control character'} " \
                   f"({code}) at character 3; remove it: no field may hold one"


@pytest.mark.parametrize("written", ["\\u202E", "\\u2066", "\\u202A"])
def test_a_direction_override_is_refused_so_no_reason_or_draft_reads_otherwise_than_stored(tmp_path, written):
    """"North \u202eeciloP\u202c Yorkshire" shows as "North Police Yorkshire" backwards in a reason,
    a draft and the register ("Trojan Source"); the directory refuses them in names already."""
    path = tmp_path / "s.yaml"
    path.write_text(f'share:\n  from:\n    name: "North {written}eciloP Yorkshire"\n')
    line = one_line_exit_1(run("check", path), path)
    assert line == (f"{path}:3: share.from.name: contains a character that reverses how text reads "
                    f"(U+{written[2:].upper()}) at character 7; remove it: no field may hold one")


def test_a_raw_control_character_is_refused_with_its_line_and_column(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_bytes(b"share:\n  purpose:\n    detail: ab\x01c\n")
    line = one_line_exit_1(run("check", path), path)
    assert line == f"{path}:3: an invisible control character (U+0001) at line 3, column 15: remove it"


def test_tab_and_line_breaks_in_text_are_still_text():
    scenario = parse_scenario('title: "a\\tb"\nshare:\n  purpose:\n    detail: |\n      one\n      two\n')
    assert scenario.title == "a\tb" and scenario.share.purpose.detail == "one\ntwo\n"


def test_a_scenario_that_did_not_come_from_a_file_still_gets_its_word_draft(tmp_path):
    # JSON over HTTP and the guided questions build the model without the YAML reader, so a
    # control character can reach the writers that way; Word shows it as U+FFFD.
    import docx

    scenario = Scenario.model_validate({"title": "Urgent \x01", "share": {
        "from": {"name": "North\x00Yorkshire Police", "type": "police"}, "to": {"name": "School \uffff"}}})
    target = tmp_path / "draft.docx"
    write_docx(scenario, assess(scenario), target)
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "North\ufffdYorkshire Police" in text and "\x00" not in text


def test_a_lone_surrogate_in_pasted_text_is_one_line():
    with pytest.raises(ScenarioError) as info:
        parse_scenario("share:\n  purpose:\n    detail: a\ud800b\n", "pasted")
    assert [str(p) for p in info.value.problems] == [
        "pasted:3: a broken character (U+D800, half of a pair that must go together) at line 3, column 14: remove it"]


def test_agreement_to_word_with_a_control_character_is_refused_not_crashed(tmp_path):
    path = tmp_path / "s.yaml"
    path.write_text(URGENT.read_text().replace("title: Police", 'title: "Police \\x01'
                                                                 "").replace("tonight\n", 'tonight"\n', 1))
    target = tmp_path / "a.docx"
    line = one_line_exit_1(run("agreement", path, "-o", target), path)
    assert "title: contains an invisible control character (U+0001)" in line
    assert not target.exists()  # nothing half-written


def test_a_word_document_holding_a_control_character_is_still_written(tmp_path):
    """The last guard: a document built some other way (not from a checked scenario) still saves."""
    import docx

    doc = Document(title="Draft \x01", version="v1", banners=("NUL \x00 here",),
                   sections=(Section(title="Parties \uffff", clauses=(Clause(heading="One\x1b", paragraphs=("x\x02",)),)),))
    target = tmp_path / "d.docx"
    write_document_docx(doc, target)
    text = "\n".join(p.text for p in docx.Document(str(target)).paragraphs)
    assert "Draft \ufffd" in text and "NUL \ufffd here" in text and "\x01" not in text


# --- placeholders inside values are never filled in again


def test_a_value_that_looks_like_a_placeholder_is_printed_as_written():
    fact = {fact_key("share.from.name"): "{share.to.name}", fact_key("share.to.name"): "Evil Corp"}
    assert render_message("{share.from.name} tells {share.to.name}.", fact) == "{share.to.name} tells Evil Corp."
    fact[fact_key("share.from.name")] = "{share.from.name}{share.to.name}"  # itself, and the other
    assert render_message("From {share.from.name} to {share.to.name}.", fact) == \
        "From {share.from.name}{share.to.name} to Evil Corp."


def test_a_party_named_like_a_placeholder_appears_in_the_reasons_as_named():
    scenario = parse_scenario("share:\n  from: {name: '{share.to.name}', type: local_authority}\n"
                              "  to: {name: Evil Corp}\n  basis: {article_6: legitimate_interests}\n")
    messages = [r.message for r in assess(scenario).reasons]
    said = [m for m in messages if "is a public authority" in m]
    assert said and all(m.startswith("{share.to.name} is a public authority") for m in said), said
    assert not any("Evil Corp is a public authority" in m for m in messages)


# --- files that are not ordinary files


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs on this system")
def test_a_fifo_with_no_writer_is_refused_not_waited_on(tmp_path):
    fifo = tmp_path / "share.yaml"
    os.mkfifo(fifo)
    # A subprocess, so a regression (open() blocking for ever) fails this test instead of hanging the run.
    proc = subprocess.run([sys.executable, "-m", "isp_rules", "check", str(fifo)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 1, proc.stderr
    assert proc.stderr.splitlines() == [(f"{fifo}: is a pipe (FIFO), not an ordinary file; save the scenario to a "
                                        "file, or give '-' to read it from standard input")]


@pytest.mark.parametrize(("path", "said"), [("/dev/null", "is a device, not an ordinary file"),
                                            ("/dev/zero", "is a device, not an ordinary file")])
def test_a_device_is_refused(path, said):
    if not Path(path).exists():
        pytest.skip(f"no {path} here")
    line = one_line_exit_1(run("check", path), Path(path))
    assert said in line


def test_a_directory_is_refused(tmp_path):
    assert one_line_exit_1(run("check", tmp_path), tmp_path) == f"{tmp_path}: is a directory, expected a YAML file"


def test_standard_input_is_still_read_with_a_dash():
    result = CliRunner().invoke(cli, ["check", "-"], input=URGENT.read_text())
    assert result.exit_code == 0 and result.output.startswith("ALLOW")


# --- nesting deep enough to overflow libyaml's stack


@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_nesting_a_hundred_thousand_deep_is_one_line_not_a_crash(tmp_path, opener):
    path = tmp_path / "deep.yaml"
    closer = "]" if opener == "[" else "}"
    path.write_text("share:\n  purpose: " + opener * 100_000 + "x" * (opener != "[") + closer * 100_000 + "\n")
    # A subprocess: libyaml overflowing the C stack kills the process with SIGSEGV.
    proc = subprocess.run([sys.executable, "-m", "isp_rules", "check", str(path)], capture_output=True, text=True,
                          timeout=120, check=False)
    assert proc.returncode == 1, f"exit {proc.returncode}: {proc.stderr[-300:]}"
    assert proc.stderr.splitlines() == [f"{path}:2: share: document is too large or nested more than 64 levels deep"]
