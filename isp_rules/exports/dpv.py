"""A decision as W3C Data Privacy Vocabulary (DPV) JSON-LD: `isp check FILE --format dpv`.

Records of processing (UK GDPR Art 30) and the ICO's accountability framework expect each sharing
activity to be documented: its purposes, lawful basis, categories of people and of personal data,
and recipients. Tools that keep those records in the DPV can take a decision in as one process
(dpv:Process, the class the DPV recommends in place of dpv:PersonalDataHandling) with:

  dpv:hasPurpose, dpv:hasLegalBasis (Art 6, Art 9, Sch 1, Art 10 or Part 3 conditions),
  dpv:hasPersonalData (or dpv:hasData for anonymised information, outside the UK GDPR: Recital 26),
  dpv:hasDataSubject, dpv:hasDataController (the discloser), dpv:hasRecipient (the recipient,
  as controller or processor), dpv:hasProcessing dpv:Share, dpv:hasFrequency,
  dpv:hasApplicableLaw (the UK GDPR and the DPA 2018), dct:date (the date decided under),

and the decision itself under this project's own properties (isp:verdict, isp:reason,
isp:openPoint). Which DPV concept each value stands for is concepts.py; a value the DPV lacks gets
a concept of ours, described in the same graph with its label and its nearest DPV concept.

The decision alone does not carry the share it decided, so the scenarios go with it; the facts the
partnership's directory filled in come from the decision (share.py).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from ..labels import VALUE_LABELS
from .concepts import CONTEXT, VOCABULARIES, Concept
from .share import PRIVATE_PERSONS, decided_share, get

if TYPE_CHECKING:
    from ..decision import Decision
    from ..scenario import Scenario

__all__ = ["BASIS_FIELDS", "render_dpv", "to_dpv"]

# The legal bases and conditions, in the order a record of processing lists them.
BASIS_FIELDS = ("share.basis.article_6", "share.basis.annex_1", "share.basis.article_9", "share.basis.schedule_1",
                "share.basis.criminal_offence", "share.basis.part_3", "share.basis.schedule_8")
ANONYMOUS = ("anonymised", "aggregate", "non_personal")  # Recital 26: not personal data
ROLE = {"processor": "dpv:DataProcessor", "separate_controllers": "dpv:DataController",
        "joint_controllers": "dpv:DataController"}
FREQUENCY = {"one_off": "dpv:SingularFrequency", "routine": "dpv:OftenFrequency"}
APPLICABLE_LAW = ("legal-gb:law-GDPR", "legal-gb:law-DPA")


def _ref(iri: str) -> dict[str, str]:
    return {"@id": iri}


class _Graph:
    """The nodes of one document: the decisions, then each local concept they use, once."""

    def __init__(self) -> None:
        self.nodes: list[dict[str, Any]] = []
        self.local: dict[str, dict[str, Any]] = {}

    def concept(self, path: str, value: Any) -> dict[str, str] | None:
        """A reference to the concept for a vocabulary value (None for a value of no vocabulary)."""
        found: Concept | None = VOCABULARIES.get(path, {}).get(value) if isinstance(value, str) else None
        if found is None:
            return None
        if found.local and found.iri not in self.local:
            node: dict[str, Any] = {"@id": found.iri, "rdfs:label": VALUE_LABELS.get(path, {}).get(value, value)}
            if found.broader:
                node["skos:broader"] = _ref(found.broader)
            self.local[found.iri] = node
        return _ref(found.iri)

    def concepts(self, path: str, values: Any) -> list[dict[str, str]]:
        items = values if isinstance(values, list) else [values]
        return [ref for v in items if (ref := self.concept(path, v)) is not None]


def _party(graph: _Graph, node_id: str, share: Mapping[str, Any], side: str, name: str | None,
           roles: Sequence[str]) -> dict[str, Any]:
    kind = graph.concept(f"share.{side}.type", get(share, f"{side}.type"))
    party: dict[str, Any] = {"@id": node_id, "@type": [*roles, *([kind["@id"]] if kind else [])]}
    # A private individual is recorded by kind, not by name: a record of processing lists
    # categories of recipients (UK GDPR Art 30(1)(d)), and a name would make it personal data.
    if name and get(share, f"{side}.type") not in PRIVATE_PERSONS:
        party["dpv:hasName"] = name
    return party


def _decision_node(graph: _Graph, n: int, decision: Decision, scenario: Scenario) -> dict[str, Any]:
    stated = scenario.model_dump(mode="json", by_alias=True, exclude_none=True)
    share = decided_share(stated, decision.from_directory)
    node_id = f"_:decision-{n}"
    identifiability = get(share, "data.identifiability")
    categories = get(share, "data.categories") or []
    anonymous = identifiability in ANONYMOUS
    personal = [c for c in categories if c != "non_personal" and not anonymous]
    other = [c for c in categories if c == "non_personal" or anonymous]
    node: dict[str, Any] = {
        "@id": node_id,
        "@type": ["dpv:Process", *(["dpv:PersonalDataProcess"] if personal else [])],
        "dct:identifier": decision.scenario,
        "dct:title": decision.title,
        "dct:date": {"@value": decision.ruleset.as_of.isoformat(), "@type": "xsd:date"},
        "dpv:hasApplicableLaw": [_ref(law) for law in APPLICABLE_LAW],
        "dpv:hasProcessing": _ref("dpv:Share"),
        "dpv:hasFrequency": _ref(FREQUENCY[share["frequency"]]) if share.get("frequency") in FREQUENCY else None,
        "dpv:hasPurpose": graph.concepts("share.purpose.category", get(share, "purpose.category")),
        "dpv:hasLegalBasis": [ref for path in BASIS_FIELDS for ref in graph.concepts(path, get(share, path))],
        "dpv:hasPersonalData": graph.concepts("share.data.categories", personal),
        "dpv:hasData": graph.concepts("share.data.categories", other),
        "dpv:hasDataSubject": graph.concepts("share.data.subjects", get(share, "data.subjects") or []),
        "isp:legalPower": get(share, "basis.legal_power"),
    }
    names = decision.parties
    if get(share, "from") or names.get("from"):
        node["dpv:hasDataController"] = _party(graph, f"{node_id}-from", share, "from",
                                               names.get("from") or get(share, "from.name"), ["dpv:DataController"])
    if get(share, "to") or names.get("to"):
        role = ROLE.get(share.get("relationship") or "")
        node["dpv:hasRecipient"] = _party(graph, f"{node_id}-to", share, "to", names.get("to") or get(share, "to.name"),
                                          ["dpv:Recipient", *([role] if role else [])])
    node.update({
        "isp:verdict": decision.verdict,
        "isp:shareNow": decision.share_now,
        "isp:reason": [{"@type": "isp:Reason", "isp:rule": r.rule, "isp:effect": r.effect, "dct:title": r.title,
                        "rdfs:comment": r.message, "dct:source": [f"{c.source} {c.ref}" for c in r.citations]}
                       for r in decision.reasons],
        "isp:openPoint": [{"@type": "isp:OpenPoint", "isp:point": p.id, "rdfs:comment": p.question}
                          for p in decision.open_points],
        "isp:ruleset": {"dct:title": decision.ruleset.name, "isp:version": decision.ruleset.version,
                        "isp:sha256": decision.ruleset.sha256},
    })
    return {k: v for k, v in node.items() if v is not None and v != []}


def to_dpv(decisions: Sequence[Decision], scenarios: Sequence[Scenario]) -> dict[str, Any]:
    """The decisions as one JSON-LD document (a @graph): a dpv:Process for each decision, in order,
    then the project's own concepts they use. `scenarios[i]` is the scenario `decisions[i]` decided."""
    if len(decisions) != len(scenarios):
        raise ValueError(f"{len(decisions)} decision(s) but {len(scenarios)} scenario(s): give the scenario of each")
    graph = _Graph()
    nodes = [_decision_node(graph, n, d, s) for n, (d, s) in enumerate(zip(decisions, scenarios, strict=True), 1)]
    return {"@context": dict(CONTEXT), "@graph": nodes + list(graph.local.values())}


def render_dpv(decisions: Sequence[Decision], scenarios: Sequence[Scenario]) -> str:
    """to_dpv as JSON text (UTF-8 characters kept)."""
    return json.dumps(to_dpv(decisions, scenarios), indent=2, ensure_ascii=False)
