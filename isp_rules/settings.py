"""Every setting isp-rules reads from the environment, and every default path, in one place.

=========================  ==============================================================
ISP_RULES_DIR              the ruleset directory (default: the rules bundled in the
                           installed package, else ./rulesets of a checkout)
ISP_DATABASE_URL           where the decision register lives when no --database-url is
                           given: a postgresql:// URL, or a SQLite file path
ISP_REGISTER               the default SQLite register file (default:
                           $XDG_DATA_HOME/isp-rules/register.sqlite, XDG_DATA_HOME
                           defaulting to ~/.local/share)
ISP_NO_CACHE               set (to anything but empty) to turn the ruleset cache off
XDG_CACHE_HOME             where the ruleset cache lives: $XDG_CACHE_HOME/isp-rules
                           (default ~/.cache/isp-rules)
ISP_DEBUG                  set to let an internal error's traceback through the CLI
ISP_REGISTER_KEY_FILE      the register's Ed25519 signing key, a file readable by its owner
                           only (isp log key create makes one; docs/register.md)
ISP_REGISTER_KEY           the signing key itself, instead of a file (needs ISP_REGISTER_STATE)
ISP_REGISTER_STATE         where the key remembers the registers it signed (default: the
                           key file's name + .registers)
ISP_ALLOWED_HOSTS          the Host names `isp serve` answers to, comma-separated (set by
                           isp serve for its workers from --host and --allowed-host)
ISP_HEADER_TIMEOUT         seconds a request's headers may take (isp serve --header-timeout)
ISP_BODY_TIMEOUT           seconds a request's body may take (isp serve --body-timeout)
ISP_FORM_SECRET            the secret the web forms' tokens are made with; set the same on
                           every replica (default: a new one each time isp serve starts)
ISP_SIGN_IN                isp serve's sign-in settings for its workers (the trusted proxy,
                           its header and the roles file), set from its options
PYDANTIC_DISABLE_PLUGINS   the CLI sets it to __all__ unless the user did: looking plugins
                           up scans every installed package at start-up
=========================  ==============================================================

An empty value counts as unset. Each function reads the environment when it is called, never
at import, so a test (or `isp serve` handing settings to its workers) can change it.
"""

from __future__ import annotations

import os
from pathlib import Path

__all__ = [
    "ALLOWED_HOSTS_ENV",
    "BODY_TIMEOUT_ENV",
    "CACHE_HOME_ENV",
    "DATABASE_URL_ENV",
    "DATA_HOME_ENV",
    "DEBUG_ENV",
    "DEFAULT_SCENARIOS_DIR",
    "FORM_SECRET_ENV",
    "HEADER_TIMEOUT_ENV",
    "NO_CACHE_ENV",
    "PYDANTIC_PLUGINS_ENV",
    "REGISTER_ENV",
    "REGISTER_KEY_ENV",
    "REGISTER_KEY_FILE_ENV",
    "REGISTER_STATE_ENV",
    "RULES_DIR_ENV",
    "SIGN_IN_ENV",
    "bundled_rules_dir",
    "cache_dir",
    "cache_enabled",
    "database_url",
    "debug",
    "default_register_path",
    "default_rules_dir",
    "pass_to_workers",
    "quiet_pydantic_plugins",
    "register_key",
    "register_key_file",
    "register_state_file",
    "server_setting",
    "set_server_setting",
]

RULES_DIR_ENV = "ISP_RULES_DIR"
DATABASE_URL_ENV = "ISP_DATABASE_URL"
REGISTER_ENV = "ISP_REGISTER"
ALLOWED_HOSTS_ENV = "ISP_ALLOWED_HOSTS"
FORM_SECRET_ENV = "ISP_FORM_SECRET"
HEADER_TIMEOUT_ENV = "ISP_HEADER_TIMEOUT"
BODY_TIMEOUT_ENV = "ISP_BODY_TIMEOUT"
SIGN_IN_ENV = "ISP_SIGN_IN"
SERVER_SETTINGS = (ALLOWED_HOSTS_ENV, FORM_SECRET_ENV, HEADER_TIMEOUT_ENV, BODY_TIMEOUT_ENV, SIGN_IN_ENV)
REGISTER_KEY_FILE_ENV = "ISP_REGISTER_KEY_FILE"
REGISTER_KEY_ENV = "ISP_REGISTER_KEY"
REGISTER_STATE_ENV = "ISP_REGISTER_STATE"
NO_CACHE_ENV = "ISP_NO_CACHE"
DEBUG_ENV = "ISP_DEBUG"
CACHE_HOME_ENV = "XDG_CACHE_HOME"
DATA_HOME_ENV = "XDG_DATA_HOME"
PYDANTIC_PLUGINS_ENV = "PYDANTIC_DISABLE_PLUGINS"

# Not an environment setting: the scenario library `isp test`, `isp diff` and `isp lint` read
# when none is named, relative to the current directory.
DEFAULT_SCENARIOS_DIR = Path("scenarios")


def _get(name: str) -> str | None:
    """The variable's value, or None when it is unset or empty."""
    return os.environ.get(name) or None


def server_setting(name: str) -> str | None:
    """One of `isp serve`'s settings for its workers (SERVER_SETTINGS), or None when unset."""
    if name not in SERVER_SETTINGS:
        raise ValueError(f"not a server setting: {name}")
    return _get(name)


def set_server_setting(name: str, value: str) -> None:
    """Hand one of `isp serve`'s settings to its worker processes, which start afresh."""
    if name not in SERVER_SETTINGS:
        raise ValueError(f"not a server setting: {name}")
    os.environ[name] = value


def register_key_file() -> Path | None:
    """The register's signing key file, if one is configured."""
    value = _get(REGISTER_KEY_FILE_ENV)
    return Path(value) if value else None


def register_key() -> str | None:
    """The register's signing key given as text in the environment, if any."""
    return _get(REGISTER_KEY_ENV)


def register_state_file() -> Path | None:
    """Where the signing key remembers the registers it signed, if set explicitly."""
    value = _get(REGISTER_STATE_ENV)
    return Path(value) if value else None


def _home() -> Path:
    return Path(os.path.expanduser("~"))


def bundled_rules_dir() -> Path:
    """The rules bundled in the installed package, else ./rulesets of a checkout."""
    here = Path(__file__).resolve().parent
    bundled = here / "_rulesets"
    if bundled.is_dir():
        return bundled
    return here.parent / "rulesets"


def default_rules_dir() -> Path:
    """$ISP_RULES_DIR, else the bundled rules (bundled_rules_dir)."""
    env = _get(RULES_DIR_ENV)
    return Path(env) if env else bundled_rules_dir()


def database_url() -> str | None:
    """$ISP_DATABASE_URL: the register every command and the web app share, when set."""
    return _get(DATABASE_URL_ENV)


def default_register_path() -> Path:
    """$ISP_REGISTER, else register.sqlite in the user's data directory."""
    env = _get(REGISTER_ENV)
    if env:
        return Path(env)
    base = _get(DATA_HOME_ENV)
    return (Path(base) if base else _home() / ".local" / "share") / "isp-rules" / "register.sqlite"


def cache_dir() -> Path:
    """Where the ruleset cache lives: $XDG_CACHE_HOME/isp-rules, else ~/.cache/isp-rules."""
    base = _get(CACHE_HOME_ENV)
    return (Path(base) if base else _home() / ".cache") / "isp-rules"


def cache_enabled() -> bool:
    """False when $ISP_NO_CACHE is set."""
    return _get(NO_CACHE_ENV) is None


def debug() -> bool:
    """True when $ISP_DEBUG is set: the CLI lets an internal error's traceback through."""
    return _get(DEBUG_ENV) is not None


def quiet_pydantic_plugins() -> None:
    """Turn pydantic's plugin lookup off (the CLI needs none), unless the user chose otherwise."""
    os.environ.setdefault(PYDANTIC_PLUGINS_ENV, "__all__")


def pass_to_workers(rules_dir: str, database_url: str | None = None) -> None:
    """Hand `isp serve`'s settings to its worker processes, which start afresh and read the
    environment (ISP_RULES_DIR, and ISP_DATABASE_URL when one is given)."""
    os.environ[RULES_DIR_ENV] = rules_dir
    if database_url:
        os.environ[DATABASE_URL_ENV] = database_url
