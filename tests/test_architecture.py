"""The tools that keep the architecture as docs/architecture.md draws it, run as tests so CI runs them.

- ruff (configured in pyproject.toml) finds nothing in the package, the tests or the benchmarks;
- mypy finds no error in the package (the pipeline modules under strict settings);
- the import contract holds (import-linter, contracts in pyproject.toml): the flow runs one way,
  only engine.py imports durable_rules, only cli/ imports click, only web/ imports FastAPI;
- the package is typed (py.typed) and says its version.

Each check runs the real tool on the real tree, so breaking the rule fails the test.
"""

from __future__ import annotations

import ast
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import ROOT

import isp_rules

PACKAGE = ROOT / "isp_rules"


def run(*command: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}  # check the checkout, not an installed copy
    return subprocess.run([sys.executable, "-m", *command], cwd=ROOT, env=env, capture_output=True, text=True,
                          check=False, timeout=600)


def test_ruff_finds_nothing():
    proc = run("ruff", "check", "--no-cache", ".")
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_mypy_finds_no_error_in_the_package():
    proc = run("mypy", "--no-incremental", "--cache-dir", os.devnull)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_pipeline_passes_mypy_strict():
    """The modules of DESIGN.md's flow, as pyproject.toml lists them, pass `mypy --strict` itself
    (not only the per-module settings that mirror it)."""
    import tomllib

    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    strict = [o for o in config["tool"]["mypy"]["overrides"] if o.get("disallow_untyped_defs")]
    assert len(strict) == 1
    files = [str(PACKAGE / (name.split(".", 1)[1].replace(".", "/") + ".py")) for name in strict[0]["module"]]
    assert len(files) >= 15 and all(Path(f).is_file() for f in files), files
    proc = run("mypy", "--strict", "--no-incremental", "--cache-dir", os.devnull, *files)
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_import_contract_holds():
    lint_imports = shutil.which("lint-imports", path=os.path.dirname(sys.executable)) or shutil.which("lint-imports")
    assert lint_imports, "import-linter is not installed (pip install '.[test]')"
    proc = subprocess.run([lint_imports, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False,
                          env={**os.environ, "PYTHONPATH": str(ROOT)}, timeout=600)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 broken" in proc.stdout


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    out: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            out.add(node.module.split(".")[0])
    return out


@pytest.mark.parametrize(("library", "home"), [("durable", "engine.py"), ("durable_rules_engine", "engine.py"), ("click", "cli/"), ("fastapi", "web/"),
                                               ("starlette", "web/"), ("cryptography", "register/signing.py")])
def test_each_outside_library_is_imported_in_one_place_only(library, home):
    """The same rule as the contract, read straight from the source, so it holds even where
    import-linter cannot see an import (one inside a function is still an import)."""
    offenders = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py"))
                 if library in _imports(p) and not str(p.relative_to(PACKAGE)).startswith(home)]
    assert offenders == [], f"{library} is imported outside {home}: {offenders}"


def _spelt(path: Path) -> list[frozenset[str]]:
    """Every tuple or list of string constants written in a module (a Literal[...]'s values too)."""
    return [frozenset(e.value for e in node.elts) for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
            if isinstance(node, (ast.Tuple, ast.List)) and len(node.elts) > 1
            and all(isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)]


@pytest.mark.parametrize("name", ["Effect", "ReasonEffect", "PointKind", "PointUrgency", "PowerKind",
                                  "CommencementStatus"])
def test_each_vocabulary_of_the_rules_format_is_spelt_once(name):
    """One Literal in ruleset.py; every other module uses it (typing.get_args for its values)."""
    from typing import get_args

    from isp_rules import ruleset

    values = frozenset(get_args(getattr(ruleset, name)))
    found = [str(p.relative_to(PACKAGE)) for p in sorted(PACKAGE.rglob("*.py")) for spelt in _spelt(p)
             if spelt == values]
    assert found == ["ruleset.py"], f"{name} is spelt in {found}"


def test_the_package_is_typed_and_says_its_version():
    assert (PACKAGE / "py.typed").is_file()
    assert isinstance(isp_rules.__version__, str) and isp_rules.__version__[0].isdigit()
    assert "__version__" not in isp_rules.__all__  # the public API's names are unchanged


def test_every_changelog_entry_names_the_rules_and_scenarios_it_changes():
    import re

    import yaml

    text = (ROOT / "CHANGELOG.md").read_text(encoding="utf-8")
    entries = re.split(r"^## ", text, flags=re.MULTILINE)[1:]
    assert entries, "CHANGELOG.md has no entries"
    for entry in entries:
        title = entry.splitlines()[0]
        assert "Rules changed:" in entry, f"CHANGELOG entry '{title}' does not say which rules it changes"
        assert "Scenarios changed:" in entry, f"CHANGELOG entry '{title}' does not say which scenarios it changes"
    # The newest released entry is the ruleset that ships.
    released = [e.splitlines()[0] for e in entries if e.startswith("Ruleset ")]
    version = yaml.safe_load((ROOT / "rulesets" / "ruleset.yaml").read_text(encoding="utf-8"))["version"]
    assert released and released[0].startswith(f"Ruleset {version} "), \
        f"the newest CHANGELOG entry is {released[:1]}, but rulesets/ruleset.yaml is version {version}"
