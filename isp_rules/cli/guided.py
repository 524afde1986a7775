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
    """Record the decision, asking first for what the register must hold that the answers do not:
    the case reference (or an explicit "none"), any party not named, and who decided.

    A case reference is asked for every time and may be left out only by saying so ("none", or
    --no-case-ref): a record that cannot be found from the case file fails golden rule 7 as surely
    as no record, and an empty answer is more often a slip than a decision. Typing "none" keeps
    the urgent path quick at 2am while the register still shows that no reference was given.
    """
    if not record:
        return
    from ..register import case_given, open_register
    from ..register.details import NAME_MAX, clean_reference, parties_of
    from .options import case_options

    reference, none = case_options()
    if reference is None and not none:
        def read_reference(raw: str) -> str:
            try:
                return clean_reference(raw) or ""
            except ValueError as exc:
                raise click.BadParameter(str(exc)) from None

        click.echo("")
        click.echo("For the register (a record must say which case it belongs to, who was involved and who decided):")
        answer = click.prompt("Case reference (type none if there is no case reference)", value_proc=read_reference)
        reference, none = (None, True) if answer.lower() == "none" else (answer, False)
    names = parties_of(decision, scenario)
    for side, question in (("from", "Name of the organisation sharing the information"),
                           ("to", "Name of the organisation receiving it")):
        if not names[side]:
            names[side] = " ".join(click.prompt(question).split())[:NAME_MAX] or None
    if not by or not by.strip():
        by = click.prompt("Who decided (your name or role)")
    try:
        case = case_given(reference, none, names)
    except ValueError as exc:
        raise click.BadParameter(str(exc), param_hint="--case-ref") from None
    register = open_register(register_path)
    register.append(decision, scenario, by=" ".join(by.split()), case=case)
    click.echo(f"Recorded the decision in {register.where}", err=True)


@click.command()
@click.argument("start", required=False, type=click.Path(dir_okay=False), metavar="[SCENARIO]")
@click.option("--save", type=click.Path(), metavar="FILE.yaml", help="Save the answers to this scenario file.")
@record_options()
@rules_option
@library_errors
def ask(start: str | None, save: str | None, record: bool, by: str | None, register_path: str | None,
        rules: str | None) -> None:
    """Answer questions in plain words until the verdict is settled.

    Who shares with whom comes first (chosen from the partnership's directory), then what for,
    how urgent and what data; for a public body the likely lawful basis is proposed for you to
    confirm. Only questions whose answer can still change the verdict are asked, worked out from
    the rules. Every question has a line of help and an example; Enter alone means "not sure";
    type back to return to the previous question. Ctrl-C offers to save the answers so far.
    Start from a partial scenario file if you have one. At the end the answers can be saved as
    a scenario file.

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
    from ..guided.validation import check_guided_files

    check_guided_files(ruleset.source)  # a slip in the guided files: one line each, before any question
    data = start_answers(start, ruleset)
    click.echo("Answer in plain words. Enter alone means \"not sure\"; type back to return to the previous question.")
    try:
        scenario, decision, count = ask_until_settled(ruleset, data, prompts.ask_question_with_back)
    except KeyboardInterrupt:
        _offer_to_save(data, save)
        sys.exit(130)
    except click.Abort:  # end of input (Ctrl-D, or piped answers that ran out)
        _ended_early(data, save)
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


def _ended_early(data: dict, save: str | None, keep: str = "give --save FILE to keep the answers so far") -> None:
    """Input ended before the verdict was settled: nothing more can be asked, so the answers so far
    go to --save when it was given (never lost without a word); one line either way, exit 1."""
    from ..guided.answers import save_scenario
    from .errors import ProblemsError

    click.echo("", err=True)
    if save and any(v for v in data.get("share", {}).values()):
        try:
            save_scenario(data, save)
        except OSError as exc:
            raise ProblemsError([(f"isp: input ended before the questions were finished, and the answers so far "
                                 f"could not be saved: {exc.strerror or exc}")]) from None
        raise ProblemsError([(f"isp: input ended before the questions were finished; the answers so far are saved "
                             f"in {save} (go on with: isp ask {save})")])
    raise ProblemsError([f"isp: input ended before the questions were finished; nothing was decided ({keep})"])


def _offer_to_save(data: dict, save: str | None) -> None:
    """After Ctrl-C: offer to write the answers so far as a (partial) scenario file, which
    `isp ask FILE` goes on from. A second Ctrl-C or end of input leaves without saving."""
    from ..guided.answers import save_scenario

    click.echo("", err=True)
    click.echo("Stopped.", err=True)
    if not any(v for v in data.get("share", {}).values()):
        return
    try:
        if not click.confirm("Save your answers so far to a file?", default=False, err=True):
            return
        target = save or click.prompt("File name", default="my-share.yaml", err=True)
        save_scenario(data, target)
    except (click.Abort, KeyboardInterrupt):
        return
    except OSError as exc:
        click.echo(f"Could not save: {exc.strerror or exc}", err=True)
        return
    click.echo(f"Saved {target}; go on with: isp ask {target}", err=True)


@click.command()
@click.argument("start", required=False, type=click.Path(dir_okay=False), metavar="[SCENARIO]")
@record_options()
@rules_option
@library_errors
def triage(start: str | None, record: bool, by: str | None, register_path: str | None, rules: str | None) -> None:
    """Urgent safeguarding triage: at most five questions, then what to share now.

    For someone at risk now. Says what may be shared and with whom, what to
    record afterwards (each point with the answers likely for this discloser,
    and its source) and which paperwork waits. A stated fact that makes the
    share unlawful still gives DENY, with the reason. When it is not urgent,
    it offers to go on to the full questions, keeping the answers given.
    Start from a partial scenario file to add facts you already have.

    \b
    Example:
        isp triage
    """
    from ..guided.answers import save_scenario, start_answers
    from ..guided.triage import answered, continue_questions, run_triage, triage_text
    from ..render import render
    from . import prompts

    ruleset = load_rules(rules)
    from ..guided.validation import check_guided_files

    check_guided_files(ruleset.source)  # a slip in the guided files: one line each, before any question
    data = start_answers(start, ruleset)
    click.echo("Urgent triage: at most 5 questions. Answer 0 if not sure.")
    try:
        scenario, decision = run_triage(ruleset, data, prompts.ask_question, started=bool(start))
    except click.Abort:  # end of input before the five questions were answered
        _ended_early(data, None, "answer all five, or use isp ask --save FILE to keep answers")
    click.echo("")
    click.echo(triage_text(scenario, decision, ruleset))
    if decision.verdict != "deny" and not decision.deferred:  # not urgent: the full questions settle it
        kept = len(answered(data))
        try:
            go_on = click.confirm(f"\nGo on to the full questions now, keeping your {kept} answer(s)?", default=True)
        except click.Abort:  # end of input (or Ctrl-C) here: the triage's answer stands
            go_on = False
            click.echo("")
        if go_on:
            scenario, decision, count = continue_questions(ruleset, data, prompts.ask_question)
            click.echo("")
            click.echo(f"No further answer can change the verdict ({count} more question(s) asked).")
            click.echo("")
            click.echo(render([decision], "text"))
        elif sys.stdin.isatty():
            save = click.prompt("Save these answers, to go on later with `isp ask FILE`? (file name, or Enter to skip)",
                                default="", show_default=False)
            if save:
                save_scenario(data, save)
                click.echo(f"Saved {save}. Go on later with: isp ask {save}", err=True)
    _record(decision, scenario, record, by, register_path)
