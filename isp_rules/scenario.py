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
import types
import typing
from collections.abc import Callable
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    SerializerFunctionWrapHandler,
    Strict,
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
    "Completion",
    "Consent",
    "Contradiction",
    "Data",
    "DirectoryFact",
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
    "validate_scenario",
]

# Characters no one types on purpose: C0 and C1 controls (tab, line feed and carriage return
# apart), lone surrogates and the non-characters U+FFFE and U+FFFF. Text holding one can hide
# words from a reader, breaks Word and XML output, and is never what a practitioner meant. A
# scenario file holding one is refused when it is read (yamlfile.py); the model itself does not
# refuse them yet, since the guided questions hand it typed answers unchecked.
# The bidirectional embeddings, overrides and isolates (U+202A-U+202E, U+2066-U+2069) too: they
# make text read otherwise than it is stored ("Trojan Source", CVE-2021-42574), in a reason, a
# draft or the register, and no one types them on purpose.
_UNPRINTABLE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff\u202a-\u202e\u2066-\u2069]")


# What the register keeps and lists as who acted, a case reference or a note must also read as it
# is stored: no bidirectional embeddings, overrides or isolates (U+202A-U+202E, U+2066-U+2069;
# "Trojan Source", CVE-2021-42574), no zero-width or invisible characters (U+200B-U+200F,
# U+2060-U+2065, U+FEFF) and no line or paragraph separators (U+2028, U+2029). A name that
# shows as "Alice" must be stored as "Alice".
DISGUISING = "\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff"
_DISGUISING = re.compile(f"[{DISGUISING}]")


def unprintable(text: str, record: bool = False) -> str | None:
    """What is wrong with `text`, in plain words, if it holds a character no field may hold; with
    `record`, also one that would make what the register keeps read otherwise than it is stored."""
    found = _UNPRINTABLE.search(text) or (_DISGUISING.search(text) if record else None)
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
    if "\u202a" <= char <= "\u202e" or "\u2066" <= char <= "\u2069":
        return f"a character that reverses how text reads ({code})"
    if char in "\u2028\u2029":
        return f"a hidden line break ({code})"
    if _DISGUISING.match(char):
        return f"an invisible character ({code})"
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
    # The processing is not part of the public authority's tasks: the Art 6(1) closing words bar
    # legitimate interests only for processing "in the performance of their tasks".
    outside_public_tasks: bool | None = None


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
        return _agreement_by_id(data)


def _agreement_by_id(data: Any) -> Any:
    """`agreement: ID` read as the id of an agreement of the directory (Governance, and the fast path)."""
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



# --- what the partnership's directory added to a scenario --------------------------------
#
# directory.complete fills these in and a Decision carries them. They are defined here, below
# both, so deciding a share that names no directory entry never loads the directory.
@dataclass(frozen=True)
class DirectoryFact:
    """A fact of the scenario that came from the partnership's directory."""

    field: str  # the scenario field it fills, e.g. "share.from.signatory"
    value: Any
    words: str  # what the directory says, in plain words
    source: str  # where it says it: "the partnership's directory of partners"


@dataclass(frozen=True)
class Contradiction:
    """A stated fact that differs from what the partnership's directory says."""

    field: str
    stated: Any
    directory: Any
    words: str  # in plain words, saying which value the decision used


@dataclass(frozen=True)
class Completion:
    """A scenario completed from the directory, with what was filled and what disagreed."""

    scenario: Scenario
    filled: tuple[DirectoryFact, ...] = ()
    contradictions: tuple[Contradiction, ...] = ()
    unknown: tuple[str, ...] = ()  # what the directory could not settle without more facts, in words


# --- the fast path: valid input without building pydantic's validators ------------------
#
# Building pydantic's validator for the Scenario model is paid by every fresh process that
# reads a scenario (a cold `isp check`). So valid input is checked here, by a plain walk derived from the model's own fields,
# and only input this walk cannot prove valid goes to pydantic, which refuses it and words the
# problems as it always has (loader.pydantic_problems). The walk never accepts what pydantic
# would refuse: whatever it does not recognise (a type, a constraint, a validator) it leaves to
# pydantic. tests/test_fast_path.py checks both agree, on generated valid and broken input.

class _Unsure(Exception):
    """The walk cannot prove the value valid: pydantic decides, and explains."""


_Check = Callable[[Any], Any]
_SURROGATE = re.compile(r"[\ud800-\udfff]")  # pydantic refuses text it cannot encode
_ISO_DAY = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# Model validators the walk applies itself, by model; any other validator sends input to pydantic.
_BEFORE: dict[type[BaseModel], Callable[[Any], Any]] = {Governance: _agreement_by_id}


def _text(min_length: int | None, max_length: int | None, pattern: str | re.Pattern[str] | None) -> _Check:
    matcher = None
    if pattern is not None:
        if not isinstance(pattern, str):
            raise TypeError(f"pattern not understood: {pattern!r}")
        inner = pattern.removeprefix("^").removesuffix("$")
        if not (pattern.startswith("^") and pattern.endswith("$")) or "^" in inner or "$" in inner:
            raise TypeError(f"pattern not understood: {pattern}")
        matcher = re.compile(inner).fullmatch  # pydantic's ^...$ matches the whole text

    def check(value: Any) -> Any:
        if type(value) is not str or _SURROGATE.search(value) \
                or (min_length is not None and len(value) < min_length) \
                or (max_length is not None and len(value) > max_length) \
                or (matcher is not None and matcher(value) is None):
            raise _Unsure
        return value
    return check


def _day(value: Any) -> Any:
    if type(value) is dt.date:
        return value
    if type(value) is str and _ISO_DAY.fullmatch(value):
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    raise _Unsure


def _boolean(value: Any) -> Any:
    if type(value) is not bool:
        raise _Unsure
    return value


def _checker(annotation: Any, metadata: list[Any]) -> _Check:
    """A check for one field's type, or TypeError for a type the walk does not know."""
    origin, args = typing.get_origin(annotation), typing.get_args(annotation)
    if origin is Annotated:
        return _checker(args[0], list(annotation.__metadata__) + metadata)
    if origin in (typing.Union, types.UnionType) and type(None) in args and len(args) == 2:
        inner = _checker(next(a for a in args if a is not type(None)), metadata)
        return lambda value: None if value is None else inner(value)
    if annotation is str:
        constraints = [m for m in metadata if isinstance(m, StringConstraints)]
        if len(constraints) != len(metadata) or len(constraints) > 1:
            raise TypeError(f"constraints not understood: {metadata}")
        c = constraints[0] if constraints else StringConstraints()
        if any(x is not None for x in (c.strip_whitespace, c.to_upper, c.to_lower, c.strict, c.ascii_only)):
            raise TypeError(f"constraints not understood: {c}")
        return _text(c.min_length, c.max_length, c.pattern)
    if annotation is dt.date:
        # A Day: a date, or YYYY-MM-DD as text (the lax date), never a number (_not_a_number).
        lax = [m for m in metadata if getattr(m, "metadata", None) == [Strict(strict=False)]]
        refuses_numbers = [m for m in metadata if getattr(m, "func", None) is _not_a_number]
        if len(lax) != 1 or len(refuses_numbers) != 1 or len(metadata) != 2:
            raise TypeError(f"date constraints not understood: {metadata}")
        return _day
    if metadata:
        raise TypeError(f"constraints not understood: {metadata}")
    if annotation is bool:
        return _boolean
    if origin is Literal and all(type(a) is str for a in args):
        allowed = frozenset(args)

        def word(value: Any) -> Any:
            if type(value) is not str or value not in allowed:
                raise _Unsure
            return value
        return word
    if origin is list and len(args) == 1:
        item = _checker(args[0], [])

        def items(value: Any) -> Any:
            if type(value) is not list:
                raise _Unsure
            return [item(v) for v in value]
        return items
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return _model_checker(annotation)
    raise TypeError(f"type not understood: {annotation!r}")


def _model_checker(model: type[BaseModel]) -> _Check:
    """A check for one model: exactly its fields (by alias where it has one), each valid, the
    required ones given; the result built without validation once all of that is proved."""
    config = model.model_config
    decorators = model.__pydantic_decorators__
    if config.get("extra") != "forbid" or config.get("strict") is not True or not model.__pydantic_fields_complete__ \
            or decorators.field_validators or decorators.validators or decorators.root_validators \
            or set(decorators.model_validators) - ({"_agreement_by_id"} if model in _BEFORE else set()):
        raise TypeError(f"{model.__name__}: configuration or validators not understood")
    before = _BEFORE.get(model)
    fields: dict[str, tuple[str, _Check]] = {}  # the key as written -> (field name, check)
    required: set[str] = set()
    nested: dict[str, type[BaseModel]] = {}  # fields whose default is an empty model
    for name, info in model.__pydantic_fields__.items():
        if info.validation_alias is not None and info.validation_alias != info.alias:
            raise TypeError(f"{model.__name__}.{name}: alias not understood")
        fields[info.alias or name] = (name, _checker(info.annotation, list(info.metadata)))
        if info.is_required():
            required.add(name)
        elif info.default_factory is not None:
            factory = info.default_factory
            if not (isinstance(factory, type) and issubclass(factory, BaseModel)):
                raise TypeError(f"{model.__name__}.{name}: default not understood")
            nested[name] = factory

    def check(value: Any) -> Any:
        if before is not None:
            value = before(value)
        if type(value) is not dict:
            raise _Unsure
        given: dict[str, Any] = {}
        for key, raw in value.items():
            found = fields.get(key) if type(key) is str else None
            if found is None:
                raise _Unsure
            name, field_check = found
            given[name] = field_check(raw)
        if not required <= given.keys():
            raise _Unsure
        defaults = {name: _empty(kind) for name, kind in nested.items() if name not in given}
        # model_construct: every value above is proved valid, so nothing is validated again.
        return model.model_construct(_fields_set=set(given), **given, **defaults)
    return check


def _empty(model: type[BaseModel]) -> BaseModel:
    """What the default factory gives (the model with nothing stated), without validating."""
    nested = {name: _empty(info.default_factory) for name, info in model.__pydantic_fields__.items()
              if isinstance(info.default_factory, type) and issubclass(info.default_factory, BaseModel)}
    return model.model_construct(_fields_set=set(), **nested)


_FAST: list[_Check | None] = []  # the walk for Scenario, made on first use


def _fast_check() -> _Check | None:
    if not _FAST:
        try:
            _FAST.append(_model_checker(Scenario))
        except TypeError:  # a model this walk does not understand: pydantic checks everything
            _FAST.append(None)
    return _FAST[0]


def validate_scenario(data: Any) -> Scenario:
    """`Scenario.model_validate(data)`, without building pydantic's validator for valid input.
    Raises pydantic's ValidationError for invalid input, exactly as model_validate does."""
    check = _fast_check()
    if check is not None:
        try:
            scenario: Scenario = check(data)
            return scenario
        except _Unsure:
            pass
    return Scenario.model_validate(data)
