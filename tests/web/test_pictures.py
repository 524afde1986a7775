"""/map, /map.svg and /dashboard over HTTP, on each register store: the pictures inline with their
words beside them, the purpose filter, counts that match the register, plain words, no script."""

from __future__ import annotations

import datetime as dt
import re
import xml.etree.ElementTree as ET

import pytest
from conftest import RULES, build
from leaks import DOTTED, SNAKE
from test_plain_words import visible_text

from isp_rules.assessment import assess
from isp_rules.directory import load_directory
from isp_rules.register import open_register

SVG = "{http://www.w3.org/2000/svg}"
DIRECTORY = load_directory(RULES)
UTC = dt.UTC


@pytest.fixture
def recorded(register_target, ruleset):
    """Decisions in the app's register: two this month (UK time), one a month earlier."""
    today = dt.datetime.now(UTC).replace(hour=12, minute=0, second=0, microsecond=0)
    this_month = today.replace(day=1)
    last_month = (this_month - dt.timedelta(days=1)).replace(day=5)
    reg = open_register(register_target)
    care = build(share__purpose__category="direct_care", share__from__partner="york-and-scarborough-teaching-hospitals",
                 share__from__name=..., share__to__partner="city-of-york-council", share__to__name=...)
    deny = build(share__from__type="local_authority", share__basis__article_6="legitimate_interests")
    reg.append(assess(care, ruleset), care, by="tester", at=this_month)
    reg.append(assess(deny, ruleset), deny, by="tester", at=this_month + dt.timedelta(hours=1))
    reg.append(assess(care, ruleset), care, by="tester", at=last_month)
    reg.close()
    return this_month.date(), last_month.date()


def svg_in(page: str) -> ET.Element:
    found = re.search(r"<svg .*?</svg>", page, re.DOTALL)
    assert found, "no picture in the page"
    return ET.fromstring(found.group(0))


def flows(root: ET.Element, kind: str) -> list[ET.Element]:
    return [g for g in root.iter(SVG + "g") if {"flow", kind} <= set((g.get("class") or "").split())]


def test_the_map_page_shows_the_picture_and_its_words(client, recorded):
    page = client.get("/map")
    assert page.status_code == 200
    root = svg_in(page.text)
    assert root.get("role") == "img"
    assert len(flows(root, "agreement")) == len(DIRECTORY.agreements)
    assert sum(int(f.get("data-count") or 0) for f in flows(root, "decision")) == 3
    assert 'href="/map.svg"' in page.text and 'name="purpose" value="direct_care"' in page.text
    text = visible_text(page.text)
    assert "York and Scarborough Teaching Hospitals NHS Foundation Trust" in text
    assert not SNAKE.findall(text) and not DOTTED.findall(text)
    assert "<script" not in page.text and " style=" not in page.text  # the CSP allows neither inline


def test_the_purpose_filter(client, recorded):
    page = client.get("/map", params={"purpose": "direct_care"})
    assert page.status_code == 200
    root = svg_in(page.text)
    expected = [a for a in DIRECTORY.agreements if "direct_care" in a.purposes]
    assert len(flows(root, "agreement")) == len(expected)
    assert sum(int(f.get("data-count") or 0) for f in flows(root, "decision")) == 2
    assert re.search(r'name="purpose" value="direct_care" checked', page.text)
    assert 'href="/map.svg?purpose=direct_care"' in page.text


def test_an_unknown_purpose_is_a_plain_422(client):
    page = client.get("/map", params={"purpose": "<nonsense>"})
    assert page.status_code == 422
    assert "Choose a purpose from the list." in page.text and "<nonsense>" not in page.text
    assert client.get("/map.svg", params={"purpose": "nonsense"}).status_code == 422


def test_the_map_as_a_file(client, recorded):
    response = client.get("/map.svg", params={"purpose": "direct_care"})
    assert response.status_code == 200
    assert response.headers["content-type"].startswith("image/svg+xml")
    assert 'filename="data-flow-map-direct-care.svg"' in response.headers["content-disposition"]
    root = ET.fromstring(response.text.split("\n", 1)[1])
    assert root.get("width") and sum(int(f.get("data-count") or 0) for f in flows(root, "decision")) == 2
    # Opened on its own, the picture still runs no script: the server's policy goes with it.
    assert "script-src 'none'" in response.headers["content-security-policy"]
    assert response.headers["x-content-type-options"] == "nosniff"
    assert all(client.head(address).status_code == 200 for address in ("/map", "/map.svg", "/dashboard"))


def test_an_empty_register_still_shows_the_map_and_the_charts(client):
    page = client.get("/map")
    assert page.status_code == 200 and "No decisions recorded yet" in visible_text(page.text)
    board = client.get("/dashboard")
    assert board.status_code == 200
    assert "No decisions recorded yet." in visible_text(board.text)


def test_the_dashboard_counts_match_the_register(client, recorded):
    this_month, last_month = recorded
    page = client.get("/dashboard")
    assert page.status_code == 200
    assert len(re.findall(r"<svg ", page.text)) == 3
    # The figures in words, a month to a line, newest first: allow, needs agreement, deny.
    lines = re.findall(r"<li><strong>([A-Z][a-z]{2} \d{4})</strong>: (\d+) decisions?(?:: (\d+) allow, (\d+) needs "
                       r"agreement, (\d+) deny)?</li>", page.text)
    figures = {month: [int(n or 0) for n in counts] for month, *counts in lines}
    assert figures[f"{this_month:%b %Y}"] == [2, 1, 0, 1]
    assert figures[f"{last_month:%b %Y}"] == [1, 1, 0, 0]
    assert lines[0][0] == f"{this_month:%b %Y}"
    assert f"<strong>{this_month:%b %Y}</strong>: 1 for caring for the person (health or social care); 1 for " in page.text
    text = visible_text(page.text)
    assert "1 for caring for the person (health or social care)" in text
    assert not SNAKE.findall(text) and not DOTTED.findall(text)
    # Every agreement due within a year, or overdue, is listed in words.
    due = DIRECTORY.due(dt.date.today(), 365)
    assert due and all(a.title in text for a in due)
