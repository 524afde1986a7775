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

# The commands are imported after the setting above.
from .authoring import diff_cmd, lint_cmd, rules_cmd, test_cmd
from .deciding import agreement_cmd, check, explain_cmd
from .directory import agreements_cmd, partners_cmd
from .errors import EXIT_FAIL_ON, EXIT_INTERNAL, EXIT_INVALID, EXIT_OK, EXIT_USAGE, ProblemsError
from .exporting import ropa_cmd
from .fixing import fix_cmd
from .guided import ask, triage
from .picturing import map_cmd
from .register import log_cmd
from .screening import dpia_cmd
from .serving import serve
from .tokens import token_group

__all__ = ["EXIT_FAIL_ON", "EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "ProblemsError", "cli", "main"]


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(package_name="isp-rules", prog_name="isp")
def cli() -> None:
    """Decide whether partners of an information sharing protocol may share information.

    Describe the share in a scenario file (see scenarios/ for examples), then:

    \b
        isp check scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml

    Not legal advice: check doubtful cases with your data protection officer.
    """


for _command in (check, explain_cmd, agreement_cmd, test_cmd, diff_cmd, lint_cmd, rules_cmd, ask, triage, log_cmd,
                 serve, partners_cmd, agreements_cmd, token_group, fix_cmd, map_cmd, dpia_cmd, ropa_cmd):
    cli.add_command(_command)


def main() -> None:
    """Console entry point: no traceback ever reaches a user (set ISP_DEBUG=1 to see one)."""
    try:
        cli(prog_name="isp")
    except Exception as exc:  # a bug in isp-rules, not in the user's input
        if debug():
            raise
        click.echo(f"isp: internal error: {type(exc).__name__}: {exc} (set ISP_DEBUG=1 for details)", err=True)
        sys.exit(EXIT_INTERNAL)

