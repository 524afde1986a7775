"""The typed results of a decision and their JSON: the one statement of the decision's shape.

`decide.py` fills these in; `render.py`, `agreement.py`, the guided and authoring tools read them;
`Decision.to_json()` is the answer of the scenario format spec, and the web API's response
models are generated from these dataclasses (`isp_rules.web.schema`), so a field added here is
in the JSON and in the OpenAPI description at once.

Each field may carry metadata, read by `to_json` and by the API's models alike:
  in_json: False    not part of the JSON answer (kept for the draft, asking and explain)
  always: True      written even when None (the answer always names the scenario, null if unnamed)
  doc: "..."        one line for the API's description
Otherwise a field is written when its value is not None, in the order declared here.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import Field, dataclass, field, fields, is_dataclass
from typing import Any, ClassVar, Literal

from .ruleset import PointKind, ReasonEffect
from .scenario import Completion, Contradiction, DirectoryFact  # what the directory added, carried by a decision

__all__ = [
    "ALWAYS", "DISCLAIMER", "NOT_IN_JSON", "CitationOut", "Completion", "Contradiction", "Decision", "DirectoryFact", "Obligation", "ObligationKind", "OpenPoint",
    "PointStatus", "Reason", "RulesetInfo", "Status", "Verdict", "doc", "in_json", "json_fields",
]

DISCLAIMER = ("Not legal advice: isp-rules applies the partnership's rules to the facts you gave; "
              "check doubtful cases with your data protection officer.")

Verdict = Literal["allow", "deny", "needs-agreement"]
# duty (a rule's) | standard (the protocol's, for this disclosure) | record_after | complete_after
ObligationKind = Literal["duty", "standard", "record_after", "complete_after"]
Status = Literal["open", "deferred", "obligation", "scenario", "settled", "not_applicable"]

NOT_IN_JSON: Mapping[str, Any] = {"in_json": False}
ALWAYS: Mapping[str, Any] = {"always": True}


def doc(text: str, **more: Any) -> dict[str, Any]:
    """Field metadata: the field's line in the API description (and any other marking)."""
    return {"doc": text, **more}


def in_json(f: Field[Any]) -> bool:
    return bool(f.metadata.get("in_json", True))


def json_fields(cls: type) -> list[Field[Any]]:
    """The fields of a result dataclass that its JSON may carry, in the JSON's order: the class's
    `json_order` where it has one (its fields keep their historical positional order), else as declared."""
    found = [f for f in fields(cls) if in_json(f)]
    order: tuple[str, ...] = getattr(cls, "json_order", ())
    if order:
        rank = {name: i for i, name in enumerate(order)}
        found.sort(key=lambda f: rank.get(f.name, len(rank)))
    return found


@dataclass(frozen=True)
class CitationOut:
    source: str
    ref: str
    note: str | None = None


@dataclass(frozen=True)
class Reason:
    rule: str
    effect: ReasonEffect  # a reason's effect (an obligation rule is an Obligation)
    title: str
    message: str
    citations: list[CitationOut]
    remedy: str | None = None
    # For a power the catalogue does not recognise: its closest entries ("statute section"), best
    # first; an empty list when nothing comes close. None for every other reason.
    suggestions: list[str] | None = field(default=None, metadata=doc(
        "For a power the catalogue does not recognise: its closest entries, best first"))


@dataclass(frozen=True)
class OpenPoint:
    id: str
    question: str
    likely_answers: list[str]
    why: str  # plain words: why it is open
    kind: PointKind = "paperwork"
    status: Literal["open"] = "open"
    help: str | None = None
    waits_for: list[str] = field(default_factory=list,
                                 metadata=doc("Unknown scenario fields that could settle it"))
    held_by: list[str] = field(default_factory=list, metadata=doc("Stated fields that keep it open under urgency"))
    rules: list[str] = field(default_factory=list, metadata=doc("The rules that opened it"))
    citations: list[CitationOut] = field(default_factory=list)
    suggestions: list[str] | None = field(default=None, metadata=doc(
        "Close matches for a power the catalogue does not recognise (as for a reason)"))


@dataclass(frozen=True)
class Obligation:
    rule: str
    message: str
    citations: list[CitationOut]
    kind: ObligationKind = "duty"
    point: str | None = field(default=None, metadata=doc("The agreement point it stands for"))
    found_by: list[str] | None = field(default=None, metadata=doc("For a deferred point: the rules that found it open"))


@dataclass(frozen=True)
class PointStatus:
    """How one agreement point stands for this share: for the draft, asking and explain."""

    id: str
    question: str
    status: Status
    detail: str  # plain words: why it is open, how it is settled, or why it does not apply
    likely_answers: list[str]
    kind: PointKind = "paperwork"
    waits_for: tuple[str, ...] = ()  # unknown facts that could settle it (open or deferred)
    held_by: tuple[str, ...] = ()  # stated facts that keep it open
    settled_by: str | None = None  # the settlement (id) or "scenario"
    rules: tuple[str, ...] = ()  # the rules that opened it
    standard: str | None = None  # the protocol's standard, in plain words, where the point has one
    settles_when: tuple[str, ...] = ()  # plain words of each settlement that would settle it (from the data)


@dataclass(frozen=True)
class RulesetInfo:
    name: str
    version: str
    sha256: str
    as_of: dt.date


_SHAPES: dict[type, tuple[tuple[str, bool], ...]] = {}  # a result class -> (field, always) of its JSON, in order
_AS_IS = frozenset({str, int, float, bool, type(None)})


def _plain(value: Any) -> Any:
    """Result dataclasses -> JSON-ready values: the fields in the JSON, each when not None
    (or marked always). Each class's JSON shape is worked out once: the web answers many."""
    kind = type(value)
    if kind in _AS_IS:
        return value
    shape = _SHAPES.get(kind)
    if shape is None and is_dataclass(value) and not isinstance(value, type):
        shape = _SHAPES[kind] = tuple((f.name, bool(f.metadata.get("always"))) for f in json_fields(kind))
    if shape is not None:
        out = {}
        for name, always in shape:
            item = getattr(value, name)
            if item is not None or always:
                out[name] = _plain(item)
        return out
    if isinstance(value, list):
        return [_plain(v) for v in value]
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


@dataclass(frozen=True)
class Decision:
    """The decision JSON of the scenario format spec.

    Plain dataclasses, cheap to build at start-up. The fields keep the positional order callers
    have always used; `json_order` is the order of the JSON answer (json_fields reads it)."""

    json_order: ClassVar[tuple[str, ...]] = (
        "scenario", "title", "verdict", "share_now", "share_kinds", "not_stated", "contradictions", "reasons",
        "open_points", "obligations", "deferred", "urgent_by", "from_directory", "ruleset", "disclaimer")

    scenario: str | None = field(metadata=ALWAYS)
    verdict: Verdict
    reasons: list[Reason]
    open_points: list[OpenPoint]
    obligations: list[Obligation]
    deferred: bool  # urgent: paperwork moved to after the share
    ruleset: RulesetInfo
    title: str | None = None
    disclaimer: str = DISCLAIMER
    rule_keys: tuple[str, ...] = field(default=(), metadata=NOT_IN_JSON)  # the rule versions that fired
    points: tuple[PointStatus, ...] = field(default=(), metadata=NOT_IN_JSON)  # every agreement point and how it stands
    share_kinds: list[str] = field(default_factory=list,
                                   metadata=doc("The kinds of share that hold (routine, one_off...)"))
    share_now: bool = field(default=False, metadata=doc(
        "Urgent and nothing holds the share: share now, paperwork afterwards"))
    urgent_by: str | None = field(default=None, metadata=doc("The urgent ground that defers paperwork"))
    # The partnership's directory (added): the facts it filled in for a partner or agreement named
    # by id, and the stated facts that differ from it (the stated fact is the one used).
    from_directory: list[DirectoryFact] | None = field(default=None, metadata=doc(
        "Facts filled in from the partnership's directory, for partners and agreements named by id"))
    contradictions: list[Contradiction] | None = field(default=None, metadata=doc(
        "Stated facts that differ from the partnership's directory (the decision uses the stated fact)"))
    # Whole parts of the share the scenario does not describe (who discloses, who receives), in
    # plain words: asked for, not decided past in silence.
    not_stated: list[str] | None = field(default=None, metadata=doc(
        "Parts of the share the scenario does not describe, such as who receives it"))
    # The parties' names, from the scenario or the directory: for the register and the draft.
    parties: Mapping[str, str | None] = field(default_factory=dict, metadata=NOT_IN_JSON)

    @property
    def fired(self) -> list[str]:
        out = [r.rule for r in self.reasons] + [o.rule for o in self.obligations]
        out += [r for o in self.obligations for r in (o.found_by or [])]
        return list(dict.fromkeys(out))

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = _plain(self)
        return data
