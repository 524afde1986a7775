"""The one place library errors become CLI errors, and the exit codes every command shares."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import IO, Any, ParamSpec, TypeVar

import click

from ..errors import EngineError, InputError, IspError

__all__ = ["EXIT_FAIL_ON", "EXIT_INTERNAL", "EXIT_INVALID", "EXIT_OK", "EXIT_USAGE", "MAX_LINES", "InternalProblemsError", "ProblemsError",
           "library_errors"]

EXIT_OK, EXIT_INVALID, EXIT_USAGE, EXIT_FAIL_ON, EXIT_INTERNAL = 0, 1, 2, 3, 4
MAX_LINES = 50  # a file with thousands of mistakes is summarised, not flooded

P = ParamSpec("P")
R = TypeVar("R")


class ProblemsError(click.ClickException):
    """Printed as one line per problem, with no 'Error:' banner and no traceback."""

    exit_code = EXIT_INVALID

    def __init__(self, lines: list[str]):
        super().__init__("\n".join(lines))
        self.lines = lines

    def show(self, file: IO[Any] | None = None) -> None:
        for line in self.lines[:MAX_LINES]:
            click.echo(line, err=True)
        if len(self.lines) > MAX_LINES:
            click.echo(f"... and {len(self.lines) - MAX_LINES} more problems", err=True)


class InternalProblemsError(ProblemsError):
    """A fault in isp-rules or the rules engine, not in the user's input: exit 4."""

    exit_code = EXIT_INTERNAL


def library_errors(func: Callable[P, R]) -> Callable[P, R]:
    """The one place library errors become CLI errors: each problem on its own line, exit 1;
    a failure inside the rules engine (not the user's input) exit 4."""

    @functools.wraps(func)
    def wrapper(*args: P.args, **kwargs: P.kwargs) -> R:
        try:
            return func(*args, **kwargs)
        except InputError as exc:
            raise ProblemsError([str(p) for p in exc.problems]) from None
        except EngineError as exc:  # not the user's input: a failure inside the rules engine
            raise InternalProblemsError([f"isp: {exc}"]) from None
        except IspError as exc:
            raise ProblemsError([f"isp: {exc}"]) from None

    return wrapper
