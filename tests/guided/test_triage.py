"""Urgent triage says what the urgent path needs in the rules' own words (urgent_when), so a
partnership that changes its urgent rules changes the notice with no code change."""

from __future__ import annotations

import datetime as dt
import itertools
import re
import shutil

import pytest
import yaml
from click.testing import CliRunner
from conftest import RULES

from isp_rules import assess, load_ruleset
from isp_rules.cli import cli
from isp_rules.cli import prompts as prompting
from isp_rules.facts import FIELDS, recognised_powers
from isp_rules.guided.triage import (
    RECORD_HEADING,
    TRIAGE_QUESTIONS,
    complete,
    continue_questions,
    not_urgent,
    not_urgent_text,
    run_triage,
    sources,
    summarise,
    triage_text,
    urgent_path_needs,
)
from isp_rules.scenario import Scenario

DAY = dt.date(2026, 12, 7)


def test_the_urgent_path_is_listed_from_every_rule_that_defers_paperwork(repo_ruleset):
    deferring = [r for r in repo_ruleset.rules if r.defers_paperwork]
    assert deferring and all(r.urgent_when for r in deferring)  # the bundled rules each say when
    needs = urgent_path_needs(repo_ruleset, DAY)
    for rule in deferring:
        assert rule.urgent_when in needs
    assert needs.count("; or ") == 1 and not_urgent(repo_ruleset, DAY).startswith("NOT URGENT ON THESE ANSWERS")


def test_a_partnership_that_rewords_or_drops_an_urgent_rule_sees_it_in_the_notice(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / "safeguarding.yaml"
    data = yaml.safe_load(path.read_text())
    data["rules"] = [r for r in data["rules"] if r["id"] != "SG-URGENT-003"]
    for rule in data["rules"]:
        if rule["id"] == "SG-URGENT-001":
            rule["urgent_when"] = "a child in the Ryedale pilot at serious risk"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    theirs = load_ruleset(target)
    needs = urgent_path_needs(theirs, DAY)
    assert "a child in the Ryedale pilot at serious risk" in needs
    assert "significant risk" not in needs  # the dropped rule's words are gone


# --- what the triage says: specific to the discloser, cited, in the rules' words ----------


TRIAGE_PATHS = [q.path for q in TRIAGE_QUESTIONS]
POWER_POINT = "legal_power"  # the point whose likely answers name powers of the catalogue


def triaged(ruleset, purpose=None, risk=None, frm=None, to=None, categories=("identity", "health"), **more):
    """The scenario and decision the triage reaches on these answers (None: "not sure")."""
    share: dict = {"data": {"categories": list(categories)}} if categories else {}
    for path, value in (("purpose.category", purpose), ("urgency.risk", risk), ("from.type", frm), ("to.type", to)):
        if value is not None:
            head, tail = path.split(".")
            share.setdefault(head, {})[tail] = value
    for path, value in more.items():
        head, tail = path.split("__")
        share.setdefault(head, {})[tail] = value
    data = {"share": share}
    complete(data)
    scenario = Scenario.model_validate(data)
    return scenario, assess(scenario, ruleset, as_of=DAY)


def power_answers(ruleset, frm) -> list[str]:
    scenario, decision = triaged(ruleset, "safeguarding_child", "serious_or_imminent", frm, "local_authority")
    assert decision.share_now
    items = [i for i in summarise(scenario, decision, ruleset).record_after if i.point == POWER_POINT]
    assert len(items) == 1
    return items[0].likely


def test_record_afterwards_offers_only_powers_this_discloser_may_use(repo_ruleset):
    """Practitioner review item 10: a hospital was offered a council's powers. Each likely answer
    that names powers is kept only when the catalogue's `who` opens one of them to the discloser."""
    for frm in ("nhs_trust", "school", "police", "local_authority"):
        for answer in power_answers(repo_ruleset, frm):
            named = recognised_powers(answer, repo_ruleset.powers)
            assert not named or any(not p.who or frm in p.who for p in named), (frm, answer)
    # Children Act 2004 s11 binds an NHS trust, not a school, whose own duty is Education Act 2002 s175.
    assert any("Children Act 2004" in a for a in power_answers(repo_ruleset, "nhs_trust"))
    assert not any("Children Act 2004" in a for a in power_answers(repo_ruleset, "school"))
    assert any("Education Act 2002" in a for a in power_answers(repo_ruleset, "school"))
    assert not any("Localism Act" in a for a in power_answers(repo_ruleset, "nhs_trust"))


def test_which_powers_fit_a_discloser_is_the_catalogues_data(tmp_path):
    """Take the NHS trust out of the `who` of Children Act 2004 ss10 and 11 and a hospital is no
    longer offered them; nothing about them is written in Python."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    before = power_answers(load_ruleset(target), "nhs_trust")
    assert any("Children Act 2004 s10 or s11" in a for a in before)
    for path in (target / "powers").glob("*.yaml"):
        data = yaml.safe_load(path.read_text())
        changed = False
        for power in data.get("powers", []):
            if power["id"] in ("CA2004-S10", "CA2004-S11"):
                power["who"] = [w for w in power["who"] if w != "nhs_trust"]
                changed = True
        if changed:
            path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    after = power_answers(load_ruleset(target), "nhs_trust")
    assert not any("Children Act 2004 s10 or s11" in a for a in after)
    assert any("Children Act 2004 s10 or s11" in a for a in power_answers(load_ruleset(target), "police"))


def test_every_item_to_record_or_complete_cites_its_own_provision(repo_ruleset):
    scenario, decision = triaged(repo_ruleset, "safeguarding_child", "serious_or_imminent", "nhs_trust", "local_authority")
    summary = summarise(scenario, decision, repo_ruleset)
    assert summary.record_after and summary.paperwork
    for item in summary.record_after + summary.paperwork:
        assert item.point and item.sources == sources(repo_ruleset.point(item.point).citations), item
    text = triage_text(scenario, decision, repo_ruleset)
    assert "(UK GDPR, Art 6(3); DPA 2018, s8)" in " ".join(text.split())  # the legal power point, in plain words
    # Why paperwork may wait is said once, with the urgent rule's own citations.
    ground = repo_ruleset.rule(decision.urgent_by)
    assert summary.why_sources == sources(ground.citations) and summary.why_sources in " ".join(text.split())


def test_the_heading_says_what_is_listed(repo_ruleset):
    """Item 10: the heading promised "the likely basis" above several points."""
    scenario, decision = triaged(repo_ruleset, "safeguarding_child", "serious_or_imminent", "police", "school")
    text = triage_text(scenario, decision, repo_ruleset)
    assert len(summarise(scenario, decision, repo_ruleset).record_after) > 1
    assert RECORD_HEADING + ":" in text and "the likely basis" not in text


@pytest.mark.parametrize("to", ["local_authority", "police", "icb"])
def test_a_child_at_significant_risk_referred_to_a_safeguarding_partner_is_told_to_refer_now(repo_ruleset, to):
    """DESIGN.md verdict semantics 5 and practitioner review item 1: a one-off referral of a child at
    significant risk to children's social care, the police or the ICB is not told to wait, even
    when neither party's signing of the protocol is known."""
    scenario, decision = triaged(repo_ruleset, "safeguarding_child", "significant", "school", to)
    text = triage_text(scenario, decision, repo_ruleset)
    assert decision.share_now and text.startswith("SHARE NOW")
    assert "NOT URGENT" not in text and "NEEDS AGREEMENT" not in text and "before sharing" not in text
    flat = " ".join(text.split())
    assert "what it needs to protect the child without delay" in flat  # the urgent rule's own words
    # Stating a fact never punishes honesty (semantics 6): saying it is one-off, or that the school
    # did sign the protocol, keeps it share now.
    for more in ({"frequency": "one_off"}, {"from": {"type": "school", "signatory": True}}):
        data = {**scenario_data(scenario)}
        data["share"] = {**data["share"], **more}
        stated = Scenario.model_validate(data)
        assert assess(stated, repo_ruleset, as_of=DAY).share_now, more


def scenario_data(scenario: Scenario) -> dict:
    return scenario.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude_none=True)


def test_a_child_at_significant_risk_with_the_recipient_not_known_is_told_what_would_make_it_urgent(repo_ruleset):
    scenario, decision = triaged(repo_ruleset, "safeguarding_child", "significant", "school", None)
    assert not decision.deferred
    notice = " ".join(not_urgent_text(repo_ruleset, scenario, decision).split())
    rule = repo_ruleset.rule("SG-URGENT-003")
    assert notice.startswith("NOT URGENT ON THESE ANSWERS, BUT IT MAY BE")
    assert rule.urgent_when in notice and "not known yet: who the recipient is" in notice
    assert "share now" in notice
    # Low risk: nothing unknown could make it urgent, so the notice says what the urgent path needs.
    scenario, decision = triaged(repo_ruleset, "safeguarding_child", "low", "school", "local_authority")
    assert not_urgent_text(repo_ruleset, scenario, decision).startswith("NOT URGENT ON THESE ANSWERS: the urgent path")


DOTTED = re.compile(r"\bshare\.[a-z_]+|\{|\}")
SNAKE = re.compile(r"(?<![\w./-])[a-z][a-z0-9]*(?:_[a-z0-9]+)+(?![\w-])")
RULE_ID = re.compile(r"(?<![\w-])[A-Z][A-Z0-9]*(?:-[A-Z0-9]+)+(?![\w-])")


def test_the_triage_speaks_plain_words_on_every_answer(repo_ruleset):
    """No field path, id, raw value or placeholder in what the triage itself says (the share-now
    answer and the not-urgent notice), over the triage's answers including "not sure"."""
    rule_ids = {r.id for r in repo_ruleset.rules}
    values = [None, "nhs_trust", "school", "police", "local_authority"]
    for purpose, risk, frm, to in itertools.product(
            [None, "safeguarding_child", "safeguarding_adult", "emergency_response"],
            [None, "serious_or_imminent", "significant", "low"], values, values):
        scenario, decision = triaged(repo_ruleset, purpose, risk, frm, to)
        if decision.share_now:
            said = triage_text(scenario, decision, repo_ruleset)
        elif not decision.deferred and decision.verdict != "deny":
            said = not_urgent_text(repo_ruleset, scenario, decision)
        else:
            continue  # held or deny: the decision as `isp check` prints it (tests/test_plain_words.py)
        flat = " ".join(said.split())
        assert not DOTTED.search(flat), flat
        assert not [p for p in FIELDS if p in flat], flat
        assert not SNAKE.findall(flat), SNAKE.findall(flat)
        assert not [m for m in RULE_ID.findall(flat) if m in rule_ids], flat


# --- from the triage to the full questions, the answers kept --------------------------------

def scripted(monkeypatch, answers: dict) -> list[str]:
    asked: list[str] = []

    def answer(question, number):
        asked.append(question.path)
        return answers.get(question.path, prompting.NOT_SURE)

    monkeypatch.setattr(prompting, "ask_question", answer)
    return asked


SIGNIFICANT_UNKNOWN_RECIPIENT = {"share.purpose.category": "safeguarding_child", "share.urgency.risk": "significant",
                                 "share.from.type": "school", "share.data.categories": ["identity", "health"]}


def test_not_urgent_goes_on_to_the_full_questions_without_asking_the_triage_again(monkeypatch):
    asked = scripted(monkeypatch, SIGNIFICANT_UNKNOWN_RECIPIENT)
    result = CliRunner().invoke(cli, ["triage"], input="y\n")
    assert result.exit_code == 0, result.output
    assert "NOT URGENT ON THESE ANSWERS, BUT IT MAY BE" in result.output
    assert "keeping your 4 answer(s)" in result.output
    triage, rest = asked[:5], asked[5:]
    assert triage == TRIAGE_PATHS
    assert rest, "the full questions were not asked"
    assert not set(rest) & set(SIGNIFICANT_UNKNOWN_RECIPIENT), rest  # what was answered is kept
    assert "share.to.type" in rest  # "not sure" at triage may be asked again
    assert "No further answer can change the verdict" in result.output


def test_going_on_reaches_the_urgent_answer_the_triage_could_not_give(monkeypatch):
    """The recipient named in the full questions makes it a referral to children's social care:
    share now, and nothing else is asked that urgency defers."""
    answers = dict(SIGNIFICANT_UNKNOWN_RECIPIENT)
    asked: list[str] = []

    def answer(question, number):
        asked.append(question.path)
        if len(asked) > 5 and question.path == "share.to.type":  # children's social care, named at last
            return "local_authority"
        return answers.get(question.path, prompting.NOT_SURE)

    monkeypatch.setattr(prompting, "ask_question", answer)
    result = CliRunner().invoke(cli, ["triage"], input="yes\n")
    assert result.exit_code == 0, result.output
    tail = result.output.split("No further answer can change the verdict")[1]
    assert "Urgent: share now" in " ".join(tail.split())


def test_declining_or_ending_the_input_keeps_the_triage_answer(monkeypatch, tmp_path):
    asked = scripted(monkeypatch, SIGNIFICANT_UNKNOWN_RECIPIENT)
    result = CliRunner().invoke(cli, ["triage"], input="")  # end of input at "go on?": the answer stands
    assert result.exit_code == 0, result.output
    assert asked == TRIAGE_PATHS and "NOT URGENT ON THESE ANSWERS" in result.output
    asked = scripted(monkeypatch, SIGNIFICANT_UNKNOWN_RECIPIENT)
    reg = tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["triage", "--record", "--by", "DSL", "--no-case-ref", "--register", str(reg)],
                                input="n\nSt Hilda's School\nNorth Yorkshire Council\n")
    assert result.exit_code == 0, result.output
    assert asked == TRIAGE_PATHS  # nothing more was asked
    assert "needs-agreement" in CliRunner().invoke(cli, ["log", "--register", str(reg)]).output  # the triage's decision


def test_urgent_or_deny_never_offers_the_full_questions_first():
    result = CliRunner().invoke(cli, ["triage"], input="1\n1\n5\n12\n1,2\n")
    assert "SHARE NOW" in result.output and "Go on to the full questions" not in result.output


def test_the_full_questions_after_triage_never_put_an_answered_question_again(repo_ruleset):
    """The library path both terminal and tests use: whatever order the questionnaire names,
    a field the triage settled is kept, and "not sure" ones may be asked."""
    data: dict = {"share": {}}
    run_triage(repo_ruleset, data, lambda q, n: SIGNIFICANT_UNKNOWN_RECIPIENT.get(q.path, prompting.NOT_SURE))
    asked: list[str] = []
    numbers: list[int] = []

    def answer(question, number):
        asked.append(question.path)
        numbers.append(number)
        return prompting.NOT_SURE

    _, _, count = continue_questions(repo_ruleset, data, answer)
    assert asked and count == len(asked) and numbers == list(range(1, count + 1))
    assert not set(asked) & set(SIGNIFICANT_UNKNOWN_RECIPIENT), asked
    for path, value in SIGNIFICANT_UNKNOWN_RECIPIENT.items():  # and the answers are still there
        head, *rest = path.split(".")[1:]
        assert data["share"][head][rest[0]] == value


def test_a_partner_named_in_the_start_file_is_not_asked_about_and_is_named(repo_ruleset):
    ruleset = repo_ruleset
    from isp_rules.guided.answers import NOT_SURE
    from isp_rules.guided.triage import run_triage, summarise

    asked: list[str] = []

    def ask(question, number):
        asked.append(question.path)
        return NOT_SURE

    data = {"as_of": "2026-12-01", "share": {"from": {"partner": "north-yorkshire-police"},
                                             "to": {"partner": "harrogate-valley-school"}}}
    scenario, decision = run_triage(ruleset, data, ask, started=True)
    assert "share.from.type" not in asked and "share.to.type" not in asked
    assert summarise(scenario, decision, ruleset).share_with.startswith("Harrogate Valley")
