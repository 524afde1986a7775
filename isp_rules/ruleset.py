"""The rule model: rules, conditions, citations and agreement points, typed against the scenario.

A condition is a small tree. Leaves name a scenario field (see facts.FIELDS)
and one test; they are checked against that field's type when the ruleset loads,
so a misspelt field or value fails at load time with a "did you mean".
"""

from __future__ import annotations

import copy
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, StringConstraints

from .errors import did_you_mean
from .facts import FIELDS, FieldSpec, TextPhrases, close_powers, words
from .labels import condition_template, condition_value, known, label, yes_no

__all__ = [
    "CONDITIONS_FILE",
    "LOCATION_FIELDS",
    "AgreementPoint",
    "All",
    "Answer",
    "Any_",
    "Citation",
    "Commencement",
    "CommencementStatus",
    "Condition",
    "Effect",
    "InForce",
    "Leaf",
    "NamedCondition",
    "Not",
    "NotTrue",
    "PointKind",
    "PointUrgency",
    "Power",
    "PowerKind",
    "ReasonEffect",
    "Rule",
    "Ruleset",
    "Settlement",
    "ShareKind",
    "Trigger",
    "children",
    "condition_fields",
    "describe_condition",
    "describe_node",
    "leaves",
    "may_hold",
    "parse_condition",
    "phrases",
    "placeholders",
    "pseudo_rule_id",
    "walk",
]

LEAF_OPS = ("equals", "in", "contains_any", "mentions", "before", "on_or_after")
PRESENCE_OPS = ("present", "absent")
GROUP_OPS = ("all", "any", "not", "not_true")
NAMED_OP = "condition"  # {condition: NAME}: a condition defined once in CONDITIONS_FILE
CONDITIONS_FILE = "conditions.yaml"


# --- condition AST ----------------------------------------------------------------------

@dataclass(frozen=True)
class All:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Any_:
    items: tuple[Condition, ...]


@dataclass(frozen=True)
class Not:
    item: Condition


@dataclass(frozen=True)
class NotTrue:
    """Holds when the inner condition is not known to hold: false, or unknown because a field is absent."""

    item: Condition


@dataclass(frozen=True)
class Leaf:
    op: str  # equals | in | contains_any | mentions | before | on_or_after | present | absent
    field: str  # dotted path, a key of facts.FIELDS
    value: Any = None  # a scalar, a tuple for in/contains_any, a date for before/on_or_after


Condition = All | Any_ | Not | NotTrue | Leaf

Where = tuple[str | int, ...]  # a path inside the rule, e.g. ("when", "all", 0)
Report = Callable[[Where, str], None]  # (path inside the rule, message)


def _check_field(name: Any, where: Where, report: Report) -> FieldSpec | None:
    if not isinstance(name, str):
        report(where, f"expected a field name, got {type(name).__name__}")
        return None
    spec = FIELDS.get(name)
    if spec is None:
        report(where, f"unknown field '{name}'{did_you_mean(name, FIELDS)}")
    return spec


def _check_value(spec: FieldSpec, value: Any, where: Where, report: Report) -> bool:
    if spec.kind == "bool":
        if not isinstance(value, bool):
            report(where, f"'{spec.path}' is true or false, got {value!r}")
            return False
    elif spec.kind in ("enum", "enum_list"):
        if value not in spec.values:
            report(where, f"unknown value {value!r} for '{spec.path}'{did_you_mean(value, spec.values)}")
            return False
    elif spec.kind == "country":
        if not (isinstance(value, str) and re.fullmatch(r"[A-Z]{2}", value)):
            report(where, f"expected an ISO 3166 alpha-2 country code such as GB, got {value!r}")
            return False
    elif spec.kind == "text" and not isinstance(value, str):
        report(where, f"expected text, got {value!r}")
        return False
    return True


def parse_condition(data: Any, where: Where, report: Report,
                    named: Mapping[str, Condition] | None = None) -> Condition | None:
    """YAML -> condition AST, reporting every problem (with its path) through `report`.

    `named` holds the ruleset's named conditions (conditions.yaml): `{condition: NAME}` stands for
    the condition defined under that name, so a test written once is not copied into every rule."""
    if not isinstance(data, dict) or not data:
        report(where, "expected a condition: all / any / not / not_true, present / absent, field with "
               "equals / in / contains_any / mentions / before / on_or_after, or a named condition")
        return None
    keys = set(data)
    if NAMED_OP in keys:
        if len(keys) != 1:
            report(where, f"'{NAMED_OP}' must stand alone, e.g. {{condition: task_purpose}}; found also {sorted(map(str, keys - {NAMED_OP}))}")
            return None
        name, known_names = data[NAMED_OP], named if named is not None else {}
        if not isinstance(name, str):
            report(where + (NAMED_OP,), f"expected the name of a condition, got {name!r}")
            return None
        if name not in known_names:
            if getattr(known_names, "broken", False):
                return None  # its definition failed and was reported where it was written
            report(where + (NAMED_OP,), f"unknown condition '{name}'{did_you_mean(name, known_names)} "
                                        f"(named conditions: {', '.join(known_names) or 'none'}, in {CONDITIONS_FILE})")
            return None
        # A copy: each rule owns its condition tree, as if the test were written out in it.
        return copy.deepcopy(known_names[name])
    group = keys & set(GROUP_OPS)
    if group:
        if len(keys) != 1:
            report(where, f"'{min(group)}' must stand alone in its condition; found also {sorted(keys - group)}")
            return None
        (op,) = group
        body = data[op]
        if op in ("not", "not_true"):
            inner = parse_condition(body, where + (op,), report, named)
            if inner is None:
                return None
            return Not(inner) if op == "not" else NotTrue(inner)
        if not isinstance(body, list):
            report(where + (op,), f"expected a list of conditions under '{op}'")
            return None
        if op == "any" and not body:
            report(where + (op,), "an empty 'any' never holds; the rule could never fire")
            return None
        parsed = [parse_condition(item, where + (op, i), report, named) for i, item in enumerate(body)]
        if any(i is None for i in parsed):
            return None
        # A named `all` inside an `all` (or `any` inside `any`) reads as its items written out in place.
        kind = All if op == "all" else Any_
        items: list[Condition] = []
        for raw, item in zip(body, parsed, strict=True):
            if isinstance(item, kind) and isinstance(raw, dict) and NAMED_OP in raw:
                items += item.items
            elif item is not None:
                items.append(item)
        return kind(tuple(items))
    presence = keys & set(PRESENCE_OPS)
    if presence:
        if len(keys) != 1:
            report(where, f"'{min(presence)}' must stand alone, e.g. {{present: share.handling.retention}}")
            return None
        (op,) = presence
        spec = _check_field(data[op], where + (op,), report)
        return Leaf(op, spec.path) if spec else None
    if "field" not in keys:
        unknown = min(str(k) for k in keys)
        known = GROUP_OPS + PRESENCE_OPS + LEAF_OPS + ("field", NAMED_OP)
        report(where + (unknown,), f"unknown condition key '{unknown}'{did_you_mean(unknown, known)}")
        return None
    ops = [k for k in keys if k != "field"]
    bad = [k for k in ops if k not in LEAF_OPS]
    if bad:
        report(where + (str(bad[0]),), f"unknown test '{bad[0]}'{did_you_mean(bad[0], LEAF_OPS + PRESENCE_OPS)}")
        return None
    if len(ops) != 1:
        report(where, f"a field condition needs exactly one test ({', '.join(LEAF_OPS)}), found {len(ops)}")
        return None
    (op,) = ops
    spec = _check_field(data["field"], where + ("field",), report)
    if spec is None:
        return None
    value = data[op]
    at = where + (op,)
    if op in ("before", "on_or_after"):
        if spec.kind != "date":
            report(at, f"'{op}' compares dates, but '{spec.path}' is {spec.kind}")
            return None
        if not isinstance(value, dt.date):
            report(at, f"expected a date such as 2026-02-05, got {value!r}")
            return None
        return Leaf(op, spec.path, value)
    if spec.kind == "date":
        report(at, f"'{spec.path}' is a date: use before or on_or_after")
        return None
    if op == "mentions":
        if spec.kind != "text":
            report(at, f"mentions tests free text, but '{spec.path}' is {spec.kind}")
            return None
        if not isinstance(value, list) or not value:
            report(at, "expected a non-empty list of phrases after 'mentions'")
            return None
        ok, normal = True, []
        for i, phrase in enumerate(value):
            # Phrases are compared word by word, in the same normal form as the text;
            # "care act + 45" needs both parts, in any order.
            parts = [words(p).strip() for p in phrase.split("+")] if isinstance(phrase, str) else [""]
            if not all(parts):
                report(at + (i,), f"expected a phrase with at least one letter or digit in each part, got {phrase!r}")
                ok = False
            normal.append(" + ".join(parts))
        return Leaf(op, spec.path, tuple(dict.fromkeys(normal))) if ok else None
    if op == "contains_any":
        if spec.kind != "enum_list":
            report(at, f"contains_any tests a list, but '{spec.path}' is {spec.kind}; use equals or in")
            return None
    elif spec.kind == "enum_list":
        report(at, f"'{spec.path}' is a list: use contains_any")
        return None
    if op in ("in", "contains_any"):
        if not isinstance(value, list) or not value:
            report(at, f"expected a non-empty list of values after '{op}'")
            return None
        ok = all(_check_value(spec, v, at + (i,), report) for i, v in enumerate(value))
        return Leaf(op, spec.path, tuple(value)) if ok else None
    if spec.kind == "text" and op == "equals":
        report(at, f"'{spec.path}' is free text: test it with mentions, present or absent")
        return None
    return Leaf(op, spec.path, value) if _check_value(spec, value, at, report) else None


# --- the one walk over a condition, and the one way to say it in words --------------------

def children(cond: Condition) -> tuple[Condition, ...]:
    """The conditions directly inside this one (none inside a leaf)."""
    if isinstance(cond, Leaf):
        return ()
    if isinstance(cond, (Not, NotTrue)):
        return (cond.item,)
    return cond.items


def walk(cond: Condition) -> Iterator[Condition]:
    """Every node of a condition, depth first, each node before what is inside it."""
    yield cond
    for child in children(cond):
        yield from walk(child)


def leaves(cond: Condition) -> Iterator[Leaf]:
    """Every leaf of a condition, in the order it is written."""
    return (node for node in walk(cond) if isinstance(node, Leaf))


def condition_fields(cond: Condition) -> set[str]:
    """Every field a condition reads."""
    return {leaf.field for leaf in leaves(cond)}


TEST_WORDS = {"equals": "is", "in": "is one of", "contains_any": "includes any of", "mentions": "mentions any of",
              "before": "is before", "on_or_after": "is on or after"}


def _value_words(value: Any) -> str:
    if isinstance(value, tuple):
        return ", ".join(map(str, value))
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def describe_node(cond: Condition) -> str:
    """One node in words: a leaf's whole test ('share.frequency is routine'), or a group's
    connective ('all of', 'any of', 'not', 'not known that'; 'always' / 'never' when empty).
    The catalogue (`isp rules`) and the explanations (`isp explain`) both word conditions so."""
    if isinstance(cond, Leaf):
        if cond.op in PRESENCE_OPS:
            return f"{cond.field} is {'stated' if cond.op == 'present' else 'not stated'}"
        return f"{cond.field} {TEST_WORDS[cond.op]} {_value_words(cond.value)}"
    if isinstance(cond, Not):
        return "not"
    if isinstance(cond, NotTrue):
        return "not known that"
    if not cond.items:
        return "always" if isinstance(cond, All) else "never"
    return "all of" if isinstance(cond, All) else "any of"


def _either(items: list[str], joiner: str) -> str:
    """A list of values: 'a, b or c'."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + f" {joiner} " + items[-1]


def _clauses(items: list[str], joiner: str) -> str:
    """Clauses joined with 'and' / 'or'; with '; ' between them when a clause has commas of its own."""
    if len(items) == 2 and not any(w in x for x in items for w in (",", f" {joiner} ")):
        return f"{items[0]} {joiner} {items[1]}"
    return "; ".join(items[:-1]) + f"; {joiner} " + items[-1]


def _phrase(text: str) -> str:
    """A `mentions` phrase: "care act + 45" needs both parts, in any order."""
    return " with ".join(f'"{part}"' for part in text.split(" + "))


def _leaf_sentence(leaf: Leaf, negated: bool = False) -> str:
    if leaf.op in PRESENCE_OPS:
        return known(leaf.field, (leaf.op == "present") != negated)
    if leaf.op in ("before", "on_or_after"):
        day = leaf.value
        when = f"{day.day} {day:%B %Y}" if isinstance(day, dt.date) else str(day)
        test = {("before", False): "before", ("before", True): "on or after", ("on_or_after", False): "on or after",
                ("on_or_after", True): "before"}[(leaf.op, negated)]
        return f"{label(leaf.field)} is {test} {when}"
    if isinstance(leaf.value, bool):
        yes, no = yes_no(leaf.field)
        return yes if leaf.value != negated else no
    values = leaf.value if isinstance(leaf.value, tuple) else (leaf.value,)
    if leaf.op == "mentions":
        words_ = _either([_phrase(str(v)) for v in values], "or")
    else:
        words_ = _either([condition_value(leaf.field, v) for v in values], "or")
    template = condition_template(leaf.field)
    if not negated:
        return template.format(words_)
    if " is " in template:
        return template.replace(" is ", " is not ", 1).format(words_)
    return "it is not the case that " + template.format(words_)


def _sentence(cond: Condition, nested: bool) -> str:
    if isinstance(cond, Leaf):
        return _leaf_sentence(cond)
    if isinstance(cond, Not):
        if isinstance(cond.item, Leaf):
            return _leaf_sentence(cond.item, negated=True)
        return f"it is not the case that {_sentence(cond.item, True)}"
    if isinstance(cond, NotTrue):
        return f"it is not known that {_sentence(cond.item, True)}"
    if not cond.items:
        return "always" if isinstance(cond, All) else "never"
    parts = [_sentence(c, True) for c in cond.items]
    if len(parts) == 1:
        return parts[0]
    text = _clauses(parts, "and" if isinstance(cond, All) else "or")
    return f"({text})" if nested else text


def describe_condition(cond: Condition) -> str:
    """A condition as a sentence in plain words, for the rules catalogue, e.g. 'the share is routine or
    regular and it is not known whether the law or function relied on'. (`isp explain` words each
    node in the rules' own terms: describe_node.)"""
    return _sentence(cond, False)


def phrases(conds: Iterable[Condition]) -> dict[str, frozenset[str]]:
    """Text field -> every phrase some `mentions` test looks for in it."""
    out: dict[str, set[str]] = {}
    for cond in conds:
        for leaf in leaves(cond):
            if leaf.op == "mentions":
                out.setdefault(leaf.field, set()).update(leaf.value)
    return {k: frozenset(v) for k, v in out.items()}


def may_hold(cond: Condition) -> Condition:
    """Holds unless the condition is known not to hold (true, or unknown because a field is absent)."""
    return NotTrue(Not(cond))


PSEUDO_PREFIX = {"point": "POINT", "keep": "KEEP", "kind": "KIND", "settle": "SETTLE", "trigger": "TRIGGER"}


def pseudo_rule_id(group: str, item_id: str, maybe: bool = False) -> str:
    """The name a pseudo-rule fires under: POINT-dpia, KIND-one_off, MAYBE-KIND-routine..."""
    return ("MAYBE-" if maybe else "") + f"{PSEUDO_PREFIX[group]}-{item_id}"


_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")


def placeholders(message: str) -> list[str]:
    """Field paths interpolated in a message, e.g. '{share.from.name}'."""
    return _PLACEHOLDER.findall(message)


# --- rule and agreement point models ----------------------------------------------------

# The closed vocabularies of the rules format, each spelt once as a Literal (the models and the
# type checker use it; typing.get_args lists its values, in this order, e.g. for messages).
Effect = Literal["deny", "open", "obligation", "ground", "advice"]  # what a rule does when it fires
# The effects a decision's reason carries (decision.Reason): every one but obligation, since an
# obligation rule becomes an Obligation, never a reason.
ReasonEffect = Literal["deny", "open", "ground", "advice"]
PointKind = Literal["lawfulness", "paperwork", "protocol_standard", "legal_requirement"]
PointUrgency = Literal["defer", "defer_always", "keep"]  # what urgency does to an agreement point
# exemption: switches off some data protection duties (DPA 2018 Sch 2), and confidence_only: sets
# aside the duty of confidence (NHS Act 2006 s251): recognised, but neither is the law the processing
# rests on under Art 6(3).
PowerKind = Literal["duty_to_disclose", "power_to_disclose", "function", "exemption", "confidence_only"]
CommencementStatus = Literal["pending", "until_commenced"]

# Where an entry was written (file, line, and the line of each key): filled by the loader, never
# written by an author; a rule file that sets one is told it is an unknown field.
LOCATION_FIELDS = ("file", "line", "lines")


class _Model(BaseModel):
    # defer_build: a cached ruleset is unpickled without ever building validators.
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, arbitrary_types_allowed=True, defer_build=True)


Words = Annotated[str, StringConstraints(min_length=1, strip_whitespace=True)]


class Citation(_Model):
    source: Words  # the instrument or document, e.g. "UK GDPR"
    ref: Words  # article, section, paragraph or chapter, e.g. "Art 6(1)(e)"
    note: Words | None = None
    checked: Words | None = None  # what primary text or guidance was checked, and how


class InForce(_Model):
    from_: Annotated[dt.date, Field(strict=False)] | None = Field(None, alias="from")
    until: Annotated[dt.date, Field(strict=False)] | None = None  # exclusive

    def covers(self, day: dt.date) -> bool:
        return (self.from_ is None or day >= self.from_) and (self.until is None or day < self.until)

    def overlaps(self, other: InForce) -> bool:
        starts_before_other_ends = other.until is None or self.from_ is None or self.from_ < other.until
        ends_after_other_starts = self.until is None or other.from_ is None or other.from_ < self.until
        return starts_before_other_ends and ends_after_other_starts


RULE_ID = r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)+$"


class Commencement(_Model):
    """A rule tied to a provision that is law but not yet in force (commencement by regulations).

    status pending: the rule never fires until the ruleset's `commenced:` map (ruleset.yaml) gives
    the provision a date; from that date it behaves as an in-force rule. status until_commenced:
    the rule applies now and stops on that date (the law it states is replaced by the provision).
    """

    status: CommencementStatus
    # What one line of the ruleset's `commenced:` map names to switch it on; several rules may
    # share one id (one line per provision). Default: the rule's own id.
    id: Annotated[str, StringConstraints(pattern=RULE_ID)] | None = None
    provision: Words  # the provision not yet in force, e.g. "Children Act 2004 s16LA"
    by: Words  # what will bring it into force, e.g. "regulations under ... s78"


class Rule(_Model):
    id: Annotated[str, StringConstraints(pattern=RULE_ID)]
    title: Words
    when: Any
    effect: Effect
    message: Words
    remedy: Words | None = None
    points: list[Words] = []
    citations: Annotated[list[Citation], Field(min_length=1)]
    in_force: InForce | None = None
    # Set on the urgent-safeguarding / emergency ground: when it fires, paperwork
    # points are deferred to after the share (ICO code, urgent situations).
    defers_paperwork: bool = False
    # On a rule that defers paperwork: when its urgent path applies, in a few plain words
    # ("a child at serious or imminent risk"); the triage's "not urgent" notice lists them.
    urgent_when: Words | None = None
    # On an open rule: it opens its points because a needed fact is not stated (not
    # because a stated fact is wrong), so urgency may defer them to after the share.
    missing_fact: bool = False
    # Law not yet in force: see Commencement. The loader turns a commenced provision's date
    # into in_force (from it, or until it), so the engine and interpreter need nothing more.
    commencement: Commencement | None = None
    file: str = ""  # where the rule was written, for messages
    line: int = 0
    lines: dict[str, int] = {}  # the line of each key as written (filled by the loader)

    @property
    def key(self) -> str:
        """Unique per version: a rule id may have several versions with disjoint in-force windows."""
        start = self.in_force.from_ if self.in_force else None
        if start is None or self.commencement is not None:  # a commenced rule keeps its id
            return self.id
        return f"{self.id}@{start.isoformat()}"

    def in_force_on(self, day: dt.date) -> bool:
        """Whether the rule is law on that day: the one in-force check (the interpreter, explain,
        lint and the guided questions ask it; the compiler writes the same window for durable)."""
        return self.in_force is None or self.in_force.covers(day)

    @property
    def commencement_id(self) -> str | None:
        """The name the ruleset's `commenced:` map uses for this rule's provision."""
        if self.commencement is None:
            return None
        return self.commencement.id or self.id

    @property
    def commenced_on(self) -> dt.date | None:
        """The date its provision came (or comes) into force, once the ruleset sets one."""
        if self.commencement is None or self.in_force is None:
            return None
        return self.in_force.from_ if self.commencement.status == "pending" else self.in_force.until


class Answer(_Model):
    text: Words
    unless: Any = None  # a condition; the answer is not offered when it holds
    # The scenario values this answer stands for ({field path: value}), where it has one:
    # what a guided flow or a property test fills in when this answer is chosen.
    sets: dict[str, Any] | None = None
    # Offered only when no other answer fits: what is left when the stated facts rule out every
    # usual way of settling the point (leave the confidential part out, say), so an open point
    # never stands without an answer that fits the share (verdict semantics 2).
    otherwise: bool = False


class NamedCondition(_Model):
    """A condition defined once, in conditions.yaml, and named in rules as {condition: ID}."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    says: Words  # plain words, e.g. "the purpose is one of a public body's own tasks"
    when: Any  # a condition
    note: Words | None = None  # why it is written as it is
    uses: int = 0  # how many conditions name it (filled by the loader; isp lint warns on none)
    file: str = ""  # where it was written (filled by the loader), for messages
    line: int = 0
    lines: dict[str, int] = {}  # the line of each key as written (filled by the loader)


class ShareKind(_Model):
    """A kind of share (routine, one-off, processor...): which points apply follows from it."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    says: Words  # plain words, e.g. "a one-off disclosure"
    when: Any  # a condition
    citations: list[Citation] = []
    file: str = ""  # where it was written (filled by the loader), for messages
    line: int = 0
    lines: dict[str, int] = {}  # the line of each key as written (filled by the loader)


class Settlement(_Model):
    """Facts that settle a point without agreeing it again (both signed the protocol...)."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    says: Words  # plain words, e.g. "both parties signed the protocol"
    when: Any
    citations: list[Citation] = []
    file: str = ""  # where it was written (filled by the loader), for messages
    line: int = 0
    lines: dict[str, int] = {}  # the line of each key as written (filled by the loader)


class Trigger(_Model):
    """A sign that processing is likely to be high risk (UK GDPR Art 35(3), the ICO's list)."""

    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    says: Words
    when: Any
    citations: Annotated[list[Citation], Field(min_length=1)]
    file: str = ""  # where it was written (filled by the loader), for messages
    line: int = 0
    lines: dict[str, int] = {}  # the line of each key as written (filled by the loader)


class AgreementPoint(_Model):
    id: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    question: Words
    help: Words  # one line a practitioner can act on
    kind: PointKind
    applies_to: list[Words] = []  # share kinds it must be settled for (may hold counts); [] = every share
    except_for: list[Words] = []  # share kinds it never applies to
    obligation_for: list[Words] = []  # share kinds for which it becomes the discloser's obligation
    standard: Words | None = None  # the protocol's standard, in plain words (the obligation's text)
    settled_by: list[Words] = []
    settled_if: list[Words] = []  # settlements (ids) any one of which settles the point
    high_risk: bool = False  # applies only where a high-risk trigger holds or may hold
    applies_when: Any = None  # a condition; absent = always applies
    urgency: PointUrgency = "defer"
    urgency_keeps_when: Any = None  # a condition under which urgency never defers the point
    likely_answers: Annotated[list[Answer], Field(min_length=1)]
    citations: Annotated[list[Citation], Field(min_length=1)]
    file: str = ""  # where it was written (filled by the loader), for messages
    line: int = 0
    lines: dict[str, int] = {}  # the line of each key as written (filled by the loader)


class Power(_Model):
    """One entry of the catalogue of gateways and powers (rulesets/powers/*.yaml)."""

    id: Annotated[str, StringConstraints(pattern=r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")]
    statute: Words  # e.g. "Children Act 1989"
    section: Words  # e.g. "s47"
    names: list[Words] = []  # phrases as for `mentions`: whole words, "a + b" = both parts in any order
    permits: Words  # one line in plain words: what it requires or permits
    # duty_to_disclose: the law requires the disclosure (Art 6(1)(c)); power_to_disclose: it
    # permits it; function: a duty or function the public task rests on, but no power to disclose.
    kind: PowerKind
    who: list[Words] = []  # discloser party types that may use it; [] = any discloser
    # The share purposes (scenario purpose categories) it serves; [] = any purpose. A power given
    # for one end is no gateway for another (Care Act 2014 s42 is for adults' safeguarding, not
    # for police intelligence): what would make a share lawful only offers a power that serves it.
    purposes: list[Words] = []
    # The recipient party types the law lets it disclose to; [] = any. FGM Act 2003 s5B notifies
    # the police and no one else: it is no duty to tell children's social care.
    to: list[Words] = []
    # A duty that arises on a notice or requirement in writing (a coroner's Schedule 5 notice, a
    # DWP authorised officer's notice): an oral request does not engage it (LB-LEGOB-003).
    written: bool = False
    # The request.instrument it stands for: a stated court order or coroner's notice is itself the
    # law the share rests on, however the practitioner words the law named (or names none).
    instrument: Words | None = None
    citations: Annotated[list[Citation], Field(min_length=1)]
    # Law not yet in force: a pending entry (commencement date not yet set), or one outside its
    # in_force window on the date of the share, is not recognised (naming it keeps the point open).
    pending: bool = False
    in_force: InForce | None = None
    # Filled by the loader: the names (and "statute + section") in the normal form matching uses.
    match: tuple[str, ...] = ()
    file: str = ""
    line: int = 0
    lines: dict[str, int] = {}  # the line of each key as written (filled by the loader)

    @property
    def label(self) -> str:
        """'Children Act 1989 s47': how the entry is named to a practitioner."""
        return f"{self.statute} {self.section}"

    @property
    def is_duty(self) -> bool:
        return self.kind == "duty_to_disclose"

    @property
    def is_function(self) -> bool:
        """Whether it gives the discloser a function the public task rests on (no power to disclose)."""
        return self.kind == "function"

    @property
    def permits_disclosure(self) -> bool:
        """Whether it is law about disclosing itself: a duty or a power to disclose (not a function,
        which needs a separate footing in confidence)."""
        return self.kind in ("duty_to_disclose", "power_to_disclose")

    @property
    def is_basis(self) -> bool:
        """Whether it is law a share can rest on (Art 6(3)): a duty, a power or a function."""
        return self.kind in ("duty_to_disclose", "power_to_disclose", "function")

    def in_force_on(self, day: dt.date) -> bool:
        return not self.pending and (self.in_force is None or self.in_force.covers(day))


class Ruleset(_Model):
    name: Words
    version: Words
    title: Words | None = None
    rules: tuple[Rule, ...]
    points: tuple[AgreementPoint, ...]
    kinds: tuple[ShareKind, ...] = ()
    settlements: tuple[Settlement, ...] = ()
    triggers: tuple[Trigger, ...] = ()
    # Rules pending commencement whose provision has no date yet: they never fire and are not
    # in `rules` (so the engine, interpreter, lint, explain and coverage never see them).
    pending: tuple[Rule, ...] = ()
    # The ruleset's `commenced:` map: commencement id (or rule id) -> the date it comes into force.
    commenced: dict[str, dt.date] = {}
    powers: tuple[Power, ...] = ()  # the catalogue of gateways and powers
    sha256: str
    source: str  # the directory it came from
    topics: dict[str, str] = {}  # rule file name -> the file's `title:` (its topic in plain words)
    conditions: tuple[NamedCondition, ...] = ()  # conditions.yaml: already written out in the rules that name them

    _rule_index: dict[str, Rule] = PrivateAttr(default_factory=dict)
    _point_index: dict[str, AgreementPoint] = PrivateAttr(default_factory=dict)
    _settlement_index: dict[str, Settlement] = PrivateAttr(default_factory=dict)
    _kind_index: dict[str, ShareKind] = PrivateAttr(default_factory=dict)

    _phrases: dict[str, frozenset[str]] = PrivateAttr(default_factory=dict)

    def model_post_init(self, context: Any, /) -> None:
        self._rule_index = {r.key: r for r in self.rules}
        self._point_index = {p.id: p for p in self.points}
        self._settlement_index = {s.id: s for s in self.settlements}
        self._kind_index = {k.id: k for k in self.kinds}
        conds = [r.when for r in self.rules] + [c for _, c in self.pseudo_rules()]
        for p in self.points:
            conds += [a.unless for a in p.likely_answers if a.unless is not None]
        # The catalogue travels with the phrases into every fact (facts.to_fact), so each
        # caller that builds a fact recognises the power named without knowing of the catalogue.
        self._phrases = TextPhrases(phrases(conds), powers=self.powers)

    def pseudo_rules(self) -> list[tuple[str, Condition]]:
        """The named conditions the engine fires beside the rules: when each point applies, which
        kinds of share this is (or may be), which settlements hold (or may), and the high-risk
        triggers. decide() reads the verdict semantics from them; none of it is in Python."""
        out: list[tuple[str, Condition]] = []
        for p in self.points:
            if p.applies_when is not None:
                out.append((pseudo_rule_id("point", p.id), p.applies_when))
            if p.urgency_keeps_when is not None:
                out.append((pseudo_rule_id("keep", p.id), p.urgency_keeps_when))
        for group, items in (("kind", self.kinds), ("settle", self.settlements)):
            for item in items:
                out.append((pseudo_rule_id(group, item.id), item.when))
                out.append((pseudo_rule_id(group, item.id, maybe=True), may_hold(item.when)))
        for t in self.triggers:
            out.append((pseudo_rule_id("trigger", t.id), t.when))
            out.append((pseudo_rule_id("trigger", t.id, maybe=True), may_hold(t.when)))
        return out

    def power(self, power_id: str) -> Power:
        return next(p for p in self.powers if p.id == power_id)

    def power_suggestions(self, text: str, n: int = 3) -> list[str]:
        """Close matches for a power the catalogue does not recognise: entries whose
        statute and section read most like the text (difflib), best first."""
        return close_powers(text, self.powers, n)

    def settlement(self, settlement_id: str) -> Settlement:
        return self._settlement_index[settlement_id]

    def kind(self, kind_id: str) -> ShareKind:
        return self._kind_index[kind_id]

    @property
    def phrases(self) -> dict[str, frozenset[str]]:
        """Text field -> the phrases the rules look for in it (the fact lists those found)."""
        return self._phrases

    def rule(self, key: str) -> Rule:
        """A rule by its key: the id, or id@from-date for a later version."""
        return self._rule_index[key]

    def point(self, point_id: str) -> AgreementPoint:
        return self._point_index[point_id]
