"""The Appendix J agreement draft a DPO signs (issue 13, point 5), from the same decision as isp check.

Numbered clauses in plain words: the parties by name, the purpose and legal basis in words, each
settled protocol standard quoted with its source, each open point as a checklist of its likely
answers, start and review dates, a version and a signature block for each party. Every library
scenario's draft is read in Markdown, in Word, and in Word converted to PDF (as a person opening
it sees it), and none may show a field path, an id, a placeholder or YAML.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import shutil
from functools import cache

import pytest
import yaml
from click.testing import CliRunner
from conftest import RULES, SCENARIOS, build
from leaks import DOTTED, RULE_TOKEN, SNAKE, YAML_KEY
from wordfiles import printed_text, word_text

from isp_rules import assess, default_ruleset, load_ruleset, load_scenario
from isp_rules.agreement import BLANK, agreement_markdown, write_docx
from isp_rules.cli import cli
from isp_rules.facts import FIELDS

ROUTINE = SCENARIOS / "governance" / "monthly-nominations-extract-to-housing-association-no-agreement.yaml"
URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"
LIBRARY = sorted(SCENARIOS.rglob("*.yaml"))
TODAY = dt.date(2026, 12, 7)


def draft(scenario, ruleset):
    return agreement_markdown(scenario, assess(scenario, ruleset), ruleset, TODAY)


# --- what a practitioner must never read in a draft ----------------------------------------



@cache
def _rule_ids() -> frozenset[str]:
    rs = default_ruleset()
    return frozenset({r.id for r in rs.rules} | {r.id for r in rs.pending})


@cache
def _field_words() -> tuple[str, ...]:
    """A field path spelt out as words ("basis article 6", "governance dpia": what the practitioner
    found in the old draft, and what labels.label says for a field it has no words for). It is a
    leak when used as a label ("governance dpia: not required"); "implied consent covers direct
    care" is English. Paths under from/to are left out: "to name" is ordinary English."""
    out = []
    for path in FIELDS:
        if not path.startswith("share."):
            continue
        words = path.removeprefix("share.").replace(".", " ").replace("_", " ")
        if " " in words and not words.startswith(("from ", "to ")):
            out.append(words)
    return tuple(out)


def leaks(text: str, yaml_lines: bool = True) -> list[str]:
    """Everything in a draft that is for developers, not for the people signing it."""
    found = [f"field path {m!r}" for m in DOTTED.findall(text)]
    found += [f"field path {p!r}" for p in FIELDS if "." in p and p in text]
    found += [f"field as a label {w!r}" for w in _field_words()
              if re.search(rf"\b{re.escape(w)}\s*:", text, re.IGNORECASE)]
    found += [f"rule id {m!r}" for m in RULE_TOKEN.findall(text) if m in _rule_ids()]
    found += [f"id or raw value {m!r}" for m in SNAKE.findall(text)]
    found += [f"brace near {text[max(0, m.start() - 30):m.end() + 30]!r}" for m in re.finditer(r"[{}]", text)]
    if yaml_lines:
        found += [f"YAML line {m.group(0).strip()!r}" for m in YAML_KEY.finditer(text)]
    found += [f"instruction to draft inside the draft near {text[max(0, m.start() - 40):m.end() + 40]!r}"
              for m in re.finditer(r"Draft one from|from the protocol's Appendix J template", text)]
    return list(dict.fromkeys(found))


def test_the_leak_check_finds_what_the_practitioner_found():
    assert leaks("basis article 6: public task")
    assert leaks("Governance dpia: not required")
    assert leaks("| breach_handling | How are incidents reported")
    assert leaks("Likely answers: - [ ] Draft one from the protocol's Appendix J template for this share")
    assert leaks("{share.from.name} tells {share.to.name}") and leaks("See GOV-AGREEMENT-001.")
    assert not leaks("**3.5 Which UK GDPR Art 6 basis applies?** Agreed for this share:\n\n"
                     "- The lawful basis (Art 6): public task.\n\n_Source: UK GDPR, Art 6(1)_")


# --- the clauses ---------------------------------------------------------------------------


def test_a_routine_draft_is_clauses_naming_the_parties_and_quoting_the_standards(ruleset):
    scenario = load_scenario(ROUTINE)
    decision = assess(scenario, ruleset)
    text = agreement_markdown(scenario, decision, ruleset, TODAY)
    assert text.startswith("# Information sharing agreement between North Yorkshire Council (housing options) "
                           "and Broadacres Housing Association (draft)")
    headings = re.findall(r"^## \d+\. (.+)$", text, re.MULTILINE)
    assert headings == ["The parties and this agreement", "How isp-rules assessed this share",
                        "What is shared, why, and on what legal basis", "How the information is handled",
                        "The protocol's standards", "Still to agree", "What each party must also do",
                        "Start, review and version", "Signatures"]
    # Each settled standard quotes the protocol's own words (from the data) with the section it relies on.
    settled = [p for p in decision.points if p.kind == "protocol_standard" and p.status == "settled"]
    assert len(settled) == 7
    for p in settled:
        assert f"\u201c{p.standard.strip()}\u201d" in text, p.id
        protocol_refs = [c.ref for c in ruleset.point(p.id).citations if "Protocol" in c.source]
        block = text[text.index(p.question):].split("_Source: ", 1)[1].split("_", 1)[0]
        assert all(ref in block for ref in protocol_refs), (p.id, block)
    assert "the protocol's standard\n" not in text.lower() and "Settled by the protocol" not in text
    # The purpose and legal basis in words, facts one a line.
    assert "- The lawful basis (Art 6): public task" in text
    assert ("- The law or function relied on: Housing Act 1996 Part 6 (s159 allocation by nomination; s170 "
            "co-operation of registered providers)") in text
    # The open point this draft answers is not an open point inside it.
    assert "This document is that written agreement, once both parties sign it." in text
    assert "Nothing: every point is settled." in text
    assert text.rstrip().endswith("_Not legal advice: isp-rules applies the partnership's rules to the facts you gave; "
                                  "check doubtful cases with your data protection officer._")
    assert not leaks(text)


def test_every_clause_says_its_source(ruleset):
    text = draft(load_scenario(ROUTINE), ruleset)
    body = text.split("## 8. Start, review and version")[0]
    clauses = re.split(r"^\*\*\d+\.\d+ ", body, flags=re.MULTILINE)[1:]
    parties = 2  # who the parties are is the parties' own statement, not a provision
    unsourced = [c.split("**")[0] for c in clauses if "_Source: " not in c]
    assert len(unsourced) == parties, unsourced


def test_open_points_are_a_checklist_of_likely_answers_with_what_would_settle_them(ruleset):
    scenario = build(share__frequency="routine", share__to__signatory=False)
    decision = assess(scenario, ruleset)
    text = agreement_markdown(scenario, decision, ruleset, TODAY)
    still = text[text.index("Still to agree"):text.index("Start, review and version")]
    security = next(p for p in decision.points if p.id == "security")
    assert security.status == "open"
    assert f"{security.question}** Still open:" in still
    for answer in security.likely_answers:
        assert f"- [ ] {answer}" in still
    assert f"- [ ] Another answer: {BLANK}" in still
    assert "The protocol's standards are not settled for this share. They would be if" in text
    assert not leaks(text)


def test_a_one_off_disclosure_lists_the_standards_as_obligations_and_points_to_annex_b(ruleset):
    scenario = build(share__to__signatory=False)
    decision = assess(scenario, ruleset)
    text = agreement_markdown(scenario, decision, ruleset, TODAY)
    assert decision.verdict == "allow" and "- [ ] " not in text
    assert "Nothing to agree: for a one-off disclosure, the discloser's obligation: Send it by a secure route" in text
    assert "does not need an information sharing agreement" in text and "Annex B" in text


def test_an_urgent_share_lists_paperwork_for_afterwards_and_never_a_dpia_first(ruleset):
    urgent = build(share__purpose__category="safeguarding_child", share__urgency__risk="serious_or_imminent",
                   share__handling__retention=..., share__governance__dpia=..., share__frequency=...)
    text = draft(urgent, ruleset)
    assert "Urgent: share now" in text
    assert "Still open" not in text and "To complete after the share (it is urgent)" in text
    assert "Required before sharing starts" not in text


def test_an_urgent_share_held_by_a_stated_defect_never_says_share_now(ruleset):
    held = build(share__purpose__category="safeguarding_child", share__urgency__risk="serious_or_imminent",
                 share__data__categories=["identity", "health"], share__basis__article_9="employment_social_protection")
    decision = assess(held, ruleset)
    text = agreement_markdown(held, decision, ruleset)
    assert decision.verdict == "needs-agreement" and decision.deferred and not decision.share_now
    assert "share now" not in text.lower() and "must be settled first" in text


def test_a_denied_share_says_do_not_sign_with_the_reason_and_remedy(ruleset):
    scenario = load_scenario(SCENARIOS / "lawful-basis" / "council-relies-on-legitimate-interests.yaml")
    decision = assess(scenario, ruleset)
    text = agreement_markdown(scenario, decision, ruleset)
    assert decision.verdict == "deny"
    assert "> **Do not share and do not sign" in text
    deny = next(r for r in decision.reasons if r.effect == "deny")
    assert deny.title.rstrip(".") in text and "To change this:" in text


def test_start_review_and_version(ruleset):
    from isp_rules import __version__

    scenario = load_scenario(ROUTINE)
    text = draft(scenario, ruleset)
    rs = ruleset
    assert "This agreement starts on 01 December 2026" in text
    assert "review this agreement by 01 December 2027, one year after it starts. This is a default" in text
    assert (f"Draft 0.1, produced by isp-rules {__version__} with ruleset {rs.name} {rs.version} "
            f"(fingerprint {rs.sha256[:12]}) on 2026-12-07") in text
    stated = build(share__frequency="routine", share__governance__agreement_review_date="2027-06-30")
    assert "review this agreement by 30 June 2027, the review date they gave" in draft(stated, ruleset)
    # The last year a date can have: the default review stops at the last day, never a 500 on the web.
    last = build(share__frequency="routine", as_of="9999-03-01")
    assert "review this agreement by 31 December 9999" in draft(last, ruleset)


def test_a_signature_block_for_each_party_and_blanks_for_unknown_names(ruleset):
    text = draft(load_scenario(ROUTINE), ruleset)
    sigs = text[text.index("## 9. Signatures"):]
    for party in ("North Yorkshire Council (housing options) (the discloser)",
                  "Broadacres Housing Association (the recipient)"):
        block = sigs.split(f"### Signed for {party}", 1)[1].split("###", 1)[0]
        assert all(f"- {line}: {BLANK}" in block for line in ("Name", "Role", "Signature", "Date")), block
    unnamed = draft(build(share__from__name=..., share__to__name=...), ruleset)
    assert f"### Signed for the discloser (name of organisation: {BLANK})" in unnamed
    assert f"Name of organisation: {BLANK}, a council" in unnamed


def test_a_partner_named_from_the_directory_brings_its_dpo(ruleset):
    path = SCENARIOS / "directory" / "hospital-discharge-list-named-from-the-directory.yaml"
    if not path.exists():
        pytest.skip("the directory scenarios are not in this checkout")
    scenario = load_scenario(path)
    if getattr(scenario.share.from_, "partner", None) is None:
        pytest.skip("this checkout's scenario format has no partner ids yet")
    decision = assess(scenario, ruleset)
    text = agreement_markdown(scenario, decision, ruleset)
    from isp_rules.directory import load_directory

    partner = load_directory(RULES).partner(scenario.share.from_.partner)
    assert f"Signed for {partner.name} (the discloser)" in text
    if partner.dpo:
        assert f"- Data protection officer: {partner.dpo}" in text


def test_the_standards_quoted_are_the_partnerships_own_words(tmp_path):
    """No law in Python: a partnership that words its security standard differently sees its own words."""
    target = tmp_path / "rules"
    shutil.copytree(RULES, target)
    path = target / "agreement-points.yaml"
    data = yaml.safe_load(path.read_text())
    for point in data["points"]:
        if point["id"] == "security":
            point["standard"] = "Use the Ryedale secure exchange and nothing else."
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True))
    rules = load_ruleset(target)
    text = draft(load_scenario(ROUTINE), rules)
    assert "\u201cUse the Ryedale secure exchange and nothing else.\u201d" in text
    assert "Send it by a secure route" not in text


# --- the command ---------------------------------------------------------------------------


def test_the_command_writes_a_markdown_file_or_stdout(tmp_path):
    runner = CliRunner()
    out = runner.invoke(cli, ["agreement", str(ROUTINE)])
    assert out.exit_code == 0 and out.output.startswith("# Information sharing agreement between")
    target = tmp_path / "agreement.md"
    result = runner.invoke(cli, ["agreement", str(ROUTINE), "-o", str(target)])
    assert result.exit_code == 0 and target.read_text() == out.output
    assert not list(tmp_path.glob("*.tmp"))
    assert runner.invoke(cli, ["agreement", str(ROUTINE), "-o", str(tmp_path / "a.pdf")]).exit_code == 2


def test_a_word_draft_has_the_same_clauses(tmp_path, ruleset):
    target = tmp_path / "agreement.docx"
    result = CliRunner().invoke(cli, ["agreement", str(ROUTINE), "-o", str(target)])
    assert result.exit_code == 0, result.output
    text = word_text(target)
    for heading in ("1. The parties and this agreement", "5. The protocol's standards", "6. Still to agree",
                    "8. Start, review and version", "9. Signatures"):
        assert heading in text
    assert "Broadacres deletes nominee details" in text and "Not legal advice" in text
    assert "Signed for Broadacres Housing Association (the recipient)" in text
    assert "**" not in text and "- [ ]" not in text  # no Markdown in the Word file
    assert not leaks(text)


def test_the_annex_b_option_writes_the_record_for_a_one_off_and_refuses_a_routine_share(tmp_path):
    runner = CliRunner()
    target = tmp_path / "record.md"
    result = runner.invoke(cli, ["agreement", "--annex-b", str(URGENT), "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text().startswith("# Data sharing request and decision record")
    refused = tmp_path / "routine.docx"
    result = runner.invoke(cli, ["agreement", "--annex-b", str(ROUTINE), "-o", str(refused)])
    assert result.exit_code == 1 and "routine sharing" in result.output and "agreement" in result.output
    assert not refused.exists()


def test_bad_input_writes_nothing(tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text("share: {frequency: weekly}\n")
    target = tmp_path / "agreement.md"
    result = CliRunner().invoke(cli, ["agreement", str(bad), "-o", str(target)])
    assert result.exit_code == 1 and "share.frequency: unknown value 'weekly'" in result.output
    assert not target.exists()


def test_drafts_get_ordinary_file_permissions(tmp_path):
    target = tmp_path / "agreement.md"
    CliRunner().invoke(cli, ["agreement", str(ROUTINE), "-o", str(target)])
    umask = os.umask(0)
    os.umask(umask)
    assert target.stat().st_mode & 0o777 == 0o666 & ~umask


# --- every library scenario, as a person reads it ------------------------------------------


def test_no_library_draft_shows_a_field_path_or_id_in_markdown_or_word(tmp_path):
    from isp_rules.request_record import not_needed, record_markdown, write_record_docx

    rs = default_ruleset()
    failures: dict[str, list[str]] = {}
    for path in LIBRARY:
        scenario = load_scenario(path)
        decision = assess(scenario, rs)
        name = str(path.relative_to(SCENARIOS))
        outputs = {"agreement (Markdown)": agreement_markdown(scenario, decision, rs)}
        target = tmp_path / "draft.docx"
        write_docx(scenario, decision, target, rs)
        outputs["agreement (Word)"] = word_text(target)
        if not_needed(scenario) is None:
            outputs["Annex B record (Markdown)"] = record_markdown(scenario, decision, rs)
            write_record_docx(scenario, decision, target, rs)
            outputs["Annex B record (Word)"] = word_text(target)
        for kind, text in outputs.items():
            found = leaks(text)
            if found:
                failures[f"{name}, {kind}"] = found
    assert not failures, "\n".join(f"{k}: {v[:4]}" for k, v in list(failures.items())[:20])


# --- the Word file as a person opens it: LibreOffice to PDF, pdftoppm to PNG ---------------


@pytest.mark.parametrize(("what", "path", "names"), [
    ("agreement", ROUTINE, ("North Yorkshire Council", "Broadacres Housing Association")),
    ("annex-b", URGENT, ()),
])
def test_the_word_files_convert_to_pdf_and_png_with_no_field_paths(tmp_path, what, path, names):
    docx_file = tmp_path / f"{path.stem}-{what}.docx"
    args = ["agreement", *(["--annex-b"] if what == "annex-b" else []), str(path), "-o", str(docx_file)]
    assert CliRunner().invoke(cli, args).exit_code == 0
    flat = printed_text(docx_file, tmp_path, "agreement")
    assert not leaks(flat, yaml_lines=False), leaks(flat, yaml_lines=False)
    assert "Signature" in flat and "Name" in flat and "Date" in flat  # the signature block survives
    for name in names:
        assert f"Signed for {name}" in flat
    if what == "annex-b":
        assert "Decision taken by" in flat and "Date the request was received" in flat
