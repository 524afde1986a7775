"""The register dashboard's charts (pictures/charts.py): decisions counted per UK month by
verdict and by purpose from a real register, months in Europe/London; agreements due for review."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from conftest import build

from isp_rules.assessment import assess
from isp_rules.directory import Directory
from isp_rules.pictures.charts import (
    count_decisions,
    due_agreements,
    due_chart,
    purpose_chart,
    uk_month,
    verdict_chart,
)
from isp_rules.register import SIGN_OFF, open_register, sign_off
from isp_rules.register.access import local_actor

SVG = "{http://www.w3.org/2000/svg}"
UTC = dt.UTC
TODAY = dt.date(2026, 12, 7)


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)


def text_of(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter() if t.tag in (SVG + "text", SVG + "title", SVG + "desc"))


@pytest.mark.parametrize(("at", "month"), [
    ("2026-03-31T23:30:00+00:00", dt.date(2026, 4, 1)),   # 00:30 BST on 1 April
    ("2026-10-31T23:30:00+00:00", dt.date(2026, 10, 1)),  # GMT again by then: still 31 October
    ("2026-06-30T23:00:00+00:00", dt.date(2026, 7, 1)),   # midnight BST
    ("2026-06-30T22:59:59+00:00", dt.date(2026, 6, 1)),
    ("not a time", None),
])
def test_a_decision_counts_in_its_uk_month(at, month):
    assert uk_month(at) == month


@pytest.fixture
def register(store, ruleset):
    """A register holding decisions at chosen times (UTC), with a sign-off that is not a decision."""
    reg = open_register(store.target)
    allow = (build(), assess(build(), ruleset))
    deny_scenario = build(share__from__type="local_authority", share__basis__article_6="legitimate_interests")
    deny = (deny_scenario, assess(deny_scenario, ruleset))
    unknown = build(share__purpose__category="safeguarding_child", share__basis__article_6=...)
    open_point = (unknown, assess(unknown, ruleset))
    plan = [
        (allow, "2026-01-15T10:00:00"), (allow, "2026-03-31T23:30:00"), (deny, "2026-03-31T22:30:00"),
        (open_point, "2026-04-02T09:00:00"), (allow, "2026-04-30T12:00:00"), (deny, "2026-06-10T12:00:00"),
    ]
    for (scenario, decision), at in plan:
        reg.append(decision, scenario, by="tester", at=dt.datetime.fromisoformat(at).replace(tzinfo=UTC))
    sign_off(reg, 1, "approved", "checked", local_actor("DPO", ["approver"]))
    yield reg
    reg.close()


def test_counts_per_month_match_the_register(register):
    records = list(register.records())
    assert any(r.kind == SIGN_OFF for r in records)
    verdicts = {r.seq: r.verdict for r in records}
    assert [verdicts[i] for i in range(1, 7)] == ["allow", "allow", "deny", "needs-agreement", "allow", "deny"]
    counts = count_decisions(records, TODAY)
    assert counts.months[0] == dt.date(2026, 1, 1) and counts.months[-1] == dt.date(2026, 12, 1)
    assert len(counts.months) == 12  # the months with no decision are there too
    assert counts.by_verdict == {
        dt.date(2026, 1, 1): {"allow": 1},
        dt.date(2026, 3, 1): {"deny": 1},  # 22:30 UTC on 31 March is 23:30 BST, still March
        dt.date(2026, 4, 1): {"allow": 2, "needs-agreement": 1},  # 23:30 UTC on 31 March is April in the UK
        dt.date(2026, 6, 1): {"deny": 1},
    }
    assert counts.total == 6 and counts.earlier == 0
    assert counts.purpose(dt.date(2026, 4, 1), "statutory_duty") == 2
    assert counts.purpose(dt.date(2026, 4, 1), "safeguarding_child") == 1
    assert counts.purposes()[0] == "statutory_duty"


def test_the_verdict_chart_draws_each_count(register):
    counts = count_decisions(list(register.records()), TODAY)
    root = parse(verdict_chart(counts))
    bars = [b for b in root.iter(SVG + "rect") if b.get("class") == "bar"]
    assert sum(int(b.get("data-count") or 0) for b in bars) == 6
    april = [b for b in bars if "Apr 2026" in "".join(b.itertext())]
    assert sorted((b.get("data-verdict"), int(b.get("data-count") or 0)) for b in april) == [
        ("allow", 2), ("needs-agreement", 1)]
    assert root.get("role") == "img" and root.get("aria-labelledby")
    # Each verdict is named in the key beside its fill, and two of them carry a pattern: never colour alone.
    assert all(w in text_of(root) for w in ("Allow", "Needs agreement", "Deny"))
    assert len(list(root.iter(SVG + "pattern"))) == 2


def test_the_purpose_chart_writes_each_number(register):
    counts = count_decisions(list(register.records()), TODAY)
    root = parse(purpose_chart(counts))
    cells = [g for g in root.iter(SVG + "g") if g.get("class") == "cell"]
    assert len(cells) == len(counts.purposes()) * len(counts.months)
    assert sum(int(c.get("data-count") or 0) for c in cells) == 6
    assert "Meeting a legal duty" in text_of(root) and "Protecting a child" in text_of(root)
    assert "statutory_duty" not in text_of(root)


def test_only_the_last_months_are_drawn_and_the_rest_counted():
    from isp_rules.register import Record

    old = [Record(i, f"20{20 + i // 12:02d}-{i % 12 + 1:02d}-10T12:00:00+00:00", "x", None, "allow", "", {}, "", "")
           for i in range(1, 60)]
    counts = count_decisions(old, dt.date(2026, 12, 7), max_months=24)
    assert len(counts.months) == 24 and counts.months[-1] == dt.date(2026, 12, 1)
    assert counts.total + counts.earlier == 59


def test_an_empty_register_still_draws_its_charts():
    counts = count_decisions([], TODAY)
    assert counts.months == (dt.date(2026, 12, 1),)
    for chart in (verdict_chart(counts), purpose_chart(counts)):
        assert "No decisions recorded yet." in text_of(parse(chart))


DIRECTORY = Directory.model_validate({
    "partners": [{"id": "a", "name": "A", "type": "police"}, {"id": "b", "name": "B", "type": "school"}],
    "agreements": [
        {"id": f"ag-{n}", "title": title, "parties": ["a", "b"], "purposes": ["other"], "data": ["identity"],
         "frequency": "routine", "start": "2020-01-01", "review": review}
        for n, (title, review) in enumerate([("Overdue <one> & \"two\"", "2026-11-07"), ("Soon", "2026-12-17"),
                                             ("Far", "2028-01-01"), ("Today", "2026-12-07")])],
})


def test_agreements_due_for_review_by_days_left():
    due = due_agreements(DIRECTORY, TODAY, 365)
    assert [(d.agreement.title, d.days_left) for d in due] == [
        ('Overdue <one> & "two"', -30), ("Today", 0), ("Soon", 10)]
    svg = due_chart(due, 365)
    root = parse(svg)
    rows = [g for g in root.iter(SVG + "g") if g.get("class") == "due"]
    assert [int(g.get("data-days") or 0) for g in rows] == [-30, 0, 10]
    assert "30 days overdue" in text_of(root) and "Overdue <one>" in text_of(root)
    assert "<one>" not in svg


def test_no_agreement_due():
    assert "No agreement is due for review." in text_of(parse(due_chart([], 365)))
