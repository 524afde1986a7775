"""isp-rules: decide, with cited reasons, whether partners of an information sharing protocol may share.

    >>> from isp_rules import load_scenario, assess
    >>> decision = assess(load_scenario("scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml"))
    >>> decision.verdict
    'allow'

Not legal advice.
"""

from .assess import assess, default_ruleset
from .compiler import compile_ruleset
from .decide import Decision
from .errors import EngineError, InputError, IspError, Problem, RulesetError, ScenarioError
from .loader import load_ruleset, load_scenario, parse_scenario
from .ruleset import Rule, Ruleset
from .scenario import Scenario

__all__ = [
    "assess",
    "default_ruleset",
    "compile_ruleset",
    "load_ruleset",
    "load_scenario",
    "parse_scenario",
    "Decision",
    "Rule",
    "Ruleset",
    "Scenario",
    "IspError",
    "InputError",
    "ScenarioError",
    "RulesetError",
    "EngineError",
    "Problem",
]
