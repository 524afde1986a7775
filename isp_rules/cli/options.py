"""The options several commands share, each declared once, and what --rules loads."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..ruleset import Ruleset

__all__ = ["REGISTER_HELP", "RULES_HELP", "as_of_option", "format_option", "load_rules", "record_options",
           "register_option", "rules_option", "scenarios_option"]

F = TypeVar("F", bound=Callable[..., Any])

RULES_HELP = "Directory of rulesets to use instead of the bundled ones (or set ISP_RULES_DIR)."
REGISTER_HELP = ("The decision register: a file, or a postgresql:// URL for a PostgreSQL database "
                 "(default: ISP_REGISTER, else a file in your data directory).")

rules_option = click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)

register_option = click.option("--register", "register_path", type=click.Path(dir_okay=False), metavar="FILE|URL",
                               help=REGISTER_HELP)


def record_options(many: bool = False) -> Callable[[F], F]:
    """--record, --by and --register, for a command that decides one share (or `many`)."""
    record = click.option("--record", is_flag=True, help=(
        "Append each decision to the decision register." if many else "Append the decision to the decision register."))
    by = click.option("--by", metavar="NAME", help=(
        "Who decided, for the register (default: your user name)." if many else "Who decided, for the register."))

    def decorate(func: F) -> F:
        return record(by(register_option(func)))  # listed in this order in --help

    return decorate


def as_of_option(help: str = "Decide under the law in force on this date.") -> Callable[[F], F]:
    return click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), metavar="YYYY-MM-DD", help=help)


def format_option(*formats: str, help: str | None = None) -> Callable[[F], F]:
    """--format, text by default."""
    return click.option("--format", "fmt", type=click.Choice(formats), default="text", show_default=True, help=help)


def scenarios_option(help: str) -> Callable[[F], F]:
    """--scenarios: the scenario library a command reads (default: ./scenarios if it exists)."""
    return click.option("--scenarios", "scenario_dir", type=click.Path(exists=True), metavar="DIR", help=help)


def load_rules(rules: str | None) -> Ruleset:
    """The ruleset --rules names, else the bundled one (or ISP_RULES_DIR)."""
    from ..assessment import default_ruleset

    return default_ruleset(rules)
