"""Deciding a share: `isp check`, `isp explain`, `isp agreement`."""

from __future__ import annotations

import datetime as dt
import sys
from pathlib import Path

import click

from .errors import EXIT_FAIL_ON, ProblemsError, library_errors
from .options import as_of_option, case_options, decide_file, format_option, load_rules, record_options, rules_option

__all__ = ["REMEDY_FILES", "agreement_cmd", "check", "explain_cmd"]

# Searching for what would make a share lawful takes up to a second a file: done by default for a
# few files, so checking a whole library stays quick.
REMEDY_FILES = 5


@click.command()
@click.argument("files", nargs=-1, required=True, type=click.Path(allow_dash=True))
@format_option("text", "json", "markdown", "dpv",
               help="Output format. JSON is one object for one file, a list for several; dpv is W3C Data Privacy "
                    "Vocabulary JSON-LD.")
@as_of_option("Decide under the law in force on this date (overrides the scenario's as_of).")
@rules_option
@click.option("--fail-on", type=click.Choice(["deny", "needs-agreement"]),
              help="Exit 3 if any verdict is deny (deny), or anything but allow (needs-agreement).")
@click.option("--verbose", "-v", is_flag=True,
              help="Also show the ids an IG team looks up: rule ids, agreement point ids, field paths (text and Markdown).")
@click.option("--remedies/--no-remedies", default=None,
              help=f"Show what would make a deny or needs-agreement share lawful (default: when checking at most "
                   f"{REMEDY_FILES} files; `isp fix` shows the same for one file).")
@record_options(many=True)
@library_errors
def check(files: tuple[str, ...], fmt: str, as_of: dt.datetime | None, rules: str | None, fail_on: str | None,
          verbose: bool, remedies: bool | None, record: bool, by: str | None, register_path: str | None) -> None:
    """Decide one or more scenario files ('-' reads standard input).

    Every file is validated first; if any is invalid, nothing is decided and each
    problem is printed on its own line (exit 1).

    The scenario format, with every field and value added since version 1:
    docs/scenario-format.md (the contract is spec/scenario-format.md, version 1).

    \b
    Example:
        isp check scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml
        isp check --format json --as-of 2026-01-15 share.yaml
        isp check --verbose share.yaml    # with rule and point ids
        isp check --no-remedies share.yaml    # without "What would make it lawful"
        cat share.yaml | isp check -

    Exit codes: 0 decided, 1 invalid input, 2 usage, 3 --fail-on met,
    4 internal error (a fault in isp-rules or the rules engine, not in your input).
    """
    from ..assessment import assess
    from ..errors import InputError
    from ..loader import load_scenario, name_after_file
    from ..render import render

    if files.count("-") > 1:  # the second read would find standard input already used up
        raise ProblemsError(["-: standard input is named more than once; it can be read only once"])
    case = None
    if record:  # what the register must hold beyond the scenario, checked before anything is decided
        from ..register import case_given

        reference, none = case_options()
        if reference is None and not none:
            raise click.UsageError("--record needs the case reference: --case-ref REF, or --no-case-ref "
                                   "if there is none (the register records that you said so)")
        case = case_given(reference, none)
    scenarios, problems = [], []
    for name in files:
        try:
            scenarios.append(name_after_file(load_scenario(name), name))
        except InputError as exc:
            problems += [str(p) for p in exc.problems]
    if problems:
        raise ProblemsError(problems)
    ruleset = load_rules(rules)
    from ..assessment import scenario_problems

    # Partner and agreement ids are checked against the directory beside these rules, every
    # file before any is decided.
    problems = [str(p) for s in scenarios for p in scenario_problems(s, ruleset)]
    if problems:
        raise ProblemsError(problems)
    day = as_of.date() if as_of else None
    decisions = [assess(s, ruleset, as_of=day) for s in scenarios]
    if record:  # only decisions that were reached are recorded
        from ..register import open_register

        register = open_register(register_path)
        register.append_many(list(zip(decisions, scenarios, strict=True)), by=by, case=case)
    if fmt == "dpv":  # the records people already keep (W3C Data Privacy Vocabulary)
        from ..exports.dpv import render_dpv

        click.echo(render_dpv(decisions, scenarios))
    else:
        found = {}
        held = any(d.verdict != "allow" for d in decisions)  # an allow needs no search: not even its import
        if held and (remedies or (remedies is None and len(decisions) <= REMEDY_FILES)):
            from ..authoring.remedy import find_remedies

            found = {i: find_remedies(s, ruleset, d, as_of=day) for i, (s, d) in enumerate(zip(scenarios, decisions, strict=True))
                     if d.verdict != "allow"}
        click.echo(render(decisions, fmt, verbose, found))
    if record:
        click.echo(f"Recorded {len(decisions)} decision(s) in {register.where}", err=True)
    failing = {"deny": {"deny"}, "needs-agreement": {"deny", "needs-agreement"}}.get(fail_on or "", set())
    if any(d.verdict in failing for d in decisions):
        sys.exit(EXIT_FAIL_ON)


@click.command(name="explain")
@click.argument("scenario_file", type=click.Path(allow_dash=True), metavar="SCENARIO")
@click.argument("rule_id", required=False)
@click.option("--fired", "only_fired", is_flag=True, help="Only the rules that fired.")
@format_option("text", "json")
@as_of_option()
@rules_option
@library_errors
def explain_cmd(scenario_file: str, rule_id: str | None, only_fired: bool, fmt: str, as_of: dt.datetime | None,
                rules: str | None) -> None:
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
    from ..assessment import assess, scenario_fact
    from ..authoring.explain import explain_rules, render_explanation
    from ..errors import did_you_mean
    from ..loader import load_scenario, name_after_file

    ruleset = load_rules(rules)
    if rule_id is not None and not any(r.id == rule_id for r in ruleset.rules):
        ids = sorted({r.id for r in ruleset.rules})
        raise ProblemsError([f"isp: no rule {rule_id!r} in {ruleset.name}{did_you_mean(rule_id, ids)}"])
    scenario = name_after_file(load_scenario(scenario_file), scenario_file)
    decision = assess(scenario, ruleset, as_of=as_of.date() if as_of else None)
    fact = scenario_fact(scenario, ruleset, decision.ruleset.as_of)  # completed from the directory
    items = explain_rules(ruleset, fact, decision, rule_id)
    click.echo(render_explanation(items, decision, fact, fmt, only_fired, points=rule_id is None, ruleset=ruleset),
               nl=False)


@click.command(name="agreement")
@click.argument("scenario_file", type=click.Path(allow_dash=True), metavar="SCENARIO")
@click.option("-o", "--output", type=click.Path(), metavar="FILE.md|FILE.docx",
              help="Write the draft here, as Markdown (.md) or Word (.docx), instead of to standard output.")
@click.option("--annex-b", "annex_b", is_flag=True,
              help="Instead of the agreement, fill in the ICO's Annex B data sharing request and decision record "
                   "(for a one-off request; routine sharing is set out in the agreement).")
@as_of_option()
@rules_option
@library_errors
def agreement_cmd(scenario_file: str, output: str | None, annex_b: bool, as_of: dt.datetime | None,
                  rules: str | None) -> None:
    """Draft the Appendix J information sharing agreement for a share (Markdown or Word).

    Numbered clauses in plain words, ready for each party's DPO to read and sign: the
    parties by name, the purpose and legal basis, each standard the protocol settles
    quoted with its source, the points still to agree as a checklist of likely answers,
    start and review dates, a version, and a signature block for each party.

    With --annex-b: the ICO's Annex B data sharing request and decision record for a
    one-off request, filled in from the decision. A routine share gets no Annex B record
    (exit 1, saying why): its agreement is its record.

    \b
    Example:
        isp agreement scenarios/governance/monthly-nominations-extract-to-housing-association-no-agreement.yaml
        isp agreement share.yaml -o agreement.md
        isp agreement share.yaml -o agreement.docx
        isp agreement --annex-b scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml -o record.docx
    """
    from ..agreement import agreement_markdown, write_docx
    from ..request_record import record_markdown, write_record_docx

    kind = Path(output).suffix.lower() if output is not None else ".md"
    if kind not in (".md", ".docx"):
        raise click.UsageError(f"-o must name a .md or .docx file, not {output!r}")
    scenario, ruleset, decision = decide_file(scenario_file, rules, as_of)
    markdown, docx = (record_markdown, write_record_docx) if annex_b else (agreement_markdown, write_docx)
    text = markdown(scenario, decision, ruleset)  # built first: a share with no record writes nothing
    if output is None:
        click.echo(text, nl=False)
        return
    from ..guided.answers import replace_file

    target = Path(output)
    # Written whole or not at all: a crash or Ctrl-C never leaves half a draft.
    if kind == ".docx":
        replace_file(target, lambda tmp: docx(scenario, decision, tmp, ruleset))
    else:
        replace_file(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    click.echo(f"Wrote {target}", err=True)
