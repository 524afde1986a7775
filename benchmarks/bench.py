"""Speed and memory figures for isp-rules. Prints numbers; asserts nothing about the clock.

    python benchmarks/bench.py [--seconds 3] [--runs 10]

1. warm decisions per second over the scenario library (assess(), durable_rules path);
2. the ratio of a full assess() to raw durable_rules assert_fact + delete_state on the
   same compiled ruleset and the same facts;
3. the cold wall time of `isp check` on one scenario, against the import floor
   `python -c "import pydantic, click, yaml, durable.engine"`, timed side by side;
4. peak RSS of this process and of the `isp check` child.
"""

from __future__ import annotations

import argparse
import copy
import os
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from isp_rules import assess, default_ruleset, load_scenario
from isp_rules.authoring.testing import find_scenarios
from isp_rules.compiler import compile_ruleset
from isp_rules.facts import to_fact

EXAMPLE = ROOT / "scenarios" / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"


def timed_loop(func, items, seconds: float) -> tuple[int, float]:
    """Run func over items round-robin for about `seconds`; returns (calls, elapsed)."""
    count, start = 0, time.perf_counter()
    while True:
        for item in items:
            func(item)
        count += len(items)
        elapsed = time.perf_counter() - start
        if elapsed >= seconds:
            return count, elapsed


def raw_durable(ruleset, facts, seconds: float) -> tuple[int, float]:
    """assert_fact + delete_state on a plain durable Host: the floor assess() is measured against."""
    from durable.engine import Host

    class RawHost(Host):
        def _run(self):  # no timer threads, as in isp_rules.engine
            pass

        def get_action(self, name):
            fired = []

            def action(c):
                fired.append(name)
            return action

    host = RawHost()
    definition = compile_ruleset(ruleset)
    host.set_rulesets(copy.deepcopy(definition))
    names = list(definition)
    counter = [0]

    def once(fact):
        for name in names:
            counter[0] += 1
            sid = str(counter[0])
            host.assert_fact(name, {**fact, "sid": sid})
            host.delete_state(name, sid)

    return timed_loop(once, facts, seconds)


def cold(args: list[str], runs: int) -> list[float]:
    """Wall times of `runs` fresh processes."""
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
        out.append(time.perf_counter() - start)
    return out


# A child's ru_maxrss on Linux starts from its parent's high-water mark (it survives fork
# and exec), so the child reports its own VmHWM from /proc instead.
_HWM = ("import atexit, sys\n"
        "def hwm():\n"
        "    line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "    sys.stderr.write('HWM ' + line.split()[1] + '\\n')\n"
        "atexit.register(hwm)\n")


def peak_mb(code: str, argv: list[str]) -> float:
    proc = subprocess.run([sys.executable, "-c", _HWM + code, *argv], check=False, stdout=subprocess.DEVNULL,
                          stderr=subprocess.PIPE, text=True)
    kb = [int(line.split()[1]) for line in proc.stderr.splitlines() if line.startswith("HWM ")]
    return kb[-1] / 1024 if kb else float("nan")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=3.0, help="time per warm measurement")
    parser.add_argument("--runs", type=int, default=10, help="cold runs of each command")
    opts = parser.parse_args()

    ruleset = default_ruleset()
    scenarios = [load_scenario(p) for p in find_scenarios([ROOT / "scenarios"])]
    facts = [to_fact(s, phrases=ruleset.phrases) for s in scenarios]
    for s in scenarios:  # warm up: register the ruleset, fill caches
        assess(s, ruleset)

    n, t = timed_loop(lambda s: assess(s, ruleset), scenarios, opts.seconds)
    assess_us = t / n * 1e6
    print(f"scenario library: {len(scenarios)} scenarios, {len(ruleset.rules)} rules")
    print(f"warm assess():            {n / t:10,.0f} decisions/s  ({assess_us:.0f} us each)")

    n_raw, t_raw = raw_durable(ruleset, facts, opts.seconds)
    raw_us = t_raw / n_raw * 1e6
    print(f"raw durable assert+delete:{n_raw / t_raw:10,.0f} facts/s      ({raw_us:.0f} us each)")
    print(f"assess() / raw durable:   {assess_us / raw_us:10.2f}x  (aim: within 2x)")

    isp = shutil.which("isp", path=os.path.dirname(sys.executable)) or shutil.which("isp")
    floor_cmd = [sys.executable, "-c", "import pydantic, click, yaml, durable.engine"]
    check_cmd = [isp, "check", str(EXAMPLE)] if isp else [sys.executable, "-m", "isp_rules", "check", str(EXAMPLE)]
    floor, check = [], []
    for _ in range(opts.runs):  # side by side, alternating, so machine noise hits both
        floor += cold(floor_cmd, 1)
        check += cold(check_cmd, 1)
    f_med, c_med = statistics.median(floor), statistics.median(check)
    print(f"cold import floor:        {f_med * 1000:10.0f} ms (median of {opts.runs})")
    print(f"cold isp check:           {c_med * 1000:10.0f} ms (median of {opts.runs})")
    print(f"isp check / import floor: {c_med / f_med:10.2f}x  (aim: within 1.5x)")

    self_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS, this process:   {self_mb:10.1f} MB  (warm loops over the library)")
    floor_mb = peak_mb("import pydantic, click, yaml, durable.engine", [])
    check_mb = peak_mb("import sys; sys.argv[0] = 'isp'; from isp_rules.cli import main; main()", ["check", str(EXAMPLE)])
    print(f"peak RSS, import floor:   {floor_mb:10.1f} MB")
    print(f"peak RSS, isp check:      {check_mb:10.1f} MB  (aim: under 150 MB)")


if __name__ == "__main__":
    main()
