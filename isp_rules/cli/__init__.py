"""The `isp` command: a thin click layer over the library. Errors become one line per problem."""

from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

import click

# The CLI needs no pydantic plugins; looking them up scans every installed package
# (about 20 ms of every start-up). A user's own setting wins.
os.environ.setdefault("PYDANTIC_DISABLE_PLUGINS", "__all__")

from ..errors import EngineError, InputError, IspError

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FAIL_ON, EXIT_INTERNAL = 0, 1, 2, 3, 4
MAX_LINES = 50  # a file with thousands of mistakes is summarised, not flooded


class ProblemsError(click.ClickException):
    """Printed as one line per problem, with no 'Error:' banner and no traceback."""

    exit_code = EXIT_INVALID

    def __init__(self, lines: list[str], exit_code: int = EXIT_INVALID):
        super().__init__("\n".join(lines))
        self.lines = lines
        self.exit_code = exit_code

    def show(self, file=None) -> None:
        for line in self.lines[:MAX_LINES]:
            click.echo(line, err=True)
        if len(self.lines) > MAX_LINES:
            click.echo(f"... and {len(self.lines) - MAX_LINES} more problems", err=True)


def _library_errors(func):
    """The one place library errors become CLI errors."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            raise ProblemsError([str(p) for p in exc.problems]) from None
        except EngineError as exc:  # not the user's input: a failure inside the rules engine
            raise ProblemsError([f"isp: {exc}"], EXIT_INTERNAL) from None
        except IspError as exc:
            raise ProblemsError([f"isp: {exc}"]) from None

    return wrapper


def _ruleset(rules: str | None):
    from ..assessment import default_ruleset

    return default_ruleset(rules)


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="isp-rules", prog_name="isp")
def cli() -> None:
    """Decide whether partners of an information sharing protocol may share information.

    Describe the share in a scenario file (see scenarios/ for examples), then:

    \b
        isp check scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml

    Not legal advice: check doubtful cases with your data protection officer.
    """


RULES_HELP = "Directory of rulesets to use instead of the bundled ones (or set ISP_RULES_DIR)."
REGISTER_HELP = ("The decision register: a file, or a postgresql:// URL for a PostgreSQL database "
                 "(default: ISP_REGISTER, else a file in your data directory).")


@cli.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="Output format. JSON is one object for one file, a list for several.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Decide under the law in force on this date (overrides the scenario's as_of).")
@click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)
@click.option("--fail-on", type=click.Choice(["deny", "needs-agreement"]),
              help="Exit 3 if any verdict is deny (deny), or anything but allow (needs-agreement).")
@click.option("--record", is_flag=True, help="Append each decision to the decision register.")
@click.option("--by", metavar="NAME", help="Who decided, for the register (default: your user name).")
@click.option("--register", "register_path", type=click.Path(dir_okay=False), metavar="FILE|URL", help=REGISTER_HELP)
@_library_errors
def check(files, fmt, as_of, rules, fail_on, record, by, register_path):
    """Decide one or more scenario files ('-' reads standard input).

    Every file is validated first; if any is invalid, nothing is decided and each
    problem is printed on its own line (exit 1).

    The scenario format, with every field and value added since version 1:
    docs/scenario-format.md (the contract is spec/scenario-format.md, version 1).

    \b
    Example:
        isp check scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml
        isp check --format json --as-of 2026-01-15 share.yaml
        cat share.yaml | isp check -

    Exit codes: 0 decided, 1 invalid input, 2 usage, 3 --fail-on met,
    4 internal error (a fault in isp-rules or the rules engine, not in your input).
    """
    from ..assessment import assess
    from ..loader import load_scenario
    from ..render import render

    scenarios, problems = [], []
    for name in files:
        try:
            scenario = load_scenario(name)
        except InputError as exc:
            problems += [str(p) for p in exc.problems]
            continue
        if scenario.id is None and name != "-":  # the spec names a scenario after its file
            scenario = scenario.model_copy(update={"id": Path(name).stem})
        scenarios.append(scenario)
    if problems:
        raise ProblemsError(problems)
    ruleset = _ruleset(rules)
    day = as_of.date() if as_of else None
    decisions = [assess(s, ruleset, as_of=day) for s in scenarios]
    if record:  # only decisions that were reached are recorded
        from ..register import open_register

        register = open_register(register_path)
        register.append_many(list(zip(decisions, scenarios, strict=False)), by=by)
    click.echo(render(decisions, fmt))
    if record:
        click.echo(f"Recorded {len(decisions)} decision(s) in {register.where}", err=True)
    failing = {"deny": {"deny"}, "needs-agreement": {"deny", "needs-agreement"}}.get(fail_on, set())
    if any(d.verdict in failing for d in decisions):
        sys.exit(EXIT_FAIL_ON)


@cli.command(name="test")
@click.argument("paths", nargs=-1, type=click.Path(exists=True))
@click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)
@click.option("-v", "--verbose", is_flag=True, help="List every scenario, not only failures.")
@click.option("--coverage", is_flag=True,
              help="Also report the rules and cited provisions no scenario exercises; fail if any rule never fires.")
@click.option("--junit", "junit_path", type=click.Path(dir_okay=False), metavar="FILE.xml",
              help="Also write the results as JUnit XML, for CI systems to read.")
@_library_errors
def test_cmd(paths, rules, verbose, coverage, junit_path):
    """Run scenario files that carry `expect:` blocks as regression tests.

    PATHS are files or directories (default: ./scenarios). A failure shows the
    expected and actual verdict, rules and open points, and the reasons given.
    The last line is 'N passed, M failed'; exit 1 if anything failed.

    \b
    Example:
        isp test scenarios/
        isp test --junit results.xml
    """
    import time

    from ..authoring.testing import describe_failure, find_scenarios, run_case

    if junit_path and not Path(junit_path).resolve().parent.is_dir():
        raise ProblemsError([f"isp: --junit {junit_path}: the folder {Path(junit_path).resolve().parent} does not exist"])
    files = find_scenarios(paths or ["scenarios"])
    ruleset = _ruleset(rules)
    passed = failed = skipped = 0
    fired: set[str] = set()
    timed = []
    for path in files:
        start = time.perf_counter()
        result = run_case(path, ruleset)
        timed.append((result, time.perf_counter() - start))
        if result.decision is not None:
            fired.update(result.decision.rule_keys)
        if result.skipped:
            skipped += 1
            if verbose:
                click.echo(f"SKIP {path} (no expect: block)")
        elif result.passed:
            passed += 1
            if verbose:
                click.echo(f"PASS {path}")
        else:
            failed += 1
            click.echo(describe_failure(result))
    if skipped:
        click.echo(f"{skipped} file(s) without an expect: block were not run")
    uncovered = _coverage(ruleset, fired) if coverage else []
    if junit_path:
        from ..authoring.testing import junit_xml
        from ..guided.prompting import replace_file

        replace_file(junit_path, lambda tmp: tmp.write_bytes(junit_xml(timed)))
    click.echo(f"{passed} passed, {failed} failed")
    if failed or not passed or uncovered:
        sys.exit(EXIT_INVALID)


def _coverage(ruleset, fired: set[str]) -> list[str]:
    """Print what no scenario exercises; return the rule ids never fired."""
    never = [r.key for r in ruleset.rules if r.key not in fired]
    cited = {}
    for rule in ruleset.rules:
        for c in rule.citations:
            cited.setdefault(f"{c.source}, {c.ref}", set()).add(rule.key)
    unexercised = sorted(k for k, ids in cited.items() if not ids & fired)
    total = len(ruleset.rules)
    click.echo(f"coverage: {total - len(never)} of {total} rules fired by some scenario; "
               f"{len(cited) - len(unexercised)} of {len(cited)} cited provisions exercised")
    for rule_id in never:
        click.echo(f"  rule never fired: {rule_id}")
    for provision in unexercised:
        click.echo(f"  provision never exercised: {provision}")
    return never


@cli.command(name="explain")
@click.argument("scenario_file", type=click.Path(allow_dash=True), metavar="SCENARIO")
@click.argument("rule_id", required=False)
@click.option("--fired", "only_fired", is_flag=True, help="Only the rules that fired.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Decide under the law in force on this date.")
@click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)
@_library_errors
def explain_cmd(scenario_file, rule_id, only_fired, fmt, as_of, rules):
    """Why each rule fired or did not: every test in its condition, held, false or unknown.

    A test is unknown when the scenario does not state its field; a rule fires only
    when its whole condition is known to hold. Give a RULE_ID to see just that rule;
    without one, the agreement points follow: the kind of share, and for each point
    whether it applies, what settles it, or what keeps it open.

    \b
    Example:
        isp explain scenarios/lawful-basis/council-relies-on-legitimate-interests.yaml
        isp explain share.yaml SG-URGENT-001
    """
    from ..assessment import assess
    from ..authoring.explain import explain_rules, render_explanation
    from ..errors import did_you_mean
    from ..loader import load_scenario
    from ..scenario import to_fact

    ruleset = _ruleset(rules)
    if rule_id is not None and not any(r.id == rule_id for r in ruleset.rules):
        ids = sorted({r.id for r in ruleset.rules})
        raise ProblemsError([f"isp: no rule {rule_id!r} in {ruleset.name}{did_you_mean(rule_id, ids)}"])
    scenario = load_scenario(scenario_file)
    if scenario.id is None and scenario_file != "-":
        scenario = scenario.model_copy(update={"id": Path(scenario_file).stem})
    decision = assess(scenario, ruleset, as_of=as_of.date() if as_of else None)
    fact = to_fact(scenario, decision.ruleset.as_of, ruleset.phrases)
    items = explain_rules(ruleset, fact, decision, rule_id)
    click.echo(render_explanation(items, decision, fact, fmt, only_fired, points=rule_id is None,
                                  kind_words={k.id: k.says for k in ruleset.kinds}), nl=False)


@cli.command(name="diff")
@click.argument("old_rules", type=click.Path(file_okay=False), metavar="OLD_RULES")
@click.argument("new_rules", type=click.Path(file_okay=False), metavar="NEW_RULES")
@click.option("--scenarios", "scenario_dir", type=click.Path(exists=True), metavar="DIR",
              help="The scenario library to decide under both (default: ./scenarios if it exists).")
@click.option("--sample", default=2000, show_default=True, type=click.IntRange(0, 1_000_000),
              help="How many generated scenarios to decide as well.")
@click.option("--seed", default=0, show_default=True, type=int, help="Seed for the generated scenarios.")
@_library_errors
def diff_cmd(old_rules, new_rules, scenario_dir, sample, seed):
    """What a rule change does to decisions: review a pull request with it.

    Decides the scenario library and a seeded sample of generated scenarios under both
    rulesets, and prints every decision that changes (verdict, reasons, open points) with
    the scenario that shows it. Exit 3 if any verdict changes, 0 if none does.

    \b
    Example:
        git worktree add /tmp/main main
        isp diff /tmp/main/rulesets rulesets --scenarios scenarios
    """
    from ..authoring.diff import diff_rulesets, load_library, render_diff
    from ..loader import load_ruleset

    for folder in (old_rules, new_rules):
        if not Path(folder).is_dir():
            raise ProblemsError([f"isp: {folder}: no such rules directory"])
    old, new = load_ruleset(old_rules), load_ruleset(new_rules)
    folder = Path(scenario_dir) if scenario_dir else Path("scenarios")
    library, _ = load_library(folder) if folder.exists() else ([], [])
    report = diff_rulesets(old, new, library, sample=sample, seed=seed)
    click.echo(render_diff(report, old, new), nl=False)
    if report.verdicts_changed:
        sys.exit(EXIT_FAIL_ON)


@cli.command(name="lint")
@click.argument("rules_dir", required=False, type=click.Path(file_okay=False), metavar="[RULES_DIR]")
@click.option("--strict", is_flag=True, help="Fail (exit 1) on warnings too, not only on errors.")
@click.option("--scenarios", "scenario_dir", type=click.Path(exists=True), metavar="DIR",
              help="Scenario library used as seeds for the search (default: ./scenarios if it exists).")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text", show_default=True)
@_library_errors
def lint_cmd(rules_dir, strict, scenario_dir, fmt):
    """Check a ruleset: schema, unreachable and shadowed rules, contradictions, gaps.

    Every finding names the file and the rule, with an example scenario where one
    applies. Exit 1 on errors (or on warnings too, with --strict).

    \b
    Example:
        isp lint
        isp lint my-rules/ --strict
    """
    from ..authoring.diff import load_library
    from ..authoring.lint import lint_ruleset, render_lint
    from ..loader import default_rules_dir

    target = Path(rules_dir) if rules_dir else default_rules_dir()
    if not target.is_dir():
        raise ProblemsError([f"isp: {target}: no such rules directory"])
    folder = Path(scenario_dir) if scenario_dir else Path("scenarios")
    library, skipped = load_library(folder, skip_invalid=True) if folder.exists() else ([], [])
    ruleset, report = lint_ruleset(target, [s for _, s in library])
    report.notes += [f"scenario {name} was not used as a seed: it is not valid (isp check shows why)" for name in skipped]
    click.echo(render_lint(report, ruleset, fmt), nl=False)
    if report.errors or (strict and report.warnings):
        sys.exit(EXIT_INVALID)


@cli.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text", show_default=True,
              help="Output format.")
@click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)
@click.option("--pending", is_flag=True,
              help="Only the rules pending commencement (law not yet in force), and the line that switches each on.")
@click.option("--powers", is_flag=True,
              help="The catalogue of gateways and powers a named power is recognised against, instead of the rules.")
@_library_errors
def rules_cmd(fmt, rules, pending, powers):
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
    ruleset = _ruleset(rules)
    click.echo(render_powers(ruleset, fmt) if powers else render_rules(ruleset, fmt, pending=pending), nl=False)


def _start(start: str | None) -> dict:
    """Answers already known: a (possibly partial) scenario file, validated, as plain data."""
    if not start:
        return {"share": {}}
    from ..loader import load_scenario

    # Only what the file states: an unstated field (even the default location) stays unknown.
    return load_scenario(start).model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"expect"})


def _finish(decision, scenario, record, by, register_path) -> None:
    if record:
        from ..register import open_register

        register = open_register(register_path)
        register.append(decision, scenario, by=by)
        click.echo(f"Recorded the decision in {register.where}", err=True)


@cli.command()
@click.argument("start", required=False, type=click.Path(dir_okay=False), metavar="[SCENARIO]")
@click.option("--save", type=click.Path(dir_okay=False), metavar="FILE.yaml", help="Save the answers to this scenario file.")
@click.option("--record", is_flag=True, help="Append the decision to the decision register.")
@click.option("--by", metavar="NAME", help="Who decided, for the register.")
@click.option("--register", "register_path", type=click.Path(dir_okay=False), metavar="FILE|URL", help=REGISTER_HELP)
@click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)
@_library_errors
def ask(start, save, record, by, register_path, rules):
    """Answer questions in plain words until the verdict is settled.

    Only questions whose answer can still change the verdict are asked, worked out from the
    rules; every question accepts "not sure" (0). Start from a partial scenario file if you
    have one. At the end the answers can be saved as a scenario file.

    \b
    Example:
        isp ask
        isp ask --save my-share.yaml
    """
    from ..guided.asking import still_to_ask
    from ..guided.prompting import NOT_SURE, ask_question, save_scenario, set_path
    from ..guided.questions import QUESTIONS
    from ..render import render

    if save is not None:  # find a bad path before the questions, not after
        folder = Path(save).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise click.BadParameter(f"cannot write to {folder}", param_hint="--save")
    ruleset = _ruleset(rules)
    data = _start(start)
    asked: set[str] = set()
    count = 0
    while True:
        scenario, decision, fields = still_to_ask(ruleset, data, asked)
        if not fields:
            break
        question = QUESTIONS[fields[0]]
        asked.add(question.path)
        count += 1
        answer = ask_question(question, count)
        if answer is not NOT_SURE:
            set_path(data, question.path, answer)
    click.echo("")
    click.echo(f"No further answer can change the verdict ({count} question(s) asked).")
    click.echo("")
    click.echo(render([decision], "text"))
    if save is None and sys.stdin.isatty():
        save = click.prompt("Save these answers as a scenario file? (file name, or Enter to skip)",
                            default="", show_default=False) or None
    _finish(decision, scenario, record, by, register_path)
    if save:
        save_scenario(data, save)
        click.echo(f"Saved {save}", err=True)


@cli.command()
@click.argument("start", required=False, type=click.Path(dir_okay=False), metavar="[SCENARIO]")
@click.option("--record", is_flag=True, help="Append the decision to the decision register.")
@click.option("--by", metavar="NAME", help="Who decided, for the register.")
@click.option("--register", "register_path", type=click.Path(dir_okay=False), metavar="FILE|URL", help=REGISTER_HELP)
@click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)
@_library_errors
def triage(start, record, by, register_path, rules):
    """Urgent safeguarding triage: at most five questions, then what to share now.

    For someone at risk now. Says what may be shared and with whom, what to record
    afterwards (the likely lawful basis and Schedule 1 condition) and which paperwork
    waits. A stated fact that makes the share unlawful still gives DENY, with the reason.
    Start from a partial scenario file to add facts you already have.

    \b
    Example:
        isp triage
    """
    from ..assessment import assess
    from ..guided.prompting import NOT_SURE, ask_question, set_path
    from ..guided.triage import TRIAGE_QUESTIONS, complete, triage_text
    from ..scenario import Scenario

    ruleset = _ruleset(rules)
    data = _start(start)
    plan = list(TRIAGE_QUESTIONS)
    click.echo("Urgent triage: at most 5 questions. Answer 0 if not sure.")
    count = 0
    if start and assess(Scenario.model_validate(data), ruleset).verdict == "deny":
        plan = []  # the facts already given make the share unlawful: say so at once
    for question in plan:
        node = data
        for part in question.path.split("."):
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            continue  # already known from the file
        count += 1
        answer = ask_question(question, count)
        if answer is not NOT_SURE:
            set_path(data, question.path, answer)
    complete(data)
    scenario = Scenario.model_validate(data)
    decision = assess(scenario, ruleset)
    click.echo("")
    click.echo(triage_text(scenario, decision))
    _finish(decision, scenario, record, by, register_path)


@cli.command(name="agreement")
@click.argument("scenario_file", type=click.Path(allow_dash=True), metavar="SCENARIO")
@click.option("-o", "--output", type=click.Path(dir_okay=False), metavar="FILE.md|FILE.docx",
              help="Write the draft here, as Markdown (.md) or Word (.docx), instead of to standard output.")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD",
              help="Decide under the law in force on this date.")
@click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)
@_library_errors
def agreement_cmd(scenario_file, output, as_of, rules):
    """Draft the Appendix J information sharing agreement for a share (Markdown or Word).

    Three parts: what the protocol already settles, what this share settles, and the
    points still to agree, each with the likely answers that fit.

    \b
    Example:
        isp agreement scenarios/governance/monthly-nominations-extract-to-housing-association-no-agreement.yaml
        isp agreement share.yaml -o agreement.md
        isp agreement share.yaml -o agreement.docx
    """
    from ..agreement import agreement_markdown, write_docx
    from ..assessment import assess
    from ..loader import load_scenario

    kind = Path(output).suffix.lower() if output else ".md"
    if kind not in (".md", ".docx"):
        raise click.UsageError(f"-o must name a .md or .docx file, not {output!r}")
    scenario = load_scenario(scenario_file)
    if scenario.id is None and scenario_file != "-":
        scenario = scenario.model_copy(update={"id": Path(scenario_file).stem})
    decision = assess(scenario, _ruleset(rules), as_of=as_of.date() if as_of else None)
    if not output:
        click.echo(agreement_markdown(scenario, decision), nl=False)
        return
    from ..guided.prompting import replace_file

    target = Path(output)
    # Written whole or not at all: a crash or Ctrl-C never leaves half a draft.
    if kind == ".docx":
        replace_file(target, lambda tmp: write_docx(scenario, decision, tmp))
    else:
        replace_file(target, lambda tmp: tmp.write_text(agreement_markdown(scenario, decision), encoding="utf-8"))
    click.echo(f"Wrote {target}", err=True)


@cli.group(name="log", invoke_without_command=True)
@click.option("--since", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", help="Only records from this date.")
@click.option("--format", "fmt", type=click.Choice(["text", "csv", "json"]), default="text", show_default=True)
@click.option("--register", "register_path", type=click.Path(dir_okay=False), metavar="FILE|URL", help=REGISTER_HELP)
@click.pass_context
@_library_errors
def log_cmd(ctx, since, fmt, register_path):
    """List the decisions recorded in the register (see `isp check --record`).

    \b
    Example:
        isp log --since 2026-12-01
        isp log --format csv > decisions.csv
        isp log verify
    """
    ctx.obj = register_path
    if ctx.invoked_subcommand is not None:
        return
    from ..register import open_register

    records = list(open_register(register_path).records(since.date() if since else None))
    if fmt == "json":
        import json

        click.echo(json.dumps([r.__dict__ for r in records], indent=2, ensure_ascii=False))
    elif fmt == "csv":
        import csv

        writer = csv.writer(sys.stdout, lineterminator="\n")
        writer.writerow(["seq", "at", "by", "scenario", "verdict", "ruleset_sha256", "hash"])
        for r in records:
            writer.writerow([r.seq, r.at, r.by, r.scenario or "", r.verdict, r.ruleset_sha256, r.hash])
    else:
        for r in records:
            click.echo(f"{r.seq:>5}  {r.at}  {r.verdict:<15}  {r.scenario or '-'}  by {r.by}  (rules {r.ruleset_sha256[:12]})")
        click.echo(f"{len(records)} record(s)")


@log_cmd.command(name="verify")
@click.option("--register", "register_path", type=click.Path(dir_okay=False), metavar="FILE|URL", help=REGISTER_HELP)
@click.pass_context
@_library_errors
def log_verify(ctx, register_path):
    """Check that no recorded decision was edited or deleted; name any that was (exit 1)."""
    from ..register import open_register

    register = open_register(register_path or ctx.obj)
    problems = register.verify()
    if problems:
        raise ProblemsError([f"{register.where}: {p}" for p in problems])
    count = sum(1 for _ in register.records())
    click.echo(f"{register.where}: {count} record(s), chain intact")


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine can connect unless you choose another.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64),
              help="Worker processes. The rules engine is not thread-safe, so the server scales with processes.")
@click.option("--database-url", metavar="URL", envvar="ISP_DATABASE_URL", show_envvar=True,
              help="Where the decision register lives: postgresql://user@host/db (shared by every worker and "
                   "replica), or a SQLite file path (default: ISP_REGISTER, else your data directory).")
@click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)
@click.option("--log-level", default="info", show_default=True,
              type=click.Choice(["critical", "error", "warning", "info", "debug"]), help="Server log detail.")
@_library_errors
def serve(host, port, workers, database_url, rules, log_level):
    """Run the web app and JSON API: pages for practitioners, /v1/... for programs.

    Open http://127.0.0.1:8000/ in a browser; the API is described at /docs.
    Each worker is a process with its own rules engine; for more capacity run more
    workers, or several replicas behind a load balancer sharing one PostgreSQL register.

    \b
    Example:
        isp serve
        isp serve --workers 4 --database-url postgresql://isp@db.internal/isp
    """
    try:
        import uvicorn
    except ImportError:  # pragma: no cover - a core dependency
        raise ProblemsError(["isp: the web server needs uvicorn: pip install isp-rules"]) from None

    ruleset = _ruleset(rules)  # a broken ruleset is reported here, once, not by every worker
    # Worker processes are started afresh and read their settings from the environment.
    os.environ["ISP_RULES_DIR"] = ruleset.source
    if database_url:
        os.environ["ISP_DATABASE_URL"] = database_url
    from ..register import open_register

    register = open_register(database_url)
    click.echo(f"isp-rules: serving http://{host}:{port}/ with {workers} worker process(es); "
               f"register: {register.where}. Ctrl-C stops.", err=True)
    uvicorn.run("isp_rules.web.app:create_app", factory=True, host=host, port=port, workers=workers,
                log_level=log_level, proxy_headers=False, server_header=False, timeout_graceful_shutdown=5)


def main() -> None:
    """Console entry point: no traceback ever reaches a user (set ISP_DEBUG=1 to see one)."""
    try:
        cli(prog_name="isp")
    except Exception as exc:  # a bug in isp-rules, not in the user's input
        if os.environ.get("ISP_DEBUG"):
            raise
        click.echo(f"isp: internal error: {type(exc).__name__}: {exc} (set ISP_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_INTERNAL)


if __name__ == "__main__":  # pragma: no cover
    main()
