"""The benchmarks run to the end and print every figure (benchmarks/bench.py, benchmarks/load.py).

Tiny runs (--quick): their numbers mean nothing and nothing here looks at the clock. What is
checked is that each figure line is printed, that the references in bench.py fire exactly the
rules the interpreter says (else their ratios would compare different work), that `isp test`
and the web server answered correctly, and that --compare leaves no worktree behind.
"""

from __future__ import annotations

import ast
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "benchmarks" / "bench.py"
LOAD = ROOT / "benchmarks" / "load.py"


def _figures() -> tuple[str, ...]:
    """bench.py's own list of the figure lines it prints (read, not run)."""
    tree = ast.parse(BENCH.read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "FIGURES" for t in node.targets):
            figures: tuple[str, ...] = ast.literal_eval(node.value)
            return figures
    raise AssertionError("bench.py names no FIGURES")


def _run(*args: str, tmp: Path | None = None, timeout: int = 600) -> subprocess.CompletedProcess[str]:
    """Run a benchmark; its temporary folders (and any worktree) go under `tmp` when given."""
    env = {**os.environ, "TMPDIR": str(tmp)} if tmp is not None else None
    done = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=timeout,
                          check=False, env=env)
    assert done.returncode == 0, f"exit {done.returncode}\n{done.stdout}\n{done.stderr[-3000:]}"
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return done


def _worktrees_under(folder: Path) -> list[str]:
    """The worktrees git still lists inside `folder` (other people's elsewhere are no concern)."""
    listed = subprocess.run(["git", "-C", str(ROOT), "worktree", "list", "--porcelain"], capture_output=True,
                            text=True, check=True).stdout
    paths = [Path(line.split(" ", 1)[1]).resolve() for line in listed.splitlines() if line.startswith("worktree ")]
    return [str(p) for p in paths if p.is_relative_to(folder.resolve())]


@pytest.fixture(scope="module")
def checkout() -> None:
    """A checkout is needed to compare revisions."""
    probe = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, check=False)
    if probe.returncode != 0:
        pytest.skip("not a git checkout: --compare needs one to make a worktree of another revision")


def _lines(output: str, figure: str) -> list[str]:
    return [line for line in output.splitlines() if line.startswith(figure + ":")]


def test_bench_prints_every_figure_with_agreeing_references():
    out = _run(str(BENCH), "--quick").stdout
    for figure in _figures():
        assert _lines(out, figure), f"no '{figure}' line in:\n{out}"
    agreement = _lines(out, "agreement")
    assert len(agreement) == 3 and all("fire exactly the interpreter's rules" in line for line in agreement), out
    assert re.search(r"^isp test: .*; 150 passed, 0 failed \(exit 0\)$", out, re.MULTILINE), out
    for figure in ("assess / raw durable", "assess / closure floor", "isp test peak memory"):
        assert re.search(r"\[aim .*: (met|NOT met)\]$", _lines(out, figure)[0]), out


def test_bench_compare_prints_both_trees_side_by_side_and_removes_its_worktree(checkout, tmp_path):
    out = _run(str(BENCH), "--quick", "--compare", "HEAD", tmp=tmp_path).stdout
    lines = out.splitlines()
    for figure in _figures():
        found = [i for i, line in enumerate(lines) if line.startswith(figure + ":")]
        assert found, f"no '{figure}' line in:\n{out}"
        for i in found:  # each NEW line is followed by the OLD one
            assert " NEW " in lines[i] and lines[i + 1].lstrip().startswith("OLD "), out
    assert re.search(r"^warm assess\(\):.*\n\s+OLD .*NEW/OLD \d+\.\d\dx$", out, re.MULTILINE), out
    assert not _worktrees_under(tmp_path), "the benchmark left its worktree behind"


def test_load_prints_throughput_and_steady_rate_without_errors():
    out = _run(str(LOAD), "--quick").stdout
    for figure in (r"throughput \(closed loop\)", r"steady \d+ req/s"):
        assert re.search(rf"^{figure} .* req/s; latency p50 .* p99 .*; errors 0$", out, re.MULTILINE), out


def test_load_compare_prints_capacity_and_p99_side_by_side(checkout, tmp_path):
    out = _run(str(LOAD), "--quick", "--compare", "HEAD", tmp=tmp_path).stdout
    assert re.search(r"^capacity \(closed loop\): .*NEW .* req/s .*OLD .* req/s .*NEW/OLD \d+\.\d\dx "
                     r".*\[aim >= 2x: (met|NOT met)\]$", out, re.MULTILINE), out
    assert re.search(r"^p99 at half capacity: .*NEW .* ms .*OLD .* ms .*\[aim NEW <= 20 ms: (met|NOT met)\]$",
                     out, re.MULTILINE), out
    assert re.search(r"^failed requests: +0 ", out, re.MULTILINE), out
    assert not _worktrees_under(tmp_path), "the benchmark left its worktree behind"
