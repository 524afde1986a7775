"""A cold `isp check` loads only what deciding one scenario uses (issue 15: "import nothing a
command does not use"). These tests look at which modules a fresh process has loaded, never at
how long it took: timing is the benchmark's job (benchmarks/bench.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = "scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml"

# Runs the CLI as `isp` does, then reports every module the process loaded.
RUNNER = """
import json, sys
from isp_rules.cli import cli
try:
    cli(sys.argv[1:], prog_name="isp")
except SystemExit as exc:
    code = exc.code
else:
    code = 0
sys.stderr.write("\\nMODULES " + json.dumps({"exit": code, "modules": sorted(sys.modules)}) + "\\n")
"""

# What deciding one scenario that names no directory entry never needs: the web app, the
# register, the guided questions, documents, exports and pictures, and what pydantic loads only
# to look for plugins or to build a validator (the ruleset comes from the cache).
NOT_FOR_CHECK = (
    "isp_rules.web", "isp_rules.register", "isp_rules.guided", "isp_rules.agreement", "isp_rules.exports",
    "isp_rules.pictures", "isp_rules.dpia", "isp_rules.request_record", "isp_rules.authoring.diff",
    "isp_rules.authoring.explain", "isp_rules.authoring.lint", "isp_rules.authoring.remedy",
    "fastapi", "starlette", "uvicorn", "jinja2", "docx", "sqlite3", "psycopg", "rdflib", "cryptography",
    "importlib.metadata", "email", "pydantic.plugin._loader",
    "isp_rules.directory",  # read only for a share that names a partner or agreement of it
    # the other commands' modules (the isp group loads a command's module when it runs)
    "isp_rules.cli.authoring", "isp_rules.cli.guided", "isp_rules.cli.register", "isp_rules.cli.serving",
    "isp_rules.cli.tokens", "isp_rules.cli.picturing", "isp_rules.cli.screening", "isp_rules.cli.exporting",
    "isp_rules.cli.fixing", "isp_rules.cli.directory",
)


def loaded(*args: str, cache: Path) -> tuple[int, set[str], str]:
    env = {**os.environ, "XDG_CACHE_HOME": str(cache)}
    for name in ("ISP_NO_CACHE", "ISP_RULES_DIR", "ISP_CACHE_HOME"):
        env.pop(name, None)
    proc = subprocess.run([sys.executable, "-c", RUNNER, *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=120, check=False)
    line = next((x for x in proc.stderr.splitlines() if x.startswith("MODULES ")), None)
    assert line is not None, proc.stderr[-2000:]
    report = json.loads(line.removeprefix("MODULES "))
    return report["exit"], set(report["modules"]), proc.stdout


def matches(modules: set[str], name: str) -> list[str]:
    return sorted(m for m in modules if m == name or m.startswith(name + "."))


def test_check_loads_only_what_it_uses(tmp_path: Path) -> None:
    loaded("check", EXAMPLE, cache=tmp_path)  # fills the ruleset cache, as the first run on a machine does
    code, modules, out = loaded("check", EXAMPLE, cache=tmp_path)
    assert code == 0
    assert out.startswith("ALLOW")
    # The report is real: what check does use is there.
    assert {"isp_rules.assessment", "isp_rules.loader", "isp_rules.render", "isp_rules.engine"} <= modules
    extra = {name: matches(modules, name) for name in NOT_FOR_CHECK if matches(modules, name)}
    assert extra == {}


def test_the_report_sees_a_module_check_does_not_need(tmp_path: Path) -> None:
    # The same runner on a command that uses the register shows its modules: the test above
    # would see them too, were check to load them.
    # (There is no register there yet: the command says so, having loaded the register's code.)
    _, modules, _ = loaded("log", "--register", str(tmp_path / "register.db"), cache=tmp_path)
    assert matches(modules, "isp_rules.register")


@pytest.mark.parametrize(("module", "absent"), [
    # A decision's types (and the text, JSON and Markdown written from them) never load the
    # partnership's directory: only a share naming one of its entries needs it.
    ("isp_rules.decision", "isp_rules.directory"),
    ("isp_rules.render", "isp_rules.directory"),
    # "Did you mean" is worked out only when something is wrong.
    ("isp_rules.errors", "difflib"),
])
def test_module_does_not_load(module: str, absent: str) -> None:
    code = f"import sys, {module}; print({absent!r} in sys.modules)"
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=60,
                          check=True)
    assert proc.stdout.strip() == "False"


def test_directory_results_keep_their_names() -> None:
    from isp_rules import decision, directory, scenario

    # Defined below both (scenario.py), so a decision need not load the directory; the names
    # the directory and the decision gave them still work.
    for name in ("DirectoryFact", "Contradiction", "Completion"):
        assert getattr(directory, name) is getattr(scenario, name)
        assert getattr(decision, name) is getattr(scenario, name)


def test_every_command_is_found_under_its_own_name() -> None:
    import click

    from isp_rules.cli import COMMANDS, cli

    ctx = click.Context(cli)
    assert cli.list_commands(ctx) == sorted(COMMANDS)
    for name in COMMANDS:
        command = cli.get_command(ctx, name)
        assert command is not None and command.name == name
    assert cli.get_command(ctx, "no-such-command") is None
