"""A writer process for the register tests: appends N decisions, as fast as it can.

    register_writer.py TARGET COUNT WHO TESTS_DIR [--wait]

TARGET is a register file or a postgresql:// URL. With --wait it reads one line from
stdin after saying "ready", so that several writers can be started at the same moment.
"""

import sys

from isp_rules import assess
from isp_rules.register import open_register

sys.path.insert(0, sys.argv[4])
from conftest import build

target, count, who = sys.argv[1], int(sys.argv[2]), sys.argv[3]
register = open_register(target)
decision_and_scenario = []
for variant in ({}, {"share__basis__article_6": "legitimate_interests"}, {"share__handling__retention": ...}):
    scenario = build(**variant)
    decision_and_scenario.append((assess(scenario), scenario))
print("ready", flush=True)
if "--wait" in sys.argv[5:]:
    sys.stdin.readline()
for i in range(count):
    decision, scenario = decision_and_scenario[i % 3]
    register.append(decision, scenario, by=f"{who}-{i}")
