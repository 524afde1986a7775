"""The questionnaire a practitioner can finish: help and an example for every question,
preconditions that hold whenever a question is asked, proposals of the likely lawful basis that
the rules recognise, going back, Ctrl-C, and the same verdict as the whole scenario."""

import copy
import random

import pytest
from click.testing import CliRunner
from conftest import RULES

from isp_rules import load_scenario
from isp_rules.authoring.testing import find_scenarios
from isp_rules.cli import cli
from isp_rules.cli import prompts as prompting
from isp_rules.dotted import get_path, set_path
from isp_rules.facts import FIELDS, recognised_powers
from isp_rules.guided.answers import NOT_SURE, choices
from isp_rules.guided.asking import (
    BACK,
    BASIS_FIELDS,
    OTHER_KIND,
    OTHER_PARTNER,
    answered,
    apply_answer,
    ask_until_settled,
    checklist,
    page_of,
    partner_question,
    proposal_question,
    question_for,
    still_to_ask,
    withdraw_answer,
)
from isp_rules.guided.oracle import walk
from isp_rules.guided.proposals import PROPOSAL_PATH, load_checklists, load_proposals
from isp_rules.guided.questions import QUESTIONS
from isp_rules.labels import VALUE_LABELS

# --- every question: one line of plain help and an example -----------------------------------


def _all_questions(ruleset):
    qs = list(QUESTIONS.values())
    qs += [q for q in (partner_question(ruleset, "from"), partner_question(ruleset, "to")) if q is not None]
    data = {"share": {"purpose": {"category": "safeguarding_child"}, "from": {"type": "police"}}}
    qs.append(proposal_question(ruleset, data))
    return qs


def test_every_question_has_one_line_of_help_and_an_example(ruleset):
    for q in _all_questions(ruleset):
        assert q is not None
        assert q.help.strip() and "\n" not in q.help and q.help != q.text, q.path
        assert q.example.strip() and "\n" not in q.example, q.path
        for words in (q.help, q.example, q.text):
            assert "share." not in words.replace("share.", "share. ") or not any(
                f"share.{part}" in words for part in ("from", "to", "data", "basis", "purpose")), f"{q.path}: a field path"


def test_preconditions_name_real_fields_and_values():
    for q in QUESTIONS.values():
        for gate in [g for group in q.when for g in group] + list(q.unless):
            assert gate.path in FIELDS and gate.path in QUESTIONS, (q.path, gate.path)
            allowed = set(VALUE_LABELS.get(gate.path, {})) | {True, False} | ({"GB"} if gate.path == "share.to.location" else set())
            assert set(gate.values) <= allowed, (q.path, gate.path, gate.values)


def test_no_precondition_hides_a_question_a_rule_tests_beside_the_answer_it_excludes(ruleset):
    """A question's `unless` must not rule it out when a rule tests its field together with that
    very answer (Safeguarding Vulnerable Groups Act duty named beside consent, say): else the
    questionnaire's verdict would depend on the order it asks in."""
    from isp_rules.ruleset import All, Leaf
    from isp_rules.ruleset import walk as walk_condition

    conds = [r.when for r in ruleset.rules] + [p.urgency_keeps_when for p in ruleset.points if p.urgency_keeps_when]
    for cond in conds:
        for node in walk_condition(cond):
            if not isinstance(node, All):
                continue
            tests = [leaf for leaf in node.items if isinstance(leaf, Leaf)]
            for leaf in tests:
                q = QUESTIONS.get(leaf.field)
                for gate in q.unless if q else ():
                    for other in tests:
                        values = other.value if isinstance(other.value, tuple) else (other.value,)
                        if other.field == gate.path and other.op in ("equals", "in"):
                            assert not set(values) & set(gate.values), (leaf.field, gate.path, values)


# --- every question path: a question is asked only when its precondition holds ---------------

# The practitioner's list (review item 5), checked independently of questions.yaml: a question
# that cannot matter given an earlier answer.
NEVER_AFTER = [
    ("share.governance.processor_contract", lambda d: get_path(d, "share.relationship") != "processor"),
    ("share.governance.joint_controller_arrangement", lambda d: get_path(d, "share.relationship") != "joint_controllers"),
    ("share.request.states_public_task", lambda d: get_path(d, "share.request.by_recipient") is not True),
    ("share.request.in_writing", lambda d: get_path(d, "share.request.by_recipient") is not True),
    ("share.basis.annex_1", lambda d: get_path(d, "share.basis.article_6") != "recognised_legitimate_interest"),
    ("share.handling.international_mechanism", lambda d: get_path(d, "share.to.location") in (None, "GB")),
    ("share.handling.derogation", lambda d: get_path(d, "share.handling.international_mechanism") != "derogation"),
    ("share.to.location", lambda d: get_path(d, "share.to.type") in ("local_authority", "school", "nhs_trust", "gp_practice")),
    ("share.consent.given_by", lambda d: get_path(d, "share.consent.status") in (None, "not_sought")),
    ("share.governance.agreement_covers_purpose", lambda d: get_path(d, "share.governance.agreement") != "in_place"),
    ("share.from.type", lambda d: get_path(d, "share.from.partner") is not None),
    ("share.to.signatory", lambda d: get_path(d, "share.to.partner") is not None),
]


def _random_answer(rng, q):
    if rng.random() < 0.2:
        return NOT_SURE
    if q.kind in ("bool", "enum"):
        return rng.choice(choices(q))[1]
    if q.kind == "enum_list":
        options = [v for _, v in choices(q)]
        return rng.sample(options, rng.randint(1, min(3, len(options))))
    if q.kind == "country":
        return rng.choice(["GB", "US", "IE", "PK"])
    return rng.choice(["Children Act 2004 s11", "Crime and Disorder Act 1998 s115", "my manager said so"])


@pytest.mark.parametrize("seed", range(24))
def test_every_question_asked_had_its_precondition_true(ruleset, seed):
    rng = random.Random(seed)
    asked = []

    def answer(q, number):
        assert q.path not in asked, f"{q.path} asked twice"
        asked.append(q.path)
        fixed = QUESTIONS.get(q.path)
        if fixed is not None:
            assert fixed.can_matter(data), f"{q.path} asked though its precondition is false"
        if q.path == PROPOSAL_PATH:
            assert get_path(data, "share.basis.article_6") is None
        # a checklist's statements are questions too: each only while its question could matter
        listed = checklist(ruleset, q.path)
        statements = [f for i in q.labels for f in listed.item(i).sets] if listed is not None else []
        for field in statements:
            assert QUESTIONS[field].can_matter(data) and get_path(data, field) is None, (q.path, field)
        for path, cannot_matter in NEVER_AFTER:
            for put in (q.path, *statements):
                assert not (put == path and cannot_matter(data)), f"{path} asked after an answer that rules it out"
        if q.path.endswith(".partner"):
            return rng.choice([OTHER_PARTNER, NOT_SURE, *list(q.labels)[:3]])
        return _random_answer(rng, q)

    data = {"share": {}, "as_of": "2026-12-01"}
    ask_until_settled(ruleset, data, answer)
    assert asked


def test_an_organisation_not_in_the_directory_is_chosen_with_its_kind_in_one_question(ruleset):
    q = partner_question(ruleset, "from")
    assert q.labels[OTHER_KIND + "school"] == "Not in the list: a school or college"
    assert list(q.labels)[-1] == OTHER_PARTNER  # "say what kind next" stays, last
    data = {"share": {}, "as_of": "2026-12-01"}
    apply_answer(ruleset, data, "share.from.partner", OTHER_KIND + "school")
    assert get_path(data, "share.from.type") == "school" and get_path(data, "share.from.partner") is None
    _, _, fields = still_to_ask(ruleset, data, {"share.from.partner"})
    assert "share.from.type" not in fields and "share.from.partner" not in fields
    assert answered(ruleset, "share.from.partner", data)[1] == OTHER_KIND + "school"
    withdraw_answer(ruleset, data, "share.from.partner")
    assert get_path(data, "share.from.type") is None


def test_a_follow_up_is_answered_in_the_same_choice_and_not_asked_again(ruleset):
    q = QUESTIONS["share.consent.status"]
    assert q.labels["not_sought:would_increase_risk"] == "We have not asked: asking would increase the risk"
    assert "not_sought" in q.labels  # the reason is still asked when not chosen with it
    data = {"as_of": "2026-12-01", "share": {"purpose": {"category": "safeguarding_child"}, "from": {"type": "school"},
                                            "to": {"type": "local_authority"}, "urgency": {"risk": "low"}}}
    apply_answer(ruleset, data, "share.consent.status", "not_sought:would_increase_risk")
    assert get_path(data, "share.consent.status") == "not_sought"
    assert get_path(data, "share.consent.reason_not_sought") == "would_increase_risk"
    _, _, fields = still_to_ask(ruleset, data, {"share.consent.status"})
    assert "share.consent.reason_not_sought" not in fields
    assert answered(ruleset, "share.consent.status", data)[1] == "not_sought:would_increase_risk"
    withdraw_answer(ruleset, data, "share.consent.status")
    assert get_path(data, "share.consent.reason_not_sought") is None
    apply_answer(ruleset, data, "share.governance.agreement", "in_place:true")  # a yes/no follow-up
    assert get_path(data, "share.governance.agreement_covers_purpose") is True
    assert answered(ruleset, "share.governance.agreement", data)[1] == "in_place:true"
    apply_answer(ruleset, data, "share.governance.agreement", "york-hospital-discharge")  # a directory agreement
    assert get_path(data, "share.governance.agreement_id") == "york-hospital-discharge"
    assert answered(ruleset, "share.governance.agreement", data)[1] == "york-hospital-discharge"


# --- proposals: law as data the rules recognise ---------------------------------------------


def test_every_proposal_names_a_power_the_catalogue_recognises_for_its_disclosers(ruleset):
    proposals = load_proposals(ruleset.source)
    assert len(proposals) >= 5
    for p in proposals:
        powers = [ruleset.power(x.id) for x in ruleset.powers if x in recognised_powers(p.basis["legal_power"], ruleset.powers)]
        assert powers, f"{p.id}: the catalogue does not recognise {p.basis['legal_power']!r}"
        for power in powers:
            assert not power.who or set(p.from_) <= set(power.who), (p.id, power.id, power.who)
        assert p.citations and p.checked.strip() and p.says.strip()
        for field, value in p.answers({"share": {"data": {"categories": ["health", "criminal_offence"]}}}).items():
            assert field in FIELDS and (FIELDS[field].kind == "text" or value in VALUE_LABELS[field]), (p.id, field, value)


def test_a_confirmed_proposal_answers_every_lawful_basis_question_the_rules_need(ruleset):
    for p in load_proposals(ruleset.source):
        for discloser in p.from_:
            data = {"as_of": "2026-12-01", "share": {
                "purpose": {"category": p.purpose[0]}, "from": {"type": discloser, "signatory": True},
                "to": {"type": (p.to or ("local_authority",))[0], "signatory": True},
                "data": {"categories": ["identity", "health", "criminal_offence"], "subjects": ["child"]},
                "frequency": "one_off", "urgency": {"risk": "significant"}}}
            _, _, before = still_to_ask(ruleset, data)
            assert PROPOSAL_PATH in before, (p.id, discloser)
            apply_answer(ruleset, data, PROPOSAL_PATH, True)
            _, decision, after = still_to_ask(ruleset, data, {PROPOSAL_PATH})
            assert decision.verdict != "deny", (p.id, discloser, [r.rule for r in decision.reasons if r.effect == "deny"])
            left = [f for f in after if f in p.answers(data)]
            assert not left, f"{p.id} for {discloser}: still asks {left}"
            if p.special and p.criminal:  # the basis, Art 9, Schedule 1 and Art 10 are all settled by it
                assert not [f for f in after if f in BASIS_FIELDS], (p.id, discloser, after)


# --- confirmations of usual good practice: one question instead of several -------------------


def test_every_confirmation_sets_real_answers_and_cites_its_law(ruleset):
    from isp_rules.guided.asking import confirmation_question
    from isp_rules.guided.proposals import load_confirmations

    found = load_confirmations(ruleset.source)
    assert found
    for c in found:
        assert c.citations and c.checked.strip() and c.says.strip() and "share." not in c.says
        for field, value in c.answers(c.options[0] if c.choose else True).items():
            assert field in QUESTIONS and (value in VALUE_LABELS.get(field, {}) or isinstance(value, bool)), (c.id, field)
        q = confirmation_question(ruleset, c.path)
        assert q.help and q.example and all(v in q.labels for v in c.options)


def test_every_checklist_statement_sets_real_answers_and_cites_its_law(ruleset):
    found = load_checklists(ruleset.source)
    assert found
    for listed in found:
        assert listed.asks.strip() and listed.checked.strip() and len(listed.items) >= 2
        for item in listed.items:
            assert item.citations and item.says.strip() and "share." not in item.says, item.id
            for field, value in item.sets.items():
                assert field in QUESTIONS and (value in VALUE_LABELS.get(field, {}) or isinstance(value, bool)
                                               or field == "share.to.location"), (item.id, field)


def _checklist_data():
    """A school's one-off referral to the council: the basis stated, the usual practice not yet."""
    return {"as_of": "2026-12-01", "share": {
        "purpose": {"category": "safeguarding_child", "detail": "A pupil's welfare concerns"},
        "from": {"type": "school", "signatory": True}, "to": {"type": "local_authority", "signatory": True},
        "frequency": "one_off", "urgency": {"risk": "low"}, "request": {"by_recipient": False},
        "data": {"categories": ["identity", "health"], "identifiability": "identified", "subjects": ["child"],
                 "volume": "individual", "confidential": False},
        "basis": {"article_6": "public_task", "legal_power": "Education Act 2002 s175",
                  "article_9": "substantial_public_interest", "schedule_1": "safeguarding"},
        "consent": {"status": "not_sought", "reason_not_sought": "would_increase_risk"},
        "governance": {"agreement": "none"}, "handling": {"transfer": "secure_email"}}}


def test_a_checklist_puts_only_statements_that_matter_and_ticking_answers_them(ruleset):
    data = _checklist_data()
    _, _, fields = still_to_ask(ruleset, data)
    path = "checklist.usual-practice"
    assert path in fields
    q = question_for(ruleset, path, data)
    listed = checklist(ruleset, path)
    assert q.kind == "enum_list" and len(q.labels) >= 2
    shown = {f for i in q.labels for f in listed.item(i).sets}
    assert shown <= set(fields)  # every statement put is one the verdict still waits on
    assert "share.to.location" not in shown  # a council is in the UK: never asked
    # the web form: what the checklist answers waits for a later page, and it comes first on its page
    later = fields[fields.index(path):]
    page = page_of(later, 40)
    assert page[0] == path and not shown & set(page)
    apply_answer(ruleset, data, path, list(q.labels))
    for item in q.labels:
        for field, value in listed.item(item).sets.items():
            assert get_path(data, field) == value
    assert set(q.labels) <= set(answered(ruleset, path, data)[1])  # with any statement true already
    _, _, after = still_to_ask(ruleset, data, {path})
    assert not shown & set(after) and path not in after
    withdraw_answer(ruleset, data, path)
    assert all(get_path(data, f) is None for f in shown)


def test_an_unticked_statement_is_asked_on_its_own_and_never_read_as_no(ruleset):
    data = _checklist_data()
    path = "checklist.usual-practice"
    q = question_for(ruleset, path, data)
    listed = checklist(ruleset, path)
    first, *rest = list(q.labels)
    apply_answer(ruleset, data, path, rest)  # the first left unticked
    left = list(listed.item(first).sets)
    assert all(get_path(data, f) is None for f in left)  # not "no": unstated
    _, decision, after = still_to_ask(ruleset, data, {path})
    assert set(left) & set(after), "an unticked statement that still matters is asked on its own"
    assert decision.verdict != "deny"


def test_an_all_ticked_checklist_settles_the_referral_in_fewer_questions(ruleset):
    """Answered from a scenario that states every statement, the checklist counts once for all of them."""
    from isp_rules.guided.oracle import oracle_answer

    data = _checklist_data()
    stated = copy.deepcopy(data)
    for item in checklist(ruleset, "checklist.usual-practice").items:
        for field, value in item.sets.items():
            set_path(stated, field, value)
    stated["share"]["governance"]["privacy_notice"] = "covers"
    q = question_for(ruleset, "checklist.usual-practice", data)
    ticks = oracle_answer(ruleset, stated, q, data)
    assert sorted(ticks) == sorted(q.labels)
    unstated = _checklist_data()
    assert oracle_answer(ruleset, unstated, q, unstated) is NOT_SURE


def _safeguards_data():
    return {"as_of": "2026-12-01", "share": {
        "purpose": {"category": "direct_care"}, "from": {"type": "nhs_trust", "signatory": True},
        "to": {"type": "gp_practice", "signatory": True}, "frequency": "one_off", "urgency": {"risk": "low"},
        "data": {"categories": ["identity", "health"], "identifiability": "identified", "subjects": ["patient"]}}}


def test_a_confirmation_is_put_before_the_questions_it_answers_and_yes_answers_them(ruleset):
    data = _safeguards_data()
    _, _, fields = still_to_ask(ruleset, data)
    path = "confirm.usual-safeguards"
    assert path in fields and fields.index(path) < min(fields.index(f) for f in (
        "share.data.minimised", "share.handling.transfer", "share.governance.privacy_notice") if f in fields)
    page = page_of(fields, 40)  # the web form: what the confirmation answers waits for a later page
    assert path in page and not {"share.data.minimised", "share.handling.transfer", "share.governance.privacy_notice"} & set(page)
    apply_answer(ruleset, data, path, "secure_email")
    assert get_path(data, "share.data.minimised") is True and get_path(data, "share.handling.transfer") == "secure_email"
    assert get_path(data, "share.governance.privacy_notice") == "covers"
    assert answered(ruleset, path, data)[1] == "secure_email"
    withdraw_answer(ruleset, data, path)
    assert get_path(data, "share.data.minimised") is None and get_path(data, "share.handling.transfer") is None


def test_no_or_not_sure_to_a_confirmation_asks_each_question_and_fills_nothing(ruleset):
    for answer in ("no", NOT_SURE):
        data = _safeguards_data()
        apply_answer(ruleset, data, "confirm.usual-safeguards", answer)
        assert get_path(data, "share.data.minimised") is None
        _, _, fields = still_to_ask(ruleset, data, {"confirm.usual-safeguards"})
        assert "share.data.minimised" in fields and "confirm.usual-safeguards" not in fields


def test_a_confirmation_is_not_put_once_one_of_its_answers_is_given(ruleset):
    data = _safeguards_data()
    apply_answer(ruleset, data, "share.governance.privacy_notice", "exempt")
    _, _, fields = still_to_ask(ruleset, data)
    assert "confirm.usual-safeguards" not in fields


def test_only_the_basis_of_a_proposal_sets_the_art_6_basis_and_asks_the_rest(ruleset):
    from isp_rules.guided.asking import PROPOSAL_BASIS_ONLY

    data = {"as_of": "2026-12-01", "share": {"purpose": {"category": "safeguarding_child"}, "from": {"type": "school"},
                                            "to": {"type": "local_authority"}, "data": {"categories": ["health"]}}}
    assert PROPOSAL_BASIS_ONLY in proposal_question(ruleset, data).labels
    apply_answer(ruleset, data, PROPOSAL_PATH, PROPOSAL_BASIS_ONLY)
    assert get_path(data, "share.basis.article_6") == "public_task"
    assert get_path(data, "share.basis.legal_power") is None and get_path(data, "share.basis.article_9") is None
    _, _, fields = still_to_ask(ruleset, data, {PROPOSAL_PATH})
    assert "share.basis.legal_power" in fields and "share.basis.article_6" not in fields
    assert answered(ruleset, PROPOSAL_PATH, data)[1] == PROPOSAL_BASIS_ONLY


def test_another_law_keeps_the_proposed_conditions_and_asks_only_the_law(ruleset):
    from isp_rules.guided.asking import PROPOSAL_OTHER_LAW

    data = {"as_of": "2026-12-01", "share": {"purpose": {"category": "safeguarding_child"}, "from": {"type": "school"},
                                            "to": {"type": "local_authority"}, "data": {"categories": ["health"]}}}
    apply_answer(ruleset, data, PROPOSAL_PATH, PROPOSAL_OTHER_LAW)
    assert get_path(data, "share.basis.article_6") == "public_task"
    assert get_path(data, "share.basis.article_9") == "substantial_public_interest"
    assert get_path(data, "share.basis.schedule_1") == "safeguarding"
    assert get_path(data, "share.basis.legal_power") is None
    _, _, fields = still_to_ask(ruleset, data, {PROPOSAL_PATH})
    assert "share.basis.legal_power" in fields
    assert not {"share.basis.article_6", "share.basis.article_9", "share.basis.schedule_1"} & set(fields)
    assert answered(ruleset, PROPOSAL_PATH, data)[1] == PROPOSAL_OTHER_LAW
    withdraw_answer(ruleset, data, PROPOSAL_PATH)
    assert get_path(data, "share.basis.article_9") is None


def test_a_yes_no_and_its_follow_up_are_one_choice(ruleset):
    q = QUESTIONS["share.data.confidential"]
    assert q.kind == "enum" and {"true", "false", "true:overriding_public_interest"} <= set(q.labels)
    assert "true:not_applicable" not in q.labels  # "nothing confidential" cannot follow "yes, in confidence"
    data: dict = {"share": {}}
    apply_answer(ruleset, data, q.path, "true:overriding_public_interest")
    assert get_path(data, "share.data.confidential") is True
    assert get_path(data, "share.confidentiality") == "overriding_public_interest"
    assert q.combined(data) == "true:overriding_public_interest"
    withdraw_answer(ruleset, data, q.path)
    assert get_path(data, "share.data.confidential") is None and get_path(data, "share.confidentiality") is None
    apply_answer(ruleset, data, q.path, "false")
    assert get_path(data, "share.data.confidential") is False and q.combined(data) == "false"


def test_the_art_9_condition_offers_only_the_schedule_1_paragraphs_that_go_with_it():
    labels = QUESTIONS["share.basis.article_9"].labels
    assert "substantial_public_interest:safeguarding" in labels
    assert "health_social_care:health_social_care_purposes" in labels
    assert "health_social_care:safeguarding" not in labels  # para 18 is a substantial public interest condition
    assert not [k for k in labels if k.startswith(("explicit_consent:", "vital_interests:"))]  # need no Schedule 1 paragraph


def test_a_follow_up_that_matters_with_its_lead_is_asked_through_the_lead(ruleset):
    """When whether it was confidential and how the duty is met both matter, one question asks both."""
    data = {"as_of": "2026-12-01", "share": {"purpose": {"category": "safeguarding_child"}, "from": {"type": "school"},
                                            "to": {"type": "local_authority"},
                                            "data": {"categories": ["health"], "identifiability": "identified"}}}
    asked: set[str] = set()
    while "share.data.confidential" not in asked:
        _, _, fields = still_to_ask(ruleset, data, asked)
        assert fields, "whether the information was confidential was never asked"
        path = fields[0]
        assert path != "share.confidentiality", "how the duty of confidence is met was asked before whether it was confidential"
        if path == "share.data.confidential":
            apply_answer(ruleset, data, path, "true:overriding_public_interest")
        asked.add(path)
    assert "share.confidentiality" not in still_to_ask(ruleset, data, asked)[2]


def test_no_or_not_sure_to_a_proposal_asks_each_question_instead(ruleset):
    data = {"as_of": "2026-12-01", "share": {"purpose": {"category": "safeguarding_child"}, "from": {"type": "school"},
                                            "to": {"type": "local_authority"}, "data": {"categories": ["health"]}}}
    for answer in (False, NOT_SURE):
        copy = {**data, "share": dict(data["share"])}
        apply_answer(ruleset, copy, PROPOSAL_PATH, answer)
        assert get_path(copy, "share.basis.article_6") is None
        _, _, fields = still_to_ask(ruleset, copy, {PROPOSAL_PATH})
        assert "share.basis.article_6" in fields or "share.basis.legal_power" in fields


# --- the same verdict as the whole scenario (the benchmark's walk, on a sample) -------------


def test_the_questionnaire_reaches_each_sampled_scenarios_verdict(ruleset):
    paths = find_scenarios(["scenarios"])[::10]
    assert len(paths) >= 30
    wrong = []
    for path in paths:
        result = walk(ruleset, load_scenario(path))
        if not result.agrees:
            wrong.append((path.name, result.decision.verdict, result.expected.verdict))
    assert not wrong, wrong


# --- the terminal: back, Enter, Ctrl-C --------------------------------------------------------


def test_the_terminal_says_enter_means_not_sure_and_back_returns_to_the_previous_question():
    other = str(len(load_partner_labels()))  # "another organisation", the last choice
    result = CliRunner().invoke(cli, ["ask"], input=f"{other}\nschool\nback\npolice\n" + "\n" * 80)
    assert result.exit_code == 0, result.output
    assert "Enter alone means \"not sure\"; type back to return to the previous question." in result.output
    assert "Answer (Enter = not sure):" in result.output
    assert "For example:" in result.output
    assert result.output.count("Q2. What kind of organisation is sharing the information?") == 2  # asked again after back
    assert result.output.count("Q3. Which organisation will receive it?") == 2  # "back" was typed at Q3


def load_partner_labels():
    from isp_rules.assessment import default_ruleset

    q = partner_question(default_ruleset(), "from")
    return list(q.labels)


def test_back_undoes_the_previous_answer(ruleset):
    script = iter(["other", "school", BACK, BACK, "other", "police"])
    seen = []

    def answer(q, number):
        seen.append((number, q.path))
        try:
            return next(script)
        except StopIteration:
            return NOT_SURE

    data = {"share": {}}
    ask_until_settled(ruleset, data, answer)
    assert seen[:6] == [(1, "share.from.partner"), (2, "share.from.type"), (3, "share.to.partner"),
                        (2, "share.from.type"), (1, "share.from.partner"), (2, "share.from.type")]
    assert get_path(data, "share.from.type") == "police"


def test_ctrl_c_offers_to_save_the_answers_so_far(monkeypatch, tmp_path):
    answers = iter(["other", "school"])

    def answer(q, number):
        try:
            return next(answers)
        except StopIteration:
            raise KeyboardInterrupt from None

    monkeypatch.setattr(prompting, "ask_question_with_back", answer)
    target = tmp_path / "so-far.yaml"
    result = CliRunner().invoke(cli, ["ask"], input=f"y\n{target}\n")
    assert result.exit_code == 130, result.output
    assert "Traceback" not in result.output
    assert "Save your answers so far to a file?" in result.output
    saved = load_scenario(target)
    assert saved.share.from_.type == "school" and saved.id == "so-far"


def test_ctrl_c_then_no_saves_nothing(monkeypatch, tmp_path):
    def answer(q, number):
        if number > 2:
            raise KeyboardInterrupt
        return "other" if q.path.endswith("partner") else "school"

    monkeypatch.setattr(prompting, "ask_question_with_back", answer)
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(cli, ["ask"], input="\n")
    assert result.exit_code == 130 and "Traceback" not in result.output
    assert "Save your answers so far to a file?" in result.output
    assert not list(tmp_path.rglob("*.yaml"))


def test_the_partner_question_reads_the_directory_again_when_it_changes(tmp_path):
    import shutil

    from isp_rules.assessment import load_ruleset
    from isp_rules.guided.asking import partner_question

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    ruleset = load_ruleset(rules)
    assert "new-partner" not in partner_question(ruleset, "from").labels
    partners = rules / "directory" / "partners.yaml"
    partners.write_text(partners.read_text() + "  - {id: new-partner, name: New Partner, type: charity}\n")
    assert partner_question(ruleset, "from").labels["new-partner"] == "New Partner"


# --- an agreement of the partnership's that settles facts ------------------------------------

def _discharge(ruleset) -> tuple[dict, set[str]]:
    """The hospital's discharge list to the council, answered up to the kinds of information."""
    data = {"as_of": "2026-12-01", "share": {
        "from": {"partner": "york-and-scarborough-teaching-hospitals"}, "to": {"partner": "city-of-york-council"},
        "purpose": {"category": "direct_care"}, "urgency": {"risk": "low"}, "frequency": "routine",
        "data": {"identifiability": "identified", "categories": ["identity", "contact", "health", "social_care"]}}}
    asked = {"share.from.partner", "share.to.partner", "share.purpose.category", "share.urgency.risk",
             "share.frequency", "share.data.identifiability", "share.data.categories"}
    return data, asked


def test_an_agreement_that_settles_facts_is_asked_next_then_whether_the_share_follows_it(ruleset):
    data, asked = _discharge(ruleset)
    _, _, fields = still_to_ask(ruleset, data, asked)
    assert fields[0] == "share.governance.agreement"
    question = question_for(ruleset, fields[0], data)
    assert "york-hospital-discharge" in question.labels
    apply_answer(ruleset, data, fields[0], "york-hospital-discharge")
    asked.add(fields[0])
    _, _, fields = still_to_ask(ruleset, data, asked)
    assert fields[0] == "share.governance.follows_agreement"
    follows = question_for(ruleset, fields[0], data)
    assert "secure portal" in follows.text and "public task" in follows.text  # says what it settles, in words
    yes = copy.deepcopy(data)
    apply_answer(ruleset, yes, fields[0], True)
    _, _, after_yes = still_to_ask(ruleset, yes, asked | {fields[0]})
    settled = {"share.basis.article_6", "share.basis.legal_power", "share.basis.article_9", "share.handling.transfer",
               "share.governance.dpia", "share.relationship", "proposal.basis", "confirm.usual-safeguards"}
    assert not settled & set(after_yes)
    no = copy.deepcopy(data)
    apply_answer(ruleset, no, fields[0], False)
    _, _, after_no = still_to_ask(ruleset, no, asked | {fields[0]})
    assert {"share.relationship", "share.basis.legal_power"} <= set(after_no)  # each is asked instead


def test_a_practitioner_who_says_it_differs_from_the_agreement_is_asked_each_fact(ruleset):
    """The benchmark's oracle says No when a stated fact differs from what the agreement settles,
    and the questionnaire then reaches the scenario's own verdict (a deny for ordinary e-mail)."""
    path = RULES.parent / "scenarios" / "directory" / "discharge-list-sent-by-ordinary-email-against-the-agreement.yaml"
    result = walk(ruleset, load_scenario(path))
    assert "share.governance.follows_agreement" in result.asked and "share.handling.transfer" in result.asked
    assert result.agrees and result.decision.verdict == "deny"
