"""Scenarios that name partners and agreements from the partnership's directory.

`from: {partner: ID}`, `to: {partner: ID}` and `governance: {agreement: ID}`: the directory fills
what the partnership already knows, for the share's date; a stated fact is never overridden but
a difference is reported; an unknown id is a located problem with a "did you mean".
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from click.testing import CliRunner
from conftest import RULES

from isp_rules import assess
from isp_rules.assessment import default_ruleset, scenario_problems
from isp_rules.cli import cli
from isp_rules.directory import Agreement, Directory, Partner, complete, reference_problems
from isp_rules.errors import ScenarioError
from isp_rules.loader import parse_scenario
from isp_rules.scenario import Scenario

COUNCIL = Partner(id="council", name="Example Council", type="local_authority", signed_on=dt.date(2020, 1, 1))
POLICE = Partner(id="police", name="Example Police", type="police", signed_on=dt.date(2020, 1, 1),
                 left_on=dt.date(2026, 6, 1))
CHARITY = Partner(id="charity", name="Example Charity", type="charity", signed_on=dt.date(2027, 1, 1),
                  public_authority=False, nation="wales")
MASH = Agreement(id="mash", title="MASH agreement", parties=["council", "police"], purposes=["safeguarding_child"],
                 data=["identity", "health"], frequency="routine", start=dt.date(2021, 1, 1),
                 review=dt.date(2026, 12, 31), end=dt.date(2027, 6, 30), document="ISA-1")
DIRECTORY = Directory(partners=(COUNCIL, POLICE, CHARITY), agreements=(MASH,), source="test")


def scenario(text: str) -> Scenario:
    return parse_scenario(text, "share.yaml")


def filled(directory: Directory, text: str, day: dt.date) -> dict[str, object]:
    return {f.field: f.value for f in complete(directory, scenario(text), day).filled}


SHARE = """\
share:
  purpose: {category: safeguarding_child}
  from: {partner: council}
  to: {partner: police}
  data: {categories: [identity, health]}
  governance: {agreement: mash}
"""


def test_the_directory_fills_type_and_signatory_status_on_the_shares_date():
    before_leaving = filled(DIRECTORY, SHARE, dt.date(2026, 5, 31))
    assert before_leaving["share.from.type"] == "local_authority"
    assert before_leaving["share.to.type"] == "police"
    assert before_leaving["share.to.signatory"] is True
    after_leaving = filled(DIRECTORY, SHARE, dt.date(2026, 6, 1))
    assert after_leaving["share.to.signatory"] is False  # left the protocol that day


def test_a_partner_signing_later_is_not_a_signatory_yet_and_its_overrides_are_filled():
    text = SHARE.replace("to: {partner: police}", "to: {partner: charity}")
    facts = filled(DIRECTORY, text, dt.date(2026, 12, 1))
    assert facts["share.to.signatory"] is False
    assert facts["share.to.public_authority"] is False
    assert facts["share.to.nation"] == "wales"
    assert filled(DIRECTORY, text, dt.date(2027, 1, 1))["share.to.signatory"] is True


def test_the_name_is_filled_when_none_is_given_and_kept_when_one_is():
    done = complete(DIRECTORY, scenario(SHARE), dt.date(2026, 1, 1)).scenario
    assert done.share.from_.name == "Example Council"
    named = SHARE.replace("from: {partner: council}", "from: {partner: council, name: Children's services}")
    assert complete(DIRECTORY, scenario(named), dt.date(2026, 1, 1)).scenario.share.from_.name == "Children's services"


@pytest.mark.parametrize("day, state", [
    (dt.date(2020, 12, 31), "none"),       # not started yet
    (dt.date(2026, 12, 31), "in_place"),   # the review date itself
    (dt.date(2027, 1, 1), "expired"),      # past its review date
    (dt.date(2027, 7, 1), "expired"),      # past its end
])
def test_an_agreement_is_in_place_or_expired_on_the_shares_date(day, state):
    assert filled(DIRECTORY, SHARE, day)["share.governance.agreement"] == state


@pytest.mark.parametrize("change, gap", [
    (("category: safeguarding_child", "category: direct_care"), "purposes do not include"),
    (("categories: [identity, health]", "categories: [identity, financial]"), "does not cover"),
    (("from: {partner: council}", "from: {partner: charity}"), "the discloser is not one of its parties"),
])
def test_an_agreement_covers_the_purpose_data_and_parties_or_says_what_it_misses(change, gap):
    facts = complete(DIRECTORY, scenario(SHARE), dt.date(2026, 1, 1))
    assert {f.field: f.value for f in facts.filled}["share.governance.agreement_covers_purpose"] is True
    other = complete(DIRECTORY, scenario(SHARE.replace(*change)), dt.date(2026, 1, 1))
    covers = [f for f in other.filled if f.field == "share.governance.agreement_covers_purpose"]
    assert covers and covers[0].value is False and gap in covers[0].words


def test_coverage_is_unknown_when_the_purpose_is_not_stated():
    facts = filled(DIRECTORY, SHARE.replace("  purpose: {category: safeguarding_child}\n", ""), dt.date(2026, 1, 1))
    assert "share.governance.agreement_covers_purpose" not in facts
    assert facts["share.governance.agreement"] == "in_place"


def test_a_stated_fact_is_kept_and_a_difference_is_reported():
    text = SHARE.replace("to: {partner: police}", "to: {partner: police, signatory: true, type: police}")
    done = complete(DIRECTORY, scenario(text), dt.date(2026, 7, 1))  # after the police left
    assert done.scenario.share.to.signatory is True  # what the practitioner said
    [contradiction] = done.contradictions
    assert contradiction.field == "share.to.signatory"
    assert (contradiction.stated, contradiction.directory) == (True, False)
    assert "left the protocol" in contradiction.words
    assert "share.to.type" not in {f.field for f in done.filled}  # stated and the same: neither filled nor disputed


def test_unknown_ids_are_located_with_a_did_you_mean():
    text = "share:\n  from:\n    partner: councel\n  governance:\n    agreement: inplace\n"
    found = [str(p) for p in reference_problems(DIRECTORY, scenario(text))]
    assert found == [
        "share.yaml:3: share.from.partner: no partner 'councel' in the partnership directory; did you mean 'council'?",
        ("share.yaml:5: share.governance.agreement: expected none, in_place, expired or the id of an agreement "
        "in the partnership directory, got 'inplace'; did you mean 'in_place'?"),
    ]


def test_a_ruleset_without_a_directory_says_so():
    found = reference_problems(Directory(), scenario("share:\n  to: {partner: council}\n"))
    assert "these rules have no partnership directory" in str(found[0])


def test_the_three_agreement_states_still_load_as_before():
    for state in ("none", "in_place", "expired"):
        loaded = scenario(f"share:\n  governance: {{agreement: {state}}}\n")
        assert loaded.share.governance.agreement == state and loaded.share.governance.agreement_id is None
    with pytest.raises(ScenarioError):
        scenario("share:\n  governance: {agreement: In Place}\n")  # not an id, not a state


# --- through assess, the CLI and the API, with the bundled example directory -------------

BUNDLED = """\
as_of: 2026-12-01
share:
  purpose: {category: direct_care}
  from: {partner: york-and-scarborough-teaching-hospitals}
  to: {partner: city-of-york-council}
  data: {categories: [identity, health], subjects: [patient]}
  frequency: routine
  governance: {agreement: york-hospital-discharge}
"""


def test_assess_says_which_facts_came_from_the_directory():
    decision = assess(scenario(BUNDLED), default_ruleset(RULES))
    fields = {f.field for f in decision.from_directory or []}
    assert {"share.from.type", "share.from.signatory", "share.to.type", "share.to.signatory",
            "share.governance.agreement", "share.governance.agreement_covers_purpose"} <= fields
    assert decision.parties == {"from": "York and Scarborough Teaching Hospitals NHS Foundation Trust",
                                "to": "City of York Council"}
    data = decision.to_json()
    assert data["from_directory"][0]["source"] == "the partnership's directory of partners"
    assert "contradictions" not in data
    # What the agreement settles is not assumed until the share is said to follow it.
    assert [n for n in data["not_stated"] if "made as the agreement sets out" in n]
    follows = assess(scenario(BUNDLED.replace("{agreement: york-hospital-discharge}",
                                              "{agreement: york-hospital-discharge, follows_agreement: true}")),
                     default_ruleset(RULES)).to_json()
    assert "contradictions" not in follows and "not_stated" not in follows


def test_a_scenario_naming_no_partner_decides_exactly_as_before():
    plain = scenario(BUNDLED.replace("partner: york-and-scarborough-teaching-hospitals", "type: nhs_trust")
                     .replace("partner: city-of-york-council", "type: local_authority")
                     .replace("agreement: york-hospital-discharge", "agreement: in_place"))
    decision = assess(plain, default_ruleset(RULES))
    assert decision.from_directory is None and decision.contradictions is None
    assert scenario_problems(plain, default_ruleset(RULES)) == []


def test_a_share_with_no_recipient_asks_for_one():
    decision = assess(scenario("share:\n  purpose: {category: direct_care}\n  from: {type: nhs_trust}\n"),
                      default_ruleset(RULES))
    assert decision.not_stated and "Who receives the information is not stated" in decision.not_stated[0]
    assert decision.verdict != "allow"


def test_the_cli_checks_every_id_before_deciding_anything(tmp_path):
    good, bad = tmp_path / "good.yaml", tmp_path / "bad.yaml"
    good.write_text(BUNDLED)
    bad.write_text(BUNDLED.replace("city-of-york-council", "city-of-york"))
    result = CliRunner().invoke(cli, ["check", "--rules", str(RULES), str(good), str(bad)])
    assert result.exit_code == 1
    assert f"{bad}:5: share.to.partner: no partner 'city-of-york' in the partnership directory; " \
           "did you mean 'city-of-york-council'?" in result.output
    assert "ALLOW" not in result.output and "NEEDS AGREEMENT" not in result.output  # nothing decided
    shown = CliRunner().invoke(cli, ["check", "--rules", str(RULES), str(good)])
    assert shown.exit_code == 0 and "From the partnership's directory:" in shown.output
    assert "partners.yaml" not in shown.output and not re.search(r"share\.[a-z]", shown.output)


def test_the_api_answers_an_unknown_id_with_422(tmp_path):
    pytest.importorskip("fastapi")
    from webutil import browser_client

    from isp_rules.web.app import create_app

    with browser_client(create_app(RULES, database_url=str(tmp_path / "reg")), raise_server_exceptions=False) as client:
        bad = client.post("/v1/assess", content=BUNDLED.replace("york-hospital-discharge", "york-discharge"),
                          headers={"content-type": "application/yaml"})
        assert bad.status_code == 422
        assert "did you mean 'york-hospital-discharge'" in json.dumps(bad.json())
        good = client.post("/v1/assess", content=BUNDLED, headers={"content-type": "application/yaml"})
        assert good.status_code == 200 and good.json()["from_directory"]


def test_the_check_page_shows_directory_facts_and_locates_an_unknown_id(tmp_path):
    pytest.importorskip("fastapi")
    from webutil import browser_client

    from isp_rules.web.app import create_app

    contradicting = BUNDLED.replace("to: {partner: city-of-york-council}",
                                    "to: {partner: city-of-york-council, signatory: false}")
    with browser_client(create_app(RULES, database_url=str(tmp_path / "reg")), raise_server_exceptions=False) as client:
        page = client.post("/check", data={"text": contradicting})
        assert page.status_code == 200
        assert "differs from the partnership's directory" in page.text
        assert "City of York Council signed the protocol on 25 May 2018" in page.text
        bad = client.post("/check", data={"text": BUNDLED.replace("city-of-york-council", "city-of-yrk")})
        assert bad.status_code == 422
        assert "did you mean &#39;city-of-york-council&#39;" in bad.text
        missing = client.post("/check", data={"text": "share:\n  from: {type: school}\n"})
        assert "Who receives the information is not stated" in missing.text


def test_explain_weighs_the_facts_the_directory_filled_in():
    result = CliRunner().invoke(cli, ["explain", "--rules", str(RULES),
                                      str(RULES.parent / "scenarios" / "directory"
                                          / "hospital-discharge-list-after-the-agreement-review-date.yaml"),
                                      "GOV-AGREEMENT-001"])
    assert result.exit_code == 0, result.output
    assert "(it is expired)" in result.output  # the agreement's state on the share's date, from the directory


def test_coverage_is_unknown_while_a_party_is_only_described_and_says_what_to_add():
    """A private company described, not named, must not ride on the hospital-council agreement:
    its membership cannot be checked, so coverage stays unknown (an open point), with words."""
    text = SHARE.replace("to: {partner: police}", "to: {type: private_company, name: Acme Care Ltd}")
    done = complete(DIRECTORY, scenario(text), dt.date(2026, 1, 1))
    assert "share.governance.agreement_covers_purpose" not in {f.field for f in done.filled}
    [words] = done.unknown
    assert "the recipient named from the partnership's directory" in words


def test_a_one_off_agreement_does_not_cover_a_routine_share():
    one_off = MASH.model_copy(update={"id": "review", "frequency": "one_off"})
    directory = Directory(partners=DIRECTORY.partners, agreements=(one_off,), source="test")
    text = SHARE.replace("agreement: mash", "agreement: review") + "  frequency: routine\n"
    [covers] = [f for f in complete(directory, scenario(text), dt.date(2026, 1, 1)).filled
                if f.field == "share.governance.agreement_covers_purpose"]
    assert covers.value is False and "for a one-off share" in covers.words


def test_coverage_is_unknown_while_the_kinds_of_information_are_not_stated():
    text = SHARE.replace("  data: {categories: [identity, health]}\n", "")
    done = complete(DIRECTORY, scenario(text), dt.date(2026, 1, 1))
    assert "share.governance.agreement_covers_purpose" not in {f.field for f in done.filled}
    assert "what kinds of information are shared" in done.unknown[0]


def test_an_undescribed_recipient_on_the_agreement_is_asked_for_in_the_decision():
    decision = assess(scenario(BUNDLED.replace("to: {partner: city-of-york-council}",
                                               "to: {type: private_company, name: Acme Care Ltd}")),
                      default_ruleset(RULES))
    assert decision.verdict != "allow"
    assert any("could not be checked" in line or "cannot be checked" in line for line in decision.not_stated or [])


def test_a_stated_authority_status_differing_from_the_type_is_reported_but_not_filled():
    text = SHARE.replace("from: {partner: council}", "from: {partner: council, public_authority: false}")
    done = complete(DIRECTORY, scenario(text), dt.date(2026, 1, 1))
    assert [c.field for c in done.contradictions] == ["share.from.public_authority"]
    assert "as a council" in done.contradictions[0].words
    assert "share.from.public_authority" not in {f.field for f in done.filled}  # the type's default applies anyway


def test_a_name_that_is_not_the_partners_is_reported_and_a_department_is_not():
    other = SHARE.replace("to: {partner: police}", "to: {partner: police, name: Totally Different Org}")
    [c] = complete(DIRECTORY, scenario(other), dt.date(2026, 1, 1)).contradictions
    assert c.field == "share.to.name" and "Check the right partner is chosen" in c.words
    department = SHARE.replace("from: {partner: council}", "from: {partner: council, name: Example Council (adult care)}")
    assert complete(DIRECTORY, scenario(department), dt.date(2026, 1, 1)).contradictions == ()


def test_the_same_partner_on_both_sides_is_reported():
    text = SHARE.replace("to: {partner: police}", "to: {partner: council}")
    contradictions = complete(DIRECTORY, scenario(text), dt.date(2026, 1, 1)).contradictions
    assert any("the same organisation (Example Council)" in c.words for c in contradictions)


def test_differences_are_in_plain_words():
    text = SHARE.replace("to: {partner: police}", "to: {partner: charity, nation: england, type: school}")
    words = " ".join(c.words for c in complete(DIRECTORY, scenario(text), dt.date(2027, 2, 1)).contradictions)
    assert "Wales" in words and "England" in words and "wales" not in words
    assert "a charity" in words.lower() and "says A " not in words


def test_an_id_written_as_a_name_or_in_capitals_gets_the_id():
    text = "share:\n  from: {partner: Example Council}\n  to: {partner: POLICE}\n"
    found = [p.message for p in reference_problems(DIRECTORY, scenario(text))]
    assert found[0].endswith("did you mean 'council'?") and found[1].endswith("did you mean 'police'?")


def test_a_broken_directory_stops_the_server_at_start_not_the_practitioner(tmp_path):
    pytest.importorskip("fastapi")
    import shutil

    from isp_rules.errors import RulesetError
    from isp_rules.web.app import create_app

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    partners = rules / "directory" / "partners.yaml"
    partners.write_text(partners.read_text().replace("type: charity\n", "type: charityy\n", 1))
    with pytest.raises(RulesetError) as caught:
        create_app(rules, database_url=str(tmp_path / "reg"))
    assert "did you mean 'charity'" in str(caught.value)


@pytest.mark.parametrize("written, expected", [
    ("  to:\n", "nothing usable is given for the recipient"),
    ("  to: city-of-york-council\n", "write it as to: {partner: city-of-york-council}"),
])
def test_an_empty_or_shorthand_party_says_how_to_write_it(written, expected):
    with pytest.raises(ScenarioError) as caught:
        scenario("share:\n  from: {type: school}\n" + written)
    assert expected in str(caught.value)


def test_a_saved_scenario_writes_the_agreement_id_as_the_format_documents_it():
    loaded = scenario("share:\n  governance: {agreement: york-mash, dpia: done}\n")
    dumped = loaded.model_dump(by_alias=True, exclude_none=True)
    assert dumped["share"]["governance"] == {"agreement": "york-mash", "dpia": "done"}
    assert Scenario.model_validate(dumped).share.governance.agreement_id == "york-mash"


def test_diff_leaves_out_scenarios_a_ruleset_without_the_directory_cannot_decide(tmp_path):
    import shutil

    from isp_rules.assessment import load_ruleset
    from isp_rules.authoring.diff import diff_rulesets, render_diff

    bare = tmp_path / "rules"
    shutil.copytree(RULES, bare, ignore=shutil.ignore_patterns("directory"))
    named = ("named", scenario(BUNDLED))
    plain = ("plain", scenario("share:\n  purpose: {category: direct_care}\n"))
    old, new = default_ruleset(RULES), load_ruleset(bare)
    report = diff_rulesets(old, new, [named, plain], sample=0)
    assert (report.library_count, report.skipped) == (1, 1)
    assert "1 left out (they name partners or agreements" in render_diff(report, old, new)


@pytest.mark.parametrize("command", ["ask", "triage"])
def test_ask_and_triage_locate_an_unknown_id_in_their_start_file(tmp_path, command):
    start = tmp_path / "start.yaml"
    start.write_text("share:\n  to: {partner: city-of-yrk}\n")
    result = CliRunner().invoke(cli, [command, "--rules", str(RULES), str(start)], input="\n")
    assert result.exit_code == 1
    assert f"{start}:2: share.to.partner: no partner 'city-of-yrk'" in result.output


# --- what an agreement settles ------------------------------------------------------------

SETTLING = MASH.model_copy(update={"settles": parse_scenario(
    "share:\n  basis: {article_6: public_task, legal_power: Children Act 2004 s11}\n"
    "  handling: {transfer: secure_email}\n", "settles.yaml").share})
SETTLING_DIRECTORY = Directory(partners=(COUNCIL, POLICE, CHARITY), agreements=(SETTLING,), source="test")
DAY = dt.date(2026, 5, 1)


def test_what_an_agreement_settles_is_filled_only_for_a_share_said_to_follow_it():
    follows = SHARE.replace("governance: {agreement: mash}", "governance: {agreement: mash, follows_agreement: true}")
    got = filled(SETTLING_DIRECTORY, follows, DAY)
    assert got["share.basis.article_6"] == "public_task" and got["share.handling.transfer"] == "secure_email"
    # Not said to follow it: nothing is assumed, and the decision says what to add.
    unsaid = complete(SETTLING_DIRECTORY, scenario(SHARE), DAY)
    assert "share.basis.article_6" not in {f.field for f in unsaid.filled}
    assert any("settles the lawful basis (Art 6)" in u and "made as the agreement sets out" in u for u in unsaid.unknown)
    # Said not to follow it: nothing assumed, nothing asked of the agreement.
    not_following = follows.replace("follows_agreement: true", "follows_agreement: false")
    assert "share.handling.transfer" not in filled(SETTLING_DIRECTORY, not_following, DAY)


def test_an_agreement_that_does_not_cover_the_share_settles_nothing():
    other_purpose = SHARE.replace("safeguarding_child", "prevent_detect_crime").replace(
        "governance: {agreement: mash}", "governance: {agreement: mash, follows_agreement: true}")
    assert "share.basis.article_6" not in filled(SETTLING_DIRECTORY, other_purpose, DAY)


def test_a_stated_fact_differing_from_what_the_agreement_settles_is_reported_and_used():
    text = SHARE.replace("governance: {agreement: mash}", "governance: {agreement: mash, follows_agreement: true}") \
        + "  handling: {transfer: unencrypted_email}\n"
    done = complete(SETTLING_DIRECTORY, scenario(text), DAY)
    assert done.scenario.share.handling.transfer == "unencrypted_email"
    [diff] = [c for c in done.contradictions if c.field == "share.handling.transfer"]
    assert diff.directory == "secure_email" and "MASH agreement" in diff.words and "settles it" in diff.words


def test_the_library_share_under_the_discharge_agreement_is_allowed_on_what_it_settles():
    path = RULES.parent / "scenarios" / "directory" / "discharge-list-under-the-agreement-states-only-the-case.yaml"
    from isp_rules import load_scenario

    decision = assess(load_scenario(path), default_ruleset())
    assert decision.verdict == "allow"
    assert {"share.basis.article_6", "share.handling.transfer", "share.governance.dpia"} <= {f.field for f in decision.from_directory}
