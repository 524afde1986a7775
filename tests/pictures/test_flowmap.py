"""The data-flow map (pictures/flowmap.py): one point per organisation, one hub per agreement, one
arrow per discloser, recipient and verdict standing for its decisions; the purpose filter; text
escaped; an empty register still drawn."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from conftest import RULES

from isp_rules.directory import Directory, load_directory
from isp_rules.pictures.flowmap import UnknownPurposeError, build_map, parse_purpose, render_map
from isp_rules.register import Record

SVG = "{http://www.w3.org/2000/svg}"
HOSTILE = 'Smith & Sons <b>"Care"</b> Ltd'

DIRECTORY = Directory.model_validate({
    "partners": [
        {"id": "council", "name": "Example Council", "type": "local_authority", "signed_on": "2020-01-01"},
        {"id": "police", "name": "Example Police", "type": "police", "signed_on": "2020-01-01"},
        {"id": "hostile", "name": HOSTILE, "type": "private_company"},
        {"id": "trust", "name": "Example NHS Trust", "type": "nhs_trust", "signed_on": "2020-01-01"},
    ],
    "agreements": [
        {"id": "mash", "title": "Safeguarding hub agreement", "parties": ["council", "police", "trust"],
         "purposes": ["safeguarding_child"], "data": ["identity"], "frequency": "routine", "start": "2021-01-01",
         "review": "2027-01-01"},
        {"id": "care", "title": "Care <agreement> & more", "parties": ["council", "hostile"],
         "purposes": ["direct_care"], "data": ["health"], "frequency": "routine", "start": "2021-01-01"},
    ],
})


def record(seq: int, verdict: str, purpose: str, source: dict, target: dict, at: str = "2026-06-01T10:00:00+00:00",
           names: dict | None = None) -> Record:
    body = {"scenario": {"share": {"purpose": {"category": purpose}, "from": source, "to": target}},
            "decision": {"verdict": verdict}, "case": {"parties": names or {}}}
    return Record(seq, at, "tester", f"s{seq}", verdict, "0" * 64, body, "0" * 64, f"{seq:064d}")


RECORDS = [
    record(1, "allow", "safeguarding_child", {"partner": "police"}, {"partner": "council"}),
    record(2, "allow", "safeguarding_child", {"partner": "police"}, {"partner": "council"}),
    record(3, "deny", "safeguarding_child", {"partner": "police"}, {"partner": "council"}),
    record(4, "needs-agreement", "direct_care", {"partner": "trust"}, {"partner": "hostile"}),
    # Named, not chosen from the directory: the exact name is the partner; anything else stands apart.
    record(5, "allow", "direct_care", {"name": "example nhs trust"}, {"name": "A <GP> & \"practice\""}),
    record(6, "needs-agreement", "safeguarding_child", {"partner": "council"}, {"type": "school"}),
    Record(7, "2026-06-02T10:00:00+00:00", "dpo", None, "approved", "0" * 64, {}, "0" * 64, "7" * 64),  # a sign-off
]


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg.split("\n", 1)[1] if svg.startswith("<?xml") else svg)


def groups(root: ET.Element, cls: str) -> list[ET.Element]:
    return [g for g in root.iter(SVG + "g") if cls in (g.get("class") or "").split()]


def classes(root: ET.Element, *wanted: str) -> list[ET.Element]:
    return [g for g in root.iter(SVG + "g") if set(wanted) <= set((g.get("class") or "").split())]


def all_text(root: ET.Element) -> str:
    return " ".join("".join(t.itertext()) for t in root.iter() if t.tag in (SVG + "text", SVG + "title", SVG + "desc"))


def test_one_point_per_partner_one_hub_per_agreement_one_arrow_per_pair_and_verdict():
    fmap = build_map(DIRECTORY, RECORDS, today=dt.date(2026, 12, 7))
    root = parse(render_map(fmap))
    assert len(classes(root, "node", "partner")) == len(DIRECTORY.partners)
    # The GP practice (named, not in the directory) and the school (only its kind stated) stand apart.
    assert len(classes(root, "node", "outside")) == 2
    assert len(classes(root, "flow", "agreement")) == len(DIRECTORY.agreements)
    arrows = classes(root, "flow", "decision")
    # police->council allow (2) and deny (1); trust->hostile; trust->GP; council->school
    assert sorted((a.get("data-verdict"), int(a.get("data-count") or 0)) for a in arrows) == sorted(
        [("allow", 2), ("deny", 1), ("needs-agreement", 1), ("allow", 1), ("needs-agreement", 1)])
    assert sum(int(a.get("data-count") or 0) for a in arrows) == 6  # every decision, no sign-off
    hub = classes(root, "flow", "agreement")[0]
    assert len(list(hub.iter(SVG + "line"))) == 3  # a solid line to each of the hub agreement's parties


def test_a_decision_naming_a_partner_exactly_joins_that_partner():
    fmap = build_map(DIRECTORY, RECORDS)
    flow = next(f for f in fmap.decisions if 5 in f.seqs)
    assert flow.source == "trust"
    assert fmap.name(flow.target) == 'A <GP> & "practice"'


def test_the_purpose_filter_removes_the_other_agreements_and_decisions():
    root = parse(render_map(build_map(DIRECTORY, RECORDS, "direct_care")))
    assert len(classes(root, "flow", "agreement")) == 1
    arrows = classes(root, "flow", "decision")
    assert sum(int(a.get("data-count") or 0) for a in arrows) == 2
    text = all_text(root)
    assert "Care <agreement> & more" in text and "Safeguarding hub agreement" not in text
    assert len(classes(root, "node", "partner")) == len(DIRECTORY.partners)  # every partner stays on the map
    assert len(classes(root, "node", "outside")) == 1  # the school appears only in a safeguarding decision


def test_names_are_escaped_and_the_file_stays_valid_xml():
    svg = render_map(build_map(DIRECTORY, [*RECORDS, record(8, "allow", "direct_care", {"name": "Bad\x01name\u202e"},
                                                             {"partner": "council"})]))
    root = parse(svg)  # raises on a name that broke the XML
    assert HOSTILE not in svg and "Smith &amp; Sons &lt;b&gt;&quot;Care&quot;&lt;/b&gt; Ltd" in svg
    assert "<agreement>" not in svg
    assert HOSTILE in all_text(root)  # and it reads as written
    assert "Bad\\x01name\\u202e" in all_text(root)  # control and direction characters shown, not obeyed
    assert not list(root.iter(SVG + "script")) and not list(root.iter(SVG + "style"))


def test_an_empty_register_still_draws_the_partnership():
    root = parse(render_map(build_map(DIRECTORY, [])))
    assert "No decisions recorded yet" in all_text(root)
    assert len(classes(root, "node", "partner")) == len(DIRECTORY.partners)
    assert not classes(root, "flow", "decision")
    assert root.get("role") == "img" and root.find(SVG + "title") is not None and root.find(SVG + "desc") is not None


def test_the_map_is_the_same_each_time():
    assert render_map(build_map(DIRECTORY, RECORDS)) == render_map(build_map(DIRECTORY, list(RECORDS)))


def test_the_bundled_directory_draws_with_every_partner():
    directory = load_directory(RULES)
    root = parse(render_map(build_map(directory, [])))
    assert len(classes(root, "node", "partner")) == len(directory.partners)
    assert len(classes(root, "flow", "agreement")) == len(directory.agreements)


@pytest.mark.parametrize(("given", "found"), [("safeguarding_child", "safeguarding_child"),
                                              ("Safeguarding-Child", "safeguarding_child"), ("", None), (None, None)])
def test_parse_purpose(given, found):
    assert parse_purpose(given) == found


def test_an_unknown_purpose_says_what_was_meant():
    with pytest.raises(UnknownPurposeError, match="did you mean 'safeguarding_child'"):
        parse_purpose("safegarding_child")
