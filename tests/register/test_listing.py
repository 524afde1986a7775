"""The register as `isp log` lists it: text lines with a count, CSV rows, JSON records."""

import csv
import io
import json

import pytest

from isp_rules.register import Record
from isp_rules.register.listing import CSV_COLUMNS, render_log

RECORDS = [
    Record(1, "2026-12-01T09:00:00+00:00", "DSL", "police-to-school", "allow", "a" * 64, {"decision": {}}, "0" * 64, "b" * 64),
    Record(2, "2026-12-02T10:30:00+00:00", "IG lead", None, "needs-agreement", "c" * 64, {}, "b" * 64, "d" * 64),
]


def test_text_is_one_line_a_record_and_the_count():
    lines = render_log(RECORDS).splitlines()
    assert lines[0] == f"    1  2026-12-01T09:00:00+00:00  allow            police-to-school  by DSL  (rules {'a' * 12})"
    assert "needs-agreement  -  by IG lead" in lines[1]
    assert lines[-1] == "2 record(s)"
    assert render_log([]) == "0 record(s)\n"


def test_csv_has_a_header_and_one_row_a_record():
    rows = list(csv.reader(io.StringIO(render_log(RECORDS, "csv"))))
    assert rows[0] == CSV_COLUMNS
    assert rows[2] == ["2", "2026-12-02T10:30:00+00:00", "IG lead", "", "needs-agreement", "c" * 64, "d" * 64]


def test_json_keeps_every_field():
    data = json.loads(render_log(RECORDS, "json"))
    assert [r["seq"] for r in data] == [1, 2] and data[0]["body"] == {"decision": {}} and data[1]["scenario"] is None


def test_an_unknown_format_is_refused():
    with pytest.raises(ValueError, match="no log format"):
        render_log(RECORDS, "xml")
