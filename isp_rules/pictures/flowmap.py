"""The partnership's data-flow map: partners as points on a circle, agreements as solid lines
from a numbered hub to each of their parties, and recorded decisions as dashed arrows from the
discloser to the recipient, drawn by verdict.

It is a picture of what the partnership has agreed and what its members have decided, for a DPO
or the secretariat to see at a glance where information flows and where it was refused. A
controller must be able to show what it shares, with whom and why (UK GDPR Art 5(2),
accountability; the ICO data sharing code, "Accountability"); the register holds each decision,
and the map only reads it. Decisions are drawn one arrow per discloser, recipient and verdict, the arrow
saying how many decisions it stands for (one arrow per decision would lay identical lines over
each other). A party a decision named that is not in the partnership's directory is drawn
apart (a dashed circle), so that shares outside the protocol stand out.

The layout is deterministic: the same directory and register always give the same picture.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..directory import Agreement, Directory
from ..errors import IspError, did_you_mean
from ..labels import PARTY_LABELS, value_words
from ..register import DECISION, Record
from ..register.details import NOT_RECORDED
from ..vocabulary import PURPOSES
from .svg import INK, MUTED, VERDICTS, esc, look, svg_open, text_lines, wrap

__all__ = ["AgreementFlow", "DecisionFlow", "FlowMap", "MapNode", "UnknownPurposeError", "build_map", "describe_map",
           "parse_purpose", "purpose_choices", "purpose_words", "render_map"]

PURPOSE_FIELD = "share.purpose.category"


class UnknownPurposeError(IspError):
    """A purpose that is not one of the scenario format's (with a "did you mean")."""

    def __init__(self, purpose: str):
        self.purpose = purpose
        super().__init__(f"no purpose '{purpose}'{did_you_mean(purpose, PURPOSES)}; one of {', '.join(PURPOSES)}")


def purpose_words(purpose: str) -> str:
    """A purpose as a practitioner says it, capitalised: "Protecting a child"."""
    words = value_words(PURPOSE_FIELD, purpose)
    return words[:1].upper() + words[1:]


def purpose_choices() -> list[tuple[str, str]]:
    """(value, plain words) for each purpose, in the scenario format's order."""
    return [(p, purpose_words(p)) for p in PURPOSES]


def parse_purpose(text: str | None) -> str | None:
    """The purpose named by `text` (its value, any case, with - or _ between words), None for no
    filter (empty); UnknownPurposeError otherwise."""
    given = (text or "").strip()
    if not given:
        return None
    key = given.casefold().replace("-", "_").replace(" ", "_")
    if key in PURPOSES:
        return key
    raise UnknownPurposeError(given[:60])


@dataclass(frozen=True)
class MapNode:
    """An organisation on the map: a partner from the directory, or a party a decision named
    that the directory does not hold."""

    key: str
    name: str
    kind: str  # what kind of body, in plain words ("" when not known)
    in_directory: bool


@dataclass(frozen=True)
class AgreementFlow:
    """An agreement drawn as a hub joined to each of its parties; `number` is its label (A1, A2...)."""

    number: int
    agreement: Agreement
    parties: tuple[str, ...]  # node keys
    party_names: tuple[str, ...]
    status: str  # the directory's status words for the map's day

    @property
    def label(self) -> str:
        return f"A{self.number}"


@dataclass(frozen=True)
class DecisionFlow:
    """The recorded decisions from one organisation to another with one verdict."""

    source: str  # node keys
    target: str
    verdict: str
    count: int
    seqs: tuple[int, ...]


@dataclass(frozen=True)
class FlowMap:
    """What the map shows; `purpose` is the filter (None for every purpose)."""

    nodes: tuple[MapNode, ...]
    agreements: tuple[AgreementFlow, ...]
    decisions: tuple[DecisionFlow, ...]
    purpose: str | None = None
    names: dict[str, str] = field(default_factory=dict)  # node key -> name

    @property
    def decision_count(self) -> int:
        return sum(f.count for f in self.decisions)

    def name(self, key: str) -> str:
        return self.names.get(key, key)


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _party(record: Record, side: str, directory_ids: set[str], by_name: dict[str, str]) -> tuple[str, str, str]:
    """(node key, name, kind) of one side of a recorded decision: the directory partner it named
    (by its id, or by exactly its name in any case), else the name given (or the kind of body
    stated), else "not recorded". A name that only resembles a partner's stays apart: the map
    never guesses which organisation a decision meant."""
    body = _mapping(record.body)
    share = _mapping(_mapping(body.get("scenario")).get("share"))
    stated = _mapping(share.get(side))
    partner = stated.get("partner")
    if isinstance(partner, str) and partner in directory_ids:
        return partner, "", ""
    names = _mapping(_mapping(body.get("case")).get("parties"))
    name = names.get(side) or stated.get("name")
    kind = PARTY_LABELS.get(str(stated.get("type")), "") if stated.get("type") else ""
    if isinstance(name, str) and name.strip():
        name = " ".join(name.split())
        if name.casefold() in by_name:
            return by_name[name.casefold()], "", ""
    elif kind:
        name = kind
    else:
        name = f"Organisation {NOT_RECORDED}"
    return "outside:" + name.casefold(), name, kind


def _purpose_of(record: Record) -> str | None:
    share = _mapping(_mapping(_mapping(record.body).get("scenario")).get("share"))
    category = _mapping(share.get("purpose")).get("category")
    return category if isinstance(category, str) else None


def build_map(directory: Directory, records: Iterable[Record], purpose: str | None = None,
              today: Any = None) -> FlowMap:
    """The map of `directory`'s partners and agreements and the decisions among `records`
    (sign-off records are skipped), only those for `purpose` when given. `today` (a date) words
    each agreement's status; None leaves it out."""
    ids = {p.id for p in directory.partners}
    by_name = {p.name.casefold(): p.id for p in directory.partners}
    nodes = [MapNode(p.id, p.name, p.kind, True) for p in directory.partners]
    names = {p.id: p.name for p in directory.partners}
    outside: dict[str, MapNode] = {}
    grouped: dict[tuple[str, str, str], list[int]] = {}
    for record in records:
        if record.kind != DECISION or (purpose is not None and _purpose_of(record) != purpose):
            continue
        ends = []
        for side in ("from", "to"):
            key, name, kind = _party(record, side, ids, by_name)
            if key not in ids and key not in outside:
                outside[key] = MapNode(key, name, kind, False)
                names[key] = name
            ends.append(key)
        grouped.setdefault((ends[0], ends[1], record.verdict), []).append(record.seq)
    nodes += sorted(outside.values(), key=lambda n: n.name.casefold())
    agreements: list[AgreementFlow] = []
    for agreement in directory.agreements:
        if purpose is not None and purpose not in agreement.purposes:
            continue
        parties = tuple(p for p in agreement.parties if p in ids)
        agreements.append(AgreementFlow(len(agreements) + 1, agreement, parties, tuple(directory.names(parties)),
                                        agreement.status_words(today) if today is not None else ""))
    order = {v.verdict: i for i, v in enumerate(VERDICTS)}
    decisions = [DecisionFlow(s, t, v, len(seqs), tuple(seqs))
                 for (s, t, v), seqs in sorted(grouped.items(), key=lambda kv: (kv[0][0], kv[0][1], order.get(kv[0][2], 9)))]
    return FlowMap(tuple(nodes), tuple(agreements), tuple(decisions), purpose, names)


# --- drawing ----------------------------------------------------------------------------

WIDTH = 1200
NODE_R = 11
LABEL_CHARS = 26


def _count_words(n: int, what: str) -> str:
    return f"{n} {what}{'' if n == 1 else 's'}"


def _summary(fmap: FlowMap) -> str:
    partners = sum(1 for n in fmap.nodes if n.in_directory)
    others = len(fmap.nodes) - partners
    parts = [_count_words(partners, "partner"), _count_words(len(fmap.agreements), "agreement"),
             _count_words(fmap.decision_count, "recorded decision")]
    if others:
        parts.append(_count_words(others, "organisation") + " not in the directory")
    return ", ".join(parts)


def describe_map(fmap: FlowMap) -> str:
    """The map in one or two sentences, for its <desc> and for a page's introduction."""
    scope = f" for {purpose_words(fmap.purpose).lower()}" if fmap.purpose else ""
    text = f"The partnership's information sharing{scope}: {_summary(fmap)}."
    if not fmap.decisions:
        text += " No decisions recorded yet" + (" for this purpose." if fmap.purpose else ".")
    return text


def render_map(fmap: FlowMap, standalone: bool = True, prefix: str = "map") -> str:
    """The map as SVG: a file of its own (`standalone`), or to be placed inside a page. `prefix`
    starts every id in it, so that two pictures on one page never share one."""
    n = max(len(fmap.nodes), 1)
    radius = max(230.0, min(420.0, n * 20.0))
    cx, cy = WIDTH / 2, 150 + radius
    pos: dict[str, tuple[float, float, float]] = {}
    for i, node in enumerate(fmap.nodes):
        angle = -math.pi / 2 + 2 * math.pi * i / n
        pos[node.key] = (cx + radius * math.cos(angle), cy + radius * math.sin(angle), angle)

    body: list[str] = []
    # Agreements: hubs on an inner circle, in the order of their parties' mean direction.
    hubs = _hub_positions(fmap.agreements, pos, cx, cy, radius * 0.42)
    for flow in fmap.agreements:
        hx, hy = hubs[flow.number]
        spokes = "".join(f'<line x1="{hx:.1f}" y1="{hy:.1f}" x2="{pos[p][0]:.1f}" y2="{pos[p][1]:.1f}"/>'
                         for p in flow.parties)
        tip = f"{flow.label}: {flow.agreement.title}, between {'; '.join(flow.party_names)}"
        body.append(f'<g class="flow agreement" data-parties="{len(flow.parties)}"><title>{esc(tip)}</title>'
                    f'<g stroke="#505a5f" stroke-width="2.5" stroke-opacity="0.55">{spokes}</g>'
                    f'<rect x="{hx - 20:.1f}" y="{hy - 13:.1f}" width="40" height="26" rx="5" fill="#ffffff" '
                    f'stroke="{INK}" stroke-width="2"/>'
                    f'<text x="{hx:.1f}" y="{hy + 5:.1f}" font-size="15" font-weight="bold" text-anchor="middle" '
                    f'fill="{INK}">{esc(flow.label)}</text></g>')
    # Decisions: dashed arrows, bent toward the centre; flows with different verdicts between
    # the same two organisations are bent apart so each stays visible.
    for decision in fmap.decisions:
        body.append(_decision_path(decision, fmap, pos, cx, cy, prefix))
    # Organisations last, so that lines never cover them.
    for node in fmap.nodes:
        x, y, angle = pos[node.key]
        body.append(_node(node, x, y, angle))

    legend_y = cy + radius + 130
    legend, legend_h = _legend(legend_y, prefix)
    key, key_h = _agreement_key(fmap.agreements, legend_y + legend_h + 20)
    height = legend_y + legend_h + 20 + key_h + 30
    heading = "Data-flow map of the partnership" + (f": {purpose_words(fmap.purpose)}" if fmap.purpose else "")
    desc = describe_map(fmap)
    out = [svg_open(WIDTH, height, f"{prefix}-title", f"{prefix}-desc", heading, desc, standalone),
           _markers(prefix),
           text_lines(40, 44, wrap(heading, 75, 2), size=26, weight="bold")]
    shift = 32 * (len(wrap(heading, 75, 2)) - 1)  # a long purpose takes a second line
    out.append(text_lines(40, 76 + shift, wrap(_summary(fmap) + ".", 110, 2), size=16, fill=MUTED))
    if not fmap.decisions:
        empty = "No decisions recorded yet" + (" for this purpose" if fmap.purpose else "")
        out.append(f'<g class="empty">{text_lines(40, 110 + shift, [empty + "."], size=18, weight="bold")}</g>')
    out += body + [legend, key, "</svg>"]
    return "\n".join(out) + "\n"


def _hub_positions(agreements: tuple[AgreementFlow, ...], pos: dict[str, tuple[float, float, float]],
                   cx: float, cy: float, r: float) -> dict[int, tuple[float, float]]:
    if len(agreements) == 1:
        return {agreements[0].number: (cx, cy)}

    def direction(flow: AgreementFlow) -> float:
        xs = [pos[p][0] - cx for p in flow.parties] or [0.0]
        ys = [pos[p][1] - cy for p in flow.parties] or [0.0]
        return math.atan2(sum(ys), sum(xs))

    ordered = sorted(agreements, key=lambda f: (direction(f), f.number))
    out = {}
    for i, flow in enumerate(ordered):
        angle = direction(ordered[0]) + 2 * math.pi * i / len(ordered)
        out[flow.number] = (cx + r * math.cos(angle), cy + r * math.sin(angle))
    return out


def _node(node: MapNode, x: float, y: float, angle: float) -> str:
    cos, sin = math.cos(angle), math.sin(angle)
    # Near the top and bottom the labels run side by side, so they are kept narrow there.
    lines = wrap(node.name, LABEL_CHARS if abs(cos) > 0.5 else 15, 3 if abs(cos) > 0.5 else 4)
    if not node.in_directory:
        lines.append("(not in the directory)")
    lx, ly = x + (NODE_R + 8) * cos, y + (NODE_R + 8) * sin
    anchor = "start" if cos > 0.25 else "end" if cos < -0.25 else "middle"
    size = 14
    if sin < -0.6:  # near the top: the label sits above the point
        ly -= (len(lines) - 1) * size * 1.25 + 4
    elif sin > 0.6:  # near the bottom: below it
        ly += size
    else:
        ly -= (len(lines) - 1) * size * 1.25 / 2 - size * 0.35
    if node.in_directory:
        dot = f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_R}" fill="#1d4ed8" stroke="{INK}" stroke-width="2"/>'
    else:
        dot = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{NODE_R}" fill="#ffffff" stroke="{INK}" stroke-width="2.5" '
               'stroke-dasharray="4 3"/>')
    tip = node.name + (f" ({node.kind})" if node.kind else "") + ("" if node.in_directory else ", not in the directory")
    kind = "partner" if node.in_directory else "outside"
    return (f'<g class="node {kind}"><title>{esc(tip)}</title>{dot}'
            f'{text_lines(lx, ly, lines, size=size, anchor=anchor)}</g>')


def _markers(prefix: str) -> str:
    marks = "".join(
        f'<marker id="{prefix}-arrow-{v.verdict}" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="13" '
        f'markerHeight="13" markerUnits="userSpaceOnUse" orient="auto-start-reverse"><path d="M0 0 L10 5 L0 10 z" fill="{v.colour}"/></marker>'
        for v in VERDICTS)
    return f"<defs>{marks}</defs>"


def _decision_path(flow: DecisionFlow, fmap: FlowMap, pos: dict[str, tuple[float, float, float]],
                   cx: float, cy: float, prefix: str) -> str:
    v = look(flow.verdict)
    x1, y1, _ = pos[flow.source]
    x2, y2, _ = pos[flow.target]
    mx, my = (x1 + x2) / 2, (y1 + y2) / 2
    dx, dy = x2 - x1, y2 - y1
    length = math.hypot(dx, dy) or 1.0
    nx, ny = -dy / length, dx / length  # perpendicular: flows each way bend to opposite sides
    bend = 40 + 26 * [w.verdict for w in VERDICTS].index(v.verdict) if v in VERDICTS else 40
    qx, qy = mx + (cx - mx) * 0.25 + nx * bend, my + (cy - my) * 0.25 + ny * bend
    if flow.source == flow.target:  # one organisation to itself: a small loop toward the centre
        qx, qy = x1 + (cx - x1) * 0.3, y1 + (cy - y1) * 0.3
    # Stop short of the points so the arrowheads show.
    sx, sy = _toward(x1, y1, qx, qy, NODE_R + 3)
    ex, ey = _toward(x2, y2, qx, qy, NODE_R + 5)
    width = 2.5 + min(flow.count, 10) * 0.5
    lx, ly = 0.25 * sx + 0.5 * qx + 0.25 * ex, 0.25 * sy + 0.5 * qy + 0.25 * ey
    label = f"{flow.count} {v.words.lower()}"
    decisions = "decision" if flow.count == 1 else "decisions"
    tip = (f"{flow.count} {decisions} from {fmap.name(flow.source)} to {fmap.name(flow.target)}: "
           f"{v.words.lower()}")
    box_w = len(label) * 7.6 + 10
    return (f'<g class="flow decision" data-verdict="{esc(v.verdict)}" data-count="{flow.count}">'
            f'<title>{esc(tip)}</title>'
            f'<path d="M{sx:.1f} {sy:.1f} Q{qx:.1f} {qy:.1f} {ex:.1f} {ey:.1f}" fill="none" stroke="{v.colour}" '
            f'stroke-width="{width:.1f}" stroke-dasharray="{v.dash}" marker-end="url(#{prefix}-arrow-{v.verdict})"/>'
            f'<rect x="{lx - box_w / 2:.1f}" y="{ly - 11:.1f}" width="{box_w:.1f}" height="18" rx="3" fill="#ffffff" '
            f'fill-opacity="0.9" stroke="{v.colour}"/>'
            f'<text x="{lx:.1f}" y="{ly + 3:.1f}" font-size="13" text-anchor="middle" fill="{INK}">{esc(label)}</text></g>')


def _toward(x: float, y: float, tx: float, ty: float, by: float) -> tuple[float, float]:
    d = math.hypot(tx - x, ty - y) or 1.0
    return x + (tx - x) * by / d, y + (ty - y) * by / d


def _legend(y: float, prefix: str) -> tuple[str, float]:
    rows = [
        f'<circle cx="52" cy="{y - 5:.1f}" r="{NODE_R}" fill="#1d4ed8" stroke="{INK}" stroke-width="2"/>'
        + text_lines(76, y, ["A partner in the directory"], size=15),
        f'<circle cx="372" cy="{y - 5:.1f}" r="{NODE_R}" fill="#ffffff" stroke="{INK}" stroke-width="2.5" '
        'stroke-dasharray="4 3"/>' + text_lines(396, y, ["An organisation a decision named, not in the directory"], size=15),
        f'<rect x="32" y="{y + 22:.1f}" width="40" height="26" rx="5" fill="#ffffff" stroke="{INK}" stroke-width="2"/>'
        f'<text x="52" y="{y + 40:.1f}" font-size="15" font-weight="bold" text-anchor="middle" fill="{INK}">A1</text>'
        f'<line x1="72" y1="{y + 35:.1f}" x2="110" y2="{y + 35:.1f}" stroke="#505a5f" stroke-width="2.5"/>'
        + text_lines(120, y + 40, ["An agreement, joined by solid lines to its parties (listed below)"], size=15),
    ]
    yy = y + 80
    for v in VERDICTS:
        rows.append(f'<path d="M32 {yy - 5:.1f} L100 {yy - 5:.1f}" stroke="{v.colour}" stroke-width="3.5" '
                    f'stroke-dasharray="{v.dash}" marker-end="url(#{prefix}-arrow-{v.verdict})"/>'
                    + text_lines(120, yy, [(f"Recorded decisions, {v.words.lower()}: a {_dash_words(v.verdict)} arrow "
                                            "from the organisation that shares to the one that receives")], size=15))
        yy += 28
    return '<g class="legend">' + text_lines(32, y - 40, ["Key"], size=18, weight="bold") + "".join(rows) + "</g>", yy - y


def _dash_words(verdict: str) -> str:
    return {"allow": "long-dashed", "needs-agreement": "dotted", "deny": "dash-dot"}.get(verdict, "dashed")


def _agreement_key(agreements: tuple[AgreementFlow, ...], y: float) -> tuple[str, float]:
    if not agreements:
        return text_lines(32, y + 20, ["No agreements in the directory" + ""], size=15), 30
    rows = [text_lines(32, y + 20, ["The agreements"], size=18, weight="bold")]
    yy = y + 50
    for flow in agreements:
        lines = wrap(f"{flow.label}: {flow.agreement.title}", 120, 2)
        detail = "Between " + "; ".join(flow.party_names) + ". For " + "; ".join(flow.agreement.purpose_words) + "."
        if flow.status:
            detail += f" {flow.status}."
        more = wrap(detail, 130, 3)
        rows.append(text_lines(32, yy, lines, size=15, weight="bold") + text_lines(52, yy + 19 * len(lines), more,
                                                                                  size=14, fill=MUTED))
        yy += 19 * len(lines) + 18 * len(more) + 14
    return '<g class="agreement-key">' + "".join(rows) + "</g>", yy - y
