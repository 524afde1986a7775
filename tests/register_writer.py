"""A writer process for the register tests: appends N decisions, as fast as it can."""

import sys

from isp_rules import assess
from isp_rules.register import Register

sys.path.insert(0, sys.argv[4])
from conftest import build  # noqa: E402

path, count, who = sys.argv[1], int(sys.argv[2]), sys.argv[3]
register = Register(path)
decision_and_scenario = []
for variant in ({}, {"share__basis__article_6": "legitimate_interests"}, {"share__handling__retention": ...}):
    scenario = build(**variant)
    decision_and_scenario.append((assess(scenario), scenario))
print("ready", flush=True)
for i in range(count):
    decision, scenario = decision_and_scenario[i % 3]
    register.append(decision, scenario, by=f"{who}-{i}")
