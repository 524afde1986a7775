"""The register dashboard: decisions per month by verdict and by purpose, and the agreements
due for review, as SVG charts that need no JavaScript, each with the figures behind it.

Months are UK months (Europe/London), as the register shows its times: a decision recorded at
23:30 UTC on 31 March 2026 was made at 00:30 BST on 1 April, and counts in April. The counts
come from the register's decision records only (sign-offs are not decisions).

The protocol asks partners to review their agreements (Appendix J, review); the ICO data sharing
code asks for agreements to be reviewed regularly and kept up to date. The due chart is the
secretariat's list from `isp agreements --due`, drawn by days left.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from ..directory import Agreement, Directory
from ..register import DECISION, Record
from ..register.details import UK_ZONE
from .flowmap import purpose_words
from .svg import INK, MUTED, VERDICTS, esc, look, patterns, svg_open, text_lines, wrap

__all__ = ["MAX_MONTHS", "DecisionCounts", "DueAgreement", "count_decisions", "due_agreements", "due_chart",
           "month_words", "purpose_chart", "uk_month", "verdict_chart"]

MAX_MONTHS = 24  # two years of months still fit a chart a person can read
NO_PURPOSE = "not_recorded"


def _zone() -> dt.tzinfo:
    try:
        from zoneinfo import ZoneInfo

        return ZoneInfo(UK_ZONE)
    except (ImportError, ValueError, OSError):  # no time zone data here: UTC, as details.uk_time does
        return dt.UTC


def uk_month(at: str) -> dt.date | None:
    """The first day of the UK month in which the stored UTC time `at` falls; None if unreadable."""
    try:
        when = dt.datetime.fromisoformat(at)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    local = when.astimezone(_zone())
    return dt.date(local.year, local.month, 1)


def month_words(month: dt.date) -> str:
    """'Mar 2026'."""
    return f"{month:%b %Y}"


def _next(month: dt.date) -> dt.date:
    return dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


@dataclass(frozen=True)
class DecisionCounts:
    """Decisions per UK month, by verdict and by purpose, over `months` (oldest first, with no
    gaps). `earlier` counts decisions older than the first month shown."""

    months: tuple[dt.date, ...]
    by_verdict: dict[dt.date, dict[str, int]] = field(default_factory=dict)
    by_purpose: dict[dt.date, dict[str, int]] = field(default_factory=dict)
    earlier: int = 0

    @property
    def total(self) -> int:
        return sum(sum(c.values()) for c in self.by_verdict.values())

    def verdict(self, month: dt.date, verdict: str) -> int:
        return self.by_verdict.get(month, {}).get(verdict, 0)

    def month_total(self, month: dt.date) -> int:
        return sum(self.by_verdict.get(month, {}).values())

    def purposes(self) -> list[str]:
        """The purposes any shown decision had, most decisions first (then by their words)."""
        totals: dict[str, int] = {}
        for counts in self.by_purpose.values():
            for purpose, n in counts.items():
                totals[purpose] = totals.get(purpose, 0) + n
        return sorted(totals, key=lambda p: (-totals[p], purpose_label(p)))

    def purpose(self, month: dt.date, purpose: str) -> int:
        return self.by_purpose.get(month, {}).get(purpose, 0)


def purpose_label(purpose: str) -> str:
    return "Purpose not recorded" if purpose == NO_PURPOSE else purpose_words(purpose)


def _mapping(value: object) -> dict[str, Any]:
    """A part of a stored body as a dict ({} when it is missing or damaged): counting never fails."""
    return value if isinstance(value, dict) else {}


def _purpose_of(record: Record) -> str:
    share = _mapping(_mapping(_mapping(record.body).get("scenario")).get("share"))
    category = _mapping(share.get("purpose")).get("category")
    return category if isinstance(category, str) and category else NO_PURPOSE


def count_decisions(records: Iterable[Record], today: dt.date, max_months: int = MAX_MONTHS) -> DecisionCounts:
    """The decisions among `records` counted per UK month, from the month of the first one to
    the month of `today` (a UK date), the last `max_months` months at most."""
    by_verdict: dict[dt.date, dict[str, int]] = {}
    by_purpose: dict[dt.date, dict[str, int]] = {}
    for record in records:
        month = uk_month(record.at) if record.kind == DECISION else None
        if month is None:
            continue
        verdicts = by_verdict.setdefault(month, {})
        verdicts[record.verdict] = verdicts.get(record.verdict, 0) + 1
        purposes = by_purpose.setdefault(month, {})
        purpose = _purpose_of(record)
        purposes[purpose] = purposes.get(purpose, 0) + 1
    last = max([dt.date(today.year, today.month, 1), *by_verdict])
    first = min(by_verdict, default=last)
    months = []
    month = first
    while month <= last:
        months.append(month)
        month = _next(month)
    shown = months[-max_months:]
    earlier = sum(sum(c.values()) for m, c in by_verdict.items() if m < shown[0])
    return DecisionCounts(tuple(shown), {m: c for m, c in by_verdict.items() if m >= shown[0]},
                          {m: c for m, c in by_purpose.items() if m >= shown[0]}, earlier)


def _ticks(top: int) -> list[int]:
    """Round numbers from 0 to at least `top` for an axis: 1, 2, 5, 10... apart, at most 6 of them."""
    step = 1
    while top / step > 5:
        step = step * 2 if str(step)[0] in "15" else step * 5 // 2
    return list(range(0, max(top, 1) + step, step))


def _empty(x: float, y: float, text: str) -> str:
    return f'<g class="empty">{text_lines(x, y, [text], size=18, weight="bold")}</g>'


def verdict_chart(counts: DecisionCounts, standalone: bool = False, prefix: str = "verdicts") -> str:
    """Stacked bars: decisions per month, each bar split by verdict (allow at the bottom, then
    needs agreement, then deny), the month's total above it."""
    n = len(counts.months)
    left, top, plot_h, bar_w, gap = 70, 110, 260, 34, 16
    width = max(640, left + n * (bar_w + gap) + 40)
    height = top + plot_h + 80
    peak = max((counts.month_total(m) for m in counts.months), default=0)
    ticks = _ticks(peak)
    scale = plot_h / ticks[-1]
    base = top + plot_h
    title = "Decisions recorded each month, by verdict"
    desc = (f"{counts.total} decisions from {month_words(counts.months[0])} to {month_words(counts.months[-1])}: "
            + ", ".join(f"{sum(counts.verdict(m, v.verdict) for m in counts.months)} {v.words.lower()}" for v in VERDICTS)
            + ". The table after the chart gives each month's figures.")
    out = [svg_open(width, height, f"{prefix}-title", f"{prefix}-desc", title, desc, standalone), patterns(prefix)]
    out.append(text_lines(20, 30, [title], size=20, weight="bold"))
    # The key, verdict by verdict, with the pattern each is drawn in.
    x = 20
    for v in VERDICTS:
        out.append(f'<rect x="{x}" y="52" width="22" height="18" fill="{v.fill(prefix)}" stroke="{INK}"/>'
                   + text_lines(x + 30, 66, [v.words], size=15))
        x += 44 + len(v.words) * 9
    for t in ticks:
        y = base - t * scale
        out.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - 20}" y2="{y:.1f}" stroke="#b1b4b6" stroke-width="1"/>'
                   + text_lines(left - 10, y + 5, [str(t)], size=14, anchor="end", fill=MUTED))
    for i, month in enumerate(counts.months):
        x0 = left + gap / 2 + i * (bar_w + gap)
        y = float(base)
        for v in VERDICTS:
            k = counts.verdict(month, v.verdict)
            if not k:
                continue
            h = k * scale
            y -= h
            tip = f"{month_words(month)}: {k} {v.words.lower()}"
            out.append(f'<rect class="bar" data-verdict="{v.verdict}" data-count="{k}" x="{x0:.1f}" y="{y:.1f}" '
                       f'width="{bar_w}" height="{h:.1f}" fill="{v.fill(prefix)}" stroke="#ffffff" stroke-width="1">'
                       f'<title>{esc(tip)}</title></rect>')
        total = counts.month_total(month)
        if total:
            out.append(text_lines(x0 + bar_w / 2, y - 6, [str(total)], size=14, anchor="middle", weight="bold"))
        out.append(text_lines(x0 + bar_w / 2, base + 20, [f"{month:%b}", f"{month:%Y}"], size=13, anchor="middle",
                              fill=INK, gap=1.15))
    out.append(f'<line x1="{left}" y1="{base}" x2="{width - 20}" y2="{base}" stroke="{INK}" stroke-width="1.5"/>')
    if not counts.total:
        out.append(_empty(left + 10, top + 40, "No decisions recorded yet."))
    out.append("</svg>")
    return "\n".join(out) + "\n"


# Shades for the purpose grid, lightest first, each with the colour its number is written in
# (dark on the light shades, white on the dark ones: at least 4.5:1 either way).
SHADES = (("#ffffff", INK), ("#dbe7fd", INK), ("#93b4f5", INK), ("#1d4ed8", "#ffffff"), ("#0b2e7a", "#ffffff"))


def _shade(k: int, peak: int) -> tuple[str, str]:
    if k == 0:
        return SHADES[0]
    return SHADES[min(len(SHADES) - 1, 1 + (k * (len(SHADES) - 1) - 1) // max(peak, 1))]


def purpose_chart(counts: DecisionCounts, standalone: bool = False, prefix: str = "purposes") -> str:
    """A grid: a row for each purpose, a column for each month, the number of decisions in each
    square (the darker the square, the more decisions)."""
    purposes = counts.purposes()
    n = len(counts.months)
    left, top, cell = 300, 110, 44
    width = max(640, left + n * cell + 30)
    rows_h = [max(1, len(wrap(purpose_label(p), 32, 2))) for p in purposes] or [1]
    height = top + sum(max(cell, 18 * r + 10) for r in rows_h) + 40
    title = "Decisions recorded each month, by purpose"
    desc = (f"{counts.total} decisions from {month_words(counts.months[0])} to {month_words(counts.months[-1])}"
            + (": " + ", ".join(f"{sum(counts.purpose(m, p) for m in counts.months)} for "
                                f"{purpose_label(p)[:1].lower() + purpose_label(p)[1:]}" for p in purposes)
               if purposes else "") + ". The table after the chart gives each month's figures.")
    out = [svg_open(width, height, f"{prefix}-title", f"{prefix}-desc", title, desc, standalone)]
    out.append(text_lines(20, 30, [title], size=20, weight="bold"))
    out.append(text_lines(20, 56, ["Each square holds the number of decisions; the darker, the more."], size=15,
                          fill=MUTED))
    for i, month in enumerate(counts.months):
        out.append(text_lines(left + i * cell + cell / 2, top - 22, [f"{month:%b}", f"{month:%Y}"], size=13,
                              anchor="middle", gap=1.15))
    peak = max((counts.purpose(m, p) for m in counts.months for p in purposes), default=0)
    y = float(top)
    for purpose, lines in zip(purposes, rows_h, strict=False):
        h = max(cell, 18 * lines + 10)
        label = wrap(purpose_label(purpose), 32, 2)
        out.append(text_lines(left - 12, y + h / 2 + 5 - (len(label) - 1) * 9, label, size=14, anchor="end",
                              gap=1.25))
        for i, month in enumerate(counts.months):
            k = counts.purpose(month, purpose)
            fill, ink = _shade(k, peak)
            x = left + i * cell
            tip = f"{month_words(month)}: {k} for {purpose_label(purpose)[:1].lower() + purpose_label(purpose)[1:]}"
            out.append(f'<g class="cell" data-count="{k}"><title>{esc(tip)}</title>'
                       f'<rect x="{x + 2}" y="{y + 2:.1f}" width="{cell - 4}" height="{h - 4:.1f}" fill="{fill}" '
                       f'stroke="#b1b4b6"/>'
                       + (text_lines(x + cell / 2, y + h / 2 + 5, [str(k)], size=14, anchor="middle", fill=ink,
                                     weight="bold") if k else "") + "</g>")
        y += h
    if not purposes:
        out.append(_empty(20, top + 30, "No decisions recorded yet."))
    out.append("</svg>")
    return "\n".join(out) + "\n"


@dataclass(frozen=True)
class DueAgreement:
    """An agreement due for review (or ending) within the horizon, or already past it."""

    agreement: Agreement
    days_left: int  # negative when overdue
    words: str  # the directory's "Review due 2027-03-31: in 114 days"


def due_agreements(directory: Directory, today: dt.date, days: int) -> list[DueAgreement]:
    """The secretariat's list (`isp agreements --due DAYS`), soonest first, with days left."""
    return [DueAgreement(a, ((a.due_on or today) - today).days, a.due_words(today)) for a in directory.due(today, days)]


def due_chart(due: list[DueAgreement], days: int, standalone: bool = False, prefix: str = "due") -> str:
    """A bar for each agreement from a line marking today: to the right, the days left before its
    review (or end); to the left, in red with a cross pattern, the days it is overdue."""
    width, row = 900, 58
    top = 90
    height = top + max(len(due), 1) * row + 30
    overdue = [d for d in due if d.days_left < 0]
    late = max((-d.days_left for d in overdue), default=0)
    ahead = max((d.days_left for d in due if d.days_left > 0), default=0)
    zero = 40 + (320 if overdue and ahead else 500 if overdue else 0)
    # Room to the right of the longest bar for its words ("Review due 2027-03-31: in 114 days").
    right_room, left_room = width - zero - 330, zero - 40
    title = f"Agreements due for review in the next {days} days, or overdue"
    desc = (f"{len(due)} agreements, {len(overdue)} of them overdue. "
            "The list after the chart gives each one's dates." if due else "No agreement is due for review.")
    deny = look("deny")
    out = [svg_open(width, height, f"{prefix}-title", f"{prefix}-desc", title, desc, standalone), patterns(prefix)]
    out.append(text_lines(20, 30, [title], size=20, weight="bold"))
    out.append(text_lines(20, 56, ["Bars to the right: days left. Bars to the left, crossed: days overdue."],
                          size=15, fill=MUTED))
    y = float(top)
    for item in due:
        label = wrap(item.agreement.title, 95, 1)[0]
        out.append(f'<g class="due" data-days="{item.days_left}"><title>{esc(item.agreement.title)}: '
                   f'{esc(item.words)}</title>' + text_lines(20, y + 16, [label], size=14, weight="bold"))
        if item.days_left < 0:
            w = left_room * (-item.days_left) / max(late, 1)
            out.append(f'<rect x="{zero - w:.1f}" y="{y + 24:.1f}" width="{w:.1f}" height="16" '
                       f'fill="{deny.fill(prefix)}"/>')
            words_x: float = zero + 8
        else:
            w = max(3.0, right_room * item.days_left / max(ahead, 1))
            out.append(f'<rect x="{zero:.1f}" y="{y + 24:.1f}" width="{w:.1f}" height="16" fill="#1d4ed8"/>')
            words_x = zero + w + 8
        out.append(f'<line x1="{zero:.1f}" y1="{y + 20:.1f}" x2="{zero:.1f}" y2="{y + 44:.1f}" stroke="{INK}" '
                   'stroke-width="2"/>' + text_lines(words_x, y + 37, [item.words], size=13) + "</g>")
        y += row
    if due:
        out.append(text_lines(zero, top - 10, ["Today"], size=13, anchor="middle", weight="bold"))
    else:
        out.append(_empty(20, top + 20, "No agreement is due for review."))
    out.append("</svg>")
    return "\n".join(out) + "\n"
