"""How many questions a practitioner needs: the questionnaire (`isp ask`, the web form) answered
from each library scenario's stated facts, as an oracle (isp_rules/guided/oracle.py).

    python benchmarks/questions.py [--limit N] [--every N] [PATHS...]

Prints the median, 90th percentile and maximum number of questions to reach each scenario's
verdict (and of pages of the web form), the five scenarios needing most, and every scenario where the questionnaire's verdict
differs from assess() on the whole scenario. Aim (issue 13): median <= 10, maximum <= 20.

As a reference line in the same run, by verdict: how many of each scenario's stated facts its
verdict rests on (a greedy search drops every stated fact whose loss leaves the verdict
unchanged; what is left cannot lose one more). An allow must rule out every deny and settle
every point, so it rests on many facts; a needs-agreement rests on none (an empty description
already needs agreement), and its questions are the ones that could still turn it into a deny.
"""

from __future__ import annotations

import argparse
import collections
import copy
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from pydantic import ValidationError

from isp_rules import default_ruleset, load_scenario
from isp_rules.assessment import assess
from isp_rules.authoring.testing import find_scenarios
from isp_rules.dotted import unset_path
from isp_rules.guided.oracle import walk, walk_pages
from isp_rules.scenario import Scenario
from isp_rules.web.pages import BATCH


def percentile(values: list[int], q: float) -> int:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


def _leaves(data: dict, prefix: str) -> list[str]:
    out: list[str] = []
    for key, value in data.items():
        path = f"{prefix}.{key}"
        out += _leaves(value, path) if isinstance(value, dict) else [path]
    return out


def facts_the_verdict_rests_on(ruleset, scenario) -> int:
    """How many stated facts are left when every one whose loss leaves the verdict unchanged is dropped."""
    data = scenario.model_dump(mode="json", by_alias=True, exclude_unset=True, exclude={"expect"})
    verdict = assess(scenario, ruleset).verdict
    kept = _leaves(data.get("share", {}), "share")
    for path in list(kept):
        trial = copy.deepcopy(data)
        for other in kept:
            if other == path:
                unset_path(trial, other)
        try:
            same = assess(Scenario.model_validate(trial), ruleset).verdict == verdict
        except ValidationError:  # a fact another one needs to be valid: keep it
            same = False
        if same:
            kept.remove(path)
            data = trial
    return len(kept)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("paths", nargs="*", default=[str(ROOT / "scenarios")])
    parser.add_argument("--limit", type=int, default=None, help="only the first N scenarios")
    parser.add_argument("--every", type=int, default=1, help="only every Nth scenario (a quick sample)")
    args = parser.parse_args(argv)
    ruleset = default_ruleset()
    paths = find_scenarios(args.paths)[:: args.every][: args.limit]
    started = time.perf_counter()
    counts: dict[Path, int] = {}
    mismatches: list[tuple[Path, str, str]] = []
    asked_often: collections.Counter[str] = collections.Counter()
    pages: list[int] = []
    by_verdict: dict[str, list[tuple[int, int]]] = collections.defaultdict(list)
    for path in paths:
        scenario = load_scenario(path)
        pages.append(walk_pages(ruleset, scenario, BATCH)[0])
        result = walk(ruleset, scenario)
        counts[path] = result.count
        assert result.expected is not None
        by_verdict[result.expected.verdict].append((result.count, facts_the_verdict_rests_on(ruleset, scenario)))
        asked_often.update(result.asked)
        assert result.decision is not None and result.expected is not None
        if not result.agrees:
            mismatches.append((path, result.decision.verdict, result.expected.verdict))
    values = list(counts.values())
    print(f"{len(values)} scenarios, {time.perf_counter() - started:.1f} s")
    print(f"questions to the verdict: median {statistics.median(values):g}, "
          f"90th percentile {percentile(values, 0.9)}, maximum {max(values)} (aim: median <= 10, maximum <= 20)")
    print(f"web form pages ({BATCH} questions a page): median {statistics.median(pages):g}, "
          f"90th percentile {percentile(pages, 0.9)}, maximum {max(pages)}")
    print("by verdict (questions; facts the verdict rests on, for reference):")
    for verdict in ("allow", "needs-agreement", "deny"):
        rows = by_verdict.get(verdict, [])
        if rows:
            print(f"  {verdict:16s} {len(rows):4d} scenarios: questions median {statistics.median(q for q, _ in rows):g}, "
                  f"maximum {max(q for q, _ in rows)}; facts the verdict rests on median {statistics.median(f for _, f in rows):g}, "
                  f"maximum {max(f for _, f in rows)}")
    print("most questions:")
    for path, n in sorted(counts.items(), key=lambda kv: -kv[1])[:5]:
        print(f"  {n:3d}  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    print("asked most often:", ", ".join(f"{p} ({n})" for p, n in asked_often.most_common(8)))
    print(f"verdict differs from the whole scenario's: {len(mismatches)}")
    for path, got, want in mismatches:
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}: questionnaire {got}, scenario {want}")
    return 1 if mismatches else 0


if __name__ == "__main__":
    sys.exit(main())
