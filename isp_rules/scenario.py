"""The scenario model (public format, version 1) and its flat fact form.

An absent field means "not known yet". Nothing here fills a missing value with
False or None-as-an-answer: the only defaults are the two the spec writes down
(`as_of` is today, a party's `location` is GB) and the party-type defaults for
public-authority and competent-authority status, which a scenario may override.
"""

from __future__ import annotations

import datetime as dt
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from . import vocabulary as V

__all__ = [
    "FACT_MARKER",
    "FIELDS",
    "SOURCES",
    "Expect",
    "FieldSpec",
    "Party",
    "Scenario",
    "Share",
    "TextPhrases",
    "close_powers",
    "date_number",
    "fact_key",
    "power_phrase",
    "power_words",
    "recognised_powers",
    "to_fact",
    "words",
]

Purpose = Literal[V.PURPOSES]
PartyType = Literal[V.PARTY_TYPES]
Subject = Literal[V.SUBJECTS]
Category = Literal[V.DATA_CATEGORIES]
Article6 = Literal[V.ARTICLE_6]
Annex1 = Literal[V.ANNEX_1]
Article9 = Literal[V.ARTICLE_9]
Schedule1 = Literal[V.SCHEDULE_1]
Transfer = Literal[V.TRANSFER_METHODS]
Feature = Literal[V.PROCESSING_FEATURES]
Nation = Literal[V.NATIONS]
Schedule8 = Literal[V.SCHEDULE_8]
Part3Basis = Literal[V.PART_3_BASES]
Annex2 = Literal[V.ANNEX_2]
Derogation = Literal[V.DEROGATIONS]
Instrument = Literal[V.INSTRUMENTS]
ConsentGiver = Literal[V.CONSENT_GIVERS]
ConsentScope = Literal[V.CONSENT_SCOPES]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Country = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
Verdict = Literal["allow", "deny", "needs-agreement"]


class _Strict(BaseModel):
    # strict: "yes" is not a boolean and 12 is not a name; extra: a misspelt
    # field must never be silently ignored.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class PurposeOf(_Strict):
    category: Purpose | None = None
    detail: Text | None = None


class Party(_Strict):
    name: Text | None = None
    type: PartyType | None = None
    signatory: bool | None = None
    location: Country = "GB"
    public_authority: bool | None = None
    competent_authority: bool | None = None
    # Added field: the UK nation (only meaningful when location is GB).
    nation: Nation | None = None

    def effective(self, which: str) -> bool | None:
        """The stated status, else the party type's default, else unknown."""
        stated = getattr(self, which)
        if stated is not None:
            return stated
        if self.type is None:
            return None
        public, competent = V.PARTY_DEFAULTS[self.type]
        return public if which == "public_authority" else competent


class Request(_Strict):
    by_recipient: bool | None = None
    in_writing: bool | None = None
    states_public_task: bool | None = None
    # Added fields. The person the information is about asked for the disclosure, or asked
    # the recipient to act for them (DPA 2018 Sch 1 para 24(2)).
    by_person: bool | None = None
    # What compels or formally asks for it.
    instrument: Instrument | None = None


class Data(_Strict):
    subjects: list[Subject] | None = None
    categories: list[Category] | None = None
    identifiability: Literal["identified", "pseudonymised", "anonymised", "aggregate", "non_personal"] | None = None
    confidential: bool | None = None
    volume: Literal["individual", "group", "large_scale"] | None = None
    minimised: bool | None = None


class Urgency(_Strict):
    risk: Literal["none", "low", "significant", "serious_or_imminent"] | None = None
    emergency: bool | None = None


class Basis(_Strict):
    article_6: Article6 | None = None
    annex_1: Annex1 | None = None
    legal_power: Text | None = None
    article_9: Article9 | None = None
    schedule_1: Schedule1 | None = None
    criminal_offence: Literal["official_authority", "schedule_1"] | None = None
    appropriate_policy_document: bool | None = None
    compatible_purpose: bool | None = None
    # Added fields. UK GDPR Annex 2 condition relied on for a new purpose (Art 8A(3)(d)).
    compatibility_condition: Annex2 | None = None
    # DPA 2018 Part 3 (law enforcement processing): s35(2) basis and Schedule 8 condition.
    part_3: Part3Basis | None = None
    schedule_8: Schedule8 | None = None
    # What the original collection relied on, for Art 8A(4) (reuse of consent-based data).
    original_basis: Article6 | None = None


class Consent(_Strict):
    status: Literal["given", "refused", "withdrawn", "not_sought"] | None = None
    reason_not_sought: Literal["cannot_be_given", "cannot_reasonably_be_obtained", "would_prejudice", "would_increase_risk"] | None = None
    # Agreement sought as good practice (the share would go ahead without it) is not consent
    # relied on as a lawful basis or Art 9 condition (legal review, doubt 12). Added field.
    as_good_practice: bool | None = None
    # Added fields: whose consent it is, and what it covers.
    given_by: ConsentGiver | None = None
    covers: list[ConsentScope] | None = None


class Governance(_Strict):
    agreement: Literal["none", "in_place", "expired"] | None = None
    agreement_covers_purpose: bool | None = None
    dpia: Literal["done", "not_done", "not_required"] | None = None
    joint_controller_arrangement: bool | None = None
    processor_contract: bool | None = None
    privacy_notice: Literal["covers", "does_not_cover", "exempt"] | None = None
    # Added field: when the information sharing agreement is next due for review.
    agreement_review_date: Annotated[dt.date, Field(strict=False)] | None = None
    # Added fields (UK GDPR Art 36): the DPIA found a high risk that the controller's measures do
    # not reduce, and whether the ICO was consulted before the processing starts.
    dpia_residual_high_risk: bool | None = None
    ico_consulted: bool | None = None
    # Added field: the national data opt-out has been applied to the confidential patient
    # information before it is used for research or planning (NHS England's policy).
    national_data_opt_out_applied: bool | None = None


class Handling(_Strict):
    transfer: Transfer | None = None
    retention: Text | None = None
    international_mechanism: Literal["adequacy", "idta", "uk_addendum", "bcr", "derogation", "none"] | None = None
    # Added field: which Art 49(1) derogation is relied on.
    derogation: Derogation | None = None


class Person(_Strict):
    """Added group: facts about the person the information is about."""

    # Has capacity to decide about this share (Mental Capacity Act 2005 s2-3).
    capacity: bool | None = None


class Share(_Strict):
    purpose: PurposeOf = Field(default_factory=PurposeOf)
    from_: Party = Field(default_factory=Party, alias="from")
    to: Party = Field(default_factory=Party)
    relationship: Literal["separate_controllers", "joint_controllers", "processor"] | None = None
    request: Request = Field(default_factory=Request)
    data: Data = Field(default_factory=Data)
    frequency: Literal["one_off", "routine"] | None = None
    urgency: Urgency = Field(default_factory=Urgency)
    basis: Basis = Field(default_factory=Basis)
    consent: Consent = Field(default_factory=Consent)
    person: Person = Field(default_factory=Person)
    confidentiality: Literal["consent", "implied_consent_direct_care", "legal_requirement", "overriding_public_interest", "not_applicable"] | None = None
    governance: Governance = Field(default_factory=Governance)
    handling: Handling = Field(default_factory=Handling)
    # Added to format version 1: features that can make the processing high risk (DPIA).
    processing: list[Feature] | None = None

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class Expect(_Strict):
    verdict: Verdict
    rules: list[Text] | None = None
    open_points: list[Text] | None = None


class Scenario(_Strict):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)] | None = None
    title: Text | None = None
    # Lax for this one field so a quoted "2026-12-01" (or JSON) is accepted too.
    as_of: Annotated[dt.date, Field(strict=False)] | None = None
    share: Share
    expect: Expect | None = None


# --- the fact: what the rules see -------------------------------------------------------

FACT_MARKER = "isp__fact"  # a key only scenario facts carry; the engine's catch-all keys on it


def fact_key(path: str) -> str:
    """Dotted field path -> flat fact key (durable_rules would read dots as nesting)."""
    return path.replace(".", "__")


def mentions(text_words: str, phrase: str) -> bool:
    """Whether padded words contain a phrase; 'a + b' needs every part, in any order."""
    return all(f" {part} " in text_words for part in phrase.split(" + "))


def words(text: str) -> str:
    """Text -> ' lower case words ' (padded, '&' read as 'and'), so phrases match whole words."""
    # Letters and digits are separate words, so "PCSCA2022 s16" reads as "pcsca 2022 s 16".
    return " " + " ".join(re.findall(r"[a-z]+|[0-9]+", text.lower().replace("&", " and "))) + " "


# Recognising the power named (the catalogue of gateways and powers, rulesets/powers/): the
# same whole-word matching as `mentions`, with the usual abbreviations read alike, so
# "section 47", "s.47" and "s47" are one phrase.
_POWER_WORDS = {"section": "s", "sections": "s", "sec": "s", "ss": "s", "schedule": "sch", "schedules": "sch",
                "paragraph": "para", "paragraphs": "para", "paras": "para", "regulation": "reg",
                "regulations": "reg", "regs": "reg", "article": "art", "articles": "art", "arts": "art"}


def power_words(text: str) -> str:
    """words(), with section/schedule/paragraph/regulation/article read as s/sch/para/reg/art."""
    return " " + " ".join(_POWER_WORDS.get(w, w) for w in words(text).split()) + " "


def power_phrase(phrase: str) -> str:
    """A catalogue name in normal form: 'Children Act 1989 + section 47' -> 'children act 1989 + s 47'."""
    return " + ".join(power_words(part).strip() for part in phrase.split("+"))


class TextPhrases(dict):
    """Text field -> the phrases the rules' `mentions` tests look for (what to_fact is given),
    carrying the ruleset's catalogue of powers, from which the power facts are computed."""

    def __init__(self, data: Mapping[str, Iterable[str]] = (), powers: tuple = ()) -> None:
        super().__init__(data)
        self.powers = tuple(powers)
        self._memo: dict[tuple[str, ...], list[Any]] = {}

    def _remember(self, key: tuple[str, ...], compute: Callable[[], list[Any]]) -> list[Any]:
        """compute() remembered per key: the same few texts come again and again. Bounded, so a
        long-running server does not grow."""
        found = self._memo.get(key)
        if found is None:
            if len(self._memo) >= 8192:
                self._memo.clear()
            found = self._memo[key] = compute()
        return found

    def recognise(self, text: str) -> list[Any]:
        """recognised_powers over the whole catalogue, for a text."""
        return self._remember(("power", text), lambda: recognised_powers(text, self.powers))

    def mentioned(self, path: str, text: str) -> list[str]:
        """The phrases of one text field that the text contains."""
        def find() -> list[str]:
            normal = words(text)
            return sorted(p for p in self[path] if mentions(normal, p))

        return list(self._remember(("phrase", path, text), find))


def recognised_powers(text: str, powers: Iterable[Any]) -> list[Any]:
    """The catalogue entries (anything with `match`, a tuple of normal-form phrases) the text names."""
    normal = power_words(text)
    return [p for p in powers if any(mentions(normal, phrase) for phrase in p.match)]


def close_powers(text: str, powers: Iterable[Any], n: int = 3) -> list[str]:
    """'Statute section' of the entries that read most like an unrecognised power, best first."""
    import difflib

    normal = power_words(text).strip()
    tokens = set(normal.split())
    scored: dict[str, float] = {}
    for p in powers:
        label = p.label
        other = power_words(label).strip()
        # Half the spelling (difflib), half the words in common: a misspelt Act still comes
        # close, an unrelated Act that only shares "act" and "s" does not.
        shared = len(tokens & set(other.split())) / max(len(tokens | set(other.split())), 1)
        score = 0.5 * difflib.SequenceMatcher(None, normal, other).ratio() + 0.5 * shared
        statute = power_words(p.statute).strip()
        if statute and f" {statute} " in f" {normal} ":  # the right Act, another section
            score = max(score, 0.6 + 0.4 * score)
        if score >= 0.5:
            scored[label] = max(score, scored.get(label, 0.0))
    return [label for label, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:n]]


def date_number(day: dt.date) -> int:
    """2026-02-05 -> 20260205: durable_rules compares numbers, not dates."""
    return day.year * 10000 + day.month * 100 + day.day


@dataclass(frozen=True)
class FieldSpec:
    """What a rule may say about one field of the fact."""

    path: str
    kind: str  # bool | enum | enum_list | text | date | country
    values: tuple[str, ...] = ()
    derived: str = ""  # how a derived field is computed, for the docs

    @property
    def key(self) -> str:
        return fact_key(self.path)


def _specs(model: type[BaseModel], prefix: str) -> list[FieldSpec]:
    out: list[FieldSpec] = []
    for name, info in model.model_fields.items():
        if model is Scenario and name in ("expect", "id", "title"):
            continue
        path = f"{prefix}{info.alias or name}"
        ann = info.annotation
        if typing.get_origin(ann) in (typing.Union, types.UnionType):
            ann = next(a for a in typing.get_args(ann) if a is not type(None))
        while typing.get_origin(ann) is Annotated:
            ann = typing.get_args(ann)[0]
        if isinstance(ann, type) and issubclass(ann, BaseModel):
            out += _specs(ann, path + ".")
        elif typing.get_origin(ann) is list:
            (item,) = typing.get_args(ann)
            out.append(FieldSpec(path, "enum_list", typing.get_args(item)))
        elif typing.get_origin(ann) is Literal:
            out.append(FieldSpec(path, "enum", typing.get_args(ann)))
        elif ann is bool:
            out.append(FieldSpec(path, "bool"))
        elif ann is dt.date:
            out.append(FieldSpec(path, "date"))
        elif name == "location":
            out.append(FieldSpec(path, "country"))
        else:
            out.append(FieldSpec(path, "text"))
    return out


_DERIVED = [
    FieldSpec("share.data.special_category", "bool",
              derived="true when data.categories holds a UK GDPR Art 9(1) category and the data is not "
                      "stated to be anonymised, aggregate or non-personal"),
    FieldSpec("share.data.criminal_offence", "bool",
              derived="true when data.categories holds criminal_offence and the data is not stated to be "
                      "anonymised, aggregate or non-personal"),
    FieldSpec("share.data.anonymous", "bool",
              derived="true when data.identifiability is anonymised, aggregate or non_personal; false when "
                      "identified or pseudonymised"),
    FieldSpec("share.to.uk_adequacy", "bool",
              derived="true when to.location is covered by UK adequacy regulations (vocabulary.UK_ADEQUACY)"),
    FieldSpec("share.to.uk_adequacy_full", "bool",
              derived="true when UK adequacy regulations cover to.location for every recipient (not only a "
                      "sector, a law or certified recipients: vocabulary.PARTIAL_ADEQUACY)"),
    FieldSpec("share.from.in_uk", "bool", derived="true when from.location is GB"),
    FieldSpec("share.to.in_uk", "bool", derived="true when to.location is GB"),
    FieldSpec("share.from.eea", "bool", derived="true when from.location is in the European Economic Area"),
    FieldSpec("share.to.eea", "bool", derived="true when to.location is in the European Economic Area"),
    FieldSpec("share.governance.agreement_review_overdue", "bool",
              derived="true when governance.agreement_review_date is before the date of the share"),
    FieldSpec("share.both_signatories", "bool",
              derived="true when both parties signed the protocol, false when either did not"),
    FieldSpec("share.basis.power_recognised", "bool",
              derived="when basis.legal_power is stated: true when it names an entry of the catalogue of "
                      "gateways and powers (rulesets/powers/), false when it names none"),
    FieldSpec("share.basis.power_is_duty", "bool",
              derived="when the power named is recognised: true when a recognised entry the discloser may "
                      "use (any, if none may) is a duty to disclose, false when none is"),
    FieldSpec("share.basis.power_available", "bool",
              derived="when the power named is recognised and the discloser's type is stated: true when a "
                      "recognised entry may be used by any discloser or by one of that type"),
]

FIELDS: dict[str, FieldSpec] = {s.path: s for s in _specs(Scenario, "") + _DERIVED}

# The scenario fields each computed fact comes from. A party's authority status is its own
# field when stated, else follows from its type, so both are listed.
SOURCES: dict[str, list[str]] = {
    "share.data.special_category": ["share.data.categories", "share.data.identifiability"],
    "share.data.criminal_offence": ["share.data.categories", "share.data.identifiability"],
    "share.data.anonymous": ["share.data.identifiability"],
    "share.to.in_uk": ["share.to.location"], "share.to.eea": ["share.to.location"],
    "share.to.uk_adequacy": ["share.to.location"], "share.to.uk_adequacy_full": ["share.to.location"],
    "share.from.in_uk": ["share.from.location"],
    "share.from.eea": ["share.from.location"],
    "share.both_signatories": ["share.from.signatory", "share.to.signatory"],
    "share.governance.agreement_review_overdue": ["share.governance.agreement_review_date"],
    "share.basis.power_recognised": ["share.basis.legal_power"],
    "share.basis.power_is_duty": ["share.basis.legal_power", "share.from.type"],
    "share.basis.power_available": ["share.basis.legal_power", "share.from.type"],
    "share.from.public_authority": ["share.from.public_authority", "share.from.type"],
    "share.to.public_authority": ["share.to.public_authority", "share.to.type"],
    "share.from.competent_authority": ["share.from.competent_authority", "share.from.type"],
    "share.to.competent_authority": ["share.to.competent_authority", "share.to.type"],
}


def _flatten(model: BaseModel, prefix: str, out: dict[str, Any]) -> None:
    for name, info in type(model).model_fields.items():
        value = getattr(model, name)
        path = f"{prefix}{info.alias or name}"
        if isinstance(value, BaseModel):
            _flatten(value, path + ".", out)
        elif value is None:
            continue  # unknown stays unknown: the key is simply not in the fact
        elif isinstance(value, dt.date):
            out[fact_key(path)] = date_number(value)
        elif isinstance(value, list):
            out[fact_key(path)] = list(value)
            out[fact_key(path) + "__n"] = len(value)
        else:
            out[fact_key(path)] = value


def to_fact(scenario: Scenario, as_of: dt.date | None = None,
            phrases: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
    """The flat fact that both durable_rules and the interpreter evaluate.

    `phrases` (a ruleset's `phrases`) lists, per text field, the phrases its `mentions`
    tests look for; the fact records which of them the text contains.
    """
    fact: dict[str, Any] = {FACT_MARKER: 1}
    share = scenario.share
    _flatten(share, "share.", fact)
    for path, wanted in (phrases or {}).items():
        key = fact_key(path)
        if key in fact:
            if isinstance(phrases, TextPhrases):
                found = phrases.mentioned(path, fact[key])
            else:
                text = words(fact[key])
                found = sorted(p for p in wanted if mentions(text, p))
            fact[key + "__mentions"], fact[key + "__mentions__n"] = found, len(found)
    day = as_of or scenario.as_of or dt.date.today()
    fact["as_of"] = date_number(day)
    for side, party in (("from", share.from_), ("to", share.to)):
        for which in ("public_authority", "competent_authority"):
            value = party.effective(which)
            key = fact_key(f"share.{side}.{which}")
            if value is None:
                fact.pop(key, None)
            else:
                fact[key] = value
        fact[fact_key(f"share.{side}.in_uk")] = party.location == "GB"
        fact[fact_key(f"share.{side}.eea")] = party.location in V.EEA
    # Recital 26: anonymised or aggregate data is not personal data, so not special category
    # or criminal offence data either.
    anonymous = share.data.identifiability in ("anonymised", "aggregate", "non_personal")
    if share.data.identifiability is not None:
        fact["share__data__anonymous"] = anonymous
    if share.data.categories is not None:
        fact["share__data__special_category"] = not anonymous and any(c in V.SPECIAL_CATEGORIES for c in share.data.categories)
        fact["share__data__criminal_offence"] = not anonymous and "criminal_offence" in share.data.categories
    fact["share__to__uk_adequacy"] = share.to.location in V.UK_ADEQUACY
    fact["share__to__uk_adequacy_full"] = share.to.location in V.UK_ADEQUACY - V.PARTIAL_ADEQUACY
    review = share.governance.agreement_review_date
    if review is not None:
        fact["share__governance__agreement_review_overdue"] = review < day
    # Only entries in force on the date of the share are recognised (law pending commencement is not).
    catalogue = getattr(phrases, "powers", ())
    if share.basis.legal_power is not None and catalogue:
        named = phrases.recognise(share.basis.legal_power) if isinstance(phrases, TextPhrases) \
            else recognised_powers(share.basis.legal_power, catalogue)
        found = [p for p in named if not hasattr(p, "in_force_on") or p.in_force_on(day)]
        fact["share__basis__power_recognised"] = bool(found)
        if found:
            kind = share.from_.type
            usable = [p for p in found if not p.who or kind in p.who]
            fact["share__basis__power_is_duty"] = any(p.is_duty for p in (usable or found))
            if kind is not None:
                fact["share__basis__power_available"] = bool(usable)
    signed = (share.from_.signatory, share.to.signatory)
    if False in signed:
        fact["share__both_signatories"] = False
    elif signed == (True, True):
        fact["share__both_signatories"] = True
    return fact
