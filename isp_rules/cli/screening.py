"""DPIA screening: `isp dpia`."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .errors import library_errors
from .options import as_of_option, decide_file, rules_option

__all__ = ["dpia_cmd"]

SUFFIXES = {".md": "markdown", ".markdown": "markdown", ".docx": "docx"}


@click.command(name="dpia")
@click.argument("scenario_file", type=click.Path(allow_dash=True), metavar="SCENARIO")
@click.option("-o", "--output", type=click.Path(), metavar="FILE.md|FILE.docx",
              help="Write the screening here instead of to standard output (Word needs a file).")
@click.option("--format", "fmt", type=click.Choice(["markdown", "docx"]), default=None,
              help="Markdown or Word (default: from the -o file's ending, else Markdown).")
@as_of_option()
@rules_option
@library_errors
def dpia_cmd(scenario_file: str, output: str | None, fmt: str | None, as_of: dt.datetime | None,
             rules: str | None) -> None:
    """Screen a share for a DPIA, and draft a DPIA outline (Markdown or Word).

    Answers the ICO's screening questions from the scenario's facts where they settle
    them (yes or no, with the facts), leaving a box to tick where they do not; names the
    high-risk signs that fired and their source; and says whether a DPIA is required,
    likely needed or not indicated, in step with the decision. Then a DPIA outline after
    the ICO's sample template, filled in from the share: the parties, purpose, legal
    basis, information, people, volumes, how it is sent and kept, the risks the decision
    found, the measures it requires, and a sign-off block.

    A share with no DPIA point still gets the screening, as the record of why none is
    needed.

    \b
    Example:
        isp dpia scenarios/governance/families-programme-data-match-without-a-dpia.yaml
        isp dpia share.yaml -o dpia.docx
        isp dpia share.yaml --format docx -o screening.docx
    """
    from ..dpia import dpia_markdown, write_dpia_docx

    if fmt is None:
        fmt = SUFFIXES.get(Path(output).suffix.lower(), "markdown") if output is not None else "markdown"
    if fmt == "docx" and output is None:
        raise click.UsageError("a Word document needs a file: give -o FILE.docx")
    if output is not None:
        from ..guided.answers import check_output_file

        check_output_file(output)  # a missing folder, a link, a device or "-": one line, before deciding
    scenario, ruleset, decision = decide_file(scenario_file, rules, as_of)
    text = dpia_markdown(scenario, decision, ruleset) if fmt == "markdown" else ""
    if output is None:
        click.echo(text, nl=False)
        return
    from ..guided.answers import replace_file

    target = Path(output)
    # Written whole or not at all: a crash or Ctrl-C never leaves half a document.
    if fmt == "docx":
        replace_file(target, lambda tmp: write_dpia_docx(scenario, decision, tmp, ruleset))
    else:
        replace_file(target, lambda tmp: tmp.write_text(text, encoding="utf-8"))
    click.echo(f"Wrote {target}", err=True)
