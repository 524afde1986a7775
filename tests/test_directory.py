"""The partnership's directory (isp_rules/directory.py): the bundled example, strict loading, helpers."""

import datetime as dt
import textwrap

import pytest
from conftest import RULES

from isp_rules.directory import (
    Agreement,
    Directory,
    Partner,
    UnknownAgreementError,
    UnknownPartnerError,
    directory_for,
    directory_warnings,
    load_directory,
)
from isp_rules.errors import RulesetError
from isp_rules.loader import ruleset_digest

PARTNERS = """\
partners:
  - id: city-of-york-council
    name: City of York Council
    type: local_authority
    signed_on: 2018-05-25
  - id: north-yorkshire-police
    name: North Yorkshire Police
    type: police
    signed_on: 2018-05-25
    left_on: 2025-01-01
  - id: idas
    name: IDAS
    type: charity
"""

AGREEMENTS = """\
agreements:
  - id: mash
    title: MASH
    parties: [city-of-york-council, north-yorkshire-police]
    purposes: [safeguarding_child]
    data: [identity]
    frequency: routine
    start: 2021-04-01
    review: 2027-03-31
"""


def write(tmp_path, partners=PARTNERS, agreements=AGREEMENTS):
    folder = tmp_path / "directory"
    folder.mkdir(exist_ok=True)
    if partners is not None:
        (folder / "partners.yaml").write_text(textwrap.dedent(partners))
    if agreements is not None:
        (folder / "agreements.yaml").write_text(textwrap.dedent(agreements))
    return tmp_path


def problems(tmp_path):
    with pytest.raises(RulesetError) as caught:
        load_directory(tmp_path)
    return [str(p) for p in caught.value.problems]


def test_the_bundled_example_loads_and_says_it_is_an_example():
    directory = load_directory(RULES)
    assert len(directory.partners) >= 15 and 5 <= len(directory.agreements) <= 8
    assert {"city-of-york-council", "north-yorkshire-police", "idas"} <= {p.id for p in directory.partners}
    for name in ("partners.yaml", "agreements.yaml"):
        head = (RULES / "directory" / name).read_text().splitlines()[0]
        assert "AN EXAMPLE" in head


def test_the_directory_is_not_part_of_the_rulesets_identity(tmp_path):
    """Editing partners or agreements must not change the sha256 printed with every decision."""
    import shutil

    copy = tmp_path / "rules"
    shutil.copytree(RULES, copy)
    before = ruleset_digest(copy)
    (copy / "directory" / "partners.yaml").write_text("partners: []\n")
    assert ruleset_digest(copy) == before == ruleset_digest(RULES)


def test_no_directory_folder_is_an_empty_directory(tmp_path):
    assert load_directory(tmp_path) == Directory()


def test_a_valid_directory_loads(tmp_path):
    directory = load_directory(write(tmp_path))
    assert [p.id for p in directory.partners] == ["city-of-york-council", "north-yorkshire-police", "idas"]
    assert directory.agreement("mash").parties == ["city-of-york-council", "north-yorkshire-police"]



def test_a_slip_saved_while_a_server_runs_keeps_the_last_good_copy(tmp_path, caplog):
    """Read again when its files change; a mistake saved meanwhile must not reach practitioners
    as theirs, so the last good copy stays in use and the log names the problem. With no good
    copy to fall back on (a server starting, any CLI run) the problems are raised as ever."""
    import os

    rules = write(tmp_path)
    assert [p.id for p in directory_for(rules).partners][-1] == "idas"
    broken = tmp_path / "directory" / "agreements.yaml"
    broken.write_text(textwrap.dedent(AGREEMENTS).replace("north-yorkshire-police]", "no-such-partner]"))
    os.utime(broken, ns=(1, 1))  # a changed stamp, however fast the file system's clock ticks
    with caplog.at_level("WARNING", logger="isp_rules.directory"):
        assert directory_for(rules).agreement("mash").parties == ["city-of-york-council", "north-yorkshire-police"]
    assert "last good copy" in caplog.text and "no-such-partner" in caplog.text
    with pytest.raises(RulesetError):
        load_directory(rules)
    (tmp_path / "fresh").mkdir()
    other = write(tmp_path / "fresh", agreements=textwrap.dedent(AGREEMENTS).replace("north-yorkshire-police]", "no-such-partner]"))
    with pytest.raises(RulesetError):
        directory_for(other)

BAD = {
    "unknown field": (PARTNERS.replace("    signed_on: 2018-05-25\n  - id: north", "    singed_on: 2018-05-25\n  - id: north"),
                      AGREEMENTS, "partners.yaml:5: partners[0].singed_on: unknown field 'singed_on'; did you mean 'signed_on'?"),
    "unknown type": (PARTNERS.replace("type: police", "type: polise"), AGREEMENTS,
                     "partners.yaml:8: partners[1].type: unknown value 'polise'"),
    "duplicate partner": (PARTNERS + "  - id: idas\n    name: IDAS again\n    type: charity\n", AGREEMENTS,
                          "partners.yaml:14: partners[3].id: duplicate id 'idas' (first on line 11)"),
    "left before signing": (PARTNERS.replace("left_on: 2025-01-01", "left_on: 2017-01-01"), AGREEMENTS,
                            "partners.yaml:10: partners[1].left_on: left on 2017-01-01, before it signed on 2018-05-25"),
    "unknown partner": (PARTNERS, AGREEMENTS.replace("north-yorkshire-police]", "north-yorkshire-polic]"),
                        ("agreements.yaml:4: agreements[0].parties[1]: unknown partner 'north-yorkshire-polic'; "
                        "did you mean 'north-yorkshire-police'?")),
    "end before start": (PARTNERS, AGREEMENTS + "    end: 2020-01-01\n",
                         "agreements.yaml:10: agreements[0].end: ends on 2020-01-01, before it starts on 2021-04-01"),
    "review before start": (PARTNERS, AGREEMENTS.replace("review: 2027-03-31", "review: 2021-03-31"),
                            "agreements.yaml:9: agreements[0].review: review on 2021-03-31 is before it starts on 2021-04-01"),
    "duplicate agreement": (PARTNERS, AGREEMENTS + AGREEMENTS.removeprefix("agreements:\n").replace("start: 2021", "start: 2030"),
                            "agreements.yaml:10: agreements[1].id: duplicate id 'mash' (first on line 2)"),
    "overlap": (PARTNERS, AGREEMENTS + AGREEMENTS.removeprefix("agreements:\n").replace("id: mash", "id: mash-2")
                .replace("parties: [city-of-york-council, north-yorkshire-police]",
                         "parties: [north-yorkshire-police, city-of-york-council]").replace("start: 2021-04-01", "start: 2026-01-01"),
                ("agreements.yaml:10: agreements[1]: overlaps agreement 'mash' (line 2): the same parties and purpose "
                "'safeguarding_child'")),
    "one party": (PARTNERS, AGREEMENTS.replace(", north-yorkshire-police]", "]"),
                  "agreements.yaml:4: agreements[0].parties: an agreement needs at least two parties"),
    "unknown purpose": (PARTNERS, AGREEMENTS.replace("[safeguarding_child]", "[safeguarding_childs]"),
                        "agreements.yaml:5: agreements[0].purposes[0]: unknown value 'safeguarding_childs'"),
    "unknown frequency": (PARTNERS, AGREEMENTS.replace("frequency: routine", "frequency: routin"),
                          ("agreements.yaml:7: agreements[0].frequency: unknown value 'routin'; expected routine, one_off; "
                          "did you mean 'routine'?")),
    "not a date": (PARTNERS, AGREEMENTS.replace("start: 2021-04-01", "start: 2021-02-30"), "agreements.yaml:8: "),
    "unknown top key": (PARTNERS.replace("partners:", "partner:"), AGREEMENTS,
                        "partners.yaml:1: partner: unknown key 'partner'; did you mean 'partners'?"),
    # Names and titles are shown to practitioners: one line of plain text, never text that reads
    # otherwise than it is stored (review of issue 16, finding 12).
    "right-to-left override in a name": (PARTNERS.replace("name: IDAS", 'name: "ID\\u202eAS"'), AGREEMENTS,
                                         ("partners.yaml:12: partners[2].name: contains a character that reverses how "
                                          "text reads (U+202E) at character 3")),
    "right-to-left override typed in a title": (PARTNERS, AGREEMENTS.replace("title: MASH", "title: MA\u202eSH"),
                                                ("agreements.yaml:3: agreements[0].title: contains a character that "
                                                 "reverses how text reads (U+202E) at character 3")),
    "line break in a title": (PARTNERS, AGREEMENTS.replace("title: MASH", 'title: "MA\\nSH"'),
                              "agreements.yaml:3: agreements[0].title: contains a line break at character 3"),
    "control character in a name": (PARTNERS.replace("name: IDAS", 'name: "ID\\x07AS"'), AGREEMENTS,
                                    "partners.yaml:12: partners[2].name: contains an invisible control character"),
    # What an agreement settles is checked like a scenario's facts, and only what an agreement
    # can fix for every share is allowed: never what each case is about.
    "settles a fact of the case": (PARTNERS, AGREEMENTS + "    settles:\n      consent: {status: given}\n",
                                   ("agreements.yaml:11: agreements[0].settles.consent.status: an agreement cannot "
                                    "settle whether the person agreed: it is a fact of each share")),
    "settles an unknown value": (PARTNERS, AGREEMENTS + "    settles:\n      basis: {article_9: substantial_public_intrest}\n",
                                 ("agreements.yaml:11: agreements[0].settles.basis.article_9: unknown value "
                                  "'substantial_public_intrest'")),
    "settles an unknown field": (PARTNERS, AGREEMENTS + "    settles:\n      handling: {transfe: secure_email}\n",
                                 "agreements[0].settles.handling.transfe: unknown field 'transfe'; did you mean 'transfer'?"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_each_bad_input_is_one_located_line(tmp_path, case):
    partners, agreements, expected = BAD[case]
    lines = problems(write(tmp_path, partners, agreements))
    assert len(lines) == 1, lines
    assert lines[0].startswith(str(tmp_path / "directory") + "/") or lines[0].startswith("directory/")
    assert expected in lines[0], lines[0]


def test_a_partner_with_a_problem_is_not_also_unknown_to_agreements(tmp_path):
    """One mistake, one line: the agreement naming the broken partner is not reported too."""
    lines = problems(write(tmp_path, PARTNERS.replace("type: police", "type: polise")))
    assert len(lines) == 1 and "polise" in lines[0]


def test_every_problem_is_collected(tmp_path):
    lines = problems(write(tmp_path, PARTNERS.replace("type: police", "type: polise"),
                           AGREEMENTS + "    end: 2020-01-01\n"))
    assert len(lines) == 2


def test_an_unknown_partner_id_gets_a_did_you_mean(tmp_path):
    directory = load_directory(write(tmp_path))
    with pytest.raises(UnknownPartnerError, match="did you mean 'city-of-york-council'"):
        directory.partner("city-of-yrok-council")
    with pytest.raises(UnknownAgreementError, match="did you mean 'mash'"):
        directory.agreement("mashh")


def test_the_bundled_example_has_nothing_suspect():
    assert directory_warnings(RULES, dt.date(2026, 12, 7)) == []


def test_suspect_entries_are_warnings_located_in_their_file(tmp_path):
    """Valid but doubtful: a name given twice, a signing date still to come, and a partner that
    left but is still named in an agreement in force."""
    partners = PARTNERS + """\
  - id: nyp
    name: north yorkshire  Police
    type: police
    signed_on: 2027-05-01
"""
    found = [(p.file.rsplit("/", 2)[-2:], p.line, p.path, p.message)
             for p in directory_warnings(write(tmp_path, partners), dt.date(2026, 12, 7))]
    assert found == [
        (["directory", "partners.yaml"], 15, "partners[3].name",
         ("the same name as the partner on line 6: two entries for one organisation? Keep one, or give each its "
         "full name")),
        (["directory", "partners.yaml"], 17, "partners[3].signed_on",
         "signed on 2027-05-01, after today: until then it is not a signatory. Is the date right?"),
        (["directory", "agreements.yaml"], 4, "agreements[0].parties[1]",
         ("'north-yorkshire-police' left the protocol on 2025-01-01, but this agreement is still in force: end it, "
         "or review it without them")),
    ]
    # Before the partner left, nothing about it is suspect; an ended agreement is not either.
    assert [str(p) for p in directory_warnings(tmp_path, dt.date(2024, 12, 7))][2:] == []
    write(tmp_path, partners, AGREEMENTS.replace("    review: 2027-03-31", "    end: 2024-12-31"))
    assert not [p for p in directory_warnings(tmp_path, dt.date(2026, 12, 7)) if "left" in p.message]


def test_a_directory_with_problems_has_no_warnings_until_they_are_fixed(tmp_path):
    write(tmp_path, PARTNERS.replace("type: charity", "type: charty"))
    with pytest.raises(RulesetError):
        load_directory(tmp_path)
    assert directory_warnings(tmp_path, dt.date(2026, 12, 7)) == []


def test_search_is_case_insensitive_over_name_id_and_kind():
    directory = load_directory(RULES)
    assert [p.id for p in directory.search("POLICE")] == ["north-yorkshire-police"]
    assert {p.id for p in directory.search("york council")} == {"city-of-york-council", "north-yorkshire-council"}
    assert "idas" in {p.id for p in directory.search("voluntary")}  # the kind of body, in plain words
    assert "north-yorkshire-fire-and-rescue" in {p.id for p in directory.search("fire-and")}  # the id
    assert directory.search("") == list(directory.partners)
    assert directory.search("no such body") == []


def agreement(ident, start, review=None, end=None):
    return Agreement(id=ident, title=ident.upper(), parties=["a", "b"], purposes=["safeguarding_child"],
                     data=["identity"], frequency="routine", start=start, review=review, end=end)


def test_due_lists_the_overdue_and_the_soon_due_soonest_first():
    today = dt.date(2026, 6, 1)
    directory = Directory(agreements=(
        agreement("later", dt.date(2020, 1, 1), review=dt.date(2026, 8, 1)),
        agreement("past", dt.date(2020, 1, 1), review=dt.date(2025, 1, 1)),
        agreement("soon", dt.date(2020, 1, 1), review=dt.date(2026, 6, 15)),
        agreement("ends-first", dt.date(2020, 1, 1), review=dt.date(2027, 1, 1), end=dt.date(2026, 6, 10)),
        agreement("no-dates", dt.date(2020, 1, 1)),
        agreement("today", dt.date(2020, 1, 1), review=today),
    ))
    assert [a.id for a in directory.due(today, 30)] == ["past", "today", "ends-first", "soon"]
    assert [a.id for a in directory.due(today, 0)] == ["past", "today"]
    assert [a.id for a in directory.due(today, 365)][-1] == "later"


def test_signatory_status_on_a_day():
    partner = Partner(id="p", name="P", type="police", signed_on=dt.date(2020, 1, 1), left_on=dt.date(2025, 1, 1))
    directory = Directory(partners=(partner, Partner(id="q", name="Q", type="charity")))
    assert directory.signed_on("p", dt.date(2019, 12, 31)) == "not_yet_signed"
    assert directory.signed_on("p", dt.date(2020, 1, 1)) == "signatory"
    assert directory.signed_on(partner, dt.date(2025, 1, 1)) == "left"
    assert directory.signed_on("q", dt.date(2025, 1, 1)) == "not_signed"
    with pytest.raises(UnknownPartnerError):
        directory.signed_on("r", dt.date(2025, 1, 1))


def test_agreement_status_on_a_day():
    a = agreement("a", dt.date(2020, 1, 1), review=dt.date(2022, 1, 1), end=dt.date(2024, 1, 1))
    assert [a.status_on(dt.date(y, 6, 1)) for y in (2019, 2021, 2023, 2025)] == [
        "not_started", "in_force", "review_overdue", "ended"]


def test_a_quoted_date_is_a_date_as_in_a_scenario(tmp_path):
    write(tmp_path, partners=PARTNERS.replace("signed_on: 2018-05-25\n  - id: north", 'signed_on: "2018-05-25"\n  - id: north'))
    assert load_directory(tmp_path).partner("city-of-york-council").signed_on == dt.date(2018, 5, 25)


def test_what_an_agreement_settles_is_read_as_the_scenario_formats_facts(tmp_path):
    settles = "    settles:\n      basis: {article_6: public_task, article_9: substantial_public_interest}\n" \
              "      relationship: separate_controllers\n      handling: {transfer: secure_email}\n"
    directory = load_directory(write(tmp_path, agreements=AGREEMENTS + settles))
    assert directory.agreement("mash").settled_facts() == [
        ("share.relationship", "separate_controllers"), ("share.basis.article_6", "public_task"),
        ("share.basis.article_9", "substantial_public_interest"), ("share.handling.transfer", "secure_email")]
