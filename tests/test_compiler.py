"""The compiler: a pure function from the rule AST to durable_rules JSON."""

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

from conftest import ROOT

from isp_rules.compiler import CATCH_ALL, MAX_RULES_PER_SET, compile_condition, compile_ruleset
from isp_rules.ruleset import All, Any_, Leaf, Not

RETENTION = Leaf("present", "share.handling.retention")
ROUTINE = Leaf("equals", "share.frequency", "routine")


def test_leaves():
    assert compile_condition(ROUTINE) == {"share__frequency": "routine"}
    assert compile_condition(RETENTION) == {"$ex": {"share__handling__retention": 1}}
    assert compile_condition(Leaf("in", "share.frequency", ("routine", "one_off"))) == {
        "$or": [{"share__frequency": "routine"}, {"share__frequency": "one_off"}]}
    assert compile_condition(Leaf("before", "as_of", dt.date(2026, 2, 5))) == {"$lt": {"as_of": 20260205}}
    assert compile_condition(Leaf("contains_any", "share.data.subjects", ("child",))) == {
        "$iany": {"share__data__subjects": {"$i": "child"}}}


def test_negation_is_pushed_to_the_leaves():
    cond = Not(All((ROUTINE, Not(RETENTION))))
    assert compile_condition(cond) == {"$or": [{"$neq": {"share__frequency": "routine"}},
                                               {"$ex": {"share__handling__retention": 1}}]}
    assert compile_condition(Not(Leaf("on_or_after", "as_of", dt.date(2026, 2, 5)))) == {"$lt": {"as_of": 20260205}}
    negated_list = compile_condition(Not(Leaf("contains_any", "share.data.subjects", ("child", "adult_at_risk"))))
    assert negated_list["$or"][0] == {"share__data__subjects__n": 0}  # $iall never matches an empty list


def test_empty_groups_are_constants():
    from isp_rules.compiler import FALSE, TRUE

    assert compile_condition(All(())) is TRUE
    assert compile_condition(Any_(())) is FALSE
    assert compile_condition(Not(All(()))) is FALSE


def test_the_ruleset_compiles_deterministically_with_a_versioned_name_and_catch_all(repo_ruleset):
    first = compile_ruleset(repo_ruleset)
    assert json.dumps(first, sort_keys=True) == json.dumps(compile_ruleset(repo_ruleset), sort_keys=True)
    assert all(name.startswith("isp_" + repo_ruleset.sha256[:16]) for name in first)
    every: set[str] = set()
    for rules in first.values():  # each chunk is a durable ruleset with its own catch-all
        assert rules[CATCH_ALL]["pri"] == 1000 and len(rules) <= MAX_RULES_PER_SET + 1
        every |= set(rules)
        for rule_name, rule in rules.items():
            assert rule["run"] == rule_name
            assert "isp__fact" in json.dumps(rule["all"])  # nothing can match a non-scenario fact
    assert every >= {r.key for r in repo_ruleset.rules} | {rid for rid, _ in repo_ruleset.pseudo_rules()}


def test_large_rulesets_are_split_into_chunks(repo_ruleset):
    many = repo_ruleset.model_copy(update={"rules": repo_ruleset.rules * 4})
    names = compile_ruleset(many)
    assert len(names) >= 2 and all(len(r) <= MAX_RULES_PER_SET + 1 for r in names.values())


def test_compiling_does_not_import_durable():
    code = ("import sys; from isp_rules import load_ruleset; from isp_rules.compiler import compile_ruleset;"
            f"compile_ruleset(load_ruleset({str(ROOT / 'rulesets')!r})); print('durable' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


def test_only_the_engine_module_imports_durable():
    package = Path(__import__("isp_rules").__file__).parent
    importers = sorted(p.name for p in package.glob("*.py") if "from durable" in p.read_text() or "import durable" in p.read_text())
    assert importers == ["engine.py"]
