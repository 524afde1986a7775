"""The fact: what the rules see of a scenario.

A scenario becomes one flat mapping (`to_fact`) that both durable_rules and the interpreter
evaluate: every stated field under its fact key (dots become double underscores, since
durable_rules would read dots as nesting), the date of the share as a number, which of the
rules' phrases each text mentions, and the derived facts.

The derived facts are one table, `DERIVED`: each entry gives the fact's path, the scenario
fields it comes from, how it is computed and what it means, in plain words. Everything else
follows from the table: the fact, `SOURCES` (which questions settle a derived fact) and the
derived entries of `FIELDS` (what a rule may test, with the table's words as documentation).
An entry whose path is itself a scenario field completes that field: a party's authority status
is its own field when stated, else follows from the party's type.

Unknown stays unknown: a computation that cannot tell returns None and the key is left out.
"""

from __future__ import annotations

import datetime as dt
import difflib
import re
import types
import typing
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import cached_property
from typing import Annotated, Any, Literal, Protocol

from pydantic import BaseModel

from .scenario import REFERENCES, Party, Scenario, Share
from .vocabulary import EEA, PARTIAL_ADEQUACY, SPECIAL_CATEGORIES, UK_ADEQUACY

__all__ = [
    "DERIVED",
    "FACT_MARKER",
    "FIELDS",
    "SOURCES",
    "CatalogueEntry",
    "Derived",
    "FieldSpec",
    "Given",
    "TextPhrases",
    "close_powers",
    "date_number",
    "fact_key",
    "mentions",
    "power_phrase",
    "power_words",
    "recognised_powers",
    "to_fact",
    "words",
]

FACT_MARKER = "isp__fact"  # a key only scenario facts carry; the engine's catch-all keys on it


def fact_key(path: str) -> str:
    """Dotted field path -> flat fact key (durable_rules would read dots as nesting)."""
    return path.replace(".", "__")


def date_number(day: dt.date) -> int:
    """2026-02-05 -> 20260205: durable_rules compares numbers, not dates."""
    return day.year * 10000 + day.month * 100 + day.day


# --- mentions: which phrases and powers a text names -------------------------------------

def words(text: str) -> str:
    """Text -> ' lower case words ' (padded, '&' read as 'and'), so phrases match whole words."""
    # Letters and digits are separate words, so "PCSCA2022 s16" reads as "pcsca 2022 s 16"; but a
    # letter or two written onto a number is part of it, as in a section inserted later: "s213B"
    # reads as "s 213b", another section than s213 (Housing Act 1996 s213B, the duty to refer).
    # A capital or two set apart from the number ("s.213 B") is the same letter, unless a word
    # follows it ("s 17 A council ...").
    text = _SPACED_LETTER.sub(r"\1\2", text)
    return " " + " ".join(_WORD.findall(text.lower().replace("&", " and "))) + " "


_WORD = re.compile(r"[0-9]+[a-z]{1,2}(?![a-z0-9])|[a-z]+|[0-9]+")
_SPACED_LETTER = re.compile(r"([0-9]) ([A-Z]{1,2})(?![A-Za-z0-9])(?! +[a-z])")


def mentions(text_words: str, phrase: str) -> bool:
    """Whether padded words contain a phrase; 'a + b' needs every part, in any order."""
    return all(f" {part} " in text_words for part in phrase.split(" + "))


# Recognising the power named (the catalogue of gateways and powers, rulesets/powers/): the
# same whole-word matching as `mentions`, with the usual abbreviations read alike, so
# "section 47", "s.47" and "s47" are one phrase.
_POWER_WORDS = {"section": "s", "sections": "s", "sec": "s", "ss": "s", "schedule": "sch", "schedules": "sch",
                "paragraph": "para", "paragraphs": "para", "paras": "para", "regulation": "reg",
                "regulations": "reg", "regs": "reg", "article": "art", "articles": "art", "arts": "art"}


# Acts practitioners name by a short form as often as by their title.
_POWER_PHRASES = ((" national health service act ", " nhs act "),)


# "ss3 and 82" names s3 and s82: each number of a list after a section word reads with that word.
_LISTED = re.compile(r" (s|sch|para|reg|art) ([0-9]+[a-z]{0,2}) (and|or) (?=[0-9])")


def power_words(text: str) -> str:
    """words(), with section/schedule/paragraph/regulation/article read as s/sch/para/reg/art, an
    Act's usual short form for its title (the NHS Act), and a list of sections read as one
    section each ("ss3 and 82" as "s 3 and s 82")."""
    text = re.sub(r",\s*(?=[0-9])", " and ", text)  # "ss 17, 47 and 115"
    normal = " " + " ".join(_POWER_WORDS.get(w, w) for w in words(text).split()) + " "
    for long, short in _POWER_PHRASES:
        normal = normal.replace(long, short)
    while True:
        listed = _LISTED.sub(r" \1 \2 \3 \1 ", normal)
        if listed == normal:
            return normal
        normal = listed


def power_phrase(phrase: str) -> str:
    """A catalogue name in normal form: 'Children Act 1989 + section 47' -> 'children act 1989 + s 47'."""
    return " + ".join(power_words(part).strip() for part in phrase.split("+"))


class CatalogueEntry(Protocol):
    """What the fact needs of an entry of the catalogue of gateways and powers (ruleset.Power)."""

    @property
    def match(self) -> tuple[str, ...]:
        """The names it is recognised by, in power_phrase's normal form."""
        ...

    @property
    def label(self) -> str: ...

    @property
    def statute(self) -> str: ...

    @property
    def who(self) -> Sequence[str]:
        """The discloser party types that may use it; empty: any discloser."""
        ...

    @property
    def purposes(self) -> Sequence[str]:
        """The share purposes it serves; empty: not narrowed."""
        ...

    @property
    def to(self) -> Sequence[str]:
        """The recipient party types it discloses to; empty: any recipient."""
        ...

    @property
    def written(self) -> bool:
        """Whether the duty arises only on a notice or requirement in writing."""
        ...

    @property
    def instrument(self) -> str | None:
        """The request.instrument (a court order, a coroner's notice) the entry stands for."""
        ...

    @property
    def is_duty(self) -> bool: ...

    @property
    def is_basis(self) -> bool: ...

    @property
    def permits_disclosure(self) -> bool: ...

    @property
    def is_function(self) -> bool: ...

    def in_force_on(self, day: dt.date) -> bool: ...


def recognised_powers(text: str, powers: Iterable[CatalogueEntry]) -> list[CatalogueEntry]:
    """The catalogue entries the text names."""
    normal = power_words(text)
    return [p for p in powers if any(mentions(normal, phrase) for phrase in p.match)]


def close_powers(text: str, powers: Iterable[CatalogueEntry], n: int = 3) -> list[str]:
    """'Statute section' of the entries that read most like an unrecognised power, best first."""
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


class TextPhrases(dict[str, frozenset[str]]):
    """Text field -> the phrases the rules' `mentions` tests look for (what to_fact is given),
    carrying the ruleset's catalogue of powers, from which the power facts are computed."""

    def __init__(self, data: Mapping[str, Iterable[str]] | None = None,
                 powers: Iterable[CatalogueEntry] = ()) -> None:
        super().__init__({path: frozenset(found) for path, found in (data or {}).items()})
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

    def recognise(self, text: str) -> list[CatalogueEntry]:
        """recognised_powers over the whole catalogue, for a text."""
        return self._remember(("power", text), lambda: recognised_powers(text, self.powers))

    def mentioned(self, path: str, text: str) -> list[str]:
        """The phrases of one text field that the text contains."""
        def find() -> list[str]:
            normal = words(text)
            return sorted(p for p in self[path] if mentions(normal, p))

        return list(self._remember(("phrase", path, text), find))


# --- the derived facts ------------------------------------------------------------------

class Given:
    """What a derived fact is computed from: the share, the date of the share, and the ruleset's
    phrases (which carry its catalogue of powers)."""

    def __init__(self, share: Share, day: dt.date, phrases: Mapping[str, Iterable[str]] | None = None) -> None:
        self.share = share
        self.day = day
        self.phrases = phrases

    @property
    def anonymous(self) -> bool:
        """Recital 26: anonymised or aggregate data is not personal data (so not special category
        or criminal offence data either)."""
        return self.share.data.identifiability in ("anonymised", "aggregate", "non_personal")

    @cached_property
    def powers(self) -> list[CatalogueEntry] | None:
        """The catalogue entries in force on the date of the share that basis.legal_power names
        (law pending commencement is not recognised); None when no power is named or the ruleset
        has no catalogue."""
        text = self.share.basis.legal_power
        if not isinstance(self.phrases, TextPhrases) or not self.phrases.powers:
            return None
        # A stated order or notice is the law it is made under, named or not.
        instrument = self.share.request.instrument
        ordered = [p for p in self.phrases.powers if instrument is not None and p.instrument == instrument]
        if text is None and not ordered:
            return None
        named = self.phrases.recognise(text) if text is not None else []
        both = list(named) + [p for p in ordered if all(p is not q for q in named)]
        return [p for p in both if p.in_force_on(self.day)]

    @cached_property
    def usable(self) -> list[CatalogueEntry]:
        """The recognised entries the discloser may use (those open to any discloser, or to its type)."""
        kind = self.share.from_.type
        return [p for p in self.powers or [] if not p.who or kind in p.who]


@dataclass(frozen=True)
class Derived:
    """One derived fact: true or false when its sources tell, else absent (unknown)."""

    path: str
    sources: tuple[str, ...]  # the scenario fields it comes from
    compute: Callable[[Given], bool | None]  # None: not known, the key stays out of the fact
    doc: str  # what it means, in plain words (the field reference)

    @property
    def key(self) -> str:
        return fact_key(self.path)


def _both_signed(g: Given) -> bool | None:
    signed = (g.share.from_.signatory, g.share.to.signatory)
    if False in signed:
        return False
    return True if signed == (True, True) else None


def _any_power(kind: Callable[[CatalogueEntry], bool]) -> Callable[[Given], bool | None]:
    """Whether a recognised entry the discloser may use (any, if none may) is of a kind; None when
    no power named is recognised."""
    def derive(g: Given) -> bool | None:
        if not g.powers:
            return None
        return any(kind(p) for p in (g.usable or g.powers))
    return derive


def _power_reaches(g: Given) -> bool | None:
    """Whether a recognised entry discloses to a recipient of the stated type; None when no power
    named is recognised or the recipient's type is not stated."""
    kind = g.share.to.type
    if not g.powers or kind is None:
        return None
    return any(not p.to or kind in p.to for p in g.powers)


def _power_available(g: Given) -> bool | None:
    if not g.powers or g.share.from_.type is None:
        return None
    return bool(g.usable)


def _authority(side: Literal["from", "to"], which: Literal["public_authority", "competent_authority"]) -> Derived:
    """A party's authority status: its own field when stated, else its type's default."""
    def party(g: Given) -> Party:
        return g.share.from_ if side == "from" else g.share.to

    path = f"share.{side}.{which}"
    return Derived(path, (path, f"share.{side}.type"), lambda g: party(g).effective(which),
                   f"the stated {which.replace('_', ' ')} status, else the default for the party's type "
                   "(vocabulary.PARTY_DEFAULTS)")


DERIVED: tuple[Derived, ...] = (
    Derived("share.data.special_category", ("share.data.categories", "share.data.identifiability"),
            lambda g: None if g.share.data.categories is None
            else not g.anonymous and any(c in SPECIAL_CATEGORIES for c in g.share.data.categories),
            "true when data.categories holds a UK GDPR Art 9(1) category and the data is not stated to be "
            "anonymised, aggregate or non-personal"),
    Derived("share.data.criminal_offence", ("share.data.categories", "share.data.identifiability"),
            lambda g: None if g.share.data.categories is None
            else not g.anonymous and "criminal_offence" in g.share.data.categories,
            "true when data.categories holds criminal_offence and the data is not stated to be anonymised, "
            "aggregate or non-personal"),
    Derived("share.data.anonymous", ("share.data.identifiability",),
            lambda g: None if g.share.data.identifiability is None else g.anonymous,
            "true when data.identifiability is anonymised, aggregate or non_personal; false when identified or "
            "pseudonymised"),
    Derived("share.to.uk_adequacy", ("share.to.location",),
            lambda g: g.share.to.location in UK_ADEQUACY,
            "true when to.location is covered by UK adequacy regulations (vocabulary.UK_ADEQUACY)"),
    Derived("share.to.uk_adequacy_full", ("share.to.location",),
            lambda g: g.share.to.location in UK_ADEQUACY - PARTIAL_ADEQUACY,
            "true when UK adequacy regulations cover to.location for every recipient (not only a sector, a law "
            "or certified recipients: vocabulary.PARTIAL_ADEQUACY)"),
    Derived("share.from.in_uk", ("share.from.location",),
            lambda g: g.share.from_.location == "GB", "true when from.location is GB"),
    Derived("share.to.in_uk", ("share.to.location",),
            lambda g: g.share.to.location == "GB", "true when to.location is GB"),
    Derived("share.from.eea", ("share.from.location",),
            lambda g: g.share.from_.location in EEA, "true when from.location is in the European Economic Area"),
    Derived("share.to.eea", ("share.to.location",),
            lambda g: g.share.to.location in EEA, "true when to.location is in the European Economic Area"),
    Derived("share.governance.agreement_review_overdue", ("share.governance.agreement_review_date",),
            lambda g: None if g.share.governance.agreement_review_date is None
            else g.share.governance.agreement_review_date < g.day,
            "true when governance.agreement_review_date is before the date of the share"),
    Derived("share.both_signatories", ("share.from.signatory", "share.to.signatory"), _both_signed,
            "true when both parties signed the protocol, false when either did not"),
    Derived("share.basis.power_recognised", ("share.basis.legal_power", "share.request.instrument"),
            lambda g: None if g.powers is None else bool(g.powers),
            "when basis.legal_power is stated: true when it names an entry of the catalogue of gateways and "
            "powers (rulesets/powers/), false when it names none"),
    Derived("share.basis.power_is_duty", ("share.basis.legal_power", "share.request.instrument", "share.from.type"), _any_power(lambda p: p.is_duty),
            "when the power named is recognised: true when a recognised entry the discloser may use (any, if "
            "none may) is a duty to disclose, false when none is"),
    Derived("share.basis.power_is_basis", ("share.basis.legal_power", "share.request.instrument", "share.from.type"), _any_power(lambda p: p.is_basis),
            "when the power named is recognised: true when a recognised entry the discloser may use (any, if "
            "none may) is a duty, a power or a function, false when each is only an exemption or sets aside "
            "confidence"),
    Derived("share.basis.power_permits_disclosure", ("share.basis.legal_power", "share.request.instrument", "share.from.type"),
            _any_power(lambda p: p.permits_disclosure),
            "when the power named is recognised: true when a recognised entry the discloser may use (any, if "
            "none may) is a duty or a power to disclose, false when each is a function or an exemption"),
    Derived("share.basis.several_laws_named", ("share.basis.legal_power", "share.request.instrument", "share.from.type"),
            lambda g: None if not g.powers else len(g.usable or g.powers) > 1,
            "when the power named is recognised: true when it names more than one entry the discloser may use "
            "(any, if none may), false when it names one"),
    Derived("share.basis.power_needs_writing", ("share.basis.legal_power", "share.request.instrument"),
            lambda g: None if not g.powers else any(p.is_duty and p.written for p in g.powers),
            "when the power named is recognised: true when a recognised entry is a duty that arises only on a "
            "notice or requirement in writing"),
    Derived("share.basis.power_reaches_recipient", ("share.basis.legal_power", "share.request.instrument", "share.to.type"), _power_reaches,
            "when the power named is recognised and the recipient's type is stated: true when a recognised entry "
            "discloses to any recipient or to one of that type"),
    Derived("share.basis.power_available", ("share.basis.legal_power", "share.request.instrument", "share.from.type"), _power_available,
            "when the power named is recognised and the discloser's type is stated: true when a recognised "
            "entry may be used by any discloser or by one of that type"),
    # Scenario fields the fact completes: a stated status stands, else the type's default.
    _authority("from", "public_authority"),
    _authority("to", "public_authority"),
    _authority("from", "competent_authority"),
    _authority("to", "competent_authority"),
)

# The scenario fields each derived fact comes from: what to ask when a rule needs it.
SOURCES: Mapping[str, tuple[str, ...]] = {d.path: d.sources for d in DERIVED}


# --- what a rule may test ---------------------------------------------------------------

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
        if path in REFERENCES:
            continue  # a directory id: the rules see what the directory says, not the id
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


def _fields() -> dict[str, FieldSpec]:
    fields = {s.path: s for s in _specs(Scenario, "")}
    # A derived fact is true or false; an entry completing a scenario field keeps that field's spec.
    derived = {d.path: FieldSpec(d.path, "bool", derived=d.doc) for d in DERIVED if d.path not in fields}
    return fields | derived


# Every field a rule may test: the scenario's own (dotted path, from the model) and the derived facts.
FIELDS: dict[str, FieldSpec] = _fields()


# --- the fact ---------------------------------------------------------------------------

_FLAT: dict[tuple[type, str], tuple[tuple[str, str, str], ...]] = {}
_AS_IS = frozenset({str, bool, int, float})  # written into the fact as they are


def _flat_fields(cls: type[BaseModel], prefix: str) -> tuple[tuple[str, str, str], ...]:
    """(attribute, path, fact key) of each field a model class puts in the fact, worked out
    once per class and place (a directory id is left out: the rules see what the directory says)."""
    found = _FLAT.get((cls, prefix))
    if found is None:
        found = _FLAT[(cls, prefix)] = tuple(
            (name, path, fact_key(path)) for name, info in cls.model_fields.items()
            if (path := f"{prefix}{info.alias or name}") not in REFERENCES)
    return found


def _flatten(model: BaseModel, prefix: str, out: dict[str, Any]) -> None:
    for name, path, key in _flat_fields(type(model), prefix):
        value = getattr(model, name)
        if value is None:
            continue  # unknown stays unknown: the key is simply not in the fact
        if type(value) in _AS_IS:
            out[key] = value
        elif isinstance(value, BaseModel):
            _flatten(value, path + ".", out)
        elif isinstance(value, dt.date):
            out[key] = date_number(value)
        elif isinstance(value, list):
            out[key] = list(value)
            out[key + "__n"] = len(value)
        else:
            out[key] = value


def to_fact(scenario: Scenario, as_of: dt.date | None = None,
            phrases: Mapping[str, Iterable[str]] | None = None) -> dict[str, Any]:
    """The flat fact that both durable_rules and the interpreter evaluate.

    `phrases` (a ruleset's `phrases`) lists, per text field, the phrases its `mentions`
    tests look for; the fact records which of them the text contains. A ruleset's phrases
    also carry its catalogue of powers, from which the power facts are computed.
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
    given = Given(share, day, phrases)
    for derived in DERIVED:
        value = derived.compute(given)
        if value is None:
            fact.pop(derived.key, None)
        else:
            fact[derived.key] = value
    return fact
