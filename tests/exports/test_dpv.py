"""A decision as W3C Data Privacy Vocabulary JSON-LD (`isp check --format dpv`), read back by rdflib:
the DPV concepts for the purpose, the lawful basis and each category of information; the facts the
partnership's directory filled in; every library scenario as one process; and every value of every
vocabulary the export writes mapped to a concept."""

from __future__ import annotations

from functools import cache
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, RDFS, SKOS

from isp_rules import default_ruleset
from isp_rules.assessment import assess
from isp_rules.exports.concepts import CONTEXT, LOCAL_NAMESPACE, VOCABULARIES
from isp_rules.exports.dpv import render_dpv
from isp_rules.facts import FIELDS
from isp_rules.loader import load_scenario, name_after_file
from isp_rules.scenario import Scenario

# rdflib's own JSON-LD parser uses its deprecated ConjunctiveGraph: not this project's warning.
pytestmark = pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")

SCENARIOS = Path(__file__).resolve().parents[2] / "scenarios"
LIBRARY = sorted(SCENARIOS.rglob("*.yaml"))
DPV = Namespace("https://w3id.org/dpv#")
PD = Namespace("https://w3id.org/dpv/pd#")
GDPR = Namespace("https://w3id.org/dpv/legal/eu/gdpr#")
ISP = Namespace(LOCAL_NAMESPACE)

# Every DPV term the concept table may use, each checked by hand in the DPV 2.3 sources
# (github.com/w3c/dpv, 2.3/**/*.csv). A mapping to a term not listed here fails until someone
# checks that the term exists and adds it.
CHECKED_TERMS = {
    "https://w3id.org/dpv#" + t for t in (
        "PublicBenefit", "ProtectionOfPublicSecurity", "ServiceProvision", "LegalCompliance",
        "FraudPreventionAndDetection", "ResearchAndDevelopment", "Marketing", "SellDataToThirdParties", "Purpose",
        "LegalBasis", "PersonalData", "NonPersonalData", "DataSubject", "Child", "VulnerableDataSubject", "Adult",
        "Patient", "User", "Employee", "GovernmentalOrganisation", "HealthcareOrganisation",
        "LawEnforcementOrganisation", "FireDepartment", "AmbulanceProvider", "JudicialOrganisation",
        "EducationalOrganisation", "NonProfitOrganisation", "CharityOrganisation", "ForProfitOrganisation",
        "NaturalPerson", "PublicSectorBody", "AcademicScientificOrganisation")
} | {
    "https://w3id.org/dpv/pd#" + t for t in (
        "Identifying", "Contact", "FamilyStructure", "Financial", "Education", "EmploymentHistory", "Location",
        "Picture", "EthnicOrigin", "PoliticalOpinion", "ReligiousBelief", "TradeUnionMembership", "Genetic",
        "Biometric", "Health", "Sexual", "SexualPreference", "Criminal")
} | {"https://w3id.org/dpv/legal/eu/gdpr#" + t for t in (
    "A6-1-a", "A6-1-b", "A6-1-c", "A6-1-d", "A6-1-e", "A6-1-f",
    "A9-2-a", "A9-2-b", "A9-2-c", "A9-2-d", "A9-2-e", "A9-2-f", "A9-2-g", "A9-2-h", "A9-2-i", "A9-2-j")
} | {
    "https://w3id.org/dpv/sector/law#CrimeDetection", "https://w3id.org/dpv/sector/law#CriminalLawEnforcement",
    "https://w3id.org/dpv/sector/law#JusticeManagement",
    "https://w3id.org/dpv/sector/health#PublicInterestRelatedToHealth",
    "https://w3id.org/dpv/sector/health#ServiceProvision",
    "https://w3id.org/dpv/sector/publicservices#PublicServiceManagement",
}


@cache
def _decided(path: Path) -> tuple[object, Scenario]:
    scenario = name_after_file(load_scenario(str(path)), str(path))
    return assess(scenario, default_ruleset()), scenario


def _graph(*paths: Path) -> Graph:
    decided = [_decided(p) for p in paths]
    text = render_dpv([d for d, _ in decided], [s for _, s in decided])  # type: ignore[misc]
    return Graph().parse(data=text, format="json-ld")


def _process(graph: Graph) -> URIRef:
    (found,) = list(graph.subjects(RDF.type, DPV.Process))
    return found


def test_a_decision_has_its_purpose_lawful_basis_and_each_category_of_information():
    graph = _graph(SCENARIOS / "children-education" / "school-treats-a-section-27-request-as-a-legal-duty.yaml")
    process = _process(graph)
    assert (process, DPV.hasPurpose, DPV.LegalCompliance) in graph  # statutory duty
    assert (process, DPV.hasLegalBasis, GDPR["A6-1-c"]) in graph  # legal obligation
    assert set(graph.objects(process, DPV.hasPersonalData)) == {PD.Identifying, PD.Education,
                                                                ISP["data/case_notes"]}
    assert (process, DPV.hasDataSubject, DPV.Child) in graph
    assert (process, RDF.type, DPV.PersonalDataProcess) in graph
    assert (process, DPV.hasProcessing, DPV.Share) in graph
    assert (process, DPV.hasFrequency, DPV.SingularFrequency) in graph
    assert (process, DPV.hasApplicableLaw, URIRef("https://w3id.org/dpv/legal/gb#law-GDPR")) in graph
    assert graph.value(process, DCTERMS.date).toPython().isoformat() == "2026-12-01"
    assert str(graph.value(process, ISP.verdict)) in ("allow", "deny", "needs-agreement")
    discloser = graph.value(process, DPV.hasDataController)
    assert (discloser, RDF.type, DPV.EducationalOrganisation) in graph
    assert str(graph.value(discloser, DPV.hasName)) == "A primary school in Whitby"
    recipient = graph.value(process, DPV.hasRecipient)
    assert {DPV.Recipient, DPV.DataController, DPV.GovernmentalOrganisation} <= set(graph.objects(recipient, RDF.type))


def test_the_verdict_and_the_reasons_are_the_decisions():
    path = SCENARIOS / "children-education" / "school-treats-a-section-27-request-as-a-legal-duty.yaml"
    decision, _ = _decided(path)
    graph = _graph(path)
    process = _process(graph)
    assert graph.value(process, ISP.verdict) == Literal(decision.verdict)  # type: ignore[attr-defined]
    reasons = {str(graph.value(r, ISP.rule)) for r in graph.objects(process, ISP.reason)}
    assert reasons == {r.rule for r in decision.reasons}  # type: ignore[attr-defined]
    assert reasons, "this scenario's decision gives reasons"


def test_what_the_directory_filled_in_is_exported_too():
    # The scenario names the discharge agreement and follows it: the agreement settles the lawful
    # basis and the health and social care condition; the scenario states neither.
    path = SCENARIOS / "directory" / "discharge-list-under-the-agreement-states-only-the-case.yaml"
    stated = _decided(path)[1].share.basis
    assert stated.article_6 is None and stated.article_9 is None
    graph = _graph(path)
    process = _process(graph)
    assert (process, DPV.hasLegalBasis, GDPR["A6-1-e"]) in graph
    assert (process, DPV.hasLegalBasis, GDPR["A9-2-h"]) in graph
    assert (process, DPV.hasPurpose, URIRef("https://w3id.org/dpv/sector/health#ServiceProvision")) in graph
    assert (process, DPV.hasFrequency, DPV.OftenFrequency) in graph
    names = {str(graph.value(graph.value(process, p), DPV.hasName)) for p in (DPV.hasDataController, DPV.hasRecipient)}
    assert names == {"York and Scarborough Teaching Hospitals NHS Foundation Trust", "City of York Council"}


def test_a_concept_the_dpv_lacks_is_described_in_the_graph():
    graph = _graph(SCENARIOS / "children-education" / "school-treats-a-section-27-request-as-a-legal-duty.yaml")
    notes = ISP["data/case_notes"]
    assert graph.value(notes, RDFS.label) == Literal("Case notes or assessments")
    assert graph.value(notes, SKOS.broader) == DPV.PersonalData


def _scenario(**share) -> Scenario:
    base = {"purpose": {"category": "research_statistics"}, "from": {"name": "A council", "type": "local_authority"},
            "to": {"name": "A university", "type": "university"}, "relationship": "processor"}
    return Scenario.model_validate({"as_of": "2026-12-01", "share": base | share})


def test_anonymised_information_is_data_not_personal_data():
    # Recital 26: anonymised information is outside the UK GDPR, so it is not personal data.
    scenario = _scenario(data={"categories": ["health", "location"], "identifiability": "anonymised"})
    graph = Graph().parse(data=render_dpv([assess(scenario)], [scenario]), format="json-ld")
    process = _process(graph)
    assert list(graph.objects(process, DPV.hasPersonalData)) == []
    assert set(graph.objects(process, DPV.hasData)) == {PD.Health, PD.Location}
    assert (process, RDF.type, DPV.PersonalDataProcess) not in graph
    assert (graph.value(process, DPV.hasRecipient), RDF.type, DPV.DataProcessor) in graph


def test_identified_information_is_personal_data():
    scenario = _scenario(data={"categories": ["health"], "identifiability": "identified"})
    graph = Graph().parse(data=render_dpv([assess(scenario)], [scenario]), format="json-ld")
    process = _process(graph)
    assert set(graph.objects(process, DPV.hasPersonalData)) == {PD.Health}
    assert list(graph.objects(process, DPV.hasData)) == []


def test_a_private_individual_is_not_named():
    scenario = _scenario(to={"name": "Jane Doe", "type": "member_of_public"})
    graph = Graph().parse(data=render_dpv([assess(scenario)], [scenario]), format="json-ld")
    recipient = graph.value(_process(graph), DPV.hasRecipient)
    assert (recipient, RDF.type, DPV.NaturalPerson) in graph
    assert graph.value(recipient, DPV.hasName) is None
    assert str(graph.value(graph.value(_process(graph), DPV.hasDataController), DPV.hasName)) == "A council"


def test_each_decision_needs_its_scenario():
    scenario = _scenario()
    with pytest.raises(ValueError, match="scenario of each"):
        render_dpv([assess(scenario)], [])


def test_every_library_scenario_is_one_process_in_one_document():
    assert len(LIBRARY) > 100
    graph = _graph(*LIBRARY)
    processes = set(graph.subjects(RDF.type, DPV.Process))
    assert len(processes) == len(LIBRARY)
    identifiers = {str(graph.value(p, DCTERMS.identifier)) for p in processes}
    assert identifiers == {_decided(p)[1].id for p in LIBRARY}
    for process in processes:
        scenario = next(s for p in LIBRARY if (s := _decided(p)[1]).id == str(graph.value(process, DCTERMS.identifier)))
        if scenario.share.purpose.category is not None:
            assert len(list(graph.objects(process, DPV.hasPurpose))) == 1, scenario.id
        if scenario.share.basis.article_6 is not None:
            assert len(list(graph.objects(process, DPV.hasLegalBasis))) >= 1, scenario.id
        assert graph.value(process, ISP.verdict) is not None, scenario.id


@pytest.mark.parametrize("path", sorted(VOCABULARIES))
def test_every_value_of_the_vocabulary_has_a_concept(path):
    # A value added to vocabulary.py fails here until concepts.py maps it.
    assert set(VOCABULARIES[path]) == set(FIELDS[path].values)


def test_every_dpv_concept_used_was_checked_against_the_dpv():
    def full(iri: str) -> str:
        prefix, _, term = iri.partition(":")
        return CONTEXT[prefix] + term

    used = {full(c.iri) for table in VOCABULARIES.values() for c in table.values() if not c.local}
    used |= {full(c.broader) for table in VOCABULARIES.values() for c in table.values() if c.broader}
    assert used - CHECKED_TERMS == set()
    locals_ = [c for table in VOCABULARIES.values() for c in table.values() if c.local]
    assert locals_ and all(c.broader for c in locals_), "a concept of our own names its nearest DPV concept"


def test_isp_check_format_dpv_gives_the_basis_the_directory_fills_in():
    from click.testing import CliRunner

    from isp_rules.cli import cli

    result = CliRunner().invoke(cli, ["check", "--format", "dpv", str(
        SCENARIOS / "directory" / "discharge-list-under-the-agreement-states-only-the-case.yaml")])
    assert result.exit_code == 0, result.output
    g = Graph().parse(data=result.stdout, format="json-ld")
    assert (_process(g), DPV.hasLegalBasis, GDPR["A6-1-e"]) in g
