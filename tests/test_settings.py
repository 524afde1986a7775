"""Settings: each environment variable is read when it is set (at call time), and a default applies otherwise."""

import ast
import os
from pathlib import Path

import pytest
from conftest import ROOT

from isp_rules import settings

VARIABLES = ("ISP_RULES_DIR", "ISP_DATABASE_URL", "ISP_REGISTER", "ISP_NO_CACHE", "ISP_DEBUG", "XDG_CACHE_HOME",
             "XDG_DATA_HOME", "ISP_REGISTER_KEY_FILE", "ISP_REGISTER_KEY", "ISP_REGISTER_STATE",
             "ISP_ALLOWED_HOSTS", "ISP_FORM_SECRET", "ISP_HEADER_TIMEOUT", "ISP_BODY_TIMEOUT", "ISP_SIGN_IN")


@pytest.fixture
def env(monkeypatch, tmp_path):
    """A clean environment: none of the variables set, and a home of our own. Each variable is
    set first, so that monkeypatch restores it even when the code under test sets it directly."""
    for name in VARIABLES + ("PYDANTIC_DISABLE_PLUGINS",):
        monkeypatch.setenv(name, "")
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    return monkeypatch


def test_the_rules_directory(env, tmp_path):
    bundled = settings.bundled_rules_dir()
    assert bundled.is_dir() and (bundled / "ruleset.yaml").is_file()
    assert settings.default_rules_dir() == bundled
    env.setenv("ISP_RULES_DIR", str(tmp_path / "mine"))
    assert settings.default_rules_dir() == tmp_path / "mine"
    env.setenv("ISP_RULES_DIR", "")  # empty is unset
    assert settings.default_rules_dir() == bundled


def test_the_database_url(env):
    assert settings.database_url() is None
    env.setenv("ISP_DATABASE_URL", "postgresql://isp@db/isp")
    assert settings.database_url() == "postgresql://isp@db/isp"
    env.setenv("ISP_DATABASE_URL", "")
    assert settings.database_url() is None


def test_the_register_file(env, tmp_path):
    assert settings.default_register_path() == tmp_path / "home" / ".local" / "share" / "isp-rules" / "register.sqlite"
    env.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert settings.default_register_path() == tmp_path / "data" / "isp-rules" / "register.sqlite"
    env.setenv("ISP_REGISTER", str(tmp_path / "r.sqlite"))  # wins over the data directory
    assert settings.default_register_path() == tmp_path / "r.sqlite"


def test_the_cache(env, tmp_path):
    assert settings.cache_dir() == tmp_path / "home" / ".cache" / "isp-rules"
    env.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    assert settings.cache_dir() == tmp_path / "cache" / "isp-rules"
    assert settings.cache_enabled()
    env.setenv("ISP_NO_CACHE", "1")
    assert not settings.cache_enabled()
    env.setenv("ISP_NO_CACHE", "")
    assert settings.cache_enabled()


def test_debug(env):
    assert not settings.debug()
    env.setenv("ISP_DEBUG", "1")
    assert settings.debug()


def test_pydantic_plugins_are_turned_off_unless_the_user_chose(env):
    settings.quiet_pydantic_plugins()
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "__all__"
    env.setenv("PYDANTIC_DISABLE_PLUGINS", "logfire")
    settings.quiet_pydantic_plugins()
    assert os.environ["PYDANTIC_DISABLE_PLUGINS"] == "logfire"


def test_serve_hands_its_settings_to_the_workers(env, tmp_path):
    settings.pass_to_workers(str(tmp_path / "rules"))
    assert settings.default_rules_dir() == tmp_path / "rules"
    assert settings.database_url() is None
    settings.pass_to_workers(str(tmp_path / "rules"), "postgresql://isp@db/isp")
    assert settings.database_url() == "postgresql://isp@db/isp"


def test_the_library_follows_the_settings(env, tmp_path):
    """What reads a setting reads it through settings.py, at the time of the call."""
    from isp_rules.register import open_register

    env.setenv("ISP_REGISTER", str(tmp_path / "here.sqlite"))
    assert open_register().where == str(tmp_path / "here.sqlite")
    env.setenv("ISP_DATABASE_URL", str(tmp_path / "there.sqlite"))
    assert open_register().where == str(tmp_path / "there.sqlite")


def _reads_the_environment(path: Path) -> list[str]:
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        name = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(node, ast.Name) else None
        if name in ("environ", "getenv", "putenv", "expanduser"):
            found.append(f"{path.relative_to(ROOT)}:{node.lineno}: {name}")
    return found


def test_only_settings_reads_the_environment():
    package = ROOT / "isp_rules"
    offenders = [hit for path in sorted(package.rglob("*.py")) if path.name != "settings.py" or path.parent != package
                 for hit in _reads_the_environment(path)]
    assert offenders == []
