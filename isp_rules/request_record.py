"""The ICO's Annex B data sharing request and decision record for a one-off request, filled in
from the decision (Markdown and Word, through the agreement draft's writers).

What Annex B asks was checked on 7 December 2026 against the ICO's page "Annex B: data sharing
request form template" (ico.org.uk, data sharing code of practice, .../annex-b-data-sharing-
request-form-template/data-sharing-template/). It is one form, for the organisation deciding
whether to share: who received the request and who made it (organisation, name and position),
when it was received, the information asked for, the controller relationship (joint or separate)
and whether a sharing agreement will be in place, the purpose, the lawful basis, why sharing is
necessary, the extra conditions for special category or criminal offence data, the extra
provisions for law enforcement processing under DPA 2018 Part 3, the legal power, whether a DPIA
was considered and its outcome, the DPO's views where there was no DPIA, retention and deletion,
security, individuals' rights, the date or dates of sharing, then the decision, the reasons for
sharing or not, who decided (name and position), signature and date. The ICO's earlier (2011)
code split this into a request form and a decision form; the decision part also records what was
shared, with whom, when and how (informationsharing.org.uk's summary of the code adds whether it
was shared with or without consent). This record keeps both parts, worded here in our own words.

Each item is answered from the agreement point that settles the same question, by the point's
id in the agreement-points file (`ITEM_POINTS`); a partnership whose Appendix J names its points
differently gets a blank line to fill in for that item, never a wrong answer.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .agreement import (
    BLANK,
    Document,
    Item,
    Section,
    Signature,
    cite,
    completed,
    document_markdown,
    matching_ruleset,
    party_names,
    point_cites,
    signatures,
    write_document_docx,
)
from .decision import Decision, PointStatus
from .errors import IspError
from .labels import label, value_words
from .ruleset import Ruleset
from .scenario import Scenario, Share

__all__ = ["RecordNotNeededError", "build_record", "not_needed", "record_markdown", "write_record_docx"]

# The agreement points that answer each item of the form (by id; see the module docstring).
ITEM_POINTS: dict[str, tuple[str, ...]] = {
    "agreement": ("sharing_agreement",),
    "basis": ("lawful_basis",),
    "conditions": ("special_category_condition", "criminal_offence_condition"),
    "power": ("legal_power",),
    "dpia": ("dpia",),
    "retention": ("retention",),
    "security": ("security", "transfer_method"),
    "rights": ("rights_requests",),
    "sign_off": ("sign_off",),
}


class RecordNotNeededError(IspError):
    """The share is routine: it is set out in an information sharing agreement, not decided request by request."""


def not_needed(scenario: Scenario) -> str | None:
    """Why this share needs no Annex B record (None when it does: a one-off request, or one whose
    frequency is not stated yet)."""
    if scenario.share.frequency == "routine":
        return ("this share is routine sharing, which is set out once in an information sharing agreement "
                "(the agreement draft) rather than decided request by request; the ICO's Annex B request and "
                "decision record is for deciding a one-off request")
    return None


def _point(decision: Decision, item: str) -> list[PointStatus]:
    ids = ITEM_POINTS.get(item, ())
    return [p for p in decision.points if p.id in ids]


def _requester(share: Share, to_name: str | None) -> tuple[str, ...]:
    """Who asked: the recipient only when the scenario says it asked; a share the discloser
    offers unasked (or at the person's own request) is said so; unknown is a blank to fill in."""
    if share.request.by_person:
        return ("The person the information is about asked for it to be shared",)
    if share.request.by_recipient is False:
        return ("Nobody: the discloser is sharing on its own initiative",)
    if share.request.by_recipient and to_name:
        return (to_name,)
    return ()


def _answer(points: list[PointStatus], decision: Decision, ruleset: Ruleset | None, label_: str) -> Item:
    """An item answered from the points that settle it; a blank line when none applies."""
    lines: list[str] = []
    choices: list[str] = []
    cites: list[object] = []
    if any(p.status != "not_applicable" for p in points):  # say "does not apply" only when nothing does
        points = [p for p in points if p.status != "not_applicable"]
    for p in points:
        cites += point_cites(p.id, decision, ruleset)
        detail = p.detail.strip().rstrip(".")
        if p.status == "scenario":
            lines.append(detail[:1].upper() + detail[1:] + ".")
        elif p.status == "settled" and p.standard:
            lines.append(f"Settled, because {detail}. The protocol\u2019s standard: \u201c{p.standard.strip()}\u201d")
        elif p.status in ("settled", "obligation"):
            lines.append(detail[:1].upper() + detail[1:] + ".")
        elif p.status == "not_applicable":
            lines.append(f"Does not apply: {detail}.")
        elif p.status == "deferred":
            lines.append(f"To record after the urgent share: {detail}.")
            choices += p.likely_answers
        else:
            lines.append(f"Still to decide: {detail}.")
            choices += [*p.likely_answers, f"Another answer: {BLANK}"]
    return Item(label_, tuple(lines), tuple(dict.fromkeys(choices)), cite(cites))


def _stated(scenario: Scenario, path: str) -> str | None:
    from .dotted import get_path

    value = get_path(scenario.model_dump(mode="json", by_alias=True, exclude_none=True), path)
    if value is None or value == []:
        return None
    return value_words(path, value)


def _decision_words(decision: Decision) -> str:
    if decision.verdict == "deny":
        return "Do not share: on the facts given the disclosure would be unlawful or outside the protocol."
    if decision.share_now:
        return "Share now: the share is urgent; complete the rest of this record afterwards."
    if decision.verdict == "needs-agreement":
        return "Not decided yet: settle the items marked \u201cstill to decide\u201d first."
    return "Share, on the terms below."


def build_record(scenario: Scenario, decision: Decision, ruleset: Ruleset | None = None,
                 today: dt.date | None = None) -> Document:
    """The Annex B request and decision record for a one-off request. Raises RecordNotNeededError
    for routine sharing (the agreement draft is its record)."""
    why_not = not_needed(scenario)
    if why_not:
        raise RecordNotNeededError(f"no Annex B record for this share: {why_not}")
    rs = matching_ruleset(decision, ruleset)
    today = today or dt.date.today()
    scenario = completed(scenario, decision, rs)
    from_name, to_name = party_names(scenario, decision)
    share = scenario.share

    asked = [x for x in (_stated(scenario, "share.data.categories"),) if x]
    about = _stated(scenario, "share.data.subjects")
    what = "; ".join(asked + ([f"about: {about}"] if about else []))
    purpose = _stated(scenario, "share.purpose.category")
    purpose_words = (purpose[:1].upper() + purpose[1:] if purpose else "") + (
        f" ({share.purpose.detail})" if share.purpose.detail else "")
    in_writing = _stated(scenario, "share.request.in_writing")
    request = Section("The request", (), (), tuple(x for x in (
        Item("Organisation asked to share the information", (from_name,) if from_name else ()),
        Item("Organisation asking for it", _requester(share, to_name)),
        Item("Name, position and contact details of the person asking"),
        Item("Date the request was received"),
        Item("Date the information is needed by", ("As soon as possible: the share is urgent.",)
             if decision.deferred else ()),
        Item("The information asked for", (what[:1].upper() + what[1:],) if what else ()),
        Item("What it is for", (purpose_words.strip(),) if purpose_words.strip() else ()),
        Item("Asked for in writing", (in_writing[:1].upper() + in_writing[1:],)) if in_writing else None,
    ) if x is not None))

    relationship = _stated(scenario, "share.relationship")
    part_3 = [f"{label(p)[:1].upper() + label(p)[1:]}: {w}" for p in ("share.basis.part_3", "share.basis.schedule_8")
              if (w := _stated(scenario, p))]
    considering = Section("Considering the request", (), (), (
        Item("How the two organisations relate", (relationship[:1].upper() + relationship[1:],) if relationship else ()),
        _answer(_point(decision, "agreement"), decision, rs, "Will an information sharing agreement be in place?"),
        _answer(_point(decision, "basis"), decision, rs, "Lawful basis for sharing"),
        Item("Why sharing is necessary (what it achieves, and why less would not do)"),
        _answer(_point(decision, "conditions"), decision, rs,
                "Extra conditions for special category or criminal offence information"),
        Item("Extra provisions for law enforcement processing (DPA 2018 Part 3)", tuple(part_3)),
        _answer(_point(decision, "power"), decision, rs, "Legal power for sharing"),
        _answer(_point(decision, "dpia"), decision, rs, "Was a DPIA considered, and what did it conclude?"),
        Item("Views of the data protection officer (where there was no DPIA)"),
        _answer(_point(decision, "retention"), decision, rs, "Keeping and deleting the information"),
        _answer(_point(decision, "security"), decision, rs, "Security"),
        _answer(_point(decision, "rights"), decision, rs, "Individuals\u2019 rights"),
        Item("Date or dates of sharing"),
    ))

    reasons = [f"{r.title.rstrip('.')}. Source: {cite(r.citations)}." for r in decision.reasons
               if r.effect in ("deny", "open", "ground")]
    what_shared = ("Nothing: the request is refused." if decision.verdict == "deny" else
                   "Nothing yet." if decision.verdict == "needs-agreement" else
                   (what[:1].upper() + what[1:]) if what else "")
    transfer = _stated(scenario, "share.handling.transfer")
    consent = _stated(scenario, "share.consent.status")
    answered = {i for ids in ITEM_POINTS.values() for i in ids}
    duties = [f"{o.message.rstrip('.')}. Source: {cite(o.citations)}." for o in decision.obligations
              if o.point is None or o.point not in answered]
    deciding = Section("The decision", (), (), tuple(x for x in (
        Item("Decision on the request", (_decision_words(decision),)),
        Item("Reasons for sharing or not sharing", tuple(reasons)),
        Item("What was shared", (what_shared,) if what_shared else ()),
        Item("Shared with", (to_name,) if to_name and decision.verdict != "deny" else ()),
        Item("When it was shared"),
        Item("How it was sent", (transfer[:1].upper() + transfer[1:],) if transfer else ()),
        Item("With or without the person\u2019s consent", (consent[:1].upper() + consent[1:],) if consent else ()),
        _answer(_point(decision, "sign_off"), decision, rs, "Who may approve it"),
        Item("What the discloser must do with this disclosure", tuple(duties)) if duties else None,
    ) if x is not None))

    r = decision.ruleset
    version = (f"Filled in by isp-rules with ruleset {r.name} {r.version} on {today:%d %B %Y}, from the decision "
               f"as at {r.as_of:%d %B %Y}. Following the ICO data sharing code of practice, Annex B "
               "(data sharing request form template).")
    banners = []
    if share.frequency is None:
        banners.append("Whether this share is one-off or routine is not stated: if it is routine, draft the "
                       "information sharing agreement instead.")
    if decision.verdict == "deny":
        banners.append("Do not share: on these facts the disclosure would be unlawful. See the reasons below.")
    sigs = signatures(scenario, decision, rs, ("Name", "Position", "Signature", "Date"))[:1]
    signed = tuple(Signature(f"Decision taken by, for {from_name}" if from_name else
                             f"Decision taken by, for the organisation asked (name: {BLANK})",
                             s.lines, s.filled) for s in sigs)
    return Document(title="Data sharing request and decision record"
                    + (f": {scenario.title.rstrip('.')}" if scenario.title else ""),
                    version=version, banners=tuple(banners), sections=(request, considering, deciding),
                    signatures=signed, signatures_title="Who decided")


def record_markdown(scenario: Scenario, decision: Decision, ruleset: Ruleset | None = None,
                    today: dt.date | None = None) -> str:
    return document_markdown(build_record(scenario, decision, ruleset, today))


def write_record_docx(scenario: Scenario, decision: Decision, target: Path, ruleset: Ruleset | None = None,
                      today: dt.date | None = None) -> None:
    write_document_docx(build_record(scenario, decision, ruleset, today), target)
