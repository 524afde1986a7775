"""Proposals of the likely lawful basis for a public body's share, for the practitioner to confirm.

The law is data (rulesets/guided/proposals.yaml, beside the rules): for a purpose and the kinds
of organisation sharing (and receiving), the likely Art 6 basis and legal power, the Art 9 and
Schedule 1 condition for sensitive information and the Art 10 authority for offence information.
A proposal decides nothing: confirmed, it fills in those answers, which the rules then test like
any other; "no" or "not sure" asks each question instead.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..dotted import get_path
from ..vocabulary import SPECIAL_CATEGORIES

__all__ = ["CHECKLIST_PREFIX", "CONFIRM_PREFIX", "PROPOSAL_PATH", "Checklist", "ChecklistItem", "Confirmation",
           "load_checklists", "load_confirmations", "load_proposals", "proposal_fitting", "proposal_for", "proposals_file"]

PROPOSAL_PATH = "proposal.basis"  # the question's name among the asked paths (not a scenario field)
PROPOSALS_FILE = Path("guided") / "proposals.yaml"
CONFIRMATIONS_FILE = Path("guided") / "confirmations.yaml"
CONFIRM_PREFIX = "confirm."  # a confirmation's question among the asked paths: confirm.<id> (not a scenario field)
CHECKLIST_PREFIX = "checklist."  # a checklist's question among the asked paths: checklist.<id> (not a scenario field)


@dataclass(frozen=True)
class Proposal:
    id: str
    purpose: tuple[str, ...]
    from_: tuple[str, ...]
    to: tuple[str, ...]
    says: str
    basis: dict[str, str]
    special: dict[str, str]
    criminal: dict[str, str]
    citations: tuple[dict[str, str], ...]
    checked: str

    def fits(self, data: dict) -> bool:
        return (get_path(data, "share.purpose.category") in self.purpose
                and get_path(data, "share.from.type") in self.from_
                and (not self.to or get_path(data, "share.to.type") in self.to))

    def answers(self, data: dict) -> dict[str, str]:
        """The answers confirming it gives: the basis always, the Art 9 and Schedule 1 condition
        when sensitive information is shared (or may be), the Art 10 authority for offence data."""
        categories = get_path(data, "share.data.categories")
        out = {f"share.basis.{k}": v for k, v in self.basis.items()}
        if categories is None or any(c in SPECIAL_CATEGORIES for c in categories):
            out.update({f"share.basis.{k}": v for k, v in self.special.items()})
        if categories is None or "criminal_offence" in categories:
            out.update({f"share.basis.{k}": v for k, v in self.criminal.items()})
        return out


def proposals_file(rules_dir: str | Path) -> Path:
    return Path(rules_dir) / PROPOSALS_FILE


@functools.lru_cache(maxsize=8)
def load_proposals(rules_dir: str) -> tuple[Proposal, ...]:
    """The proposals beside the rules in `rules_dir` (none when the file is absent); RulesetError,
    every problem located, when the guided files have any (validation.py)."""
    from .validation import guided_entries

    return tuple(
        Proposal(id=p["id"], purpose=tuple(p["purpose"]), from_=tuple(p["from"]), to=tuple(p.get("to") or ()),
                 says=" ".join(str(p["says"]).split()), basis=dict(p["basis"]), special=dict(p.get("special") or {}),
                 criminal=dict(p.get("criminal") or {}), citations=tuple(p["citations"]), checked=str(p["checked"]))
        for p in guided_entries(rules_dir, PROPOSALS_FILE, "proposals"))


def proposal_fitting(rules_dir: str, data: dict) -> Proposal | None:
    """The first proposal that fits the purpose and parties, whether or not a basis is stated."""
    return next((p for p in load_proposals(str(rules_dir)) if p.fits(data)), None)


def proposal_for(rules_dir: str, data: dict) -> Proposal | None:
    """The first proposal that fits the answers so far, or None. Put only while the lawful
    basis is not yet stated, and for a share whose purpose and parties are known."""
    if get_path(data, "share.basis.article_6") is not None:
        return None
    return proposal_fitting(rules_dir, data)


@dataclass(frozen=True)
class Confirmation:
    """Usual good practice confirmed in one question: `sets` its answers, and the practitioner
    chooses the value of `choose` among `options` in the same question."""

    id: str
    says: str
    asks: str
    sets: dict[str, Any]
    choose: str | None
    options: tuple[str, ...]
    citations: tuple[dict[str, str], ...]
    checked: str

    @property
    def path(self) -> str:
        return CONFIRM_PREFIX + self.id

    @property
    def fields(self) -> tuple[str, ...]:
        return (*self.sets, *((self.choose,) if self.choose else ()))

    def answers(self, choice: Any) -> dict[str, Any]:
        """The answers confirming with `choice` (one of `options`, or True without a choice) gives."""
        out = dict(self.sets)
        if self.choose is not None:
            out[self.choose] = choice
        return out


def _entries(rules_dir: str, key: str) -> list[dict[str, Any]]:
    """The entries under `key` in confirmations.yaml beside the rules (none when the file is absent),
    read and checked once (validation.py)."""
    from .validation import guided_entries

    return guided_entries(rules_dir, CONFIRMATIONS_FILE, key)


@functools.lru_cache(maxsize=8)
def load_confirmations(rules_dir: str) -> tuple[Confirmation, ...]:
    """The confirmations beside the rules in `rules_dir` (none when the file is absent)."""
    return tuple(
        Confirmation(id=c["id"], says=" ".join(str(c["says"]).split()),
                     asks=str(c.get("asks") or "Is that right?"), sets=dict(c["sets"]), choose=c.get("choose"),
                     options=tuple(c.get("options") or ()), citations=tuple(c["citations"]), checked=str(c["checked"]))
        for c in _entries(rules_dir, "confirmations"))


@dataclass(frozen=True)
class ChecklistItem:
    """One statement of usual good practice: ticked, it gives the answers `sets`."""

    id: str
    says: str
    sets: dict[str, Any]
    citations: tuple[dict[str, str], ...]


@dataclass(frozen=True)
class Checklist:
    """Statements of usual good practice put together, each ticked or not. A ticked statement
    gives its answers; one left unticked decides nothing and is asked on its own afterwards, so
    an unticked box never reads as "no"."""

    id: str
    asks: str
    items: tuple[ChecklistItem, ...]
    checked: str

    @property
    def path(self) -> str:
        return CHECKLIST_PREFIX + self.id

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(f for item in self.items for f in item.sets)

    def item(self, item_id: str) -> ChecklistItem | None:
        return next((i for i in self.items if i.id == item_id), None)


@functools.lru_cache(maxsize=8)
def load_checklists(rules_dir: str) -> tuple[Checklist, ...]:
    """The checklists beside the rules in `rules_dir` (in confirmations.yaml; none when absent)."""
    return tuple(
        Checklist(id=c["id"], asks=" ".join(str(c["asks"]).split()), checked=str(c["checked"]),
                  items=tuple(ChecklistItem(id=i["id"], says=" ".join(str(i["says"]).split()), sets=dict(i["sets"]),
                                            citations=tuple(i["citations"])) for i in c["items"]))
        for c in _entries(rules_dir, "checklists"))
