"""The guided questions' own files (guided/proposals.yaml, guided/confirmations.yaml) are checked
when read: one located line per problem with a "did you mean", reported by `isp lint` and before
any question is put (the CLI review of 7 December 2026 found a misspelt value shown in a question,
then an internal error after the answer, with the answers lost)."""

import shutil

import pytest
from click.testing import CliRunner
from conftest import RULES

from isp_rules.cli import cli
from isp_rules.errors import RulesetError
from isp_rules.guided.proposals import load_proposals
from isp_rules.guided.validation import check_guided_files, guided_problems

PROPOSALS = RULES / "guided" / "proposals.yaml"
CONFIRMATIONS = RULES / "guided" / "confirmations.yaml"


def test_the_bundled_guided_files_have_no_problems():
    assert guided_problems(RULES) == []


def _copy(tmp_path, name, old, new):
    rules = tmp_path / "rules"
    shutil.copytree(RULES, rules)
    path = rules / "guided" / name
    text = path.read_text(encoding="utf-8")
    assert old in text, old
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return rules


BAD = {
    "a misspelt basis": ("proposals.yaml", "article_6: public_task,", "article_6: public_taks,",
                         ("proposals[0].basis.article_6: unknown value 'public_taks'; expected consent, contract, "
                         "legal_obligation, vital_interests, public_task, legitimate_interests, "
                         "recognised_legitimate_interest; did you mean 'public_task'?")),
    "a misspelt purpose": ("proposals.yaml", "purpose: [safeguarding_child]", "purpose: [safeguarding_kid]",
                           "proposals[0].purpose[0]: unknown purpose 'safeguarding_kid'; did you mean 'safeguarding_child'?"),
    "an unknown key": ("proposals.yaml", "    says:", "    sayz:", "proposals[0].sayz: unknown field 'sayz'; did you mean 'says'?"),
    "a list, not a mapping": ("proposals.yaml", "proposals:\n", "- proposals:\n", "expected a mapping with 'proposals:'"),
    "a field a scenario does not have": ("confirmations.yaml", "sets: {share.data.minimised: true,",
                                         "sets: {share.data.minimized: true,",
                                         ("confirmations[0].sets.share.data.minimized: unknown field 'minimized'; "
                                         "did you mean 'minimised'?")),
    "a value the field does not take": ("confirmations.yaml", "options: [secure_email,", "options: [carrier_pigeon,",
                                        "confirmations[0].options[0]: unknown value 'carrier_pigeon'"),
    "broken YAML": ("confirmations.yaml", "confirmations:\n", "confirmations: [[[\n", "not valid YAML"),
}


@pytest.mark.parametrize("case", BAD, ids=list(BAD))
def test_each_slip_is_one_located_line(tmp_path, case):
    name, old, new, says = BAD[case]
    rules = _copy(tmp_path, name, old, new)
    problems = [str(p) for p in guided_problems(rules)]
    assert len(problems) == 1, problems
    assert f"guided/{name}:" in problems[0] and says in problems[0], problems
    with pytest.raises(RulesetError):
        check_guided_files(rules)


def test_the_questions_stop_before_the_first_question_and_lint_fails(tmp_path):
    rules = _copy(tmp_path, "proposals.yaml", "article_6: public_task,", "article_6: public_taks,")
    with pytest.raises(RulesetError):
        load_proposals(str(rules))
    for command in (["ask"], ["triage"]):
        result = CliRunner().invoke(cli, [*command, "--rules", str(rules)], input="1\n" * 5)
        assert result.exit_code == 1, result.output
        assert result.output.strip().splitlines()[-1].endswith("did you mean 'public_task'?")
        assert "Answer in plain words" not in result.output and "Traceback" not in result.output


def test_lint_reads_the_directory_dpia_checklist_and_guided_files_beside_the_rules(tmp_path):
    rules = _copy(tmp_path, "proposals.yaml", "article_6: public_task,", "article_6: public_taks,")
    agreements = rules / "directory" / "agreements.yaml"
    agreements.write_text(agreements.read_text(encoding="utf-8").replace(
        "parties: [city-of-york-council,", "parties: [city-of-yrok-council,", 1), encoding="utf-8")
    screening = rules / "dpia" / "screening.yaml"
    screening.write_text(screening.read_text(encoding="utf-8").replace("group: law", "group: lawz", 1), encoding="utf-8")
    linted = CliRunner().invoke(cli, ["lint", str(rules)])
    assert linted.exit_code == 1
    assert "unknown partner 'city-of-yrok-council'; did you mean 'city-of-york-council'?" in linted.output
    assert "dpia/screening.yaml" in linted.output and "group" in linted.output
    assert "proposals[0].basis.article_6" in linted.output
