"""Decision -> text, JSON or Markdown. Presentation only: no law here."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Mapping, Sequence
from typing import Any, Protocol

from .decision import DISCLAIMER, CitationOut, Decision, Obligation, OpenPoint, Verdict

__all__ = ["HEADLINES", "REMEDIES_NOTE", "REMEDIES_TITLE", "VERDICT_TEXT", "RemedyView", "obligation_groups", "remedy_lines", "render",
           "render_json", "render_markdown", "render_remedies_markdown", "render_remedies_text", "render_text",
           "urgent_line", "urgent_note", "verdict_word"]

# What each verdict tells the reader, after the verdict's word.
VERDICT_TEXT: dict[Verdict, str] = {
    "allow": "you may share, meeting the obligations below",
    "deny": "do not share on these facts",
    "needs-agreement": "settle the open points before sharing",
}


def verdict_word(verdict: Verdict) -> str:
    """ALLOW, DENY, NEEDS AGREEMENT."""
    return verdict.upper().replace("-", " ")


HEADLINES: dict[Verdict, str] = {v: f"{verdict_word(v)}: {text}" for v, text in VERDICT_TEXT.items()}
WIDTH = 88
# Obligations in the order a practitioner meets them: the law's duties, the protocol's
# standards for this disclosure, then what urgency moved to after the share.
GROUPS = (
    (("duty",), "Obligations:"),
    (("standard",), "The protocol's standards, which you meet for this disclosure:"),
    (("record_after", "complete_after"), "After sharing (urgency moved these until after the share):"),
)


class RemedyView(Protocol):
    """What the output needs of a remedy (authoring.remedy.Remedy): found by search, shown here."""

    @property
    def todo(self) -> list[str]: ...  # what to do, one plain sentence per change

    @property
    def only_if_true(self) -> bool: ...  # it changes a fact about the world, not an action

    @property
    def satisfies(self) -> tuple[str, ...]: ...  # the findings it clears, in plain words

    @property
    def also(self) -> tuple[str, ...]: ...  # other ways of making the same change

    def to_json(self) -> dict[str, Any]: ...


REMEDIES_TITLE = "What would make it lawful"
REMEDIES_NOTE = ("Each of these, on its own, gives allow on the facts you stated; the purpose, the urgency and what "
                 "happened stay as you said.")


def remedy_lines(r: RemedyView) -> tuple[str, list[str]]:
    """One remedy as (what to do, the notes under it) in plain words."""
    todo = " ".join(r.todo)
    if r.only_if_true:
        todo = "Only if this is true: " + todo
    notes = []
    if r.also:
        notes.append("Or instead: " + "; or ".join(r.also) + ("" if r.also[-1].endswith((".", "?")) else "."))
    if r.satisfies:
        cleared = "; ".join(x.rstrip(".") for x in r.satisfies)
        notes.append(f"This clears: {cleared}" + ("" if cleared.endswith("?") else "."))
    return todo, notes


def render_remedies_text(remedies: Sequence[RemedyView]) -> str:
    """The "What would make it lawful" section of the text output ('' when there is none)."""
    if not remedies:
        return ""
    lines = [f"{REMEDIES_TITLE}:", _wrap(REMEDIES_NOTE, "  ")]
    for i, r in enumerate(remedies, 1):
        todo, notes = remedy_lines(r)
        lines.append(textwrap.fill(f"{i}. {todo}", WIDTH, initial_indent="  ", subsequent_indent="     "))
        lines += [_wrap(n, "     ") for n in notes]
    return "\n".join(lines)


def render_remedies_markdown(remedies: Sequence[RemedyView]) -> str:
    if not remedies:
        return ""
    out = [f"### {REMEDIES_TITLE}", "", REMEDIES_NOTE, ""]
    for i, r in enumerate(remedies, 1):
        todo, notes = remedy_lines(r)
        out.append(f"{i}. **{todo}**" + "".join(f" {n}" for n in notes))
    return "\n".join(out)


def urgent_note(d: Decision) -> tuple[str, str] | None:
    """What urgency means for this decision, as (label, what to do): never 'share now' beside a hold."""
    if d.share_now:
        return "Urgent", "share now; the paperwork below is done afterwards."
    if d.deferred and d.verdict == "needs-agreement":
        return ("Urgent, but held", ("settle the open points below now, because stated facts keep them open; "
                                     "everything else waits until after the share."))
    return None


def urgent_line(d: Decision) -> str | None:
    """The urgent note as one sentence."""
    note = urgent_note(d)
    return f"{note[0]}: {note[1]}" if note else None


# Under a deny there is no disclosure to meet them for: they are what a lawful share would carry,
# never a hint that this one may go ahead (third check on unseen shares, 8 December 2026).
DENY_STANDARDS = "The protocol's standards, for a share made lawful (not this one as described):"


def obligation_groups(d: Decision) -> list[tuple[str, list[Obligation]]]:
    groups = [(DENY_STANDARDS if d.verdict == "deny" and "standard" in kinds else title,
               [o for o in d.obligations if o.kind in kinds]) for kinds, title in GROUPS]
    return [(t, items) for t, items in groups if items]


def _source(o: Obligation, verbose: bool = False) -> str:
    # Ids are for IG teams (--verbose); a standard is the protocol's, and its pseudo-rule id
    # means nothing to anyone, so it is never shown.
    prefix = f"({o.rule}) " if verbose and o.kind != "standard" else ""
    return prefix + "Source: " + _cite(o.citations)


def _cite(citations: Sequence[CitationOut]) -> str:
    return "; ".join(f"{c.source}, {c.ref}" + (f" ({c.note})" if c.note else "") for c in citations)


def _wrap(text: str, indent: str) -> str:
    return textwrap.fill(text, WIDTH, initial_indent=indent, subsequent_indent=indent)


def _footer(d: Decision) -> str:
    r = d.ruleset
    return f"Ruleset {r.name} {r.version} (sha256 {r.sha256[:12]}), law as at {r.as_of.isoformat()}"


def render_text(d: Decision, verbose: bool = False, remedies: Sequence[RemedyView] = ()) -> str:
    """The decision in plain words. `verbose` adds the ids an IG team looks up: each reason's
    and obligation's rule, each open point's id, the rules that opened it and the fields it waits for.
    `remedies`: what would make it lawful, shown after the open points."""
    lines = [HEADLINES[d.verdict]]
    name = " ".join(x for x in (d.scenario, f"- {d.title}" if d.title else None) if x)
    if name:
        lines.append(_wrap(name, "  "))
    urgent = urgent_line(d)
    if urgent:
        lines.append(_wrap(urgent, "  "))
    for title, items in directory_notes(d):
        lines += ["", title]
        lines += [textwrap.fill(f"- {item}", WIDTH, initial_indent="  ", subsequent_indent="    ") for item in items]
    if d.reasons:
        lines += ["", "Reasons:"]
        for r in d.reasons:
            lines.append(f"  [{r.effect}] {r.rule}: {r.title}" if verbose else f"  [{r.effect}] {r.title}")
            lines.append(_wrap(r.message, "      "))
            if r.remedy:
                lines.append(_wrap("To change this: " + r.remedy, "      "))
            lines.append(_wrap("Source: " + _cite(r.citations), "      "))
    if d.open_points:
        lines += ["", "Open points (agree these before sharing):"]
        for p in d.open_points:
            lines.append(textwrap.fill(f"- {p.question}", WIDTH, initial_indent="  ", subsequent_indent="    "))
            lines.append(_wrap("Why open: " + p.why, "      "))
            if p.help:
                lines.append(_wrap(p.help, "      "))
            if p.likely_answers:  # none fits this share: the question and its help stand alone
                lines.append("      Likely answers:")
                lines += [_wrap("* " + a, "        ") for a in p.likely_answers]
            lines.append(_wrap("Source: " + _cite(p.citations), "      "))
            if verbose:
                lines.append(_wrap(_point_ids(p), "      "))
    if remedies:
        lines += ["", render_remedies_text(remedies)]
    for title, duties in obligation_groups(d):
        lines += ["", title]
        for o in duties:
            lines.append(textwrap.fill(f"- {o.message}", WIDTH, initial_indent="  ", subsequent_indent="    "))
            lines.append(_wrap(_source(o, verbose), "      "))
    lines += ["", _footer(d), DISCLAIMER]
    return "\n".join(lines)


def directory_notes(d: Decision) -> list[tuple[str, list[str]]]:
    """What the practitioner must see before the reasons: parts of the share not described, stated
    facts that differ from the partnership's directory, and the facts the directory filled in."""
    out = []
    if d.not_stated:
        out.append(("Not stated (please add):", list(d.not_stated)))
    if d.contradictions:
        out.append(("Check: what you said differs from the partnership's directory:", [c.words for c in d.contradictions]))
    if d.from_directory:
        out.append(("From the partnership's directory:", [f"{f.words} (source: {f.source})" for f in d.from_directory]))
    return out


def _point_ids(p: OpenPoint) -> str:
    ids = [f"point {p.id}"]
    if p.rules:
        ids.append("opened by " + ", ".join(p.rules))
    if p.waits_for:
        ids.append("waits for " + ", ".join(p.waits_for))
    if p.held_by:
        ids.append("held by " + ", ".join(p.held_by))
    return "Ids: " + "; ".join(ids)


def render_json(decisions: Sequence[Decision], remedies: Mapping[int, Sequence[RemedyView]] | None = None) -> str:
    """The decisions' JSON; `remedies` (by the decision's position) adds a `remedies` list to each
    decision they were sought for (an empty list: none found)."""
    data = [d.to_json() for d in decisions]
    for i, found in (remedies or {}).items():
        data[i]["remedies"] = [r.to_json() for r in found]
    return json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False)


def _md_cite(citations: Sequence[CitationOut]) -> str:
    return "; ".join(f"*{c.source}*, {c.ref}" for c in citations)


def render_markdown(d: Decision, verbose: bool = False, remedies: Sequence[RemedyView] = ()) -> str:
    out = [f"## {d.verdict.upper()}: {d.title or d.scenario or 'scenario'}", ""]
    out.append(f"**{HEADLINES[d.verdict]}**" + (f" (`{d.scenario}`)" if d.scenario else ""))
    urgent = urgent_line(d)
    if urgent:
        out += ["", f"> {urgent}"]
    for title, items in directory_notes(d):
        out += ["", f"### {title.rstrip(':')}", ""] + [f"- {item}" for item in items]
    if d.reasons:
        out += ["", "### Reasons", ""]
        out += ["| Rule | Effect | Reason | Source |", "|---|---|---|---|"] if verbose else \
            ["| Effect | Reason | Source |", "|---|---|---|"]
        for r in d.reasons:
            text = r.message + (f" **To change this:** {r.remedy}" if r.remedy else "")
            rule = f"| `{r.rule}` " if verbose else ""
            out.append(f"{rule}| {r.effect} | {text.replace('|', '/')} | {_md_cite(r.citations)} |")
    if d.open_points:
        out += ["", "### Open points"]
        for p in d.open_points:
            out += ["", f"- **{p.question}** _({p.why})_ Source: {_md_cite(p.citations)}"]
            out += [f"  - {a}" for a in p.likely_answers]
            if verbose:
                out.append(f"  - _{_point_ids(p)}_")
    if remedies:
        out += ["", render_remedies_markdown(remedies)]
    for title, duties in obligation_groups(d):
        out += ["", f"### {title.rstrip(':')}", ""]
        out += [f"- {o.message} ({_md_cite(o.citations)})"
                + (f" `{o.rule}`" if verbose and o.kind != "standard" else "") for o in duties]
    out += ["", f"_{_footer(d)}._", "", f"_{DISCLAIMER}_"]
    return "\n".join(out)


def render(decisions: Sequence[Decision], fmt: str, verbose: bool = False,
           remedies: Mapping[int, Sequence[RemedyView]] | None = None) -> str:
    """The decisions in one format; `verbose` adds the ids to text and Markdown (JSON always has them).
    `remedies`, by the decision's position: what would make each lawful, where it was sought."""
    found = remedies or {}
    if fmt == "json":
        return render_json(decisions, found)
    one = render_text if fmt == "text" else render_markdown
    sep = "\n\n" + ("-" * WIDTH if fmt == "text" else "---") + "\n\n"
    return sep.join(one(d, verbose, found.get(i, ())) for i, d in enumerate(decisions))
