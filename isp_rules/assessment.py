"""assess(): a scenario in, a Decision out. The one path every front end uses.

Also where loading meets compiling: load_ruleset reads a ruleset (loader) and checks that
durable_rules can take it (compiler), and default_ruleset does the same through the cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import tempfile
from dataclasses import replace
from pathlib import Path
from typing import Any

from .compiler import CATCH_ALL, compile_ruleset, size_problems
from .decide import decide
from .decision import Decision
from .errors import EngineError, Problem, RulesetError, ScenarioError
from .facts import to_fact
from .interpret import fired_rules
from .loader import cache_entry, forget_older, load_ruleset_cached, read_ruleset
from .ruleset import Ruleset
from .scenario import Completion, Party, Scenario
from .settings import cache_enabled, default_rules_dir

__all__ = ["assess", "complete_scenario", "default_ruleset", "fire", "load_ruleset", "not_stated", "scenario_fact",
           "scenario_problems"]

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
        try:
            names = engine.register_prepared(_prepared(ruleset))
        except EngineError:  # a cached form durable cannot take (damaged on disk): build it afresh, once
            names = engine.register_prepared(_prepared(ruleset, fresh=True))
        _NAMES[key] = names
    return engine.fire(names, fact) - {CATCH_ALL}


def _prepared(ruleset: Ruleset, fresh: bool = False) -> dict[str, dict[str, Any]]:
    """compile_ruleset(ruleset) as the engine takes it (engine.prepare: each durable ruleset's JSON
    text, rule names and the keys it reads), kept beside the ruleset cache for a ruleset read
    through it (default_ruleset): a cold `isp check` then compiles, writes and walks nothing. JSON,
    so reading it runs no code, after a line with the sha256 of the rest: an entry damaged on disk
    (a ruleset or a key lost) would let rules silently not fire, so it is built again instead.
    Any other ruleset (one built or changed in memory keeps its directory's sha256) is compiled;
    `fresh` builds and writes it again whatever is cached."""
    from .engine import prepare

    if not any(loaded is ruleset for loaded in _DEFAULT.values()) or not cache_enabled():
        return prepare(compile_ruleset(ruleset))
    file = cache_entry(Path(ruleset.source), ruleset.sha256, "engine", ".json")
    try:
        if not fresh and file.is_file() and file.stat().st_uid == os.getuid():
            digest, _, body = file.read_bytes().partition(b"\n")
            if digest.decode("ascii", "replace") == hashlib.sha256(body).hexdigest():
                cached = json.loads(body)
                if isinstance(cached, dict) and cached and all(_is_prepared(v) for v in cached.values()):
                    return cached
    except (OSError, ValueError):  # unreadable or corrupt: compile again
        pass
    prepared = prepare(compile_ruleset(ruleset))
    body = json.dumps(prepared, ensure_ascii=False).encode()
    try:
        file.parent.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile("wb", dir=file.parent, delete=False, suffix=".tmp") as temp:
            temp.write(hashlib.sha256(body).hexdigest().encode() + b"\n" + body)
        os.replace(temp.name, file)  # atomic: readers see the old file or the new one
    except OSError:
        pass
    else:
        forget_older(file)
        forget_older(file.with_name(file.name.replace("engine-", "compiled-", 1)))  # the form before engine-
    return prepared


def _is_prepared(value: Any) -> bool:
    return (isinstance(value, dict) and isinstance(value.get("text"), str)
            and all(isinstance(value.get(k), list) and all(isinstance(x, str) for x in value[k]) for k in ("rules", "reads")))


def assess(scenario: Scenario, ruleset: Ruleset | None = None, *, as_of: dt.date | None = None,
           evaluator: str = "durable") -> Decision:
    """Decide one scenario. `as_of` overrides the scenario's own date (default: today)."""
    ruleset = ruleset or default_ruleset()
    day = as_of or scenario.as_of or dt.date.today()
    completion = complete_scenario(scenario, ruleset, day)
    scenario = completion.scenario
    fact = to_fact(scenario, day, ruleset.phrases)
    decision = decide(ruleset, scenario, fact, fire(ruleset, fact, evaluator), day)
    share = scenario.share
    return replace(
        decision,
        from_directory=list(completion.filled) or None,
        contradictions=list(completion.contradictions) or None,
        not_stated=not_stated(scenario) + list(completion.unknown) or None,
        parties={"from": share.from_.name, "to": share.to.name},
    )


def scenario_fact(scenario: Scenario, ruleset: Ruleset, day: dt.date) -> dict[str, Any]:
    """The fact the rules see for this scenario on `day`, completed from the partnership's
    directory as assess() does: what explain, asking and triage must evaluate too."""
    return to_fact(complete_scenario(scenario, ruleset, day).scenario, day, ruleset.phrases)


def complete_scenario(scenario: Scenario, ruleset: Ruleset, day: dt.date) -> Completion:
    """The scenario completed from the partnership's directory beside the rules, for the share's
    date. Raises ScenarioError, each problem located, for an id the directory does not hold."""
    share = scenario.share
    if share.from_.partner is None and share.to.partner is None and share.governance.agreement_id is None:
        return Completion(scenario)
    # The directory is read only for a share that names an entry of it.
    from .directory import complete, directory_for, reference_problems

    directory = directory_for(ruleset.source or None)
    problems = reference_problems(directory, scenario)
    if problems:
        raise ScenarioError(problems)
    return complete(directory, scenario, day)


def scenario_problems(scenario: Scenario, ruleset: Ruleset) -> list[Problem]:
    """What is wrong with a valid scenario against these rules: directory ids they do not hold.
    Front ends check every file with this before deciding any."""
    share = scenario.share
    if share.from_.partner is None and share.to.partner is None and share.governance.agreement_id is None:
        return []
    from .directory import directory_for, reference_problems

    return reference_problems(directory_for(ruleset.source or None), scenario)


def _unknown_party(party: Party) -> bool:
    return party.name is None and party.type is None and party.partner is None


def not_stated(scenario: Scenario) -> list[str]:
    """The parties the scenario does not describe at all. The format reads a left-out field as
    "not known yet", and a share with no known recipient (or discloser) cannot be weighed, so it
    is asked for in the decision rather than passed over."""
    share = scenario.share
    out = []
    if _unknown_party(share.from_):
        out.append("Who is sharing the information is not stated: give the discloser (its partner id from the "
                   "partnership's directory, or its name and type of body).")
    if _unknown_party(share.to):
        out.append("Who receives the information is not stated: give the recipient (its partner id from the "
                   "partnership's directory, or its name and type of body).")
    return out
