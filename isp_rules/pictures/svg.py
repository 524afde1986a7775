"""What both pictures share: escaping, wrapping and the verdicts' look.

Everything a person or a register supplies (a partner's name, an agreement's title) is escaped
before it enters the picture, and control characters are written as visible escapes first (a
name holding one would otherwise make the file invalid XML, or hide text). The pictures carry no
script and no style element: the web pages' Content-Security-Policy allows neither inline, so
every colour and line pattern is an SVG presentation attribute.

Verdicts are never told apart by colour alone (WCAG 2.1, 1.4.1 Use of colour): each has its own
line pattern or fill pattern and its word beside it, and the colours keep a contrast of at least
3:1 against white for lines and 4.5:1 for words (WCAG 2.1, 1.4.11 and 1.4.3).
"""

from __future__ import annotations

import html
import textwrap
from dataclasses import dataclass

from ..register.listing import shown

__all__ = ["FONT", "INK", "MUTED", "VERDICTS", "VerdictLook", "esc", "look", "patterns", "svg_open", "text_lines",
           "wrap"]

FONT = "system-ui, -apple-system, 'Segoe UI', Arial, sans-serif"
INK = "#0b0c0c"  # the pages' text colour
MUTED = "#484949"  # the pages' hint colour: 9:1 on white


def esc(text: object) -> str:
    """`text` safe as SVG character data or a quoted attribute value, control characters visible."""
    return html.escape(shown(text), quote=True)


def wrap(text: str, width: int, lines: int = 3) -> list[str]:
    """`text` in lines of at most `width` characters, at most `lines` of them (the last ending in
    an ellipsis when text was left out)."""
    out = textwrap.wrap(shown(text), width, break_long_words=True, break_on_hyphens=False) or [""]
    if len(out) > lines:
        out = out[:lines]
        out[-1] = out[-1][: max(width - 1, 1)].rstrip() + "\u2026"
    return out


def text_lines(x: float, y: float, lines: list[str], size: int = 14, anchor: str = "start", weight: str = "normal",
               fill: str = INK, gap: float = 1.25) -> str:
    """A <text> of several lines, the first line's baseline at y."""
    spans = "".join(f'<tspan x="{x:.1f}" dy="{0 if i == 0 else size * gap:.1f}">{esc(line)}</tspan>'
                    for i, line in enumerate(lines))
    return (f'<text x="{x:.1f}" y="{y:.1f}" font-size="{size}" text-anchor="{anchor}" font-weight="{weight}" '
            f'fill="{fill}">{spans}</text>')


def svg_open(width: float, height: float, title_id: str, desc_id: str, title: str, desc: str, standalone: bool) -> str:
    """The <svg> element's opening, with its accessible name and description. A standalone file
    has its size in pixels; a picture inside a page takes the page's width and keeps its shape."""
    size = f'width="{width:.0f}" height="{height:.0f}" ' if standalone else 'width="100%" '
    head = '<?xml version="1.0" encoding="UTF-8"?>\n' if standalone else ""
    return (f'{head}<svg xmlns="http://www.w3.org/2000/svg" {size}viewBox="0 0 {width:.0f} {height:.0f}" '
            f'role="img" aria-labelledby="{title_id} {desc_id}" font-family="{FONT}">'
            f'<title id="{title_id}">{esc(title)}</title><desc id="{desc_id}">{esc(desc)}</desc>'
            f'<rect x="0" y="0" width="{width:.0f}" height="{height:.0f}" fill="#ffffff"/>')


@dataclass(frozen=True)
class VerdictLook:
    """How a verdict is drawn: its words, colour, the dash pattern of a flow, the fill of a bar."""

    verdict: str
    words: str
    colour: str
    dash: str
    pattern: str  # "" for a plain fill, else the kind of pattern laid over the colour

    def fill(self, prefix: str) -> str:
        """The fill attribute's value for a bar of this verdict in the picture whose ids start `prefix`."""
        return f"url(#{prefix}-{self.verdict})" if self.pattern else self.colour


# allow first: stacked bars are built from the bottom in this order.
VERDICTS: tuple[VerdictLook, ...] = (
    VerdictLook("allow", "Allow", "#00703c", "10 4", ""),
    VerdictLook("needs-agreement", "Needs agreement", "#8a5300", "3 4", "stripes"),
    VerdictLook("deny", "Deny", "#b3261e", "14 4 3 4", "crosses"),
)
_UNKNOWN = VerdictLook("other", "Other", MUTED, "1 3", "")


def look(verdict: str) -> VerdictLook:
    for v in VERDICTS:
        if v.verdict == verdict:
            return v
    return _UNKNOWN


def patterns(prefix: str) -> str:
    """<defs> with a fill pattern for each verdict that has one: white lines over its colour, so
    that a bar reads as its verdict in greyscale and to someone who does not see the colour."""
    out = []
    for v in VERDICTS:
        if v.pattern == "stripes":
            marks = '<path d="M0 8 L8 0" stroke="#ffffff" stroke-width="2"/>'
        elif v.pattern == "crosses":
            marks = ('<path d="M0 0 L8 8 M8 0 L0 8" stroke="#ffffff" stroke-width="1.5"/>')
        else:
            continue
        out.append(f'<pattern id="{prefix}-{v.verdict}" width="8" height="8" patternUnits="userSpaceOnUse">'
                   f'<rect width="8" height="8" fill="{v.colour}"/>{marks}</pattern>')
    return "<defs>" + "".join(out) + "</defs>"
