"""Scenario files with `expect:` blocks as regression tests (used by `isp test` and the pytest plugin)."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable

from .assessment import assess
from .decide import Decision
from .errors import InputError
from .loader import load_scenario
from .ruleset import Ruleset

__all__ = ["CaseResult", "run_case", "find_scenarios", "compare"]


@dataclass
class CaseResult:
    path: Path
    passed: bool
    skipped: bool = False  # no expect: block, so not a test
    failures: list[str] = field(default_factory=list)
    decision: Decision | None = None


def find_scenarios(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files under the given files and directories, in a stable order."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file())
        else:
            out.append(path)
    return out


def compare(expect, decision: Decision) -> list[str]:
    """Every way the decision differs from what the scenario expects."""
    failures = []
    if decision.verdict != expect.verdict:
        failures.append(f"verdict: expected {expect.verdict}, got {decision.verdict}")
    if expect.rules is not None:
        fired = set(decision.fired)
        missing = [r for r in expect.rules if r not in fired]
        if missing:
            failures.append(f"rules: expected {', '.join(missing)} among the reasons; fired: {', '.join(decision.fired) or 'none'}")
    if expect.open_points is not None:
        actual = sorted(p.id for p in decision.open_points)
        if sorted(expect.open_points) != actual:
            failures.append(f"open_points: expected [{', '.join(sorted(expect.open_points))}], got [{', '.join(actual)}]")
    return failures


def run_case(path: Path, ruleset: Ruleset | None = None) -> CaseResult:
    try:
        scenario = load_scenario(path)
    except InputError as exc:
        return CaseResult(path, False, failures=[str(p) for p in exc.problems])
    if scenario.expect is None:
        return CaseResult(path, False, skipped=True)
    failures = []
    if scenario.id is not None and scenario.id != path.stem:
        failures.append(f"id: '{scenario.id}' should equal the file name '{path.stem}'")
    decision = assess(scenario, ruleset)
    failures += compare(scenario.expect, decision)
    return CaseResult(path, not failures, failures=failures, decision=decision)


def describe_failure(result: CaseResult) -> str:
    """A readable account of a failed case: what differed, then the reasons given."""
    lines = [f"FAIL {result.path}"] + [f"  {f}" for f in result.failures]
    d = result.decision
    if d is not None:
        for r in d.reasons:
            lines.append(f"    [{r.effect}] {r.rule}: {r.message}")
        for p in d.open_points:
            lines.append(f"    [open point] {p.id}: {p.why}")
    return "\n".join(lines)
