"""The Appendix J agreement draft for one share, built from its Decision (no second copy of the logic).

Three parts, as the protocol's template intends: what the protocol already settles, what
this share's facts settle, and what is still to agree, each open point with its likely answers.
"""

from __future__ import annotations

from .decide import DISCLAIMER, Decision
from .scenario import Scenario

__all__ = ["agreement_markdown"]

HOW = {
    "protocol": "Settled by the protocol",
    "agreement": "Settled by the agreement in place",
    "condition": "Settled by the facts of this share",
    "settled": "Nothing to agree",
}


def _words(value) -> str:
    return str(value).replace("_", " ")


def _party(party) -> str:
    bits = [party.name or "(name not stated)"]
    if party.type:
        bits.append(_words(party.type))
    if party.signatory is not None:
        bits.append("signatory" if party.signatory else "not a signatory")
    if party.location != "GB":
        bits.append(f"located in {party.location}")
    return ", ".join(bits)


def _cell(text: str) -> str:
    return text.replace("|", "/").replace("\n", " ")


def agreement_markdown(scenario: Scenario, decision: Decision) -> str:
    share = scenario.share
    r = decision.ruleset
    title = scenario.title or scenario.id or "information share"
    out = [f"# Information sharing agreement (draft): {title}", "",
           f"_Drafted by isp-rules from scenario `{decision.scenario or 'unnamed'}` under the {r.name} "
           f"rules {r.version} (sha256 {r.sha256[:12]}), law as at {r.as_of.isoformat()}._", "",
           "## The share", "",
           f"- **Discloser:** {_party(share.from_)}",
           f"- **Recipient:** {_party(share.to)}"]
    if share.relationship:
        out.append(f"- **Relationship:** {_words(share.relationship)}")
    if share.purpose.category:
        detail = f" ({share.purpose.detail})" if share.purpose.detail else ""
        out.append(f"- **Purpose:** {_words(share.purpose.category)}{detail}")
    if share.data.subjects:
        out.append(f"- **About:** {', '.join(_words(s) for s in share.data.subjects)}")
    if share.data.categories:
        out.append(f"- **Information:** {', '.join(_words(c) for c in share.data.categories)}")
    if share.frequency:
        out.append(f"- **Frequency:** {_words(share.frequency)}")
    out += ["", f"**Assessment: {decision.verdict.upper()}.**" + (" Urgent: paperwork follows the share." if decision.deferred else ""), ""]
    for reason in decision.reasons:
        if reason.effect in ("deny", "open", "ground"):
            out.append(f"- {reason.effect}: {reason.title} (`{reason.rule}`)")

    settled = [p for p in decision.points if p.status in HOW]
    by_share = [p for p in decision.points if p.status == "scenario"]
    still_open = [p for p in decision.points if p.status == "open"]
    deferred = [p for p in decision.points if p.status == "deferred"]

    out += ["", "## 1. Already settled", ""]
    if settled:
        out += ["| Point | Question | How |", "|---|---|---|"]
        out += [f"| {p.id} | {_cell(p.question)} | {HOW[p.status]}: {_cell(p.detail)} |" for p in settled]
    else:
        out.append("Nothing is settled by the protocol for this share: at least one party has not signed it.")

    out += ["", "## 2. Settled by this share", ""]
    if by_share:
        out += ["| Point | Question | Agreed |", "|---|---|---|"]
        out += [f"| {p.id} | {_cell(p.question)} | {_cell(p.detail)} |" for p in by_share]
    else:
        out.append("None yet.")

    out += ["", "## 3. Still to agree", ""]
    if not still_open and not deferred:
        out.append("Nothing: every point is settled.")
    for p in still_open:
        out += [f"### {p.id}: {p.question}", "", f"_Why it is open: {p.detail}_", "", "Likely answers:", ""]
        out += [f"- [ ] {a}" for a in p.likely_answers] + [""]
    if deferred:
        out += ["### To complete after the share (urgent)", ""]
        for p in deferred:
            out += [f"- **{p.id}:** {p.question} Likely: " + "; ".join(p.likely_answers)]
        out.append("")

    if decision.obligations:
        out += ["", "## Obligations", ""] + [f"- {o.message}" for o in decision.obligations]
    out += ["", "## Sign-off", "", "| Party | Name and role | Date |", "|---|---|---|",
            f"| {_cell(share.from_.name or 'Discloser')} | | |", f"| {_cell(share.to.name or 'Recipient')} | | |",
            "", f"_{DISCLAIMER}_", ""]
    return "\n".join(out)
