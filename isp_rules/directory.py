"""The partnership's directory, kept as data beside the rules (Appendix A made live).

A ruleset folder may hold a `directory/` subfolder with two files:

    partners.yaml     each organisation: id, name, type, when it signed the protocol (and left it),
                      public- or competent-authority overrides, nation, DPO contact
    agreements.yaml   each information sharing agreement: id, title, parties, purposes, data,
                      routine or one-off, start, review and end dates, document reference

Both are read as strictly as the rules (yamlfile.py): every problem is one located line
(file:line: path: message), all are collected, and they are raised together as RulesetError.
The directory is not part of the ruleset's sha256 (loader.ruleset_digest reads only the top
folder and powers/): it records who the partners are, which changes as organisations sign and
agreements are reviewed, not what the law says, so editing it does not change a decision's
ruleset identity. The rule loader does not read it either (loader.ruleset_files is not recursive).
"""

from __future__ import annotations

import datetime as dt
import os
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Literal, TypeVar

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, ValidationError

from .errors import InputError, IspError, Problem, RulesetError, did_you_mean, format_path
from .labels import PARTY_LABELS, label, value_words
from .loader import describe_kind, pydantic_problems, show_value
from .scenario import AGREEMENT_STATES, Completion, Contradiction, DirectoryFact, Scenario, Share
from .vocabulary import PARTY_DEFAULTS, DataCategory, Nation, PartyType, Purpose
from .yamlfile import DocPath, YamlDoc, read_yaml

__all__ = [
    "AGREEMENTS_FILE",
    "DIRECTORY_DIR",
    "PARTNERS_FILE",
    "Agreement",
    "AgreementStatus",
    "Completion",
    "Contradiction",
    "Directory",
    "DirectoryFact",
    "Partner",
    "SignatoryStatus",
    "UnknownAgreementError",
    "UnknownPartnerError",
    "complete",
    "directory_for",
    "directory_path",
    "directory_warnings",
    "load_directory",
    "reference_problems",
]

PURPOSE_FIELD = "share.purpose.category"  # the scenario fields whose words the directory's values use
DATA_FIELD = "share.data.categories"

DIRECTORY_DIR = "directory"
PARTNERS_FILE = "partners.yaml"
AGREEMENTS_FILE = "agreements.yaml"

KebabId = Annotated[str, StringConstraints(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$", max_length=120)]
Text = Annotated[str, StringConstraints(min_length=1, max_length=2000)]
Day = Annotated[dt.date, Field(strict=False)]  # a quoted "2026-12-01" is a date too, as a scenario's as_of

# A partner on a given day: signed the protocol and not left; left it; signed it later; never signed.
SignatoryStatus = Literal["signatory", "left", "not_yet_signed", "not_signed"]
# An agreement on a given day: in force; not started yet; in force but past its review date; ended.
AgreementStatus = Literal["in_force", "not_started", "review_overdue", "ended"]


class UnknownPartnerError(IspError):
    """An id that names no partner in the directory (with a "did you mean")."""

    def __init__(self, partner_id: str, known: Iterable[str]):
        self.partner_id = partner_id
        super().__init__(f"no partner '{partner_id}' in the partnership directory{did_you_mean(partner_id, known)}")


class UnknownAgreementError(IspError):
    """An id that names no agreement in the directory (with a "did you mean")."""

    def __init__(self, agreement_id: str, known: Iterable[str]):
        self.agreement_id = agreement_id
        super().__init__(f"no agreement '{agreement_id}' in the partnership directory{did_you_mean(agreement_id, known)}")


class _Entry(BaseModel):
    # Built on first use, not on import: most commands never read the directory.
    model_config = ConfigDict(extra="forbid", frozen=True, strict=True, defer_build=True)


class Partner(_Entry):
    """One organisation of the partnership."""

    id: KebabId
    name: Text
    type: PartyType
    signed_on: Day | None = None
    left_on: Day | None = None
    public_authority: bool | None = None
    competent_authority: bool | None = None
    nation: Nation | None = None
    dpo: Text | None = None
    note: Text | None = None

    def status_on(self, day: dt.date) -> SignatoryStatus:
        """Whether the partner is a signatory of the protocol on `day`."""
        if self.signed_on is None:
            return "not_signed"
        if day < self.signed_on:
            return "not_yet_signed"
        if self.left_on is not None and day >= self.left_on:
            return "left"
        return "signatory"

    @property
    def kind(self) -> str:
        """What kind of body it is, in plain words ("Council", "NHS trust (hospital, ...)")."""
        return _kind(self.type)

    @property
    def protocol_words(self) -> str:
        """When it signed the protocol (and left it), in plain words: "Signed 2018-05-25, left 2024-03-31"."""
        if self.signed_on is None:
            return "Not signed"
        if self.left_on is not None:
            return f"Signed {self.signed_on}, left {self.left_on}"
        return f"Signed {self.signed_on}"


class Agreement(_Entry):
    """One information sharing agreement between partners."""

    id: KebabId
    title: Text
    parties: list[KebabId] = Field(min_length=2)
    purposes: list[Purpose] = Field(min_length=1)
    data: list[DataCategory] = Field(min_length=1)
    frequency: Literal["routine", "one_off"]
    start: Day
    review: Day | None = None
    end: Day | None = None
    document: Text | None = None
    # What the agreement fixes for every share it covers, in the scenario format's words (its
    # lawful basis and conditions, how the partners relate, how information is sent and kept,
    # its DPIA and privacy notice): a share named under it is not asked these again. Only the
    # facts SETTLEABLE lists; what each case is about (purpose, people, consent, urgency) never.
    settles: Share | None = None

    def settled_facts(self) -> list[tuple[str, Any]]:
        """(field path, value) for each fact the agreement settles, in the order written."""
        if self.settles is None:
            return []
        return _leaves(self.settles.model_dump(mode="python", by_alias=True, exclude_unset=True), "share")

    @property
    def due_on(self) -> dt.date | None:
        """When the agreement next needs the secretariat: its review date, or its end if that is sooner."""
        dates = [d for d in (self.review, self.end) if d is not None]
        return min(dates) if dates else None

    @property
    def purpose_words(self) -> list[str]:
        """Its purposes as a practitioner would say them."""
        return [value_words(PURPOSE_FIELD, p) for p in self.purposes]

    @property
    def data_words(self) -> list[str]:
        """The kinds of data it shares, in plain words."""
        return [value_words(DATA_FIELD, d) for d in self.data]

    @property
    def frequency_words(self) -> str:
        return "Routine or regular" if self.frequency == "routine" else "One-off"

    @property
    def dates_words(self) -> str:
        """Its dates in plain words: "started 2021-04-01; review by 2027-03-31; ends 2027-03-01"."""
        return (f"started {self.start}; " + (f"review by {self.review}" if self.review else "no review date")
                + (f"; ends {self.end}" if self.end else ""))

    def due_words(self, today: dt.date) -> str:
        """When it is next due, counted from `today`: "Review due 2027-03-31: in 114 days",
        "... 3 days overdue", "Ended 2024-08-31: renew it, or take it off the list"; "" if never."""
        due = self.due_on
        if due is None:
            return ""
        if self.status_on(today) == "ended" and self.end is not None:
            return f"Ended {self.end}: renew it, or take it off the list"
        what = "Ends" if due == self.end and due != self.review else "Review due"
        days = (due - today).days
        if days < 0:
            return f"{what} {due}: {_days(-days)} overdue"
        if days == 0:
            return f"{what} {due}: today"
        return f"{what} {due}: in {_days(days)}"

    def status_words(self, today: dt.date) -> str:
        """Its standing on `today` in plain words: "In force", "In force: review due in 12 days",
        "Review 40 days overdue", "Ended 2024-08-31", "Not started: starts 2027-01-01"."""
        status = self.status_on(today)
        if status == "not_started":
            return f"Not started: starts {self.start}"
        if status == "ended":
            return f"Ended {self.end}"
        if status == "review_overdue" and self.review is not None:
            return f"Review {_days((today - self.review).days)} overdue"
        due = self.due_on
        if due is None:
            return "In force"
        what = "ends" if due == self.end and due != self.review else "review due"
        days = (due - today).days
        return f"In force: {what} today" if days == 0 else f"In force: {what} in {_days(days)}"

    def status_on(self, day: dt.date) -> AgreementStatus:
        if day < self.start:
            return "not_started"
        if self.end is not None and day > self.end:
            return "ended"
        if self.review is not None and day > self.review:
            return "review_overdue"
        return "in_force"


class Directory(BaseModel):
    """The partners and agreements of a partnership; empty when the ruleset has no directory."""

    model_config = ConfigDict(frozen=True, defer_build=True)

    partners: tuple[Partner, ...] = ()
    agreements: tuple[Agreement, ...] = ()
    source: str | None = None  # the folder it was read from, or None when there is none

    def partner(self, partner_id: str) -> Partner:
        """The partner with this id; UnknownPartnerError (with a "did you mean") if there is none."""
        for partner in self.partners:
            if partner.id == partner_id:
                return partner
        raise UnknownPartnerError(partner_id, [p.id for p in self.partners])

    def agreement(self, agreement_id: str) -> Agreement:
        """The agreement with this id; UnknownAgreementError (with a "did you mean") if there is none."""
        for agreement in self.agreements:
            if agreement.id == agreement_id:
                return agreement
        raise UnknownAgreementError(agreement_id, [a.id for a in self.agreements])

    def search(self, text: str) -> list[Partner]:
        """The partners whose id, name or kind of body contains every word of `text` (any case), in
        the directory's order; every partner for empty text."""
        words = text.casefold().split()
        found = []
        for partner in self.partners:
            haystack = " ".join((partner.id, partner.name, partner.type, PARTY_LABELS.get(partner.type, ""))).casefold()
            if all(word in haystack for word in words):
                found.append(partner)
        return found

    def due(self, today: dt.date, days: int) -> list[Agreement]:
        """The agreements whose review date (or end, if sooner) falls within the next `days` days or has
        already passed, soonest first: the secretariat's list of agreements to review, renew or retire."""
        # The calendar ends on 31 December 9999: a horizon past it is every date there is.
        horizon = today + dt.timedelta(days=days) if (dt.date.max - today).days >= days else dt.date.max
        due = [a for a in self.agreements if a.due_on is not None and a.due_on <= horizon]
        return sorted(due, key=lambda a: (a.due_on or dt.date.max, a.title.casefold()))

    def signed_on(self, partner: str | Partner, day: dt.date) -> SignatoryStatus:
        """Whether `partner` (an id or a Partner) is a signatory of the protocol on `day`."""
        found = partner if isinstance(partner, Partner) else self.partner(partner)
        return found.status_on(day)

    def names(self, partner_ids: Iterable[str]) -> list[str]:
        """The partners' names, for ids the directory holds (loading checked every agreement's)."""
        by_id = {p.id: p.name for p in self.partners}
        return [by_id.get(i, i) for i in partner_ids]


def _days(n: int) -> str:
    return f"{n} day{'' if n == 1 else 's'}"


def _kind(party_type: str) -> str:
    words = PARTY_LABELS.get(party_type, party_type.replace("_", " "))
    words = re.sub(r"^(A|An|The) ", "", words)
    return words[:1].upper() + words[1:]


# --- loading ----------------------------------------------------------------------------

def directory_path(rules_dir: str | os.PathLike[str]) -> Path:
    """Where a ruleset's directory lives: its `directory/` subfolder."""
    return Path(rules_dir) / DIRECTORY_DIR


_E = TypeVar("_E", Partner, Agreement)

# The facts an agreement may settle for every share it covers: what the partners agreed once
# (ICO data sharing code, "data sharing agreements": the lawful basis, the data, security,
# retention, the DPIA). A field under a listed block is settleable when the block is (basis,
# handling); the rest are named one by one.
SETTLEABLE = ("share.basis.", "share.handling.", "share.relationship", "share.confidentiality", "share.data.minimised",
              "share.governance.dpia", "share.governance.dpia_residual_high_risk", "share.governance.ico_consulted",
              "share.governance.privacy_notice", "share.governance.joint_controller_arrangement",
              "share.governance.processor_contract", "share.governance.national_data_opt_out_applied")


def _settleable(path: str) -> bool:
    return any(path == s or s.endswith(".") and path.startswith(s) for s in SETTLEABLE)


def _leaves(data: dict[str, Any], prefix: str) -> list[tuple[str, Any]]:
    out: list[tuple[str, Any]] = []
    for key, value in data.items():
        path = f"{prefix}.{key}"
        out += _leaves(value, path) if isinstance(value, dict) else [(path, value)]
    return out


def _wording(kind: str, loc: tuple[Any, ...], value: Any) -> str | None:
    """The directory's own words for two of pydantic's errors; the rest are the loader's."""
    if kind == "string_pattern_mismatch":
        return f"expected a kebab-case id such as 'city-of-york-council', got {show_value(value)}"
    if kind == "too_short" and loc[-1:] == ("parties",):
        return "an agreement needs at least two parties"
    return None


def _problems(exc: ValidationError, doc: YamlDoc, cls: type[BaseModel], base: DocPath) -> list[Problem]:
    """pydantic's errors in the loader's words (a "did you mean", the values allowed, YAML's
    yes/no read as true/false), one located Problem each."""
    return pydantic_problems(exc, doc, cls, base, wording=_wording)


class _Reader:
    def __init__(self) -> None:
        self.problems: list[Problem] = []

    def add(self, doc: YamlDoc, at: DocPath, message: str) -> None:
        self.problems.append(Problem(doc.name, doc.line(at), format_path(at), message))

    def read(self, path: Path, shown: str) -> YamlDoc | None:
        try:
            return read_yaml(path, shown)
        except InputError as exc:
            self.problems.extend(exc.problems)
            return None

    def entries(self, doc: YamlDoc, key: str) -> list[Any]:
        """The list under `key`, the file's one top-level key."""
        if not isinstance(doc.data, dict):
            self.problems.append(Problem(doc.name, 1, "", f"expected a mapping with '{key}:' and the list of "
                                                          f"{key} under it, got {describe_kind(doc.data)}"))
            return []
        unknown = [other for other in doc.data if other != key]
        for other in unknown:
            self.add(doc, (other,), f"unknown key '{other}'{did_you_mean(str(other), [key])}")
        if key not in doc.data:
            if not unknown:  # a misspelt key is reported once, above
                self.problems.append(Problem(doc.name, 1, key, f"required: the list of {key}"))
            return []
        raw = doc.data[key]
        if not isinstance(raw, list):
            self.add(doc, (key,), f"expected a list, got {show_value(raw)}")
            return []
        return raw

    def models(self, doc: YamlDoc, key: str, cls: type[_E]) -> list[tuple[int, _E]]:
        """Each valid entry with its index; a duplicate id is reported and dropped."""
        out: list[tuple[int, _E]] = []
        seen: dict[str, int] = {}
        for i, raw in enumerate(self.entries(doc, key)):
            base: DocPath = (key, i)
            if not isinstance(raw, dict):
                self.add(doc, base, f"expected a mapping of fields, got {show_value(raw)}")
                continue
            ident = raw.get("id")
            if isinstance(ident, str) and ident in seen:
                self.add(doc, (*base, "id"), f"duplicate id '{ident}' (first on line {doc.line((key, seen[ident]))})")
                continue
            if isinstance(ident, str):
                seen[ident] = i
            try:
                out.append((i, cls.model_validate(raw)))
            except ValidationError as exc:
                self.problems.extend(_problems(exc, doc, cls, base))
        return out


def _shown(path: Path) -> str:
    here = str(Path.cwd()) + os.sep
    return str(path.relative_to(Path.cwd())) if str(path).startswith(here) else str(path)


# Characters a name or title shown to practitioners may not hold: line breaks and tabs (a name is
# one line in every list and document), and what the register refuses too (scenario.DISGUISING:
# the bidirectional controls and invisible characters, which make text read otherwise than stored).
_LINE_BREAKS = re.compile("[\n\r\t]")


def _name_problem(text: str) -> str | None:
    """What is wrong with a partner's name or an agreement's title, in plain words, or None."""
    from .scenario import unprintable  # the check the register's names get, and more

    found = _LINE_BREAKS.search(text)
    if found is None:
        return unprintable(text, record=True)
    what = {"\n": "a line break", "\r": "a line break", "\t": "a tab"}[found.group()]
    return f"contains {what} at character {found.start() + 1}; remove it: a name is one line of plain text"


def _check_partners(doc: YamlDoc, partners: Sequence[tuple[int, Partner]], reader: _Reader) -> None:
    for i, p in partners:
        if (problem := _name_problem(p.name)) is not None:
            reader.add(doc, ("partners", i, "name"), problem)
        if p.left_on is not None and p.signed_on is not None and p.left_on < p.signed_on:
            reader.add(doc, ("partners", i, "left_on"), f"left on {p.left_on}, before it signed on {p.signed_on}")
        elif p.left_on is not None and p.signed_on is None:
            reader.add(doc, ("partners", i, "left_on"), "a left_on date needs the signed_on date it left from")


def _check_agreements(doc: YamlDoc, agreements: Sequence[tuple[int, Agreement]], known: Sequence[str] | None,
                      reader: _Reader) -> list[tuple[int, Agreement]]:
    """The agreements (with their index) that pass the checks across entries: parties known, dates
    in order, no overlap."""
    good: list[tuple[int, Agreement]] = []
    for i, a in agreements:
        before = len(reader.problems)
        if (problem := _name_problem(a.title)) is not None:
            reader.add(doc, ("agreements", i, "title"), problem)
        seen: set[str] = set()
        for j, party in enumerate(a.parties):
            at: DocPath = ("agreements", i, "parties", j)
            if party in seen:
                reader.add(doc, at, f"partner '{party}' is named twice")
            elif known is not None and party not in known:
                reader.add(doc, at, f"unknown partner '{party}'{did_you_mean(party, known)}")
            seen.add(party)
        if a.end is not None and a.end < a.start:
            reader.add(doc, ("agreements", i, "end"), f"ends on {a.end}, before it starts on {a.start}")
        if a.review is not None and a.review < a.start:
            reader.add(doc, ("agreements", i, "review"), f"review on {a.review} is before it starts on {a.start}")
        for path, _ in a.settled_facts():
            if not _settleable(path):
                reader.add(doc, ("agreements", i, "settles", *path.split(".")[1:]), (
                    f"an agreement cannot settle {label(path)}: it is a fact of each share, asked every time "
                    "(an agreement can settle the lawful basis and conditions, how the partners relate, how "
                    "information is sent and kept, minimisation, the DPIA and the privacy notice)"))
        if len(reader.problems) == before:
            good.append((i, a))
    for n, (i, a) in enumerate(good):
        for k, b in good[:n]:
            shared = [p for p in a.purposes if p in b.purposes]
            if set(a.parties) != set(b.parties) or not shared:
                continue
            if a.start <= (b.end or dt.date.max) and b.start <= (a.end or dt.date.max):
                reader.add(doc, ("agreements", i), f"overlaps agreement '{b.id}' (line {doc.line(('agreements', k))}): "
                                                   f"the same parties and purpose '{shared[0]}' over the same dates; "
                                                   "end one before the other starts, or merge them")
                break
    return good


@dataclass
class _Read:
    """A directory as read: each valid entry with its index, the files they came from, and every
    problem found."""

    reader: _Reader
    partners: list[tuple[int, Partner]]
    agreements: list[tuple[int, Agreement]]
    docs: dict[str, YamlDoc]  # "partners" | "agreements" -> its file


def _read(folder: Path) -> _Read:
    reader = _Reader()
    read = _Read(reader, [], [], {})
    # The partner ids an agreement may name. Every id written counts, even in an entry with a
    # problem of its own, and None (do not check) when the partners file cannot be read at all:
    # that one problem is enough, with no follow-on "unknown partner" for each agreement.
    known: list[str] | None = []
    partners_path = folder / PARTNERS_FILE
    if partners_path.is_file():
        doc = reader.read(partners_path, _shown(partners_path))
        entries = doc.data.get("partners") if doc is not None and isinstance(doc.data, dict) else None
        known = [e["id"] for e in entries if isinstance(e, dict) and isinstance(e.get("id"), str)] \
            if isinstance(entries, list) else None
        if doc is not None:
            read.docs["partners"] = doc
            read.partners = reader.models(doc, "partners", Partner)
            _check_partners(doc, read.partners, reader)
    agreements_path = folder / AGREEMENTS_FILE
    if agreements_path.is_file():
        doc = reader.read(agreements_path, _shown(agreements_path))
        if doc is not None:
            read.docs["agreements"] = doc
            read.agreements = _check_agreements(doc, reader.models(doc, "agreements", Agreement), known, reader)
    return read


def load_directory(rules_dir: str | os.PathLike[str]) -> Directory:
    """The partnership directory beside the rules in `rules_dir` (its `directory/` subfolder): an
    empty Directory when there is no such folder. Raises RulesetError with every problem found."""
    folder = directory_path(rules_dir)
    if not folder.is_dir():
        return Directory()
    read = _read(folder)
    if read.reader.problems:
        raise RulesetError(read.reader.problems)
    return Directory(partners=tuple(p for _, p in read.partners), agreements=tuple(a for _, a in read.agreements),
                     source=str(folder))


def _plain_name(name: str) -> str:
    return " ".join(name.casefold().split())


def directory_warnings(rules_dir: str | os.PathLike[str], today: dt.date) -> list[Problem]:
    """Entries that are valid but look wrong, for the secretariat to check (`isp lint` shows them
    as warnings): none when the directory has problems of its own, which come first."""
    folder = directory_path(rules_dir)
    if not folder.is_dir():
        return []
    read = _read(folder)
    if read.reader.problems:
        return []
    found: list[Problem] = []

    def warn(kind: str, at: DocPath, message: str) -> None:
        doc = read.docs[kind]
        found.append(Problem(doc.name, doc.line(at), format_path(at), message))

    named: dict[str, int] = {}
    for i, p in read.partners:
        first = named.setdefault(_plain_name(p.name), i)
        if first != i:
            warn("partners", ("partners", i, "name"),
                 f"the same name as the partner on line {read.docs['partners'].line(('partners', first))}: two "
                 "entries for one organisation? Keep one, or give each its full name")
        if p.signed_on is not None and p.signed_on > today:
            warn("partners", ("partners", i, "signed_on"),
                 f"signed on {p.signed_on}, after today: until then it is not a signatory. Is the date right?")
    left = {p.id: p.left_on for _, p in read.partners if p.left_on is not None and p.left_on <= today}
    for i, a in read.agreements:
        if a.start > today or (a.end is not None and a.end < today):
            continue
        for j, party in enumerate(a.parties):
            # A partner that has left is no longer bound by the protocol's common standards, so an
            # agreement that still names it rests on standards it no longer keeps.
            if party in left:
                warn("agreements", ("agreements", i, "parties", j),
                     f"'{party}' left the protocol on {left[party]}, but this agreement is still in force: end "
                     "it, or review it without them")
    return found


# --- completing a scenario from the directory -------------------------------------------
#
# A scenario may name its parties (`from: {partner: ID}`, `to: {partner: ID}`) and its agreement
# (`governance: {agreement: ID}`) by their directory ids. The partnership already knows what kind
# of body each partner is, whether it had signed the protocol on the share's date and whether an
# agreement was in force and covers this share, so the practitioner is not asked to guess. A
# fact the scenario states itself is never overridden: where it differs from the directory, the
# stated fact is used and the difference is reported, for the practitioner to check which is right.

SIDES = {"from": "from_", "to": "to"}
SIDE_WORDS = {"from": "the discloser", "to": "the recipient"}


def _a(words: str) -> str:
    """A label as the middle of a sentence: "A council" -> "a council", "The police" -> "the police"."""
    return words[:1].lower() + words[1:] if re.match(r"(A|An|The) ", words) else words


def _day_words(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _signatory_words(partner: Partner, day: dt.date) -> str:
    status = partner.status_on(day)
    if status == "signatory" and partner.signed_on is not None:
        return f"{partner.name} signed the protocol on {_day_words(partner.signed_on)}"
    if status == "left" and partner.left_on is not None:
        return f"{partner.name} left the protocol on {_day_words(partner.left_on)}, so is not a signatory on the share's date"
    if status == "not_yet_signed" and partner.signed_on is not None:
        return f"{partner.name} signs the protocol only on {_day_words(partner.signed_on)}, after the share's date"
    return f"{partner.name} has not signed the protocol"


def _party_facts(side: str, partner: Partner, day: dt.date) -> list[tuple[str, Any, str]]:
    """(field, value, words) for each fact the directory gives about one party."""
    prefix = f"share.{side}."
    facts: list[tuple[str, Any, str]] = [
        (prefix + "type", partner.type, f"{partner.name} is listed as: {_a(PARTY_LABELS.get(partner.type, partner.type))}"),
        (prefix + "signatory", partner.status_on(day) == "signatory", _signatory_words(partner, day)),
    ]
    defaults = dict(zip(("public_authority", "competent_authority"), PARTY_DEFAULTS[partner.type], strict=True))
    for which, what in (("public_authority", "a public authority"), ("competent_authority", "a law-enforcement body")):
        # The directory's override, else what its type of body implies: a stated value that differs
        # from either is reported. Only an override is filled in (the type's default applies anyway).
        value = getattr(partner, which)
        effective = defaults[which] if value is None else value
        facts.append((prefix + which, effective, f"{partner.name} is {'' if effective else 'not '}{what} for data "
                      "protection" + ("" if value is not None else f", as {_a(PARTY_LABELS.get(partner.type, partner.type))}")))
    if partner.nation is not None:
        facts.append((prefix + "nation", partner.nation, f"{partner.name} is in {_nation(partner.nation)}"))
    return facts


def _nation(value: str) -> str:
    return value.replace("_", " ").title()


def _agreement_state(agreement: Agreement, day: dt.date) -> tuple[str, str]:
    """The scenario's agreement state on `day` ("in_place", "expired", "none") and why, in words.
    An agreement past its review date counts as expired: the protocol expects agreements to be
    reviewed, and one left unreviewed is not the assurance the partners signed up to."""
    name = f"the agreement '{agreement.title}'"
    status = agreement.status_on(day)
    if status == "not_started":
        return "none", f"{name} starts only on {_day_words(agreement.start)}, after the share's date"
    if status == "ended" and agreement.end is not None:
        return "expired", f"{name} ended on {_day_words(agreement.end)}"
    if status == "review_overdue" and agreement.review is not None:
        return "expired", f"{name} was due for review on {_day_words(agreement.review)} and has not been reviewed since"
    review = f", to be reviewed by {_day_words(agreement.review)}" if agreement.review else ""
    return "in_place", f"{name} has been in force since {_day_words(agreement.start)}{review}"


def _coverage(agreement: Agreement, share: Share) -> tuple[bool | None, str]:
    """Whether the agreement covers this share's purpose, data, frequency and parties, and why. A
    gap found is enough to say no; a yes needs every part known, so it is unknown (with the words
    saying what to add) while the purpose or the kinds of information are not stated, or while a
    party is described rather than named from the directory (its membership cannot be checked)."""
    name = f"the agreement '{agreement.title}'"
    purpose = share.purpose.category
    gaps = []
    if purpose is not None and purpose not in agreement.purposes:
        gaps.append(f"its purposes do not include {value_words(PURPOSE_FIELD, purpose)}")
    outside = [c for c in share.data.categories or () if c not in agreement.data and c != "non_personal"]
    if outside:
        gaps.append(f"it does not cover {value_words(DATA_FIELD, outside)}")
    if share.frequency == "routine" and agreement.frequency == "one_off":
        gaps.append("it is for a one-off share, and this share is routine")
    for side, attr in SIDES.items():
        partner_id = getattr(share, attr).partner
        if partner_id is not None and partner_id not in agreement.parties:
            gaps.append(f"{SIDE_WORDS[side]} is not one of its parties")
    if gaps:
        return False, f"{name} does not cover this share: " + "; ".join(gaps)
    missing = []
    if purpose is None:
        missing.append("what the share is for")
    if not share.data.categories:
        missing.append("what kinds of information are shared")
    unnamed = [SIDE_WORDS[side] for side, attr in SIDES.items() if getattr(share, attr).partner is None]
    if unnamed:
        missing.append(f"{' and '.join(unnamed)} named from the partnership's directory")
    if missing:
        return None, (f"Whether {name} covers this share cannot be checked without "
                      f"{' and '.join(missing)}: add them, or say whether the agreement covers this share.")
    return True, f"{name} covers this purpose, these kinds of information and these parties"


def _stated(share: Share, path: str) -> Any:
    model: Any = share
    for part in path.split(".")[1:]:
        model = getattr(model, SIDES.get(part, part))
    return model


def _replace(share: Share, path: str, value: Any) -> Share:
    """The share with one field (share.<field> or share.<block>.<field>) set, the models being frozen."""
    _, *parts = path.split(".")
    attr = SIDES.get(parts[0], parts[0])
    if len(parts) == 1:
        return share.model_copy(update={attr: value})
    inner = getattr(share, attr)
    return share.model_copy(update={attr: inner.model_copy(update={parts[1]: value})})


def _words_of(path: str, value: Any) -> str:
    if path.endswith(".nation") and isinstance(value, str):
        return _nation(value)
    if path.endswith(".type") and isinstance(value, str):
        return _a(PARTY_LABELS.get(value, value.replace("_", " ")))
    return value_words(path, value)


def _listing(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _same_name(stated: str, listed: str) -> bool:
    """Whether a stated name plausibly names the listed partner: one contains the other, ignoring
    case ("City of York Council (children's services)" names "City of York Council")."""
    a, b = stated.casefold(), listed.casefold()
    return a in b or b in a


class _Completer:
    def __init__(self, scenario: Scenario, source: str) -> None:
        self.share = scenario.share
        self.source = source
        self.filled: list[DirectoryFact] = []
        self.contradictions: list[Contradiction] = []
        self.unknown: list[str] = []

    def fact(self, path: str, value: Any, words: str, source: str, fill: bool = True, why: str | None = None) -> None:
        """Fill `path` with the directory's `value` unless stated; a stated value that differs is
        reported, saying `why` the directory holds its value (`words` by default)."""
        stated = _stated(self.share, path)
        if stated is None:
            if not fill:
                return
            self.share = _replace(self.share, path, value)
            self.filled.append(DirectoryFact(path, value, words[:1].upper() + words[1:], source))
        elif stated != value:
            self.contradictions.append(Contradiction(path, stated, value, (
                f"You said {label(path)}: {_words_of(path, stated)}. The partnership's directory says "
                f"{_words_of(path, value)}: {why or words}. The decision uses what you said; check which is right, "
                "and correct the scenario or the directory.")))


def complete(directory: Directory, scenario: Scenario, day: dt.date) -> Completion:
    """The scenario with the facts the directory holds filled in, for the share's date `day`.
    Only called once `reference_problems` found every id; an unknown id raises."""
    share = scenario.share
    names = [getattr(share, a).partner for a in SIDES.values()]
    if not any(names) and share.governance.agreement_id is None:
        return Completion(scenario)
    c = _Completer(scenario, directory.source or "")
    partners_source = "the partnership's directory of partners"
    for side, attr in SIDES.items():
        partner_id = getattr(share, attr).partner
        if partner_id is None:
            continue
        partner = directory.partner(partner_id)
        if getattr(c.share, attr).name is None:  # a name is not a fact the rules weigh: filled, never disputed
            c.share = _replace(c.share, f"share.{side}.name", partner.name)
        for path, value, words in _party_facts(side, partner, day):
            implied = path.endswith("authority") and getattr(partner, path.rsplit(".", 1)[1]) is None
            c.fact(path, value, words, partners_source, fill=not implied)
        stated_name = getattr(share, attr).name
        if stated_name is not None and not _same_name(stated_name, partner.name):
            c.contradictions.append(Contradiction(f"share.{side}.name", stated_name, partner.name, (
                f"You named {SIDE_WORDS[side]} '{stated_name}', but the partner you chose from the partnership's "
                f"directory is {partner.name}. Check the right partner is chosen.")))
    if share.from_.partner is not None and share.from_.partner == share.to.partner:
        same = directory.partner(share.from_.partner).name
        c.contradictions.append(Contradiction("share.to.partner", share.to.partner, None, (
            f"The discloser and the recipient are the same organisation ({same}): passing information within "
            "one organisation is not a share between partners. Check the recipient.")))
    agreement_id = share.governance.agreement_id
    if agreement_id is not None:
        agreement = directory.agreement(agreement_id)
        source = "the partnership's list of agreements" + (f": {agreement.document}" if agreement.document else "")
        state, words = _agreement_state(agreement, day)
        c.fact("share.governance.agreement", state, words, source)
        if state == "in_place":
            covers, why = _coverage(agreement, c.share)
            if covers is not None:
                c.fact("share.governance.agreement_covers_purpose", covers, why, source)
            elif c.share.governance.agreement_covers_purpose is None:
                c.unknown.append(why)
            # What the agreement settles holds only for a share it is known to cover (an agreement
            # for other purposes, data or parties says nothing about this one's basis or safeguards),
            # and only when the share is said to follow it: compliance is never assumed.
            open_ = [path for path, _ in agreement.settled_facts() if _stated(c.share, path) is None]
            if covers is True and c.share.governance.follows_agreement is None and open_:
                c.unknown.append(f"The agreement '{agreement.title}' settles {_listing([label(p) for p in open_])} "
                                 "for every share it covers: say whether this share is made as the agreement sets "
                                 "out to take them from it, or state them.")
            if covers is True and c.share.governance.follows_agreement:
                for path, value in agreement.settled_facts():
                    c.fact(path, value, f"{label(path)}: {_words_of(path, value)}, as the agreement settles for "
                           "every share it covers", source,
                           why=f"the agreement '{agreement.title}' settles it for every share it covers")
            if agreement.review is not None:
                c.fact("share.governance.agreement_review_date", agreement.review,
                       f"the agreement '{agreement.title}' is due for review on {_day_words(agreement.review)}", source)
    return Completion(scenario.model_copy(update={"share": c.share}), tuple(c.filled), tuple(c.contradictions),
                      tuple(c.unknown))


def _suggest_partner(directory: Directory, written: str) -> str:
    """A "did you mean" for a partner id: the id whose id or name matches ignoring case and
    punctuation ("City of York Council" -> city-of-york-council), else the closest id."""
    key = re.sub(r"[^a-z0-9]+", "-", written.casefold()).strip("-")
    for partner in directory.partners:
        if key in (partner.id, re.sub(r"[^a-z0-9]+", "-", partner.name.casefold()).strip("-")):
            return f"; did you mean '{partner.id}'?"
    return did_you_mean(key, [p.id for p in directory.partners])


def reference_problems(directory: Directory, scenario: Scenario) -> list[Problem]:
    """One located problem for each directory id the scenario names that the directory does not
    hold, with a "did you mean". The file and line are the scenario's, where the loader recorded them."""
    lines: dict[str, int] = scenario._lines
    source = scenario._source or "<scenario>"
    problems = []
    partner_ids = [p.id for p in directory.partners]
    for side, attr in SIDES.items():
        partner_id = getattr(scenario.share, attr).partner
        if partner_id is None or partner_id in partner_ids:
            continue
        path = f"share.{side}.partner"
        where = "" if directory.partners else " (these rules have no partnership directory: directory/partners.yaml)"
        problems.append(Problem(source, lines.get(path), path,
                                f"no partner '{partner_id}' in the partnership directory{where}{_suggest_partner(directory, partner_id)}"))
    agreement_id = scenario.share.governance.agreement_id
    agreement_ids = [a.id for a in directory.agreements]
    if agreement_id is not None and agreement_id not in agreement_ids:
        path = "share.governance.agreement"
        states = ", ".join(AGREEMENT_STATES)
        problems.append(Problem(source, lines.get(path), path, (
            f"expected {states} or the id of an agreement in the partnership directory, got '{agreement_id}'"
            f"{did_you_mean(agreement_id, [*AGREEMENT_STATES, *agreement_ids])}")))
    return problems


_CACHE: dict[str, tuple[tuple[float, ...], Directory]] = {}


def directory_for(rules_dir: str | os.PathLike[str] | None) -> Directory:
    """The directory beside the rules in `rules_dir`, read once and again only when its files
    change (an empty Directory for None or a ruleset without one)."""
    if rules_dir is None:
        return Directory()
    folder = directory_path(rules_dir)
    stamp = tuple((folder / f).stat().st_mtime_ns if (folder / f).is_file() else -1.0
                  for f in (PARTNERS_FILE, AGREEMENTS_FILE))
    key = str(folder.resolve())
    cached = _CACHE.get(key)
    if cached is None or cached[0] != stamp:
        try:
            fresh = load_directory(rules_dir)
        except RulesetError as exc:
            if cached is None:
                raise
            # A slip saved while a server runs (the start-up check has passed): practitioners keep
            # the last good copy rather than reading the secretariat's mistake as theirs; the log
            # and `isp partners` say what it is. Not read again until the files change again.
            import logging

            logging.getLogger("isp_rules.directory").warning(
                "the partnership directory has %d problem(s) since it changed; still using the last good copy "
                "(run `isp partners` to see them): %s", len(exc.problems), exc.problems[0] if exc.problems else "")
            _CACHE[key] = (stamp, cached[1])
            return cached[1]
        cached = _CACHE[key] = (stamp, fresh)
    return cached[1]
