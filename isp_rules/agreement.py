"""The Appendix J agreement draft for one share, built from its Decision (no second copy of the logic).

A draft a data protection officer can read and sign: numbered clauses in plain words. The parties
by name; the purpose and legal basis in words; each point the protocol settles quoting the
protocol's standard it relies on (the point's `standard` in the agreement-points file, with its
citation); each point still open as a checklist of its likely answers; start and review dates, a
version, and a signature block for each party. Every clause says its source. Nothing legal is
worded here: the words come from the ruleset's data and the decision.

The document is built once as a small neutral model (`Document`: sections of clauses and form
items, then signatures) and written as Markdown or Word by the same two writers, which the ICO
Annex B request and decision record (`request_record.py`) uses too.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Mapping, Sequence
from contextlib import suppress
from dataclasses import dataclass, fields, is_dataclass, replace
from pathlib import Path
from typing import Any

from .assessment import default_ruleset
from .decision import DISCLAIMER, Decision, PointStatus
from .errors import IspError
from .labels import label, value_words
from .ruleset import Ruleset
from .scenario import Party, Scenario

__all__ = [
    "BLANK",
    "Clause",
    "Document",
    "Item",
    "Section",
    "Signature",
    "agreement_document",
    "agreement_markdown",
    "build_draft",
    "cite",
    "completed",
    "document_markdown",
    "matching_ruleset",
    "party_names",
    "point_citations",
    "point_cites",
    "signatures",
    "write_document_docx",
    "write_docx",
]

BLANK = "________________"  # a line to fill in by hand
DRAFT_VERSION = "0.1"
AGREEMENT_FIELD = "share.governance.agreement"  # the scenario format's field: is an agreement in place?
DENY_BANNER = "Do not share and do not sign: on these facts the share is unlawful. See the assessment below."


# --- the document model: what both writers write ------------------------------------------


@dataclass(frozen=True)
class Clause:
    """One numbered clause: a heading in plain words, its text, the choices still to make, its source."""

    heading: str
    paragraphs: tuple[str, ...] = ()
    bullets: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()  # a checklist: tick one (an open point's likely answers)
    source: str = ""


@dataclass(frozen=True)
class Item:
    """One line of a form: its label and answer; no answer means a blank to fill in."""

    label: str
    lines: tuple[str, ...] = ()
    choices: tuple[str, ...] = ()
    source: str = ""


@dataclass(frozen=True)
class Section:
    title: str
    paragraphs: tuple[str, ...] = ()
    clauses: tuple[Clause, ...] = ()
    items: tuple[Item, ...] = ()


@dataclass(frozen=True)
class Signature:
    """A signature block for one party (name blank when it is not known)."""

    heading: str
    lines: tuple[str, ...]  # "Name", "Role", "Signature", "Date", each followed by a blank
    filled: tuple[tuple[str, str], ...] = ()  # lines already known: ("Data protection officer", "...")


@dataclass(frozen=True)
class Document:
    title: str
    version: str
    banners: tuple[str, ...]
    sections: tuple[Section, ...]
    signatures: tuple[Signature, ...] = ()
    signatures_title: str = "Signatures"
    disclaimer: str = DISCLAIMER


# --- reading the decision and the ruleset ------------------------------------------------


def cite(citations: Iterable[Any]) -> str:
    """Citations as one plain line, each source named once: "UK GDPR, Arts 5(1)(f) and 32; York and
    North Yorkshire Multi-Agency Information Sharing Protocol, Appendix J (security) and ..."."""
    refs: dict[str, list[str]] = {}
    for c in citations:
        ref = c.ref + (f" ({c.note})" if c.note else "")
        if ref not in refs.setdefault(c.source, []):
            refs[c.source].append(ref)
    return "; ".join(f"{source}, " + " and ".join(found) for source, found in refs.items())


def matching_ruleset(decision: Decision, ruleset: Ruleset | None = None) -> Ruleset | None:
    """The ruleset the decision was made under: the one given, else the default one when its
    fingerprint matches, else None (the draft then cites only what the decision itself carries)."""
    if ruleset is not None:
        return ruleset
    try:
        found = default_ruleset()
    except IspError:
        return None
    return found if found.sha256 == decision.ruleset.sha256 else None


def point_cites(point_id: str, decision: Decision, ruleset: Ruleset | None) -> list[Any]:
    """The provisions behind an agreement point: from the ruleset, else from the decision."""
    if ruleset is not None:
        with suppress(KeyError):
            return list(ruleset.point(point_id).citations)
    for op in decision.open_points:
        if op.id == point_id:
            return list(op.citations)
    for ob in decision.obligations:
        if ob.point == point_id:
            return list(ob.citations)
    return []


def point_citations(point_id: str, decision: Decision, ruleset: Ruleset | None) -> str:
    return cite(point_cites(point_id, decision, ruleset))


def _settlement_cites(settled_by: str | None, ruleset: Ruleset | None) -> list[Any]:
    if ruleset is None or not settled_by or settled_by == "scenario":
        return []
    with suppress(KeyError):
        return list(ruleset.settlement(settled_by).citations)
    return []


def _cap(text: str) -> str:
    text = text.strip()
    return text[:1].upper() + text[1:]


def _sentence(text: str) -> str:
    text = _cap(text)
    return text if text.endswith((".", "?", "!", ")")) or not text else text + "."


def party_names(scenario: Scenario, decision: Decision) -> tuple[str | None, str | None]:
    """The parties' names: the decision's (from the partnership directory) where it has them, else
    the scenario's, else None (a blank to fill in)."""
    named: Any = getattr(decision, "parties", None) or {}
    from_ = named.get("from") if isinstance(named, Mapping) else None
    to = named.get("to") if isinstance(named, Mapping) else None
    return (from_ or scenario.share.from_.name or None, to or scenario.share.to.name or None)


def completed(scenario: Scenario, decision: Decision, ruleset: Ruleset | None) -> Scenario:
    """The scenario as the decision saw it: parties named by their directory id filled in from the
    partnership's directory (their name, type and signatory status), else as given."""
    if ruleset is None:
        return scenario
    with suppress(IspError, OSError):
        from .assessment import complete_scenario

        return complete_scenario(scenario, ruleset, decision.ruleset.as_of).scenario
    return scenario


def _dpo(party: Party, ruleset: Ruleset | None) -> str | None:
    """The party's data protection officer, from the partnership directory when the scenario names
    the partner by its directory id (best effort: no directory, no DPO line)."""
    partner_id = getattr(party, "partner", None)
    if not partner_id or ruleset is None:
        return None
    with suppress(IspError, OSError, KeyError):
        from .directory import directory_for

        found: str | None = directory_for(ruleset.source).partner(partner_id).dpo
        return found
    return None


HOME = Party.model_fields["location"].default  # the scenario format's default location: not worth saying


def _party_line(name: str | None, party: Party) -> str:
    kind = value_words("share.from.type", party.type) if party.type else ""
    bits = [name or f"Name of organisation: {BLANK}"]
    if kind:
        bits.append(kind[:1].lower() + kind[1:] if kind.startswith(("A ", "An ", "The ")) else kind)
    if party.signatory is True:
        bits.append("which has signed the protocol")
    elif party.signatory is False:
        bits.append("which has not signed the protocol")
    if party.location != HOME:
        bits.append(f"based outside the United Kingdom ({party.location})")
    return ", ".join(bits) + "."


def _is_agreement_point(p: PointStatus, ruleset: Ruleset | None) -> bool:
    """The point that asks whether a written agreement is in place: this draft is that agreement."""
    if ruleset is not None:
        with suppress(KeyError):
            return AGREEMENT_FIELD in ruleset.point(p.id).settled_by
    # Without the ruleset: the point waits on that field itself, not on a settlement that reads it
    # (the protocol's standards wait on "an agreement covering the purpose", a settlement).
    return not p.settles_when and (AGREEMENT_FIELD in p.waits_for or AGREEMENT_FIELD in p.held_by)


# --- the clauses -------------------------------------------------------------------------


def _stated(p: PointStatus, ruleset: Ruleset | None) -> tuple[str, ...]:
    """What this share states for a point, one fact a line ("The lawful basis (Art 6): public task."):
    the decision's detail, split before each of the point's fields (free text may hold a semicolon)."""
    fields: list[str] = []
    if ruleset is not None:
        with suppress(KeyError):
            fields = [label(f) for f in ruleset.point(p.id).settled_by]
    if not fields:
        return (_sentence(p.detail),)
    parts = re.split("; (?=(?:" + "|".join(re.escape(f) for f in fields) + "): )", p.detail)
    return tuple(_sentence(part) for part in parts if part.strip())


def _clause(p: PointStatus, decision: Decision, ruleset: Ruleset | None) -> Clause:
    source = point_citations(p.id, decision, ruleset)
    if p.status == "scenario":
        return Clause(p.question, ("Agreed for this share:",), bullets=_stated(p, ruleset), source=source)
    if p.status == "settled" and p.standard:
        paras = (f"Settled, because {p.detail}. The protocol\u2019s standard:", f"\u201c{p.standard.strip()}\u201d")
        return Clause(p.question, paras, source=cite(point_cites(p.id, decision, ruleset)
                                                     + _settlement_cites(p.settled_by, ruleset)))
    if p.status == "obligation":
        return Clause(p.question, (f"Nothing to agree: {p.detail.strip()}",), source=source)
    return Clause(p.question, (_sentence(f"Settled: {p.detail}"),), source=source)


def _open_clause(p: PointStatus, decision: Decision, ruleset: Ruleset | None, after: bool = False) -> Clause:
    why = ("To complete after the share (it is urgent): " if after else "Still open: ") + p.detail.strip()
    choices = (*p.likely_answers, f"Another answer: {BLANK}")
    return Clause(p.question, (_sentence(why), "Tick the answer the parties agree:"), choices=choices,
                  source=point_citations(p.id, decision, ruleset))


GROUPS = (  # how the points are grouped into sections, by their kind (structure, not law)
    ("lawfulness", "What is shared, why, and on what legal basis"),
    ("paperwork", "How the information is handled"),
    ("legal_requirement", "How the information is handled"),
    ("protocol_standard", "The protocol's standards"),
)


def no_protocol(points: Sequence[PointStatus]) -> str:
    """Why the protocol's standards are open, in the partnership's own words: what would settle them
    comes from the settlements in its agreement-points file, never from here."""
    if not points:
        return ""
    ways = list(dict.fromkeys(s for p in points for s in p.settles_when))
    if not ways:
        return "The protocol's standards are not settled for this share."
    return "The protocol's standards are not settled for this share. They would be if " + "; or if ".join(ways) + "."


def _assessment(decision: Decision, more_to_agree: bool) -> Section:
    if decision.verdict == "deny":
        head = "On the facts given the share is unlawful or outside the protocol: do not share and do not sign."
    elif decision.share_now:
        head = "Urgent: share now; the paperwork follows the share (see the points to complete afterwards)."
    elif decision.deferred:
        head = "Urgent, but the open point below must be settled first: it is held by what is stated."
    elif decision.verdict == "needs-agreement" and more_to_agree:
        head = "The share may go ahead once the points under \u201cStill to agree\u201d are settled and both parties sign."
    elif decision.verdict == "needs-agreement":
        head = "The share may go ahead once both parties sign this agreement."
    else:
        head = "On the facts given the share may go ahead on the terms of this agreement, once both parties sign."
    clauses = []
    for r in decision.reasons:
        if r.effect not in ("deny", "open", "ground"):
            continue
        paras = [_sentence(r.message)]
        if r.effect == "deny" and r.remedy:
            paras.append(_sentence(f"To change this: {r.remedy}"))
        clauses.append(Clause(_sentence(r.title), tuple(paras), source=cite(r.citations)))
    return Section("How isp-rules assessed this share", (
        f"Assessed on {decision.ruleset.as_of:%d %B %Y} from the facts the parties gave. {head}",), tuple(clauses))


def _add_year(day: dt.date) -> dt.date:
    if day.year == dt.MAXYEAR:  # a date in the year 9999 is valid, and has no next year
        return dt.date.max
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February
        return day.replace(year=day.year + 1, day=28)


def _version_line(decision: Decision, today: dt.date) -> str:
    r = decision.ruleset
    return (f"Draft {DRAFT_VERSION}, produced by isp-rules {_isp_version()} with ruleset {r.name} {r.version} "
            f"(fingerprint {r.sha256[:12]}) on {today.isoformat()}; law as at {r.as_of.isoformat()}. "
            "Not in force until both parties sign it.")


def _isp_version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("isp-rules")
    except PackageNotFoundError:
        return "0.0.0"


def signatures(scenario: Scenario, decision: Decision, ruleset: Ruleset | None,
               lines: tuple[str, ...] = ("Name", "Role", "Signature", "Date")) -> tuple[Signature, ...]:
    """A signature block for each party: the name where it is known, the DPO where the directory has one."""
    out = []
    for name, role, party in zip(party_names(scenario, decision), ("the discloser", "the recipient"),
                                 (scenario.share.from_, scenario.share.to), strict=True):
        dpo = _dpo(party, ruleset)
        filled = (("Data protection officer", dpo),) if dpo else ()
        heading = f"Signed for {name} ({role})" if name else f"Signed for {role} (name of organisation: {BLANK})"
        out.append(Signature(heading, lines, filled))
    return tuple(out)


def build_draft(scenario: Scenario, decision: Decision, ruleset: Ruleset | None = None,
                today: dt.date | None = None) -> Document:
    """The agreement draft as a document: sections of numbered clauses, then the signatures."""
    rs = matching_ruleset(decision, ruleset)
    today = today or dt.date.today()
    scenario = completed(scenario, decision, rs)
    share = scenario.share
    from_name, to_name = party_names(scenario, decision)
    points = [p for p in decision.points if p.status != "not_applicable"]
    # The point asking for a written agreement, while open, is answered by this very document.
    agreement_points = [p for p in points if p.status in ("open", "deferred") and _is_agreement_point(p, rs)]
    points = [p for p in points if p not in agreement_points]

    banners = []
    if decision.verdict == "deny":
        banners.append(DENY_BANNER)
    if share.frequency == "one_off":
        banners.append("A one-off disclosure does not need an information sharing agreement: it is decided case "
                       "by case. Keep the ICO\u2019s Annex B request and decision record for it instead; this draft "
                       "only shows how the protocol\u2019s points stand.")

    about = [f"This agreement is between {from_name or 'the discloser'} and {to_name or 'the recipient'}"
             + (f", for this share: {scenario.title.rstrip('.')}." if scenario.title else ".")]
    about_clauses = [
        Clause("The discloser", (_party_line(from_name, share.from_),)),
        Clause("The recipient", (_party_line(to_name, share.to),)),
    ]
    for p in agreement_points:
        about_clauses.append(Clause(p.question, (
            ("This document is that written agreement, once both parties sign it. It sets out what the protocol "
            "already settles and what the parties agree for this share."),), source=point_citations(p.id, decision, rs)))
    sections = [Section("The parties and this agreement", tuple(about), tuple(about_clauses))]

    for kind in dict.fromkeys(title for _, title in GROUPS):
        kinds = {k for k, t in GROUPS if t == kind}
        settled = [_clause(p, decision, rs) for p in points if p.kind in kinds
                   and p.status in ("scenario", "settled", "obligation")]
        intro: tuple[str, ...] = ()
        if "protocol_standard" in kinds:
            intro = tuple(x for x in [no_protocol([p for p in points if p.kind == "protocol_standard"
                                                   and p.status in ("open", "deferred")])] if x)
        if settled or intro:
            sections.append(Section(kind, intro, tuple(settled)))

    still = [p for p in points if p.status == "open"]
    later = [p for p in points if p.status == "deferred"]
    if still or later or decision.verdict != "deny":
        sections.append(Section(
            "Still to agree",
            () if still or later else ("Nothing: every point is settled.",),
            tuple([_open_clause(p, decision, rs) for p in still] + [_open_clause(p, decision, rs, True) for p in later])))

    duties = [o for o in decision.obligations if o.kind == "duty"]
    if duties:
        sections.append(Section("What each party must also do", (), tuple(
            Clause("", (_sentence(o.message),), source=cite(o.citations)) for o in duties)))

    start = decision.ruleset.as_of
    stated_review = share.governance.agreement_review_date
    review = stated_review if stated_review and stated_review > start else _add_year(start)
    review_words = (f"The parties review this agreement by {review:%d %B %Y}, the review date they gave."
                    if review == stated_review else
                    f"The parties review this agreement by {review:%d %B %Y}, one year after it starts. This is a "
                    "default: write in another date if the parties agree one, and review sooner if the purpose, "
                    "the information or the law changes.")
    sections.append(Section("Start, review and version", (), (
        Clause("Start", ((f"This agreement starts on {start:%d %B %Y}, or on the day the last party signs it if "
                         "that is later."),)),
        Clause("Review", (review_words,)),
        Clause("Version", (_version_line(decision, today),)),
    )))
    sections.insert(1, _assessment(decision, bool(still or later)))
    title = "Information sharing agreement" + (
        f" between {from_name} and {to_name}" if from_name and to_name else
        f": {scenario.title}" if scenario.title else "")
    return Document(title=f"{title} (draft)", version=_version_line(decision, today), banners=tuple(banners),
                    sections=tuple(sections), signatures=signatures(scenario, decision, rs))


def agreement_document(scenario: Scenario, decision: Decision, ruleset: Ruleset | None = None,
                       today: dt.date | None = None) -> Document:
    return build_draft(scenario, decision, ruleset, today)


# --- the writers -------------------------------------------------------------------------


def _md(text: str) -> str:
    """Text safe inside a Markdown line (no stray emphasis from underscores in free text)."""
    return text.replace("\n", " ").replace("*", "\\*")


def _label(text: str) -> str:
    return text if text.endswith("?") else text + ":"


def _heading(text: str) -> str:
    text = text.rstrip()
    return text if text.endswith(("?", ".")) or text[-1:].isdigit() else text + "."


def document_markdown(doc: Document) -> str:
    out = [f"# {_md(doc.title)}", "", f"_{_md(doc.version)}_", ""]
    for banner in doc.banners:
        out += [f"> **{_md(banner)}**", ""]
    for n, section in enumerate(doc.sections, 1):
        out += [f"## {n}. {_md(section.title)}", ""]
        for para in section.paragraphs:
            out += [_md(para), ""]
        for m, clause in enumerate(section.clauses, 1):
            first, *rest = clause.paragraphs or ("",)
            heading = _heading(f"{n}.{m} {clause.heading}")
            out += [f"**{_md(heading)}** {_md(first)}".rstrip(), ""]
            out += [x for para in rest for x in (_md(para), "")]
            if clause.bullets:
                out += [f"- {_md(b)}" for b in clause.bullets] + [""]
            if clause.choices:
                out += [f"- [ ] {_md(c)}" for c in clause.choices] + [""]
            if clause.source:
                out += [f"_Source: {_md(clause.source)}_", ""]
        for item in section.items:
            if len(item.lines) > 1:
                out += [f"- **{_md(_label(item.label))}**"] + [f"  - {_md(line)}" for line in item.lines]
            else:
                out += [f"- **{_md(_label(item.label))}** {_md(item.lines[0] if item.lines else BLANK)}"]
            out += [f"  - [ ] {_md(c)}" for c in item.choices]
            if item.source:
                out += [f"  _Source: {_md(item.source)}_"]
        if section.items:
            out.append("")
    if doc.signatures:
        out += [f"## {len(doc.sections) + 1}. {doc.signatures_title}", ""]
        for sig in doc.signatures:
            out += [f"### {_md(sig.heading)}", ""]
            out += [f"- {label}: {_md(value)}" for label, value in sig.filled]
            out += [f"- {line}: {BLANK}" for line in sig.lines] + [""]
    out += [f"_{_md(doc.disclaimer)}_", ""]
    return "\n".join(out)


# What Word's XML cannot hold: C0 controls but tab, line feed and carriage return, lone
# surrogates, U+FFFE and U+FFFF. Scenario text holding one is refused when it is read
# (scenario.unprintable); this is the last guard, for a document built some other way.
_NOT_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml_safe(value: Any) -> Any:
    """`value` (a string, a tuple of them or a document dataclass) with every character Word
    cannot hold shown as U+FFFD, so a stray control character never stops the document."""
    if isinstance(value, str):
        return _NOT_XML.sub("\ufffd", value)
    if isinstance(value, tuple):
        return tuple(_xml_safe(v) for v in value)
    if is_dataclass(value) and not isinstance(value, type):
        return replace(value, **{f.name: _xml_safe(getattr(value, f.name)) for f in fields(value)})
    return value


def write_document_docx(doc: Document, target: Path) -> None:
    """The document as Word (python-docx): the same sections, clauses, checklists and signatures."""
    from docx import Document as WordDocument  # imported here: only this output needs it
    from docx.shared import Cm, Pt

    doc = _xml_safe(doc)

    LABEL_WIDTH, ANSWER_WIDTH = Cm(5.5), Cm(10.5)  # the label column narrower than the answers
    word = WordDocument()
    # Word's document properties hold at most 255 characters (python-docx refuses more); a long
    # scenario title stays whole in the document itself.
    word.core_properties.title = doc.title if len(doc.title) <= 255 else doc.title[:254] + "…"
    word.add_heading(doc.title, level=0)
    word.add_paragraph().add_run(doc.version).italic = True
    for banner in doc.banners:
        word.add_paragraph().add_run(banner).bold = True

    def two_columns() -> Any:
        table = word.add_table(rows=0, cols=2)
        table.style = "Table Grid"
        table.autofit = False  # LibreOffice and Word keep the widths below only without autofit
        table.columns[0].width, table.columns[1].width = LABEL_WIDTH, ANSWER_WIDTH
        return table

    def source(text: str) -> None:
        run = word.add_paragraph().add_run(f"Source: {text}")
        run.italic = True
        run.font.size = Pt(9)

    for n, section in enumerate(doc.sections, 1):
        word.add_heading(f"{n}. {section.title}", level=1)
        for para in section.paragraphs:
            word.add_paragraph(para)
        for m, clause in enumerate(section.clauses, 1):
            first, *rest = clause.paragraphs or ("",)
            line = word.add_paragraph()
            line.add_run(_heading(f"{n}.{m} {clause.heading}") + " ").bold = True
            line.add_run(first)
            for text in rest:
                word.add_paragraph(text)
            for bullet in clause.bullets:
                word.add_paragraph(bullet, style="List Bullet")
            for choice in clause.choices:
                box = word.add_paragraph(f"\u2610  {choice}")
                box.paragraph_format.left_indent = Pt(18)
            if clause.source:
                source(clause.source)
        if section.items:
            table = two_columns()
            for item in section.items:
                row = table.add_row()
                if not item.lines and not item.choices:
                    row.height = Cm(1)  # room to write the answer by hand
                left, right = row.cells
                left.width, right.width = LABEL_WIDTH, ANSWER_WIDTH
                left.text = item.label
                right.text = "\n".join(item.lines)  # an empty cell is the space to fill in
                for choice in item.choices:
                    right.add_paragraph(f"\u2610  {choice}")
                if item.source:
                    run = right.add_paragraph().add_run(f"Source: {item.source}")
                    run.italic = True
                    run.font.size = Pt(8)
    if doc.signatures:
        word.add_heading(f"{len(doc.sections) + 1}. {doc.signatures_title}", level=1)
        for sig in doc.signatures:
            word.add_heading(sig.heading, level=2)
            table = two_columns()
            for label, value in [*sig.filled, *((line, "") for line in sig.lines)]:
                row = table.add_row()
                row.height = Cm(1)  # room to write by hand
                left, right = row.cells
                left.width, right.width = LABEL_WIDTH, ANSWER_WIDTH
                left.text = label
                right.text = value
            word.add_paragraph()
    word.add_paragraph().add_run(doc.disclaimer).italic = True
    word.save(str(target))


def agreement_markdown(scenario: Scenario, decision: Decision, ruleset: Ruleset | None = None,
                       today: dt.date | None = None) -> str:
    """The agreement draft as Markdown."""
    return document_markdown(build_draft(scenario, decision, ruleset, today))


def write_docx(scenario: Scenario, decision: Decision, target: Path, ruleset: Ruleset | None = None,
               today: dt.date | None = None) -> None:
    """The agreement draft as a Word document."""
    write_document_docx(build_draft(scenario, decision, ruleset, today), target)
