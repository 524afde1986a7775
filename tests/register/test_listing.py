"""The register as `isp log` lists it: each record in plain words (text and CSV), JSON as stored;
times in UK time with the zone named; a record from before the case details were asked for says
"not recorded" rather than guessing."""

import csv
import io
import json

import pytest

from isp_rules.register import Record, describe, uk_time
from isp_rules.register.listing import CSV_COLUMNS, render_log

SCENARIO = {
    "id": "police-to-school", "title": "Police tell a school a pupil is at risk",
    "share": {"purpose": {"category": "safeguarding_child"},
              "from": {"name": "North Yorkshire Police", "type": "police"},
              "to": {"name": "Harrogate primary school", "type": "school"},
              "data": {"subjects": ["child"], "categories": ["identity", "health"]},
              "consent": {"status": "not_sought", "reason_not_sought": "would_increase_risk"}},
}
DECISION = {"verdict": "allow", "reasons": [{"title": "Urgent child safeguarding", "effect": "ground"}]}
CASE = {"reference": "CS-2026-0412", "no_reference": False,
        "parties": {"from": "North Yorkshire Police", "to": "Harrogate primary school"}}

RECORDS = [
    # written before the case details were asked for: no "case" in the body
    Record(1, "2026-12-01T09:00:00+00:00", "DSL", "police-to-school", "allow", "a" * 64,
           {"decision": DECISION, "scenario": SCENARIO}, "0" * 64, "b" * 64),
    Record(2, "2026-07-02T10:30:00+00:00", "IG lead", None, "needs-agreement", "c" * 64, {}, "b" * 64, "d" * 64),
    Record(3, "2026-12-07T09:14:00+00:00", "J. Smith, DSL", "police-to-school", "allow", "e" * 64,
           {"decision": DECISION, "scenario": SCENARIO, "case": CASE}, "d" * 64, "f" * 64),
]


def test_times_are_uk_time_with_the_zone_named():
    assert uk_time("2026-12-07T09:14:00+00:00") == "7 Dec 2026 09:14 GMT"
    assert uk_time("2026-07-02T10:30:00+00:00") == "2 Jul 2026 11:30 BST"  # summer time: an hour ahead
    assert uk_time("2026-03-29T01:30:00+00:00") == "29 Mar 2026 02:30 BST"  # the hour the clocks go forward


def test_text_gives_each_record_in_plain_words_and_the_count():
    text = render_log(RECORDS)
    blocks = text.split("\n\n")
    assert blocks[0].splitlines()[0] == "    1  1 Dec 2026 09:00 GMT  allow            police-to-school  by DSL"
    new = blocks[2]
    for line in ("Case reference: CS-2026-0412", "From: North Yorkshire Police", "To: Harrogate primary school",
                 "Information: About a child (under 18): names, dates of birth; physical or mental health",
                 "Purpose: Protecting a child", "Consent sought: Not sought: asking would increase the risk",
                 "Reasons: Urgent child safeguarding"):
        assert line in " ".join(new.split()), line  # wrapped at 88 characters
    assert all(len(line) <= 88 for line in text.splitlines())
    assert "by J. Smith, DSL" in new.splitlines()[0]
    assert "share." not in text and "safeguarding_child" not in text and "not_sought" not in text
    assert text.endswith("\n3 record(s)\n")
    assert render_log([]) == "0 record(s)\n"


def test_a_record_from_before_the_case_details_says_not_recorded():
    old = describe(RECORDS[0])
    assert old.case_reference == "not recorded"
    assert old.shared_by == "North Yorkshire Police"  # the scenario it holds names the parties
    empty = describe(RECORDS[1])
    assert {empty.case_reference, empty.shared_by, empty.shared_with, empty.what, empty.purpose,
            empty.consent} == {"not recorded"}
    assert empty.when == "2 Jul 2026 11:30 BST" and empty.decided_by == "IG lead"


def test_an_explicit_no_case_reference_is_shown_as_such():
    none = Record(4, "2026-12-07T09:14:00+00:00", "DSL", None, "allow", "e" * 64,
                  {"case": {"reference": None, "no_reference": True, "parties": {}}}, "f" * 64, "0" * 64)
    unasked = Record(5, "2026-12-07T09:14:00+00:00", "DSL", None, "allow", "e" * 64,
                     {"case": {"reference": None, "no_reference": False, "parties": {}}}, "f" * 64, "0" * 64)
    assert describe(none).case_reference == "none: the decider said there is no case reference"
    assert describe(unasked).case_reference == "not recorded"


def test_csv_has_plain_headers_and_the_details_of_each_record():
    rows = list(csv.reader(io.StringIO(render_log(RECORDS, "csv"))))
    assert rows[0] == CSV_COLUMNS
    header = {name: i for i, name in enumerate(rows[0])}
    new = rows[3]
    assert new[header["When (UK time)"]] == "7 Dec 2026 09:14 GMT"
    assert new[header["Case reference"]] == "CS-2026-0412"
    assert (new[header["From"]], new[header["To"]]) == ("North Yorkshire Police", "Harrogate primary school")
    assert new[header["Information"]].startswith("About a child (under 18)")
    assert new[header["Purpose"]] == "Protecting a child"
    assert new[header["Consent sought"]] == "Not sought: asking would increase the risk"
    assert new[header["Decided by"]] == "J. Smith, DSL" and new[header["Verdict"]] == "allow"
    assert new[header["Reasons"]] == "Urgent child safeguarding"
    assert new[header["Recorded at (UTC)"]] == "2026-12-07T09:14:00+00:00" and new[header["Record hash"]] == "f" * 64
    assert rows[1][header["Case reference"]] == "not recorded"
    assert rows[2][header["Scenario"]] == "" and rows[2][header["Verdict"]] == "needs-agreement"


def test_json_keeps_every_field():
    data = json.loads(render_log(RECORDS, "json"))
    assert [r["seq"] for r in data] == [1, 2, 3] and data[1]["body"] == {} and data[1]["scenario"] is None
    assert data[2]["body"]["case"] == CASE


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="no log format"):
        render_log(RECORDS, "xml")


def test_what_the_decision_asked_to_check_is_listed():
    body = {"scenario": {"share": {}}, "decision": {
        "contradictions": [{"field": "share.to.signatory", "stated": True, "directory": False,
                            "words": "You said the recipient signed the protocol; the directory says it left."}],
        "not_stated": ["Who is sharing the information is not stated."]}}
    record = Record(4, "2026-12-07T09:14:00+00:00", "DSL", None, "allow", "a" * 64, body, "b" * 64, "c" * 64)
    text = render_log([record])
    assert "To check: You said the recipient signed the protocol" in " ".join(text.split())
    rows = list(csv.reader(io.StringIO(render_log([record], "csv"))))
    assert rows[1][rows[0].index("To check")].endswith("Who is sharing the information is not stated.")
    assert "To check" not in render_log(RECORDS)  # only where there is something to check
