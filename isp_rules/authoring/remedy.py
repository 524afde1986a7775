"""What would make it lawful: the fewest true changes that turn a deny or needs-agreement into allow.

A remedy is a small set of changes to the scenario's facts, each one something the practitioner
can make come true (send it securely, name the basis, complete the DPIA, agree the open points),
found by search and checked by deciding the changed scenario: every remedy returned gives allow.

Every field of the format is in one of three groups (HANDLES, with the reason for each group):

- controlled: the practitioner changes it by acting (how it is sent, what is shared, the basis
  relied on, paperwork done, consent sought). Offered first.
- world: a fact about the people, the organisations or the information (who the recipient is,
  whether it was given in confidence). Offered only when no controlled change is enough, and then
  labelled "only if this is true": the tool must never invite anyone to restate the case.
- fixed: the purpose, the urgency and risk, the kind of share, what was asked and when. Never
  changed: a different purpose or a higher risk would misstate the case (ICO data sharing code,
  "Fairness and transparency"; UK GDPR Art 5(1)(a)).

A remedy never stops stating a fact (DESIGN.md, verdict semantics 6: stating a fact never
punishes honesty, so leaving one out must never be what makes a share lawful), and never turns
a refusal into a consent or a stated fact into its opposite unless the field is in the world
group and the change is labelled.

The search: breadth first over one, two, then three changes, looking only at the fields the
rules and points that hold the share test, and the likely answers of the open points (an
agreed answer is paperwork the practitioner controls). The work is capped (BUDGET decisions),
so `isp check` stays quick.
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from pydantic import ValidationError

from ..assessment import assess
from ..decision import Decision
from ..dotted import get_path, set_path
from ..errors import IspError
from ..facts import FIELDS, SOURCES, power_words, recognised_powers
from ..labels import condition_value, value_words
from ..ruleset import All, Leaf, Ruleset, condition_fields
from ..scenario import Scenario, validate_scenario

__all__ = ["BUDGET", "GROUPS", "HANDLES", "Change", "Group", "Handle", "Remedy", "apply_remedy", "find_remedies",
           "remedies_json"]

Group = Literal["controlled", "world", "fixed"]

# Why each group is treated as it is: the legal reason, in a sentence.
GROUPS: dict[Group, str] = {
    "controlled": "The practitioner makes it true by acting: how the information is sent, how much is sent, the "
                  "lawful basis and power relied on and the paperwork done are the controller's own choices and "
                  "measures (UK GDPR Arts 5(1)(c), 5(1)(f), 6, 24 and 32; DPA 2018 s8 and Sch 1 Part 4).",
    "world": "A fact about the people, the organisations or the information, which acting cannot change: offered "
             "only as a last resort and only if it is true, since a decision resting on a wrong fact is no "
             "decision (UK GDPR Art 5(1)(a) and (d); ICO data sharing code, Accountability).",
    "fixed": "The purpose, the urgency, the kind of share and what happened: changing them would misstate the case "
             "(UK GDPR Art 5(1)(a) and (b); ICO data sharing code, Fairness and transparency), so no remedy touches "
             "them.",
}

NOT_STATED = object()  # the field's old value when the scenario leaves it out
BUDGET = 250  # decisions per search (each a few milliseconds): `isp check` and the decision page stay quick
WORLD_COST = 10  # a world change costs as much as ten controlled ones: a last resort
MAX_SINGLES = 60  # changes tried from any one state
MAX_STATES = 25  # states expanded at each depth, the most promising first
MAX_ALSO = 5  # alternatives listed with a remedy
SECURE_TRANSFERS = ("secure_email", "secure_portal", "api", "encrypted_media", "verbal", "post_sealed")
LESS_IDENTIFYING = ("identified", "pseudonymised", "anonymised", "aggregate")  # most to least
# Values as they read in "what to do" (where the labels, written as answers to a question, do not).
DO_WORDS: dict[str, dict[Any, str]] = {
    "share.data.identifiability": {"pseudonymised": "pseudonymised (the key kept back)", "anonymised": "anonymised",
                                   "aggregate": "as counts or statistics only"},
    "share.handling.transfer": {"secure_email": "secure email", "secure_portal": "a secure portal",
                                "api": "a system-to-system link (API)",
                                "encrypted_media": "an encrypted memory stick or disc, with the key sent separately",
                                "verbal": "phone or in person, with a written note of what was said",
                                "post_sealed": "sealed post to a named person"},
    "share.basis.article_6": {"consent": "consent (only if the person has a real choice and the share would not go "
                                         "ahead without it)"},
    "share.basis.article_9": {"explicit_consent": "the person's explicit consent (only if they have a real choice)"},
}
RETENTION_TEXT = "Kept only as long as the purpose needs, then securely deleted"


@dataclass(frozen=True)
class Handle:
    """How a remedy may change one field."""

    group: Group
    do: str = ""  # what to do, in plain words; {} is the new value in words
    targets: tuple[Any, ...] = ()  # values a controlled change may set
    world: tuple[Any, ...] = ()  # values a change may set only "if true" (world group; () with group world: any)
    only_from: tuple[Any, ...] | None = None  # old values it may change from (NOT_STATED included); None: any
    subset: bool = False  # a list that may only shrink (share less), never grow
    cost: int = 1  # how far it is from the share as planned: sending it securely costs less than anonymising it


def _h(group: Group, do: str = "", *targets: Any, world: tuple[Any, ...] = (), only_from: tuple[Any, ...] | None = None,
       subset: bool = False, cost: int = 1) -> Handle:
    return Handle(group, do, tuple(targets), world, only_from, subset, cost)


# Every scenario field a remedy may touch; a field not named here is fixed.
HANDLES: dict[str, Handle] = {
    # How it is sent and kept: the security principle (Art 5(1)(f), Art 32) is the controller's to meet.
    # A post on social media is publication, not a way of sending: making it secure email would
    # describe another share (to whom?), so only a way of sending is changed.
    "share.handling.transfer": _h("controlled", "Send it by {}.", *SECURE_TRANSFERS,
                                  only_from=(NOT_STATED, "unencrypted_email", "unencrypted_media", "fax")),
    "share.handling.retention": _h("controlled", "Say how long it is kept: {}.", RETENTION_TEXT, only_from=(NOT_STATED,)),
    "share.handling.international_mechanism": _h("controlled", "Put {} in place for the transfer abroad.",
                                                 "idta", "uk_addendum", "bcr", world=("adequacy",)),
    "share.handling.derogation": _h("world", "The exception relied on for the transfer abroad is {}."),
    # How much is sent: data minimisation (Art 5(1)(c)).
    "share.data.minimised": _h("controlled", "Share only what the recipient needs.", True),
    "share.data.categories": _h("controlled", "Leave out {}, if the recipient does not need it.", subset=True, cost=2),
    "share.data.subjects": _h("controlled", "Leave out the information about {}, if the recipient does not need it.",
                              subset=True, cost=2),
    "share.data.identifiability": _h("controlled", "Share it {} instead, if that still serves the purpose.",
                                     *LESS_IDENTIFYING[1:], cost=3),
    "share.data.volume": _h("world", "The share covers {}."),
    # The basis and power relied on: named by the controller, where they apply (Art 6(3), DPA 2018 s8).
    # Which bases and conditions may be offered to this discloser for this purpose: _lawful_here.
    "share.basis.article_6": _h("controlled", "Rely on {} as the lawful basis, if it applies, and record why."),
    "share.basis.legal_power": _h("controlled", "Name the law relied on as {}, if that is the law you rely on."),
    "share.basis.article_9": _h("controlled", "Name the condition for sensitive information (Art 9): {}, if it applies."),
    "share.basis.schedule_1": _h("controlled", "Name the Schedule 1 condition: {}, if it applies."),
    "share.basis.criminal_offence": _h("controlled", "Rely on {} for the offence information (Art 10), if it applies."),
    "share.basis.appropriate_policy_document": _h("controlled", "Put the appropriate policy document in place "
                                                  "(DPA 2018 Sch 1 Part 4).", True),
    "share.basis.part_3": _h("controlled", "Rely on this law-enforcement basis (DPA 2018 s35): {}, if it applies."),
    "share.basis.schedule_8": _h("controlled", "Name the Schedule 8 condition: {}, if it applies."),
    "share.basis.compatible_purpose": _h("world", "The new use is compatible with why it was collected.", True),
    # Whether a share is one of the authority's tasks is a fact about its functions, not a choice.
    "share.basis.outside_public_tasks": _h("world", "The share is not part of the discloser's tasks as a public "
                                                    "authority.", True),
    # The duty of confidence is met by consent, a legal requirement or an overriding public interest.
    # Only consent is in the practitioner's hands (they can ask; _lawful_here keeps a refusal standing).
    # Whether a law requires the disclosure, or the public interest overrides the person's, is a
    # judgment on facts (the risk, the power) that no remedy may restate; implied consent rests on
    # the person's reasonable expectations in direct care, also a fact (ICO data sharing code,
    # "Lawfulness"; Department of Health, Confidentiality: NHS Code of Practice 2003, Annex B;
    # W v Egdell [1990] Ch 359 on the public interest test).
    "share.confidentiality": _h("controlled", "Meet the duty of confidence by {}, if it applies.", "consent"),
    # Consent sought: the practitioner can ask, but a refusal or a withdrawal stands (Art 7(3)).
    "share.consent.status": _h("controlled", "Ask the person for their consent: this works only if they agree.",
                               "given", only_from=(NOT_STATED, "not_sought"), cost=2),
    "share.consent.reason_not_sought": _h("world", "The person was not asked because {}."),
    "share.consent.covers": _h("world", "The person's agreement covers {}."),
    "share.consent.given_by": _h("world", "The agreement was given by {}."),
    "share.consent.as_good_practice": _h("world", "The person's agreement was sought only as good practice.", True),
    "share.person.capacity": _h("world", "The person's capacity to decide: {}."),
    # The paperwork: accountability (Art 5(2)), agreements, DPIA (Art 35), notices (Arts 13-14).
    "share.governance.agreement": _h("controlled", "Put an information sharing agreement in place.", "in_place"),
    "share.governance.agreement_covers_purpose": _h("controlled", "Make sure the agreement covers this purpose.", True),
    "share.governance.follows_agreement": _h("controlled", "Make the share exactly as the agreement sets out.", True),
    "share.governance.dpia": _h("controlled", "Complete a data protection impact assessment (DPIA).", "done",
                                world=("not_required",)),
    "share.governance.joint_controller_arrangement": _h("controlled", "Put the joint controller arrangement in place "
                                                        "(Art 26).", True),
    "share.governance.processor_contract": _h("controlled", "Put a processor contract in place (Art 28).", True),
    "share.governance.privacy_notice": _h("controlled", "Update the privacy notice so that it covers this share.",
                                          "covers", world=("exempt",)),
    "share.governance.agreement_review_date": _h("controlled", "Review the agreement and set its next review date ({})."),
    "share.governance.ico_consulted": _h("controlled", "Consult the ICO before sharing (Art 36).", True),
    "share.governance.national_data_opt_out_applied": _h("controlled", "Apply the national data opt-out first.", True),
    "share.governance.dpia_residual_high_risk": _h("world", "The DPIA left no high risk unreduced.", False),
    # What the requester can be asked to do.
    "share.request.in_writing": _h("controlled", "Ask for the request in writing.", True),
    "share.request.states_public_task": _h("controlled", "Ask the requester to say which public task it needs it for.", True),
    # The organisations: signing the protocol is paperwork. Who discloses and who receives, and what
    # kind of body each is, is the case itself and fixed: no one can become another body.
    "share.from.signatory": _h("controlled", "Your organisation signs the protocol.", True, cost=2),
    "share.to.signatory": _h("controlled", "The recipient signs the protocol.", True, cost=2),
}
# Fixed though a practitioner states them (no entry above): whether the information was given in
# confidence, since the duty arises from how it was given (Coco v A N Clark [1969] RPC 41) and saying
# otherwise would restate the case; and the Annex 1 and Annex 2 conditions
# (UK GDPR Art 6(1)(ea), Art 8A(3)(d)) describe the purpose, which is the case; never offered
# (national security for a safeguarding referral would misstate it).

# Consent relied on as a basis or condition costs more: a last resort (ICO guidance on consent:
# "consent is one lawful basis... it is not always the most appropriate", and seldom for a public body).
VALUE_COST: dict[tuple[str, Any], int] = {("share.basis.article_6", "consent"): 4,
                                          ("share.basis.article_9", "explicit_consent"): 4,
                                          ("share.basis.schedule_1", "consent"): 4}
# Purposes that statistics or anonymised information can serve; anonymising is never offered for a
# share about a named person for that person's case (a child protection file, a referral, an
# address): it would defeat the purpose (ICO anonymisation guidance, "Is anonymisation appropriate").
STATISTICAL_PURPOSES = ("research_statistics", "planning_commissioning", "public_health")
# Purposes for which consent is not offered as the basis: the person cannot refuse without the share
# going ahead anyway (ICO data sharing code, "Lawful basis": consent; HM Government, Information
# sharing advice 2024: consent is not the basis for safeguarding sharing).
NO_CONSENT_BASIS = ("safeguarding_child", "safeguarding_adult", "prevent_detect_crime", "law_enforcement",
                    "emergency_response")
# Art 9(2) conditions and DPA 2018 Sch 1 conditions, and the purposes each may be offered for
# (None: any purpose but marketing or a sale). A condition missing here is never offered: it
# describes a particular situation (employment law, insurance, pensions, counselling, elected
# representatives' casework, information the person made public) which is a fact, not a choice.
CONDITION_PURPOSES: dict[tuple[str, Any], tuple[str, ...] | None] = {
    ("share.basis.article_9", "substantial_public_interest"): None,
    ("share.basis.article_9", "employment_social_protection"): None,
    ("share.basis.article_9", "health_social_care"): ("direct_care", "planning_commissioning"),
    ("share.basis.article_9", "public_health"): ("public_health",),
    ("share.basis.article_9", "archiving_research"): ("research_statistics",),
    ("share.basis.article_9", "legal_claims"): ("legal_proceedings",),
    ("share.basis.article_9", "vital_interests"): None,  # and only at serious risk: _lawful_here
    ("share.basis.article_9", "explicit_consent"): None,  # and as consent: _lawful_here
    ("share.basis.article_9", "not_for_profit"): None,  # and only for a charity: _lawful_here
    ("share.basis.schedule_1", "statutory_purposes"): None,  # a function given by law: public bodies only
    ("share.basis.schedule_1", "health_social_care_purposes"): ("direct_care", "planning_commissioning"),
    ("share.basis.schedule_1", "public_health"): ("public_health",),
    ("share.basis.schedule_1", "research"): ("research_statistics",),
    ("share.basis.schedule_1", "safeguarding"): ("safeguarding_child", "safeguarding_adult"),
    ("share.basis.schedule_1", "safeguarding_economic_wellbeing"): ("safeguarding_adult",),
    ("share.basis.schedule_1", "preventing_unlawful_acts"): ("prevent_detect_crime", "law_enforcement"),
    ("share.basis.schedule_1", "preventing_fraud"): ("fraud_prevention",),
    ("share.basis.schedule_1", "administration_of_justice"): ("legal_proceedings",),
    ("share.basis.schedule_1", "legal_claims"): ("legal_proceedings",),
    ("share.basis.schedule_1", "judicial_acts"): ("legal_proceedings",),
    ("share.basis.schedule_1", "vital_interests"): None,
    ("share.basis.schedule_1", "consent"): None,
}
COMMERCIAL = ("marketing", "commercial_sale")
# Fields a directory agreement named by the scenario (`agreement: ID`) decides: the remedy never
# replaces the named agreement with a generic one, which would hide why it does not serve (an
# overdue review, another purpose). Reviewing or changing the agreement is the partners' work.
NAMED_AGREEMENT_DECIDES = ("share.governance.agreement", "share.governance.agreement_covers_purpose",
                           "share.governance.follows_agreement", "share.governance.agreement_review_date")


def handle(path: str) -> Handle:
    """How a remedy may change the field: fixed unless HANDLES says otherwise."""
    return HANDLES.get(path, Handle("fixed"))


@dataclass(frozen=True)
class Change:
    """One changed fact: the field (path, for JSON), its old and new values, and what to do."""

    field: str
    old: Any  # None: not stated
    new: Any
    group: Group
    words: str  # what to do, in plain words

    def to_json(self) -> dict[str, Any]:
        return {"field": self.field, "old": _json_value(self.old), "new": _json_value(self.new), "group": self.group,
                "words": self.words}


@dataclass(frozen=True)
class Remedy:
    """Changes that together give allow, the findings they clear, and what to do."""

    changes: tuple[Change, ...]
    rules: tuple[str, ...]  # the deny and open rules (ids) that no longer hold the share
    points: tuple[str, ...]  # the open agreement points (ids) it settles
    satisfies: tuple[str, ...]  # the same, in plain words: rule titles and point questions
    cost: int
    grounds: tuple[str, ...] = ()  # the grounds (titles) the changed share newly rests on
    also: tuple[str, ...] = ()  # other ways of making the same change (another secure route), in plain words

    @property
    def only_if_true(self) -> bool:
        """It changes a fact about the world: offered only if that is the truth."""
        return any(c.group == "world" for c in self.changes)

    @property
    def todo(self) -> list[str]:
        return [c.words for c in self.changes]

    def to_json(self) -> dict[str, Any]:
        return {"changes": [c.to_json() for c in self.changes], "todo": self.todo, "only_if_true": self.only_if_true,
                "rules": list(self.rules), "points": list(self.points), "satisfies": list(self.satisfies),
                "grounds": list(self.grounds), "also": list(self.also)}


def remedies_json(remedies: Sequence[Remedy]) -> list[dict[str, Any]]:
    return [r.to_json() for r in remedies]


def _json_value(value: Any) -> Any:
    return value.isoformat() if isinstance(value, dt.date) else value


# --- the moves ---------------------------------------------------------------------------

@dataclass(frozen=True)
class _Move:
    changes: tuple[Change, ...]

    @property
    def key(self) -> frozenset[tuple[str, str]]:
        return _key(self.changes)

    @property
    def fields(self) -> frozenset[str]:
        return frozenset(c.field for c in self.changes)

    @property
    def cost(self) -> int:
        return sum(_change_cost(c) for c in self.changes)


def _change_cost(c: Change) -> int:
    if c.group == "world":
        return WORLD_COST
    return VALUE_COST.get((c.field, c.new), handle(c.field).cost) if isinstance(c.new, str) else handle(c.field).cost


def _key(changes: Iterable[Change]) -> frozenset[tuple[str, str]]:
    """Changes as a set (their values may be lists, which do not hash)."""
    return frozenset((c.field, repr(c.new)) for c in changes)


def _words(path: str, h: Handle, new: Any, old: Any) -> str:
    if h.subset:
        gone = value_words(path, [v for v in old if v not in new])
        if gone[:1].isupper() and not gone[1:2].isupper():  # mid-sentence: "about a child", not "about A child"
            gone = gone[0].lower() + gone[1:]
        return h.do.format(gone)
    if "{}" not in h.do:
        return h.do
    if isinstance(new, dt.date):
        shown = new.isoformat()
    elif isinstance(new, bool):
        shown = value_words(path, new)
    elif path == "share.basis.legal_power" or path == "share.handling.retention":
        shown = str(new)
    elif new in DO_WORDS.get(path, {}):
        shown = DO_WORDS[path][new]
    else:
        shown = condition_value(path, new)
    return h.do.format(shown)


def _change(path: str, old: Any, new: Any) -> Change | None:
    """The change of one field to `new`, or None when a remedy may not make it."""
    h = handle(path)
    if h.group == "fixed" or new is None or new == old:
        return None  # never stop stating a fact, never touch a fixed one
    was = NOT_STATED if old is None else old
    if h.only_from is not None and not any(was is x or was == x for x in h.only_from):
        return None
    if h.subset:
        if not isinstance(old, list) or not isinstance(new, list) or not new or not set(new) < set(old):
            return None  # share less, never more, and never nothing
        group: Group = "controlled"
    elif h.group == "controlled" and (not h.targets or new in h.targets):
        group = "controlled"
    elif new in h.world or (h.group == "world" and (not h.targets or new in h.targets)):
        group = "world"
    else:
        return None
    if path == "share.data.identifiability" and old in LESS_IDENTIFYING and new in LESS_IDENTIFYING \
            and LESS_IDENTIFYING.index(new) <= LESS_IDENTIFYING.index(old):
        return None  # only ever less identifying
    return Change(path, old, new, group, _words(path, h, new, old))


def _candidates(path: str, old: Any, day: dt.date, scenario: Scenario, ruleset: Ruleset, world: bool) -> list[Any]:
    """The values worth trying for one field."""
    h = handle(path)
    spec = FIELDS.get(path)
    if h.group == "fixed" or spec is None or (h.group == "world" and not world):
        return []
    if h.subset:
        if not isinstance(old, list) or len(old) < 2:
            return []
        out = [[v for v in old if v != gone] for gone in old]
        if path == "share.data.categories":  # leave out everything sensitive at once
            from ..vocabulary import SPECIAL_CATEGORIES

            kept = [v for v in old if v not in SPECIAL_CATEGORIES and v != "criminal_offence"]
            if kept and len(kept) < len(old) - 1:
                out.append(kept)
        return out
    values: list[Any]
    if path == "share.basis.legal_power":
        # Only a closer reading of a power named that the catalogue does not recognise (a slip of
        # the pen): a power it recognises, held not to cover this share, is never swapped for another.
        values = [v for v in _close_powers(ruleset, old) if _same_provisions(old, v)] if isinstance(old, str) \
            and not recognised_powers(old, ruleset.powers) else []
        values = [v for v in values if _power_fits(v, scenario, ruleset, day)]
    elif path == "share.governance.agreement_review_date":
        # reviewed now, next due in a year (or on the calendar's last day, for a share dated in 9999)
        values = [day + dt.timedelta(days=365) if (dt.date.max - day).days >= 365 else dt.date.max]
    elif spec.kind == "bool":
        values = list(h.targets) or [True, False]
        if world:
            values += [v for v in (h.world or ()) if v not in values]
    elif spec.kind in ("enum", "text"):
        values = list(h.targets) if h.targets else list(spec.values)
        if world:
            values += [v for v in (h.world or (spec.values if h.group == "world" else ())) if v not in values]
    else:
        values = []
    return [v for v in values if v != old]


def _lawful_here(c: Change, scenario: Scenario) -> bool:
    """Whether the change is advice a practitioner could truthfully act on for this discloser and
    purpose: the law's limits on who may rely on what, and the facts no remedy may restate."""
    share = scenario.share
    public = share.from_.effective("public_authority")
    purpose = share.purpose.category
    serious = share.urgency.risk == "serious_or_imminent"
    # Consent is asked for, never assumed: not where it was refused or withdrawn (Art 7(3)), nor
    # where the scenario says why it was not sought (asking would put someone at risk, or cannot be done).
    refused = share.consent.status in ("refused", "withdrawn") or share.consent.reason_not_sought is not None
    consent_basis = not refused and public is False and purpose not in NO_CONSENT_BASIS
    field, new = c.field, c.new
    if field in NAMED_AGREEMENT_DECIDES and share.governance.agreement_id is not None:
        return False
    if field == "share.basis.article_6":
        if new in ("legitimate_interests", "recognised_legitimate_interest"):
            # Art 6(1) closing words: not for a public authority performing its tasks (nor one not known to be private).
            return public is False
        if new == "consent":  # an imbalance of power: not offered to public bodies (ICO, "When is consent appropriate")
            return consent_basis
        if new == "vital_interests":  # Recital 46: a threat to life, and only where no other basis fits
            return serious
        if new == "contract":  # a contract with the person is a fact, not a choice
            return False
        if new == "public_task":  # a private body has a public task only when the law gives it one (Art 6(3))
            return public is not False or share.basis.legal_power is not None
        return True
    if field in ("share.basis.article_9", "share.basis.schedule_1"):
        if (field, new) not in CONDITION_PURPOSES:
            return False
        fits = CONDITION_PURPOSES[(field, new)]
        if (fits is None and purpose in COMMERCIAL) or (fits is not None and purpose not in fits):
            return False
        if new in ("explicit_consent", "consent"):
            return consent_basis
        if new == "vital_interests":
            return serious
        if new == "not_for_profit":  # Art 9(2)(d): a not-for-profit body, about its own members
            return share.from_.type == "charity"
        if new == "statutory_purposes":  # Sch 1 para 6: a function conferred by law
            return public is True
        if new == "employment_social_protection":  # Art 9(2)(b): about work (a referral about staff)
            return "employment" in (share.data.categories or ()) or "staff" in (share.data.subjects or ())
        if field == "share.basis.schedule_1" and new in ("consent", "vital_interests", "legal_claims", "judicial_acts"):
            # DPA 2018 Sch 1 Part 3 (paras 29-33): for criminal offence information only (s10(5))
            return "criminal_offence" in (share.data.categories or ())
        return True
    if field == "share.basis.part_3":  # DPA 2018 s31 and s35: competent authorities, law-enforcement purposes
        return (share.from_.effective("competent_authority") is True and new == "law_enforcement_task"
                and purpose in ("law_enforcement", "prevent_detect_crime"))
    if field == "share.basis.schedule_8":
        return new != "personal_data_already_public" and (new != "protecting_vital_interests" or serious)
    if field == "share.basis.criminal_offence":  # Art 10: "under the control of official authority"
        return new != "official_authority" or public is True
    if field == "share.confidentiality":
        return not refused
    if field == "share.consent.status":
        return not refused
    if field == "share.data.identifiability":
        return purpose in STATISTICAL_PURPOSES and share.data.volume != "individual"
    if field == "share.basis.legal_power":
        return isinstance(new, str)
    return True


def _power_fits(text: str, scenario: Scenario, ruleset: Ruleset, day: dt.date) -> bool:
    """Whether a power named in a likely answer fits the share, by the catalogue's `who` (which
    disclosers may use it, as triage reads it) and `purposes` (the share purposes it serves: Care
    Act 2014 powers are for adults' care and safeguarding, not for police intelligence or a coroner).
    An answer naming no power of the catalogue (how long it is kept) fits."""
    named = recognised_powers(text, ruleset.powers)
    if not named:
        return True
    discloser, purpose = scenario.share.from_.type, scenario.share.purpose.category
    return any(p.in_force_on(day) and (not p.who or discloser is None or discloser in p.who)
               and (not p.purposes or purpose in p.purposes) for p in named)


_PROVISION = re.compile(r" (?:s|sch|para|reg|art|r) ([0-9]+[a-z]{0,2})(?= )")


def _same_provisions(named: str, suggested: str) -> bool:
    """Whether a close match reads the same provision as the one named (the Act's name misspelt or
    shortened): another section of the same Act is another law, never a slip of the pen (third check
    on unseen shares, 8 December 2026: reg 6 was 'fixed' to reg 9, s512ZB to s436A)."""
    mine = set(_PROVISION.findall(power_words(named)))
    return not mine or mine <= set(_PROVISION.findall(power_words(suggested)))


def _close_powers(ruleset: Ruleset, text: str) -> tuple[str, ...]:
    """The catalogue's close matches for a power named (remembered: the same text comes again and again)."""
    key = (ruleset.sha256, text)
    if key not in _CLOSE:
        if len(_CLOSE) > 1024:
            _CLOSE.clear()
        _CLOSE[key] = tuple(ruleset.power_suggestions(text))
    return _CLOSE[key]


_CLOSE: dict[tuple[str, str], tuple[str, ...]] = {}


def _relevant_fields(decision: Decision, ruleset: Ruleset) -> list[str]:
    """The scenario fields the rules and points holding the share test: only these can free it."""
    conds: list[Any] = []
    found: list[str] = []
    by_id = {r.id: r for r in ruleset.rules}
    for reason in decision.reasons:
        if reason.effect in ("deny", "open") and reason.rule in by_id:
            conds.append(by_id[reason.rule].when)
    for op in decision.open_points:
        found += op.waits_for + op.held_by
        conds += [by_id[r].when for r in op.rules if r in by_id]
        point = ruleset.point(op.id)
        found += list(point.settled_by)
        conds += [ruleset.settlement(s).when for s in point.settled_if]
        if point.applies_when is not None:
            conds.append(point.applies_when)
        if point.high_risk:
            conds += [t.when for t in ruleset.triggers]
    for cond in conds:
        for f in sorted(condition_fields(cond)):
            found += list(SOURCES.get(f, (f,)))
    return [f for f in dict.fromkeys(found) if f in FIELDS and handle(f).group != "fixed"]


def _answer_moves(decision: Decision, ruleset: Ruleset, data: dict[str, Any]) -> list[_Move]:
    """Agreeing an open point: each likely answer that fits and says what it sets."""
    moves = []
    for op in decision.open_points:
        point = ruleset.point(op.id)
        for answer in point.likely_answers:
            if not answer.sets or answer.text not in op.likely_answers:
                continue
            changes = []
            for path, value in answer.sets.items():
                old = get_path(data, path)
                if value == old:
                    continue
                change = _change(path, old, value)
                if change is None:
                    break
                changes.append(change)
            else:
                if changes:
                    moves.append(_Move(tuple(changes)))
    return moves


def _settlement_moves(decision: Decision, ruleset: Ruleset, data: dict[str, Any]) -> list[_Move]:
    """Settling an open point as its settlement says (an agreement in place that covers the
    purpose, say): every fact the settlement needs, made true together."""
    moves = []
    for op in decision.open_points:
        for sid in ruleset.point(op.id).settled_if:
            wanted = _equals(ruleset.settlement(sid).when)
            if not wanted:
                continue
            changes = [_change(path, get_path(data, path), value) for path, value in wanted
                       if get_path(data, path) != value]
            if changes and all(c is not None for c in changes):
                moves.append(_Move(tuple(c for c in changes if c is not None)))
    return moves


def _equals(cond: Any) -> list[tuple[str, Any]]:
    """The (field, value) pairs of a condition that is one equals test or all of several; [] otherwise."""
    if isinstance(cond, Leaf):
        return [(cond.field, cond.value)] if cond.op == "equals" and cond.field in HANDLES else []
    if isinstance(cond, All):
        parts = [_equals(item) for item in cond.items]
        return [p for part in parts for p in part] if all(parts) else []
    return []


def _blockers(d: Decision) -> frozenset[str]:
    return frozenset([f"rule:{r.rule}" for r in d.reasons if r.effect == "deny"] + [f"point:{p.id}" for p in d.open_points])


def apply_remedy(scenario: Scenario, changes: Iterable[Change]) -> Scenario:
    """The scenario with the changes made (raises pydantic's ValidationError for a combination the
    format forbids)."""
    data = scenario.model_dump(mode="python", by_alias=True, exclude_none=True)
    for c in changes:
        set_path(data, c.field, c.new)
    out = validate_scenario(data)
    # keep where it came from, so problems found later are still located
    out._source, out._lines = scenario._source, scenario._lines
    return out


class _Search:
    def __init__(self, scenario: Scenario, ruleset: Ruleset, as_of: dt.date | None, budget: int):
        self.scenario = scenario
        self.ruleset = ruleset
        self.as_of = as_of
        self.left = budget
        self.seen: dict[frozenset[tuple[str, str]], Decision | None] = {}

    def decide(self, changes: tuple[Change, ...], *, beyond_budget: bool = False) -> Decision | None:
        key = _key(changes)
        if key in self.seen:
            return self.seen[key]
        if self.left <= 0 and not beyond_budget:
            return None
        self.left -= 1
        try:
            decision: Decision | None = assess(apply_remedy(self.scenario, changes), self.ruleset, as_of=self.as_of)
        except (ValidationError, IspError):  # a combination the format or the directory refuses
            decision = None
        self.seen[key] = decision
        return decision


def find_remedies(scenario: Scenario, ruleset: Ruleset, decision: Decision | None = None, *,
                  as_of: dt.date | None = None, budget: int = BUDGET, limit: int = 3) -> list[Remedy]:
    """Up to `limit` remedies for a deny or needs-agreement decision, fewest and most in the
    practitioner's hands first; [] for an allow, or when none is found within the budget."""
    decision = decision or assess(scenario, ruleset, as_of=as_of)
    if decision.verdict == "allow":
        return []
    search = _Search(scenario, ruleset, as_of, budget)
    found = _find(search, decision, world=False, limit=limit)
    if not found:  # a last resort: facts about the world, each labelled "only if true"
        found = _find(search, decision, world=True, limit=limit)
    return found


def _moves(decision: Decision, search: _Search, data: dict[str, Any], world: bool) -> list[_Move]:
    """The next changes worth trying from a decision: each field the findings holding it test,
    and each way of agreeing or settling its open points, cheapest first."""
    scenario, ruleset = search.scenario, search.ruleset
    day = search.as_of or scenario.as_of or dt.date.today()
    out: list[_Move] = []
    for path in _relevant_fields(decision, ruleset):
        old = get_path(data, path)
        values = _candidates(path, old, day, scenario, ruleset, world) + [
            t for t in _answer_texts(decision, ruleset, path, old) if _power_fits(t, scenario, ruleset, day)]
        for value in values:
            change = _change(path, old, value)
            if change is not None and (world or change.group == "controlled") and _lawful_here(change, scenario):
                out.append(_Move((change,)))
    joint = _answer_moves(decision, ruleset, data) + _settlement_moves(decision, ruleset, data)
    out += [m for m in joint if (world or all(c.group == "controlled" for c in m.changes))
            and all(_lawful_here(c, scenario) for c in m.changes)]
    return sorted({m.key: m for m in out}.values(), key=lambda m: m.cost)[:MAX_SINGLES]


def _answer_texts(decision: Decision, ruleset: Ruleset, path: str, old: Any) -> list[str]:
    """For a text field an open point waits for (the power relied on, how long it is kept): the
    point's own likely answers that fit this share, as the words to state. Never replaces a text
    already stated."""
    if old is not None or FIELDS[path].kind != "text":
        return []
    return [a.text for op in decision.open_points if path in ruleset.point(op.id).settled_by
            for a in ruleset.point(op.id).likely_answers if not a.sets and a.text in op.likely_answers]


def _find(search: _Search, decision: Decision, world: bool, limit: int) -> list[Remedy]:
    """Breadth first: every one-change remedy, then two, then three. A state is expanded by the
    fields its own findings test, so a change that opens the next question (an agreement in place
    that must also cover the purpose) leads to the change that answers it."""
    base = search.scenario.model_dump(mode="python", by_alias=True, exclude_none=True)
    results: list[tuple[_Move, Decision]] = []
    # (changes so far, the decision they give)
    level: list[tuple[tuple[Change, ...], Decision]] = [((), decision)]
    for _depth in (1, 2, 3):
        following: list[tuple[int, int, tuple[Change, ...], Decision]] = []
        for changes, state in level[:MAX_STATES]:
            if search.left <= 0:
                break
            data = apply_data(base, changes)
            taken = {c.field for c in changes}
            for move in _moves(state, search, data, world):
                if taken & move.fields:
                    continue
                combined = changes + move.changes
                if any(r.key <= _key(combined) for r, _ in results):
                    continue  # a smaller remedy already inside it
                cost = sum(_change_cost(c) for c in combined)
                following.append((cost, len(_blockers(state)), combined, state))
        following.sort(key=lambda x: (x[0], x[1]))
        level = []
        seen: set[frozenset[tuple[str, str]]] = set()
        for _cost, _left, combined, parent in following:
            if search.left <= 0 or _distinct(results) >= limit:
                break
            key = _key(combined)
            if key in seen or any(r.key <= key for r, _ in results):
                continue
            seen.add(key)
            outcome = search.decide(combined)
            if outcome is None:
                continue
            if outcome.verdict == "allow":
                results.append((_Move(combined), outcome))
            elif outcome.rule_keys != parent.rule_keys or outcome.points != parent.points:
                level.append((combined, outcome))  # it changed something, if not yet enough
        if _distinct(results) >= limit or search.left <= 0 or not level:
            break
        # the most promising first: fewest findings left holding the share
        level.sort(key=lambda s: len(_blockers(s[1])))
    results = _minimal(search, results)
    results.sort(key=lambda r: r[0].cost)
    return _merge([_remedy(move, decision, after) for move, after in results], limit)


def _minimal(search: _Search, results: list[tuple[_Move, Decision]]) -> list[tuple[_Move, Decision]]:
    """Each remedy with every change it does not need taken out (a remedy asks only what is needed:
    nothing bundled with it may be dropped and still give allow), and a remedy holding another left out.
    At most a few decisions each, past the budget: a remedy is never shown with a change too many."""
    out: list[tuple[_Move, Decision]] = []
    for move, after in results:
        changes = move.changes
        shrunk = True
        while shrunk and len(changes) > 1:
            shrunk = False
            for c in changes:
                fewer = tuple(x for x in changes if x is not c)
                outcome = search.decide(fewer, beyond_budget=True)
                if outcome is not None and outcome.verdict == "allow":
                    changes, after, shrunk = fewer, outcome, True
                    break
        out.append((_Move(changes), after))
    kept = [(m, d) for m, d in out if not any(o.key < m.key for o, _ in out)]
    return list({m.key: (m, d) for m, d in kept}.values())


def _distinct(results: list[tuple[_Move, Decision]]) -> int:
    return len({m.fields for m, _ in results})


def _merge(remedies: list[Remedy], limit: int) -> list[Remedy]:
    """One remedy per set of fields changed: another value for one of the same fields (secure
    portal as well as secure email) is listed as an alternative, not as a remedy of its own."""
    kept: dict[frozenset[str], Remedy] = {}
    for r in remedies:
        fields = frozenset(c.field for c in r.changes)
        if fields in kept:
            first = kept[fields]
            other = _alternative(first, r)
            if other and other not in first.also and len(first.also) < MAX_ALSO:
                kept[fields] = replace(first, also=first.also + (other,))
        elif len(kept) < limit:
            kept[fields] = r
    return list(kept.values())


def _alternative(first: Remedy, other: Remedy) -> str | None:
    """Another way of making the same change, in words: the one change that differs, and only its
    value where the sentence has a blank for it. None when more than one change differs."""
    differ = [c for c in other.changes if c not in first.changes]
    if len(differ) != 1:
        return None
    change = differ[0]
    h = handle(change.field)
    if "{}" in h.do and not h.subset:
        head, _, tail = h.do.partition("{}")
        words = change.words
        if words.startswith(head) and words.endswith(tail):
            return words[len(head):len(words) - len(tail)]
    return change.words.rstrip(".")


def apply_data(base: dict[str, Any], changes: Iterable[Change]) -> dict[str, Any]:
    data = copy.deepcopy(base)
    for c in changes:
        set_path(data, c.field, c.new)
    return data


def _remedy(move: _Move, decision: Decision, after: Decision) -> Remedy:
    held = [r for r in decision.reasons if r.effect in ("deny", "open")]
    words = [r.title for r in held] + [p.question for p in decision.open_points]
    had = {r.rule for r in decision.reasons}
    grounds = [r.title for r in after.reasons if r.effect == "ground" and r.rule not in had]
    return Remedy(changes=move.changes, rules=tuple(dict.fromkeys(r.rule for r in held)),
                  points=tuple(p.id for p in decision.open_points), satisfies=tuple(dict.fromkeys(words)),
                  cost=move.cost, grounds=tuple(dict.fromkeys(grounds)))

