"""`isp dpia FILE`: the DPIA screening and outline, as Markdown on standard output or to a file,
or as Word; bad input one line and exit 1; a file written whole or not at all."""

from __future__ import annotations

import shutil

import pytest
import yaml
from click.testing import CliRunner
from conftest import RULES, SCENARIOS

from isp_rules.cli import cli
from isp_rules.dpia import CHECKLIST_FILE

NEEDED = SCENARIOS / "governance" / "families-programme-data-match-without-a-dpia.yaml"
NOT_NEEDED = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"


def run(*args, input=None):
    return CliRunner().invoke(cli, ["dpia", *(str(a) for a in args)], input=input, catch_exceptions=False)


def one_line_error(result, code=1):
    assert result.exit_code == code, result.output
    assert "Traceback" not in result.output
    assert result.stdout == ""
    return result.stderr.strip().splitlines()


def test_markdown_on_standard_output_names_the_need_and_the_signs():
    result = run(NEEDED)
    assert result.exit_code == 0, result.output
    text = result.stdout
    assert text.startswith("# DPIA screening and outline: The council starts matching")
    assert "A DPIA is required" in text
    assert "A likely high-risk routine share needs a DPIA before it starts" in text  # the rule that opened it
    assert "GOV-DPIA-001" not in text  # ids are for JSON, never for the document


def test_a_share_with_no_dpia_point_still_gets_its_screening():
    result = run(NOT_NEEDED)
    assert result.exit_code == 0
    assert "The decision did not find a DPIA needed for this share" in result.stdout
    assert "Processing the law says always needs a DPIA" in result.stdout  # the checklist is still there, as the record


def test_o_writes_markdown_and_word(tmp_path):
    import docx

    md = tmp_path / "dpia.md"
    result = run(NEEDED, "-o", md)
    assert result.exit_code == 0 and result.stdout == ""
    assert f"Wrote {md}" in result.stderr
    assert md.read_text(encoding="utf-8") == run(NEEDED).stdout

    word = tmp_path / "dpia.docx"
    assert run(NEEDED, "-o", word).exit_code == 0
    paragraphs = [p.text for p in docx.Document(str(word)).paragraphs]
    assert any("A DPIA is required" in p for p in paragraphs)
    # --format says Word whatever the file is called.
    other = tmp_path / "screening.out"
    assert run(NEEDED, "--format", "docx", "-o", other).exit_code == 0
    assert other.read_bytes().startswith(b"PK")  # a Word file is a zip


def test_as_of_sets_the_law_date():
    assert "law as at 2026-01-15" in run(NEEDED, "--as-of", "2026-01-15").stdout


def test_word_needs_a_file():
    lines = one_line_error(run(NEEDED, "--format", "docx"), code=2)
    assert lines[-1] == "Error: a Word document needs a file: give -o FILE.docx"


def test_bad_input_is_one_line_and_exit_1(tmp_path):
    assert one_line_error(run(tmp_path / "missing.yaml")) == [f"{tmp_path / 'missing.yaml'}: no such file"]
    bad = tmp_path / "bad.yaml"
    bad.write_text("share:\n  data:\n    subjects: [kid]\n", encoding="utf-8")
    lines = one_line_error(run(bad))
    assert len(lines) == 1 and lines[0].startswith(f"{bad}:3: share.data.subjects[0]: unknown value 'kid'")
    assert one_line_error(run(NEEDED, "-o", tmp_path / "no" / "such" / "dpia.md")) == [
        f"isp: cannot write {tmp_path / 'no' / 'such' / 'dpia.md'}: no such folder {str(tmp_path / 'no' / 'such')!r}"]


def test_a_broken_checklist_beside_the_rules_is_one_line_per_problem(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    data = yaml.safe_load((rules / CHECKLIST_FILE).read_text(encoding="utf-8"))
    data["questions"][2]["group"] = "sometimes"
    (rules / CHECKLIST_FILE).write_text(yaml.safe_dump(data), encoding="utf-8")
    lines = one_line_error(run(NEEDED, "--rules", rules))
    assert len(lines) == 1 and "questions[2].group" in lines[0] and "expected one of law, ico, consider" in lines[0]


@pytest.mark.parametrize("kind", ["md", "docx"])
def test_o_is_written_whole_or_not_at_all(tmp_path, monkeypatch, kind):
    """A failure while writing leaves the old file as it was, and no half-written file beside it."""
    from isp_rules import dpia

    target = tmp_path / f"dpia.{kind}"
    target.write_bytes(b"the old screening")

    def broken(*args, **kwargs):
        path = args[1] if len(args) > 1 else kwargs["target"]
        path.write_bytes(b"half a docu")
        raise RuntimeError("disk full")

    if kind == "docx":  # the Word writer, as the screening calls it
        monkeypatch.setattr(dpia, "write_document_docx", broken)
    else:  # Markdown: the text stops short of the temporary file
        real = dpia.Path.write_text

        def write_text(self, text, *a, **k):
            if self.suffix == ".tmp":
                real(self, text[:10], *a, **k)
                raise RuntimeError("disk full")
            return real(self, text, *a, **k)

        monkeypatch.setattr(dpia.Path, "write_text", write_text)
    with pytest.raises(RuntimeError):
        run(NEEDED, "-o", target)
    assert target.read_bytes() == b"the old screening"
    assert sorted(p.name for p in tmp_path.iterdir()) == [target.name]
