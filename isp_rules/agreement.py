"""The Appendix J agreement draft for one share, built from its Decision (no second copy of the logic).

Three parts, as the protocol's template intends: what the protocol already settles, what
this share's facts settle, and what is still to agree, each open point with its likely answers.
The same content is written as Markdown or as a Word document.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from .decision import DISCLAIMER, Decision, PointStatus
from .scenario import Party, Scenario

__all__ = ["Draft", "agreement_markdown", "build_draft", "write_docx"]

def _how(p: PointStatus) -> str:
    """How a settled point is settled, with the standard that then applies, in plain words."""
    if p.status == "obligation":
        return f"Nothing to agree: {p.detail}"
    text = f"Settled: {p.detail}" if p.settled_by else f"Nothing to agree: {p.detail}"
    return text + (f". The standard: {p.standard}" if p.standard else "")


@dataclass
class Draft:
    title: str
    provenance: str
    share: list[tuple[str, str]]  # (label, value)
    assessment: str
    reasons: list[str]
    settled: list[tuple[str, str, str]]  # (point, question, how)
    by_share: list[tuple[str, str, str]]  # (point, question, agreed)
    still_open: list[PointStatus]
    deferred: list[PointStatus]
    obligations: list[str]
    parties: list[str] = field(default_factory=list)
    no_protocol: str = ""  # why the protocol's standards are open (empty when they are not)
    disclaimer: str = DISCLAIMER


def _words(value: object) -> str:
    return str(value).replace("_", " ")


HOME = Party.model_fields["location"].default  # the scenario format's default location: not worth saying


def _party(party: Party) -> str:
    bits = [party.name or "(name not stated)"]
    if party.type:
        bits.append(_words(party.type))
    if party.signatory is not None:
        bits.append("signatory" if party.signatory else "not a signatory")
    if party.location != HOME:
        bits.append(f"located in {party.location}")
    return ", ".join(bits)


def build_draft(scenario: Scenario, decision: Decision) -> Draft:
    share, r = scenario.share, decision.ruleset
    rows = [("Discloser", _party(share.from_)), ("Recipient", _party(share.to))]
    if share.relationship:
        rows.append(("Relationship", _words(share.relationship)))
    if share.purpose.category:
        rows.append(("Purpose", _words(share.purpose.category) + (f" ({share.purpose.detail})" if share.purpose.detail else "")))
    if share.data.subjects:
        rows.append(("About", ", ".join(_words(s) for s in share.data.subjects)))
    if share.data.categories:
        rows.append(("Information", ", ".join(_words(c) for c in share.data.categories)))
    if share.frequency:
        rows.append(("Frequency", _words(share.frequency)))
    return Draft(
        title=f"Information sharing agreement (draft): {scenario.title or scenario.id or 'information share'}",
        provenance=(f"Drafted by isp-rules from scenario '{decision.scenario or 'unnamed'}' under the {r.name} rules "
                    f"{r.version} (sha256 {r.sha256[:12]}), law as at {r.as_of.isoformat()}."),
        share=rows,
        assessment=f"Assessment: {decision.verdict.upper()}." + (
            " Urgent: share now; the paperwork follows the share." if decision.share_now else
            " Urgent, but the open point below must be settled first." if decision.deferred and decision.verdict != "deny" else ""),
        reasons=[f"{x.effect}: {x.title} ({x.rule})" for x in decision.reasons if x.effect in ("deny", "open", "ground")],
        settled=[(p.id, p.question, _how(p)) for p in decision.points if p.status in ("settled", "obligation")],
        by_share=[(p.id, p.question, p.detail) for p in decision.points if p.status == "scenario"],
        still_open=[p for p in decision.points if p.status == "open"],
        deferred=[p for p in decision.points if p.status == "deferred"],
        obligations=[o.message for o in decision.obligations],
        parties=[share.from_.name or "Discloser", share.to.name or "Recipient"],
        no_protocol=no_protocol([p for p in decision.points if p.kind == "protocol_standard"
                                 and p.status in ("open", "deferred")]),
    )


def no_protocol(points: list[PointStatus]) -> str:
    """Why the protocol's standards are open, in the partnership's own words: what would settle them
    comes from the settlements in its agreement-points file, never from here."""
    if not points:
        return ""
    ways = list(dict.fromkeys(s for p in points for s in p.settles_when))
    if not ways:
        return "The protocol's standards are not settled for this share."
    return "The protocol's standards are not settled for this share. They would be if " + "; or if ".join(ways) + "."

DENY_BANNER = "Do not share and do not sign: on these facts the share is unlawful. See the reasons below."


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def agreement_markdown(scenario: Scenario, decision: Decision) -> str:
    d = build_draft(scenario, decision)
    out = [f"# {d.title}", "", f"_{d.provenance}_", ""]
    if decision.verdict == "deny":
        out += [f"> **{DENY_BANNER}**", ""]
    out += ["## The share", ""]
    out += [f"- **{label}:** {value}" for label, value in d.share]
    out += ["", f"**{d.assessment}**", ""] + [f"- {x}" for x in d.reasons]
    out += ["", "## 1. Already settled", ""]
    if d.no_protocol:
        out += [d.no_protocol, ""]
    if d.settled:
        out += ["| Point | Question | How |", "|---|---|---|"] + [f"| {a} | {_cell(b)} | {_cell(c)} |" for a, b, c in d.settled]
    elif not d.no_protocol:
        out.append("None.")
    out += ["", "## 2. Settled by this share", ""]
    if d.by_share:
        out += ["| Point | Question | Agreed |", "|---|---|---|"] + [f"| {a} | {_cell(b)} | {_cell(c)} |" for a, b, c in d.by_share]
    else:
        out.append("None yet.")
    out += ["", "## 3. Still to agree", ""]
    if not d.still_open and not d.deferred:
        out.append("Nothing: every point is settled.")
    for p in d.still_open:
        out += [f"### {p.id}: {p.question}", "", f"_Why it is open: {p.detail}_", "", "Likely answers:", ""]
        out += [f"- [ ] {a}" for a in p.likely_answers] + [""]
    if d.deferred:
        out += ["### To complete after the share (urgent)", ""]
        out += [f"- **{p.id}:** {p.question} Likely: " + "; ".join(p.likely_answers) for p in d.deferred] + [""]
    if d.obligations:
        out += ["", "## Obligations", ""] + [f"- {o}" for o in d.obligations]
    out += ["", "## Sign-off", "", "| Party | Name and role | Date |", "|---|---|---|"]
    out += [f"| {_cell(p)} | | |" for p in d.parties]
    out += ["", f"_{d.disclaimer}_", ""]
    return "\n".join(out)


def write_docx(scenario: Scenario, decision: Decision, target: Path) -> None:
    """The same draft as a Word document (python-docx)."""
    from docx import Document  # imported here: only this output needs it

    d = build_draft(scenario, decision)
    doc = Document()
    doc.core_properties.title = d.title
    doc.add_heading(d.title, level=0)
    doc.add_paragraph(d.provenance).runs[0].italic = True
    if decision.verdict == "deny":
        doc.add_paragraph().add_run(DENY_BANNER).bold = True
    doc.add_heading("The share", level=1)
    for label, value in d.share:
        para = doc.add_paragraph(style="List Bullet")
        para.add_run(f"{label}: ").bold = True
        para.add_run(value)
    doc.add_paragraph().add_run(d.assessment).bold = True
    for line in d.reasons:
        doc.add_paragraph(line, style="List Bullet")

    def table(header: tuple[str, str, str], rows: list[tuple[str, str, str]]) -> None:
        t = doc.add_table(rows=1, cols=3)
        t.style = "Table Grid"
        for cell, text in zip(t.rows[0].cells, header, strict=False):
            cell.text = text
        for row in rows:
            for cell, text in zip(t.add_row().cells, row, strict=False):
                cell.text = text

    doc.add_heading("1. Already settled", level=1)
    if d.no_protocol:
        doc.add_paragraph(d.no_protocol)
    table(("Point", "Question", "How"), d.settled) if d.settled else None
    doc.add_heading("2. Settled by this share", level=1)
    table(("Point", "Question", "Agreed"), d.by_share) if d.by_share else doc.add_paragraph("None yet.")
    doc.add_heading("3. Still to agree", level=1)
    if not d.still_open and not d.deferred:
        doc.add_paragraph("Nothing: every point is settled.")
    for p in d.still_open:
        doc.add_heading(f"{p.id}: {p.question}", level=2)
        doc.add_paragraph(f"Why it is open: {p.detail}").runs[0].italic = True
        for answer in p.likely_answers:
            doc.add_paragraph(f"\u2610 {answer}", style="List Bullet")
    if d.deferred:
        doc.add_heading("To complete after the share (urgent)", level=2)
        for p in d.deferred:
            doc.add_paragraph(f"{p.id}: {p.question} Likely: " + "; ".join(p.likely_answers), style="List Bullet")
    if d.obligations:
        doc.add_heading("Obligations", level=1)
        for o in d.obligations:
            doc.add_paragraph(o, style="List Bullet")
    doc.add_heading("Sign-off", level=1)
    table(("Party", "Name and role", "Date"), [(p, "", "") for p in d.parties])
    doc.add_paragraph(d.disclaimer).runs[0].italic = True
    doc.save(str(target))
