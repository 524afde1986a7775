"""Decision -> text, JSON or Markdown. Presentation only: no law here."""

from __future__ import annotations

import json
import textwrap
from collections.abc import Sequence

from .decision import DISCLAIMER, CitationOut, Decision, Obligation, OpenPoint, Verdict

__all__ = ["HEADLINES", "VERDICT_TEXT", "obligation_groups", "render", "render_json", "render_markdown",
           "render_text", "urgent_line", "urgent_note", "verdict_word"]

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


def obligation_groups(d: Decision) -> list[tuple[str, list[Obligation]]]:
    groups = [(title, [o for o in d.obligations if o.kind in kinds]) for kinds, title in GROUPS]
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


def render_text(d: Decision, verbose: bool = False) -> str:
    """The decision in plain words. `verbose` adds the ids an IG team looks up: each reason's
    and obligation's rule, each open point's id, the rules that opened it and the fields it waits for."""
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
            lines.append("      Likely answers:")
            lines += [_wrap("* " + a, "        ") for a in p.likely_answers]
            lines.append(_wrap("Source: " + _cite(p.citations), "      "))
            if verbose:
                lines.append(_wrap(_point_ids(p), "      "))
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


def render_json(decisions: Sequence[Decision]) -> str:
    data = [d.to_json() for d in decisions]
    return json.dumps(data[0] if len(data) == 1 else data, indent=2, ensure_ascii=False)


def _md_cite(citations: Sequence[CitationOut]) -> str:
    return "; ".join(f"*{c.source}*, {c.ref}" for c in citations)


def render_markdown(d: Decision, verbose: bool = False) -> str:
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
    for title, duties in obligation_groups(d):
        out += ["", f"### {title.rstrip(':')}", ""]
        out += [f"- {o.message} ({_md_cite(o.citations)})"
                + (f" `{o.rule}`" if verbose and o.kind != "standard" else "") for o in duties]
    out += ["", f"_{_footer(d)}._", "", f"_{DISCLAIMER}_"]
    return "\n".join(out)


def render(decisions: Sequence[Decision], fmt: str, verbose: bool = False) -> str:
    """The decisions in one format; `verbose` adds the ids to text and Markdown (JSON always has them)."""
    if fmt == "json":
        return render_json(decisions)
    one = render_text if fmt == "text" else render_markdown
    sep = "\n\n" + ("-" * WIDTH if fmt == "text" else "---") + "\n\n"
    return sep.join(one(d, verbose) for d in decisions)
