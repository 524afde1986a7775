"""Scenarios made up at random from the format's own vocabularies, for `isp diff` and `isp lint`.

Two kinds: variants of real scenarios (a few fields changed or removed: realistic shares near
the rules' edges) and fully random ones (any combination, including unusual ones). Seeded, so a
run can be repeated exactly.
"""

from __future__ import annotations

import copy
import datetime as dt
import random
from collections.abc import Iterator
from typing import Any

from ..dotted import set_path, unset_path
from ..facts import FIELDS, FieldSpec
from ..scenario import Scenario, validate_scenario

__all__ = ["random_scenario_dicts", "random_value", "valid"]

TEXTS = ["Children Act 2004 s11", "Care Act 2014 s45", "Crime and Disorder Act 1998 s115", "Children Act 1989 s47",
         "Police, Crime, Sentencing and Courts Act 2022 s16", "Local Government Act 1972 s111", "Health and Social Care Act 2012 s251B",
         "our statutory functions", "Until the case closes plus 6 years", "Delete after 30 days"]
COUNTRIES = ["GB", "GB", "GB", "IE", "FR", "US", "IN", "CH", "NO"]
SKIP = {path for path, spec in FIELDS.items() if spec.derived} | {"as_of"}
PATHS = [p for p in FIELDS if p not in SKIP]


def random_value(rng: random.Random, spec: FieldSpec) -> Any:
    if spec.kind == "bool":
        return rng.random() < 0.5
    if spec.kind == "enum":
        return rng.choice(spec.values)
    if spec.kind == "enum_list":
        return rng.sample(list(spec.values), rng.randint(1, min(4, len(spec.values))))
    if spec.kind == "country":
        return rng.choice(COUNTRIES)
    if spec.kind == "date":
        return dt.date(2025, 1, 1) + dt.timedelta(days=rng.randrange(3 * 365))
    return rng.choice(TEXTS)


def random_scenario_dicts(rng: random.Random, count: int, library: list[dict] | None = None,
                          absent: float = 0.3) -> Iterator[dict]:
    """`count` scenario dicts: half variants of `library` (when given), half fully random."""
    start = dt.date(2025, 6, 1)
    for i in range(count):
        if library and i % 2 == 0:
            data = copy.deepcopy(rng.choice(library))
            data.pop("expect", None)
            for path in rng.sample(PATHS, rng.randint(1, 4)):
                if rng.random() < 0.35:
                    unset_path(data, path)
                else:
                    set_path(data, path, random_value(rng, FIELDS[path]))
        else:
            data = {"share": {}}
            for path in PATHS:
                if rng.random() >= absent:
                    set_path(data, path, random_value(rng, FIELDS[path]))
            data["as_of"] = start + dt.timedelta(days=rng.randint(0, 730))
        data["id"] = f"generated-{i + 1}"
        data.pop("title", None)
        yield data


def valid(data: dict) -> Scenario | None:
    """The scenario, or None when a random combination breaks a format rule (it is then skipped)."""
    from pydantic import ValidationError

    try:
        return validate_scenario(data)
    except ValidationError:
        return None
