"""The CLI's surface is a contract: every command, its arguments and options (names, types,
defaults, choices). A refactor must leave it as it was; a deliberate change regenerates the record:

    python tests/cli/test_cli_surface.py --update
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from isp_rules.cli import cli

RECORD = Path(__file__).resolve().parents[1] / "data" / "cli-surface.json"


def _param(p: click.Parameter) -> dict[str, Any]:
    kind = p.type
    out: dict[str, Any] = {"name": p.name, "kind": p.param_type_name, "opts": sorted(p.opts + p.secondary_opts),
                           "type": kind.name, "required": p.required, "multiple": p.multiple, "nargs": p.nargs}
    if isinstance(kind, click.Choice):
        out["choices"] = list(kind.choices)
    if isinstance(p, click.Option):
        out["flag"] = p.is_flag
        default = p.default
        if callable(default) or type(default).__name__ == "Sentinel":  # click 8.5 marks "no default" with a sentinel
            default = None
        if p.is_flag and default is None:
            default = False  # an unset flag is off, however the click version spells it
        out["default"] = json.loads(json.dumps(default, default=str))
    return out


def surface() -> dict[str, Any]:
    out: dict[str, Any] = {}

    def walk(cmd: click.Command, path: tuple[str, ...]) -> None:
        out[" ".join(("isp",) + path)] = [_param(p) for p in cmd.params]
        if isinstance(cmd, click.Group):  # by the group's own lookup: the isp group loads commands lazily
            ctx = click.Context(cmd)
            for name in sorted(cmd.list_commands(ctx)):
                sub = cmd.get_command(ctx, name)
                assert sub is not None, name
                walk(sub, path + (name,))

    walk(cli, ())
    return out


def test_the_cli_surface_is_unchanged():
    recorded = json.loads(RECORD.read_text(encoding="utf-8"))
    now = surface()
    assert sorted(now) == sorted(recorded), "commands added or removed: python tests/cli/test_cli_surface.py --update"
    for command, params in recorded.items():
        assert now[command] == params, f"the options of `{command}` changed: python tests/cli/test_cli_surface.py --update"


if __name__ == "__main__":
    if sys.argv[1:] != ["--update"]:
        sys.exit("usage: python tests/cli/test_cli_surface.py --update")
    RECORD.write_text(json.dumps(surface(), indent=1) + "\n", encoding="utf-8")
