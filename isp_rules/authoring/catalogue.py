"""The rule catalogue a person can read: every rule with its effect, message, citations and dates."""

from __future__ import annotations

import json
import re
import textwrap
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from ..labels import label, placeholder_words, value_words
from ..ruleset import Citation, Rule, Ruleset, describe_condition, placeholders

__all__ = ["describe_condition", "fill_blanks", "matches", "pending_as_data", "points_as_data", "render_rules",
           "rules_as_data", "sentence", "topics"]



def topic_title(ruleset: Ruleset, file: str) -> str:
    """The topic of the rules in one file, as its `title:` names it ('Statutory gateways'); a file
    without a title is named from its file name ('lawful-basis.yaml' -> 'Lawful basis')."""
    name = Path(file).name
    return ruleset.topics.get(name) or Path(name).stem.replace("-", " ").replace("_", " ").capitalize()


def fill_blanks(message: str) -> str:
    """A rule's message before a share fills it in: '{share.to.name}' reads 'the recipient'."""
    for name in placeholders(message):
        message = message.replace("{" + name + "}", placeholder_words(name))
    return message[:1].upper() + message[1:]


def sentence(text: str) -> str:
    """A condition's words as a sentence: capital first, full stop at the end."""
    return text[:1].upper() + text[1:] + ("" if text.endswith(".") else ".")


def switch_on(rule: Rule, meta_file: str = "ruleset.yaml") -> str:
    """The one line that brings a pending rule into force, in words."""
    return f"add the line '{rule.commencement_id}: YYYY-MM-DD' under commenced: in {meta_file}"


def _status(rule: Rule) -> str | None:
    """A rule tied to law not yet in force: what it waits for, or when it came or comes into force."""
    c = rule.commencement
    if c is None:
        return None
    day, cid = rule.commenced_on, rule.commencement_id
    if c.status == "pending":
        if day is None:
            return f"pending commencement ({cid}) of {c.provision}, by {c.by}; never fires until a date is set"
        return f"commenced ({cid}): in force from {day.isoformat()}, {c.provision}"
    if day is None:
        return f"applies until {cid} commences ({c.provision}); no date set yet"
    return f"applies until {day.isoformat()}, when {cid} commences ({c.provision})"


def _in_force(rule: Rule) -> str:
    if rule.commencement is not None and rule.commencement.status == "pending" and rule.in_force is None:
        return "pending commencement (never fires until a date is set)"
    start = rule.in_force.from_ if rule.in_force else None
    until = rule.in_force.until if rule.in_force else None
    if start is not None and until is not None:
        return f"from {start.isoformat()} until {until.isoformat()} (not on that day)"
    if start is not None:
        return f"from {start.isoformat()}"
    if until is not None:
        return f"until {until.isoformat()} (not on that day)"
    return "always"


def rules_as_data(ruleset: Ruleset, rules: Any = None) -> list[dict[str, Any]]:
    """Every rule in force at some date (or the rules given), as plain data."""
    out = []
    for rule in ruleset.rules if rules is None else rules:
        item: dict[str, Any] = {
            "id": rule.id, "key": rule.key, "title": rule.title, "effect": rule.effect, "file": Path(rule.file).name,
            "topic": topic_title(ruleset, rule.file),
            "when": describe_condition(rule.when), "message": rule.message, "says": fill_blanks(rule.message),
            "remedy": rule.remedy, "points": list(rule.points),
            "point_questions": [ruleset.point(p).question for p in rule.points if _has_point(ruleset, p)],
            "in_force": _in_force(rule), "citations": _cites(rule.citations),
        }
        if rule.defers_paperwork:
            item["defers_paperwork"] = True
        if rule.commencement is not None:
            item["status"] = _status(rule)
            item["commencement"] = {"id": rule.commencement_id, "status": rule.commencement.status,
                                    "provision": rule.commencement.provision, "by": rule.commencement.by}
            if rule.commenced_on:
                item["commencement"]["date"] = rule.commenced_on.isoformat()
            elif rule.commencement.status == "pending":
                item["commencement"]["switch_on"] = switch_on(rule)
        out.append({k: v for k, v in item.items() if v not in (None, [])})
    return out


def _has_point(ruleset: Ruleset, point_id: str) -> bool:
    return any(p.id == point_id for p in ruleset.points)


def topics(items: Iterable[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    """Rules (as rules_as_data gives them) grouped by topic, in the order the topics first appear."""
    out: dict[str, list[dict[str, Any]]] = {}
    for item in items:
        out.setdefault(item["topic"], []).append(item)
    return out


def _words_of(value: Any) -> Iterable[str]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _words_of(v)
    elif isinstance(value, list):
        for v in value:
            yield from _words_of(v)
    elif value is not None:
        yield str(value)


def matches(item: dict[str, Any], query: str) -> bool:
    """Whether a rule or point (as plain data) has every word of the query somewhere in what it
    says: id, title, topic, condition, message, remedy, points, citations. Case does not matter."""
    text = " ".join(_words_of(item)).lower()
    return all(word in text for word in query.lower().split())


def pending_as_data(ruleset: Ruleset) -> list[dict[str, Any]]:
    """The rules pending commencement: law that never fires until the ruleset gives it a date."""
    return [{"id": r.id, "title": r.title, "effect": r.effect, "file": Path(r.file).name,
             "provision": c.provision, "commencement": r.commencement_id,
             "by": c.by, "switch_on": switch_on(r)} for r in ruleset.pending if (c := r.commencement) is not None]


def _cites(citations: Iterable[Citation]) -> list[dict[str, Any]]:
    return [{k: v for k, v in c.model_dump(by_alias=True).items() if v is not None} for c in citations]


def points_as_data(ruleset: Ruleset) -> list[dict[str, Any]]:
    """The Appendix J agreement points: what each asks, which shares it applies to, what settles
    it, what urgency does to it, and its likely answers, all as the agreement-points file says."""
    says = lambda ids, find: [find(i).says for i in ids]
    out = []
    for p in ruleset.points:
        item = {
            "id": p.id, "question": p.question, "help": p.help, "kind": p.kind,
            "applies_to": list(p.applies_to), "applies_to_words": says(p.applies_to, ruleset.kind),
            "except_for": list(p.except_for), "except_for_words": says(p.except_for, ruleset.kind),
            "obligation_for": list(p.obligation_for), "obligation_for_words": says(p.obligation_for, ruleset.kind),
            "standard": p.standard, "high_risk": p.high_risk or None,
            "applies_when": describe_condition(p.applies_when) if p.applies_when is not None else "always",
            "settled_by_words": [label(f) for f in p.settled_by],
            "settled_by": list(p.settled_by),
            "settled_if": list(p.settled_if), "settled_if_words": says(p.settled_if, ruleset.settlement),
            "urgency": p.urgency,
            "likely_answers": [{"text": a.text, **({"unless": describe_condition(a.unless)} if a.unless is not None else {}),
                                **({"otherwise": "offered only when no other answer fits"} if a.otherwise else {})}
                               for a in p.likely_answers],
            "citations": _cites(p.citations),
        }
        out.append({k: v for k, v in item.items() if v not in (None, [])})
    return out


URGENCY_WORDS = {"defer": "deferred until after an urgent share when it is open only because a fact is not known",
                 "defer_always": "deferred until after an urgent share",
                 "keep": "stays open even when the share is urgent"}


def _pending_text(ruleset: Ruleset) -> str:
    items = pending_as_data(ruleset)
    if not items:
        return "No rule is pending commencement.\n"
    lines = [f"{len(items)} rules pending commencement (they never fire until a date is set):", ""]
    for item in items:
        lines.append(f"{item['id']}  [{item['effect']}]  {item['title']}")
        lines.append(textwrap.fill(f"Provision: {item['provision']}", 96, initial_indent="    ", subsequent_indent="      "))
        lines.append(textwrap.fill(f"Commenced by: {item['by']}", 96, initial_indent="    ", subsequent_indent="      "))
        lines.append(textwrap.fill(f"To switch it on: {item['switch_on']}", 96, initial_indent="    ",
                                   subsequent_indent="      "))
        lines.append(f"    File: {item['file']}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _text(ruleset: Ruleset) -> str:
    lines = [f"{ruleset.name} {ruleset.version}: {len(ruleset.rules)} rules"
             + (f", and {len(ruleset.pending)} pending commencement" if ruleset.pending else ""), ""]
    for topic, items in topics(rules_as_data(ruleset, ruleset.rules + ruleset.pending)).items():
        lines += [f"== {topic} ({len(items)}) ==", ""]
        for item in items:
            lines.append(f"{item['id']}  [{item['effect']}]  {item['title']}")
            for label_, text in (("When", sentence(item["when"])), ("Says", item["says"]), ("Remedy", item.get("remedy"))):
                if text:
                    lines.append(textwrap.fill(f"{label_}: {text}", 96, initial_indent="    ", subsequent_indent="      "))
            for c in item["citations"]:
                text = f"Cites: {c['source']}, {c['ref']}" + (f" ({c['note']})" if "note" in c else "")
                lines.append(textwrap.fill(text, 96, initial_indent="    ", subsequent_indent="      "))
            lines.append(f"    In force: {item['in_force']}; points: {', '.join(item.get('points', [])) or 'none'}; "
                         f"file: {item['file']}")
            if "status" in item:
                lines.append(textwrap.fill(f"Status: {item['status']}", 96, initial_indent="    ", subsequent_indent="      "))
                if "switch_on" in item["commencement"]:
                    lines.append(textwrap.fill(f"To switch it on: {item['commencement']['switch_on']}", 96,
                                               initial_indent="    ", subsequent_indent="      "))
            lines.append("")
    return "\n".join(lines).rstrip() + "\n"


def _slug(heading: str) -> str:
    """The anchor GitHub gives a Markdown heading."""
    return re.sub(r"[^\w\- ]", "", heading.lower()).replace(" ", "-")


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


def _markdown(ruleset: Ruleset) -> str:
    out = [f"# Rule catalogue: {ruleset.name} {ruleset.version}", "",
           "<!-- Generated by `isp rules --format markdown > docs/rules.md`; tests check it is current. -->", "",
           (f"{len(ruleset.rules)} rules. Effects: **deny** stops the share; **open** leaves an agreement point "
           "open (needs-agreement); **obligation** must be done; **ground** is a reason the share is lawful; "
           "**advice** is worth knowing. Not legal advice."), ""]
    if ruleset.pending:
        out += [(f"{len(ruleset.pending)} more rules are **pending commencement**: law that is made but not yet in "
                "force. They never fire until one line under `commenced:` in ruleset.yaml gives the provision "
                "its date (see docs/rules-format.md)."), ""]
    grouped = topics(rules_as_data(ruleset, ruleset.rules + ruleset.pending))
    out += ["## Contents", ""]
    out += [f"- [{_md(topic)}](#{_slug(topic)}) ({len(items)})" for topic, items in grouped.items()]
    out.append("")
    for topic, items in grouped.items():
        out += [f"## {_md(topic)}", ""]
        for item in items:
            out += [f"### {item['id']}: {_md(item['title'])}", "",
                    f"- **Effect:** {item['effect']}" + (" (defers paperwork when it fires)" if item.get("defers_paperwork") else ""),
                    f"- **When:** {_md(sentence(item['when']))}",
                    f"- **Says:** {_md(item['says'])}"]
            if "remedy" in item:
                out.append(f"- **Remedy:** {_md(item['remedy'])}")
            if item.get("point_questions"):
                out.append(f"- **Agreement points:** {_md(' / '.join(item['point_questions']))}")
            out.append(f"- **In force:** {item['in_force']}")
            if "status" in item:
                out.append(f"- **Status:** {_md(item['status'])}")
            for c in item["citations"]:
                line = f"- **Cites:** {_md(c['source'])}, {_md(c['ref'])}" + (f" ({_md(c['note'])})" if "note" in c else "")
                if "checked" in c:
                    line += f". _Checked: {_md(c['checked'])}_"
                out.append(line)
            out.append("")
    return "\n".join(out).rstrip() + "\n"


def _pending_markdown(ruleset: Ruleset) -> str:
    out = [f"# Rules pending commencement: {ruleset.name} {ruleset.version}", "",
           "They never fire until one line under `commenced:` in ruleset.yaml gives the provision its date.", ""]
    for item in pending_as_data(ruleset):
        out += [(f"- **{item['id']}** ({item['effect']}): {_md(item['title'])}. Provision: {_md(item['provision'])}; "
                f"commenced by {_md(item['by'])}; to switch it on, {_md(item['switch_on'])}.")]
    if not ruleset.pending:
        out.append("No rule is pending commencement.")
    return "\n".join(out).rstrip() + "\n"


def render_rules(ruleset: Ruleset, fmt: str, pending: bool = False) -> str:
    """The catalogue in text, json or markdown; with pending=True only the rules pending commencement."""
    if pending:
        if fmt == "json":
            return json.dumps({"name": ruleset.name, "version": ruleset.version, "sha256": ruleset.sha256,
                               "pending": pending_as_data(ruleset)}, indent=2, ensure_ascii=False) + "\n"
        return _pending_markdown(ruleset) if fmt == "markdown" else _pending_text(ruleset)
    if fmt == "json":
        data: dict[str, Any] = {"name": ruleset.name, "version": ruleset.version, "sha256": ruleset.sha256,
                                "rules": rules_as_data(ruleset)}
        if ruleset.pending or ruleset.commenced:
            data["pending"] = rules_as_data(ruleset, ruleset.pending)
            data["commenced"] = {k: v.isoformat() for k, v in ruleset.commenced.items()}
        return json.dumps(data, indent=2, ensure_ascii=False) + "\n"
    return _markdown(ruleset) if fmt == "markdown" else _text(ruleset)


KIND_WORDS = {"duty_to_disclose": "a duty to disclose", "power_to_disclose": "a power to disclose",
              "function": "a function the public task rests on (no power to disclose of its own)",
              "exemption": "an exemption from some data protection duties, not a law to share under",
              "confidence_only": "sets aside the duty of confidence only, not a law to share under"}


def powers_as_data(ruleset: Ruleset) -> list[dict[str, Any]]:
    """The catalogue of gateways and powers a named power is recognised against."""
    out = []
    for p in sorted(ruleset.powers, key=lambda p: (p.statute, p.section)):
        item = {"id": p.id, "statute": p.statute, "section": p.section, "kind": p.kind, "permits": p.permits,
                "who": list(p.who), "to": list(p.to), "written": p.written or None, "purposes": list(p.purposes),
                "names": list(p.names), "pending": p.pending or None,
                "in_force": p.in_force.model_dump(mode="json", by_alias=True, exclude_none=True) if p.in_force else None,
                "file": Path(p.file).name, "citations": _cites(p.citations)}
        out.append({k: v for k, v in item.items() if v not in (None, [])})
    return out


def render_powers(ruleset: Ruleset, fmt: str) -> str:
    """The catalogue of powers in text, json or markdown."""
    items = powers_as_data(ruleset)
    if fmt == "json":
        return json.dumps({"name": ruleset.name, "version": ruleset.version, "sha256": ruleset.sha256,
                           "powers": items}, indent=2, ensure_ascii=False) + "\n"
    who = lambda item: ", ".join(w.replace("_", " ") for w in item.get("who", [])) or "any discloser"
    whom = lambda item: ", ".join(w.replace("_", " ") for w in item.get("to", [])) or "any recipient"
    how = lambda item: " (only on a notice or requirement in writing)" if item.get("written") else ""
    cites = lambda item: "; ".join(f"{c['source']}, {c['ref']}" for c in item["citations"])
    serves = lambda item: value_words("share.purpose.category", item["purposes"]) if item.get("purposes") else \
        "not narrowed here: whatever the power's own words allow"
    if fmt == "markdown":
        lines = [f"# Gateways and powers: {ruleset.name} {ruleset.version}", "",
                 ("_Generated by `isp rules --powers --format markdown`. A power named in a share is recognised "
                 "when it matches one of these; one that matches none keeps the lawful-basis point open._"), "",
                 f"{len(items)} entries.", ""]
        for item in items:
            lines += [f"## {item['statute']} {item['section']} ({item['id']})", "",
                      f"- **What it is:** {KIND_WORDS[item['kind']]}" + (" (pending commencement)" if item.get("pending") else ""),
                      f"- **What it permits:** {item['permits']}{how(item)}", f"- **Who may use it:** {who(item)}",
                      f"- **To whom:** {whom(item)}",
                      f"- **What for:** {serves(item)}", f"- **Source:** {cites(item)}", ""]
        return "\n".join(lines)
    lines = [f"{len(items)} gateways and powers in the catalogue:", ""]
    for item in items:
        lines += [f"{item['id']}  {item['statute']} {item['section']}  [{KIND_WORDS[item['kind']]}]",
                  *textwrap.wrap(item["permits"], 96, initial_indent="    ", subsequent_indent="    "),
                  f"    Who: {who(item)}", f"    To whom: {whom(item)}{how(item)}", f"    What for: {serves(item)}",
                  f"    Source: {cites(item)}", ""]
    return "\n".join(lines)
