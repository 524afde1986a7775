"""isp-rules: decide, with cited reasons, whether partners of an information sharing protocol may share.

    >>> from isp_rules import load_scenario, assess
    >>> decision = assess(load_scenario("scenarios/safeguarding/police-to-school-child-at-immediate-risk.yaml"))
    >>> decision.verdict
    'allow'

Not legal advice.
"""

from importlib import import_module
from typing import Any

# Names are imported on first use (PEP 562), so `isp --help` and the CLI's start-up
# pay only for what they touch. `__version__` is looked up on first use too.
_EXPORTS = {
    "assess": "assessment", "default_ruleset": "assessment",
    "compile_ruleset": "compiler",
    "Decision": "decision",
    "IspError": "errors", "InputError": "errors", "ScenarioError": "errors", "RulesetError": "errors",
    "EngineError": "errors", "Problem": "errors",
    "load_ruleset": "assessment", "load_scenario": "loader", "parse_scenario": "loader",
    "Rule": "ruleset", "Ruleset": "ruleset",
    "Scenario": "scenario",
}
__all__ = sorted(_EXPORTS)  # noqa: PLE0605  (a list, built from the table above)


def _version() -> str:
    """The installed distribution's version ("0.0.0" when isp-rules is not installed, e.g. a bare checkout)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("isp-rules")
    except PackageNotFoundError:
        return "0.0.0"


def __getattr__(name: str) -> Any:
    if name in _EXPORTS:
        return getattr(import_module(f".{_EXPORTS[name]}", __name__), name)
    if name == "__version__":  # read on first use too: importlib.metadata costs ~20 ms to import
        globals()["__version__"] = found = _version()
        return found
    raise AttributeError(f"module 'isp_rules' has no attribute {name!r}")


def __dir__() -> list[str]:
    return __all__
