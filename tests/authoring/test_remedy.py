"""What would make it lawful (issue 16, point 1): every remedy gives allow, none misstates the case.

The properties run on library shares and on generated variants of them (sampling.py): applying
any remedy found gives allow; no remedy touches a fixed field (purpose, urgency, the kind of
share); no change stops stating a fact, shares more than before or turns a refusal into consent;
a change to a fact about the world is labelled and offered only when nothing in the
practitioner's hands works.
"""

from __future__ import annotations

import random
from functools import cache
from pathlib import Path

import pytest
from conftest import SCENARIOS
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from leaks import DOTTED, RULE_TOKEN, SNAKE, YAML_KEY

from isp_rules import assess, default_ruleset, load_scenario
from isp_rules.authoring.remedy import (
    GROUPS,
    HANDLES,
    NOT_STATED,
    Change,
    _change,
    apply_remedy,
    find_remedies,
    handle,
)
from isp_rules.authoring.sampling import random_scenario_dicts, valid
from isp_rules.dotted import get_path
from isp_rules.facts import FIELDS, recognised_powers
from isp_rules.render import render_remedies_markdown, render_remedies_text

LIBRARY = sorted(SCENARIOS.rglob("*.yaml"))
UNENCRYPTED = SCENARIOS / "children-education" / "secondary-school-emails-child-protection-file-to-college-unencrypted.yaml"
ROUTINE = SCENARIOS / "governance" / "monthly-nominations-extract-to-housing-association-no-agreement.yaml"
REFUSED = SCENARIOS / "consent" / "charity-passes-counselling-notes-after-consent-refused.yaml"
SETTINGS = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
# Fields that would misstate the case if changed: never touched by any remedy.
MUST_BE_FIXED = ("share.purpose.category", "share.purpose.detail", "share.urgency.risk", "share.urgency.emergency",
                 "share.frequency", "share.relationship", "share.request.by_recipient", "share.request.by_person",
                 "share.from.name", "share.to.name", "share.from.type", "share.from.location", "share.to.location",
                 "share.basis.original_basis", "share.processing",
                 # who receives it, whether it was given in confidence and the listed purposes are the case
                 "share.to.type", "share.to.public_authority", "share.to.competent_authority", "share.data.confidential",
                 "share.basis.annex_1", "share.basis.compatibility_condition", "share.governance.agreement_id")
# Purposes statistics can serve: the only ones for which sharing anonymised or pseudonymised is offered.
STATISTICAL = ("research_statistics", "planning_commissioning", "public_health")
NO_CONSENT_BASIS = ("safeguarding_child", "safeguarding_adult", "prevent_detect_crime", "law_enforcement",
                    "emergency_response")
HEALTH_VISITOR = (SCENARIOS / "children-education"
                  / "health-visitor-shares-mothers-mental-health-for-child-in-need-against-her-wishes.yaml")
SECTION_27 = SCENARIOS / "children-education" / "school-treats-a-section-27-request-as-a-legal-duty.yaml"
SUPPLY_AGENCY = SCENARIOS / "children-education" / "school-sends-dbs-referral-details-to-a-supply-agency-citing-the-svga.yaml"
CUSTODY = SCENARIOS / "law-enforcement" / "police-reuse-custody-intelligence-for-another-force-inquiry-law-not-named.yaml"
CORONER = SCENARIOS / "justice-community" / "school-answers-a-coroner-as-a-legal-obligation-naming-no-notice.yaml"
REVIEW_DUE = SCENARIOS / "directory" / "hospital-discharge-list-after-the-agreement-review-date.yaml"
SAB = SCENARIOS / "lawful-basis" / "sab-review-request-legal-obligation-not-named.yaml"


@cache
def held() -> list[Path]:
    """The library shares that are not allowed (deny or needs-agreement)."""
    rs = default_ruleset()
    return [p for p in LIBRARY if assess(load_scenario(p), rs).verdict != "allow"]


def check_remedies(scenario, *, allow_world: bool = True) -> list:
    """Find the remedies for a scenario and check every property; returns them."""
    rs = default_ruleset()
    decision = assess(scenario, rs)
    remedies = find_remedies(scenario, rs, decision)
    if decision.verdict == "allow":
        assert remedies == []
        return remedies
    assert len(remedies) <= 3
    data = scenario.model_dump(mode="python", by_alias=True, exclude_none=True)
    for remedy in remedies:
        assert remedy.changes, "a remedy changes something"
        fields = [c.field for c in remedy.changes]
        assert len(fields) == len(set(fields))
        for c in remedy.changes:
            assert handle(c.field).group != "fixed", f"a remedy changed the fixed field {c.field}"
            assert c.field not in MUST_BE_FIXED
            assert c.new is not None, "a remedy never stops stating a fact"
            assert c.old == get_path(data, c.field), "the old value is the scenario's"
            assert c.new != c.old
            if isinstance(c.old, list):  # share less, never more, never nothing
                assert c.new and set(c.new) < set(c.old)
            if c.field == "share.consent.status":  # a refusal or a withdrawal stands
                assert c.old in (None, "not_sought") and c.new == "given"
            assert c.words and c.words[0].isupper()
            check_lawful_advice(scenario, c)
        after = assess(apply_remedy(scenario, remedy.changes), rs)
        assert after.verdict == "allow", f"{remedy.todo} gave {after.verdict}"
        assert remedy.satisfies, "each remedy says what it clears"
        # minimal: no change in it may be dropped and still give allow
        for c in remedy.changes if len(remedy.changes) > 1 else ():
            fewer = [x for x in remedy.changes if x is not c]
            assert assess(apply_remedy(scenario, fewer), rs).verdict != "allow", f"{remedy.todo}: {c.words} is not needed"
    # a world change is a last resort: never beside a remedy in the practitioner's hands
    world = [r.only_if_true for r in remedies]
    assert all(world) or not any(world)
    if not allow_world:
        assert not any(world)
    return remedies


def check_lawful_advice(scenario, c) -> None:
    """One change is advice the practitioner can truthfully act on for this discloser and purpose."""
    share = scenario.share
    public = share.from_.effective("public_authority")
    purpose = share.purpose.category
    refused = share.consent.status in ("refused", "withdrawn")
    # the duty of confidence: only consent, which is asked for, never a legal requirement or the public interest
    if c.field == "share.confidentiality":
        assert c.new == "consent" and not refused, c
    if c.field == "share.basis.article_6":
        if public is not False:  # UK GDPR Art 6(1) closing words; ICO on consent and public bodies
            assert c.new not in ("legitimate_interests", "recognised_legitimate_interest", "consent"), c
        if c.new == "consent":
            assert purpose not in NO_CONSENT_BASIS and not refused, c
        assert c.new != "contract", c
    if c.field == "share.basis.article_9":
        assert c.new != "made_public", c  # a fact of the world, never a remedy
        if c.new == "not_for_profit":
            assert share.from_.type == "charity", c
        if c.new == "explicit_consent":
            assert public is False and not refused, c
    if c.field in ("share.basis.part_3", "share.basis.schedule_8"):
        assert share.from_.effective("competent_authority") is True or c.field == "share.basis.schedule_8", c
    if c.field == "share.data.identifiability":  # never defeats a share about a named person for their case
        assert purpose in STATISTICAL and share.data.volume != "individual", c
    if c.field.startswith("share.governance.agreement") or c.field == "share.governance.follows_agreement":
        assert share.governance.agreement_id is None, c  # a named agreement is never replaced
    if c.field == "share.basis.legal_power":  # every power named is one this discloser may use
        rs = default_ruleset()
        named = recognised_powers(c.new, rs.powers)
        assert not named or any(not p.who or share.from_.type in p.who for p in named), c


@given(st.integers(min_value=0, max_value=10_000))
@SETTINGS
def test_every_remedy_for_a_library_share_gives_allow_and_keeps_the_facts(i):
    shares = held()
    check_remedies(load_scenario(shares[i % len(shares)]))


@given(st.integers(min_value=0, max_value=2**32 - 1))
@SETTINGS
def test_every_remedy_for_a_generated_share_gives_allow_and_keeps_the_facts(seed):
    """Variants of library shares with a few facts changed or left out, decided as they come."""
    rng = random.Random(seed)
    library = [load_scenario(p).model_dump(mode="json", by_alias=True, exclude_none=True)
               for p in rng.sample(held(), 3)]
    for data in random_scenario_dicts(rng, 2, library):
        scenario = valid(data)
        if scenario is not None:
            check_remedies(scenario)


def test_an_unencrypted_email_is_fixed_by_sending_it_securely():
    remedies = check_remedies(load_scenario(UNENCRYPTED))
    first = remedies[0]
    assert [(c.field, c.old, c.new) for c in first.changes] == [("share.handling.transfer", "unencrypted_email",
                                                                  "secure_email")]
    assert first.todo == ["Send it by secure email."]
    assert "a secure portal" in first.also  # the other secure routes, as alternatives
    assert not first.only_if_true


def test_routine_sharing_without_an_agreement_is_fixed_by_agreeing_one():
    remedies = check_remedies(load_scenario(ROUTINE))
    changes = {(c.field, c.new) for c in remedies[0].changes}
    assert changes == {("share.governance.agreement", "in_place"), ("share.governance.agreement_covers_purpose", True)}
    assert "sharing_agreement" in remedies[0].points


def test_a_refusal_is_never_turned_into_consent():
    scenario = load_scenario(REFUSED)
    assert scenario.share.consent.status == "refused"
    for remedy in check_remedies(scenario):
        assert all(c.field != "share.consent.status" for c in remedy.changes)


def test_a_change_never_stops_stating_a_fact_or_touches_a_fixed_field():
    assert _change("share.handling.transfer", "unencrypted_email", None) is None
    assert _change("share.governance.dpia", "not_done", None) is None
    assert _change("share.purpose.category", "marketing", "safeguarding_child") is None
    assert _change("share.urgency.risk", "low", "serious_or_imminent") is None
    assert _change("share.frequency", None, "one_off") is None
    assert _change("share.consent.status", "refused", "given") is None
    assert _change("share.consent.status", "not_sought", "given") is not None
    assert _change("share.data.categories", ["identity", "health"], ["identity", "health", "contact"]) is None
    assert _change("share.data.categories", ["identity", "health"], []) is None
    assert _change("share.data.categories", ["identity", "health"], ["identity"]) is not None
    assert _change("share.data.identifiability", "anonymised", "identified") is None
    assert _change("share.handling.transfer", "secure_email", "fax") is None  # never to an insecure route
    world = _change("share.consent.as_good_practice", None, True)
    assert world is not None and world.group == "world"
    assert _change("share.consent.as_good_practice", None, False) is None  # a world change only the way its words say
    # the duty of confidence is met by consent only: the law and the public interest are facts
    assert _change("share.confidentiality", "overriding_public_interest", "legal_requirement") is None
    assert _change("share.confidentiality", "legal_requirement", "overriding_public_interest") is None
    assert _change("share.confidentiality", "overriding_public_interest", "consent") is not None
    assert _change("share.to.type", "private_company", "local_authority") is None  # who receives it is the case
    assert _change("share.data.confidential", True, False) is None
    assert _change("share.basis.annex_1", "safeguarding", "national_security") is None
    assert _change("share.handling.transfer", "social_media", "secure_email") is None  # publication is not sending


def test_an_allowed_share_has_no_remedy():
    rs = default_ruleset()
    allowed = next(p for p in LIBRARY if assess(load_scenario(p), rs).verdict == "allow")
    assert find_remedies(load_scenario(allowed), rs) == []


def test_a_tiny_budget_returns_only_what_it_checked():
    """The cap holds, and whatever is found within it still gives allow."""
    rs = default_ruleset()
    scenario = load_scenario(UNENCRYPTED)
    for budget in (0, 1, 5):
        for remedy in find_remedies(scenario, rs, budget=budget):
            assert assess(apply_remedy(scenario, remedy.changes), rs).verdict == "allow"
    assert find_remedies(scenario, rs, budget=0) == []


def test_the_classification_names_real_fields_and_values():
    assert set(GROUPS) == {"controlled", "world", "fixed"}
    for path, h in HANDLES.items():
        spec = FIELDS.get(path)
        assert spec is not None and not spec.derived, f"{path} is not a scenario field"
        assert h.group in ("controlled", "world"), f"{path}: a fixed field needs no entry"
        for value in h.targets + h.world:
            if spec.kind in ("enum", "enum_list"):
                assert value in spec.values, f"{path}: {value!r} is not in its vocabulary"
            elif spec.kind == "bool":
                assert isinstance(value, bool)
        if h.only_from is not None:
            assert all(v is NOT_STATED or spec.kind != "enum" or v in spec.values for v in h.only_from)
        assert h.do, f"{path}: says what to do"
    for path in MUST_BE_FIXED:
        assert handle(path).group == "fixed", path


def _offences(text: str) -> list[str]:
    rules = {r.id for r in default_ruleset().rules}
    found = DOTTED.findall(text) + [m for m in RULE_TOKEN.findall(text) if m in rules] + SNAKE.findall(text)
    return found + YAML_KEY.findall(text) + [c for c in text if c in "{}"]


def test_the_remedies_read_in_plain_words(monkeypatch):
    from isp_rules import render

    monkeypatch.setattr(render, "WIDTH", 100_000)  # one line per sentence, as written
    rs = default_ruleset()
    shown = 0
    for path in held()[::6]:
        scenario = load_scenario(path)
        remedies = find_remedies(scenario, rs)
        for text in (render_remedies_text(remedies), render_remedies_markdown(remedies)):
            assert not _offences(text), f"{path.name}: {_offences(text)}"
        shown += bool(remedies)
    assert shown >= 10


def test_change_json_keeps_the_field_path():
    change = Change("share.handling.transfer", "fax", "secure_email", "controlled", "Send it by secure email.")
    assert change.to_json() == {"field": "share.handling.transfer", "old": "fax", "new": "secure_email",
                                "group": "controlled", "words": "Send it by secure email."}


@pytest.mark.parametrize("path", [UNENCRYPTED, ROUTINE])
def test_remedies_are_the_same_each_time(path):
    rs = default_ruleset()
    scenario = load_scenario(path)
    assert [r.to_json() for r in find_remedies(scenario, rs)] == [r.to_json() for r in find_remedies(scenario, rs)]


# --- the review of issue 16 (findings 2 to 7): each remedy is lawful advice, never a relabelled fact ---

def test_a_refusal_of_consent_is_not_overridden_by_relabelling_the_duty_of_confidence():
    """Finding 2: "meet the duty of confidence by a legal requirement" is never offered (82 times before)."""
    scenario = load_scenario(HEALTH_VISITOR)
    assert scenario.share.consent.status == "refused"
    for remedy in check_remedies(scenario):
        assert all(c.field not in ("share.confidentiality", "share.data.confidential") for c in remedy.changes)
    for path in held():
        for remedy in find_remedies(load_scenario(path), default_ruleset()):
            assert all(c.new not in ("legal_requirement", "overriding_public_interest") for c in remedy.changes), path


def test_a_public_body_is_offered_public_task_not_legitimate_interests_consent_or_a_listed_purpose():
    """Finding 3: a school (a public authority) is offered public task, never legitimate interests,
    recognised legitimate interest with "national security", or consent."""
    remedies = check_remedies(load_scenario(SECTION_27))
    assert remedies
    changed = {(c.field, c.new) for r in remedies for c in r.changes}
    assert ("share.basis.article_6", "public_task") in changed
    assert not {v for f, v in changed if f == "share.basis.article_6"} & {
        "legitimate_interests", "recognised_legitimate_interest", "consent"}
    assert not {f for f, _ in changed} & {"share.basis.annex_1", "share.data.identifiability"}


def test_the_recipient_is_never_changed():
    """Finding 4: "[only if true] The recipient is a council" was offered for a private supply agency."""
    for remedy in check_remedies(load_scenario(SUPPLY_AGENCY)):
        assert all(not c.field.startswith("share.to.") or c.field == "share.to.signatory" for c in remedy.changes)


@pytest.mark.parametrize("path", [CUSTODY, CORONER])
def test_a_power_for_another_purpose_is_never_offered(path):
    """Finding 5: no Care Act 2014 power for police intelligence, no Care Act or Children Act power
    for a coroner's inquest."""
    for remedy in check_remedies(load_scenario(path)):
        for c in remedy.changes:
            if c.field == "share.basis.legal_power":
                assert "Care Act" not in c.new and "Children Act" not in c.new, c.words


def test_a_power_that_fits_is_still_offered():
    """The filter keeps what fits: a Safeguarding Adults Board's request is answered under the Care Act."""
    remedies = check_remedies(load_scenario(SAB))
    assert any(c.field == "share.basis.legal_power" and "Care Act 2014" in c.new for r in remedies for c in r.changes)


def test_anonymising_is_never_offered_for_a_share_about_a_named_person_for_their_case():
    """Finding 6: a child protection file, a MAPPA address or a DBS referral is not served by statistics."""
    rs = default_ruleset()
    for path in held():
        scenario = load_scenario(path)
        offered = [c for r in find_remedies(scenario, rs) for c in r.changes if c.field == "share.data.identifiability"]
        if offered:
            assert scenario.share.purpose.category in STATISTICAL, path
            assert scenario.share.data.volume != "individual", path
    assert all(c.field != "share.data.identifiability" for r in check_remedies(load_scenario(UNENCRYPTED))
               for c in r.changes)


def test_a_named_directory_agreement_is_never_replaced():
    """Finding 7: the discharge list's agreement is past its review date; the remedy never turns
    the named agreement into a generic one "in place", which would hide the overdue review."""
    scenario = load_scenario(REVIEW_DUE)
    assert scenario.share.governance.agreement_id == "york-hospital-discharge"
    for remedy in check_remedies(scenario):
        assert all(not c.field.startswith("share.governance.agreement") for c in remedy.changes), remedy.todo


@pytest.mark.parametrize(("named", "offered"), [
    ("Childrens Act 1989 s47", True),  # the Act's name misspelt: the same section, a slip
    ("Care Act 2014 s68", False),  # another section of a catalogued Act is another law (not s6)
    ("Education (Pupil Information) (England) Regulations 2005 reg 5", False),  # not reg 6 or reg 9
])
def test_a_power_not_recognised_is_corrected_only_where_it_names_the_same_provision(named, offered):
    from isp_rules.authoring.remedy import _same_provisions

    suggestions = default_ruleset().power_suggestions(named)
    assert suggestions, named  # the catalogue has close entries for each: the filter decides
    assert any(_same_provisions(named, s) for s in suggestions) is offered, suggestions
