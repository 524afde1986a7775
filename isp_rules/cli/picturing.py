"""`isp map`: the partnership's data-flow map as an SVG picture."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import click

from .errors import ProblemsError, library_errors
from .options import register_option, rules_option

__all__ = ["map_cmd"]


@click.command(name="map")
@click.option("-o", "--output", metavar="FILE.svg",
              help="Write the map to this SVG file instead of to standard output.")
@click.option("--purpose", metavar="PURPOSE",
              help="Only the agreements and decisions for this purpose, such as safeguarding_child.")
@register_option
@rules_option
@library_errors
def map_cmd(output: str | None, purpose: str | None, register_path: str | None, rules: str | None) -> None:
    """Draw the partnership's data-flow map (SVG): partners, agreements, recorded decisions.

    Partners from the directory sit on a circle; each agreement is a numbered box joined by
    solid lines to its parties; recorded decisions are dashed arrows from the organisation
    that shares to the one that receives, drawn and labelled by verdict. An organisation a
    decision named that is not in the directory is drawn as a dashed circle.

    \b
    Example:
        isp map -o partnership.svg
        isp map --purpose safeguarding_child -o safeguarding.svg
    """
    from ..directory import load_directory
    from ..pictures.flowmap import build_map, parse_purpose, render_map
    from ..register import DECISION, EmptyRegisterError, open_register
    from ..settings import default_rules_dir

    if output is not None and Path(output).is_dir():
        raise ProblemsError([f"{output}: is a directory, expected an .svg file"])
    if output is not None and Path(output).suffix.lower() != ".svg":
        raise ProblemsError([f"isp: -o must name an .svg file, not '{output}'"])
    chosen = parse_purpose(purpose) if purpose is not None else None
    if purpose is not None and chosen is None:
        raise ProblemsError(["isp: --purpose needs a purpose, such as safeguarding_child"])
    directory = load_directory(rules if rules else default_rules_dir())
    register = open_register(register_path)
    from ..register.listing import integrity_warning

    try:
        records = list(register.records(kind=DECISION))
        warning = integrity_warning(register) if records else None
    except EmptyRegisterError:
        records, warning = [], None
    finally:
        register.close()
    if warning is not None:
        click.echo(warning, err=True)
    svg = render_map(build_map(directory, records, chosen, today=dt.date.today()))
    if output is None:
        click.echo(svg, nl=False)
        return
    from ..guided.answers import replace_file

    target = Path(output)
    # Written whole or not at all: an interrupted run never leaves half a picture.
    try:
        replace_file(target, lambda tmp: tmp.write_text(svg, encoding="utf-8"))
    except OSError as exc:
        raise ProblemsError([f"isp: cannot write {target}: {exc.strerror or exc}"]) from None
    click.echo(f"Wrote {target}", err=True)
