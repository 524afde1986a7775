"""`isp partners` and `isp agreements`: the directory as a practitioner and the secretariat read it."""

import csv
import datetime as dt
import io
import json
import re
import shutil

import pytest
from click.testing import CliRunner
from conftest import RULES
from test_directory import AGREEMENTS, BAD, PARTNERS, write

from isp_rules.cli import cli
from isp_rules.directory import load_directory

DIRECTORY = load_directory(RULES)


def run(*args):
    return CliRunner().invoke(cli, [str(a) for a in args], catch_exceptions=False)


def ids_in(text):
    """Every partner or agreement id that appears in `text` as a word of its own (not in an e-mail address)."""
    text = re.sub(r"\S+@\S+", "", text)
    ids = [p.id for p in DIRECTORY.partners] + [a.id for a in DIRECTORY.agreements]
    return [i for i in ids if re.search(rf"(?<![\w-]){re.escape(i)}(?![\w-])", text)]


def test_partners_lists_every_partner_by_name_in_plain_words():
    result = run("partners")
    assert result.exit_code == 0, result.output
    for partner in DIRECTORY.partners:
        assert partner.name in result.output
    assert "City of York Council" in result.output and "Council" in result.output
    assert "Charity or voluntary group" in result.output  # the kind of body, not 'charity'
    assert "Signed 2019-08-12, left 2024-03-31" in result.output and "Not signed" in result.output
    assert "local_authority" not in result.output and "housing_association" not in result.output
    assert ids_in(result.output) == []


def test_partners_search():
    result = run("partners", "police")
    assert result.exit_code == 0
    assert "North Yorkshire Police" in result.output and "City of York Council" not in result.output
    assert "No partner" in run("partners", "no such body").output


@pytest.mark.parametrize("fmt", ["json", "csv"])
def test_partners_json_and_csv_carry_ids(fmt):
    result = run("partners", "idas", "--format", fmt)
    assert result.exit_code == 0
    if fmt == "json":
        (partner,) = json.loads(result.output)["partners"]
        assert partner["id"] == "idas" and partner["type"] == "charity" and partner["kind"] == "Charity or voluntary group"
    else:
        (row,) = list(csv.DictReader(io.StringIO(result.output)))
        assert row["id"] == "idas" and row["signed_on"] == "2018-11-05"


def test_agreements_lists_every_agreement_with_parties_by_name():
    result = run("agreements")
    assert result.exit_code == 0, result.output
    for agreement in DIRECTORY.agreements:
        assert agreement.title in result.output
    assert "protecting a child" in result.output and "safeguarding_child" not in result.output
    assert "One-off" in result.output and "one_off" not in result.output
    assert ids_in(result.output) == []


def test_agreements_due_lists_the_due_soonest_first():
    result = run("agreements", "--due", "60", "--as-of", "2026-12-07")
    assert result.exit_code == 0, result.output
    titles = [a.title for a in DIRECTORY.due(dt.date(2026, 12, 7), 60)]
    assert len(titles) >= 3
    shown = [line for line in result.output.splitlines() if line in titles]
    assert shown == titles
    assert "York Multi-Agency Safeguarding Hub" not in result.output  # reviewed in 2027-03: not due
    assert "overdue" in result.output and "in 24 days" in result.output
    assert ids_in(result.output) == []


def test_agreements_due_json_is_soonest_first_with_ids():
    result = run("agreements", "--due", "60", "--as-of", "2026-12-07", "--format", "json")
    due = [a["due_on"] for a in json.loads(result.output)["agreements"]]
    assert due == sorted(due) and len(due) >= 3
    assert all("id" in a for a in json.loads(result.output)["agreements"])


def test_no_directory_says_where_to_put_one(tmp_path):
    for command in ("partners", "agreements"):
        result = run(command, "--rules", tmp_path)
        assert result.exit_code == 0 and "No partnership directory" in result.output


@pytest.mark.parametrize("case", sorted(BAD))
@pytest.mark.parametrize("command", ["partners", "agreements"])
def test_bad_input_is_one_located_line_and_exit_1(tmp_path, case, command):
    partners, agreements, expected = BAD[case]
    result = run(command, "--rules", write(tmp_path, partners, agreements))
    assert result.exit_code == 1
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and expected in lines[0] and "Traceback" not in result.output, result.output


def test_an_unknown_partner_in_an_agreement_gets_a_did_you_mean(tmp_path):
    folder = write(tmp_path, PARTNERS, AGREEMENTS.replace("city-of-york-council,", "city-of-york-counsil,"))
    result = run("agreements", "--rules", folder)
    assert result.exit_code == 1
    assert "unknown partner 'city-of-york-counsil'; did you mean 'city-of-york-council'?" in result.output


def test_the_bundled_directory_is_found_beside_rules_given_with_rules(tmp_path):
    copy = tmp_path / "rules"
    shutil.copytree(RULES / "directory", copy / "directory")
    assert run("partners", "--rules", copy).output == run("partners").output


def test_help_has_an_example():
    for command in ("partners", "agreements"):
        assert "Example:" in run(command, "--help").output


def test_the_id_check_would_see_an_id():
    """The check above is not vacuous: JSON output, which carries ids, fails it."""
    assert "north-yorkshire-police" in ids_in(run("partners", "--format", "json").output)
    assert "york-mash" in ids_in(run("agreements", "--format", "json").output)
