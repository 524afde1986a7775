"""isp ask and isp triage: questions worked out from the rules, scripted as a user would answer."""

from click.testing import CliRunner

from isp_rules import load_scenario
from isp_rules.cli import cli
from isp_rules.cli import prompts as prompting
from isp_rules.guided.questions import QUESTIONS

# A practitioner's answers for an urgent child-safeguarding share, field by field.
URGENT_CHILD = {
    "share.purpose.category": "safeguarding_child", "share.urgency.risk": "serious_or_imminent",
    "share.from.type": "police", "share.to.type": "school", "share.from.signatory": True, "share.to.signatory": True,
    "share.relationship": "separate_controllers", "share.data.subjects": ["child"],
    "share.data.categories": ["identity", "contact", "health"], "share.data.identifiability": "identified",
    "share.data.confidential": True, "share.data.volume": "individual", "share.data.minimised": True,
    "share.frequency": "one_off", "share.urgency.emergency": False, "share.basis.article_6": "public_task",
    "share.basis.legal_power": "Children Act 2004 s11", "share.basis.article_9": "substantial_public_interest",
    "share.basis.schedule_1": "safeguarding", "share.basis.appropriate_policy_document": True,
    "share.consent.status": "not_sought", "share.consent.reason_not_sought": "would_increase_risk",
    "share.confidentiality": "overriding_public_interest", "share.handling.transfer": "verbal",
    "share.request.by_recipient": False,
}


def scripted(monkeypatch, answers):
    asked = []

    def answer(question, number):
        asked.append(question.path)
        return answers.get(question.path, prompting.NOT_SURE)

    monkeypatch.setattr(prompting, "ask_question_with_back", answer)
    return asked


def test_a_typical_share_is_settled_in_fewer_questions_than_the_full_form(monkeypatch, tmp_path):
    asked = scripted(monkeypatch, URGENT_CHILD)
    target = tmp_path / "my-share.yaml"
    result = CliRunner().invoke(cli, ["ask", "--save", str(target)])
    assert result.exit_code == 0, result.output
    assert "ALLOW" in result.output
    assert len(asked) == len(set(asked)), "no question is asked twice"
    assert len(asked) < len(QUESTIONS) / 2, (len(asked), asked)
    assert f"No further answer can change the verdict ({len(asked)} question(s) asked)." in result.output
    saved = load_scenario(target)  # the public format, loadable by isp check
    assert saved.id == "my-share" and saved.share.purpose.category == "safeguarding_child"


def test_a_deny_stops_the_questions_at_once(monkeypatch):
    answers = {**URGENT_CHILD, "share.data.minimised": False}
    asked = scripted(monkeypatch, answers)
    result = CliRunner().invoke(cli, ["ask"])
    assert "DENY" in result.output and "Share only what the purpose needs" in result.output
    assert asked[-1] in ("share.data.minimised", "share.data.identifiability")


def test_not_sure_is_accepted_and_never_asked_again(monkeypatch):
    asked = scripted(monkeypatch, {})
    result = CliRunner().invoke(cli, ["ask"])
    assert result.exit_code == 0
    assert len(asked) == len(set(asked)) and asked
    assert "NEEDS AGREEMENT" in result.output


def test_typed_answers_outside_the_choices_are_asked_again_with_the_choices():
    result = CliRunner().invoke(cli, ["ask"], input="banana\nNorth Yorkshire Polce\n0\n")
    # The partners are more than 25: the list on the screen is not repeated; a near miss is named.
    assert "'banana' is not one of the choices: give the number or words of one listed above" in result.output
    assert "'North Yorkshire Polce' is not one of the choices; did you mean 3) North Yorkshire Police" in result.output
    assert result.output.count("Q1.") == 1


def test_end_of_input_records_nothing_and_saves_only_the_answers_so_far(tmp_path):
    """Nothing was decided, so nothing is recorded; the answers so far go to --save as a start
    file for `isp ask FILE` (the command's last line says so), never as a decision."""
    target, reg = tmp_path / "s.yaml", tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["ask", "--save", str(target), "--record", "--register", str(reg)], input="1\n")
    assert result.exit_code == 1
    assert not reg.exists()
    assert not target.exists() or "expect" not in target.read_text(encoding="utf-8")


def test_triage_reaches_a_verdict_in_at_most_five_questions():
    result = CliRunner().invoke(cli, ["triage"], input="1\n1\n5\n12\n1,2,18\n")
    assert result.exit_code == 0, result.output
    assert sum(line.startswith("Q") for line in result.output.splitlines()) <= 5
    assert "SHARE NOW" in result.output
    assert "Share with: A school or college" in result.output
    assert "Record afterwards:" in result.output
    assert "Sch 1 para 18" in result.output  # the likely Schedule 1 condition to note
    assert "Paperwork that waits until after the share:" in result.output
    assert "Required before sharing starts" not in result.output


def test_triage_still_denies_a_stated_unlawful_fact(tmp_path):
    start = tmp_path / "facts.yaml"
    start.write_text("share:\n  handling: {transfer: unencrypted_email}\n  data: {confidential: true}\n")
    result = CliRunner().invoke(cli, ["triage", str(start)], input="1\n1\n5\n12\n1,2,18\n")
    assert "DENY" in result.output and "Sensitive or confidential data must travel securely" in result.output
    assert "Q1." not in result.output  # the facts given already decide it: no questions first


def test_triage_says_when_the_urgent_path_does_not_apply():
    result = CliRunner().invoke(cli, ["triage"], input="1\n3\n5\n12\n1\n")
    assert "NOT URGENT ON THESE ANSWERS" in result.output


def test_triage_can_record_its_decision(tmp_path):
    reg = tmp_path / "r.sqlite"
    result = CliRunner().invoke(cli, ["triage", "--record", "--by", "DSL", "--no-case-ref", "--register", str(reg)],
                                input="1\n1\n5\n12\n1,2\nSt Hilda's School\nNorth Yorkshire Council\n")
    assert result.exit_code == 0 and reg.exists()
    log = CliRunner().invoke(cli, ["log", "--register", str(reg)]).output
    assert "allow" in log and "by DSL" in log


def test_ask_end_to_end_with_typed_answers():
    """No monkeypatching: a person answering 'not sure' (0) to everything still gets a decision."""
    result = CliRunner().invoke(cli, ["ask"], input="0\n" * 80)
    assert result.exit_code == 0, result.output
    assert "No further answer can change the verdict" in result.output and "NEEDS AGREEMENT" in result.output
    assert result.output.count("Q1.") == 1


def test_zero_or_not_sure_at_a_free_text_question_means_not_sure():
    from isp_rules.cli.prompts import NOT_SURE, _parse

    question = QUESTIONS["share.basis.legal_power"]
    for raw in ("0", "", "not sure", "Not sure"):
        assert _parse(question, raw, False) is NOT_SURE
    assert _parse(question, "Children Act 2004 s11", False) == "Children Act 2004 s11"


def test_ask_asks_where_the_recipient_is(monkeypatch):
    # A school or council is in the UK; a company may not be, so for one the question is asked.
    answers = {**URGENT_CHILD, "share.urgency.risk": "low", "share.to.type": "private_company", "share.to.location": "US",
               "share.handling.international_mechanism": "none", "share.governance.dpia": "not_required"}
    asked = scripted(monkeypatch, answers)
    result = CliRunner().invoke(cli, ["ask"])
    assert "share.to.location" in asked
    assert "DENY" in result.output


def test_messages_name_an_unnamed_party_by_its_role(ruleset):
    from conftest import build

    from isp_rules import assess

    d = assess(build(share__from__name=..., share__from__type="police"), ruleset)
    ground = next(r for r in d.reasons if r.rule == "LB-PUBTASK-001")
    assert ground.message.startswith("the discloser (police) shares as part of its public task")


def test_a_bad_save_path_is_refused_before_any_question(tmp_path):
    result = CliRunner().invoke(cli, ["ask", "--save", str(tmp_path / "no-such-dir" / "s.yaml")], input="")
    assert result.exit_code == 2 and "cannot write to" in result.output
    assert "Q1." not in result.output


def test_input_ending_early_keeps_the_answers_in_the_save_file_with_one_line(tmp_path):
    """Ctrl-D, or piped answers that run out: nothing more can be asked, so the answers so far go
    to --save (never lost behind click's bare "Aborted!"), and the command says so in one line."""
    out = tmp_path / "so-far.yaml"
    result = CliRunner().invoke(cli, ["ask", "--save", str(out)], input="3\n1\n")
    assert result.exit_code == 1 and "Aborted" not in result.output
    assert result.stderr.strip().splitlines()[-1] == (f"isp: input ended before the questions were finished; the "
                                                      f"answers so far are saved in {out} (go on with: isp ask {out})")
    assert load_scenario(out).model_dump(exclude_unset=True)["share"]  # the answers given, kept
    unsaved = CliRunner().invoke(cli, ["triage"], input="1\n")
    assert unsaved.exit_code == 1 and "Aborted" not in unsaved.output
    assert unsaved.stderr.strip().splitlines()[-1].startswith("isp: input ended before the questions were finished")


def test_a_label_word_is_accepted_for_its_choice():
    from isp_rules.cli.prompts import _parse

    assert _parse(QUESTIONS["share.data.subjects"], "tenant", False) == ["tenant"]
    assert _parse(QUESTIONS["share.purpose.category"], "emergency", False) == "emergency_response"


def test_facts_from_a_start_file_are_not_asked_again(monkeypatch, tmp_path):
    start = tmp_path / "start.yaml"
    start.write_text("share:\n  to: {location: GB, type: school}\n  purpose: {category: safeguarding_child}\n")
    asked = scripted(monkeypatch, URGENT_CHILD)
    result = CliRunner().invoke(cli, ["ask", str(start)])
    assert result.exit_code == 0, result.output
    assert not {"share.to.location", "share.to.type", "share.purpose.category"} & set(asked)
