"""Urgent triage says what the urgent path needs in the rules' own words (urgent_when), so a
partnership that changes its urgent rules changes the notice with no code change."""

from __future__ import annotations

import datetime as dt
import shutil

import yaml
from conftest import RULES

from isp_rules import load_ruleset
from isp_rules.guided.triage import not_urgent, urgent_path_needs

DAY = dt.date(2026, 12, 7)


def test_the_urgent_path_is_listed_from_every_rule_that_defers_paperwork(repo_ruleset):
    deferring = [r for r in repo_ruleset.rules if r.defers_paperwork]
    assert deferring and all(r.urgent_when for r in deferring)  # the bundled rules each say when
    needs = urgent_path_needs(repo_ruleset, DAY)
    for rule in deferring:
        assert rule.urgent_when in needs
    assert needs.count("; or ") == 1 and not_urgent(repo_ruleset, DAY).startswith("NOT URGENT ON THESE ANSWERS")


def test_a_partnership_that_rewords_or_drops_an_urgent_rule_sees_it_in_the_notice(tmp_path):
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / "safeguarding.yaml"
    data = yaml.safe_load(path.read_text())
    data["rules"] = [r for r in data["rules"] if r["id"] != "SG-URGENT-003"]
    for rule in data["rules"]:
        if rule["id"] == "SG-URGENT-001":
            rule["urgent_when"] = "a child in the Ryedale pilot at serious risk"
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    theirs = load_ruleset(target)
    needs = urgent_path_needs(theirs, DAY)
    assert "a child in the Ryedale pilot at serious risk" in needs
    assert "significant risk" not in needs  # the dropped rule's words are gone
