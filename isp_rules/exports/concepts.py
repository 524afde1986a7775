"""The scenario format's vocabularies as W3C Data Privacy Vocabulary (DPV) concepts: one table.

Each value of each vocabulary the DPV export writes maps to one concept. Where the DPV (or one of
its extensions) has a concept that means the same thing, the value maps to it; where it has none,
the value gets a concept of this project's own (`local`), with the nearest DPV concept as its
broader one, so a reader that only knows the DPV still places it. tests/exports/test_dpv.py checks
that every value of every vocabulary named in VOCABULARIES is in its table, so a value added to
vocabulary.py fails that test until it is mapped here.

Checked against the DPV 2.3 sources (github.com/w3c/dpv, folder 2.3, commit f01a55c, February
2026), term by term in their CSV files:
  dpv       https://w3id.org/dpv#             dpv/modules/process.csv (dpv:Process; PersonalDataHandling
                                               "will be deprecated ... use dpv:Process"), purposes.csv,
                                               entities_*.csv, dpv.csv (the properties)
  pd        https://w3id.org/dpv/pd#          pd/pd.csv (personal data categories)
  eu-gdpr   https://w3id.org/dpv/legal/eu/gdpr#   legal/eu/gdpr/modules/legal_basis.csv (A6-1-a..f),
                                               legal_basis_special.csv (A9-2-a..j); there is no Art 10 term
  legal-gb  https://w3id.org/dpv/legal/gb#    legal/gb/modules/gb.ttl: only law-GDPR (the UK GDPR),
                                               law-DPA (DPA 2018) and DPA-GB (the ICO); no UK legal bases
  sector-law, sector-health, sector-publicservices   https://w3id.org/dpv/sector/<name>#  sector/*/modules/purposes.csv

The UK GDPR keeps the EU GDPR's numbering for Art 6(1)(a)-(f) and Art 9(2)(a)-(j), so the eu-gdpr
terms name the same provisions; what the UK added has no DPV term and is local here: Art 6(1)(ea)
recognised legitimate interests and its Annex 1 conditions (inserted by the Data (Use and Access)
Act 2025 s70), the DPA 2018 Schedule 1 conditions (s10), the Art 10 authority, and the DPA 2018
Part 3 basis (s35(2)) and Schedule 8 conditions (s35(5)).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..vocabulary import (
    Annex1,
    Article6,
    Article9,
    DataCategory,
    Part3Basis,
    PartyType,
    Purpose,
    Schedule1,
    Schedule8,
    Subject,
)

__all__ = ["ANNEX_1", "ARTICLE_6", "ARTICLE_9", "CONTEXT", "CRIMINAL_OFFENCE", "DATA_CATEGORIES", "LOCAL_NAMESPACE",
           "PARTY_TYPES", "PART_3", "PURPOSES", "SCHEDULE_1", "SCHEDULE_8", "SUBJECTS", "VOCABULARIES", "Concept"]

# This project's own concepts and properties. Not a registered or resolvable address: a name that
# cannot clash with anyone else's. A partnership that publishes its own vocabulary may change it.
LOCAL_NAMESPACE = "urn:isp-rules:"

CONTEXT: Mapping[str, str] = {
    "dpv": "https://w3id.org/dpv#",
    "pd": "https://w3id.org/dpv/pd#",
    "eu-gdpr": "https://w3id.org/dpv/legal/eu/gdpr#",
    "legal-gb": "https://w3id.org/dpv/legal/gb#",
    "sector-law": "https://w3id.org/dpv/sector/law#",
    "sector-health": "https://w3id.org/dpv/sector/health#",
    "sector-publicservices": "https://w3id.org/dpv/sector/publicservices#",
    "dct": "http://purl.org/dc/terms/",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "isp": LOCAL_NAMESPACE,
}


@dataclass(frozen=True)
class Concept:
    """A concept as a compact IRI ("dpv:Share", "isp:purpose/safeguarding_child"); a local one also
    names its nearest DPV concept (broader)."""

    iri: str
    broader: str | None = None

    @property
    def local(self) -> bool:
        return self.iri.startswith("isp:")


def _dpv(iri: str) -> Concept:
    return Concept(iri)


def _local(kind: str, value: str, broader: str) -> Concept:
    return Concept(f"isp:{kind}/{value}", broader)


# share.purpose.category
PURPOSES: Mapping[Purpose, Concept] = {
    # The DPV has no safeguarding purpose: the nearest is a benefit to the public.
    "safeguarding_child": _local("purpose", "safeguarding_child", "dpv:PublicBenefit"),
    "safeguarding_adult": _local("purpose", "safeguarding_adult", "dpv:PublicBenefit"),
    "prevent_detect_crime": _dpv("sector-law:CrimeDetection"),
    # DPA 2018 s31: the prevention, investigation, detection or prosecution of criminal offences.
    "law_enforcement": _dpv("sector-law:CriminalLawEnforcement"),
    "emergency_response": _local("purpose", "emergency_response", "dpv:ProtectionOfPublicSecurity"),
    "public_health": _dpv("sector-health:PublicInterestRelatedToHealth"),
    "direct_care": _dpv("sector-health:ServiceProvision"),
    "service_delivery": _dpv("dpv:ServiceProvision"),
    "statutory_duty": _dpv("dpv:LegalCompliance"),
    "fraud_prevention": _dpv("dpv:FraudPreventionAndDetection"),
    "research_statistics": _dpv("dpv:ResearchAndDevelopment"),
    "planning_commissioning": _dpv("sector-publicservices:PublicServiceManagement"),
    "legal_proceedings": _dpv("sector-law:JusticeManagement"),
    "marketing": _dpv("dpv:Marketing"),
    "commercial_sale": _dpv("dpv:SellDataToThirdParties"),
    "other": _dpv("dpv:Purpose"),  # a purpose, not named more closely
}

# share.basis.article_6 (UK GDPR Art 6(1))
ARTICLE_6: Mapping[Article6, Concept] = {
    "consent": _dpv("eu-gdpr:A6-1-a"),
    "contract": _dpv("eu-gdpr:A6-1-b"),
    "legal_obligation": _dpv("eu-gdpr:A6-1-c"),
    "vital_interests": _dpv("eu-gdpr:A6-1-d"),
    "public_task": _dpv("eu-gdpr:A6-1-e"),
    "legitimate_interests": _dpv("eu-gdpr:A6-1-f"),
    # UK GDPR Art 6(1)(ea), inserted by DUAA 2025 s70: not in the EU GDPR, so not in the DPV.
    "recognised_legitimate_interest": _local("basis/article_6", "recognised_legitimate_interest", "dpv:LegalBasis"),
}

# share.basis.annex_1 (UK GDPR Annex 1: the recognised legitimate interests)
ANNEX_1: Mapping[Annex1, Concept] = {
    value: _local("basis/annex_1", value, "dpv:LegalBasis")
    for value in ("public_task_request", "national_security", "emergency", "crime", "safeguarding")
}

# share.basis.article_9 (UK GDPR Art 9(2))
ARTICLE_9: Mapping[Article9, Concept] = {
    "explicit_consent": _dpv("eu-gdpr:A9-2-a"),
    "employment_social_protection": _dpv("eu-gdpr:A9-2-b"),
    "vital_interests": _dpv("eu-gdpr:A9-2-c"),
    "not_for_profit": _dpv("eu-gdpr:A9-2-d"),
    "made_public": _dpv("eu-gdpr:A9-2-e"),
    "legal_claims": _dpv("eu-gdpr:A9-2-f"),
    "substantial_public_interest": _dpv("eu-gdpr:A9-2-g"),
    "health_social_care": _dpv("eu-gdpr:A9-2-h"),
    "public_health": _dpv("eu-gdpr:A9-2-i"),
    "archiving_research": _dpv("eu-gdpr:A9-2-j"),
}

# share.basis.schedule_1 (DPA 2018 Schedule 1: UK law, no DPV terms)
_SCHEDULE_1_VALUES: tuple[Schedule1, ...] = (
    "employment_social_security", "health_social_care_purposes", "public_health", "research", "statutory_purposes",
    "administration_of_justice", "equality_monitoring", "preventing_unlawful_acts", "protecting_public_dishonesty",
    "regulatory_requirements", "preventing_fraud", "support_for_disability", "counselling", "safeguarding",
    "safeguarding_economic_wellbeing", "insurance", "occupational_pensions", "elected_representatives", "consent",
    "vital_interests", "legal_claims", "judicial_acts")
SCHEDULE_1: Mapping[Schedule1, Concept] = {v: _local("basis/schedule_1", v, "dpv:LegalBasis") for v in _SCHEDULE_1_VALUES}

# share.basis.criminal_offence (UK GDPR Art 10 with DPA 2018 s10(5)): the DPV has no Art 10 term.
CRIMINAL_OFFENCE: Mapping[str, Concept] = {
    v: _local("basis/criminal_offence", v, "dpv:LegalBasis") for v in ("official_authority", "schedule_1")}

# share.basis.part_3 (DPA 2018 s35(2)) and share.basis.schedule_8 (s35(5)): law enforcement processing.
PART_3: Mapping[Part3Basis, Concept] = {
    v: _local("basis/part_3", v, "dpv:LegalBasis") for v in ("consent", "law_enforcement_task")}
_SCHEDULE_8_VALUES: tuple[Schedule8, ...] = (
    "statutory_purposes", "administration_of_justice", "protecting_vital_interests",
    "safeguarding_children_and_individuals_at_risk", "personal_data_already_public", "legal_claims", "judicial_acts",
    "preventing_fraud", "archiving")
SCHEDULE_8: Mapping[Schedule8, Concept] = {v: _local("basis/schedule_8", v, "dpv:LegalBasis") for v in _SCHEDULE_8_VALUES}

# share.data.categories
DATA_CATEGORIES: Mapping[DataCategory, Concept] = {
    "identity": _dpv("pd:Identifying"),
    "contact": _dpv("pd:Contact"),
    "household": _dpv("pd:FamilyStructure"),
    "financial": _dpv("pd:Financial"),
    "education": _dpv("pd:Education"),
    "employment": _dpv("pd:EmploymentHistory"),
    "housing": _local("data", "housing", "dpv:PersonalData"),
    "social_care": _local("data", "social_care", "dpv:PersonalData"),
    "case_notes": _local("data", "case_notes", "dpv:PersonalData"),
    "location": _dpv("pd:Location"),
    "images": _dpv("pd:Picture"),
    "racial_ethnic_origin": _dpv("pd:EthnicOrigin"),
    "political_opinions": _dpv("pd:PoliticalOpinion"),
    "religious_beliefs": _dpv("pd:ReligiousBelief"),
    "trade_union": _dpv("pd:TradeUnionMembership"),
    "genetic": _dpv("pd:Genetic"),
    "biometric": _dpv("pd:Biometric"),
    "health": _dpv("pd:Health"),
    "sex_life": _dpv("pd:Sexual"),
    "sexual_orientation": _dpv("pd:SexualPreference"),
    "criminal_offence": _dpv("pd:Criminal"),
    "non_personal": _dpv("dpv:NonPersonalData"),
}

# share.data.subjects
SUBJECTS: Mapping[Subject, Concept] = {
    "child": _dpv("dpv:Child"),
    "adult_at_risk": _dpv("dpv:VulnerableDataSubject"),
    "adult": _dpv("dpv:Adult"),
    "patient": _dpv("dpv:Patient"),
    "service_user": _dpv("dpv:User"),
    "tenant": _local("subject", "tenant", "dpv:DataSubject"),
    "offender": _local("subject", "offender", "dpv:DataSubject"),
    "victim": _local("subject", "victim", "dpv:DataSubject"),
    "witness": _local("subject", "witness", "dpv:DataSubject"),
    "staff": _dpv("dpv:Employee"),
    "family_member": _local("subject", "family_member", "dpv:DataSubject"),
    "public": _local("subject", "public", "dpv:DataSubject"),
}

# share.from.type and share.to.type: the kind of organisation.
PARTY_TYPES: Mapping[PartyType, Concept] = {
    "local_authority": _dpv("dpv:GovernmentalOrganisation"),
    "nhs_trust": _dpv("dpv:HealthcareOrganisation"),
    "icb": _dpv("dpv:HealthcareOrganisation"),
    "gp_practice": _dpv("dpv:HealthcareOrganisation"),
    "police": _dpv("dpv:LawEnforcementOrganisation"),
    "fire_rescue": _dpv("dpv:FireDepartment"),
    "ambulance": _dpv("dpv:AmbulanceProvider"),
    "probation": _dpv("dpv:LawEnforcementOrganisation"),
    "youth_justice": _dpv("dpv:LawEnforcementOrganisation"),
    "court": _dpv("dpv:JudicialOrganisation"),
    "cps": _dpv("dpv:LawEnforcementOrganisation"),
    "school": _dpv("dpv:EducationalOrganisation"),
    "government_department": _dpv("dpv:GovernmentalOrganisation"),
    "housing_association": _dpv("dpv:NonProfitOrganisation"),
    "charity": _dpv("dpv:CharityOrganisation"),
    "private_company": _dpv("dpv:ForProfitOrganisation"),
    "individual": _dpv("dpv:NaturalPerson"),
    "other_public_body": _dpv("dpv:PublicSectorBody"),
    "coroner": _dpv("dpv:JudicialOrganisation"),  # a coroner holds judicial office
    "university": _dpv("dpv:AcademicScientificOrganisation"),
    "further_education_college": _dpv("dpv:EducationalOrganisation"),
    # An MP, MS or councillor on casework is a controller in their own right (DPA 2018 Sch 1 para 23-24).
    "elected_representative": _local("party", "elected_representative", "dpv:NaturalPerson"),
    "member_of_public": _dpv("dpv:NaturalPerson"),
}

# The scenario field each table maps, for the export and for the test that every value is mapped.
VOCABULARIES: Mapping[str, Mapping[Any, Concept]] = {  # keys: each table's own vocabulary
    "share.purpose.category": PURPOSES,
    "share.basis.article_6": ARTICLE_6,
    "share.basis.annex_1": ANNEX_1,
    "share.basis.article_9": ARTICLE_9,
    "share.basis.schedule_1": SCHEDULE_1,
    "share.basis.criminal_offence": CRIMINAL_OFFENCE,
    "share.basis.part_3": PART_3,
    "share.basis.schedule_8": SCHEDULE_8,
    "share.data.categories": DATA_CATEGORIES,
    "share.data.subjects": SUBJECTS,
    "share.from.type": PARTY_TYPES,
    "share.to.type": PARTY_TYPES,
}
