"""Speed and memory of isp-rules, each figure a ratio to references measured in the same run.

    python benchmarks/bench.py                  # about 3 minutes on a busy 2-CPU machine
    python benchmarks/bench.py --compare REV    # the same figures for another commit, side by side
    python benchmarks/bench.py --quick          # a tiny run that only shows every figure is produced

A busy machine makes absolute times meaningless, so every measurement is interleaved with its
references (A B C D A B C D ...) and reported as a median with its spread (lowest-highest), and
every figure is a ratio to something measured in the same run:

1. warm assess() per scenario over the library, against
   - raw durable: `assert_fact` + `delete_state` through durable.engine's Host, on the same
     compiled ruleset and the same facts (what using durable_rules as documented costs);
   - durable's C core called bare: the calls isp_rules' engine makes, with nothing around them;
   - closures: Python closures built from the same conditions (interpret.py's data), the floor
     of plain Python.
   Each reference must fire exactly the rules the interpreter says on every scenario (a line
   says so); a reference that fires something else would make its ratio meaningless.
   Rule-count scaling repeats these at 1,000 and 3,000 rules (copies of the bundled rules with
   new ids, as tests/test_engine.py makes them).
2. cold `isp check` on one scenario against the import floor
   (`python -c "import pydantic, click, yaml, durable_rules_engine"`), run alternately, at 121
   rules (the bundled ruleset) and at 1,000 and 3,000 (synthetic rulesets written as YAML files,
   loaded with --rules). One untimed run first fills the ruleset cache and writes .pyc files;
   the report says whether they were there before.
3. `isp test` over 10,000 scenario files (copies of the library, each in its own folder so its
   id still matches its file name): wall time and the child's peak memory (VmHWM).
4. --compare REV: a git worktree of REV in a temporary folder; its figures are measured by the
   same code, in worker processes whose PYTHONPATH is that worktree (same interpreter, same
   libraries), interleaved with this tree's, and printed side by side with the ratio NEW/OLD.
   The worktree is removed afterwards.

Each tree gets its own ruleset cache folder, so two checkouts never evict each other's entry.
Asserts nothing about the clock; exits 1 only if a reference disagrees with the interpreter or
a command fails.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
EXAMPLE = Path("scenarios") / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
FLOOR_IMPORTS = "import pydantic, click, yaml, durable_rules_engine"
METHODS = ("assess", "host", "core", "closures")
METHOD_NAMES = {"assess": "warm assess()", "host": "raw durable (Host)", "core": "durable C core bare",
                "closures": "closure floor"}

# The figure lines every run prints, in order (tests/test_benchmarks.py checks each appears).
FIGURES = (
    "agreement",
    "warm assess()",
    "raw durable (Host)",
    "durable C core bare",
    "closure floor",
    "assess / raw durable",
    "assess / C core bare",
    "assess / closure floor",
    "C core / raw durable",
    "scaling",
    ".pyc files",
    "import floor",
    "cold isp check",
    "isp check / import floor",
    "isp test",
    "isp test peak memory",
)


# --- the worker: measures one tree in its own process --------------------------------------
# Run as `bench.py --worker` with PYTHONPATH set to a checkout and that checkout as the working
# folder, so `isp_rules` is that checkout's. Reads one JSON command a line, answers one a line.

_MISSING = object()


def _leaf_test(op: str, value: Any) -> Callable[[Any], bool]:
    """A leaf's test on a value that is known (the field is in the fact)."""
    from isp_rules.facts import date_number

    if op == "equals":
        kind = type(value)
        return lambda a: bool(a == value and type(a) is kind)
    if op == "in":
        return lambda a: a in value
    if op == "contains_any":
        return lambda a: any(x in a for x in value)
    if op == "before":
        day = date_number(value)
        return lambda a: bool(a < day)
    if op == "on_or_after":
        day = date_number(value)
        return lambda a: bool(a >= day)
    raise ValueError(f"unknown condition op {op!r}")


def _closure(cond: Any, classes: dict[str, Any]) -> tuple[Callable[[dict], bool], Callable[[dict], bool]]:
    """(known to hold, known not to hold) as plain Python closures over a fact: the same
    three-valued logic as the interpreter, with nothing interpreted at run time."""
    from isp_rules.facts import fact_key

    if isinstance(cond, classes["Leaf"]):
        key, op, value = fact_key(cond.field), cond.op, cond.value
        if op in ("present", "absent"):
            def has(f: dict, k: str = key) -> bool:
                return k in f

            def lacks(f: dict, k: str = key) -> bool:
                return k not in f
            return (has, lacks) if op == "present" else (lacks, has)
        if op == "mentions":
            # The phrases found are in the fact already (to_fact), as durable reads them.
            wanted = frozenset(value)
            mentioned = key + "__mentions"

            def true(f: dict, k: str = key, m: str = mentioned, w: frozenset = wanted) -> bool:
                return k in f and not w.isdisjoint(f.get(m, ()))

            def false(f: dict, k: str = key, m: str = mentioned, w: frozenset = wanted) -> bool:
                return k in f and w.isdisjoint(f.get(m, ()))
            return true, false
        test = _leaf_test(op, value)

        def known_true(f: dict, k: str = key, t: Callable = test) -> bool:
            a = f.get(k, _MISSING)
            return a is not _MISSING and t(a)

        def known_false(f: dict, k: str = key, t: Callable = test) -> bool:
            a = f.get(k, _MISSING)
            return a is not _MISSING and not t(a)
        return known_true, known_false
    if isinstance(cond, classes["Not"]):
        t, f = _closure(cond.item, classes)
        return f, t
    if isinstance(cond, classes["NotTrue"]):
        inner, _ = _closure(cond.item, classes)

        def not_known(fact: dict, i: Callable = inner) -> bool:
            return not i(fact)
        return not_known, inner
    kids = [_closure(c, classes) for c in cond.items]
    trues, falses = tuple(k[0] for k in kids), tuple(k[1] for k in kids)
    if isinstance(cond, classes["All"]):
        def all_true(f: dict, ts: tuple = trues) -> bool:
            return all(t(f) for t in ts)

        def any_false(f: dict, fs: tuple = falses) -> bool:
            return any(x(f) for x in fs)
        return all_true, any_false

    def any_true(f: dict, ts: tuple = trues) -> bool:
        return any(t(f) for t in ts)

    def all_false(f: dict, fs: tuple = falses) -> bool:
        return all(x(f) for x in fs)
    return any_true, all_false


def closure_evaluator(ruleset: Any) -> Callable[[dict], set[str]]:
    """Every rule and pseudo-rule of the ruleset as one closure; returns the keys that fire."""
    import isp_rules.ruleset as model
    from isp_rules.facts import date_number

    classes = {name: getattr(model, name) for name in ("Leaf", "Not", "NotTrue", "All")}
    tests: list[tuple[str, Callable[[dict], bool]]] = []
    for rule in ruleset.rules:
        t, _ = _closure(rule.when, classes)
        window = rule.in_force
        low = date_number(window.from_) if window is not None and window.from_ is not None else None
        high = date_number(window.until) if window is not None and window.until is not None else None
        if low is None and high is None:
            tests.append((rule.key, t))
        else:
            def windowed(f: dict, t: Callable = t, lo: int | None = low, hi: int | None = high) -> bool:
                day = f["as_of"]
                return (lo is None or day >= lo) and (hi is None or day < hi) and t(f)
            tests.append((rule.key, windowed))
    for rid, cond in ruleset.pseudo_rules():
        tests.append((rid, _closure(cond, classes)[0]))

    def fire(fact: dict) -> set[str]:
        return {key for key, t in tests if t(fact)}
    return fire


_FIRST_KEY = re.compile(r'\{"((?:[^"\\]|\\.)*)"')


def bare_core(definition: dict[str, dict[str, Any]], prefix: str) -> Callable[[dict], set[str]]:
    """durable's C core called as isp_rules' engine calls it (one session, each fact asserted,
    its actions read by rule name, then retracted), with no lock, checks or recovery."""
    import durable_rules_engine as core

    handles = []
    for name, rules in definition.items():
        body = {rule: {k: v for k, v in spec.items() if k != "run"} for rule, spec in rules.items()}
        handles.append(core.create_ruleset(f"{prefix}{name}", json.dumps(body)))

    def fire(fact: dict) -> set[str]:
        text = json.dumps({**fact, "sid": "bench"})
        fired: set[str] = set()
        for handle in handles:
            result = core.assert_fact(handle, text)
            if result[0] == 1:
                continue
            started = core.start_action_for_state(handle, result[1]) if result[0] == 0 else None
            message = started[1] if started else None
            while message:
                match = _FIRST_KEY.match(message)
                assert match is not None, message
                fired.add(json.loads(f'"{match.group(1)}"'))
                message = core.complete_and_start_action(handle, result[1])
            core.retract_fact(handle, text)
        return fired
    return fire


def raw_host(definition: dict[str, dict[str, Any]], prefix: str) -> Callable[[dict], set[str]]:
    """durable_rules used as documented: a Host, assert_fact then delete_state, a fresh sid each."""
    import copy

    from durable.engine import Host

    fired: set[str] = set()

    class RawHost(Host):
        def _run(self) -> None:  # no timer threads
            pass

        def get_action(self, name: str) -> Callable[[Any], None]:
            def action(c: Any) -> None:
                fired.add(name)
            return action

    host = RawHost()
    renamed = {f"{prefix}{name}": rules for name, rules in copy.deepcopy(definition).items()}
    host.set_rulesets(renamed)
    names = list(renamed)
    counter = [0]

    def fire(fact: dict) -> set[str]:
        fired.clear()
        for name in names:
            counter[0] += 1
            sid = str(counter[0])
            host.assert_fact(name, {**fact, "sid": sid})
            host.delete_state(name, sid)
        return set(fired)
    return fire


class Worker:
    """The figures of one tree, measured in this process."""

    def __init__(self) -> None:
        self.methods: dict[tuple[str, str], Callable[[], None]] = {}
        self.items: dict[str, int] = {}

    def count(self) -> dict[str, Any]:
        from isp_rules import default_ruleset

        return {"rules": len(default_ruleset().rules)}

    def setup(self, jobs: dict[str, list[Any]], limit: int) -> dict[str, Any]:
        """Prepare every method for each job: key -> [rules folder (None: the bundled rules),
        whether to use an evenly spread subset of `limit` scenarios instead of the whole library]."""
        from isp_rules import assess, default_ruleset, load_scenario
        from isp_rules.compiler import CATCH_ALL, compile_ruleset
        from isp_rules.facts import to_fact
        from isp_rules.interpret import fired_rules

        paths = sorted(p for p in Path("scenarios").rglob("*.yaml"))
        scenarios = [load_scenario(p) for p in paths]
        subset = scenarios[::max(1, len(scenarios) // limit)][:limit] if limit else scenarios
        out: dict[str, Any] = {"scenarios": len(scenarios), "jobs": {}}
        prepared: dict[str | None, tuple[Any, dict[str, Callable]]] = {}
        for key, (folder, partial) in jobs.items():
            if folder not in prepared:
                ruleset = default_ruleset(folder)
                definition = compile_ruleset(ruleset)
                prefix = f"bench_{len(prepared)}_"
                prepared[folder] = ruleset, {"host": raw_host(definition, prefix + "host_"),
                                             "core": bare_core(definition, prefix + "core_"),
                                             "closures": closure_evaluator(ruleset)}
            ruleset, evaluators = prepared[folder]
            chosen = subset if partial else scenarios
            facts = [to_fact(s, phrases=ruleset.phrases) for s in chosen]
            disagree = {name: 0 for name in evaluators}
            fired = []
            for fact in facts:  # a reference that fires other rules measures something else
                expected = fired_rules(ruleset, fact)
                fired.append(len(expected))
                for name, fire in evaluators.items():
                    if fire(fact) - {CATCH_ALL} != expected:
                        disagree[name] += 1
            for s in chosen:  # warm up: register the ruleset, fill caches
                assess(s, ruleset)

            def run_assess(chosen: list = chosen, ruleset: Any = ruleset) -> None:
                for s in chosen:
                    assess(s, ruleset)
            self.methods[(key, "assess")] = run_assess
            for name, fire in evaluators.items():
                def run(fire: Callable = fire, facts: list = facts) -> None:
                    for fact in facts:
                        fire(fact)
                self.methods[(key, name)] = run
            self.items[key] = len(chosen)
            out["jobs"][key] = {"rules": len(ruleset.rules), "scenarios": len(chosen), "disagree": disagree,
                                "fired": statistics.mean(fired)}
        return out

    def round(self, key: str, method: str) -> dict[str, Any]:
        """One pass over the job's scenarios; seconds per scenario."""
        run = self.methods[(key, method)]
        start = time.perf_counter()
        run()
        return {"seconds": (time.perf_counter() - start) / self.items[key]}


def worker_main() -> None:
    worker = Worker()
    for line in sys.stdin:
        command = json.loads(line)
        try:
            answer = getattr(worker, command.pop("do"))(**command)
        except Exception as exc:  # noqa: BLE001  (reported to the parent, which prints it)
            answer = {"error": f"{type(exc).__name__}: {exc}"}
        sys.stdout.write(json.dumps(answer) + "\n")
        sys.stdout.flush()


# --- the parent: orchestrates trees, interleaves, prints ------------------------------------

@dataclass
class Tree:
    label: str  # "new" (this checkout) or the compared revision
    root: Path
    cache: Path
    proc: subprocess.Popen | None = None
    info: dict[str, Any] = field(default_factory=dict)
    warm: dict[tuple[str, str], list[float]] = field(default_factory=dict)
    cold: dict[str, list[float]] = field(default_factory=dict)
    test: dict[str, Any] = field(default_factory=dict)
    pyc: str = ""

    @property
    def env(self) -> dict[str, str]:
        # The tree's own package first; its own ruleset cache so two trees never evict each other.
        env = {k: v for k, v in os.environ.items() if k not in ("ISP_RULES_DIR", "ISP_NO_CACHE", "PYTHONDONTWRITEBYTECODE")}
        return {**env, "PYTHONPATH": str(self.root), "XDG_CACHE_HOME": str(self.cache)}

    def ask(self, **command: Any) -> dict[str, Any]:
        if self.proc is None:
            self.proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), "--worker"], cwd=self.root,
                                         env=self.env, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
        assert self.proc.stdin is not None and self.proc.stdout is not None
        self.proc.stdin.write(json.dumps(command) + "\n")
        self.proc.stdin.flush()
        line = self.proc.stdout.readline()
        if not line:
            raise SystemExit(f"bench: the worker for {self.label} stopped (see its error above)")
        answer: dict[str, Any] = json.loads(line)
        return answer

    def close(self) -> None:
        if self.proc is not None:
            self.proc.stdin.close()  # type: ignore[union-attr]
            self.proc.wait(30)
            self.proc = None

    def run(self, args: list[str], **kw: Any) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, *args], cwd=self.root, env=self.env, check=False,
                              capture_output=True, text=True, **kw)


def _pyc_current(source: Path) -> bool:
    """Whether Python would use the source's cached .pyc: this interpreter's magic number and
    the source's own modification time and size in its header (PEP 552, unhashed)."""
    try:
        head = Path(importlib.util.cache_from_source(str(source))).read_bytes()[:16]
    except OSError:
        return False
    stat = source.stat()
    return (head[:4] == importlib.util.MAGIC_NUMBER and int.from_bytes(head[4:8], "little") == 0
            and int.from_bytes(head[8:12], "little") == int(stat.st_mtime) & 0xFFFFFFFF
            and int.from_bytes(head[12:16], "little") == stat.st_size & 0xFFFFFFFF)


def pyc_state(root: Path) -> str:
    """How many of the package's modules have a current .pyc for this interpreter."""
    modules = sorted((root / "isp_rules").rglob("*.py"))
    return f"{sum(map(_pyc_current, modules))} of {len(modules)}"


# A child's ru_maxrss on Linux starts from its parent's high-water mark (it survives fork and
# exec), so the child reports its own VmHWM from /proc instead.
_HWM = ("import atexit, sys\n"
        "def hwm():\n"
        "    line = next(l for l in open('/proc/self/status') if l.startswith('VmHWM'))\n"
        "    sys.stderr.write('HWM ' + line.split()[1] + '\\n')\n"
        "atexit.register(hwm)\n")
_ISP = "import sys; sys.argv[0] = 'isp'; from isp_rules.cli import main; main()"


def write_rules(tree: Tree, base: Path, size: int, folder: Path) -> Path:
    """The tree's bundled rules plus copies of its rules under new ids, up to `size` rules, as
    YAML files the loader reads (one extra file per round of copies)."""
    import yaml

    target = folder / f"rules-{tree.label}-{size}"
    shutil.copytree(base, target)
    raw: list[dict[str, Any]] = []
    for path in sorted(base.glob("*.yaml")):
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        if isinstance(data, dict) and isinstance(data.get("rules"), list):
            raw += [r for r in data["rules"] if "commencement" not in r]  # pending rules never count
    have = tree.info["rules"]
    n = 0
    while have < size:
        n += 1
        batch = [{**r, "id": f"{r['id']}-S{n}"} for r in raw[:size - have]]
        (target / f"synthetic-{n}.yaml").write_text(
            yaml.safe_dump({"topic": f"synthetic-{n}", "title": f"Copies of the rules, round {n}", "rules": batch},
                           sort_keys=False, allow_unicode=True), encoding="utf-8")
        have += len(batch)
    return target


def write_library(count: int, folder: Path) -> Path:
    """`count` scenario files: copies of the library, one folder per round of copies."""
    library = sorted((ROOT / "scenarios").rglob("*.yaml"))
    target = folder / "library"
    for i in range(count):
        source = library[i % len(library)]
        dest = target / f"copy-{i // len(library):04d}" / source.parent.name / source.name
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, dest)
    return target


def spread(values: list[float], scale: float = 1.0, unit: str = "") -> str:
    return (f"{statistics.median(values) * scale:,.1f} {unit} "
            f"({min(values) * scale:,.1f}-{max(values) * scale:,.1f}, n={len(values)})")


def verdict(ratio: float, aim: float | None) -> str:
    if aim is None:
        return "no aim"
    return f"aim <= {aim:g}x: {'met' if ratio <= aim else 'NOT met'}"


@contextlib.contextmanager
def worktree(rev: str, folder: Path) -> Iterator[Path]:
    path = folder / "compare"
    done = subprocess.run(["git", "-C", str(ROOT), "worktree", "add", "--detach", str(path), rev],
                          capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench: cannot check out {rev}: {done.stderr.strip().splitlines()[-1]}")
    try:
        yield path
    finally:
        subprocess.run(["git", "-C", str(ROOT), "worktree", "remove", "--force", str(path)], capture_output=True,
                       check=False)
        subprocess.run(["git", "-C", str(ROOT), "worktree", "prune"], capture_output=True, check=False)


def measure(trees: list[Tree], opts: argparse.Namespace, folder: Path) -> None:
    sizes: list[int] = opts.sizes  # 0 stands for the bundled rules
    folders: dict[str, dict[int, Path | None]] = {}
    for tree in trees:
        tree.pyc = pyc_state(tree.root)  # before anything of the tree is imported
        tree.info = tree.ask(do="count")
        if "error" in tree.info:
            raise SystemExit(f"bench: {tree.label}: {tree.info['error']}")
        folders[tree.label] = {size: write_rules(tree, tree.root / "rulesets", size, folder) if size else None
                               for size in sizes}
        # The library figures over every scenario; scaling over the same spread subset at each size.
        jobs = {"library": [None, False]} | {str(k): [str(v) if v else None, True] for k, v in folders[tree.label].items()}
        info = tree.ask(do="setup", jobs=jobs, limit=opts.limit)
        if "error" in info:
            raise SystemExit(f"bench: {tree.label}: {info['error']}")
        tree.info.update(info)

    # 1. warm, interleaved: every round runs each method of each tree once, in turn.
    keys = ["library", *map(str, sizes)]
    for _ in range(opts.rounds):
        for key in keys:
            for tree in trees:
                for method in METHODS:
                    answer = tree.ask(do="round", key=key, method=method)
                    tree.warm.setdefault((key, method), []).append(answer["seconds"])

    for tree in trees:  # the workers' memory is not needed any more
        tree.close()

    # 2. cold: the floor and `isp check` at each size, alternately, after one untimed run each.
    commands: dict[str, dict[str, list[str]]] = {}
    for tree in trees:
        commands[tree.label] = {"floor": ["-c", FLOOR_IMPORTS]}
        for size in sizes:
            rules_folder = folders[tree.label][size]
            rules = ["--rules", str(rules_folder)] if rules_folder else []
            commands[tree.label][f"check {size}"] = ["-m", "isp_rules", "check", *rules, str(EXAMPLE)]
        for name, args in commands[tree.label].items():  # fills the cache and writes .pyc files
            done = tree.run(args)
            if done.returncode != 0 and "Traceback" in done.stderr:
                raise SystemExit(f"bench: {tree.label}: {name} failed:\n{done.stderr[-2000:]}")
            tree.cold.setdefault(f"exit {name}", []).append(done.returncode)
        tree.pyc += f" before; {pyc_state(tree.root)} after the untimed runs"
    for _ in range(opts.runs):
        for tree in trees:
            for name, args in commands[tree.label].items():
                start = time.perf_counter()
                tree.run(args)
                tree.cold.setdefault(name, []).append(time.perf_counter() - start)

    # 3. isp test over many files: each tree alternately, the same files.
    library = write_library(opts.files, folder)
    for _ in range(opts.test_runs):
        for tree in trees:
            start = time.perf_counter()
            done = tree.run(["-c", _HWM + _ISP, "test", str(library)])
            seconds = time.perf_counter() - start
            kb = [int(line.split()[1]) for line in done.stderr.splitlines() if line.startswith("HWM ")]
            tail = [line for line in done.stdout.splitlines() if line.strip()]
            tree.test.setdefault("seconds", []).append(seconds)
            tree.test.setdefault("mb", []).append(kb[-1] / 1024 if kb else float("nan"))
            tree.test["exit"] = done.returncode
            tree.test["summary"] = tail[-1].strip() if tail else done.stderr.strip()[-200:]


COLD_AIMS = {0: 1.5, 1000: 2.0}  # 0: the bundled rules
TEST_MB_AIM = 80.0


def figures(tree: Tree, sizes: list[int]) -> list[tuple[str, str, float | None, str]]:
    """(figure, text, number to compare across trees, aim) for one tree."""
    rows: list[tuple[str, str, float | None, str]] = []
    med = {k: statistics.median(v) for k, v in tree.warm.items()}
    jobs = tree.info["jobs"]
    for job in jobs.values():
        bad = {k: v for k, v in job["disagree"].items() if v}
        what = f"{job['rules']:,} rules, {job['scenarios']} scenarios"
        text = (f"{what}: Host, C core and closures fire exactly the interpreter's rules on each"
                if not bad else f"{what}: DISAGREE with the interpreter on " +
                ", ".join(f"{METHOD_NAMES[k]} {v}" for k, v in bad.items()))
        rows.append(("agreement", text, None, ""))
    for method in METHODS:
        rows.append((METHOD_NAMES[method], spread(tree.warm[("library", method)], 1e6, "us/scenario"),
                     med[("library", method)] * 1e6, ""))
    assess = med[("library", "assess")]
    for name, method, aim in (("assess / raw durable", "host", 0.6), ("assess / C core bare", "core", None),
                              ("assess / closure floor", "closures", 8.0)):
        ratio = assess / med[("library", method)]
        rows.append((name, f"{ratio:.2f}x", ratio, verdict(ratio, aim)))
    ratio = med[("library", "core")] / med[("library", "host")]
    rows.append(("C core / raw durable", f"{ratio:.2f}x", ratio, "reference"))
    base = str(sizes[0])
    for size in sizes[1:]:
        job = jobs[str(size)]
        parts = ", ".join(f"{METHOD_NAMES[m].split(' (')[0]} {med[(str(size), m)] / med[(base, m)]:.1f}x"
                          for m in METHODS)
        ratio = med[(str(size), "assess")] / med[(str(size), "closures")]
        text = (f"{job['rules']:,} rules ({job['fired']:.0f} fire a scenario) against {jobs[base]['rules']} "
                f"({jobs[base]['fired']:.0f}), same {job['scenarios']} scenarios: {parts}; assess / closures {ratio:.1f}x")
        rows.append(("scaling", text, med[(str(size), "assess")] * 1e6, "no aim"))
    rows.append((".pyc files", f"isp_rules modules with a current .pyc: {tree.pyc}", None, ""))
    floor = statistics.median(tree.cold["floor"])
    rows.append(("import floor", spread(tree.cold["floor"], 1e3, "ms"), floor * 1e3, ""))
    for size in sizes:
        name = f"check {size}"
        code = tree.cold[f"exit {name}"][0]  # of the untimed run
        note = f" (exit {code})" if code else ""
        rows.append(("cold isp check", f"{jobs[str(size)]['rules']:,} rules: {spread(tree.cold[name], 1e3, 'ms')}{note}",
                     statistics.median(tree.cold[name]) * 1e3, ""))
    for size in sizes:
        ratio = statistics.median(tree.cold[f"check {size}"]) / floor
        rows.append(("isp check / import floor", f"{jobs[str(size)]['rules']:,} rules: {ratio:.2f}x", ratio,
                     verdict(ratio, COLD_AIMS.get(size))))
    rows.append(("isp test", f"{spread(tree.test['seconds'], 1, 's')}; {tree.test['summary']} (exit {tree.test['exit']})",
                 statistics.median(tree.test["seconds"]), ""))
    mb = max(tree.test["mb"])
    rows.append(("isp test peak memory", f"{mb:.1f} MB", mb, f"aim <= {TEST_MB_AIM:g} MB: {'met' if mb <= TEST_MB_AIM else 'NOT met'}"))
    return rows


def report(trees: list[Tree], opts: argparse.Namespace) -> int:
    new = trees[0]
    load = os.getloadavg()
    print(f"isp-rules benchmark: {new.info['scenarios']} library scenarios, {new.info['rules']} rules; "
          f"{os.cpu_count()} CPUs, load {load[0]:.1f} {load[1]:.1f} {load[2]:.1f}; Python {sys.version.split()[0]}")
    print(f"warm: {opts.rounds} interleaved rounds (median, lowest-highest); cold: {opts.runs} alternating runs, "
          f"after one untimed run of each that fills the ruleset cache; isp test: {opts.files:,} files (copies of "
          "the library)")
    rows = [figures(t, opts.sizes) for t in trees]
    if len(trees) == 1:
        for name, text, _, aim in rows[0]:
            print(f"{name + ':':<27} {text}" + (f"   [{aim}]" if aim else ""))
    else:
        old = trees[1]
        print(f"side by side: NEW = this checkout, OLD = {old.label}; NEW/OLD below 1 means the new tree is faster or smaller")
        for (name, text, number, aim), (_, old_text, old_number, old_aim) in zip(rows[0], rows[1], strict=True):
            ratio = f"   NEW/OLD {number / old_number:.2f}x" if number and old_number else ""
            print(f"{name + ':':<27} NEW {text}" + (f"   [{aim}]" if aim else ""))
            print(f"{'':<27} OLD {old_text}" + (f"   [{old_aim}]" if old_aim else "") + ratio)
    bad = any(any(job["disagree"].values()) for t in trees for job in t.info["jobs"].values())
    return 1 if bad or new.test.get("exit") != 0 else 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--compare", metavar="REV", help="also measure this git revision, side by side")
    parser.add_argument("--quick", action="store_true", help="a tiny run: every figure, no meaningful numbers")
    parser.add_argument("--rounds", type=int, help="interleaved warm rounds (default 9)")
    parser.add_argument("--runs", type=int, help="cold runs of each command (default 5)")
    parser.add_argument("--files", type=int, help="scenario files for isp test (default 10,000)")
    parser.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    opts = parser.parse_args()
    if opts.worker:
        worker_main()
        return 0
    quick = opts.quick
    opts.rounds = opts.rounds or (2 if quick else 9)
    opts.runs = opts.runs or (1 if quick else 5)
    opts.files = opts.files or (150 if quick else 10_000)
    opts.test_runs = 1
    opts.limit = 10 if quick else 40  # scenarios per pass at the larger sizes
    with tempfile.TemporaryDirectory(prefix="isp-bench-") as tmp:
        folder = Path(tmp)
        trees = [Tree("new", ROOT, folder / "cache-new")]
        with contextlib.ExitStack() as stack:
            if opts.compare:
                trees.append(Tree(opts.compare, stack.enter_context(worktree(opts.compare, folder)), folder / "cache-old"))
            try:
                opts.sizes = [0, 300] if quick else [0, 1000, 3000]
                measure(trees, opts, folder)
            finally:
                for tree in trees:
                    tree.close()
        return report(trees, opts)


if __name__ == "__main__":
    sys.exit(main())
