"""The ICO Annex B request and decision record on the web (issue 13, point 5): offered on the
decision page for a one-off share, downloaded as Word or Markdown, and refused with the reason for
a routine share, whose agreement is its record. The agreement draft downloads carry its clauses."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest
import yaml
from webutil import hidden

TestClient = pytest.importorskip("fastapi.testclient").TestClient
from webutil import browser_client

BUTTON = "Download the ICO Annex B request and decision record (Word)"


@pytest.fixture()
def client(tmp_path):
    from isp_rules.web import create_app

    with browser_client(create_app(database_url=str(tmp_path / "register.sqlite")), raise_server_exceptions=False) as c:
        yield c


SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
# Library scenarios (not conftest's: tests/web has a conftest of its own).
ONE_OFF = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
ROUTINE = SCENARIOS / "governance" / "monthly-nominations-extract-to-housing-association-no-agreement.yaml"


def scenario(path: Path) -> dict:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("expect", None)
    return data


def as_json(path: Path) -> str:
    return json.dumps(scenario(path), default=str)


def test_the_decision_page_offers_annex_b_for_a_one_off_share_only(client):
    one_off = client.post("/check", data={"text": ONE_OFF.read_text(encoding="utf-8")}).text
    assert BUTTON in one_off and 'action="/download/annex-b"' in one_off
    assert BUTTON not in client.post("/check", data={"text": ROUTINE.read_text(encoding="utf-8")}).text


def test_the_annex_b_record_downloads_as_word_and_markdown(client):
    page = client.post("/check", data={"text": ONE_OFF.read_text(encoding="utf-8")}).text
    word = client.post("/download/annex-b", data={"scenario": hidden(page, "scenario"), "format": "docx"})
    assert word.status_code == 200 and word.content[:2] == b"PK"
    assert f'filename="{ONE_OFF.stem}-annex-b-record.docx"' in word.headers["content-disposition"]
    with zipfile.ZipFile(io.BytesIO(word.content)) as z:
        xml = z.read("word/document.xml").decode()
    data = scenario(ONE_OFF)
    assert "Data sharing request and decision record" in xml and data["share"]["from"]["name"] in xml
    md = client.post("/v1/annex-b", content=as_json(ONE_OFF))
    assert md.status_code == 200 and md.headers["content-type"].startswith("text/markdown")
    # The police offered it unasked (request.by_recipient is false): nobody asked.
    assert data["share"]["request"]["by_recipient"] is False
    assert "- **Organisation asking for it:** Nobody: the discloser is sharing on its own initiative" in md.text
    assert "- **Decision on the request:** Share now: the share is urgent" in md.text


def test_a_routine_share_gets_no_annex_b_record_and_is_told_why(client):
    body = as_json(ROUTINE)
    api = client.post("/v1/annex-b", content=body)
    assert api.status_code == 422
    assert "routine sharing" in api.json()["detail"][0]["msg"]
    page = client.post("/download/annex-b", data={"scenario": body, "format": "docx"})
    assert page.status_code == 422 and "information sharing agreement" in page.text


def test_the_agreement_downloads_are_the_signable_draft(client):
    body = as_json(ROUTINE)
    md = client.post("/v1/agreement", content=body)
    assert md.status_code == 200
    assert md.text.startswith("# Information sharing agreement between North Yorkshire Council (housing options) "
                              "and Broadacres Housing Association")
    assert "### Signed for Broadacres Housing Association (the recipient)" in md.text
    assert "The protocol\u2019s standard:" in md.text
    page = client.post("/download/agreement", data={"scenario": body, "format": "docx"})
    assert page.status_code == 200 and page.content[:2] == b"PK"
