"""The decision page shows what would make a deny or needs-agreement share lawful, in plain words."""

from __future__ import annotations

import pytest
import yaml
from conftest import SCENARIOS
from test_plain_words import offences, visible_text

from isp_rules import default_ruleset, load_scenario
from isp_rules.authoring.remedy import find_remedies
from isp_rules.render import REMEDIES_TITLE

pytest.importorskip("fastapi.testclient")

UNENCRYPTED = SCENARIOS / "children-education" / "secondary-school-emails-child-protection-file-to-college-unencrypted.yaml"
ROUTINE = SCENARIOS / "governance" / "monthly-nominations-extract-to-housing-association-no-agreement.yaml"
URGENT = SCENARIOS / "safeguarding" / "police-to-school-child-at-immediate-risk.yaml"


def _posted(client, path):
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("expect", None)
    response = client.post("/check", data={"text": yaml.safe_dump(data, sort_keys=False)})
    assert response.status_code == 200, response.text[:500]
    main = response.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
    return visible_text(main.split(">", 1)[1])


@pytest.mark.parametrize("path", [UNENCRYPTED, ROUTINE])
def test_the_decision_page_shows_what_would_make_it_lawful(client, path):
    text = _posted(client, path)
    assert REMEDIES_TITLE in text
    for remedy in find_remedies(load_scenario(path), default_ruleset()):
        assert " ".join(remedy.todo) in text  # the same remedies as isp check, in the same words
    assert not offences(text), offences(text)


def test_an_allowed_share_shows_no_remedies(client):
    assert REMEDIES_TITLE not in _posted(client, URGENT)


def test_the_remedies_on_the_page_come_before_the_obligations(client):
    text = _posted(client, UNENCRYPTED)
    assert text.index(REMEDIES_TITLE) < text.index("Obligations")
    assert "Send it by secure email." in text
