"""`isp diff OLD NEW`: what a rule change does to real decisions.

Every scenario of the library, and a large seeded sample of made-up ones, is decided under both
rulesets. A change is any difference in verdict, reasons (rule and effect) or open points.
Library changes are listed one by one; generated ones are grouped by what changed, each group
with its count and the simplest scenario that shows it (fewest stated fields).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from pathlib import Path

from ..assessment import assess
from ..decision import Decision
from ..ruleset import Ruleset
from ..scenario import Scenario

__all__ = ["Change", "DiffReport", "diff_rulesets", "render_diff"]


def _signature(d: Decision) -> tuple[str, frozenset[str], frozenset[str]]:
    return (d.verdict, frozenset(f"{r.rule} [{r.effect}]" for r in d.reasons), frozenset(p.id for p in d.open_points))


@dataclass
class Change:
    name: str  # a file path, or generated-N
    scenario: Scenario
    old: Decision
    new: Decision
    count: int = 1  # generated changes of the same kind

    @property
    def verdict_changed(self) -> bool:
        return self.old.verdict != self.new.verdict

    def kind(self) -> tuple:
        o, n = _signature(self.old), _signature(self.new)
        return (o[0], n[0], frozenset(o[1] - n[1]), frozenset(n[1] - o[1]), frozenset(o[2] - n[2]), frozenset(n[2] - o[2]))


@dataclass
class DiffReport:
    library: list[Change] = field(default_factory=list)
    generated: list[Change] = field(default_factory=list)  # one per kind of change
    library_count: int = 0
    generated_count: int = 0
    skipped: int = 0  # library scenarios naming directory entries one of the rulesets does not hold

    @property
    def verdicts_changed(self) -> bool:
        return any(c.verdict_changed for c in self.library + self.generated)


def diff_rulesets(old: Ruleset, new: Ruleset, library: list[tuple[str, Scenario]], sample: int = 2000,
                  seed: int = 0) -> DiffReport:
    from ..assessment import scenario_problems
    from .sampling import random_scenario_dicts, valid

    # Only scenarios both rulesets can decide: one naming a partner or agreement that either
    # ruleset's directory does not hold is counted as left out.
    decidable = [(n, s) for n, s in library if not scenario_problems(s, old) and not scenario_problems(s, new)]
    report = DiffReport(library_count=len(decidable), skipped=len(library) - len(decidable))
    library = decidable
    for name, scenario in library:
        a, b = assess(scenario, old), assess(scenario, new)
        if _signature(a) != _signature(b):
            report.library.append(Change(name, scenario, a, b))
    report.library.sort(key=lambda c: not c.verdict_changed)  # what matters most first
    groups: dict[tuple, Change] = {}
    seeds = [s.model_dump(mode="json", by_alias=True, exclude_none=True) for _, s in library]
    for data in random_scenario_dicts(random.Random(seed), sample, seeds):
        generated = valid(data)
        if generated is None:
            continue
        report.generated_count += 1
        a, b = assess(generated, old), assess(generated, new)
        if _signature(a) == _signature(b):
            continue
        change = Change(str(data["id"]), generated, a, b)
        kind = change.kind()
        if kind in groups:
            groups[kind].count += 1
        else:
            groups[kind] = change
    for change in groups.values():  # the simplest scenario that still shows the same change
        change.scenario = _shrink(change, old, new)
    report.generated = sorted(groups.values(), key=lambda c: (not c.verdict_changed, -c.count))
    return report


def _shrink(change: Change, old: Ruleset, new: Ruleset) -> Scenario:
    """Leave out every stated field whose absence keeps the same kind of change (greedy, one pass)."""
    import copy

    from ..dotted import unset_path
    from .sampling import PATHS, valid

    kind = change.kind()
    data = change.scenario.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_unset=True)
    for path in PATHS:
        trial = copy.deepcopy(data)
        unset_path(trial, path)
        if trial == data:
            continue
        scenario = valid(trial)
        if scenario is not None and Change("", scenario, assess(scenario, old), assess(scenario, new)).kind() == kind:
            data = trial
    return valid(_pruned(data)) or change.scenario


def _pruned(data):
    """Without the empty mappings that removing fields leaves behind."""
    if isinstance(data, dict):
        out = {k: _pruned(v) for k, v in data.items()}
        return {k: v for k, v in out.items() if v != {} or k == "share"}
    return data


def _describe(change: Change) -> list[str]:
    o, n = _signature(change.old), _signature(change.new)
    lines = []
    if o[0] != n[0]:
        lines.append(f"    verdict: {o[0]} -> {n[0]}")
    for label, before, after in (("reasons", o[1], n[1]), ("open points", o[2], n[2])):
        if before - after:
            lines.append(f"    {label} no longer given: {', '.join(sorted(before - after))}")
        if after - before:
            lines.append(f"    {label} now given: {', '.join(sorted(after - before))}")
    return lines


def _scenario_yaml(scenario: Scenario) -> list[str]:
    import yaml

    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_unset=True)
    return ["      " + line for line in yaml.safe_dump(data, sort_keys=False, allow_unicode=True).splitlines()]


def render_diff(report: DiffReport, old: Ruleset, new: Ruleset) -> str:
    lines = [f"isp diff: {old.name} {old.version} ({old.sha256[:12]}) -> {new.name} {new.version} ({new.sha256[:12]})",
             f"{report.library_count} library scenario(s), {report.generated_count} generated"
             + (f"; {report.skipped} left out (they name partners or agreements a ruleset's directory does not hold)"
                if report.skipped else ""), ""]
    if report.library:
        lines.append(f"Library scenarios whose decision changes ({len(report.library)}):")
        for c in report.library:
            lines.append(f"  {c.name}")
            lines += _describe(c)
        lines.append("")
    if report.generated:
        total = sum(c.count for c in report.generated)
        lines.append(f"Generated scenarios whose decision changes ({total}, in {len(report.generated)} kind(s) of change):")
        for c in report.generated:
            lines.append(f"  {c.count} scenario(s) like this one:")
            lines += _describe(c)
            lines.append("    for example:")
            lines += _scenario_yaml(c.scenario)
        lines.append("")
    verdicts = sum(c.verdict_changed for c in report.library) + sum(c.count for c in report.generated if c.verdict_changed)
    if not report.library and not report.generated:
        lines.append("No decision changes.")
    else:
        lines.append(f"{len(report.library)} library and {sum(c.count for c in report.generated)} generated decision(s) "
                     f"change; {verdicts} verdict(s) change.")
    return "\n".join(lines) + "\n"


def load_library(folder: Path, skip_invalid: bool = False) -> tuple[list[tuple[str, Scenario]], list[str]]:
    """The library's scenarios (name, scenario), and the files skipped as invalid (when asked to
    skip them; otherwise an invalid file raises, with its problems)."""
    from ..errors import InputError
    from ..loader import load_scenario, name_after_file
    from .testing import find_scenarios

    out, skipped = [], []
    for path in find_scenarios([folder]):
        try:
            scenario = load_scenario(path)
        except InputError:
            if not skip_invalid:
                raise
            skipped.append(str(path))
            continue
        out.append((str(path), name_after_file(scenario, path)))
    return out, skipped
