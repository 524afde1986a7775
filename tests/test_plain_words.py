"""Plain words everywhere a practitioner reads (issue 13, point 3).

Every library scenario is decided once and read three ways: as `isp check` prints it, as the web
decision page shows it, and as the agreement draft (Markdown). None may show a dotted field path
(`share.basis.article_6`), a rule id (`SC-APD-001`), an agreement point, share kind, settlement or
trigger id (`breach_handling`), a raw vocabulary value (`serious_or_imminent`), a `{placeholder}` or
YAML syntax (`key: value`, `{all: []}`). Ids belong in the JSON and in `isp check --verbose`.

Ids that are one ordinary word (`purpose`, `security`, `review`) cannot be told from the word itself
and are not looked for; every id of two or more words is. On the web page only the text a person
sees counts: attributes, form fields and the scenario file the page shows on request (`<details
class="scenario-file">`, the file itself) are skipped.
"""

from __future__ import annotations

import re
from functools import cache
from html.parser import HTMLParser
from pathlib import Path
from typing import ClassVar

import pytest
import yaml
from leaks import DOTTED, RULE_TOKEN, SNAKE, YAML_KEY

from isp_rules import assess, default_ruleset, load_scenario, render
from isp_rules.facts import FIELDS
from isp_rules.render import render_text

SCENARIOS = Path(__file__).resolve().parent.parent / "scenarios"
LIBRARY = sorted(SCENARIOS.rglob("*.yaml"))



@cache
def _ids() -> tuple[frozenset[str], frozenset[str]]:
    rs = default_ruleset()
    rules = {r.id for r in rs.rules} | {r.id for r in rs.pending}
    words = {x.id for group in (rs.points, rs.kinds, rs.settlements, rs.triggers) for x in group}
    return frozenset(rules), frozenset(w for w in words if "_" in w or "-" in w)


def offences(text: str) -> list[str]:
    """What in a practitioner's text is for developers, not for them (empty when nothing is)."""
    rules, ids = _ids()
    found = [f"field path {m!r}" for m in DOTTED.findall(text)]
    found += [f"field path {p!r}" for p in FIELDS if "." in p and p in text and not any(p in f for f in found)]
    found += [f"rule id {m!r}" for m in RULE_TOKEN.findall(text) if m in rules or m.split("-")[0] in
              ("POINT", "KEEP", "KIND", "SETTLE", "TRIGGER", "MAYBE")]
    found += [f"id {m!r}" if m in ids else f"raw value {m!r}" for m in SNAKE.findall(text)]
    found += [f"placeholder or YAML brace near {text[max(0, m.start() - 30):m.end() + 30]!r}"
              for m in re.finditer(r"[{}]", text)]
    found += [f"YAML line {m.group(0).strip()!r}" for m in YAML_KEY.finditer(text)]
    return list(dict.fromkeys(found))


def test_the_checker_finds_what_it_should():
    """The check itself: it catches each kind of leak and passes plain words."""
    assert offences("Why open: not stated: share.basis.article_6")
    assert offences("(SC-APD-001) Source: DPA 2018")
    assert offences("the point breach_handling is open")
    assert offences("risk is serious_or_imminent")
    assert offences("{share.from.name} must tell {share.to.name}")
    assert offences("when: {all: []}")
    assert offences("frequency: routine")
    assert offences("basis.legal_power is stated")
    assert not offences("Why open: not known yet: the lawful basis (Art 6). Source: DPA 2018, Sch 1 para 18; "
                        "UK GDPR, Art 6(1)(e). See www.gov.uk/guidance.")


@cache
def decided() -> list[tuple[Path, object, object]]:
    rs = default_ruleset()
    out = []
    for path in LIBRARY:
        scenario = load_scenario(path)
        out.append((path, scenario, assess(scenario, rs)))
    return out


def _report(form: str, failures: dict[str, list[str]]) -> str:
    lines = [f"{len(failures)} of {len(LIBRARY)} library decisions show developer words in the {form}:"]
    for name, found in list(failures.items())[:25]:
        lines.append(f"  {name}: " + "; ".join(found[:6]) + (" ..." if len(found) > 6 else ""))
    return "\n".join(lines)


def _name(path: Path) -> str:
    return str(path.relative_to(SCENARIOS))


def test_library_is_there():
    assert len(LIBRARY) > 100


def test_text_output_is_plain_words(monkeypatch):
    monkeypatch.setattr(render, "WIDTH", 100_000)  # one line per sentence, as written
    failures = {_name(p): found for p, _, d in decided() if (found := offences(render_text(d)))}
    assert not failures, _report("text output (isp check)", failures)


def test_verbose_text_output_shows_the_ids():
    """For IG teams: --verbose adds the rule ids (and the points' ids) that the plain text leaves out."""
    _, _, d = next((p, s, d) for p, s, d in decided() if d.reasons and d.open_points)
    text = render_text(d, verbose=True)
    assert d.reasons[0].rule in text and d.open_points[0].id in text


class VisibleText(HTMLParser):
    """The text a person sees: no attributes, form fields, scripts or the scenario file shown on request."""

    SKIP: ClassVar[frozenset[str]] = frozenset({"script", "style", "textarea", "template"})

    def __init__(self) -> None:
        super().__init__()
        self.parts: list[str] = []
        self.stack: list[tuple[str, bool]] = []

    def _skipping(self) -> bool:
        return any(skip for _, skip in self.stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in ("input", "br", "meta", "link", "img", "hr"):  # void elements
            return
        self.parts.append("\n")  # each element on its own line, as a YAML-looking line would be
        classes = (dict(attrs).get("class") or "").split()
        self.stack.append((tag, tag in self.SKIP or "scenario-file" in classes))

    def handle_endtag(self, tag: str) -> None:
        self.parts.append("\n")
        while self.stack:
            if self.stack.pop()[0] == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self._skipping():
            self.parts.append(" ".join(data.split("\n")))  # the template's line breaks are not the reader's

    def text(self) -> str:
        return "\n".join(line.strip() for line in "".join(self.parts).splitlines() if line.strip())


def visible_text(html: str) -> str:
    parser = VisibleText()
    parser.feed(html)
    parser.close()
    return parser.text()


def test_visible_text_skips_what_is_not_read():
    html = ('<p title="share.x">Shown <input name="share.basis.article_6" value="x"></p><script>{a}</script>'
            '<details class="scenario-file"><summary>file</summary><pre>{"share": 1}</pre></details><p>After</p>')
    assert visible_text(html) == "Shown\nAfter"


def _scenario_yaml(path: Path) -> str:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data.pop("expect", None)
    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True)


def test_web_decision_page_is_plain_words(tmp_path):
    pytest.importorskip("fastapi.testclient")
    from webutil import browser_client

    from isp_rules.web import create_app

    failures: dict[str, list[str]] = {}
    with browser_client(create_app(database_url=str(tmp_path / "register.sqlite"))) as client:
        for path, _, _decision in decided():
            response = client.post("/check", data={"text": _scenario_yaml(path)})
            assert response.status_code == 200, f"{_name(path)}: {response.status_code}"
            main = response.text.split('<main id="main"', 1)[1].split("</main>", 1)[0]
            found = offences(visible_text(main.split(">", 1)[1]))
            if found:
                failures[_name(path)] = found
    assert not failures, _report("web decision page", failures)


def test_agreement_draft_is_plain_words():
    from isp_rules.agreement import agreement_markdown

    failures = {_name(p): found for p, s, d in decided() if (found := offences(agreement_markdown(s, d)))}
    assert not failures, _report("agreement draft (Markdown)", failures) + (
        "\nThe draft is signed by a DPO: it must read as an agreement, not as the rules' data (issue 13, point 3).")


def _main_text(html: str) -> str:
    return visible_text(html.split('<main id="main"', 1)[1].split(">", 1)[1].split("</main>", 1)[0])


def test_rules_page_is_plain_words(tmp_path):
    """/rules: conditions as sentences, blanks as words ('the recipient'), topics not file names, no ids;
    and a rule's id still finds it (the decision page links to /rules?q=<id>)."""
    pytest.importorskip("fastapi.testclient")
    from webutil import browser_client

    from isp_rules.web import create_app

    rs = default_ruleset()
    with browser_client(create_app(database_url=str(tmp_path / "register.sqlite"))) as client:
        page = client.get("/rules")
        assert page.status_code == 200
        text = _main_text(page.text)
        assert not offences(text), "\n".join(offences(text)[:30])
        assert ".yaml" not in text
        found = client.get("/rules", params={"q": "SG-URGENT-001"})
        assert 'id="SG-URGENT-001"' in found.text and found.text.count('<details class="rule"') == 1
        assert "Urgent child safeguarding" in _main_text(found.text)
    assert rs.rule("SG-URGENT-001").title.startswith("Urgent child safeguarding")


def test_a_deny_never_reads_as_if_the_share_goes_ahead():
    """Under a deny the protocol's standards are what a lawful share would carry, not standards
    'you meet for this disclosure' (third check on unseen shares, 8 December 2026)."""
    rs = default_ruleset()
    denied = [d for d in (assess(load_scenario(p), rs) for p in sorted(Path("scenarios").rglob("*.yaml")))
              if d.verdict == "deny" and any(o.kind == "standard" for o in d.obligations)]
    assert denied
    for d in denied:
        text = render_text(d)
        assert "which you meet for this disclosure" not in text and "for a share made lawful" in text
