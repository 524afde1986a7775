"""The ruleset cache is an optimisation only: same answers, never stale, never trusted blindly."""

import os
import shutil

import pytest
from conftest import ROOT, RULES

from isp_rules import load_ruleset
from isp_rules.errors import RulesetError
from isp_rules.loader import load_ruleset_cached, read_ruleset
from isp_rules.settings import cache_dir


@pytest.fixture(autouse=True)
def own_cache(tmp_path, monkeypatch):
    """Each test its own cache folder: entries other tests left for the same rules (by another
    loader) must not be counted here."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))


def test_a_cached_ruleset_equals_a_fresh_load(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    first = load_ruleset_cached(rules, read_ruleset)
    entries = list(cache_dir().glob(f"ruleset*-{first.sha256[:32]}-*.pickle"))
    assert len(entries) == 1
    second = load_ruleset_cached(rules, read_ruleset)
    assert second == first == load_ruleset(rules)
    assert second.rule("LB-PA-LEGIT-001").citations


def test_an_edited_rule_file_is_never_served_stale(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    before = load_ruleset_cached(rules, read_ruleset)
    path = rules / "principles.yaml"
    path.write_text(path.read_text().replace("Share only what the purpose needs", "Share only what is needed"))
    after = load_ruleset_cached(rules, read_ruleset)
    assert after.sha256 != before.sha256
    assert after.rule("PR-MIN-001").title == "Share only what is needed"


LOADS: list = []


def counting_load(directory):
    """read_ruleset, counted: whether the cache answered or the files were read."""
    LOADS.append(directory)
    return read_ruleset(directory)


def test_two_checkouts_of_the_same_rules_keep_a_slot_each(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(RULES, one)
    shutil.copytree(RULES, two)
    LOADS.clear()
    first, second = load_ruleset_cached(one, counting_load), load_ruleset_cached(two, counting_load)
    assert first.sha256 == second.sha256 and LOADS == [one, two]
    # Each answered from its own slot: neither evicted the other.
    assert load_ruleset_cached(one, counting_load).source == str(one)
    assert load_ruleset_cached(two, counting_load).source == str(two)
    assert LOADS == [one, two]
    assert len(list(cache_dir().glob("ruleset*.pickle"))) == 2


def test_an_edited_directory_replaces_its_entry_and_leaves_others(tmp_path):
    one, two = tmp_path / "one", tmp_path / "two"
    shutil.copytree(RULES, one)
    shutil.copytree(RULES, two)
    load_ruleset_cached(one, read_ruleset)
    load_ruleset_cached(two, read_ruleset)
    path = one / "principles.yaml"
    path.write_text(path.read_text().replace("Share only what the purpose needs", "Share only what is needed"))
    edited = load_ruleset_cached(one, read_ruleset)
    entries = sorted(cache_dir().glob("ruleset*.pickle"))
    assert len(entries) == 2  # one slot per directory: the old content's entry is gone
    assert any(e.name.split("-")[1] == edited.sha256[:32] for e in entries)
    assert load_ruleset_cached(two, read_ruleset).rule("PR-MIN-001").title != "Share only what is needed"


def test_the_compiled_rules_are_kept_beside_the_ruleset_as_the_engine_takes_them(tmp_path):
    import hashlib
    import json

    from isp_rules.assessment import _prepared, default_ruleset
    from isp_rules.compiler import compile_ruleset
    from isp_rules.engine import _keys, prepare
    from isp_rules.loader import MODEL_SOURCES, code_hash

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    ruleset = default_ruleset(rules)
    definition = compile_ruleset(ruleset)
    fresh = json.loads(json.dumps(prepare(definition)))
    # what the engine is given: each durable ruleset's conditions as JSON, its rules, the keys it reads
    for name, rules_of in definition.items():
        body = json.loads(fresh[name]["text"])
        assert body == {rule: {k: v for k, v in spec.items() if k != "run"} for rule, spec in rules_of.items()}
        assert fresh[name]["rules"] == sorted(rules_of)
        assert set(fresh[name]["reads"]) == _keys(body, set()) - {"sid"} and "share__purpose__category" in fresh[name]["reads"]
    assert _prepared(ruleset) == fresh  # written
    (entry,) = cache_dir().glob(f"engine-{ruleset.sha256[:32]}-*.json")
    # keyed by the code that writes it too: a new engine.prepare never reads an old entry
    assert entry.stem.endswith(code_hash()) and "engine.py" in MODEL_SOURCES
    def stored(path):
        digest, _, body = path.read_bytes().partition(b"\n")
        assert digest.decode() == hashlib.sha256(body).hexdigest()  # a line with the sha256 of the rest
        return json.loads(body)

    def signed(data) -> bytes:
        body = json.dumps(data).encode()
        return hashlib.sha256(body).hexdigest().encode() + b"\n" + body

    assert stored(entry) == fresh
    assert _prepared(ruleset) == fresh  # read back
    lost_keys = {name: {**ready, "reads": []} for name, ready in fresh.items()}  # every fact would lose its keys
    lost_group = dict(list(fresh.items())[1:])  # a group of rules would never fire
    for damaged in (b"{not json", json.dumps(fresh).encode(), signed({"isp_x_0": {"text": 1, "rules": [], "reads": []}}),
                    signed(definition), json.dumps(lost_keys).encode(), json.dumps(lost_group).encode(),
                    b"0" * 64 + b"\n" + json.dumps(fresh).encode()):
        entry.write_bytes(damaged)
        assert _prepared(ruleset) == fresh  # damaged, unsigned or old-style: compiled again, and replaced
        assert stored(entry) == fresh
    # A ruleset changed in memory keeps its directory's sha256: never served the file's rules.
    changed = ruleset.model_copy(update={"rules": ruleset.rules[:-1]})
    assert _prepared(changed) == prepare(compile_ruleset(changed)) != prepare(compile_ruleset(ruleset))


def test_a_corrupt_entry_is_ignored_and_replaced(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    good = load_ruleset_cached(rules, read_ruleset)
    (entry,) = cache_dir().glob(f"ruleset*-{good.sha256[:32]}-*.pickle")
    entry.write_bytes(b"not a pickle")
    assert load_ruleset_cached(rules, read_ruleset) == good
    assert entry.read_bytes() != b"not a pickle"


def test_a_broken_ruleset_is_not_cached(tmp_path):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    (rules / "bad.yaml").write_text("rules: [{id: X}]\n")
    with pytest.raises(RulesetError):
        load_ruleset_cached(rules, read_ruleset)
    with pytest.raises(RulesetError):
        load_ruleset_cached(rules, read_ruleset)


def test_the_cache_can_be_turned_off(tmp_path, monkeypatch):
    monkeypatch.setenv("ISP_NO_CACHE", "1")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "c"))
    load_ruleset_cached(RULES, read_ruleset)
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


BIG_RULE = """\
rules:
  - id: TEST-BIG-001
    title: A condition durable_rules cannot take
    when: {all: [ANYS]}
    effect: advice
    message: Too big.
    citations:
      - {source: UK GDPR, ref: "Art 5"}
"""


def test_an_entry_loaded_without_the_size_check_is_never_served_to_a_checked_load(tmp_path, monkeypatch):
    """read_ruleset does not ask the compiler whether durable_rules can take each condition
    (assessment.load_ruleset does): what it cached must not carry `isp check` past that check."""
    from click.testing import CliRunner

    from isp_rules.cli import cli

    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    rules = (tmp_path / "rules").resolve()
    shutil.copytree(RULES, rules)
    anys = ", ".join(f"{{any: [{{field: share.frequency, equals: routine}}, "
                     f"{{field: share.data.confidential, equals: {str(i % 2 == 0).lower()}}}]}}" for i in range(17))
    (rules / "big.yaml").write_text(BIG_RULE.replace("ANYS", anys))
    assert load_ruleset_cached(rules, read_ruleset).rule("TEST-BIG-001")  # loading alone does not compile
    scenario = RULES.parent / "scenarios" / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
    result = CliRunner().invoke(cli, ["check", "--rules", str(rules), str(scenario)])
    assert result.exit_code == 1, result.output
    assert f"{rules / 'big.yaml'}:4: rules[0].when: condition too complex for durable_rules" in result.output


def test_a_damaged_engine_entry_never_changes_a_decision(tmp_path):
    """A cached form of the rules that lost its keys or a group of rules would let rules silently
    not fire (a deny become allow): in a fresh process, a damaged entry is built again."""
    import hashlib
    import json
    import subprocess
    import sys

    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    scenario = str(ROOT / "scenarios" / "directory" / "discharge-list-sent-by-ordinary-email-against-the-agreement.yaml")
    env = {**os.environ, "XDG_CACHE_HOME": str(tmp_path / "cache")}
    for name in ("ISP_NO_CACHE", "ISP_RULES_DIR", "ISP_CACHE_HOME"):
        env.pop(name, None)

    def verdict() -> str:
        done = subprocess.run([sys.executable, "-m", "isp_rules", "check", "--format", "json", "--rules", str(rules),
                               scenario], capture_output=True, text=True, env=env, timeout=120, check=False)
        assert done.returncode == 0, done.stderr
        return json.loads(done.stdout)["verdict"]

    assert verdict() == "deny"  # and the entry is written
    (entry,) = (tmp_path / "cache" / "isp-rules").glob("engine-*.json")
    digest, _, body = entry.read_bytes().partition(b"\n")
    prepared = json.loads(body)
    emptied = json.dumps({name: {**ready, "reads": []} for name, ready in prepared.items()}).encode()
    entry.write_bytes(digest + b"\n" + emptied)  # the old digest no longer fits
    assert verdict() == "deny"
    entry.write_bytes(digest + b"\n" + json.dumps(dict(list(prepared.items())[1:])).encode())
    assert verdict() == "deny"
    # Signed, but durable cannot take it (as a future durable might refuse an old form): built again.
    unreadable = json.dumps({name: {**ready, "text": "not json"} for name, ready in prepared.items()}).encode()
    entry.write_bytes(hashlib.sha256(unreadable).hexdigest().encode() + b"\n" + unreadable)
    assert verdict() == "deny"
    assert json.loads(entry.read_bytes().partition(b"\n")[2]) == prepared  # and the entry replaced
