"""Guided questions at the terminal: `isp ask`, `isp triage`."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING

import click

from .errors import library_errors
from .options import load_rules, record_options, rules_option

if TYPE_CHECKING:
    from ..decision import Decision
    from ..scenario import Scenario

__all__ = ["ask", "triage"]


def _record(decision: Decision, scenario: Scenario, record: bool, by: str | None, register_path: str | None) -> None:
    if record:
        from ..register import open_register

        register = open_register(register_path)
        register.append(decision, scenario, by=by)
        click.echo(f"Recorded the decision in {register.where}", err=True)


@click.command()
@click.argument("start", required=False, type=click.Path(dir_okay=False), metavar="[SCENARIO]")
@click.option("--save", type=click.Path(dir_okay=False), metavar="FILE.yaml", help="Save the answers to this scenario file.")
@record_options()
@rules_option
@library_errors
def ask(start: str | None, save: str | None, record: bool, by: str | None, register_path: str | None,
        rules: str | None) -> None:
    """Answer questions in plain words until the verdict is settled.

    Only questions whose answer can still change the verdict are asked, worked out from the
    rules; every question accepts "not sure" (0). Start from a partial scenario file if you
    have one. At the end the answers can be saved as a scenario file.

    \b
    Example:
        isp ask
        isp ask --save my-share.yaml
    """
    from ..guided.answers import save_scenario, start_answers
    from ..guided.asking import ask_until_settled
    from ..render import render
    from . import prompts

    if save is not None:  # find a bad path before the questions, not after
        folder = Path(save).resolve().parent
        if not folder.is_dir() or not os.access(folder, os.W_OK):
            raise click.BadParameter(f"cannot write to {folder}", param_hint="--save")
    ruleset = load_rules(rules)
    data = start_answers(start)
    scenario, decision, count = ask_until_settled(ruleset, data, prompts.ask_question)
    click.echo("")
    click.echo(f"No further answer can change the verdict ({count} question(s) asked).")
    click.echo("")
    click.echo(render([decision], "text"))
    if save is None and sys.stdin.isatty():
        save = click.prompt("Save these answers as a scenario file? (file name, or Enter to skip)",
                            default="", show_default=False) or None
    _record(decision, scenario, record, by, register_path)
    if save:
        save_scenario(data, save)
        click.echo(f"Saved {save}", err=True)


@click.command()
@click.argument("start", required=False, type=click.Path(dir_okay=False), metavar="[SCENARIO]")
@record_options()
@rules_option
@library_errors
def triage(start: str | None, record: bool, by: str | None, register_path: str | None, rules: str | None) -> None:
    """Urgent safeguarding triage: at most five questions, then what to share now.

    For someone at risk now. Says what may be shared and with whom, what to record
    afterwards (the likely lawful basis and Schedule 1 condition) and which paperwork
    waits. A stated fact that makes the share unlawful still gives DENY, with the reason.
    Start from a partial scenario file to add facts you already have.

    \b
    Example:
        isp triage
    """
    from ..guided.answers import start_answers
    from ..guided.triage import run_triage, triage_text
    from . import prompts

    ruleset = load_rules(rules)
    data = start_answers(start)
    click.echo("Urgent triage: at most 5 questions. Answer 0 if not sure.")
    scenario, decision = run_triage(ruleset, data, prompts.ask_question, started=bool(start))
    click.echo("")
    click.echo(triage_text(scenario, decision, ruleset))
    _record(decision, scenario, record, by, register_path)
