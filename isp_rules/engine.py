"""The only module that imports durable_rules. It contains every known hazard of the library.

durable's C core (the `durable_rules_engine` extension) is called directly; its Python wrapper
(`durable.engine.Host`) is not used. Measured (docs/performance.md, benchmarks/bench.py), most
of a wrapped call was the wrapper re-parsing the whole fact for every rule fired and a fresh
session per scenario; matching itself was a few per cent.

- One Engine per process (a forked child gets its own), with a lock around every call: the C
  engine is not thread-safe and never releases the GIL.
- Each compiled ruleset is created once (`create_ruleset`) from a JSON copy of its definition,
  so the caller's dict is never mutated and needs no deep copy. A name can be created once per
  process, so names carry the ruleset hash (see compiler); our registry keeps each handle.
- One session per ruleset (a fixed sid): each scenario is asserted as a fact, the rules it
  fires are read from the action messages the core returns (their first key is the rule's
  name), and the fact is retracted afterwards. No sid is created per scenario, so the core's
  limit of 1,024 live sessions can never be reached, however many scenarios are assessed.
- Each ruleset is sent only the parts of a fact its conditions name (the core parses and indexes
  every property it is given; a property no condition names cannot change what fires). The
  whole fact is still checked first: too many properties, or a value JSON cannot hold, is refused.
- A fact no rule handles (result code 1) leaves nothing in the session: it fired no rule. The
  compiler's catch-all matches every scenario fact, so only a foreign fact gets here.
- If anything fails between asserting and retracting, the ruleset is deleted and created again
  from its JSON, so no half-handled fact stays behind to say "already observed" next time.
- Errors are bare numbers ("error code: 202"): translated into words.
"""

from __future__ import annotations

import json
import os
import re
import threading
from dataclasses import dataclass
from typing import Any

from .errors import EngineError

__all__ = ["ERROR_CODES", "Engine", "get_engine", "prepare"]

# From durable_rules src/rules/rules.h, as built in 2.0.28.
ERROR_CODES = {
    1: "the fact matched no rule",
    2: "the fact was already observed",
    101: "out of memory",
    102: "unexpected type in a rule definition",
    103: "an identifier is too long",
    104: "unexpected value in a rule definition",
    105: "unexpected name in a rule definition",
    106: "too many rules in one ruleset",
    107: "too many existence tests in one ruleset",
    108: "too many joins in one ruleset",
    109: "a rule has no test",
    110: "setting not found",
    111: "invalid handle",
    112: "too many rulesets loaded",
    113: "a rule's condition has too many all/any groups",
    201: "cannot parse a value",
    202: "cannot parse a string",
    203: "cannot parse a number",
    204: "cannot parse an object",
    205: "cannot parse a list",
    302: "too many properties in one fact",
    303: "nesting too deep",
    304: "too many messages in one frame",
    305: "message not found",
    306: "location not found",
    307: "node deleted",
    308: "node dispatching",
    309: "session (sid) not found",
    310: "no action available",
    311: "property not found",
    312: "operation not supported",
    501: "cannot parse a regular expression",
    502: "regular expression has too many transitions",
    503: "regular expression has too many states",
    504: "regular expression queue full",
    505: "regular expression list full",
    506: "regular expression set full",
    507: "regular expression conflict",
}
MAX_PROPERTIES = 250  # durable_rules holds at most 255 properties per fact


def _translate(exc: BaseException, doing: str) -> EngineError:
    text = str(exc)
    match = re.search(r"error code: (\d+)", text)
    if match:
        code = int(match.group(1))
        return EngineError(f"rules engine failed while {doing}: {ERROR_CODES.get(code, 'unknown error')} (durable_rules error {code})")
    if isinstance(exc, MemoryError):
        return EngineError(f"rules engine failed while {doing}: too many live sessions (durable_rules MemoryError)")
    return EngineError(f"rules engine failed while {doing}: {type(exc).__name__}: {text[:200]}")


_SCALARS = frozenset({str, int, float, bool, type(None)})  # what JSON writes as it is
SID = "isp"  # the one session each ruleset keeps: every fact is retracted after it is assessed
# An action message from the core: {"<rule name>": {...}}. Only the name is read, never the fact.
_FIRST_KEY = re.compile(r'\{"((?:[^"\\]|\\.)*)"')


def _rule_name(message: str, names: frozenset[str] = frozenset()) -> str:
    # The usual message starts '{"<rule name>"' with a name the ruleset holds (no escapes in it):
    # read it without a regular expression or a JSON parse. Anything else takes the full path.
    end = message.find('"', 2)
    if end > 2 and message.startswith('{"'):
        name = message[2:end]
        if name in names:
            return name
    match = _FIRST_KEY.match(message)
    if match is None:
        raise EngineError(f"rules engine returned an action message that names no rule: {message[:80]}")
    named: str = json.loads(f'"{match.group(1)}"')
    return named


@dataclass
class _Ruleset:
    handle: int
    text: str  # the definition as JSON, to create it again after a failure
    rules: frozenset[str]  # its rule names, which the action messages start with
    # Every name its conditions use as a key: the only parts of a fact its rules can test.
    # A fact is asserted with just these (fewer properties for the core to parse and index);
    # a key no condition names cannot change what fires.
    reads: frozenset[str]


def _keys(node: Any, out: set[str]) -> set[str]:
    """Every object key in a condition that is not an operator (over-inclusive: any name used
    as a key anywhere in the definition, which only costs a property or two)."""
    if isinstance(node, dict):
        for key, value in node.items():
            if not key.startswith("$"):
                out.add(key)
            _keys(value, out)
    elif isinstance(node, list):
        for item in node:
            _keys(item, out)
    return out


def prepare(definition: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """A compiled definition as the engine takes it, per durable ruleset: its JSON text (without
    the action names), its rule names and the keys its conditions read. Plain JSON data."""
    prepared: dict[str, dict[str, Any]] = {}
    for name, rules in definition.items():
        for rule, spec in rules.items():
            if spec.get("run") != rule:  # the fired rule is read from the message's key
                raise EngineError(f"rules engine: rule {rule!r} runs {spec.get('run')!r}; each rule must "
                                  "run the action named after it")
        body = {rule: {k: v for k, v in spec.items() if k != "run"} for rule, spec in rules.items()}
        prepared[name] = {"text": json.dumps(body, ensure_ascii=False), "rules": sorted(rules),
                          "reads": sorted(_keys(body, set()) - {"sid"})}
    return prepared


class Engine:
    """A process-wide registry of durable_rules rulesets, called through its C core."""

    def __init__(self) -> None:
        import durable_rules_engine as core

        self._core: Any = core  # the C extension has no types
        self._lock = threading.Lock()
        self._rulesets: dict[str, _Ruleset] = {}
        self._pid = os.getpid()

    def register(self, definition: dict[str, dict[str, Any]]) -> tuple[str, ...]:
        """Create each ruleset of a compiled definition once; returns its durable ruleset names."""
        return self.register_prepared(prepare(definition))

    def register_prepared(self, prepared: dict[str, dict[str, Any]]) -> tuple[str, ...]:
        """register() for a definition prepare() has already written as text (kept in the cache,
        so a cold start neither writes the JSON again nor walks it for its keys)."""
        names = tuple(prepared)
        with self._lock:
            for name, ready in prepared.items():
                if name not in self._rulesets:
                    self._rulesets[name] = _Ruleset(self._create(name, ready["text"]), ready["text"],
                                                    frozenset(ready["rules"]), frozenset(ready["reads"]))
        return names

    def _create(self, name: str, text: str) -> int:
        try:
            handle: int = self._core.create_ruleset(name, text)
        except Exception as exc:  # noqa: BLE001  (durable_rules raises bare Exception with a numeric code)
            raise _translate(exc, "loading the ruleset") from None
        return handle

    def fire(self, names: tuple[str, ...], fact: dict[str, Any]) -> set[str]:
        """Assert one fact into each named ruleset; return the names of the rules that fired."""
        if len(fact) + 1 > MAX_PROPERTIES:
            raise EngineError(f"a scenario fact has {len(fact)} properties; durable_rules holds at most 255")
        # A fact JSON cannot carry is refused whole, whichever parts the rulesets read. A scenario's
        # fact holds only text, numbers, booleans and lists of them, so a type check suffices; any
        # other value is tried as JSON (the error message is JSON's own).
        if not all(type(v) in _SCALARS or (type(v) is list and all(type(x) in _SCALARS for x in v))
                   for v in fact.values()):
            try:
                json.dumps(fact, ensure_ascii=False)
            except (TypeError, ValueError) as exc:
                raise EngineError(f"rules engine: the fact cannot be written as JSON ({exc})") from None
        fired: set[str] = set()
        with self._lock:
            for name in names:
                ruleset = self._rulesets.get(name)
                if ruleset is None:
                    raise EngineError(f"rules engine: no ruleset {name!r} is registered")
                reads = ruleset.reads
                part = {key: value for key, value in fact.items() if key in reads}
                part["sid"] = SID
                fired |= self._fire_one(name, ruleset, json.dumps(part, ensure_ascii=False))
        return fired

    def _fire_one(self, name: str, ruleset: _Ruleset, text: str) -> set[str]:
        core = self._core
        try:
            result = core.assert_fact(ruleset.handle, text)
        except Exception as exc:  # noqa: BLE001  (durable_rules raises bare Exception with a numeric code)
            self._reset(name, ruleset)
            raise _translate(exc, "assessing a scenario") from None
        if result[0] == 1:
            return set()  # handled by no rule: nothing fired, nothing stored
        if result[0] == 2:  # "already observed": a fact left behind; start the session afresh
            self._reset(name, ruleset)
            raise EngineError("rules engine failed: the same fact was still in the session (it has been cleared; try again)")
        fired: set[str] = set()
        try:
            started = core.start_action_for_state(ruleset.handle, result[1]) if result[0] == 0 else None
            message = started[1] if started else None
            while message:
                fired.add(_rule_name(message, ruleset.rules))
                message = core.complete_and_start_action(ruleset.handle, result[1])
            core.retract_fact(ruleset.handle, text)
        except EngineError:
            self._reset(name, ruleset)
            raise
        except Exception as exc:  # noqa: BLE001  (durable_rules raises bare Exception with a numeric code)
            self._reset(name, ruleset)
            raise _translate(exc, "assessing a scenario") from None
        return fired

    def _reset(self, name: str, ruleset: _Ruleset) -> None:
        """Delete the ruleset and create it again: its session then holds nothing."""
        try:
            self._core.delete_ruleset(ruleset.handle)
        except Exception:  # noqa: BLE001, S110  (already unusable: a new handle replaces it)
            pass
        ruleset.handle = self._create(name, ruleset.text)


_ENGINE: Engine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> Engine:
    """The Engine of this process (a forked child gets its own)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None or _ENGINE._pid != os.getpid():
            _ENGINE = Engine()
        return _ENGINE
