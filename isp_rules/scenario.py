"""The scenario model: the public format (version 1), validated strictly.

An absent field means "not known yet". Nothing here fills a missing value with
False or None-as-an-answer: the only defaults are the two the spec writes down
(`as_of` is today, a party's `location` is GB) and the party-type defaults for
public-authority and competent-authority status, which a scenario may override
(Party.effective). What the rules see of a scenario, the flat fact with its
derived facts, is facts.py.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    StringConstraints,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticCustomError

from .vocabulary import (
    PARTY_DEFAULTS,
    Annex1,
    Annex2,
    Article6,
    Article9,
    ConsentGiver,
    ConsentScope,
    DataCategory,
    Derogation,
    Instrument,
    Nation,
    Part3Basis,
    PartyType,
    ProcessingFeature,
    Purpose,
    Schedule1,
    Schedule8,
    Subject,
    TransferMethod,
)

__all__ = [
    "AGREEMENT_STATES",
    "REFERENCES",
    "Basis",
    "Consent",
    "Data",
    "Expect",
    "Governance",
    "Handling",
    "Party",
    "Person",
    "PurposeOf",
    "Request",
    "Scenario",
    "Share",
    "Urgency",
    "character_name",
    "unprintable",
]

# Characters no one types on purpose: C0 and C1 controls (tab, line feed and carriage return
# apart), lone surrogates and the non-characters U+FFFE and U+FFFF. Text holding one can hide
# words from a reader, breaks Word and XML output, and is never what a practitioner meant. A
# scenario file holding one is refused when it is read (yamlfile.py); the model itself does not
# refuse them yet, since the guided questions hand it typed answers unchecked.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")


def unprintable(text: str) -> str | None:
    """What is wrong with `text`, in plain words, if it holds a character no field may hold."""
    found = _UNPRINTABLE.search(text)
    if found is None:
        return None
    return f"contains {character_name(found.group())} at character {found.start() + 1}; remove it: no field may hold one"


def character_name(char: str) -> str:
    """A character no one types on purpose, named for a reader: 'an invisible control character (U+0001)'."""
    code = f"U+{ord(char):04X}"
    if "\ud800" <= char <= "\udfff":
        return f"a broken character ({code}, half of a pair that must go together)"
    if char in "\ufffe\uffff":
        return f"a character that is not text ({code})"
    return f"an invisible control character ({code})"


Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
def _not_a_number(value: Any) -> Any:
    # pydantic would read a number as seconds since 1970 (`as_of: 0` is 1 January 1970): a
    # date is written YYYY-MM-DD, never as a number, so a number is refused in words.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise PydanticCustomError("date_from_number", f"expected a date YYYY-MM-DD, not the number {value!r}")
    return value


# A date: YYYY-MM-DD (a YAML date, or the same text quoted, as JSON gives it); never a number.
Day = Annotated[dt.date, Field(strict=False), BeforeValidator(_not_a_number)]
# An entry of the partnership's directory (directory.py): kebab-case, as its files require.
DirectoryId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)]
AGREEMENT_STATES = ("none", "in_place", "expired")
_KEBAB = re.compile(r"[a-z0-9]+(-[a-z0-9]+)*")
# The fields that name an entry of the partnership's directory. They are not facts the rules
# weigh: what the directory says about the entry is (directory.complete fills it in first).
REFERENCES = frozenset({"share.from.partner", "share.to.partner", "share.governance.agreement_id"})
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
    # Added field: the organisation's id in the partnership's directory (partners.yaml). Its
    # type, signatory status on the share's date, authority status and nation then come from
    # the directory (directory.complete), and a stated value that differs is reported.
    # Any text: an id written as a name or in capitals is answered with a "did you mean".
    partner: Annotated[str, StringConstraints(min_length=1, max_length=200)] | None = None

    def effective(self, which: Literal["public_authority", "competent_authority"]) -> bool | None:
        """The stated status, else the party type's default, else unknown."""
        stated = self.public_authority if which == "public_authority" else self.competent_authority
        if stated is not None:
            return stated
        if self.type is None:
            return None
        public, competent = PARTY_DEFAULTS[self.type]
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
    categories: list[DataCategory] | None = None
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
    # Added: `agreement:` may also name an agreement of the partnership's directory by its id
    # (agreements.yaml); it is kept here, and the directory says whether that agreement is in
    # place, expired or covers this share (directory.complete). A kebab-case word that is not
    # one of the three states is taken as an id, so a misspelt state ("inplace") is reported
    # with a "did you mean" when the directory has no such agreement.
    agreement_id: DirectoryId | None = None
    agreement_covers_purpose: bool | None = None
    # Added: this share is made as the named agreement sets out, so the facts the agreement
    # settles for every share it covers (its lawful basis, how information is sent and kept...)
    # hold for it too and need not be stated (directory.complete). Never assumed: unstated, the
    # decision asks for them instead.
    follows_agreement: bool | None = None
    dpia: Literal["done", "not_done", "not_required"] | None = None
    joint_controller_arrangement: bool | None = None
    processor_contract: bool | None = None
    privacy_notice: Literal["covers", "does_not_cover", "exempt"] | None = None
    # Added field: when the information sharing agreement is next due for review.
    agreement_review_date: Day | None = None
    # Added fields (UK GDPR Art 36): the DPIA found a high risk that the controller's measures do
    # not reduce, and whether the ICO was consulted before the processing starts.
    dpia_residual_high_risk: bool | None = None
    ico_consulted: bool | None = None
    # Added field: the national data opt-out has been applied to the confidential patient
    # information before it is used for research or planning (NHS England's policy).
    national_data_opt_out_applied: bool | None = None

    @model_serializer(mode="wrap")
    def _agreement_id_written_as_agreement(self, handler: SerializerFunctionWrapHandler) -> Any:
        # Written back the way the format documents it (`agreement: ID`), so a saved or
        # downloaded scenario reads as its author wrote it.
        data = handler(self)
        if isinstance(data, dict) and data.get("agreement_id") is not None and data.get("agreement") is None:
            data = {("agreement" if k == "agreement_id" else k): v for k, v in data.items() if k != "agreement"}
        return data

    @model_validator(mode="before")
    @classmethod
    def _agreement_by_id(cls, data: Any) -> Any:
        if isinstance(data, dict):
            named = data.get("agreement")
            if isinstance(named, str) and named not in AGREEMENT_STATES and _KEBAB.fullmatch(named) \
                    and "agreement_id" not in data:
                data = {k: v for k, v in data.items() if k != "agreement"} | {"agreement_id": named}
        return data


class Handling(_Strict):
    transfer: TransferMethod | None = None
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
    processing: list[ProcessingFeature] | None = None

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


class Expect(_Strict):
    verdict: Verdict
    rules: list[Text] | None = None
    open_points: list[Text] | None = None


class Scenario(_Strict):
    # Where the scenario came from, for locating a problem found after validation (an unknown
    # partner id): the file's name and the line of each field path. Set by the loader.
    _source: str | None = PrivateAttr(default=None)
    _lines: dict[str, int] = PrivateAttr(default_factory=dict)

    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)] | None = None
    title: Text | None = None
    # Lax for this one field so a quoted "2026-12-01" (or JSON) is accepted too.
    as_of: Day | None = None
    share: Share
    expect: Expect | None = None
