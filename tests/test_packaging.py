"""The rules ship inside the package: an installed isp-rules decides with no checkout around it."""

import os
import subprocess
import sys
from pathlib import Path

from conftest import RULES, SCENARIOS

from isp_rules import load_ruleset
from isp_rules.settings import default_rules_dir


def test_the_default_rules_are_the_repository_rules():
    """In a wheel install these are isp_rules/_rulesets; in a checkout, ./rulesets."""
    assert load_ruleset(default_rules_dir()).sha256 == load_ruleset(RULES).sha256


def test_an_installed_package_uses_its_bundled_rules():
    """CI installs with a plain `pip install .`: there the rules must come from inside the package."""
    import isp_rules

    package = Path(isp_rules.__file__).resolve().parent
    if package.parent == RULES.parent:  # an editable install, running from this checkout
        assert default_rules_dir() == RULES
    else:
        assert default_rules_dir() == package / "_rulesets"
        assert sorted(p.name for p in (package / "_rulesets").glob("*.yaml")) == sorted(p.name for p in RULES.glob("*.yaml"))


def test_isp_check_runs_from_anywhere_with_the_bundled_rules(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "ISP_RULES_DIR"}
    scenario = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
    proc = subprocess.run([sys.executable, "-m", "isp_rules", "check", str(scenario)],
                          cwd=tmp_path, env=env, check=False, capture_output=True, text=True)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("ALLOW")


def test_public_api_is_small_and_importable():
    import isp_rules

    assert set(isp_rules.__all__) >= {"assess", "load_scenario", "load_ruleset", "Decision", "Scenario"}
    for name in isp_rules.__all__:
        assert getattr(isp_rules, name) is not None
    assert callable(isp_rules.assess)
