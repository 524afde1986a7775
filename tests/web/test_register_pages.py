"""The register's pages and API against golden rule 7: every record holds the case reference, the
parties by name, what was shared, the purpose, when (UK time, the zone named), who decided, the
verdict and reasons, and whether consent was sought; the record form asks for the case reference
and the names before recording; checking the register is a page; JSON stays for programs."""

from __future__ import annotations

import copy
import csv
import datetime as dt
import io
import json
import re
import sqlite3
from pathlib import Path

import pytest
import yaml

from isp_rules import assess, load_scenario
from isp_rules.register import open_register

TestClient = pytest.importorskip("fastapi.testclient").TestClient

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
UK_TIME = re.compile(r"\b\d{1,2} [A-Z][a-z]{2} \d{4} \d\d:\d\d (GMT|BST)\b")
ISO_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def scenario() -> dict:
    data = yaml.safe_load(URGENT.read_text(encoding="utf-8"))
    data.pop("expect", None)
    return json.loads(json.dumps(data, default=str))


def unnamed() -> dict:
    """The same share with neither party named: the record form must ask for both names."""
    data = copy.deepcopy(scenario())
    del data["share"]["from"]["name"], data["share"]["to"]["name"]
    return data




def recorded(target) -> list:
    from isp_rules.register import EmptyRegisterError

    try:
        return list(open_register(target).records())
    except EmptyRegisterError:
        return []


def main_text(html: str) -> str:
    inner = html.split('<main id="main" tabindex="-1">', 1)[1].split("</main>", 1)[0]
    return " ".join(re.sub(r"<[^>]+>", " ", inner).split())


def form(data: dict, **fields: str) -> dict:
    return {"scenario": json.dumps(data), "case_asked": "1", **fields}


# --- the record form ----------------------------------------------------------------------


def test_the_decision_page_asks_for_the_case_reference_and_missing_names(client):
    page = client.post("/check", data={"text": yaml.safe_dump(unnamed())}).text
    for field in ("case_reference", "no_case_reference", "from_name", "to_name", "by"):
        assert f'name="{field}"' in page, field
    assert "There is no case reference" in page
    named = client.post("/check", data={"text": yaml.safe_dump(scenario())}).text
    assert 'name="case_reference"' in named and 'name="from_name"' not in named and 'name="to_name"' not in named


@pytest.mark.parametrize("fields, field, message", [
    ({"by": "DSL"}, "case_reference", "Give the case reference, or say that there is no case reference."),
    ({"by": "DSL", "case_reference": "CS-1", "no_case_reference": "yes"}, "case_reference", "not both"),
    ({"by": "DSL", "case_reference": "x" * 101}, "case_reference", "at most 100 characters"),
    ({"case_reference": "CS-1"}, "by", "Give your name or role"),
])
def test_nothing_is_recorded_without_the_details_a_record_needs(client, register_target, fields, field, message):
    response = client.post("/record", data=form(scenario(), **fields))
    assert response.status_code == 422
    assert "Nothing was recorded" in response.text and message in response.text
    assert re.search(rf'id="{field}"[^>]*aria-invalid="true"', response.text)
    assert recorded(register_target) == []
    if "case_reference" in fields and len(fields["case_reference"]) <= 100:  # what was typed is kept
        assert f'value="{fields["case_reference"]}"' in response.text


def test_a_share_with_unnamed_parties_needs_their_names(client, register_target):
    missing = client.post("/record", data=form(unnamed(), by="DSL", case_reference="CS-1"))
    assert missing.status_code == 422 and "Give the name of the organisation sharing the information" in missing.text
    assert recorded(register_target) == []
    done = client.post("/record", data=form(unnamed(), by="DSL", case_reference="CS-1", from_name="North Yorkshire Police",
                                            to_name="Harrogate primary school"), follow_redirects=False)
    assert done.status_code == 303
    [record] = recorded(register_target)
    assert record.body["case"]["parties"] == {"from": "North Yorkshire Police", "to": "Harrogate primary school"}


def test_a_recorded_decision_shows_what_golden_rule_7_asks(client, register_target):
    done = client.post("/record", data=form(scenario(), by="J. Smith, DSL", case_reference="CS-2026-0412"),
                       follow_redirects=False)
    assert done.status_code == 303 and done.headers["location"] == "/decisions/1"
    text = main_text(client.get("/decisions/1").text)
    for words in ("Recorded as decision 1", "by J. Smith, DSL", "Case reference CS-2026-0412",
                  "From North Yorkshire Police", "To A primary school in Harrogate (designated safeguarding lead)",
                  "Information About a child (under 18): names, dates of birth", "Purpose Protecting a child",
                  "Consent sought Not sought", "ALLOW", "Reasons"):
        assert words in text, words
    assert UK_TIME.search(text) and not ISO_TIME.search(text) and "(UTC)" not in text
    assert "Record this decision" not in text


def test_an_explicit_no_case_reference_is_recorded_and_said(client, register_target):
    client.post("/record", data=form(scenario(), by="DSL", no_case_reference="yes"))
    assert recorded(register_target)[0].body["case"] == {
        "reference": None, "no_reference": True,
        "parties": {"from": "North Yorkshire Police", "to": "A primary school in Harrogate (designated safeguarding lead)"}}
    assert "none: the decider said there is no case reference" in main_text(client.get("/decisions").text)


def test_a_form_from_before_the_case_reference_was_asked_still_records(client, register_target):
    """A page left open across an upgrade sends no case_asked: its decision is not lost, and the
    register says honestly that no case reference was recorded."""
    response = client.post("/record", data={"scenario": json.dumps(scenario()), "by": "DSL"}, follow_redirects=False)
    assert response.status_code == 303
    assert "Case reference not recorded" in main_text(client.get("/decisions/1").text)


# --- the register -------------------------------------------------------------------------


def test_the_register_lists_each_record_in_plain_words_and_uk_time(client, register_target):
    register = open_register(register_target)
    s = load_scenario(URGENT)
    register.append(assess(s), s, by="Winter DSL", at=dt.datetime(2026, 12, 7, 9, 14, tzinfo=dt.UTC))
    register.append(assess(s), s, by="Summer DSL", at=dt.datetime(2026, 7, 2, 10, 30, tzinfo=dt.UTC))
    text = main_text(client.get("/decisions").text)
    assert "7 Dec 2026 09:14 GMT" in text and "2 Jul 2026 11:30 BST" in text
    assert text.index("Decision 2") < text.index("Decision 1")  # newest first
    for words in ("Case reference not recorded", "From North Yorkshire Police", "Consent sought Not sought",
                  "Decided by Summer DSL", "Purpose Protecting a child"):
        assert words in text, words
    assert not ISO_TIME.search(text) and "–" not in text
    assert "share." not in text and "safeguarding_child" not in text and "not_sought" not in text
    assert 'href="/decisions/verify"' in client.get("/decisions").text


def test_the_register_downloads_as_a_spreadsheet(client):
    client.post("/record", data=form(scenario(), by="DSL", case_reference="CS-5"))
    response = client.get("/decisions.csv")
    assert response.status_code == 200 and response.headers["content-type"].startswith("text/csv")
    assert "attachment" in response.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(response.text)))
    assert rows[0]["Case reference"] == "CS-5" and rows[0]["From"] == "North Yorkshire Police"
    assert rows[0]["Decided by"] == "DSL" and UK_TIME.fullmatch(rows[0]["When (UK time)"])


def test_checking_the_register_is_a_page_for_people_and_json_for_programs(client, register_target, tmp_path):
    empty = client.get("/decisions/verify")
    assert empty.status_code == 200 and "Nothing has been recorded yet" in empty.text
    client.post("/record", data=form(scenario(), by="DSL", case_reference="CS-1"))
    client.post("/record", data=form(scenario(), by="DSL", case_reference="CS-2"))
    page = client.get("/decisions/verify")
    assert page.headers["content-type"].startswith("text/html")
    assert "The register is intact" in main_text(page.text) and "All 2 records" in main_text(page.text)
    assert client.get("/v1/decisions/verify").json() == {"intact": True, "problems": []}
    if register_target.endswith(".sqlite"):
        with sqlite3.connect(register_target) as conn:
            conn.execute("UPDATE records SET body = replace(body, 'CS-1', 'CS-9') WHERE seq = 1")
        text = main_text(client.get("/decisions/verify").text)
        assert "The register has been changed since it was recorded" in text
        assert "record 1: edited after it was recorded" in text
        assert client.get("/v1/decisions/verify").json()["intact"] is False


# --- the API ------------------------------------------------------------------------------


def test_the_api_records_the_case_reference_from_the_body(client, register_target):
    body = {"scenario": scenario(), "record": {"case_reference": "CS-77", "by": "DSL on call"}}
    response = client.post("/v1/decisions", content=json.dumps(body))
    assert response.status_code == 201 and response.json()["record"]["by"] == "DSL on call"
    full = client.get("/v1/decisions?full=true").json()["records"][0]
    assert full["body"]["case"]["reference"] == "CS-77"
    assert full["body"]["case"]["parties"]["from"] == "North Yorkshire Police"


@pytest.mark.parametrize("record, path", [
    ({"by": "DSL"}, "record.case_reference"),
    ({"by": "DSL", "case_reference": "CS-1", "no_case_reference": True}, "record.case_reference"),
    ({"by": "DSL", "case_ref": "CS-1"}, "record.case_ref"),
    ({"case_reference": "CS-1"}, "query.by"),
])
def test_the_api_refuses_incomplete_record_details(client, register_target, record, path):
    response = client.post("/v1/decisions", content=json.dumps({"scenario": scenario(), "record": record}))
    assert response.status_code == 422 and path in [p["path"] for p in response.json()["detail"]]
    assert recorded(register_target) == []


def test_the_api_still_records_a_plain_scenario(client, register_target):
    response = client.post("/v1/decisions?by=IG", content=json.dumps(scenario()))
    assert response.status_code == 201
    assert recorded(register_target)[0].body["case"]["reference"] is None
    spec = client.get("/openapi.json").json()["paths"]["/v1/decisions"]["post"]
    assert "oneOf" in spec["requestBody"]["content"]["application/json"]["schema"]
