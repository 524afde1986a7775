"""Scenario files with `expect:` blocks as regression tests (used by `isp test` and the pytest plugin)."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

from ..assessment import assess
from ..decision import Decision
from ..errors import InputError
from ..loader import load_scenario, scenario_id_for_file
from ..ruleset import Ruleset
from ..scenario import Expect

__all__ = ["CaseResult", "Coverage", "Summary", "compare", "coverage", "describe_failure", "find_scenarios", "junit_xml",
           "run_case", "run_cases"]


@dataclass
class CaseResult:
    path: Path
    passed: bool
    skipped: bool = False  # no expect: block, so not a test
    failures: list[str] = field(default_factory=list)
    # The whole decision, while the case is reported as it comes (run_cases' `each`); a Summary
    # keeps only the few facts below for a case that passed, so a run over 10,000 files holds
    # summaries, not decisions.
    decision: Decision | None = None
    verdict: str | None = None  # None: nothing was decided (the file did not load)
    fired: tuple[str, ...] = ()  # the rule ids given as reasons
    rule_keys: frozenset[str] = frozenset()  # the rules fired, by key (for coverage)
    scenario_id: str | None = None  # the id the scenario states, or the one its file name gives

    def __post_init__(self) -> None:
        if self.decision is not None:
            self.verdict = self.decision.verdict
            self.fired = tuple(self.decision.fired)
            self.rule_keys = frozenset(self.decision.rule_keys)

    def summary(self) -> CaseResult:
        """What a run keeps of each case: a failure whole (its reasons go into the JUnit report),
        a pass or a skip without its decision."""
        return self if not self.passed and not self.skipped else replace(self, decision=None)


def find_scenarios(paths: Iterable[str | Path]) -> list[Path]:
    """YAML files under the given files and directories, in a stable order. Hidden files and
    folders (.git, an editor's .swp copies) are not a library's scenarios, and a link is followed
    only when named itself: one found inside a folder could lead anywhere on the machine."""
    out: list[Path] = []
    for raw in paths:
        path = Path(raw)
        if path.is_dir():
            out += sorted(p for p in path.rglob("*") if p.suffix in (".yaml", ".yml") and p.is_file()
                          and not p.is_symlink()
                          and not any(part.startswith(".") for part in p.relative_to(path).parts))
        else:
            out.append(path)
    return out


def compare(expect: Expect, decision: Decision) -> list[str]:
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
    expected = scenario_id_for_file(path)  # the id `isp check` gives a scenario that states none
    if scenario.id is not None and scenario.id != expected:
        named = f"the file name '{path.stem}'" if expected == path.stem else f"'{expected}', its file name '{path.stem}' as an id"
        failures.append(f"id: '{scenario.id}' should equal {named}")
    decision = assess(scenario, ruleset)
    failures += compare(scenario.expect, decision)
    return CaseResult(path, not failures, failures=failures, decision=decision, scenario_id=scenario.id or expected)


@dataclass
class Summary:
    """What a run of scenario files came to: each case with the seconds it took, in the order run,
    the tally, and the rules (by key) some scenario fired."""

    results: list[tuple[CaseResult, float]] = field(default_factory=list)
    passed: int = 0
    failed: int = 0
    skipped: int = 0  # no expect: block, so not run as a test
    fired: set[str] = field(default_factory=set)

    def add(self, result: CaseResult, seconds: float) -> None:
        self.results.append((result.summary(), seconds))
        self.fired.update(result.rule_keys)
        if result.skipped:
            self.skipped += 1
        elif result.passed:
            self.passed += 1
        else:
            self.failed += 1

    @property
    def ok(self) -> bool:
        """Nothing failed and something passed: a run of no tests is not a success."""
        return not self.failed and self.passed > 0


def run_cases(paths: Iterable[Path], ruleset: Ruleset | None = None,
              each: Callable[[CaseResult], object] | None = None) -> Summary:
    """Run each file as a test, in order; `each` is told every case's result as it comes."""
    summary = Summary()
    seen: dict[str, Path] = {}  # scenario id -> the first file with it
    for path in paths:
        start = time.perf_counter()
        result = run_case(path, ruleset)
        if result.scenario_id is not None:
            # The format makes an id unique: a library's reports and recorded decisions name a
            # scenario by it, so two files with one id would be confused.
            first = seen.setdefault(result.scenario_id, path)
            if first != path:
                result = replace(result, passed=False,
                                 failures=[*result.failures, f"id: '{result.scenario_id}' is also the id of {first}"])
        summary.add(result, time.perf_counter() - start)
        if each is not None:
            each(result)
    return summary


@dataclass(frozen=True)
class Coverage:
    """What the scenarios exercise of a ruleset: its rules, and the provisions the rules cite."""

    rules: int
    never_fired: list[str]  # rule keys, in the ruleset's order
    provisions: int
    unexercised: list[str]  # "source, ref", sorted

    def lines(self) -> list[str]:
        summary = (f"coverage: {self.rules - len(self.never_fired)} of {self.rules} rules fired by some scenario; "
                   f"{self.provisions - len(self.unexercised)} of {self.provisions} cited provisions exercised")
        return [summary,
                *(f"  rule never fired: {key}" for key in self.never_fired),
                *(f"  provision never exercised: {provision}" for provision in self.unexercised)]


def coverage(ruleset: Ruleset, fired: Iterable[str]) -> Coverage:
    """The rules no scenario fired (by key) and the cited provisions no fired rule cites.
    A rule pending commencement is not among the ruleset's rules, so it is never asked for."""
    keys_fired = set(fired)
    never = [r.key for r in ruleset.rules if r.key not in keys_fired]
    cited: dict[str, set[str]] = {}
    for rule in ruleset.rules:
        for c in rule.citations:
            cited.setdefault(f"{c.source}, {c.ref}", set()).add(rule.key)
    unexercised = sorted(k for k, keys in cited.items() if not keys & keys_fired)
    return Coverage(len(ruleset.rules), never, len(cited), unexercised)


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


def junit_xml(results: list[tuple[CaseResult, float]], suite: str = "isp scenarios") -> bytes:
    """JUnit XML (the schema CI systems read): one testcase per scenario file, named by its
    folder and file; a failure carries what differed and the reasons given."""
    import xml.etree.ElementTree as ET

    failures = sum(1 for r, _ in results if not r.passed and not r.skipped and r.verdict is not None)
    errors = sum(1 for r, _ in results if not r.passed and not r.skipped and r.verdict is None)
    skipped = sum(1 for r, _ in results if r.skipped)
    root = ET.Element("testsuites", name=suite, tests=str(len(results)), failures=str(failures), errors=str(errors),
                      skipped=str(skipped), time=f"{sum(t for _, t in results):.3f}")
    node = ET.SubElement(root, "testsuite", name=suite, tests=str(len(results)), failures=str(failures),
                         errors=str(errors), skipped=str(skipped), time=f"{sum(t for _, t in results):.3f}")
    for result, seconds in results:
        path = Path(result.path)
        try:  # a class name like scenarios.safeguarding, from the folder (relative when it can be)
            folder = path.parent.resolve().relative_to(Path.cwd())
        except ValueError:
            folder = path.parent
        classname = ".".join(p for p in folder.parts if p not in ("/", "\\")) or "scenarios"
        case = ET.SubElement(node, "testcase", classname=classname, name=path.stem,
                             file=str(path), time=f"{seconds:.3f}")
        if result.skipped:
            ET.SubElement(case, "skipped", message="no expect: block")
        elif not result.passed:
            # A file that does not load is an error; a decision that differs is a failure.
            kind = "failure" if result.verdict is not None else "error"
            element = ET.SubElement(case, kind, message=result.failures[0] if result.failures else "failed",
                                    type="ScenarioMismatch" if kind == "failure" else "InvalidScenario")
            element.text = describe_failure(result)
        elif result.verdict is not None:
            ET.SubElement(case, "system-out").text = f"verdict: {result.verdict}; rules: {', '.join(result.fired)}"
    ET.indent(root)
    for element in root.iter():  # XML 1.0 cannot carry most control characters, even escaped
        if element.text is not None:
            element.text = _xml_safe(element.text)
        for key, value in element.attrib.items():
            element.attrib[key] = _xml_safe(value)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True) + b"\n"


def _xml_safe(text: str) -> str:
    import re

    return re.sub(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]", "\ufffd", text)
