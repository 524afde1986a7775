"""The only module that imports durable_rules. It contains every known hazard of the library.

- One Host per process, created lazily, with a lock around every call: the C engine
  is not thread-safe and never releases the GIL. The Host's two dispatch timer
  threads are not started (we never use timers or async actions), so nothing else
  can pick up an action queued by our own assertion.
- `set_rulesets` mutates its argument, so it gets a deep copy; a name can be
  registered once per Host, so names carry the ruleset hash (see compiler).
- Each scenario is asserted as a fact (an event is consumed by the first rule)
  under a unique sid, and its state is deleted afterwards: more than 1,024 live
  sids per ruleset raises MemoryError.
- The compiler adds a catch-all rule keyed on a field only scenario facts carry.
- Exceptions inside actions are swallowed by durable into state["exception"]: checked.
- Errors are bare numbers ("error code: 202"): translated into words.
"""

from __future__ import annotations

import copy
import itertools
import os
import re
import threading
from collections.abc import Callable
from typing import Any

from .errors import EngineError

__all__ = ["ERROR_CODES", "Engine", "get_engine"]

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


class Engine:
    """A process-wide wrapper round one durable_rules Host."""

    def __init__(self) -> None:
        from durable.engine import Host, MessageNotHandledException

        engine = self
        self._not_handled = MessageNotHandledException
        self._fired: list[str] = []

        class _QuietHost(Host):  # type: ignore[misc]  # durable_rules has no types: Host is Any to mypy
            def _run(self) -> None:  # no dispatch/timer threads: see the module docstring
                pass

            def get_action(self, action_name: str) -> Callable[[Any], None]:
                def action(c: Any) -> None:  # runs synchronously inside assert_fact
                    engine._fired.append(action_name)
                return action

        self._lock = threading.Lock()
        self._host = _QuietHost()
        self._registered: set[str] = set()  # durable ruleset names already on the Host
        self._sids = itertools.count(1)
        self._pid = os.getpid()

    def register(self, definition: dict[str, dict[str, Any]]) -> tuple[str, ...]:
        """Register a compiled definition once; returns its durable ruleset names."""
        names = tuple(definition)
        with self._lock:
            todo = {n: d for n, d in definition.items() if n not in self._registered}
            if todo:
                try:
                    self._host.set_rulesets(copy.deepcopy(todo))
                except Exception as exc:  # noqa: BLE001  (durable_rules raises bare Exception with a numeric code)
                    raise _translate(exc, "loading the ruleset") from None
                self._registered.update(todo)
        return names

    def fire(self, names: tuple[str, ...], fact: dict[str, Any]) -> set[str]:
        """Assert one fact into each named ruleset; return the rule names that fired."""
        if len(fact) + 1 > MAX_PROPERTIES:
            raise EngineError(f"a scenario fact has {len(fact)} properties; durable_rules holds at most 255")
        fired: set[str] = set()
        with self._lock:
            for name in names:
                sid = str(next(self._sids))
                self._fired = []
                try:
                    self._host.assert_fact(name, {**fact, "sid": sid})
                except self._not_handled:
                    # Never delete_state after this: it has segfaulted on 3.11.
                    raise EngineError("rules engine failed: the fact matched no rule (the catch-all is missing)") from None
                except Exception as exc:  # noqa: BLE001  (durable_rules raises bare Exception with a numeric code)
                    self._forget(name, sid)
                    raise _translate(exc, "assessing a scenario") from None
                try:
                    state = self._host.get_state(name, sid)
                except Exception as exc:  # noqa: BLE001  (durable_rules raises bare Exception with a numeric code)
                    raise _translate(exc, "reading a session") from None
                finally:
                    self._forget(name, sid)
                if state.get("exception"):
                    raise EngineError(f"a rule action failed inside durable_rules: {str(state['exception'])[:200]}")
                fired.update(self._fired)
        return fired

    def _forget(self, name: str, sid: str) -> None:
        try:
            self._host.delete_state(name, sid)
        except Exception:  # noqa: BLE001, S110  (nothing to delete, or already gone)
            pass


_ENGINE: Engine | None = None
_ENGINE_LOCK = threading.Lock()


def get_engine() -> Engine:
    """The Engine of this process (a forked child gets its own)."""
    global _ENGINE
    with _ENGINE_LOCK:
        if _ENGINE is None or _ENGINE._pid != os.getpid():
            _ENGINE = Engine()
        return _ENGINE
