"""Ruleset loading: strict, typed against the scenario, every problem with file:line: path;
and the one way a scenario without an id is named after its file."""

import shutil
import textwrap

import pytest
from conftest import RULES
from hypothesis import given
from hypothesis import strategies as st

from isp_rules import load_ruleset
from isp_rules.errors import RulesetError
from isp_rules.loader import name_after_file, scenario_id, scenario_id_for_file
from isp_rules.ruleset import All, Leaf, Not
from isp_rules.scenario import Scenario

GOOD_RULE = """\
  - id: TEST-OK-001
    title: A test rule
    when: {field: share.frequency, equals: routine}
    effect: advice
    message: Routine.
    citations:
      - {source: UK GDPR, ref: "Art 5"}
"""


def rules_dir(tmp_path, text, name="extra.yaml"):
    """The bundled ruleset plus one extra rules file."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    (target / name).write_text(textwrap.dedent(text))
    return target


def problems(tmp_path, text):
    with pytest.raises(RulesetError) as info:
        load_ruleset(rules_dir(tmp_path, text))
    return [str(p) for p in info.value.problems]


def test_the_bundled_ruleset_loads(repo_ruleset):
    assert repo_ruleset.name == "york-north-yorkshire-isp"
    assert len(repo_ruleset.rules) >= 50
    assert all(r.citations for r in repo_ruleset.rules)
    assert {p.id for p in repo_ruleset.points} >= {"lawful_basis", "retention", "dpia", "security"}


def test_unknown_field_in_a_condition_names_file_line_path_and_a_close_match(tmp_path):
    text = "rules:\n" + GOOD_RULE + GOOD_RULE.replace("TEST-OK-001", "TEST-OK-002").replace(
        "{field: share.frequency, equals: routine}", "{field: share.basis.legal_powr, equals: x}")
    (msg,) = problems(tmp_path, text)
    assert msg.endswith("extra.yaml:11: rules[1].when.field: unknown field 'share.basis.legal_powr'; "
                        "did you mean 'share.basis.legal_power'?")


def test_unknown_value_is_type_checked_against_the_vocabulary(tmp_path):
    (msg,) = problems(tmp_path, "rules:\n" + GOOD_RULE.replace("equals: routine", "equals: routin"))
    assert "rules[0].when.equals: unknown value 'routin' for 'share.frequency'; did you mean 'routine'?" in msg


@pytest.mark.parametrize("when, expected", [
    ("{field: share.data.categories, equals: health}", "is a list: use contains_any"),
    ("{field: share.frequency, contains_any: [routine]}", "contains_any tests a list"),
    ("{field: share.data.confidential, equals: 'yes'}", "is true or false"),
    ("{field: as_of, equals: 2026-01-01}", "is a date: use before or on_or_after"),
    ("{field: share.frequency, before: 2026-01-01}", "compares dates"),
    ("{field: share.frequency, equal: routine}", "unknown test 'equal'; did you mean 'equals'?"),
    ("{alll: []}", "unknown condition key 'alll'; did you mean 'all'?"),
    ("{field: share.basis.legal_power, equals: Care Act}", "free text: test it with mentions"),
    ("{field: share.basis.legal_power, mentions: ['!!']}", "a phrase with at least one letter or digit"),
    ("{any: []}", "an empty 'any' never holds"),
    ("{not_true: [x]}", "expected a condition"),
    ("[]", "expected a condition"),
    ("{field: share.frequency, equals: routine, in: [one_off]}", "exactly one test"),
])
def test_broken_conditions(tmp_path, when, expected):
    msgs = problems(tmp_path, "rules:\n" + GOOD_RULE.replace("{field: share.frequency, equals: routine}", when))
    assert any(expected in m for m in msgs), msgs


def test_a_rule_without_citation_fails(tmp_path):
    text = "rules:\n" + GOOD_RULE.replace('    citations:\n      - {source: UK GDPR, ref: "Art 5"}\n', "    citations: []\n")
    (msg,) = problems(tmp_path, text)
    assert "extra.yaml:" in msg and "rules[0].citations: at least one citation is required" in msg


def test_a_citation_without_reference_fails(tmp_path):
    (msg,) = problems(tmp_path, "rules:\n" + GOOD_RULE.replace('ref: "Art 5"', 'ref: ""'))
    assert "rules[0].citations[0].ref" in msg


def test_reused_ids_unknown_points_and_missing_remedy(tmp_path):
    text = "rules:\n" + GOOD_RULE.replace("TEST-OK-001", "LB-PA-LEGIT-001").replace(
        "effect: advice", "effect: deny\n    points: [retension]")
    msgs = problems(tmp_path, text)
    assert any("rule id 'LB-PA-LEGIT-001' is already used in" in m for m in msgs)
    assert any("unknown agreement point 'retension'; did you mean 'retention'?" in m for m in msgs)
    assert any("a deny rule must say what would change the outcome (remedy)" in m for m in msgs)


def test_every_problem_in_every_file_is_collected(tmp_path):
    text = "rules:\n" + GOOD_RULE.replace("effect: advice", "effect: allow") + GOOD_RULE.replace(
        "TEST-OK-001", "bad id").replace("message: Routine.", "message: Hello {share.frm.name}")
    msgs = problems(tmp_path, text)
    assert len(msgs) >= 3
    assert any("rules[0].effect: unknown value 'allow'" in m for m in msgs)
    assert any("rules[1].id:" in m for m in msgs)


def test_duplicate_keys_and_unknown_top_level_keys(tmp_path):
    msgs = problems(tmp_path, "rulez: []\ntitle: a\ntitle: b\n")
    assert any("duplicate key 'title'" in m for m in msgs)


def test_unknown_top_level_key(tmp_path):
    (msg,) = problems(tmp_path, "rulez: []\n")
    assert "unknown key 'rulez'; did you mean 'rules'?" in msg


def test_unknown_message_placeholder(tmp_path):
    (msg,) = problems(tmp_path, "rules:\n" + GOOD_RULE.replace("message: Routine.", "message: 'To {share.too.name}'"))
    assert "unknown field '{share.too.name}' in message; did you mean 'share.to.name'?" in msg


def test_in_force_window_must_be_ordered(tmp_path):
    text = "rules:\n" + GOOD_RULE + "    in_force: {from: 2026-06-01, until: 2026-01-01}\n"
    (msg,) = problems(tmp_path, text)
    assert "in_force.until must be after in_force.from" in msg


def test_a_ruleset_must_record_every_decision(tmp_path):
    target = rules_dir(tmp_path, "rules:\n" + GOOD_RULE)
    text = (target / "protocol.yaml").read_text().replace("when: {all: []}", "when: {field: share.frequency, equals: routine}")
    (target / "protocol.yaml").write_text(text)
    with pytest.raises(RulesetError, match="record every decision"):
        load_ruleset(target)


def test_conditions_parse_into_the_ast(tmp_path):
    rs = load_ruleset(rules_dir(tmp_path, "rules:\n" + GOOD_RULE.replace(
        "{field: share.frequency, equals: routine}",
        "{all: [{not: {present: share.handling.retention}}, {field: share.frequency, in: [routine]}]}")))
    rule = rs.rule("TEST-OK-001")
    assert rule.when == All((Not(Leaf("present", "share.handling.retention")), Leaf("in", "share.frequency", ("routine",))))
    assert rule.file.endswith("extra.yaml") and rule.line == 2


def test_missing_directory_and_missing_files(tmp_path):
    with pytest.raises(RulesetError, match="not a directory"):
        load_ruleset(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(RulesetError) as info:
        load_ruleset(tmp_path / "empty")
    text = str(info.value)
    assert "ruleset.yaml: missing" in text and "agreement-points.yaml: missing" in text


def test_the_hash_changes_with_any_file(tmp_path, repo_ruleset):
    changed = load_ruleset(rules_dir(tmp_path, "rules:\n" + GOOD_RULE))
    assert changed.sha256 != repo_ruleset.sha256
    assert load_ruleset(RULES).sha256 == repo_ruleset.sha256


def test_a_missing_citations_key_fails(tmp_path):
    text = "rules:\n" + GOOD_RULE.replace('    citations:\n      - {source: UK GDPR, ref: "Art 5"}\n', "")
    (msg,) = problems(tmp_path, text)
    assert "rules[0].citations: required field is missing" in msg


def test_impossible_in_force_date_is_located(tmp_path):
    (msg,) = problems(tmp_path, "rules:\n" + GOOD_RULE + "    in_force: {from: 2026-02-30}\n")
    assert "extra.yaml:9: rules[0].in_force.from: not a valid date: 2026-02-30" in msg


def test_a_mistyped_version_is_one_line(tmp_path):
    target = rules_dir(tmp_path, "rules:\n" + GOOD_RULE)
    (target / "ruleset.yaml").write_text("name: x\nversion: 2026.1\n")
    with pytest.raises(RulesetError) as info:
        load_ruleset(target)
    assert [str(p) for p in info.value.problems] == [f"{target / 'ruleset.yaml'}:2: version: expected text, got 2026.1"]


def test_a_broken_points_file_does_not_bury_itself_in_follow_on_errors(tmp_path):
    target = rules_dir(tmp_path, "rules:\n" + GOOD_RULE)
    (target / "agreement-points.yaml").write_text("points: [{id: x}]\n")
    with pytest.raises(RulesetError) as info:
        load_ruleset(target)
    msgs = [str(p) for p in info.value.problems]
    assert all("agreement-points.yaml" in m for m in msgs), msgs
    assert not any("unknown agreement point" in m for m in msgs)


def test_yml_files_are_rules_too(tmp_path):
    target = rules_dir(tmp_path, "rules:\n" + GOOD_RULE, name="extra.yml")
    assert load_ruleset(target).rule("TEST-OK-001")


def test_a_condition_too_complex_for_durable_rules_fails_at_load_time(tmp_path):
    anys = ", ".join(f"{{any: [{{field: share.frequency, equals: routine}}, {{field: share.data.confidential, equals: {str(i % 2 == 0).lower()}}}]}}" for i in range(17))
    text = "rules:\n" + GOOD_RULE.replace("{field: share.frequency, equals: routine}", "{all: [" + anys + "]}")
    (msg,) = problems(tmp_path, text)
    assert "rules[0].when: condition too complex for durable_rules: 18 all/any groups once compiled (at most 15)" in msg
    when_line = next(i for i, line in enumerate(text.splitlines(), 1) if line.strip().startswith("when:"))
    assert f":{when_line}: rules[0].when:" in msg, msg  # the line of the condition itself, as before the move


def test_every_condition_too_complex_is_located_where_it_was_written(tmp_path):
    """The compiler owns the size check (the loader knows nothing of durable_rules); it still
    names the file, line and path of each condition: rules (pending ones too), share kinds, points."""
    import copy

    import yaml

    from isp_rules.loader import read_ruleset

    big = {"all": [{"any": [{"field": "share.frequency", "equals": "routine"},
                            {"field": "share.data.confidential", "equals": i % 2 == 0}]} for i in range(17)]}
    target = rules_dir(tmp_path, "rules:\n" + GOOD_RULE.replace("effect: advice", "effect: advice\n    commencement: "
                                                                "{status: pending, provision: X Act 2027 s1, by: regulations}")
                       .replace("{field: share.frequency, equals: routine}", yaml.safe_dump(big, default_flow_style=True,
                                                                                            width=10_000).strip()))
    points = target / "agreement-points.yaml"
    data = yaml.safe_load(points.read_text())
    data["share_kinds"].append({"id": "too_big", "says": "a kind too big", "when": copy.deepcopy(big)})
    data["points"][1]["applies_when"] = copy.deepcopy(big)
    points.write_text(yaml.safe_dump(data, sort_keys=False, width=10_000))
    assert read_ruleset(target).pending  # loading alone does not compile
    with pytest.raises(RulesetError) as info:
        load_ruleset(target)
    found = [(p.file.rsplit("/", 1)[-1], p.line is not None and p.line > 1, p.path) for p in info.value.problems]
    kinds = len(data["share_kinds"])
    assert found == [("agreement-points.yaml", True, f"share_kinds[{kinds - 1}].when"),
                     ("agreement-points.yaml", True, "points[1].applies_when"),
                     ("extra.yaml", True, "rules[0].when")]
    assert all("condition too complex for durable_rules: 18 all/any groups" in p.message for p in info.value.problems)


# Each kind of entry that carries where it was written: the file it is in, and its list there.
LOCATED = {
    "rule": ("extra.yaml", "rules"),
    "share kind": ("agreement-points.yaml", "share_kinds"),
    "settlement": ("agreement-points.yaml", "settlements"),
    "high-risk trigger": ("agreement-points.yaml", "high_risk_triggers"),
    "agreement point": ("agreement-points.yaml", "points"),
    "power": ("powers/children-education.yaml", "powers"),
}


def with_key_in_first_entry(target, kind, text):
    """Write `text` (indented YAML lines) into the first entry of the kind's list; its first line number."""
    name, key = LOCATED[kind]
    path = target / name
    lines = path.read_text().splitlines(keepends=True)
    start = lines.index(f"{key}:\n")
    first = next(i for i in range(start + 1, len(lines)) if lines[i].startswith("  - id:"))
    lines[first + 1:first + 1] = textwrap.indent(textwrap.dedent(text), "    ").splitlines(keepends=True)
    path.write_text("".join(lines))
    return path, key, first + 2


@pytest.mark.parametrize(("key", "value"), [("file", "x.yaml"), ("line", "3"), ("lines", "{when: 3}")])
@pytest.mark.parametrize("kind", LOCATED)
def test_where_an_entry_was_written_is_never_set_from_the_file(tmp_path, kind, key, value):
    """file, line and lines are filled by the loader: an author's own is an unknown field, said
    like any other (with a close match only among the fields an author may write)."""
    from isp_rules.ruleset import LOCATION_FIELDS

    target = rules_dir(tmp_path, "rules:\n" + GOOD_RULE)
    path, where, line = with_key_in_first_entry(target, kind, f"{key}: {value}\n")
    with pytest.raises(RulesetError) as info:
        load_ruleset(target)
    (msg,) = [str(p) for p in info.value.problems]
    head = f"{path}:{line}: {where}[0].{key}: unknown field '{key}'"
    assert msg.startswith(head), msg
    rest = msg.removeprefix(head)
    assert rest == "" or (rest.startswith("; did you mean '") and rest[16:-2] not in LOCATION_FIELDS), msg


def test_each_location_key_an_author_writes_is_one_line_and_exit_1(tmp_path):
    from click.testing import CliRunner

    from isp_rules.cli import cli

    target = rules_dir(tmp_path, "rules:\n" + GOOD_RULE)
    path, _, line = with_key_in_first_entry(target, "rule", "lines: {when: 3}\nfile: x.yaml\nline: 3\n")
    scenario = RULES.parent / "scenarios" / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
    result = CliRunner().invoke(cli, ["check", "--rules", str(target), str(scenario)])
    assert result.exit_code == 1
    assert [ln for ln in result.output.splitlines() if ln.startswith(str(path))] == [
        f"{path}:{line}: rules[0].lines: unknown field 'lines'",
        f"{path}:{line + 1}: rules[0].file: unknown field 'file'; did you mean 'title'?",
        f"{path}:{line + 2}: rules[0].line: unknown field 'line'",
    ]


VERSION = """\
  - id: TEST-V-001
    title: A rule whose law changed
    when: {field: share.frequency, equals: routine}
    effect: advice
    message: MESSAGE
    in_force: WINDOW
    citations:
      - {source: UK GDPR, ref: "Art 5"}
"""


def versions(*windows):
    return "rules:\n" + "".join(VERSION.replace("MESSAGE", f"v{i}").replace("WINDOW", w) for i, w in enumerate(windows))


def test_versions_of_a_rule_share_an_id_when_their_windows_do_not_overlap(tmp_path):
    import datetime as dt

    from conftest import build

    from isp_rules import assess

    rs = load_ruleset(rules_dir(tmp_path, versions("{until: 2026-02-05}", "{from: 2026-02-05}")))
    assert {r.key for r in rs.rules if r.id == "TEST-V-001"} == {"TEST-V-001", "TEST-V-001@2026-02-05"}
    routine = build(share__frequency="routine")
    for day, message in ((dt.date(2026, 2, 4), "v0"), (dt.date(2026, 2, 5), "v1")):
        for evaluator in ("durable", "interpreter"):
            d = assess(routine, rs, as_of=day, evaluator=evaluator)
            assert [r.message for r in d.reasons if r.rule == "TEST-V-001"] == [message]


@pytest.mark.parametrize("windows, expected", [
    (("{until: 2026-03-01}", "{from: 2026-02-05}"), "in-force dates overlap with its version at"),
    (("{from: 2026-01-01, until: 2026-06-01}", "{from: 2026-05-01}"), "in-force dates overlap"),
    (("{from: 2026-01-01}", "{from: 2026-01-01}"), "in-force dates overlap"),
])
def test_overlapping_versions_fail_naming_file_and_rule(tmp_path, windows, expected):
    (msg,) = problems(tmp_path, versions(*windows))
    assert "extra.yaml:" in msg and "rule 'TEST-V-001'" in msg and expected in msg


def test_a_reused_id_without_windows_fails(tmp_path):
    text = versions("{until: 2026-02-05}") + VERSION.replace("MESSAGE", "again").replace("    in_force: WINDOW\n", "")
    (msg,) = problems(tmp_path, text)
    assert "rule id 'TEST-V-001' is already used in" in msg


# --- naming a scenario after its file ---------------------------------------------------

@given(st.text(max_size=300))
def test_any_file_stem_gives_an_id_the_model_accepts(stem):
    for name in (stem, f"{stem}.yaml", f"some/folder/{stem}.yml"):
        sid = scenario_id_for_file(name)
        assert Scenario.model_validate({"id": sid, "share": {}}).id == sid


@pytest.mark.parametrize(("name", "expected"), [
    ("Case_1.yaml", "case-1"), ("police-to-school-child-at-immediate-risk.yaml", "police-to-school-child-at-immediate-risk"),
    ("scenarios/safeguarding/A  B--C.yml", "a-b-c"), ("___.yaml", "scenario"), ("x" * 200 + ".yaml", "x" * 120),
])
def test_a_file_name_becomes_a_kebab_case_id(name, expected):
    assert scenario_id_for_file(name) == expected


def test_an_id_already_valid_is_kept():
    assert scenario_id("monthly-nominations-extract") == "monthly-nominations-extract"


def test_a_scenario_without_an_id_is_named_after_its_file_and_stays_valid():
    unnamed = Scenario.model_validate({"share": {}})
    named = name_after_file(unnamed, "cases/Case_1.yaml")
    assert named.id == "case-1"
    Scenario.model_validate(named.model_dump(by_alias=True, exclude_none=True))  # a valid scenario still
    assert name_after_file(unnamed, "-").id is None  # standard input has no file name
    assert name_after_file(unnamed, "pasted scenario", from_file=False).id is None  # nor has pasted text
    stated = Scenario.model_validate({"id": "my-own", "share": {}})
    assert name_after_file(stated, "Case_1.yaml").id == "my-own"


def test_only_a_rule_that_defers_paperwork_says_when_its_urgent_path_applies(tmp_path):
    text = "rules:\n" + GOOD_RULE.replace("effect: advice", "effect: advice\n    urgent_when: a child at risk")
    (msg,) = problems(tmp_path, text)
    assert msg.endswith("rules[0].urgent_when: only a rule that defers paperwork says when its urgent path applies")


# --- named conditions (conditions.yaml) ---------------------------------------------------

ROUTINE_NAMED = """\
  - id: routine_care
    says: routine sharing for care
    when:
      all:
        - {field: share.frequency, equals: routine}
        - {field: share.purpose.category, equals: direct_care}
"""


def named_dir(tmp_path, conditions, rules_text):
    """The bundled ruleset with more named conditions and one extra rules file."""
    target = rules_dir(tmp_path, rules_text)
    with (target / "conditions.yaml").open("a") as handle:
        handle.write(conditions)
    return target


def test_a_named_condition_reads_as_if_written_out_where_it_is_named(tmp_path):
    rules = "rules:\n" + GOOD_RULE.replace(
        "{field: share.frequency, equals: routine}",
        "{all: [{condition: routine_care}, {present: share.handling.retention}]}") + GOOD_RULE.replace(
        "TEST-OK-001", "TEST-OK-002").replace("{field: share.frequency, equals: routine}", "{not: {condition: routine_care}}")
    rs = load_ruleset(named_dir(tmp_path, ROUTINE_NAMED, rules))
    routine, care = Leaf("equals", "share.frequency", "routine"), Leaf("equals", "share.purpose.category", "direct_care")
    # Named inside an `all`, its own `all` is spliced in: the same tree as the three tests written out.
    assert rs.rule("TEST-OK-001").when == All((routine, care, Leaf("present", "share.handling.retention")))
    assert rs.rule("TEST-OK-002").when == Not(All((routine, care)))
    (named,) = [c for c in rs.conditions if c.id == "routine_care"]
    assert named.uses == 2 and named.file.endswith("conditions.yaml") and named.says == "routine sharing for care"


def test_an_unknown_named_condition_says_did_you_mean(tmp_path):
    rules = "rules:\n" + GOOD_RULE.replace("{field: share.frequency, equals: routine}", "{condition: routine_cares}")
    (msg,) = problems_in(named_dir(tmp_path, ROUTINE_NAMED, rules))
    assert "extra.yaml:4: rules[0].when.condition: unknown condition 'routine_cares'; did you mean 'routine_care'?" in msg
    assert "conditions.yaml" in msg


def test_a_named_condition_stands_alone(tmp_path):
    rules = "rules:\n" + GOOD_RULE.replace("{field: share.frequency, equals: routine}",
                                           "{condition: routine_care, field: share.frequency}")
    (msg,) = problems_in(named_dir(tmp_path, ROUTINE_NAMED, rules))
    assert "rules[0].when: 'condition' must stand alone" in msg


def test_a_named_condition_may_use_only_those_above_it(tmp_path):
    conditions = """\
  - id: first
    says: uses one defined below it
    when: {condition: second}
  - id: second
    says: routine
    when: {field: share.frequency, equals: routine}
  - id: second
    says: again
    when: {field: share.frequency, equals: routine}
"""
    found = problems_in(named_dir(tmp_path, conditions, "rules:\n" + GOOD_RULE))
    assert any("conditions.yaml" in m and "unknown condition 'second'" in m for m in found), found
    assert any("duplicate id 'second' in conditions" in m for m in found), found


def test_a_broken_conditions_file_does_not_bury_itself_in_follow_on_errors(tmp_path):
    folder = rules_dir(tmp_path, "rules:\n" + GOOD_RULE)
    text = (folder / "conditions.yaml").read_text()
    (folder / "conditions.yaml").write_text(text.replace("  - id: published\n    says:", "  - id: published\n    sayz:"))
    found = problems_in(folder)
    assert len(found) == 2 and all("conditions.yaml" in m for m in found), found  # sayz unknown, says missing


def test_agreement_points_and_likely_answers_may_name_conditions(repo_ruleset):
    # The bundled kind `publication` and a likely answer's `unless` are written with names.
    (kind,) = [k for k in repo_ruleset.kinds if k.id == "publication"]
    (published,) = [c for c in repo_ruleset.conditions if c.id == "published"]
    assert kind.when == published.when
    assert all(c.uses > 0 for c in repo_ruleset.conditions), [c.id for c in repo_ruleset.conditions if not c.uses]


def problems_in(folder):
    with pytest.raises(RulesetError) as info:
        load_ruleset(folder)
    return [str(p) for p in info.value.problems]


def test_an_unreadable_conditions_file_is_one_problem_not_one_per_name(tmp_path):
    folder = rules_dir(tmp_path, "rules:\n" + GOOD_RULE)
    (folder / "conditions.yaml").write_text(
        "conditions:\n  - id: a\n    says: x\n    when: &x {all: []}\n  - id: b\n    says: y\n    when: *x\n")
    found = problems_in(folder)
    assert len(found) == 1 and "anchors" in found[0], found
