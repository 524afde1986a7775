"""The catalogue of gateways and powers (rulesets/powers/*.yaml): loading, bad input, recognising
the power a share names, and what the lawful-basis rules make of it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from isp_rules import assess, default_ruleset
from isp_rules.assessment import load_ruleset
from isp_rules.authoring.catalogue import powers_as_data, render_powers
from isp_rules.errors import RulesetError
from isp_rules.facts import close_powers, power_phrase, recognised_powers, to_fact
from isp_rules.loader import ruleset_digest
from isp_rules.scenario import Scenario

ROOT = Path(__file__).resolve().parent.parent
RULES = ROOT / "rulesets"

ENTRY = """\
  - id: {id}
    statute: {statute}
    section: "{section}"
    names: {names}
    permits: {permits}
    kind: {kind}
    who: {who}
    citations:
      - {{source: "{statute}", ref: "{section}"}}
"""


def entry(id="TEST-S1", statute="Test Act 2020", section="s1", names="[]", permits="Lets the body share.",
          kind="power_to_disclose", who="[]") -> str:
    return ENTRY.format(id=id, statute=statute, section=section, names=names, permits=permits, kind=kind, who=who)


def rules_with(tmp_path: Path, text: str, name: str = "test.yaml") -> Path:
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "powers").mkdir(exist_ok=True)
    (rules / "powers" / name).write_text("powers:\n" + text)
    return rules


def share(legal_power: str | None, article_6: str = "public_task", from_type: str = "local_authority",
          to_type: str = "other_public_body", **extra) -> Scenario:
    basis = {"article_6": article_6}
    if legal_power is not None:
        basis["legal_power"] = legal_power
    data = {
        "id": "powers-test", "as_of": "2026-12-01",
        "share": {
            "purpose": {"category": "statutory_duty"},
            "from": {"name": "North Yorkshire Council", "type": from_type, "signatory": True},
            "to": {"name": "Recipient", "type": to_type, "signatory": True},
            "relationship": "separate_controllers",
            "request": {"by_recipient": True, "in_writing": True},
            "data": {"subjects": ["adult"], "categories": ["identity", "contact"], "identifiability": "identified",
                     "confidential": False, "volume": "individual", "minimised": True},
            "frequency": "one_off",
            "urgency": {"risk": "none", "emergency": False},
            "basis": {**basis, "compatible_purpose": True},
            "consent": {"status": "not_sought", "reason_not_sought": "would_prejudice"},
            "confidentiality": "not_applicable",
            "governance": {"agreement": "none", "privacy_notice": "covers"},
            "handling": {"transfer": "secure_email", "retention": "Per the council's schedule"},
        },
    }
    for path, value in extra.items():
        node = data["share"]
        *parents, last = path.split("__")
        for part in parents:
            node = node.setdefault(part, {})
        node[last] = value
    return Scenario.model_validate(data)


# --- loading -----------------------------------------------------------------------------

def test_the_catalogue_loads_typed_with_file_and_line():
    ruleset = default_ruleset()
    assert ruleset.powers, "rulesets/powers/*.yaml should hold the catalogue"
    power = ruleset.power("LGA1972-S111")
    assert power.statute == "Local Government Act 1972" and power.kind == "function"
    assert power.who == ["local_authority"] and power.citations
    assert power.file.endswith("misc.yaml") and power.line > 0
    assert power_phrase("Local Government Act 1972 + section 111") in power.match


def test_a_power_says_what_it_serves_and_the_listing_shows_it():
    ruleset = default_ruleset()
    # Care Act 2014 s42 serves adults' safeguarding only; an entry that says nothing is not narrowed.
    assert ruleset.power("CA2014-S42").purposes == ["safeguarding_adult"]
    assert ruleset.power("LGA1972-S111").purposes == []
    listed = {p["id"]: p for p in powers_as_data(ruleset)}
    assert listed["CA2014-S42"]["purposes"] == ["safeguarding_adult"] and "purposes" not in listed["LGA1972-S111"]
    text = render_powers(ruleset, "text")
    block = text[text.index("CA2014-S42 "):]
    assert "What for: protecting an adult at risk\n" in block[:block.index("Source:")]


def test_every_entry_has_a_unique_id_and_statute_section():
    ruleset = default_ruleset()
    ids = [p.id for p in ruleset.powers]
    assert len(ids) == len(set(ids))


@pytest.mark.parametrize("text, expected", [
    (entry().replace("    citations:\n      - {source: \"Test Act 2020\", ref: \"s1\"}\n", "    citations: []\n"),
     "test.yaml:9: powers[0].citations: entry TEST-S1: expected at least one citation"),
    (entry().replace("    citations:\n      - {source: \"Test Act 2020\", ref: \"s1\"}\n", ""),
     "test.yaml:2: powers[0].citations: entry TEST-S1: expected at least one citation"),
    (entry(kind="power_to_share"), ("powers[0].kind: entry TEST-S1: unknown kind 'power_to_share'; expected duty_to_disclose, "
                                   "power_to_disclose, function, exemption, confidence_only; did you mean 'power_to_disclose'?")),
    (entry(who="[local_authorty]"), ("powers[0].who[0]: entry TEST-S1: unknown party type 'local_authorty' in who; "
                                    "did you mean 'local_authority'?")),
    (entry(who="[local_authority]\n    purposes: [safeguarding_adults]"),
     ("powers[0].purposes[0]: entry TEST-S1: unknown purpose 'safeguarding_adults' in purposes; "
      "did you mean 'safeguarding_adult'?")),
    (entry() + entry(statute="Other Act 2021"), "powers[1].id: entry TEST-S1: duplicate power id"),
    (entry() + entry(id="TEST-S1-AGAIN", section="section 1"),
     "powers[1].section: entry TEST-S1-AGAIN: duplicate power: Test Act 2020 section 1 is already entry TEST-S1"),
])
def test_bad_catalogue_entries_get_one_clear_line(tmp_path, text, expected):
    rules = rules_with(tmp_path, text)
    with pytest.raises(RulesetError) as info:
        load_ruleset(rules)
    assert any(expected in str(p) for p in info.value.problems), [str(p) for p in info.value.problems]


def test_a_duplicate_across_two_files_names_both_places(tmp_path):
    rules = rules_with(tmp_path, entry())
    (rules / "powers" / "zz-other.yaml").write_text("powers:\n" + entry(id="TEST-OTHER"))
    with pytest.raises(RulesetError) as info:
        load_ruleset(rules)
    (problem,) = [p for p in info.value.problems if "duplicate" in p.message]
    assert problem.file.endswith("zz-other.yaml") and "test.yaml:2" in problem.message


def test_bad_catalogue_exits_1_through_the_cli_with_no_traceback(tmp_path):
    rules = rules_with(tmp_path, entry(kind="obligation"))
    scenario = next((ROOT / "scenarios" / "lawful-basis").glob("*.yaml"))
    result = subprocess.run([sys.executable, "-m", "isp_rules", "check", "--rules", str(rules), str(scenario)],
                            check=False, capture_output=True, text=True, env={"ISP_NO_CACHE": "1", "PATH": ""})
    assert result.returncode == 1
    assert "Traceback" not in result.stderr + result.stdout
    assert "powers[0].kind: entry TEST-S1: unknown kind 'obligation'" in result.stderr + result.stdout


def test_the_sha_changes_when_the_catalogue_changes(tmp_path):
    rules = rules_with(tmp_path, entry())
    before = ruleset_digest(rules)
    assert load_ruleset(rules).sha256 == before
    (rules / "powers" / "test.yaml").write_text("powers:\n" + entry(permits="Lets the body share, as amended."))
    assert ruleset_digest(rules) != before
    assert load_ruleset(rules).sha256 == ruleset_digest(rules)


# --- recognising the power named ---------------------------------------------------------

def test_recognition_reads_abbreviations_alike():
    powers = default_ruleset().powers
    for text in ("Local Government Act 1972 s111", "Local Government Act 1972, section 111",
                 "s.111 Local Government Act 1972", "LGA 1972 s 111 (subsidiary powers)"):
        assert [p.id for p in recognised_powers(text, powers)] == ["LGA1972-S111"], text
    assert not recognised_powers("Local Government Act 1972 s11", powers)  # whole words: s11 is not s111



def test_an_act_is_recognised_by_its_short_form_or_its_title():
    """Practitioners write "NHS Act 2006" as often as the title; the catalogue may name either."""
    powers = default_ruleset().powers
    for text in ("NHS Act 2006 s82", "National Health Service Act 2006, section 82"):
        assert [p.id for p in recognised_powers(text, powers)] == ["NHSA2006-S82"], text
    assert [p.id for p in recognised_powers("National Health Service Act 2006 s2B", powers)] == ["NHSA2006-S2B"]
    assert not recognised_powers("National Health Act 2006 s82", powers)  # only the Act's own short form

def test_the_derived_facts():
    ruleset = default_ruleset()
    fact = to_fact(share("Local Government Act 1972 s111"), phrases=ruleset.phrases)
    assert fact["share__basis__power_recognised"] is True
    assert fact["share__basis__power_is_duty"] is False
    assert fact["share__basis__power_available"] is True
    fact = to_fact(share("Local Government Act 1972 s111", from_type="charity"), phrases=ruleset.phrases)
    assert fact["share__basis__power_available"] is False
    fact = to_fact(share("Social Security Administration Act 1992 s109B notice"), phrases=ruleset.phrases)
    assert fact["share__basis__power_is_duty"] is True
    fact = to_fact(share("my manager said it was fine"), phrases=ruleset.phrases)
    assert fact["share__basis__power_recognised"] is False
    assert "share__basis__power_is_duty" not in fact and "share__basis__power_available" not in fact
    assert "share__basis__power_recognised" not in to_fact(share(None), phrases=ruleset.phrases)


def test_an_unrecognised_power_is_never_silently_accepted():
    decision = assess(share("my manager said it was fine"), default_ruleset())
    assert decision.verdict == "needs-agreement"
    (reason,) = [r for r in decision.reasons if r.rule == "LB-POWER-001"]
    assert reason.suggestions == []
    assert "Nothing in the catalogue comes close" in reason.message
    assert [p.id for p in decision.open_points] == ["lawful_basis"]


def test_close_matches_are_typed_and_in_plain_words():
    decision = assess(share("Local Government Act 1972 s112"), default_ruleset())
    (reason,) = [r for r in decision.reasons if r.rule == "LB-POWER-001"]
    assert reason.suggestions and reason.suggestions[0] == "Local Government Act 1972 s111"
    assert "Close matches in the catalogue: Local Government Act 1972 s111" in reason.message
    point = next(p for p in decision.open_points if p.id == "lawful_basis")
    assert point.suggestions == reason.suggestions
    assert decision.to_json()["reasons"][0]["suggestions"] == reason.suggestions or any(
        r.get("suggestions") == reason.suggestions for r in decision.to_json()["reasons"])


def test_close_powers_ignores_unrelated_text():
    powers = default_ruleset().powers
    assert close_powers("my manager said it was fine", powers) == []
    assert close_powers("Localism Act 2011 s2", powers)[0] == "Localism Act 2011 s1"


def test_a_power_for_another_kind_of_body_opens_the_lawful_basis():
    decision = assess(share("Local Government Act 1972 s111", from_type="charity", to_type="local_authority"),
                      default_ruleset())
    assert decision.verdict == "needs-agreement"
    assert "LB-POWER-002" in decision.fired


# --- legal obligation needs a duty to disclose ---------------------------------------------

def test_legal_obligation_on_a_recognised_duty_is_a_ground():
    decision = assess(share("Social Security Administration Act 1992 s109B notice", article_6="legal_obligation",
                            to_type="government_department"), default_ruleset())
    assert "LB-LEGOB-001" in decision.fired
    assert "legal_requirement" in decision.share_kinds
    assert decision.verdict == "allow"


def test_legal_obligation_on_a_function_is_not_a_duty():
    decision = assess(share("Local Government Act 1972 s111", article_6="legal_obligation"), default_ruleset())
    assert "LB-LEGOB-001" not in decision.fired and "LB-LEGOB-002" in decision.fired
    assert "legal_requirement" not in decision.share_kinds
    assert decision.verdict == "needs-agreement"


def test_a_legal_requirement_leaves_sign_off_to_the_discloser():
    decision = assess(share("Social Security Administration Act 1992 s109B notice", article_6="legal_obligation",
                            to_type="government_department", frequency="routine"), default_ruleset())
    sign_off = next(p for p in decision.points if p.id == "sign_off")
    assert sign_off.status != "obligation" or "legal_requirement" not in decision.share_kinds
    security = next(p for p in decision.points if p.id == "security")
    assert security.status == "obligation"


def test_an_entry_pending_commencement_is_not_recognised(tmp_path):
    rules = rules_with(tmp_path, entry(names='["test act + s 1"]') + "    pending: true\n"
                       + entry(id="TEST-S2", section="s2", kind="duty_to_disclose") + "    in_force: {from: 2027-01-01}\n")
    ruleset = load_ruleset(rules)
    fact = to_fact(share("Test Act 2020 s1"), phrases=ruleset.phrases)
    assert fact["share__basis__power_recognised"] is False
    fact = to_fact(share("Test Act 2020 s2"), phrases=ruleset.phrases)
    assert fact["share__basis__power_recognised"] is False
    import datetime as dt
    fact = to_fact(share("Test Act 2020 s2"), dt.date(2027, 1, 1), phrases=ruleset.phrases)
    assert fact["share__basis__power_recognised"] is True and fact["share__basis__power_is_duty"] is True
