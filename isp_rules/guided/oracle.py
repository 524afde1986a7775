"""Answering the questionnaire from a scenario's stated facts: the measure of how many questions
a practitioner needs (benchmarks/questions.py) and the check that the questions reach the same
verdict as the whole scenario (tests/guided).

The oracle answers as a practitioner who knows exactly what the scenario states: a question about
a field the scenario leaves unset is "not sure" (but the recipient's location, which the format
reads as GB when left out, is GB); a proposed lawful basis is confirmed only if the
scenario states every answer it would give (a legal power counts as the same when the catalogue
recognises the same powers in both), or its Art 6 basis alone when the scenario states that
basis; a confirmation of usual good practice only if the scenario states exactly the answers it
gives; in a checklist, every statement whose answers the scenario states; a directory partner is chosen when the scenario names one, or describes a party by a
name, type and signatory status the directory holds for one of its partners (a practitioner
picks their own organisation from the list), else an organisation not in the list of the
stated kind.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..assessment import assess
from ..decision import Decision
from ..dotted import get_path
from ..facts import recognised_powers
from ..ruleset import Ruleset
from ..scenario import Scenario
from ..vocabulary import PARTY_DEFAULTS
from .answers import NOT_SURE
from .asking import (
    CONFIRM_NO,
    FOLLOWS_PATH,
    OTHER_KIND,
    OTHER_PARTNER,
    POWER_PATH,
    PROPOSAL_BASIS_ONLY,
    PROPOSAL_NO,
    PROPOSAL_OTHER_LAW,
    PROPOSAL_YES,
    agreement_settles,
    apply_answer,
    ask_until_settled,
    checklist,
    confirmation,
    page_of,
    question_for,
    still_to_ask,
    with_partner_types,
)
from .proposals import CHECKLIST_PREFIX, CONFIRM_PREFIX, PROPOSAL_PATH, proposal_for
from .questions import Question

__all__ = ["Walk", "oracle_answer", "walk", "walk_pages"]


@dataclass
class Walk:
    """One questionnaire answered from one scenario."""

    asked: list[str] = field(default_factory=list)
    decision: Decision | None = None
    expected: Decision | None = None

    @property
    def count(self) -> int:
        return len(self.asked)

    @property
    def agrees(self) -> bool:
        assert self.decision is not None and self.expected is not None
        return self.decision.verdict == self.expected.verdict


def _same_power(ruleset: Ruleset, stated: str | None, proposed: str | None) -> bool:
    """Whether the stated legal power is the proposed one: the catalogue recognises the same powers
    in both. (A scenario citing more powers than the proposal is not confirmed: confirming would
    drop the others, which rules may test, e.g. a Clare's law request beside the police's common
    law power.)"""
    if stated is None or proposed is None:
        return False
    mine, theirs = ({p.label for p in recognised_powers(text, ruleset.powers)} for text in (stated, proposed))
    return bool(theirs) and theirs == mine


def _listed_partner(ruleset: Ruleset, stated: dict[str, Any], party: str) -> str | None:
    """The directory partner a practitioner would pick for a party the scenario describes by name:
    one whose name the scenario's name contains, of the stated type, whose signatory status on
    the day of the share is the stated one, and with no stated fact the directory would contradict."""
    from ..directory import load_directory

    given = get_path(stated, f"share.{party}") or {}
    name = str(given.get("name") or "").casefold()
    if not name:
        return None
    day = dt.date.fromisoformat(stated["as_of"]) if stated.get("as_of") else dt.date.today()
    for partner in load_directory(ruleset.source).partners:
        if partner.name.casefold() not in name or given.get("type") != partner.type:
            continue
        if "signatory" in given and given["signatory"] != (partner.status_on(day) == "signatory"):
            continue
        public, competent = PARTY_DEFAULTS[partner.type]  # what the directory implies unless it says otherwise
        implied = {"public_authority": public if partner.public_authority is None else partner.public_authority,
                   "competent_authority": competent if partner.competent_authority is None else partner.competent_authority,
                   "nation": partner.nation}
        if any(key in given and value is not None and given[key] != value for key, value in implied.items()):
            continue
        return partner.id
    return None


def _follows(ruleset: Ruleset, stated: dict[str, Any], data: dict[str, Any]) -> Any:
    """Whether the share is made as the chosen agreement sets out, as a practitioner who knows the
    stated facts answers: No when a stated fact differs from what the agreement settles (whatever
    the scenario claims), Yes when the scenario says so or states every settled fact as settled."""
    settled = agreement_settles(ruleset, str(get_path(data, "share.governance.agreement_id")))
    known = [(get_path(stated, path), value) for path, value in settled]
    if any(mine is not None and mine != value for mine, value in known):
        return False
    claimed = get_path(stated, FOLLOWS_PATH)
    if claimed is not None:
        return claimed
    return True if settled and all(mine == value for mine, value in known) else NOT_SURE


def oracle_answer(ruleset: Ruleset, stated: dict[str, Any], question: Question, data: dict[str, Any]) -> Any:
    """The answer a practitioner who knows exactly the `stated` facts gives to `question`."""
    if question.path == PROPOSAL_PATH:
        proposal = proposal_for(ruleset.source, with_partner_types(ruleset, data))
        if proposal is None:
            return NOT_SURE
        answers = proposal.answers(data)
        differ = {path for path, proposed in answers.items()
                  if not (_same_power(ruleset, get_path(stated, path), proposed) if path == POWER_PATH
                          else get_path(stated, path) == proposed)}
        if not differ:
            return PROPOSAL_YES
        if differ == {POWER_PATH} and get_path(stated, POWER_PATH) is not None:
            return PROPOSAL_OTHER_LAW  # the conditions as proposed, under the law the scenario names
        # the basis alone, when the scenario states exactly that basis
        same_basis = get_path(stated, "share.basis.article_6") == proposal.basis["article_6"]
        return PROPOSAL_BASIS_ONLY if same_basis else PROPOSAL_NO
    if question.path.startswith(CONFIRM_PREFIX):
        found = confirmation(ruleset, question.path)
        choice = get_path(stated, found.choose) if found is not None and found.choose is not None else True
        if found is None or found.choose is not None and choice not in found.options:
            return CONFIRM_NO
        same = all(get_path(stated, f) == v for f, v in found.answers(choice).items())
        return choice if same else CONFIRM_NO
    if question.path.startswith(CHECKLIST_PREFIX):
        listed = checklist(ruleset, question.path)
        items = [listed.item(i) for i in question.labels] if listed is not None else []
        ticked = [item.id for item in items
                  if item is not None and all(get_path(stated, f) == v for f, v in item.sets.items())]
        return ticked or NOT_SURE  # every statement the scenario states as true; the rest are asked on their own
    if question.path == FOLLOWS_PATH:
        return _follows(ruleset, stated, data)
    value: Any = get_path(stated, question.path)
    if question.then is not None:
        value = question.combined(stated)  # the value and its follow-up in one choice, when both are stated
    if question.path == "share.governance.agreement" and value is None:
        value = get_path(stated, "share.governance.agreement_id")  # an agreement named from the directory
    if question.path.endswith(".partner"):
        if value is None:
            value = _listed_partner(ruleset, stated, question.path.split(".")[1])
        kind = get_path(stated, question.path.removesuffix(".partner") + ".type")
        if value is None and OTHER_KIND + str(kind) in question.labels:
            value = OTHER_KIND + str(kind)  # not in the directory: chosen by its kind
        return value if value is not None else OTHER_PARTNER
    return NOT_SURE if value is None else value


def _stated(scenario: Scenario) -> dict[str, Any]:
    """What the scenario says, as a practitioner who knows the share would answer it: its stated
    fields, and where the format gives a left-out field a meaning, that meaning. The only such
    field is the recipient's location (GB unless stated, spec/scenario-format.md): a practitioner
    knows where the recipient is, so the scenario that leaves it out describes a recipient in the UK.
    (A scenario that describes no recipient at all is left as it is: who receives it is asked first.)"""
    stated = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"expect"})
    recipient = stated.get("share", {}).get("to")
    if isinstance(recipient, dict) and "location" not in recipient:
        recipient["location"] = scenario.share.to.location
    return stated


def walk(ruleset: Ruleset, scenario: Scenario) -> Walk:
    """Answer the questionnaire from the scenario's stated facts until it stops."""
    stated = _stated(scenario)
    data: dict[str, Any] = {"share": {}}
    if scenario.as_of is not None:
        data["as_of"] = stated["as_of"]
    result = Walk()

    def answer(question: Question, number: int) -> Any:
        result.asked.append(question.path)
        return oracle_answer(ruleset, stated, question, data)

    _, result.decision, _ = ask_until_settled(ruleset, data, answer)
    result.expected = assess(scenario, ruleset)
    return result


def walk_pages(ruleset: Ruleset, scenario: Scenario, size: int) -> tuple[int, int, Decision]:
    """The web form answered from the scenario: pages of at most `size` questions (asking.page_of),
    each answered whole before the next is worked out. Returns (pages, questions, decision)."""
    stated = _stated(scenario)
    data: dict[str, Any] = {"share": {}}
    if scenario.as_of is not None:
        data["as_of"] = stated["as_of"]
    asked: set[str] = set()
    pages = 0
    while True:
        _, decision, fields = still_to_ask(ruleset, data, asked)
        if not fields:
            return pages, len(asked), decision
        pages += 1
        for path in page_of(fields, size):
            question = question_for(ruleset, path, data)
            asked.add(path)
            if question is not None:
                apply_answer(ruleset, data, path, oracle_answer(ruleset, stated, question, data))
