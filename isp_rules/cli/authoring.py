"""Working on the rules: `isp test`, `isp diff`, `isp lint`, `isp rules`."""

from __future__ import annotations

import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .errors import EXIT_FAIL_ON, EXIT_INVALID, ProblemsError, library_errors
from .options import format_option, load_rules, rules_option, scenarios_option

if TYPE_CHECKING:
    from ..errors import Problem
    from ..ruleset import Ruleset

__all__ = ["diff_cmd", "lint_cmd", "rules_cmd", "test_cmd"]


@click.command(name="test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@rules_option
@click.option("-v", "--verbose", is_flag=True, help="List every scenario, not only failures.")
@click.option("--coverage", is_flag=True,
              help="Also report the rules and cited provisions no scenario exercises; fail if any rule never fires.")
@click.option("--junit", "junit_path", type=click.Path(), metavar="FILE.xml",
              help="Also write the results as JUnit XML, for CI systems to read.")
@library_errors
def test_cmd(paths: tuple[str, ...], rules: str | None, verbose: bool, coverage: bool, junit_path: str | None) -> None:
    """Run scenario files that carry `expect:` blocks as regression tests.

    PATHS are files or directories (default: ./scenarios). A failure shows the
    expected and actual verdict, rules and open points, and the reasons given.
    The last line is 'N passed, M failed'; exit 1 if anything failed.

    \b
    Example:
        isp test scenarios/
        isp test --junit results.xml
    """
    from ..authoring.testing import CaseResult, describe_failure, find_scenarios, run_cases
    from ..settings import DEFAULT_SCENARIOS_DIR

    if junit_path is not None:
        from ..guided.answers import check_output_file

        check_output_file(junit_path)  # a missing folder, a link, a device or "-": one line, before any test runs
    if not paths and not Path(DEFAULT_SCENARIOS_DIR).is_dir():
        raise ProblemsError([f"isp: no {DEFAULT_SCENARIOS_DIR}/ folder here: give the scenario files or folders to test"])
    files = find_scenarios(paths or [DEFAULT_SCENARIOS_DIR])
    if not files:
        raise ProblemsError([f"isp: no scenario files (.yaml or .yml) in {', '.join(map(str, paths or [DEFAULT_SCENARIOS_DIR]))}"])
    ruleset = load_rules(rules)

    def show(result: CaseResult) -> None:  # as each case is run
        if not result.skipped and not result.passed:
            click.echo(describe_failure(result))
        elif verbose:
            click.echo(f"SKIP {result.path} (no expect: block)" if result.skipped else f"PASS {result.path}")

    summary = run_cases(files, ruleset, each=show)
    if summary.skipped:
        click.echo(f"{summary.skipped} file(s) without an expect: block were not run")
    uncovered = _coverage(ruleset, summary.fired) if coverage else []
    if junit_path is not None:
        from ..authoring.testing import junit_xml
        from ..guided.answers import replace_file

        replace_file(junit_path, lambda tmp: tmp.write_bytes(junit_xml(summary.results)))
    click.echo(f"{summary.passed} passed, {summary.failed} failed")
    if not summary.ok or uncovered:
        sys.exit(EXIT_INVALID)


def _coverage(ruleset: Ruleset, fired: Iterable[str]) -> list[str]:
    """Print what no scenario exercises; return the rule keys never fired."""
    from ..authoring.testing import coverage

    report = coverage(ruleset, fired)
    for line in report.lines():
        click.echo(line)
    return report.never_fired


# options.register_option says it defaults to the configured register; for diff, leaving --register
# out means "decide the scenario library", so the option is declared here with help that says so.
replay_register_option = click.option(
    "--register", "register_path", type=click.Path(), metavar="FILE|URL",
    help="Replay the decisions recorded in this register (a file, or a postgresql:// URL) instead of deciding the "
         "scenario library.")


@click.command(name="diff")
@click.argument("old_rules", type=click.Path(file_okay=False), metavar="OLD_RULES")
@click.argument("new_rules", type=click.Path(file_okay=False), metavar="NEW_RULES")
@scenarios_option("The scenario library to decide under both (default: ./scenarios if it exists).")
@click.option("--sample", default=2000, show_default=True, type=click.IntRange(0, 1_000_000),
              help="How many generated scenarios to decide as well.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for the generated scenarios.")
@replay_register_option
@format_option("text", "json", "markdown",
               help="Output format, with --register: Markdown suits a pull request. Without it, text only.")
@click.pass_context
@library_errors
def diff_cmd(ctx: click.Context, old_rules: str, new_rules: str, scenario_dir: str | None, sample: int, seed: int,
             register_path: str | None, fmt: str) -> None:
    """What a rule change does to decisions: review a pull request with it.

    Decides the scenario library and a seeded sample of generated scenarios under both
    rulesets, and prints every decision that changes (verdict, reasons, open points) with
    the scenario that shows it. Exit 3 if any verdict changes, 0 if none does.

    With --register, replays real cases instead: every decision recorded in that register
    is decided again under both rulesets, at the date it was decided for, and the verdict
    changes are listed by the rule that caused them, with each record's number, case
    reference, parties, date and old and new verdict. The register's chain is verified
    first; a register that does not verify is refused. Records that cannot be decided
    again (purged, redacted, or naming a partner a ruleset's directory does not hold) are
    counted with the reason. Exit 3 if any verdict changes, 0 if none does.

    \b
    Example:
        git worktree add /tmp/main main
        isp diff /tmp/main/rulesets rulesets --scenarios scenarios
        isp diff /tmp/main/rulesets rulesets --register decisions.sqlite
        isp diff /tmp/main/rulesets rulesets --register postgresql://isp@db.example/isp --format markdown
    """
    from ..assessment import load_ruleset
    from ..authoring.diff import diff_rulesets, load_library, render_diff
    from ..settings import DEFAULT_SCENARIOS_DIR

    library_only = [f"--{name}" for name in ("scenarios", "sample", "seed")
                    if ctx.get_parameter_source("scenario_dir" if name == "scenarios" else name)
                    is click.core.ParameterSource.COMMANDLINE]
    if register_path and library_only:
        raise click.UsageError(f"{', '.join(library_only)}: for the scenario library; with --register the "
                               "register's own decisions are replayed, so leave them out")
    if not register_path and fmt != "text":
        raise click.UsageError(f"--format {fmt} is for --register; the scenario library's diff is text only")
    for folder in (old_rules, new_rules):
        if not Path(folder).is_dir():
            raise ProblemsError([f"isp: {folder}: no such rules directory"])
    old, new = load_ruleset(old_rules), load_ruleset(new_rules)
    if register_path:
        _replay(register_path, old, new, fmt)
        return
    library_dir = Path(scenario_dir) if scenario_dir else DEFAULT_SCENARIOS_DIR
    library, _ = load_library(library_dir) if library_dir.exists() else ([], [])
    report = diff_rulesets(old, new, library, sample=sample, seed=seed)
    click.echo(render_diff(report, old, new), nl=False)
    if report.verdicts_changed:
        sys.exit(EXIT_FAIL_ON)


def _replay(register_path: str, old: Ruleset, new: Ruleset, fmt: str) -> None:
    """`isp diff OLD NEW --register REG`: print the replay; exit 3 when a verdict changes."""
    from ..authoring.diff import render_replay, replay_register
    from ..register import open_register

    register = open_register(register_path)
    try:
        report = replay_register(register, old, new)
    finally:
        register.close()
    click.echo(render_replay(report, old, new, fmt), nl=False)
    if report.verdicts_changed:
        sys.exit(EXIT_FAIL_ON)


@click.command(name="lint")
@click.argument("rules_dir", required=False, type=click.Path(file_okay=False), metavar="[RULES_DIR]")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@scenarios_option("Scenario library used as seeds for the search (default: ./scenarios if it exists).")
@format_option("text", "json")
@library_errors
def lint_cmd(rules_dir: str | None, strict: bool, scenario_dir: str | None, fmt: str) -> None:
    """Check a ruleset: schema, unreachable and shadowed rules, contradictions, gaps.

    Every finding names the file and the rule, with an example scenario where one
    applies. Exit 1 on errors (or on warnings too, with --strict).

    \b
    Example:
        isp lint
        isp lint my-rules/ --strict
    """
    from ..authoring.diff import load_library
    from ..authoring.lint import add_schema_errors, lint_ruleset, render_lint
    from ..settings import DEFAULT_SCENARIOS_DIR, default_rules_dir

    target = Path(rules_dir) if rules_dir else default_rules_dir()
    if not target.is_dir():
        raise ProblemsError([f"isp: {target}: no such rules directory"])
    folder = Path(scenario_dir) if scenario_dir else DEFAULT_SCENARIOS_DIR
    library, skipped = load_library(folder, skip_invalid=True) if folder.exists() else ([], [])
    ruleset, report = lint_ruleset(target, [s for _, s in library])
    if ruleset is not None:
        # The files beside the rules that commands read, each checked as its command reads it,
        # so a folder that lints clean never fails in `isp partners`, `isp dpia` or `isp ask`.
        add_schema_errors(report, _beside_the_rules(target))
        from ..directory import directory_warnings

        add_schema_errors(report, directory_warnings(target, dt.date.today()), "warning", "directory")
    report.notes += [f"scenario {name} was not used as a seed: it is not valid (isp check shows why)" for name in skipped]
    click.echo(render_lint(report, ruleset, fmt), nl=False)
    if report.errors or (strict and report.warnings):
        sys.exit(EXIT_INVALID)


def _beside_the_rules(directory: Path) -> list[Problem]:
    """Every problem in the directory/, dpia/ and guided/ files beside the rules in `directory`."""
    from ..directory import load_directory
    from ..dpia import CHECKLIST_FILE, load_checklist
    from ..errors import RulesetError
    from ..guided.validation import guided_problems

    problems: list[Problem] = []
    for load, present in ((load_directory, True), (load_checklist, (directory / CHECKLIST_FILE).is_file())):
        if present:  # a folder without its own checklist uses the bundled one
            try:
                load(directory)
            except RulesetError as exc:
                problems += exc.problems
    return problems + guided_problems(directory)


@click.command(name="rules")
@format_option("text", "json", "markdown", help="Output format.")
@rules_option
@click.option("--pending", is_flag=True,
              help="Only the rules pending commencement (law not yet in force), and the line that switches each on.")
@click.option("--powers", is_flag=True,
              help="The catalogue of gateways and powers a named power is recognised against, instead of the rules.")
@library_errors
def rules_cmd(fmt: str, rules: str | None, pending: bool, powers: bool) -> None:
    """List every rule: its effect, plain-English message, citations and in-force dates.

    A rule pending commencement (law made but not yet in force) never fires until one
    line under `commenced:` in the ruleset's ruleset.yaml gives its provision a date.

    \b
    Example:
        isp rules
        isp rules --pending
        isp rules --format markdown > docs/rules.md
        isp rules --powers --format markdown > docs/powers.md
    """
    from ..authoring.catalogue import render_powers, render_rules

    if powers and pending:
        raise click.UsageError("--powers and --pending list different things: give one of them")
    ruleset = load_rules(rules)
    click.echo(render_powers(ruleset, fmt) if powers else render_rules(ruleset, fmt, pending=pending), nl=False)
