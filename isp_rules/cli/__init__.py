"""The `isp` command: a thin click layer over the library. Each command parses its options, calls
the library and renders; errors become one line per problem (errors.py).

    __init__.py   the group, main (the console entry point)
    errors.py     library errors -> CLI errors, exit codes
    options.py    the options several commands share (--rules, --record/--by/--register, ...)
    prompts.py    terminal questions for ask and triage
    deciding.py   check, explain, agreement
    authoring.py  test, diff, lint, rules
    directory.py  partners, agreements
    guided.py     ask, triage
    register.py   log, log verify, log approve/reject
    tokens.py     token create, list, revoke
    fixing.py     fix
    picturing.py  map
    screening.py  dpia
    exporting.py  ropa
    serving.py    serve

The library is imported inside each command, so `isp --help` starts fast.
"""

from __future__ import annotations

import sys

import click

from ..settings import debug, quiet_pydantic_plugins

# The CLI needs no pydantic plugins; looking them up scans every installed package
# (about 20 ms of every start-up). A user's own setting wins.
quiet_pydantic_plugins()

from .errors import EXIT_FAIL_ON, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE, ProblemsError

# Each command, by the module that defines it: a command's module is imported only when that
# command runs (or help lists them all), so `isp check` pays for nothing else.
COMMANDS = {
    "check": ("deciding", "check"), "explain": ("deciding", "explain_cmd"), "agreement": ("deciding", "agreement_cmd"),
    "test": ("authoring", "test_cmd"), "diff": ("authoring", "diff_cmd"), "lint": ("authoring", "lint_cmd"),
    "rules": ("authoring", "rules_cmd"), "ask": ("guided", "ask"), "triage": ("guided", "triage"),
    "log": ("register", "log_cmd"), "serve": ("serving", "serve"), "partners": ("directory", "partners_cmd"),
    "agreements": ("directory", "agreements_cmd"), "token": ("tokens", "token_group"), "fix": ("fixing", "fix_cmd"),
    "map": ("picturing", "map_cmd"), "dpia": ("screening", "dpia_cmd"), "ropa": ("exporting", "ropa_cmd"),
}


class _Commands(click.Group):
    """The isp group, loading each command's module on first use."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        found = COMMANDS.get(cmd_name)
        if found is None:
            return None
        import importlib

        module, name = found
        command: click.Command = getattr(importlib.import_module(f"{__name__}.{module}"), name)
        return command


__all__ = ["EXIT_FAIL_ON", "EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "ProblemsError", "cli", "main"]


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="isp-rules", prog_name="isp")
def cli() -> None:
    """Decide whether partners of an information sharing protocol may share information.

    Describe the share in a scenario file (see scenarios/ for examples), then:

    \b
        isp check scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml

    Not legal advice: check doubtful cases with your data protection officer.
    """


def main() -> None:
    """Console entry point: no traceback ever reaches a user (set ISP_DEBUG=1 to see one)."""
    try:
        cli(prog_name="isp")
    except Exception as exc:  # a bug in isp-rules, not in the user's input
        if debug():
            raise
        click.echo(f"isp: internal error: {type(exc).__name__}: {exc} (set ISP_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_INTERNAL)

