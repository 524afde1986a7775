"""The engine module: durable's C core called directly, a lock, one session per ruleset with each
fact retracted, recovery from a failure mid-assessment, and no leak over many assessments."""

import json
import threading

import pytest
from conftest import build

from isp_rules.assessment import assess, fire
from isp_rules.compiler import CATCH_ALL, compile_ruleset
from isp_rules.engine import ERROR_CODES, Engine, _translate, get_engine
from isp_rules.errors import EngineError
from isp_rules.facts import to_fact


def rss_kb() -> int:
    with open("/proc/self/statm") as handle:
        pages = int(handle.read().split()[1])
    import os
    return pages * os.sysconf("SC_PAGE_SIZE") // 1024


def test_ten_thousand_assessments_in_a_row_neither_crash_nor_grow(ruleset):
    variants = [build(), build(share__basis__article_6="legitimate_interests"), build(share__basis__article_6=...),
                build(share__purpose__category="safeguarding_child", share__urgency__risk="serious_or_imminent")]
    for i in range(500):
        assess(variants[i % 4], ruleset)
    before = rss_kb()
    verdicts = set()
    for i in range(10_000):  # more than 1,024 live sids would raise MemoryError if states leaked
        verdicts.add(assess(variants[i % 4], ruleset).verdict)
    grown_mb = (rss_kb() - before) / 1024
    assert verdicts == {"allow", "deny", "needs-agreement"}
    assert grown_mb < 25, f"RSS grew by {grown_mb:.1f} MB over 10,000 assessments"


def test_one_engine_per_process():
    assert get_engine() is get_engine()


def test_registration_is_idempotent_and_does_not_mutate_the_definition(ruleset):
    engine = get_engine()
    definition = compile_ruleset(ruleset)
    frozen = json.dumps(definition, sort_keys=True)
    names = engine.register(definition)
    assert engine.register(definition) == names
    assert json.dumps(definition, sort_keys=True) == frozen


def test_two_versions_of_a_ruleset_live_side_by_side(ruleset):
    other = ruleset.model_copy(update={"sha256": "0" * 64, "rules": ruleset.rules[:5]})
    fact = to_fact(build(share__basis__article_6="legitimate_interests"), phrases=ruleset.phrases)
    full, small = fire(ruleset, fact), fire(other, fact)
    assert "LB-PA-LEGIT-001" in full and "LB-PA-LEGIT-001" not in small
    assert small and small < full
    assert small == fire(other, fact, "interpreter")


def test_concurrent_threads_get_the_same_answers_as_one_thread(ruleset):
    scenarios = [build(), build(share__basis__article_6="legitimate_interests"), build(share__frequency="routine")]
    expected = [assess(s, ruleset).verdict for s in scenarios]
    errors = []

    def worker():
        try:
            for i in range(150):
                assert assess(scenarios[i % 3], ruleset).verdict == expected[i % 3]
        except BaseException as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors


class _FailingOnce:
    """durable's core, except that one call fails once as the real core can (a bare Exception
    with a numeric code)."""

    def __init__(self, core, failing: str):
        self._core, self._failing, self.failed = core, failing, False

    def __getattr__(self, name):
        real = getattr(self._core, name)
        if name != self._failing:
            return real

        def once(*args):
            if not self.failed:
                self.failed = True
                raise Exception("Could not complete action, error code: 307")  # noqa: TRY002 - as durable raises
            return real(*args)
        return once


@pytest.mark.parametrize("failing", ["start_action_for_state", "complete_and_start_action", "retract_fact"])
def test_a_failure_mid_assessment_leaves_the_engine_clean(ruleset, failing):
    """Whatever fails between asserting a fact and retracting it, the error is said in words and
    the same fact is assessed correctly next time (no "already observed", no stale rule)."""
    engine = Engine()
    names = engine.register(compile_ruleset(ruleset))
    fact = to_fact(build(), phrases=ruleset.phrases)
    expected = engine.fire(names, fact)
    engine._core = _FailingOnce(engine._core, failing)
    with pytest.raises(EngineError, match=r"node deleted \(durable_rules error 307\)"):
        engine.fire(names, fact)
    assert engine._core.failed
    assert engine.fire(names, fact) == expected
    other = to_fact(build(share__basis__article_6="legitimate_interests"), phrases=ruleset.phrases)
    assert engine.fire(names, other) - {CATCH_ALL} == fire(ruleset, other, "interpreter")


def test_a_fact_no_rule_handles_fires_nothing_and_leaks_nothing(ruleset):
    """Before, each such call left a session behind and the 1,024th crashed the process."""
    for _ in range(2_000):
        assert fire(ruleset, {"x": 1}) == set()
    fact = to_fact(build(), phrases=ruleset.phrases)
    assert fire(ruleset, fact) == fire(ruleset, fact, "interpreter")


def test_the_same_fact_can_be_assessed_again_and_again(ruleset):
    fact = to_fact(build(), phrases=ruleset.phrases)
    first = fire(ruleset, fact)
    assert all(fire(ruleset, fact) == first for _ in range(2_000))


def test_a_rule_must_run_the_action_named_after_it():
    with pytest.raises(EngineError, match="must run the action named after it"):
        Engine().register({"isp_misnamed_0": {"R-1": {"all": [{"m": {"isp__fact": 1}}], "run": "R-2"}}})


def test_numeric_errors_are_translated():
    err = _translate(Exception("Could not assert fact, error code: 302"), "assessing a scenario")
    assert "too many properties" in str(err) and "durable_rules error 302" in str(err)
    assert "unknown error" in str(_translate(Exception("error code: 999"), "x"))
    assert 101 in ERROR_CODES and 113 in ERROR_CODES


def test_the_translation_table_matches_the_real_engine():
    """A rule with too many groups really fails with 113, and is said in words."""
    ors = [{"$or": [{"a": i}, {"b": i}]} for i in range(20)]
    definition = {"isp_toobig_0": {"R-1": {"all": [{"m": {"$and": [{"isp__fact": 1}] + ors}}], "run": "R-1"}}}
    with pytest.raises(EngineError, match=r"too many all/any groups \(durable_rules error 113\)"):
        Engine().register(definition)


def test_a_bad_definition_becomes_an_engine_error():
    engine = Engine()
    with pytest.raises(EngineError, match="rules engine failed while loading the ruleset"):
        engine.register({"isp_bad_0": {"R-1": {"all": [{"m": {"$nosuchop": {"x": 1}}}], "run": "R-1"}}})


def test_too_many_properties_is_refused_before_durable_sees_it(ruleset):
    engine = get_engine()
    names = engine.register(compile_ruleset(ruleset))
    fact = {f"k{i}": i for i in range(300)} | {"isp__fact": 1, "as_of": 20261201}
    with pytest.raises(EngineError, match="at most 255"):
        engine.fire(names, fact)


def test_three_thousand_rules_load_and_fire_as_the_interpreter_says(ruleset):
    """durable's create_ruleset hangs at about 1,825 rules in one ruleset; the compiler's split
    keeps every ruleset small, so a partnership's large ruleset still loads and decides."""
    from isp_rules.interpret import fired_rules

    copies = [rule.model_copy(update={"id": f"{rule.id}-{n}"}) for n in range(11) for rule in ruleset.rules]
    big = ruleset.model_copy(update={"rules": copies[:3_000], "sha256": "3" * 64})
    assert len(big.rules) == 3_000
    engine = Engine()
    names = engine.register(compile_ruleset(big))
    assert len(names) >= 20
    for scenario in (build(), build(share__basis__article_6="legitimate_interests"),
                     build(share__purpose__category="safeguarding_child", share__urgency__risk="serious_or_imminent")):
        fact = to_fact(scenario, phrases=big.phrases)
        fired = engine.fire(names, fact) - {CATCH_ALL}
        assert fired == fired_rules(big, fact)
        copies_fired = {k.rsplit("-", 1)[1] for k in fired if not k.startswith("POINT-")}
        assert len(copies_fired) >= 9, copies_fired  # copies in every part of the split really fire
