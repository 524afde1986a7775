"""assess(): a scenario in, a Decision out. The one path every front end uses.

Also where loading meets compiling: load_ruleset reads a ruleset (loader) and checks that
durable_rules can take it (compiler), and default_ruleset does the same through the cache.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path
from typing import Any

from .compiler import CATCH_ALL, compile_ruleset, size_problems
from .decide import decide
from .decision import Decision
from .errors import RulesetError
from .facts import to_fact
from .interpret import fired_rules
from .loader import load_ruleset_cached, read_ruleset
from .ruleset import Ruleset
from .scenario import Scenario
from .settings import default_rules_dir

__all__ = ["assess", "default_ruleset", "fire", "load_ruleset"]

_NAMES: dict[tuple[int, str], tuple[str, ...]] = {}  # (pid, sha256) -> durable ruleset names
_DEFAULT: dict[str, Ruleset] = {}


def load_ruleset(directory: str | os.PathLike[str] | None = None) -> Ruleset:
    """Load, validate and hash every YAML file of a ruleset directory (default: $ISP_RULES_DIR or
    the bundled rules), and check that durable_rules can take every condition. Raises
    RulesetError with every problem found, each located in its file."""
    ruleset = read_ruleset(directory)
    problems = size_problems(ruleset)
    if problems:
        raise RulesetError(problems)
    return ruleset


def default_ruleset(directory: str | os.PathLike[str] | None = None) -> Ruleset:
    """The ruleset in `directory` (default: $ISP_RULES_DIR or the bundled rules), loaded once
    (load_ruleset, through the per-user cache)."""
    path = Path(directory or default_rules_dir()).resolve()
    key = str(path)
    if key not in _DEFAULT:
        if not path.is_dir():
            return load_ruleset(path)  # raises the usual RulesetError
        _DEFAULT[key] = load_ruleset_cached(path, load_ruleset)
    return _DEFAULT[key]


def fire(ruleset: Ruleset, fact: dict[str, Any], evaluator: str = "durable") -> set[str]:
    """The ids of the rules (and agreement-point pseudo-rules) that fire on a fact."""
    if evaluator == "interpreter":
        return fired_rules(ruleset, fact)
    if evaluator != "durable":
        raise ValueError(f"unknown evaluator {evaluator!r}; expected 'durable' or 'interpreter'")
    from .engine import get_engine

    engine = get_engine()
    key = (os.getpid(), ruleset.sha256)  # a forked worker has a fresh engine
    names = _NAMES.get(key)
    if names is None:
        names = _NAMES[key] = engine.register(compile_ruleset(ruleset))
    return engine.fire(names, fact) - {CATCH_ALL}


def assess(scenario: Scenario, ruleset: Ruleset | None = None, *, as_of: dt.date | None = None,
           evaluator: str = "durable") -> Decision:
    """Decide one scenario. `as_of` overrides the scenario's own date (default: today)."""
    ruleset = ruleset or default_ruleset()
    day = as_of or scenario.as_of or dt.date.today()
    fact = to_fact(scenario, day, ruleset.phrases)
    return decide(ruleset, scenario, fact, fire(ruleset, fact, evaluator), day)
