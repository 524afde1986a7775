"""Verdict semantics of DESIGN.md, on the bundled ruleset and through durable_rules."""

import datetime as dt

import pytest
from conftest import build

from isp_rules import assess
from isp_rules.decision import DISCLAIMER


def ids(items):
    return {i.id for i in items}


def test_a_complete_lawful_share_is_allowed(ruleset):
    d = assess(build(), ruleset)
    assert d.verdict == "allow", d.open_points
    assert d.open_points == []
    assert "LB-PUBTASK-001" in d.fired


ROUTINE = {"share__frequency": "routine", "share__governance__agreement": "in_place",
               "share__governance__agreement_covers_purpose": True}


def test_an_absent_field_opens_its_point_rather_than_defaulting(ruleset):
    d = assess(build(**ROUTINE, share__handling__retention=...), ruleset)
    assert d.verdict == "needs-agreement"
    assert ids(d.open_points) == {"retention"}
    (point,) = d.open_points
    assert point.waits_for == ["share.handling.retention"] and point.status == "open"
    assert "share.handling.retention" not in point.why  # plain words, not a field path
    assert point.likely_answers and point.citations and point.help


def test_a_one_off_disclosure_needs_no_agreement_and_carries_the_standards(ruleset):
    # Not a signatory, no agreement: a one-off disclosure is allowed, the protocol's standards
    # becoming the discloser's obligations, each in plain words.
    d = assess(build(share__to__signatory=False, share__handling__retention=...), ruleset)
    assert d.verdict == "allow", ids(d.open_points)
    assert d.share_kinds == ["one_off"]
    standards = {o.point: o for o in d.obligations if o.kind == "standard"}
    assert {"security", "accuracy", "rights_requests", "breach_handling", "onward_disclosure", "review",
            "sign_off", "retention"} <= set(standards)
    assert all(o.citations and "the protocol's standard" not in o.message for o in standards.values())
    point = {p.id: p for p in d.points}["sharing_agreement"]
    assert point.status == "not_applicable"


def test_deny_beats_open_points_and_grounds(ruleset):
    d = assess(build(share__basis__article_6="legitimate_interests", share__handling__retention=...), ruleset)
    assert d.verdict == "deny"
    deny = [r for r in d.reasons if r.effect == "deny"]
    assert [r.rule for r in deny] == ["LB-PA-LEGIT-001"]
    assert deny[0].remedy and deny[0].citations
    assert d.reasons[0].effect == "deny"  # the deciding reason comes first


def test_routine_standards_are_settled_by_two_signatures_or_an_agreement_for_the_purpose(ruleset):
    d = assess(build(share__frequency="routine", share__to__signatory=False), ruleset)
    assert d.verdict == "needs-agreement"
    assert ids(d.open_points) == {"sharing_agreement", "security", "accuracy", "rights_requests", "breach_handling",
                                  "onward_disclosure", "review", "sign_off"}
    assert all(p.kind == "protocol_standard" for p in d.open_points if p.id != "sharing_agreement")
    # An agreement in place that covers the purpose settles them instead.
    d = assess(build(**ROUTINE, share__to__signatory=False), ruleset)
    assert d.verdict == "allow", ids(d.open_points)
    statuses = {p.id: p for p in d.points}
    assert statuses["security"].status == "settled" and statuses["security"].settled_by == "agreement_for_purpose"
    d = assess(build(share__frequency="routine", share__governance__agreement="in_place"), ruleset)
    assert {p.id: p for p in d.points}["security"].settled_by == "both_signatories"


def test_unknown_signatory_is_not_treated_as_signed(ruleset):
    d = assess(build(share__frequency="routine", share__to__signatory=...), ruleset)
    (point,) = [p for p in d.open_points if p.id == "security"]
    assert "share.to.signatory" in point.waits_for


def test_routine_sharing_without_agreement_needs_one(ruleset):
    d = assess(build(share__frequency="routine"), ruleset)
    assert d.verdict == "needs-agreement"
    assert ids(d.open_points) == {"sharing_agreement"}
    assert "GOV-AGREEMENT-001" in d.fired


def test_urgent_safeguarding_defers_paperwork_to_obligations(ruleset):
    d = assess(build(share__purpose__category="safeguarding_child", share__urgency__risk="serious_or_imminent",
                     share__handling__retention=..., share__governance__dpia=...,
                     share__basis__legal_power=..., share__frequency=...), ruleset)
    assert d.verdict == "allow"
    assert d.deferred and d.share_now and d.open_points == []
    deferred = [o for o in d.obligations if o.rule == "SG-URGENT-001"]
    texts = " ".join(o.message for o in deferred)
    assert "Record after sharing: Which statute" in texts  # a lawfulness point: record the basis
    assert "Complete after sharing: How long" in texts  # paperwork: retention, one-off not yet known
    assert {o.kind for o in deferred} == {"record_after", "complete_after"}
    assert "Required before sharing starts" not in texts  # never told to do a DPIA first
    assert all(o.citations for o in deferred)


def test_urgency_never_overrides_a_stated_unlawful_fact(ruleset):
    d = assess(build(share__purpose__category="safeguarding_child", share__urgency__risk="serious_or_imminent",
                     share__data__minimised=False), ruleset)
    assert d.verdict == "deny"
    assert "PR-MIN-001" in d.fired


@pytest.mark.parametrize("change", [{}, {"share__basis__article_6": "legitimate_interests"},
                                    {"share__handling__retention": ...}])
def test_every_decision_carries_the_record_obligation_and_ruleset_identity(ruleset, change):
    d = assess(build(**change), ruleset)
    assert any(o.rule == "GOV-RECORD-001" for o in d.obligations)
    assert d.ruleset.sha256 == ruleset.sha256 and len(d.ruleset.sha256) == 64
    assert d.ruleset.version == ruleset.version
    assert d.ruleset.as_of == dt.date(2026, 12, 1)
    assert d.disclaimer == DISCLAIMER


def test_as_of_selects_the_law_in_force(ruleset):
    charity = {"share__from__type": "charity", "share__from__name": "York Carers Centre",
                   "share__basis__article_6": "recognised_legitimate_interest", "share__basis__annex_1": "safeguarding",
                   "share__basis__legal_power": ...}
    after = assess(build(**charity), ruleset, as_of=dt.date(2026, 3, 1))
    before = assess(build(**charity), ruleset, as_of=dt.date(2025, 12, 1))
    assert "LB-RLI-001" in after.fired and after.verdict == "allow", after.open_points
    assert before.verdict == "deny" and "LB-RLI-EARLY-001" in before.fired
    assert before.ruleset.as_of == dt.date(2025, 12, 1)


def test_likely_answers_are_filtered_by_the_scenario(ruleset):
    police = assess(build(share__from__type="police", share__basis__article_6=...), ruleset)
    (point,) = [p for p in police.open_points if p.id == "lawful_basis"]
    assert not any("Legitimate interests" in a or "Recognised legitimate" in a for a in point.likely_answers)
    charity = assess(build(share__from__type="charity", share__basis__article_6=...), ruleset)
    (point,) = [p for p in charity.open_points if p.id == "lawful_basis"]
    assert any("Legitimate interests" in a for a in point.likely_answers)


def test_messages_interpolate_scenario_values(ruleset):
    d = assess(build(share__basis__article_6="legitimate_interests"), ruleset)
    (deny,) = [r for r in d.reasons if r.rule == "LB-PA-LEGIT-001"]
    assert deny.message.startswith("City of York Council is a public authority")


def test_party_type_defaults_can_be_overridden(ruleset):
    # A housing association stated to be a public authority loses legitimate interests.
    base = {"share__from__type": "housing_association", "share__basis__article_6": "legitimate_interests"}
    assert "LB-PA-LEGIT-001" not in assess(build(**base), ruleset).fired
    assert "LB-PA-LEGIT-001" in assess(build(**base, share__from__public_authority=True), ruleset).fired


def test_json_shape_matches_the_spec(ruleset):
    data = assess(build(share__basis__article_6=...), ruleset).to_json()
    assert {"scenario", "verdict", "reasons", "open_points", "obligations", "ruleset"} <= set(data)
    assert data["verdict"] in ("allow", "deny", "needs-agreement")
    assert set(data["ruleset"]) >= {"version", "sha256", "as_of"}
    assert data["ruleset"]["as_of"] == "2026-12-01"
    reason = data["reasons"][0]
    assert {"rule", "effect", "message", "citations"} <= set(reason)
    assert {"source", "ref"} <= set(reason["citations"][0])
    point = data["open_points"][0]
    assert {"id", "question", "likely_answers", "kind", "status", "waits_for", "citations", "help"} <= set(point)
    assert point["waits_for"] == ["share.basis.article_6"] and point["citations"][0]["source"]
    assert {"share_now", "share_kinds"} <= set(data)
    assert {"rule", "message", "citations"} <= set(data["obligations"][0])


def test_a_missing_policy_document_for_offence_data_alone_opens_the_article_10_point(ruleset):
    # Criminal offence data only (no special category), policy document missing: the gap is in the
    # Art 10 condition (SC-APD-002), not in an Art 9 one.
    d = assess(build(share__data__categories=["identity", "criminal_offence"],
                     share__basis__criminal_offence="schedule_1", share__basis__schedule_1="preventing_unlawful_acts",
                     share__basis__appropriate_policy_document=False, share__to__type="housing_association"), ruleset)
    assert "SC-APD-002" in d.fired and "SC-APD-001" not in d.fired
    assert d.verdict == "needs-agreement" and "criminal_offence_condition" in ids(d.open_points)
    assert "special_category_condition" not in ids(d.open_points)


def test_a_point_never_opens_for_a_kind_of_share_it_excludes_even_when_a_rule_opens_it(ruleset):
    """Routine sharing with no agreement opens the agreement point (GOV-AGREEMENT-001), but
    anonymised or aggregate information is outside the UK GDPR: no agreement point opens for it
    (DESIGN, verdict semantics 4), whichever rule would open it."""
    routine = {"share__frequency": "routine", "share__governance__agreement": "none"}
    assert "sharing_agreement" in ids(assess(build(**routine), ruleset).open_points)
    d = assess(build(**routine, share__data__identifiability="aggregate"), ruleset)
    assert any(key.startswith("GOV-AGREEMENT-001") for key in d.rule_keys)  # the rule matched...
    assert "GOV-AGREEMENT-001" not in d.fired  # ...but is no reason: nothing it opens applies
    assert "sharing_agreement" not in ids(d.open_points)
    assert next(p for p in d.points if p.id == "sharing_agreement").status == "not_applicable"


def test_a_deny_is_never_deferred_and_never_says_after_sharing(ruleset):
    d = assess(build(share__purpose__category="safeguarding_adult", share__urgency__risk="serious_or_imminent",
                     share__basis__article_6="legitimate_interests", share__frequency=...), ruleset)
    assert d.verdict == "deny" and not d.deferred and not d.share_now
    assert not any("after sharing" in o.message for o in d.obligations)
    assert "frequency" in ids(d.open_points)


def test_urgency_does_not_defer_a_stated_lawfulness_defect(ruleset):
    # Para 18 relied on for an adult who is not described as at risk: a stated defect, not paperwork.
    d = assess(build(share__purpose__category="safeguarding_adult", share__urgency__risk="serious_or_imminent",
                     share__data__subjects=["adult"], share__data__categories=["identity", "health"],
                     share__basis__article_9="substantial_public_interest", share__basis__schedule_1="safeguarding",
                     share__basis__appropriate_policy_document=True, share__consent__reason_not_sought="would_prejudice"),
               ruleset)
    assert "SC-PARA18-002" in d.fired
    assert d.verdict == "needs-agreement" and ids(d.open_points) == {"special_category_condition"}


@pytest.mark.parametrize("power", [
    "Police, Crime, Sentencing and Courts Act 2022 Part 2 s16",
    "Serious Violence Duty (s16)",
    "Police, Crime, Sentencing & Courts Act 2022 s16",
    "serious violence duty s16",
    "PCSCA2022 s16",
    "serious-violence duty",
])
def test_the_serious_violence_gateway_is_recognised_however_it_is_written(ruleset, power):
    change = {"share__from__type": "nhs_trust", "share__data__categories": ["identity", "health"],
                  "share__basis__legal_power": power}
    for evaluator in ("durable", "interpreter"):
        d = assess(build(**change), ruleset, evaluator=evaluator)
        assert "GW-PCSC16-001" in d.fired, (evaluator, power)
        # s16(4) only says s16 does not authorise a disclosure by a health or social care
        # authority; s16(7) keeps every other power, so the power point opens (legal review, doubt 2).
        assert d.verdict == "needs-agreement" and "legal_power" in ids(d.open_points), (evaluator, power)


# --- what decide works out once per ruleset (decide.plan) ----------------------------------

def test_a_ruleset_changed_in_memory_is_decided_by_its_own_rules(ruleset):
    """The plan is kept per ruleset object: a copy with a rule taken out (same sha256) must not be
    decided with the original's rules."""
    from isp_rules.assessment import fire, scenario_fact
    from isp_rules.decide import decide, plan

    day = dt.date(2026, 12, 1)
    scenario = build(share__to__signatory=False, share__handling__retention=...)
    fact = scenario_fact(scenario, ruleset, day)
    fired = fire(ruleset, fact)
    dropped = next(r for r in ruleset.rules if r.key in fired and r.effect == "ground")
    assert dropped.id in {r.rule for r in decide(ruleset, scenario, fact, fired, day).reasons}
    changed = ruleset.model_copy(update={"rules": tuple(r for r in ruleset.rules if r is not dropped)})
    assert plan(changed) is not plan(ruleset)
    assert dropped.id not in {r.rule for r in decide(changed, scenario, fact, fired, day).reasons}
    assert dropped.id in {r.rule for r in decide(ruleset, scenario, fact, fired, day).reasons}


def test_the_answers_offered_are_those_each_unless_leaves(ruleset):
    """The remembered `unless` results give what evaluating each condition gives, on every point,
    for shares that differ only in the facts the conditions read."""
    from isp_rules.assessment import scenario_fact
    from isp_rules.decide import likely_answers

    day = dt.date(2026, 12, 1)
    for change in ({}, {"share__from__type": "nhs_trust"}, {"share__from__type": "police"},
                   {"share__basis__article_6": "consent"}, {"share__data__confidential": True},
                   {"share__frequency": "routine"}, {"share__frequency": ...}):
        scenario = build(**change)
        decision = assess(scenario, ruleset, as_of=day)
        fact = scenario_fact(scenario, ruleset, day)
        by_id = {p.id: p for p in decision.points}
        for point in ruleset.points:
            assert list(by_id[point.id].likely_answers) == likely_answers(point, fact), (change, point.id)
