"""The ruleset cache is an optimisation only: same answers, never stale, never trusted blindly."""

import shutil

import pytest
from conftest import RULES

from isp_rules import load_ruleset
from isp_rules.errors import RulesetError
from isp_rules.loader import load_ruleset_cached
from isp_rules.settings import cache_dir


def test_a_cached_ruleset_equals_a_fresh_load(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    first = load_ruleset_cached(rules)
    entries = list(cache_dir().glob(f"ruleset-{first.sha256[:32]}-*.pickle"))
    assert len(entries) == 1
    second = load_ruleset_cached(rules)
    assert second == first == load_ruleset(rules)
    assert second.rule("LB-PA-LEGIT-001").citations


def test_an_edited_rule_file_is_never_served_stale(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    before = load_ruleset_cached(rules)
    path = rules / "principles.yaml"
    path.write_text(path.read_text().replace("Share only what the purpose needs", "Share only what is needed"))
    after = load_ruleset_cached(rules)
    assert after.sha256 != before.sha256
    assert after.rule("PR-MIN-001").title == "Share only what is needed"


def test_a_corrupt_entry_is_ignored_and_replaced(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    good = load_ruleset_cached(rules)
    (entry,) = cache_dir().glob(f"ruleset-{good.sha256[:32]}-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert load_ruleset_cached(rules) == good
    assert entry.read_bytes() != b"not a pickle"


def test_a_broken_ruleset_is_not_cached(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "bad.yaml").write_text("rules: [{id: X}]\n")
    with pytest.raises(RulesetError):
        load_ruleset_cached(rules)
    with pytest.raises(RulesetError):
        load_ruleset_cached(rules)


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("ISP_NO_CACHE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    load_ruleset_cached(RULES)
    assert not (tmp_path / "c").exists()


def test_the_cache_key_covers_the_code_of_everything_it_stores(ruleset):
    """An entry is keyed by the code that defines the objects in it: every isp_rules module a
    pickled ruleset refers to is one of the hashed sources (so a move or an edit never reads stale)."""
    import pickle
    import pickletools

    from isp_rules.loader import MODEL_SOURCES

    modules, strings = set(), []
    for op, arg, _ in pickletools.genops(pickle.dumps(ruleset, protocol=pickle.HIGHEST_PROTOCOL)):
        if op.name in ("SHORT_BINUNICODE", "BINUNICODE", "UNICODE"):
            strings.append(arg)
        elif op.name == "STACK_GLOBAL":
            modules.add(strings[-2])
        elif op.name == "GLOBAL":
            modules.add(arg.split()[0])
    ours = {m.removeprefix("isp_rules.") + ".py" for m in modules if m.startswith("isp_rules.")}
    assert ours >= {"ruleset.py", "facts.py"}
    assert ours <= set(MODEL_SOURCES)
    package = RULES.parent / "isp_rules"
    assert all((package / name).is_file() for name in MODEL_SOURCES)
