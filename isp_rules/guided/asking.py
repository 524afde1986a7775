"""Which questions can still change the verdict: worked out from the rules, not a fixed list.

A deny never becomes anything else when more is known (three-valued logic is monotone: a
condition known to hold still holds), so a deny is settled at once. Otherwise a field still
matters when some in-force rule or agreement-point condition is unknown because of it, or when
an open point waits for it. When a stated defect already holds the share at needs-agreement,
only the facts that could still turn it into a deny matter.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any, Final

from ..assessment import assess, scenario_fact
from ..decision import Decision
from ..dotted import get_path, set_path, unset_path
from ..errors import IspError
from ..facts import SOURCES as SCENARIO_SOURCES
from ..facts import fact_key
from ..interpret import missing_fields, settled_value
from ..labels import VALUE_LABELS, label, value_words
from ..ruleset import Condition, Ruleset
from ..scenario import Scenario, validate_scenario
from .answers import NOT_SURE
from .proposals import (
    CHECKLIST_PREFIX,
    CONFIRM_PREFIX,
    PROPOSAL_PATH,
    Checklist,
    Confirmation,
    Proposal,
    load_checklists,
    load_confirmations,
    proposal_fitting,
    proposal_for,
)
from .questions import ORDER, QUESTIONS, Question, precondition_holds

# Asked first, in this order, when they matter: who shares with whom, what for, how urgent,
# how often. The rest are asked busiest first (the field most undecided conditions wait on),
# so one answer settles as much as possible.
# A deny rule's undecided condition adds this much, shared among the facts it waits for
# (measured with benchmarks/questions.py: denies are reached two questions sooner).
DENY_WEIGHT = 10
FIRST = ("share.from.type", "share.to.type", "share.purpose.category", "share.urgency.risk", "share.frequency")

__all__ = [
    "BACK",
    "answered",
    "apply_answer",
    "ask_until_settled",
    "checklist",
    "checklist_items",
    "fields_that_matter",
    "is_question_path",
    "page_of",
    "question_for",
    "settled",
    "still_to_ask",
    "with_partner_types",
    "withdraw_answer",
]

# Computed facts are asked through the facts they come from; a party's authority status
# through its type (the override is for files, not a question worth asking first).
SOURCES = {path: [f for f in sources if f != path] for path, sources in SCENARIO_SOURCES.items()}


def _revocable(cond: Condition, fact: dict[str, Any]) -> set[str]:
    """Absent fields that a condition holds *because* they are absent: stating them could undo it.
    Those are the absent fields of a presence test, and every absent field under "not known to hold"."""
    from ..facts import fact_key
    from ..ruleset import NotTrue, leaves, walk

    tested = [leaf for leaf in leaves(cond) if leaf.op in ("absent", "present")]
    tested += [leaf for node in walk(cond) if isinstance(node, NotTrue) for leaf in leaves(node.item)]
    return {leaf.field for leaf in tested if fact_key(leaf.field) not in fact}


def fields_that_matter(ruleset: Ruleset, scenario: Scenario, decision: Decision, fact: dict[str, Any]) -> list[str]:
    """Unknown fields whose answer could still change the verdict, in the order a person describes a share."""
    if decision.verdict == "deny":
        # A deny stays a deny when some deny rule holds on stated facts alone. A deny rule that
        # holds because a fact is not known ("not known to hold", "absent") could be undone by
        # stating it: while every deny rule is like that, those facts still matter.
        denies = [ruleset.rule(k) for k in decision.rule_keys if ruleset.rule(k).effect == "deny"]
        undo_deny = [_revocable(r.when, fact) for r in denies]
        if not undo_deny or any(not fields for fields in undo_deny):
            return []
        data = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"expect"})
        rank = {path: i for i, path in enumerate(ORDER)}
        wanted = _askable({source: 1 for fields in undo_deny for path in fields for source in SOURCES.get(path, [path])}, data)
        return sorted(wanted, key=lambda p: rank[p])
    day = decision.ruleset.as_of
    rules = [r for r in ruleset.rules if r.in_force_on(day)]
    still_open = {r.rule for r in decision.reasons if r.effect == "open"}
    fired = [ruleset.rule(k) for k in decision.rule_keys]
    opened = [r for r in fired if r.effect == "open" and r.id in still_open]
    undo = {r.key: _revocable(r.when, fact) for r in opened}
    # Held open by a stated defect that no further answer can undo: only a deny can follow.
    stuck = decision.verdict == "needs-agreement" and any(settled_value(r.when, fact) is True for r in opened)
    if stuck:
        conds = [r.when for r in rules if r.effect == "deny"]
    elif decision.deferred:
        # Urgent: a point open only for want of a fact waits whatever the answers, so only what
        # could deny, or hold the share on a stated fact, still matters.
        conds = [r.when for r in rules if r.effect == "deny" or r.effect == "open" and any(
            ruleset.point(p).urgency != "defer_always" for p in r.points)]  # a point urgency always defers cannot hold it
        conds += [p.urgency_keeps_when for p in ruleset.points if p.urgency_keeps_when is not None]
    else:
        conds = [r.when for r in rules if r.effect in ("deny", "open") or r.defers_paperwork]
        conds += [c for _, c in ruleset.pseudo_rules()]
    # How many undecided conditions wait on each field: the busiest are asked first, so one
    # answer settles as much as possible. A deny rule's fields weigh more, the more so the fewer
    # facts it still waits for: a deny ends the questions at once, so it is looked for first.
    weight: dict[str, int] = {}
    deny_conds = {id(r.when) for r in rules if r.effect == "deny"}
    for cond in conds:
        missing = missing_fields([cond], fact)
        for path in missing:
            for source in SOURCES.get(path, [path]):
                weight[source] = weight.get(source, 0) + 1 + (DENY_WEIGHT // len(missing) if id(cond) in deny_conds else 0)
    # Whether the share is urgent decides how much else matters, so those facts always matter.
    urgent: set[str] = set()
    for rule in rules if not decision.deferred else []:
        if rule.defers_paperwork:
            for path in missing_fields([rule.when], fact):
                urgent.update(SOURCES.get(path, [path]))
    for path in urgent:
        weight[path] = weight.get(path, 0) + 1
    if decision.deferred and not stuck:
        # Urgent: a point open only because a fact is not known waits until after the share, but
        # stating that fact as a defect (no policy document, say) would hold the share; so the
        # facts a deferred rule holds on by their absence still matter.
        for rule in fired:
            if rule.effect == "open" and rule.key not in undo:
                undo[rule.key] = _revocable(rule.when, fact)
    for fields in undo.values():
        for path in fields:
            for source in SOURCES.get(path, [path]):
                weight[source] = weight.get(source, 0) + 1
    if not stuck and not decision.deferred:
        for status in decision.points:
            if status.status == "open":  # the facts it waits for, typed in the decision
                for path in status.waits_for:
                    weight[path] = weight.get(path, 0) + 1
    # The spec's default location is GB; ask where the recipient is unless the answer was given.
    if "location" not in scenario.share.to.model_fields_set:
        weight["share.to.location"] = weight.get("share.to.location", 0) + 1
    # Only questions whose precondition holds given the answers so far, in the order a person
    # describes a share: who shares with whom, what for, how urgent, what data, then the law.
    data = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"expect"})
    # An agreement of the partnership's that settles facts still to ask (its lawful basis, its
    # safeguards) is asked about as soon as it could be checked to cover the share: choosing it
    # answers all of those at once.
    early = set()
    chosen = scenario.share.governance.agreement_id  # (the dump writes a directory id back as `agreement:`)
    if get_path(data, AGREEMENT_PATH) is None and chosen is None \
            and get_path(data, "share.purpose.category") is not None and get_path(data, "share.data.categories"):
        settled = {path for a in _settling_agreements(ruleset, data) for path, _ in a.settled_facts()}
        extra = sum(weight.get(path, 0) for path in settled)
        if extra:
            weight[AGREEMENT_PATH] = weight.get(AGREEMENT_PATH, 0) + extra
            early.add(AGREEMENT_PATH)
    # Chosen, it settles those facts only once the practitioner says this share follows it.
    if chosen is not None and get_path(data, FOLLOWS_PATH) is None and fact.get(fact_key(COVERS_PATH)) is True:
        extra = sum(weight.get(path, 0) for path, _ in agreement_settles(ruleset, chosen))
        if extra:
            weight[FOLLOWS_PATH] = weight.get(FOLLOWS_PATH, 0) + extra
            early.add(FOLLOWS_PATH)
    # A council (trading standards, environmental health) or another public body can act as a
    # law-enforcement body, a competent authority (DPA 2018 s30), though its kind usually is not; for
    # a crime or law-enforcement share which law applies (UK GDPR or DPA 2018 Part 3) turns on it.
    if get_path(data, "share.purpose.category") in ("law_enforcement", "prevent_detect_crime"):
        for party in ("from", "to"):
            path = f"share.{party}.competent_authority"
            if get_path(data, f"share.{party}.type") in MAY_ENFORCE and get_path(data, path) is None:
                weight[path] = weight.get(path, 0) + 1
    wanted = _askable(weight, data)
    rank = {path: i for i, path in enumerate(ORDER)}
    return sorted(wanted, key=lambda p: (rank[p], 0) if p in FIRST or p in early else (len(rank), -wanted[p], rank[p]))


MAY_ENFORCE = ("local_authority", "other_public_body", "government_department")  # kinds that sometimes enforce the law
FOLLOWS_PATH = "share.governance.follows_agreement"
COVERS_PATH = "share.governance.agreement_covers_purpose"


def agreement_settles(ruleset: Ruleset, agreement_id: str) -> list[tuple[str, Any]]:
    """What the directory's agreement settles for every share it covers ([] for an unknown id)."""
    found = [a for a in _directory(ruleset.source).agreements if a.id == agreement_id]
    return found[0].settled_facts() if found else []


def follows_question(ruleset: Ruleset, data: dict) -> Question | None:
    """"Is this share made as the agreement sets out: ...?" naming what the chosen agreement settles."""
    settled = agreement_settles(ruleset, str(get_path(data, "share.governance.agreement_id")))
    if not settled:
        return None
    base = QUESTIONS[FOLLOWS_PATH]
    said = "; ".join(f"{label(p)}: {value_words(p, v)}" for p, v in settled)
    return Question(base.path, f"{base.text} It settles: {said}.", base.labels, base.kind, help=base.help,
                    example=base.example, when=base.when, unless=base.unless)


def _settling_agreements(ruleset: Ruleset, data: dict) -> list[Any]:
    """The partnership's agreements between the two named partners that settle some facts."""
    parties = {get_path(data, "share.from.partner"), get_path(data, "share.to.partner")}
    if None in parties:
        return []
    return [a for a in _directory(ruleset.source).agreements if a.settles is not None and parties <= set(a.parties)]


def _askable(weight: dict[str, int], data: dict) -> dict[str, int]:
    """The fields worth asking whose question's precondition holds. A field that matters but
    waits on an unanswered field its precondition names brings that field forward instead."""
    out: dict[str, int] = {}
    # A follow-up that matters while the question it follows matters too is asked through that
    # question, whose choices include it ("Yes, in confidence: the person agreed"): one question, not two.
    leads = {q.then: q for q in QUESTIONS.values() if q.then is not None}
    for path, w in weight.items():
        q = QUESTIONS.get(path)
        if q is None or _known_from_directory(path, data) or get_path(data, path) is not None:
            continue  # answered already (a stated text a rule looks into can still read as unknown)
        lead = leads.get(path)
        if lead is not None and lead.path in weight and get_path(data, lead.path) is None and lead.can_matter(data) \
                and not _known_from_directory(lead.path, data):
            out[lead.path] = out.get(lead.path, 0) + w
            continue
        if q.can_matter(data):
            out[path] = out.get(path, 0) + w
            continue
        for group in q.when:
            for gate in group:
                gq = QUESTIONS.get(gate.path)
                if get_path(data, gate.path) is None and gq is not None and gq.can_matter(data) \
                        and not _known_from_directory(gate.path, data):
                    out[gate.path] = out.get(gate.path, 0) + w
    return out


def settled(ruleset: Ruleset, scenario: Scenario, as_of: dt.date | None = None) -> tuple[Decision, list[str]]:
    """The decision now, and the fields still worth asking about."""
    decision = assess(scenario, ruleset, as_of=as_of)
    fact = scenario_fact(scenario, ruleset, decision.ruleset.as_of)  # as assess() weighed it, directory included
    return decision, fields_that_matter(ruleset, scenario, decision, fact)


# --- questions that answer several at once ------------------------------------------------
#
# Who is sharing, and with whom, is asked first as a choice from the partnership's directory
# (when the scenario format has a field for a named partner): a named partner's type, signatory
# status and authority come from the directory, so those questions are not asked. The likely
# lawful basis of a public body's share is proposed for confirmation (proposals.py) before the
# Art 6, Art 9, Schedule 1 and Art 10 questions it answers.

PARTY_FIELDS = ("type", "signatory", "public_authority", "competent_authority", "nation", "location")
OTHER_PARTNER = "other"  # "another organisation, not in the directory": the type question follows
OTHER_KIND = "other:"  # "other:school": an organisation not in the directory, of this kind (one question, not two)
BASIS_FIELDS = ("share.basis.article_6", "share.basis.legal_power", "share.basis.article_9",
                "share.basis.schedule_1", "share.basis.criminal_offence")


def partner_field_exists() -> bool:
    """Whether the scenario format names a party by its directory id (share.from.partner)."""
    from ..scenario import Party

    return "partner" in Party.model_fields


def _party_of(path: str) -> str | None:
    parts = path.split(".")
    if len(parts) == 3 and parts[0] == "share" and parts[1] in ("from", "to") and parts[2] in PARTY_FIELDS:
        return parts[1]
    return None


def _known_from_directory(path: str, data: dict) -> bool:
    """A party's type, signatory status, authority or whereabouts, when it is a named partner."""
    party = _party_of(path)
    return party is not None and get_path(data, f"share.{party}.partner") is not None


def _directory(rules_dir: str) -> Any:
    """The directory beside the rules, read again whenever its files change (directory_for)."""
    from ..directory import directory_for

    return directory_for(rules_dir)


def partner_question(ruleset: Ruleset, party: str) -> Question | None:
    """"Which organisation is sharing?" with the directory's partners as choices, or None when
    the directory is empty or the scenario format has no partner field."""
    if not partner_field_exists():
        return None
    directory = _directory(ruleset.source)
    if not directory.partners:
        return None
    labels = {p.id: p.name for p in directory.partners}
    # An organisation not in the directory is chosen by its kind in the same list, so its type
    # is not asked again (the kind's plain words, as the type question puts them).
    for kind, words in VALUE_LABELS.get(f"share.{party}.type", {}).items():
        labels[OTHER_KIND + kind] = f"Not in the list: {words[:1].lower()}{words[1:]}"
    labels[OTHER_PARTNER] = "Another organisation (not in the list): say what kind next"
    if party == "from":
        return Question("share.from.partner", "Which organisation is sharing the information?", labels, "enum",
                        help="Choose it from the partnership's directory, which knows its type and whether it signed the protocol.",
                        example="North Yorkshire Police, or another organisation if it is not listed.")
    return Question("share.to.partner", "Which organisation will receive it?", labels, "enum",
                    help="Choose it from the partnership's directory, which knows its type and whether it signed the protocol.",
                    example="City of York Council, or another organisation if it is not listed.")


AGREEMENT_PATH = "share.governance.agreement"


def agreement_question(ruleset: Ruleset, data: dict) -> Question:
    """"Is there a data sharing agreement?" with the directory's agreements between the named
    partners (every agreement when no partner is named) before the usual answers."""
    base = QUESTIONS[AGREEMENT_PATH]
    parties = {p for p in (get_path(data, "share.from.partner"), get_path(data, "share.to.partner")) if p}
    agreements = [a for a in _directory(ruleset.source).agreements if parties <= set(a.parties)]
    if not agreements:
        return base
    labels = {a.id: f"The partnership's agreement: {a.title}" for a in agreements} | base.labels
    return Question(base.path, base.text, labels, base.kind, help=base.help + " Choose it from the list if it is one of "
                    "the partnership's: what it settles (its lawful basis, how information is sent and kept) is then not asked again.",
                    example=base.example, when=base.when, unless=base.unless, then=base.then, then_on=base.then_on)


def with_partner_types(ruleset: Ruleset, data: dict) -> dict:
    """The answers with each named partner's type filled in from the directory (what assess()
    knows of it), for the proposals, which fit kinds of organisation."""
    out = copy.deepcopy(data)
    for party in ("from", "to"):
        partner_id = get_path(data, f"share.{party}.partner")
        if partner_id is not None and get_path(data, f"share.{party}.type") is None:
            try:
                set_path(out, f"share.{party}.type", _directory(ruleset.source).partner(partner_id).type)
            except IspError:  # not in the directory: assess() reports it
                pass
    return out


def _proposal(ruleset: Ruleset, data: dict, stated_basis_too: bool = False) -> Proposal | None:
    typed = with_partner_types(ruleset, data)
    return proposal_fitting(ruleset.source, typed) if stated_basis_too else proposal_for(ruleset.source, typed)


def proposal_question(ruleset: Ruleset, data: dict) -> Question | None:
    """The likely lawful basis for this purpose and these parties, put as a yes/no question."""
    proposal = _proposal(ruleset, data)
    if proposal is None:
        return None
    return _proposal_words(proposal)


PROPOSAL_YES = "yes"
# The basis and conditions are right but the law is another (or there is more than one): only the
# law is asked. Practitioners cite the Act their service works under (Children Act 1989 s47, NHS
# Act 2006), so the law differs from the proposal far more often than the conditions do.
PROPOSAL_OTHER_LAW = "other_law"
PROPOSAL_BASIS_ONLY = "basis_only"  # the Art 6 basis is right, the rest is asked
PROPOSAL_NO = "no"
POWER_PATH = "share.basis.legal_power"


def _proposal_words(proposal: Proposal) -> Question:
    basis = VALUE_LABELS["share.basis.article_6"].get(proposal.basis["article_6"], proposal.basis["article_6"])
    labels = {PROPOSAL_YES: "Yes",
              PROPOSAL_OTHER_LAW: "Yes, but under another law, or more than one: ask me which",
              PROPOSAL_BASIS_ONLY: f"Only the basis ({basis[:1].lower()}{basis[1:]}); the law or conditions differ: ask me",
              PROPOSAL_NO: "No"}
    return Question(PROPOSAL_PATH, f"{proposal.says} Is that right?", labels, "enum",
                    help="The usual basis for this kind of share by this kind of organisation; say No or Not sure to answer each part yourself.",
                    example="Yes, if it matches your organisation's policy or your data protection officer's advice.")


CONFIRM_NO = "no"  # "no, or only in part": each question is asked instead


def confirmation(ruleset: Ruleset, path: str) -> Confirmation | None:
    return next((c for c in load_confirmations(ruleset.source) if c.path == path), None)


def confirmation_question(ruleset: Ruleset, path: str) -> Question | None:
    """Usual good practice (rulesets/guided/confirmations.yaml) put as one question: Yes with a
    choice of `choose`'s value, or No (each question is asked instead)."""
    found = confirmation(ruleset, path)
    if found is None:
        return None
    help_ = "Say No or Not sure if any part is different or you do not know, and each part is asked on its own."
    example = "Yes, when your privacy notice mentions this kind of sharing and you send only what is needed."
    if found.choose is None:
        return Question(path, f"{found.says} {found.asks}", {}, "bool", help=help_, example=example)
    words = VALUE_LABELS.get(found.choose, {})
    labels = {v: f"Yes: {words.get(v, v)}" for v in found.options} | {CONFIRM_NO: "No, or only in part: ask me each"}
    return Question(path, f"{found.says} {found.asks}", labels, "enum", help=help_, example=example)


def _confirmation_fits(ruleset: Ruleset, found: Confirmation, data: dict, fields: list[str]) -> bool:
    """Put only while none of its answers is given, each of its questions could be asked, and
    at least two of them still matter: otherwise it would ask more, not less."""
    if any(get_path(data, f) is not None for f in found.fields):
        return False
    if not all(precondition_holds(f, data) for f in found.fields):
        return False
    return len([f for f in found.fields if f in fields]) >= 2


# The fields each confirmation put so far answers, by its path, for page_of (which sees paths only).
_CONFIRMS: dict[str, set[str]] = {}


def _confirmation_for(ruleset: Ruleset, path: str, data: dict, fields: list[str]) -> Confirmation | None:
    found = next((c for c in load_confirmations(ruleset.source)
                  if path in c.fields and _confirmation_fits(ruleset, c, data, fields)), None)
    if found is not None:
        _CONFIRMS.setdefault(found.path, set()).update(found.fields)
    return found


# --- a checklist of usual good practice: several statements ticked in one question ----------
#
# Each ticked statement gives its answers; an unticked one decides nothing and is asked on its own
# afterwards if it still matters. So a practitioner who knows the usual facts answers them in one
# go, and one who is unsure of any is never taken to have said "no".

def checklist(ruleset: Ruleset, path: str) -> Checklist | None:
    return next((c for c in load_checklists(ruleset.source) if c.path == path), None)


def checklist_items(found: Checklist, data: dict, fields: list[str] | set[str]) -> list[Any]:
    """The statements worth putting: none of their answers given, each of their questions could be
    asked, and at least one of them could still change the verdict."""
    return [item for item in found.items
            if all(get_path(data, f) is None and not _known_from_directory(f, data) and precondition_holds(f, data)
                   for f in item.sets)
            and any(f in fields for f in item.sets)]


def _checklist_for(ruleset: Ruleset, path: str, data: dict, fields: list[str]) -> Checklist | None:
    """The checklist to put before asking `path`: one with a statement answering it, put only
    while two or more of its statements are worth putting (else it would ask more, not less)."""
    found = next((c for c in load_checklists(ruleset.source) if path in c.fields), None)
    if found is None:
        return None
    items = checklist_items(found, data, fields)
    if len(items) < 2 or not any(path in item.sets for item in items):
        return None
    _CONFIRMS.setdefault(found.path, set()).update(found.fields)
    return found


def _checklist_question(found: Checklist, items: list[Any]) -> Question:
    return Question(found.path, found.asks, {item.id: item.says for item in items}, "enum_list",
                    help="Tick each one that is true. Leave a statement unticked if it is not true or you are not "
                         "sure: it is then asked about on its own.",
                    example="Tick all of them for a referral under your usual procedures, if each one is true.")


def checklist_question(ruleset: Ruleset, path: str, data: dict) -> Question | None:
    """The checklist's statements still worth putting, given the answers so far."""
    found = checklist(ruleset, path)
    if found is None:
        return None
    _, fields = settled(ruleset, validate_scenario(data))
    items = checklist_items(found, data, fields)
    return _checklist_question(found, items) if items else None


def _ticked(found: Checklist, data: dict) -> list[str]:
    """The statements whose answers all stand."""
    return [item.id for item in found.items if all(get_path(data, f) == v for f, v in item.sets.items())]


def question_for(ruleset: Ruleset, path: str, data: dict) -> Question | None:
    """The question asked about `path` given the answers so far (the directory, proposal and
    confirmation questions are worked out from the data; the rest are fixed)."""
    if path == PROPOSAL_PATH:
        return proposal_question(ruleset, data)
    if path.startswith(CONFIRM_PREFIX):
        return confirmation_question(ruleset, path)
    if path.startswith(CHECKLIST_PREFIX):
        return checklist_question(ruleset, path, data)
    if path in ("share.from.partner", "share.to.partner"):
        return partner_question(ruleset, path.split(".")[1])
    if path == AGREEMENT_PATH:
        return agreement_question(ruleset, data)
    if path == FOLLOWS_PATH:
        return follows_question(ruleset, data)
    return QUESTIONS.get(path)


def is_question_path(path: str) -> bool:
    return path in QUESTIONS or path in (PROPOSAL_PATH, "share.from.partner", "share.to.partner") \
        or path.startswith((CONFIRM_PREFIX, CHECKLIST_PREFIX))


def next_paths(ruleset: Ruleset, data: dict, fields: list[str], asked: set[str] | frozenset[str]) -> list[str]:
    """The fields still worth asking about, with the directory and proposal questions put
    before the questions they answer (each at most once)."""
    out: list[str] = []
    for path in fields:
        party = _party_of(path)
        lead = None
        if party is not None and f"share.{party}.partner" not in asked and partner_question(ruleset, party) is not None:
            lead = f"share.{party}.partner"
        elif path in BASIS_FIELDS and PROPOSAL_PATH not in asked and proposal_question(ruleset, data) is not None:
            lead = PROPOSAL_PATH
        elif (found := _confirmation_for(ruleset, path, data, fields)) is not None and found.path not in asked:
            lead = found.path
        elif (listed := _checklist_for(ruleset, path, data, fields)) is not None and listed.path not in asked:
            lead = listed.path
        if lead == PROPOSAL_PATH and "share.data.categories" in fields and "share.data.categories" not in out:
            out.append("share.data.categories")  # the proposal says what covers sensitive information only when there is some
        if lead is not None and lead not in out:
            out.append(lead)
        if path not in out:
            out.append(path)
    return out


def page_of(fields: list[str], size: int) -> list[str]:
    """The next page of at most `size` questions for a form that asks several at once: a question
    that a directory, proposal or confirmation question on the same page may answer waits for a later page."""
    page: list[str] = []
    confirmed = {f for path in fields if path.startswith((CONFIRM_PREFIX, CHECKLIST_PREFIX)) for f in _CONFIRMS.get(path, ())}
    for path in fields:
        if path.startswith(CHECKLIST_PREFIX) and page:
            # first on its page, so its statements are worked out from the answers the page starts with
            continue
        party = _party_of(path)
        if party is not None and f"share.{party}.partner" in page:
            continue
        if path in BASIS_FIELDS and PROPOSAL_PATH in page:
            continue
        if path in confirmed:
            continue
        page.append(path)
        if len(page) == size:
            break
    return page


def apply_answer(ruleset: Ruleset, data: dict[str, Any], path: str, answer: Any) -> None:
    """Put an answer into the scenario data: a confirmed proposal fills in its answers; "another
    organisation" or NOT_SURE leaves the field unstated."""
    if answer is NOT_SURE:
        return
    if path == PROPOSAL_PATH:
        proposal = _proposal(ruleset, data)
        if answer in (True, PROPOSAL_YES) and proposal is not None:
            for field, value in proposal.answers(data).items():
                set_path(data, field, value)
        elif answer == PROPOSAL_OTHER_LAW and proposal is not None:
            for field, value in proposal.answers(data).items():
                if field != POWER_PATH:
                    set_path(data, field, value)
        elif answer == PROPOSAL_BASIS_ONLY and proposal is not None:
            set_path(data, "share.basis.article_6", proposal.basis["article_6"])
        return
    if path.startswith(CONFIRM_PREFIX):
        found = confirmation(ruleset, path)
        if found is not None and (answer in found.options or found.choose is None and answer is True):
            for field, value in found.answers(answer).items():
                set_path(data, field, value)
        return
    if path.startswith(CHECKLIST_PREFIX):
        listed = checklist(ruleset, path)
        ticked = [listed.item(i) for i in answer] if listed is not None and isinstance(answer, list) else []
        for item in ticked:
            for field, value in item.sets.items() if item is not None else ():
                set_path(data, field, value)
        return
    if path.endswith(".partner") and answer == OTHER_PARTNER:
        unset_path(data, path)
        return
    if path.endswith(".partner") and isinstance(answer, str) and answer.startswith(OTHER_KIND):
        unset_path(data, path)
        set_path(data, path.removesuffix(".partner") + ".type", answer.removeprefix(OTHER_KIND))
        return
    if path == AGREEMENT_PATH:
        unset_path(data, "share.governance.agreement_id")
    fixed = QUESTIONS.get(path)
    if fixed is not None and fixed.then is not None and answer in fixed.labels:  # a value, and its follow-up in one choice
        for field, value in fixed.split(answer).items():
            set_path(data, field, value)
        return
    if path == AGREEMENT_PATH and answer not in QUESTIONS[AGREEMENT_PATH].labels:  # a directory agreement, by its id
        unset_path(data, path)
        set_path(data, "share.governance.agreement_id", answer)
        return
    set_path(data, path, answer)


def withdraw_answer(ruleset: Ruleset, data: dict[str, Any], path: str) -> None:
    """Take an answer back (Change, Back): a confirmed proposal's answers, or the field."""
    if path == PROPOSAL_PATH:
        proposal = _proposal(ruleset, data, stated_basis_too=True)
        if proposal is not None:
            for field, value in proposal.answers(data).items():
                if get_path(data, field) == value:
                    unset_path(data, field)
        return
    if path.startswith(CONFIRM_PREFIX):
        found = confirmation(ruleset, path)
        choice = _confirmed(found, data) if found is not None else None
        if found is not None and choice is not None:
            for field in found.answers(choice):
                unset_path(data, field)
        return
    if path.startswith(CHECKLIST_PREFIX):
        listed = checklist(ruleset, path)
        standing = [listed.item(i) for i in _ticked(listed, data)] if listed is not None else []
        for item in standing:
            for field in item.sets if item is not None else ():
                unset_path(data, field)
        return
    unset_path(data, path)
    if path == AGREEMENT_PATH:
        unset_path(data, "share.governance.agreement_id")
    if path.endswith(".partner"):  # the kind chosen with it, when not in the directory
        unset_path(data, path.removesuffix(".partner") + ".type")
    fixed = QUESTIONS.get(path)
    if fixed is not None and fixed.then is not None:  # its follow-up, which may have been chosen with it
        unset_path(data, fixed.then)


def _confirmed(found: Confirmation, data: dict[str, Any]) -> Any:
    """The choice a confirmation was confirmed with, when every answer it gives stands (else None)."""
    choice = get_path(data, found.choose) if found.choose is not None else True
    if found.choose is not None and choice not in found.options:
        return None
    return choice if all(get_path(data, f) == v for f, v in found.answers(choice).items()) else None


def answered(ruleset: Ruleset, path: str, data: dict[str, Any]) -> tuple[Question, Any] | None:
    """The question asked about `path` and its answer, for a summary of the answers so far
    (a proposal reads Yes when its answers stand, else Not sure)."""
    if path == PROPOSAL_PATH:
        proposal = _proposal(ruleset, data, stated_basis_too=True)
        if proposal is None:
            return None
        answers = proposal.answers(data)
        if all(get_path(data, f) == v for f, v in answers.items()):
            return _proposal_words(proposal), PROPOSAL_YES
        if all(get_path(data, f) == v for f, v in answers.items() if f != POWER_PATH):
            return _proposal_words(proposal), PROPOSAL_OTHER_LAW
        if get_path(data, "share.basis.article_6") == proposal.basis["article_6"]:
            return _proposal_words(proposal), PROPOSAL_BASIS_ONLY
        return _proposal_words(proposal), None
    if path.startswith(CHECKLIST_PREFIX):
        listed = checklist(ruleset, path)
        if listed is None:
            return None
        ticked = _ticked(listed, data)
        return _checklist_question(listed, list(listed.items)), (ticked or None)
    fixed = question_for(ruleset, path, data)
    if fixed is None:
        return None
    if path.startswith(CONFIRM_PREFIX):
        found = confirmation(ruleset, path)
        return fixed, (_confirmed(found, data) if found is not None else None)
    value = QUESTIONS[path].combined(data) if path in QUESTIONS else get_path(data, path)
    if path == AGREEMENT_PATH and value is None:
        value = get_path(data, "share.governance.agreement_id")
    if path.endswith(".partner") and value is None:
        kind = get_path(data, path.removesuffix(".partner") + ".type")
        value = OTHER_KIND + kind if OTHER_KIND + str(kind) in fixed.labels else OTHER_PARTNER
    return fixed, value


def still_to_ask(ruleset: Ruleset, data: dict, asked: set[str] | frozenset[str] = frozenset(),
                 as_of: dt.date | None = None) -> tuple[Scenario, Decision, list[str]]:
    """One step of a guided conversation (`isp ask`, the web form): the scenario the answers so
    far describe, its decision, and the questions still worth asking that were not asked yet."""
    scenario = validate_scenario(data)
    decision, fields = settled(ruleset, scenario, as_of)
    return scenario, decision, [f for f in next_paths(ruleset, data, fields, asked) if f not in asked]


BACK: Final = object()  # the answer "go back to the previous question"


def ask_until_settled(ruleset: Ruleset, data: dict[str, Any], ask: Callable[[Question, int], Any],
                      as_of: dt.date | None = None) -> tuple[Scenario, Decision, int]:
    """A whole guided conversation: ask(question, number) the question that matters most until no
    answer can change the verdict, each question once; NOT_SURE leaves its field unstated, BACK
    undoes the previous answer and asks that question again. The answers go into `data`. Returns
    the scenario they describe, its decision and how many questions were answered."""
    asked: list[str] = []
    before: list[dict[str, Any]] = []  # the data as it was before each answer, for BACK
    while True:
        scenario, decision, fields = still_to_ask(ruleset, data, set(asked), as_of)
        if not fields:
            return scenario, decision, len(asked)
        question = question_for(ruleset, fields[0], data)
        assert question is not None
        answer = ask(question, len(asked) + 1)
        if answer is BACK:
            if asked:
                asked.pop()
                previous = before.pop()
                data.clear()
                data.update(previous)
            continue
        before.append(copy.deepcopy(data))
        asked.append(question.path)
        apply_answer(ruleset, data, question.path, answer)
