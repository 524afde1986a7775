"""`isp diff OLD NEW`: what a rule change does to real decisions.

Every scenario of the library, and a large seeded sample of made-up ones, is decided under both
rulesets. A change is any difference in verdict, reasons (rule and effect) or open points.
Library changes are listed one by one; generated ones are grouped by what changed, each group
with its count and the simplest scenario that shows it (fewest stated fields).

With a decision register (`isp diff OLD NEW --register REG`), every decision it records is
re-decided instead, under both rulesets at the date it was decided for, and the verdict changes
are grouped by the rules that caused them (replay_register).
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass, field
from pathlib import Path

from ..assessment import assess
from ..decision import Decision
from ..register import DECISION, Record, RegisterError, describe
from ..register.chain import REDACTABLE, REDACTED_TEXT, BaseRegister
from ..register.listing import shown
from ..ruleset import Rule, Ruleset
from ..scenario import Scenario, validate_scenario

__all__ = ["REPLAY_FORMATS", "Cause", "Change", "ChangeGroup", "DiffReport", "NotReplayed", "ReplayReport", "Replayed",
           "UnverifiedRegisterError", "diff_rulesets", "render_diff", "render_replay", "replay_json", "replay_register"]


def _signature(d: Decision) -> tuple[str, frozenset[str], frozenset[str]]:
    return (d.verdict, frozenset(f"{r.rule} [{r.effect}]" for r in d.reasons), frozenset(p.id for p in d.open_points))


@dataclass
class Change:
    name: str  # a file path, or generated-N
    scenario: Scenario
    old: Decision
    new: Decision
    count: int = 1  # generated changes of the same kind

    @property
    def verdict_changed(self) -> bool:
        return self.old.verdict != self.new.verdict

    def kind(self) -> tuple:
        o, n = _signature(self.old), _signature(self.new)
        return (o[0], n[0], frozenset(o[1] - n[1]), frozenset(n[1] - o[1]), frozenset(o[2] - n[2]), frozenset(n[2] - o[2]))


@dataclass
class DiffReport:
    library: list[Change] = field(default_factory=list)
    generated: list[Change] = field(default_factory=list)  # one per kind of change
    library_count: int = 0
    generated_count: int = 0
    skipped: int = 0  # library scenarios naming directory entries one of the rulesets does not hold

    @property
    def verdicts_changed(self) -> bool:
        return any(c.verdict_changed for c in self.library + self.generated)


def diff_rulesets(old: Ruleset, new: Ruleset, library: list[tuple[str, Scenario]], sample: int = 2000,
                  seed: int = 0) -> DiffReport:
    from ..assessment import scenario_problems
    from .sampling import random_scenario_dicts, valid

    # Only scenarios both rulesets can decide: one naming a partner or agreement that either
    # ruleset's directory does not hold is counted as left out.
    decidable = [(n, s) for n, s in library if not scenario_problems(s, old) and not scenario_problems(s, new)]
    report = DiffReport(library_count=len(decidable), skipped=len(library) - len(decidable))
    library = decidable
    for name, scenario in library:
        a, b = assess(scenario, old), assess(scenario, new)
        if _signature(a) != _signature(b):
            report.library.append(Change(name, scenario, a, b))
    report.library.sort(key=lambda c: not c.verdict_changed)  # what matters most first
    groups: dict[tuple, Change] = {}
    seeds = [s.model_dump(mode="json", by_alias=True, exclude_none=True) for _, s in library]
    for data in random_scenario_dicts(random.Random(seed), sample, seeds):
        generated = valid(data)
        if generated is None:
            continue
        report.generated_count += 1
        a, b = assess(generated, old), assess(generated, new)
        if _signature(a) == _signature(b):
            continue
        change = Change(str(data["id"]), generated, a, b)
        kind = change.kind()
        if kind in groups:
            groups[kind].count += 1
        else:
            groups[kind] = change
    for change in groups.values():  # the simplest scenario that still shows the same change
        change.scenario = _shrink(change, old, new)
    report.generated = sorted(groups.values(), key=lambda c: (not c.verdict_changed, -c.count))
    return report


def _shrink(change: Change, old: Ruleset, new: Ruleset) -> Scenario:
    """Leave out every stated field whose absence keeps the same kind of change (greedy, one pass)."""
    import copy

    from ..dotted import unset_path
    from .sampling import PATHS, valid

    kind = change.kind()
    data = change.scenario.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_unset=True)
    for path in PATHS:
        trial = copy.deepcopy(data)
        unset_path(trial, path)
        if trial == data:
            continue
        scenario = valid(trial)
        if scenario is not None and Change("", scenario, assess(scenario, old), assess(scenario, new)).kind() == kind:
            data = trial
    return valid(_pruned(data)) or change.scenario


def _pruned(data):
    """Without the empty mappings that removing fields leaves behind."""
    if isinstance(data, dict):
        out = {k: _pruned(v) for k, v in data.items()}
        return {k: v for k, v in out.items() if v != {} or k == "share"}
    return data


def _describe(change: Change) -> list[str]:
    o, n = _signature(change.old), _signature(change.new)
    lines = []
    if o[0] != n[0]:
        lines.append(f"    verdict: {o[0]} -> {n[0]}")
    for label, before, after in (("reasons", o[1], n[1]), ("open points", o[2], n[2])):
        if before - after:
            lines.append(f"    {label} no longer given: {', '.join(sorted(before - after))}")
        if after - before:
            lines.append(f"    {label} now given: {', '.join(sorted(after - before))}")
    return lines


def _scenario_yaml(scenario: Scenario) -> list[str]:
    import yaml

    data = scenario.model_dump(mode="json", by_alias=True, exclude_none=True, exclude_unset=True)
    return ["      " + line for line in yaml.safe_dump(data, sort_keys=False, allow_unicode=True).splitlines()]


def render_diff(report: DiffReport, old: Ruleset, new: Ruleset) -> str:
    lines = [f"isp diff: {old.name} {old.version} ({old.sha256[:12]}) -> {new.name} {new.version} ({new.sha256[:12]})",
             f"{report.library_count} library scenario(s), {report.generated_count} generated"
             + (f"; {report.skipped} left out (they name partners or agreements a ruleset's directory does not hold)"
                if report.skipped else ""), ""]
    if report.library:
        lines.append(f"Library scenarios whose decision changes ({len(report.library)}):")
        for c in report.library:
            lines.append(f"  {c.name}")
            lines += _describe(c)
        lines.append("")
    if report.generated:
        total = sum(c.count for c in report.generated)
        lines.append(f"Generated scenarios whose decision changes ({total}, in {len(report.generated)} kind(s) of change):")
        for c in report.generated:
            lines.append(f"  {c.count} scenario(s) like this one:")
            lines += _describe(c)
            lines.append("    for example:")
            lines += _scenario_yaml(c.scenario)
        lines.append("")
    verdicts = sum(c.verdict_changed for c in report.library) + sum(c.count for c in report.generated if c.verdict_changed)
    if not report.library and not report.generated:
        lines.append("No decision changes.")
    else:
        lines.append(f"{len(report.library)} library and {sum(c.count for c in report.generated)} generated decision(s) "
                     f"change; {verdicts} verdict(s) change.")
    return "\n".join(lines) + "\n"


def load_library(folder: Path, skip_invalid: bool = False) -> tuple[list[tuple[str, Scenario]], list[str]]:
    """The library's scenarios (name, scenario), and the files skipped as invalid (when asked to
    skip them; otherwise an invalid file raises, with its problems)."""
    from ..errors import InputError
    from ..loader import load_scenario, name_after_file
    from .testing import find_scenarios

    out, skipped = [], []
    for path in find_scenarios([folder]):
        try:
            scenario = load_scenario(path)
        except InputError:
            if not skip_invalid:
                raise
            skipped.append(str(path))
            continue
        out.append((str(path), name_after_file(scenario, path)))
    return out, skipped


# --- replaying the decision register: `isp diff OLD NEW --register REG` -------------------
#
# The register holds every decision recorded, with the scenario it decided (inside the record's
# hashed body). Re-deciding each under the candidate rules, at the date it was decided for, shows
# the IG team what a rule change would have done to real cases before it is adopted: the ICO
# data sharing code asks for sharing decisions to be reviewed and the review documented
# (accountability, UK GDPR Art 5(2)), and a rule change is such a review.

REPLAY_FORMATS = ("text", "json", "markdown")
CAUSES = ("now_applies", "no_longer_applies", "changed")
# What a rule does to a decision, beside whether it fires: a rule that fires under both rulesets
# and differs in one of these may have caused the change; a reworded message cannot.
_DECIDING = ("effect", "points", "defers_paperwork", "missing_fact")


class UnverifiedRegisterError(RegisterError):
    """The register's chain does not verify: its records are not replayed, since a replay of
    altered records would mislead the review."""


@dataclass(frozen=True)
class Cause:
    """A rule that applies differently under the new rules: one reason a verdict changed."""

    rule: str  # the rule's id (JSON only)
    title: str  # its title, in the practitioner's words
    how: str  # one of CAUSES


@dataclass(frozen=True)
class Replayed:
    """One recorded decision, re-decided under both rulesets at its own date."""

    seq: int
    scenario: str | None  # the scenario's id (JSON only)
    case_reference: str
    shared_by: str
    shared_with: str
    day: dt.date  # the date it was decided for, and re-decided for
    recorded: str  # the verdict the register holds
    old: Decision
    new: Decision

    @property
    def verdict_changed(self) -> bool:
        return self.old.verdict != self.new.verdict

    @property
    def reproduced(self) -> bool:
        """Whether the old rules give the verdict the register holds."""
        return self.old.verdict == self.recorded


@dataclass(frozen=True)
class NotReplayed:
    """A record that could not be re-decided, and why, in plain words."""

    seq: int
    why: str
    # "old", "new" or "both": the rulesets whose directory cannot resolve it; None when the record
    # itself cannot be replayed (purged text, no scenario)
    rules: str | None = None
    problems: tuple[str, ...] = ()  # the directory's own words, for the JSON


@dataclass
class ChangeGroup:
    """The records whose verdict changes for the same reason: the same rules applying differently."""

    causes: tuple[Cause, ...]  # empty: no rule applies differently (the points, kinds or directory changed)
    records: list[Replayed] = field(default_factory=list)


@dataclass
class ReplayReport:
    register: str  # where the register is, for messages (never a password)
    decisions: int = 0  # decision records read (sign-offs are not decisions)
    # records purged: only their place in the chain is left, not their kind, so these may be
    # decisions or sign-offs and are never counted among the decisions
    purged: int = 0
    replayed: list[Replayed] = field(default_factory=list)
    not_replayable: list[NotReplayed] = field(default_factory=list)
    groups: list[ChangeGroup] = field(default_factory=list)

    @property
    def changed(self) -> list[Replayed]:
        return [r for r in self.replayed if r.verdict_changed]

    @property
    def verdicts_changed(self) -> bool:
        return bool(self.changed)

    @property
    def not_reproduced(self) -> list[Replayed]:
        return [r for r in self.replayed if not r.reproduced]

    @property
    def other_changes(self) -> list[Replayed]:
        """Same verdict, but other reasons or open points."""
        return [r for r in self.replayed if not r.verdict_changed and _signature(r.old) != _signature(r.new)]


def replay_register(register: BaseRegister, old: Ruleset, new: Ruleset) -> ReplayReport:
    """Re-decide every decision recorded in `register` under `old` and under `new`, each at the
    date it was decided for, and group the verdict changes by the rules that caused them.
    UnverifiedRegisterError when the chain does not verify; EmptyRegisterError (a RegisterError)
    when there is no register there."""
    found = register.check()
    if found.problems:
        more = f" (and {len(found.problems) - 1} more problem(s))" if len(found.problems) > 1 else ""
        raise UnverifiedRegisterError(
            f"{register.where}: the register does not verify: {found.problems[0]}{more}. Its records were not "
            "replayed, since a replay of altered records would mislead; isp log verify names every problem")
    report = ReplayReport(register.where, purged=found.purged)
    for record in register.records(kind=DECISION):
        report.decisions += 1
        outcome = _replay(record, old, new)
        if isinstance(outcome, NotReplayed):
            report.not_replayable.append(outcome)
        else:
            report.replayed.append(outcome)
    groups: dict[tuple[Cause, ...], ChangeGroup] = {}
    for replayed in report.changed:
        causes = _causes(replayed.old, replayed.new, old, new)
        groups.setdefault(causes, ChangeGroup(causes)).records.append(replayed)
    # The largest blast radius first; a change no rule explains last.
    report.groups = sorted(groups.values(), key=lambda g: (not g.causes, -len(g.records), [c.rule for c in g.causes]))
    return report


def _replay(record: Record, old: Ruleset, new: Ruleset) -> Replayed | NotReplayed:
    from pydantic import ValidationError

    from ..assessment import scenario_problems
    from ..errors import InputError

    body = record.body if isinstance(record.body, dict) else {}
    data = body.get("scenario")
    if not isinstance(data, dict):
        return NotReplayed(record.seq, "it holds no scenario (it was recorded without one), so there is nothing "
                                       "to decide again")
    if _redacted(data):
        return NotReplayed(record.seq, "its free text about the person was redacted; the rules read some free "
                                       "text (such as the purpose's details), so a replay could differ for that "
                                       "reason alone")
    try:
        scenario = validate_scenario(data)
    except ValidationError:
        return NotReplayed(record.seq, "its scenario no longer reads as a valid scenario in this version of "
                                       "isp-rules")
    day = _decided_for(record, scenario)
    # Partner and agreement ids are resolved by each ruleset's own directory, as `isp check` does.
    unresolved = {label: [p.message for p in scenario_problems(scenario, ruleset)]
                  for label, ruleset in (("old", old), ("new", new))}
    if unresolved["old"] or unresolved["new"]:
        label = "both" if unresolved["old"] and unresolved["new"] else "old" if unresolved["old"] else "new"
        whose = "neither the old nor the new rules' partnership directory holds" if label == "both" else \
            f"the {label} rules' partnership directory does not hold"
        return NotReplayed(record.seq, f"{whose} a partner or agreement it names", label,
                           tuple(unresolved["old"] + unresolved["new"]))
    decisions: list[Decision] = []
    for label, ruleset in (("old", old), ("new", new)):
        try:
            decisions.append(assess(scenario, ruleset, as_of=day))
        except InputError as exc:  # the directory cannot complete it for that date
            return NotReplayed(record.seq, f"the {label} rules cannot decide it", label,
                               tuple(p.message for p in exc.problems))
    details = describe(record)
    return Replayed(record.seq, scenario.id or record.scenario, details.case_reference, details.shared_by,
                    details.shared_with, day, record.verdict, decisions[0], decisions[1])


def _redacted(scenario: dict) -> bool:
    """Whether `isp log redact` replaced some of the scenario's free text (readers see REDACTED_TEXT)."""
    prefix = "scenario."
    for path in REDACTABLE:
        if not path.startswith(prefix):
            continue
        node: object = scenario
        for step in path[len(prefix):].split("."):
            node = node.get(step) if isinstance(node, dict) else None
        if node == REDACTED_TEXT:
            return True
    return False


def _decided_for(record: Record, scenario: Scenario) -> dt.date:
    """The date the record was decided for: the date its decision says the rules were applied on
    (the share's date, or --as-of), else the scenario's as_of, else the day it was recorded (UTC)."""
    decision = record.body.get("decision") if isinstance(record.body, dict) else None
    ruleset = decision.get("ruleset") if isinstance(decision, dict) else None
    as_of = ruleset.get("as_of") if isinstance(ruleset, dict) else None
    try:
        if isinstance(as_of, str):
            return dt.date.fromisoformat(as_of)
    except ValueError:
        pass
    if scenario.as_of is not None:
        return scenario.as_of
    try:
        return dt.datetime.fromisoformat(record.at).astimezone(dt.UTC).date()
    except ValueError:
        return dt.date.today()


def _rules_fired(decision: Decision, ruleset: Ruleset) -> dict[str, Rule]:
    """The rules that fired, by id (a rule's versions share its id)."""
    out: dict[str, Rule] = {}
    for key in decision.rule_keys:
        rule = ruleset.rule(key)
        out[rule.id] = rule
    return out


def _causes(a: Decision, b: Decision, old: Ruleset, new: Ruleset) -> tuple[Cause, ...]:
    """The rules that apply differently to one scenario: fired under one ruleset only, or fired under
    both but doing something else (effect, points, urgency) under the new one."""
    before, after = _rules_fired(a, old), _rules_fired(b, new)
    out = [Cause(i, after[i].title, "now_applies") for i in after if i not in before]
    out += [Cause(i, before[i].title, "no_longer_applies") for i in before if i not in after]
    out += [Cause(i, after[i].title, "changed") for i in after if i in before
            and any(getattr(before[i], f) != getattr(after[i], f) for f in _DECIDING)]
    return tuple(sorted(out, key=lambda c: (CAUSES.index(c.how), c.rule)))


# --- the replay in words -------------------------------------------------------------------

_CAUSE_WORDS = {"now_applies": "now applies (it did not under the old rules)",
                "no_longer_applies": "no longer applies",
                "changed": "still applies, but does something else (its effect or the points it opens changed)"}
_NO_RULE = ("no rule applies differently: the change comes from the agreement points, the kinds of share or the "
            "partnership's directory that the new rules hold")


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%b %Y}"


def _rules_line(ruleset: Ruleset) -> str:
    return f"{ruleset.name} {ruleset.version} ({ruleset.sha256[:12]})"


def _record_words(r: Replayed) -> str:
    return (f"record {r.seq}, case {shown(r.case_reference)}: {shown(r.shared_by)} to {shown(r.shared_with)}, "
            f"{_day(r.day)}: {r.old.verdict} -> {r.new.verdict}")


def _cause_words(cause: Cause) -> str:
    return f'"{shown(cause.title)}" {_CAUSE_WORDS[cause.how]}'


def _not_replayed_words(n: NotReplayed) -> str:
    return f"record {n.seq}: {n.why}"


def _purged_words(count: int) -> str:
    return (f"{count} purged record(s), decisions or sign-offs: removed under the retention policy (isp log purge); "
            "only their place in the chain is kept, not what they were")


def _summary_lines(report: ReplayReport) -> list[str]:
    unsure = len(report.not_replayable)  # decisions only: a purged record may have been a sign-off
    lines = [f"{len(report.replayed)} of {report.decisions} recorded decision(s) replayed, each at the date it was "
             f"decided for" + (f"; {unsure} not replayable" if unsure else "")
             + (f"; {report.purged} purged record(s) not counted" if report.purged else "")]
    if report.not_reproduced:
        names = ", ".join(f"record {r.seq} (recorded {r.recorded}, the old rules give {r.old.verdict})"
                          for r in report.not_reproduced)
        lines.append(f"The old rules do not reproduce {len(report.not_reproduced)} recorded decision(s): {names}. "
                     "Those were made under other rules (or another partnership directory); the changes below "
                     "compare the old rules with the new, not with the register.")
    return lines


def _total_line(report: ReplayReport) -> str:
    changed = len(report.changed)
    words = f"{changed} verdict(s) change." if changed else "No verdict changes."
    if report.other_changes:
        words += (f" {len(report.other_changes)} other decision(s) keep their verdict but give other reasons or "
                  "open points.")
    return words


def render_replay(report: ReplayReport, old: Ruleset, new: Ruleset, fmt: str = "text") -> str:
    """The replay as text, JSON or Markdown (for a pull request), ending in a newline."""
    if fmt == "json":
        return json.dumps(replay_json(report, old, new), indent=2, ensure_ascii=False) + "\n"
    if fmt == "markdown":
        return _replay_markdown(report, old, new)
    if fmt != "text":
        raise ValueError(f"no format {fmt!r}: one of {', '.join(REPLAY_FORMATS)}")
    lines = [f"isp diff: the decision register {shown(report.register)}, replayed",
             f"  old rules: {_rules_line(old)}", f"  new rules: {_rules_line(new)}",
             "The register's chain verifies (signatures not checked: isp log verify --public-key does that).", ""]
    lines += _summary_lines(report)
    if report.not_replayable or report.purged:
        lines += ["", "Not replayable:"]
        lines += [f"  {_not_replayed_words(n)}" for n in report.not_replayable]
        if report.purged:
            lines.append(f"  {_purged_words(report.purged)}")
    if report.groups:
        lines += ["", f"Verdict changes ({len(report.changed)}), by the rule that caused them:"]
        for group in report.groups:
            lines.append("")
            if group.causes:
                lines.append(f"  {len(group.records)} decision(s) change because, under the new rules:")
                lines += [f"    the rule {_cause_words(c)}" for c in group.causes]
            else:
                lines.append(f"  {len(group.records)} decision(s) change, and {_NO_RULE}")
            lines += [f"    - {_record_words(r)}" for r in group.records]
    lines += ["", _total_line(report)]
    return "\n".join(lines) + "\n"


def _replayed_json(r: Replayed) -> dict[str, object]:
    return {"record": r.seq, "scenario": r.scenario, "case_reference": r.case_reference, "from": r.shared_by,
            "to": r.shared_with, "as_of": r.day.isoformat(), "recorded": r.recorded, "old": r.old.verdict,
            "new": r.new.verdict}


def replay_json(report: ReplayReport, old: Ruleset, new: Ruleset) -> dict[str, object]:
    """The replay as JSON data: every count, every record, rule ids beside their titles."""
    def rules(r: Ruleset) -> dict[str, str]:
        return {"name": r.name, "version": r.version, "sha256": r.sha256}

    return {
        "register": report.register, "old_rules": rules(old), "new_rules": rules(new),
        "decisions": report.decisions, "replayed": len(report.replayed), "purged": report.purged,
        "not_replayable": [{"record": n.seq, "why": n.why, "rules": n.rules, "problems": list(n.problems)}
                           for n in report.not_replayable],
        "not_reproduced": [{"record": r.seq, "recorded": r.recorded, "old": r.old.verdict} for r in report.not_reproduced],
        "verdict_changes": [{"rules": [{"id": c.rule, "title": c.title, "change": c.how} for c in g.causes],
                             "count": len(g.records), "records": [_replayed_json(r) for r in g.records]}
                            for g in report.groups],
        "verdicts_changed": len(report.changed),
        "other_changes": [r.seq for r in report.other_changes],
    }


def _cell(text: object) -> str:
    """Text safe in a Markdown table cell: one line, no column break, no markup started."""
    return shown(text).replace("\\", "\\\\").replace("|", "\\|").replace("*", "\\*").replace("_", "\\_") \
        .replace("`", "\\`").replace("<", "&lt;").replace("[", "\\[")


def _replay_markdown(report: ReplayReport, old: Ruleset, new: Ruleset) -> str:
    lines = ["## Replaying the decision register", "",
             (f"Old rules: {_cell(_rules_line(old))}; new rules: {_cell(_rules_line(new))}. "
              f"Register: {_cell(report.register)} (its chain verifies)."), ""]
    lines += [_cell(line) for line in _summary_lines(report)]
    if report.not_replayable or report.purged:
        lines += ["", "### Not replayable", ""]
        lines += [f"- {_cell(_not_replayed_words(n))}" for n in report.not_replayable]
        if report.purged:
            lines.append(f"- {_cell(_purged_words(report.purged))}")
    for group in report.groups:
        lines += ["", f"### {len(group.records)} verdict change(s)", ""]
        if group.causes:
            lines += ["Because, under the new rules:", ""]
            lines += [f"- the rule {_cell(_cause_words(c))}" for c in group.causes]
        else:
            lines.append(f"And {_cell(_NO_RULE)}.")
        lines += ["", "| Record | Case | From | To | Date | Old verdict | New verdict |", "|---|---|---|---|---|---|---|"]
        lines += [f"| {r.seq} | {_cell(r.case_reference)} | {_cell(r.shared_by)} | {_cell(r.shared_with)} | "
                  f"{_day(r.day)} | {r.old.verdict} | {r.new.verdict} |" for r in group.records]
    lines += ["", f"**{_cell(_total_line(report))}**"]
    return "\n".join(lines) + "\n"
