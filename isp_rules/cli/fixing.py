"""`isp fix`: what would make a share lawful, and the scenario with it done."""

from __future__ import annotations

import datetime as dt
import json
import textwrap
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .errors import ProblemsError, library_errors
from .options import as_of_option, format_option, load_rules, rules_option

if TYPE_CHECKING:
    from ..decision import Decision

__all__ = ["fix_cmd"]


@click.command(name="fix")
@click.argument("scenario_file", type=click.Path(allow_dash=True), metavar="SCENARIO")
@click.option("--write", "out", type=click.Path(), metavar="OUT",
              help="Write the scenario with the first change made to OUT (a new scenario file). Give the "
                   "scenario's own path to change it in place.")
@format_option("text", "json")
@as_of_option()
@rules_option
@library_errors
def fix_cmd(scenario_file: str, out: str | None, fmt: str, as_of: dt.datetime | None, rules: str | None) -> None:
    """What would make a deny or needs-agreement share lawful: the fewest changes that give allow.

    Searches the facts for the smallest changes you can make true by acting (send it
    securely, share less, name the basis and power, complete the paperwork, ask for
    consent) and shows the best three, each checked by deciding the changed share again.
    It never changes the purpose, the urgency or what happened. A change to a fact about
    the people or organisations is shown only when nothing else works, marked "only if
    this is true".

    \b
    Example:
        isp fix scenarios/children-education/secondary-school-emails-child-protection-file-to-college-unencrypted.yaml
        isp fix share.yaml --write share-fixed.yaml
        isp fix --format json share.yaml

    Exit codes: 0 done (also when nothing is found), 1 invalid input, 2 usage.
    """
    from ..assessment import assess, scenario_problems
    from ..authoring.remedy import apply_remedy, find_remedies, remedies_json
    from ..loader import load_scenario, name_after_file
    from ..render import render_remedies_text

    if out is not None and out != scenario_file and Path(out).exists() and Path(out).resolve() == \
            Path(scenario_file).resolve():
        # the same file under another name: only its own path, given as written, changes it in place
        raise ProblemsError([f"isp: --write {out} is the scenario itself: to change it in place, give its path "
                             + f"exactly as you gave SCENARIO ({scenario_file})"])
    if out is not None:
        from ..guided.answers import check_output_file

        check_output_file(out)  # a missing folder, a link or a device: one line, before anything is shown
    scenario = name_after_file(load_scenario(scenario_file), scenario_file)
    ruleset = load_rules(rules)
    problems = [str(p) for p in scenario_problems(scenario, ruleset)]
    if problems:
        raise ProblemsError(problems)
    day = as_of.date() if as_of else None
    decision = assess(scenario, ruleset, as_of=day)
    remedies = find_remedies(scenario, ruleset, decision, as_of=day)
    if out is not None and not remedies:
        raise ProblemsError([f"isp: nothing written to {out}: "
                             + ("the share is already allowed" if decision.verdict == "allow"
                                else "no change was found that would make it lawful (isp check shows the reasons)")])
    if fmt == "json":
        click.echo(json.dumps({"scenario": decision.scenario, "verdict": decision.verdict,
                               "remedies": remedies_json(remedies)}, indent=2, ensure_ascii=False))
    else:
        click.echo(_text(decision, render_remedies_text(remedies)))
    if out is None:
        return
    from ..dotted import set_path
    from ..guided.answers import replace_file, scenario_yaml
    from ..loader import scenario_id_for_file

    apply_remedy(scenario, remedies[0].changes)  # the format takes it (checked before anything is written)
    # What the file stated, with the changes: defaults it left out stay out, and the expected
    # verdict, now wrong, is dropped. A new file is known by its own name.
    data = scenario.model_dump(mode="python", by_alias=True, exclude_unset=True, exclude_none=True, exclude={"expect"})
    for change in remedies[0].changes:
        set_path(data, change.field, change.new)
    heading = ""
    if out != scenario_file:
        data = {"id": scenario_id_for_file(out), **{k: v for k, v in data.items() if k != "id"}}
    elif scenario_file != "-":
        # Changed in place: the comments at the top (a library's "# why:" line, the author's
        # notes) stay; comments further down are not kept by rewriting the file.
        lines = Path(scenario_file).read_text(encoding="utf-8-sig").splitlines()
        top = lines[:next((i for i, line in enumerate(lines) if not line.startswith("#")), len(lines))]
        heading = "".join(line + "\n" for line in top)
    # Written whole or not at all: a crash or Ctrl-C never leaves half a scenario.
    replace_file(Path(out), lambda tmp: tmp.write_text(heading + scenario_yaml(data), encoding="utf-8"))
    click.echo(f"Wrote {out}, having made this change: {' '.join(remedies[0].todo)}", err=True)


def _text(decision: Decision, section: str) -> str:
    from ..render import HEADLINES

    name = " ".join(x for x in (decision.scenario, f"- {decision.title}" if decision.title else None) if x)
    head = HEADLINES[decision.verdict] + ("\n" + textwrap.fill(name, 88, initial_indent="  ", subsequent_indent="  ")
                                          if name else "")
    if decision.verdict == "allow":
        return head + "\n\nNothing to change: the share is allowed on these facts."
    return head + "\n\n" + (section or "No change you could make was found that would make it lawful. The reasons "
                            "are in the full decision (isp check); check with your data protection officer.")
