"""`isp lint`: find what is wrong with a ruleset before anyone relies on it.

- schema: everything the loader reports (errors);
- unreachable: a rule whose condition no scenario can satisfy (error);
- shadowed: a rule whose findings another rule always duplicates: whenever it fires, a rule
  with the same effect and (for open) the same agreement points fires too (warning);
- contradiction: a ground and a deny that fire on exactly the same scenarios (error), or a
  ground that can never fire without a deny (warning);
- unused: a named condition (conditions.yaml) that nothing names (warning);
- gap: a combination of purpose and lawful basis where a share is allowed although no ground
  rule fired, so the allow rests only on the absence of denials (warning).

How: a systematic search over the finite vocabularies. For each question, only the fields the
conditions involved test are varied (a derived field through the fields it comes from), each
over the values that can make a difference: the values the conditions name, one value they do
not name, and "not stated". That product is enumerated exhaustively when it has at most
MAX_COMBINATIONS members, and sampled (seeded) above that; a finding from a sampled search says
so. Pairs of rules are first screened on a pool of real and generated scenarios, so only pairs
that never disagree there are searched.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from ..dotted import set_path
from ..errors import Problem, RulesetError
from ..facts import FIELDS, SOURCES, to_fact
from ..interpret import evaluate, fired_rules
from ..ruleset import Rule, Ruleset, leaves
from ..scenario import Scenario, validate_scenario

__all__ = ["MAX_COMBINATIONS", "Finding", "LintReport", "lint_ruleset", "render_lint"]

MAX_COMBINATIONS = 20_000
ABSENT = object()
OTHER_TEXT = "zq"  # text no phrase matches (checked against the phrases in use)
LOCATIONS = ["GB", "IE", "CH", "JP", "IN"]  # UK, EEA, adequate, partly adequate, neither
# Derived and defaulted fields are varied through the facts they come from (facts.SOURCES).
FULL = {"share.data.identifiability", "share.from.type", "share.to.type"}  # small enums varied in full


@dataclass(frozen=True)
class Finding:
    level: str  # error | warning
    check: str  # schema | unreachable | shadowed | contradiction | gap | directory | unused
    file: str
    rule: str
    message: str
    example: dict | None = None


@dataclass
class LintReport:
    findings: list[Finding] = field(default_factory=list)
    seconds: float = 0.0
    searches: int = 0
    sampled: int = 0  # searches too large to enumerate, sampled instead
    scenarios: int = 0  # scenarios built and evaluated
    notes: list[str] = field(default_factory=list)  # what was skipped, and why

    @property
    def errors(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "error"]

    @property
    def warnings(self) -> list[Finding]:
        return [f for f in self.findings if f.level == "warning"]


def _window(rule: Rule) -> tuple[dt.date | None, dt.date | None]:
    w = rule.in_force
    return (w.from_, w.until) if w is not None else (None, None)


class _Search:
    """Candidate values per field, and the enumeration of their product."""

    def __init__(self, ruleset: Ruleset, report: LintReport, seed: int = 0):
        self.ruleset = ruleset
        self.report = report
        self.rng = random.Random(seed)

    def _domain(self, path: str, named: set) -> list:
        spec = FIELDS[path]
        if spec.kind == "bool":
            return [True, False, ABSENT]
        if spec.kind == "enum":
            values = list(spec.values) if path in FULL else sorted(v for v in named if v in spec.values)
            other = [v for v in spec.values if v not in values][:1]
            return values + other + [ABSENT]
        if spec.kind == "enum_list":
            chosen = sorted(v for v in named if v in spec.values)
            other = [v for v in spec.values if v not in chosen][:1]
            # Every combination of up to three named values (conditions rarely test more of one
            # list at once), and all of them together.
            combos = [list(c) for k in range(1, 4) for c in itertools.combinations(chosen, k)] if len(chosen) <= 8 \
                else [[v] for v in chosen]
            if len(chosen) > 3:
                combos.append(chosen)
            if path == "share.data.categories":  # each class the derived fields tell apart, alone and with the named
                classes = [["identity"], ["health"], ["criminal_offence"], ["non_personal"], ["health", "criminal_offence"]]
                combos = classes + combos + [sorted(set(c) | {extra}) for c in [[v] for v in chosen]
                                             for extra in ("health", "criminal_offence")]
            unique = {tuple(c): c for c in combos + [other]}
            return list(unique.values()) + [ABSENT]
        if spec.kind == "date":  # one day long past and one far ahead of any share's date
            return [dt.date(2020, 1, 1), dt.date(2030, 1, 1), ABSENT]
        if spec.kind == "country":
            return sorted(set(LOCATIONS) | {v for v in named if isinstance(v, str)}) + [ABSENT]
        if spec.kind == "text":
            phrases = sorted({p.replace(" + ", " ") for v in named for p in (v if isinstance(v, tuple) else (v,))})
            joined = [" ".join(phrases)] if len(phrases) > 1 else []
            if path == "share.basis.legal_power":  # the power facts come from the catalogue
                phrases += self._power_samples()
            return phrases + joined + [OTHER_TEXT, ABSENT]
        return [ABSENT]

    def _power_samples(self) -> list[str]:
        """One catalogue entry of each kind, open to any discloser and limited to some, so the
        derived power facts (recognised, a duty, available to this discloser) take every value; and
        a second power to disclose open to some disclosers, since rules set named powers of that kind
        aside (s115, the gateways that lift confidence) and must still meet another (CF-LEGAL-006)."""
        picked: dict[tuple[str, bool], str] = {}
        extra: list[str] = []
        for power in self.ruleset.powers:
            if not power.pending and power.in_force is None:
                key = (power.kind, bool(power.who))
                if key not in picked:
                    picked[key] = power.label
                elif key == ("power_to_disclose", True) and not extra:
                    extra.append(power.label)
        return sorted([*picked.values(), *extra])

    def space(self, rules: list[Rule], conds: list) -> tuple[list[str], list[list], list[dt.date]]:
        named: dict[str, set] = {}
        for cond in conds:
            for leaf in leaves(cond):
                for path in SOURCES.get(leaf.field, [leaf.field]):
                    bag = named.setdefault(path, set())
                    if leaf.field == path and leaf.value is not None:
                        bag.update(leaf.value if isinstance(leaf.value, tuple) else (leaf.value,))
        days = {dt.date.today()}  # the law as at today, as assess() defaults, plus every date a rule names
        for cond in conds:  # dates a condition names (as_of before / on or after)
            for leaf in leaves(cond):
                if leaf.field == "as_of" and isinstance(leaf.value, dt.date):
                    days.update({leaf.value, leaf.value - dt.timedelta(days=1)})
        for rule in rules:
            for day in _window(rule):
                if day is not None:
                    days.update({day, day - dt.timedelta(days=1)})
        paths = sorted(p for p in named if p != "as_of")
        return paths, [self._domain(p, named[p]) for p in paths], sorted(days)

    def find(self, rules: list[Rule], conds: list, test: Callable[[dict, dt.date], bool]) -> tuple[dict | None, bool]:
        """A scenario (as data) for which test(fact, day) holds, and whether the search was exhaustive."""
        paths, domains, days = self.space(rules, conds)
        size = len(days)
        for d in domains:
            size *= len(d)
        self.report.searches += 1
        exhaustive = size <= MAX_COMBINATIONS
        if exhaustive:
            combos: Iterable = itertools.product(days, *domains)
        else:
            self.report.sampled += 1
            combos = ((self.rng.choice(days), *(self.rng.choice(d) for d in domains)) for _ in range(MAX_COMBINATIONS))
        for day, *values in combos:
            data: dict = {"share": {}}
            for path, value in zip(paths, values, strict=False):
                if value is not ABSENT:
                    set_path(data, path, value)
            try:
                scenario = validate_scenario(data)
            except ValidationError:  # a combination the format itself forbids
                continue
            self.report.scenarios += 1
            fact = to_fact(scenario, day, self.ruleset.phrases)
            if test(fact, day):
                data["as_of"] = day.isoformat()
                return data, exhaustive
        return None, exhaustive


def _fires(rule: Rule, fact: dict, day: dt.date) -> bool:
    return rule.in_force_on(day) and evaluate(rule.when, fact) is True


def _fires_without(rule: Rule, other: Rule | None = None) -> Callable[[dict, dt.date], bool]:
    """The search's test: the rule fires on the fact (and the other rule, if given, does not)."""
    def test(fact: dict, day: dt.date) -> bool:
        return _fires(rule, fact, day) and (other is None or not _fires(other, fact, day))
    return test


def _pool(ruleset: Ruleset, library: list[Scenario], seed: int) -> list[set[str]]:
    """The rules each scenario of a screening pool fires (library, then generated)."""
    from ..assessment import scenario_fact
    from .sampling import random_scenario_dicts, valid

    seeds = [s.model_dump(mode="json", by_alias=True, exclude_none=True) for s in library]
    scenarios = list(library) + [s for s in (valid(d) for d in random_scenario_dicts(random.Random(seed), 3000, seeds)) if s]
    return [fired_rules(ruleset, scenario_fact(s, ruleset, s.as_of or dt.date.today())) for s in scenarios]


def add_schema_errors(report: LintReport, problems: list[Problem], level: str = "error", check: str = "schema") -> None:
    """Each problem a file beside the rules has, as a finding of the lint (a schema error unless
    told otherwise)."""
    for p in problems:
        where = p.file + (f":{p.line}" if p.line else "")
        report.findings.append(Finding(level, check, where, _rule_at(p), p.message))


def lint_ruleset(directory: str | Path, library: list[Scenario] | None = None, seed: int = 0) -> tuple[Ruleset | None, LintReport]:
    from ..assessment import load_ruleset

    report = LintReport()
    start = time.perf_counter()
    try:
        ruleset = load_ruleset(directory)
    except RulesetError as exc:
        add_schema_errors(report, exc.problems)
        report.seconds = time.perf_counter() - start
        return None, report
    from ..assessment import scenario_problems

    # A library scenario naming a partner or agreement these rules' directory does not hold
    # cannot be decided under them: it is left out of the pools, not an error of the rules.
    def usable(scenario: Scenario) -> bool:
        try:
            return not scenario_problems(scenario, ruleset)
        except RulesetError:  # the directory's own problems, reported above
            return False

    library = [s for s in library or [] if usable(s)]
    for named in ruleset.conditions:
        if not named.uses:
            report.findings.append(Finding("warning", "unused", Path(named.file).name, named.id,
                                           "this named condition is not used by any rule, agreement point or likely answer"))
    search = _Search(ruleset, report, seed)
    file = {r.key: Path(r.file).name for r in ruleset.rules}
    reachable: dict[str, dict] = {}
    for rule in ruleset.rules:
        example, exhaustive = search.find([rule], [rule.when], _fires_without(rule))
        if example is None:
            how = "no combination of the values it tests satisfies it" if exhaustive else \
                f"no scenario satisfied it in a sample of {MAX_COMBINATIONS:,} (the space was too large to enumerate)"
            report.findings.append(Finding("error" if exhaustive else "warning", "unreachable", file[rule.key], rule.key,
                                           f"can never fire: {how}"))
        else:
            reachable[rule.key] = example
    pool = _pool(ruleset, library or [], seed)
    for example in reachable.values():  # each rule's own example joins the screening pool
        scenario = validate_scenario(example)
        pool.append(fired_rules(ruleset, to_fact(scenario, scenario.as_of, ruleset.phrases)))

    # For each rule, the pool scenarios it fires on: "b whenever a" is then a subset test.
    fires_on: dict[str, set[int]] = {}
    for i, fired in enumerate(pool):
        for key in fired:
            fires_on.setdefault(key, set()).add(i)

    def never_without(a: str, b: str) -> bool:
        """In the whole pool, b fires whenever a does (a candidate for a search)."""
        return fires_on.get(a, set()) <= fires_on.get(b, set())

    rules = [r for r in ruleset.rules if r.key in reachable]
    for a in rules:
        for b in rules:
            if a.key == b.key or a.id == b.id or a.effect != b.effect or a.effect in ("obligation", "advice"):
                continue
            if not set(a.points) <= set(b.points) or not never_without(a.key, b.key):
                continue
            # A narrower rule that cites something the broader one does not still adds its source.
            if not {(c.source, c.ref) for c in a.citations} <= {(c.source, c.ref) for c in b.citations}:
                continue
            counter, exhaustive = search.find([a, b], [a.when, b.when],
                                              _fires_without(a, b))
            if counter is None:
                sure = "" if exhaustive else f" (no counterexample in a sample of {MAX_COMBINATIONS:,})"
                report.findings.append(Finding("warning", "shadowed", file[a.key], a.key,
                                               f"whenever it fires, {b.key} ({file[b.key]}) fires too with the same "
                                               f"effect ({a.effect}){', points' if a.points else ''} and citations: "
                                               f"it adds no finding of its own{sure}", reachable[a.key]))
    grounds = [r for r in rules if r.effect == "ground"]
    denies = [r for r in rules if r.effect == "deny"]
    for g in grounds:
        for d in denies:
            if not never_without(g.key, d.key):
                continue
            counter, exhaustive = search.find([g, d], [g.when, d.when],
                                              _fires_without(g, d))
            if counter is not None:
                continue
            converse, _ = search.find([g, d], [g.when, d.when],
                                      _fires_without(d, g))
            same = converse is None
            report.findings.append(Finding(
                "error" if same and exhaustive else "warning", "contradiction", file[g.key], g.key,
                (f"fires on exactly the same scenarios as the deny {d.key} ({file[d.key]}): a ground and a deny "
                 "for the same facts" if same else
                 f"can never fire without the deny {d.key} ({file[d.key]}): the ground is never the answer"),
                reachable[g.key]))
    if library:
        report.findings += _gaps(ruleset, library)
    else:
        report.notes.append("gap check skipped: no scenario library to vary (give --scenarios DIR)")
    report.seconds = time.perf_counter() - start
    return ruleset, report


BASIS_FIELDS = {"share.basis.article_6", "share.data.anonymous", "share.data.identifiability"}


def _rule_at(problem: Problem) -> str:
    """Where a schema problem is: the rule it is in, by the id the loader read from its entry
    (Problem.rule), with the path ("TINY-BAD-001 (rules[0].citations)"); else the path."""
    if problem.rule is None:
        return problem.path or "-"
    return f"{problem.rule} ({problem.path})"


def _basis_grounds(ruleset: Ruleset) -> set[str]:
    """Ground rules that make the share lawful in itself: those that test the Art 6 basis, those
    that find no personal data is shared (no basis is then needed), and the urgent grounds that
    defer paperwork. Broad grounds (both parties signed the protocol, an agreement is in place,
    an Art 9 condition) support a share but are not a basis for it."""
    return {r.id for r in ruleset.rules if r.effect == "ground"
            and (r.defers_paperwork or any(leaf.field in BASIS_FIELDS for leaf in leaves(r.when)))}


def _gaps(ruleset: Ruleset, library: list[Scenario]) -> list[Finding]:
    """Purpose x lawful basis x whether the discloser is a public authority, tried on every
    allowed library share: an allow with no lawful-basis ground behind it. One finding per basis,
    listing the purposes, with a whole example scenario."""
    import copy

    from ..assessment import assess

    grounds = _basis_grounds(ruleset)
    purposes = FIELDS["share.purpose.category"].values
    bases = FIELDS["share.basis.article_6"].values
    found: dict[str, dict[str, Any]] = {}
    for base in library:
        if assess(base, ruleset).verdict != "allow":
            continue
        original = base.model_dump(mode="json", by_alias=True, exclude_none=True)
        for purpose, basis, public in itertools.product(purposes, bases, (True, False)):
            data = copy.deepcopy(original)
            data["share"].setdefault("purpose", {})["category"] = purpose
            data["share"].setdefault("basis", {})["article_6"] = basis
            data["share"].setdefault("from", {})["public_authority"] = public
            try:
                scenario = validate_scenario(data)
            except ValidationError:  # a combination the format itself forbids
                continue
            decision = assess(scenario, ruleset)
            if decision.verdict == "allow" and not any(r.rule in grounds for r in decision.reasons):
                entry = found.setdefault(basis, {"purposes": [], "example": None})
                if purpose not in entry["purposes"]:
                    entry["purposes"].append(purpose)
                if entry["example"] is None:
                    data["id"] = f"gap-{basis.replace('_', '-')}"
                    data.pop("expect", None)
                    entry["example"] = data
    return [Finding("warning", "gap", "-", f"article_6={basis}",
                    f"a share on {basis} can be allowed with no ground rule saying that basis holds (the allow "
                    f"rests only on the absence of denials), for purposes: {', '.join(entry['purposes'])}",
                    entry["example"])
            for basis, entry in found.items()]


def render_lint(report: LintReport, ruleset: Ruleset | None, fmt: str = "text") -> str:
    import json

    if fmt == "json":
        return json.dumps({"errors": len(report.errors), "warnings": len(report.warnings), "seconds": round(report.seconds, 2),
                           "notes": report.notes,
                           "findings": [f.__dict__ for f in report.findings]}, indent=2, ensure_ascii=False, default=str) + "\n"
    lines = []
    for f in sorted(report.findings, key=lambda f: (f.level != "error", f.check, f.file, f.rule)):
        lines.append(f"{f.level}: {f.file}: {f.rule}: [{f.check}] {f.message}")
        if f.example is not None:
            lines.append("    example: " + json.dumps(f.example, ensure_ascii=False, separators=(", ", ": "), default=str))
    name = f"{ruleset.name} {ruleset.version}, {len(ruleset.rules)} rules" if ruleset else "ruleset did not load"
    lines += [f"note: {n}" for n in report.notes]
    lines.append(f"{len(report.errors)} error(s), {len(report.warnings)} warning(s) in {name}; "
                 f"{report.searches} searches ({report.sampled} sampled), {report.scenarios:,} scenarios, {report.seconds:.1f} s")
    return "\n".join(lines) + "\n"
