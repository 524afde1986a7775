"""pytest plugin: every scenario file under a `scenarios/` directory becomes its own test.

Opt in from your pytest configuration (installed plugins run in every project):

    [tool.pytest.ini_options]
    isp_scenarios = true

A failure reads like `isp test`: expected against actual, then the reasons, with no traceback.
"""

from __future__ import annotations

from pathlib import Path

import pytest


def pytest_addoption(parser):
    parser.addini("isp_scenarios", type="bool", default=False,
                  help="collect YAML files under a scenarios/ directory as isp-rules scenario tests")


def pytest_collect_file(parent, file_path: Path):
    if not parent.config.getini("isp_scenarios"):
        return None
    if file_path.suffix in (".yaml", ".yml") and "scenarios" in file_path.parts:
        return ScenarioFile.from_parent(parent, path=file_path)
    return None


class ScenarioFailed(Exception):
    pass


class ScenarioFile(pytest.File):
    def collect(self):
        yield ScenarioItem.from_parent(self, name=self.path.stem)


class ScenarioItem(pytest.Item):
    def runtest(self) -> None:
        from isp_rules.authoring.testing import describe_failure, run_case

        result = run_case(self.path)
        if result.skipped:
            pytest.skip("no expect: block")
        if not result.passed:
            raise ScenarioFailed(describe_failure(result))

    def repr_failure(self, excinfo, style=None):
        if isinstance(excinfo.value, ScenarioFailed):
            return str(excinfo.value)
        return super().repr_failure(excinfo, style)

    def reportinfo(self):
        return self.path, None, f"scenario: {self.path.name}"
