"""The share as it was decided: what the scenario stated, with what the partnership's directory
filled in for it.

A decision records the facts the directory supplied (Decision.from_directory: the field, its value)
but the scenario, and a register record, keep only what was stated. An export that read the stated
scenario alone would leave out, say, the lawful basis an agreement settles for every share under it,
and so record less than the decision relied on. A stated fact is never overridden: where it
differed from the directory, the decision used the stated one (directory.py), and so does this.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

from ..scenario import AGREEMENT_STATES

__all__ = ["PRIVATE_PERSONS", "decided_share", "get"]

# Party types that are a private person: an export names them by kind, never by name (a record of
# processing lists categories of recipients, UK GDPR Art 30(1)(d), not the people themselves).
PRIVATE_PERSONS = ("individual", "member_of_public")


def decided_share(scenario: Mapping[str, Any] | None, from_directory: Iterable[Any] | None) -> dict[str, Any]:
    """The share (the scenario's `share` as JSON data) with each directory fact the scenario left
    unstated. `from_directory` holds the decision's DirectoryFacts, or their JSON ({field, value})."""
    share = copy.deepcopy(dict((scenario or {}).get("share") or {}))
    governance = share.get("governance")
    if isinstance(governance, dict) and governance.get("agreement") not in (None, *AGREEMENT_STATES):
        # The format writes an agreement named by its id as `agreement: ID`; the directory then
        # supplies its state (in place, expired) under `agreement`.
        governance["agreement_id"] = governance.pop("agreement")
    for fact in from_directory or ():
        path = fact.get("field") if isinstance(fact, Mapping) else getattr(fact, "field", None)
        value = fact.get("value") if isinstance(fact, Mapping) else getattr(fact, "value", None)
        if not isinstance(path, str) or not path.startswith("share.") or value is None:
            continue
        *parents, last = path.removeprefix("share.").split(".")
        node = share
        for part in parents:
            child = node.get(part)
            if not isinstance(child, dict):
                child = node[part] = {}
            node = child
        node.setdefault(last, value)  # the stated fact wins
    return share


def get(share: Mapping[str, Any], path: str) -> Any:
    """The value at a dotted path inside the share ("basis.article_6"), or None."""
    node: Any = share
    for part in path.removeprefix("share.").split("."):
        if not isinstance(node, Mapping):
            return None
        node = node.get(part)
    return node
