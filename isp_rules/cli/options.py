"""The options several commands share, each declared once, and what --rules loads."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import TYPE_CHECKING, Any, TypeVar

import click

if TYPE_CHECKING:
    from ..decision import Decision
    from ..ruleset import Ruleset
    from ..scenario import Scenario

__all__ = ["REGISTER_HELP", "RULES_HELP", "as_of_option", "case_options", "decide_file", "format_option", "load_rules",
           "record_options", "register_option", "rules_option", "scenarios_option"]

F = TypeVar("F", bound=Callable[..., Any])

RULES_HELP = "Directory of rulesets to use instead of the bundled ones (or set ISP_RULES_DIR)."
REGISTER_HELP = ("The decision register: a file, or a postgresql:// URL for a PostgreSQL database "
                 "(default: ISP_REGISTER, else a file in your data directory).")

rules_option = click.option("--rules", type=click.Path(file_okay=False), metavar="DIR", help=RULES_HELP)

register_option = click.option("--register", "register_path", type=click.Path(), metavar="FILE|URL",
                               help=REGISTER_HELP)


CASE_META = "isp_rules.case"  # where --case-ref and --no-case-ref leave their values (ctx.meta)


def _remember(ctx: click.Context, param: click.Parameter, value: Any) -> Any:
    if param.name == "case_ref" and value is not None:
        from ..register.details import clean_reference

        try:
            value = clean_reference(value)
        except ValueError as exc:
            raise click.BadParameter(str(exc)) from None
        if value is None:
            raise click.BadParameter("give the case reference, or --no-case-ref if there is none")
    ctx.meta.setdefault(CASE_META, {})[param.name] = value
    return value


def _who_decided(ctx: click.Context, param: click.Parameter, value: str | None) -> str | None:
    """--by on one line, never blank and never holding a character that would forge or hide
    words in the register's listing."""
    if value is None:
        return None
    from ..scenario import unprintable

    name = " ".join(value.split())
    if not name:
        raise click.BadParameter("give the name or role of who decided (leave --by out for your user name)")
    if problem := unprintable(name, record=True):
        raise click.BadParameter(f"the name {problem}")
    return name


def record_options(many: bool = False) -> Callable[[F], F]:
    """--record, --by, --case-ref, --no-case-ref and --register, for a command that decides one
    share (or `many`). The case options are not passed to the command: `case_options()` reads them,
    so a command takes them without changing its signature."""
    record = click.option("--record", is_flag=True, help=(
        "Append each decision to the decision register." if many else "Append the decision to the decision register."))
    by = click.option("--by", metavar="NAME", callback=_who_decided, help=(
        "Who decided, for the register (default: your user name)." if many else
        "Who decided, for the register (asked for if not given)."))
    case_ref = click.option("--case-ref", metavar="REF", expose_value=False, callback=_remember, help=(
        "The case reference, for the register (the same for every decision recorded)." if many else
        "The case reference, for the register (asked for if not given)."))
    no_case_ref = click.option("--no-case-ref", is_flag=True, expose_value=False, callback=_remember,
                               help="There is no case reference: the register records that you said so.")

    def decorate(func: F) -> F:
        return record(by(case_ref(no_case_ref(register_option(func)))))  # listed in this order in --help

    return decorate


def case_options() -> tuple[str | None, bool]:
    """(--case-ref, --no-case-ref) of the command being run; a usage error when both are given."""
    ctx = click.get_current_context()
    given = ctx.meta.get(CASE_META, {})
    reference, none = given.get("case_ref"), bool(given.get("no_case_ref"))
    if reference is not None and none:
        raise click.UsageError("give --case-ref REF or --no-case-ref, not both")
    return reference, none


class Day(click.ParamType):
    """A date written YYYY-MM-DD, as a datetime at midnight (what click.DateTime gave), with the
    reason in words when it is not one ("month must be in 1..12"), never a strftime pattern."""

    name = "date"

    def convert(self, value: Any, param: click.Parameter | None, ctx: click.Context | None) -> dt.datetime:
        if isinstance(value, dt.datetime):
            return value
        text = str(value).strip()
        if not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            self.fail(f"expected a date such as 2026-12-01, got {value!r}", param, ctx)
        try:
            return dt.datetime.combine(dt.date.fromisoformat(text), dt.time())
        except ValueError as exc:
            self.fail(f"{text} is not a date ({exc})", param, ctx)


DAY = Day()


def as_of_option(help: str = "Decide under the law in force on this date.") -> Callable[[F], F]:
    return click.option("--as-of", type=DAY, metavar="YYYY-MM-DD", help=help)


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


def decide_file(scenario_file: str, rules: str | None, as_of: dt.datetime | None) -> tuple[Scenario, Ruleset, Decision]:
    """One scenario file decided under --rules: loaded and checked against the directory first
    (every problem on its own line, exit 1), then decided at --as-of."""
    from ..assessment import assess, scenario_problems
    from ..loader import load_scenario, name_after_file
    from .errors import ProblemsError

    scenario = name_after_file(load_scenario(scenario_file), scenario_file)
    ruleset = load_rules(rules)
    problems = [str(p) for p in scenario_problems(scenario, ruleset)]
    if problems:
        raise ProblemsError(problems)
    return scenario, ruleset, assess(scenario, ruleset, as_of=as_of.date() if as_of else None)
