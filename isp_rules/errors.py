"""Errors the library raises. The CLI turns them into one line per problem."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

__all__ = [
    "EngineError",
    "InputError",
    "IspError",
    "Problem",
    "RulesetError",
    "ScenarioError",
    "did_you_mean",
    "format_path",
]


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as we can."""

    file: str
    line: int | None
    path: str
    message: str
    # The id of the rule the problem is in, where the loader knows it (a rule file's entry with an
    # id): what `isp lint` names beside the path. Not part of the line printed, nor of equality.
    rule: str | None = field(default=None, compare=False)

    def __str__(self) -> str:
        where = self.file if self.line is None else f"{self.file}:{self.line}"
        return f"{where}: {self.path}: {self.message}" if self.path else f"{where}: {self.message}"


class IspError(Exception):
    """Base class: every error the library raises on purpose."""


class InputError(IspError):
    """An input file is not valid. Carries every problem found, not just the first."""

    def __init__(self, problems: Sequence[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


class ScenarioError(InputError):
    """A scenario file is not a valid scenario."""


class RulesetError(InputError):
    """A ruleset directory does not load."""


class EngineError(IspError):
    """durable_rules failed; the message is translated into words."""


def did_you_mean(word: str, choices: Iterable[str]) -> str:
    """'; did you mean 'x'?' for the closest choice, or '' when nothing is close."""
    import difflib  # only a problem asks: a valid input never loads it

    close = difflib.get_close_matches(str(word), list(choices), n=1, cutoff=0.6)
    return f"; did you mean '{close[0]}'?" if close else ""


def format_path(parts: Sequence[str | int]) -> str:
    """('rules', 3, 'when', 'field') -> 'rules[3].when.field'."""
    out = ""
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out
