"""Recording from the guided flows (`isp triage --record`, `isp ask --record`): before anything
is recorded they ask for what the register must hold that the answers do not give: the case
reference (or an explicit "none"), the parties' names, and who decided."""

import pytest
from click.testing import CliRunner

from isp_rules.cli import cli
from isp_rules.register import open_register

# The triage's facts from a file, so that no triage question comes first: only the recording's.
URGENT = ("share:\n  purpose: {category: safeguarding_child}\n  urgency: {risk: serious_or_imminent}\n"
          "  from: {type: police}\n  to: {type: school}\n  data: {categories: [identity, contact]}\n")


@pytest.fixture()
def facts(tmp_path):
    path = tmp_path / "urgent.yaml"
    path.write_text(URGENT)
    return str(path)


def records(reg):
    return list(open_register(str(reg)).records())


def test_triage_asks_for_the_case_reference_names_and_who_decided(tmp_path, facts):
    reg = tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["triage", facts, "--record", "--register", str(reg)],
                                input="CS-2026-0412\nNorth Yorkshire Police\nHarrogate primary school\nDSL on call\n")
    assert result.exit_code == 0, result.output
    assert "SHARE NOW" in result.output and "Q1." not in result.output
    assert "Case reference (type none if there is no case reference)" in result.output
    assert "Name of the organisation sharing the information" in result.output
    assert "Who decided (your name or role)" in result.output
    [record] = records(reg)
    assert record.by == "DSL on call"
    assert record.body["case"] == {"reference": "CS-2026-0412", "no_reference": False,
                                   "parties": {"from": "North Yorkshire Police", "to": "Harrogate primary school"}}
    log = CliRunner().invoke(cli, ["log", "--register", str(reg)]).output
    assert "Case reference: CS-2026-0412" in log and "To: Harrogate primary school" in log


def test_an_empty_case_reference_is_asked_again_and_none_must_be_said(tmp_path, facts):
    reg = tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["triage", facts, "--record", "--by", "DSL", "--register", str(reg)],
                                input="\n\nnone\nPolice\nSchool\n")
    assert result.exit_code == 0, result.output
    assert result.output.count("Case reference (type none") == 3  # Enter alone is not an answer
    [record] = records(reg)
    assert record.body["case"]["no_reference"] is True and record.body["case"]["reference"] is None
    assert record.by == "DSL"


def test_options_answer_the_questions_before_they_are_asked(tmp_path, facts):
    reg = tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["triage", facts, "--record", "--by", "DSL", "--case-ref", "CS-9", "--register", str(reg)],
                                input="Police\nSchool\n")
    assert result.exit_code == 0, result.output
    assert "Case reference" not in result.output and "Who decided" not in result.output
    assert records(reg)[0].body["case"]["reference"] == "CS-9"


def test_end_of_input_before_the_case_reference_records_nothing(tmp_path, facts):
    reg = tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["triage", facts, "--record", "--by", "DSL", "--register", str(reg)], input="")
    assert result.exit_code != 0
    assert not reg.exists()


def test_a_scenario_that_names_the_parties_is_not_asked_for_them(tmp_path):
    start = tmp_path / "facts.yaml"
    start.write_text(URGENT.replace("{type: police}", "{type: police, name: North Yorkshire Police}")
                     .replace("{type: school}", "{type: school, name: Harrogate primary school}"))
    reg = tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["triage", str(start), "--record", "--no-case-ref", "--by", "DSL",
                                      "--register", str(reg)], input="")
    assert result.exit_code == 0, result.output
    assert "Name of the organisation" not in result.output
    assert records(reg)[0].body["case"]["parties"] == {"from": "North Yorkshire Police", "to": "Harrogate primary school"}


def test_ask_asks_for_the_case_reference_and_who_decided_before_recording(tmp_path):
    from conftest import SCENARIOS

    start = tmp_path / "start.yaml"
    text = (SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml").read_text(encoding="utf-8")
    start.write_text(text.split("\nexpect:")[0] + "\n")
    reg = tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["ask", str(start), "--record", "--register", str(reg)], input="CS-3\nIG lead\n")
    assert result.exit_code == 0, result.output
    assert "Name of the organisation" not in result.output  # the scenario names both parties
    [record] = records(reg)
    assert record.by == "IG lead" and record.body["case"]["reference"] == "CS-3"
    assert record.body["case"]["parties"]["from"] == "North Yorkshire Police"
