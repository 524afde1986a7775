"""The closed vocabularies of the public scenario format (spec/scenario-format.md, version 1).

Values may be added; none may be renamed or removed, because councils keep
libraries of scenario files that use them.

Each vocabulary is a Literal type (what the scenario model and the type checker use); where
something lists a vocabulary's values, the tuple of them in order is defined beside it as
get_args of the Literal (the forms and samplers read the values from the scenario model's
types). PARTY_DEFAULTS gives every party type its default public-authority and
competent-authority status.
"""

from __future__ import annotations

from typing import Literal, get_args

__all__ = [
    "ANNEX_1",
    "ARTICLE_6",
    "ARTICLE_9",
    "DATA_CATEGORIES",
    "EEA",
    "NEAR_WORDS",
    "ORDINARY_CATEGORIES",
    "PARTIAL_ADEQUACY",
    "PARTY_DEFAULTS",
    "PARTY_TYPES",
    "PURPOSES",
    "SCHEDULE_1",
    "SPECIAL_CATEGORIES",
    "SUBJECTS",
    "TRANSFER_METHODS",
    "UK_ADEQUACY",
    "Annex1",
    "Annex2",
    "Article6",
    "Article9",
    "ConsentGiver",
    "ConsentScope",
    "DataCategory",
    "Derogation",
    "Instrument",
    "Nation",
    "OrdinaryCategory",
    "Part3Basis",
    "PartyType",
    "ProcessingFeature",
    "Purpose",
    "Schedule1",
    "Schedule8",
    "SpecialCategory",
    "Subject",
    "TransferMethod",
]

Purpose = Literal[
    "safeguarding_child", "safeguarding_adult", "prevent_detect_crime", "law_enforcement",
    "emergency_response", "public_health", "direct_care", "service_delivery", "statutory_duty",
    "fraud_prevention", "research_statistics", "planning_commissioning", "legal_proceedings",
    "marketing", "commercial_sale", "other",
]
PURPOSES: tuple[Purpose, ...] = get_args(Purpose)

# type -> (public authority, competent authority) defaults. A competent authority is
# one listed in DPA 2018 Sch 7 (or with statutory law-enforcement functions), s30.
PartyType = Literal[
    "local_authority", "nhs_trust", "icb", "gp_practice", "police", "fire_rescue", "ambulance",
    "probation", "youth_justice", "court", "cps", "school", "government_department",
    "housing_association", "charity", "private_company", "individual", "other_public_body",
    "coroner", "university", "further_education_college", "elected_representative",
    "member_of_public",
]
PARTY_TYPES: tuple[PartyType, ...] = get_args(PartyType)
PARTY_DEFAULTS: dict[PartyType, tuple[bool, bool]] = {
    "local_authority": (True, False),
    "nhs_trust": (True, False),
    "icb": (True, False),
    "gp_practice": (True, False),
    "police": (True, True),
    "fire_rescue": (True, False),
    "ambulance": (True, False),
    "probation": (True, True),
    "youth_justice": (True, True),
    "court": (True, True),
    "cps": (True, True),
    "school": (True, False),
    "government_department": (True, False),
    "housing_association": (False, False),
    "charity": (False, False),
    "private_company": (False, False),
    "individual": (False, False),
    "other_public_body": (True, False),
    # Added to format version 1. A coroner holds judicial office and is a public authority
    # but is not listed in DPA 2018 Sch 7; universities and further-education colleges are
    # public authorities under FOIA 2000 Sch 1 Part IV (so under DPA 2018 s7); an elected
    # representative (MP, MS, councillor) acting on casework and a member of the public are
    # neither.
    "coroner": (True, False),
    "university": (True, False),
    "further_education_college": (True, False),
    "elected_representative": (False, False),
    "member_of_public": (False, False),
}

Subject = Literal[
    "child", "adult_at_risk", "adult", "patient", "service_user", "tenant", "offender",
    "victim", "witness", "staff", "family_member", "public",
]
SUBJECTS: tuple[Subject, ...] = get_args(Subject)

OrdinaryCategory = Literal[
    "identity", "contact", "household", "financial", "education", "employment", "housing",
    "social_care", "case_notes", "location", "images",
]
ORDINARY_CATEGORIES: tuple[OrdinaryCategory, ...] = get_args(OrdinaryCategory)
# UK GDPR Art 9(1) special categories.
SpecialCategory = Literal[
    "racial_ethnic_origin", "political_opinions", "religious_beliefs", "trade_union", "genetic",
    "biometric", "health", "sex_life", "sexual_orientation",
]
SPECIAL_CATEGORIES: tuple[SpecialCategory, ...] = get_args(SpecialCategory)
DataCategory = Literal[OrdinaryCategory, SpecialCategory, "criminal_offence", "non_personal"]
DATA_CATEGORIES: tuple[DataCategory, ...] = get_args(DataCategory)

Article6 = Literal[
    "consent", "contract", "legal_obligation", "vital_interests", "public_task",
    "legitimate_interests", "recognised_legitimate_interest",
]
ARTICLE_6: tuple[Article6, ...] = get_args(Article6)
Annex1 = Literal["public_task_request", "national_security", "emergency", "crime", "safeguarding"]
ANNEX_1: tuple[Annex1, ...] = get_args(Annex1)

Article9 = Literal[
    "explicit_consent", "employment_social_protection", "vital_interests", "not_for_profit",
    "made_public", "legal_claims", "substantial_public_interest", "health_social_care",
    "public_health", "archiving_research",
]
ARTICLE_9: tuple[Article9, ...] = get_args(Article9)

Schedule1 = Literal[
    # Part 1
    "employment_social_security", "health_social_care_purposes", "public_health", "research",
    # Part 2
    "statutory_purposes", "administration_of_justice", "equality_monitoring",
    "preventing_unlawful_acts", "protecting_public_dishonesty", "regulatory_requirements",
    "preventing_fraud", "support_for_disability", "counselling", "safeguarding",
    "safeguarding_economic_wellbeing", "insurance", "occupational_pensions",
    "elected_representatives",
    # Part 3 (criminal offence data only)
    "consent", "vital_interests", "legal_claims", "judicial_acts",
]
SCHEDULE_1: tuple[Schedule1, ...] = get_args(Schedule1)

TransferMethod = Literal[
    "secure_email", "secure_portal", "api", "encrypted_media", "verbal", "post_sealed",
    "unencrypted_email", "unencrypted_media", "fax", "social_media", "website",
]
TRANSFER_METHODS: tuple[TransferMethod, ...] = get_args(TransferMethod)

# The European Economic Area: the EU's 27 member states plus Iceland, Liechtenstein and
# Norway (ISO 3166 alpha-2). Geography, not law: rulesets decide what follows from it.
EEA = frozenset({
    "AT", "BE", "BG", "HR", "CY", "CZ", "DK", "EE", "FI", "FR", "DE", "GR", "HU", "IE", "IT", "LV",
    "LT", "LU", "MT", "NL", "PL", "PT", "RO", "SK", "SI", "ES", "SE", "IS", "LI", "NO",
})

# Countries and territories covered by UK adequacy regulations: DPA 2018 Sch 21 paras 4-5 (the
# EEA, Gibraltar, and every place the European Commission had found adequate before the end of
# the transition period: Switzerland, Canada (PIPEDA only), Argentina, Guernsey, Isle of Man,
# Jersey, the Faroe Islands, Andorra, Israel, Uruguay, New Zealand, Japan (APPI only)), the
# Republic of Korea (SI 2022/1213) and the United States (SI 2023/1028, the data bridge:
# recipients certified to the UK Extension of the Data Privacy Framework only). Saved as Art 45A
# regulations from 5 February 2026 (DUAA 2025 Sch 9 para 25). Checked against a practitioner's
# list of Sch 21 para 5 (Handley Gill, "UK Adequacy Regulations", which names the EU decisions
# but leaves out the Faroe Islands) and the legal review's list (doubt 5), which includes the
# Faroe Islands (Commission Decision 2010/146/EU); kept as data for review.
UK_ADEQUACY = EEA | frozenset({
    "GI", "CH", "CA", "AR", "GG", "IM", "JE", "FO", "AD", "IL", "UY", "NZ", "JP", "KR", "US",
})
# Adequacy that covers only some recipients (a sector, a law, or certification): Canada
# (organisations subject to PIPEDA), Japan (business operators subject to the APPI) and the
# United States (organisations certified to the UK Extension). A recipient there is treated as
# covered only when the share states adequacy is relied on (the practitioner asserts coverage);
# rulesets/transfers.yaml repeats this list in its conditions.
PARTIAL_ADEQUACY = frozenset({"CA", "JP", "US"})

# Features of the processing that can make it likely to be high risk (UK GDPR Art 35(3), the
# ICO's list of processing likely to result in high risk). An addition to format version 1.
ProcessingFeature = Literal[
    "profiling", "automated_decisions", "systematic_monitoring", "data_matching",
    "new_technology", "invisible_processing", "tracking",
]

# --- additions to format version 1 (issue 11) --------------------------------------------

# The UK nation a party is in: data protection law is UK-wide, but safeguarding, health and
# social care statutes differ in Wales, Scotland and Northern Ireland.
Nation = Literal["england", "wales", "scotland", "northern_ireland"]

# DPA 2018 s35(2): Part 3 processing is lawful only with consent or where it is necessary
# for a task carried out for a law enforcement purpose by a competent authority.
Part3Basis = Literal["consent", "law_enforcement_task"]

# DPA 2018 Schedule 8: conditions for sensitive processing under Part 3 (s35(5)).
Schedule8 = Literal[
    "statutory_purposes", "administration_of_justice", "protecting_vital_interests",
    "safeguarding_children_and_individuals_at_risk", "personal_data_already_public",
    "legal_claims", "judicial_acts", "preventing_fraud", "archiving",
]

# UK GDPR Annex 2 (inserted by the Data (Use and Access) Act 2025): conditions under which a
# new purpose is treated as compatible with the original one (Art 8A(3)(d)).
Annex2 = Literal[
    "public_task_request", "national_security", "emergency", "crime", "vital_interests",
    "safeguarding", "tax_collection", "legal_obligation",
]

# UK GDPR Art 49(1): derogations for specific situations, when no adequacy or safeguard exists.
Derogation = Literal[
    "explicit_consent", "contract_with_person", "contract_in_persons_interest",
    "important_public_interest", "legal_claims", "vital_interests", "public_register",
    "compelling_legitimate_interests",
]

# What compels or formally asks for the disclosure.
Instrument = Literal[
    "court_order", "schedule_5_notice", "written_request_under_power", "none",
]

# Whose consent (or agreement) it is, and what it covers.
ConsentGiver = Literal["person", "parent", "representative"]
ConsentScope = Literal["data_protection", "confidentiality", "views_only"]


# Words people write for a vocabulary value that no spelling check would find: offered as
# "did you mean" when a scenario uses one (only the ones the field allows), never accepted in
# its place.
NEAR_WORDS: dict[str, tuple[str, ...]] = {
    "council": ("local_authority",), "social_services": ("local_authority",), "hospital": ("nhs_trust",),
    "nhs": ("nhs_trust", "icb"), "gp": ("gp_practice",), "academy": ("school",), "mp": ("elected_representative",),
    "councillor": ("elected_representative",),
    "kid": ("child",), "pupil": ("child",), "young_person": ("child",),
    "vulnerable_adult": ("adult_at_risk",),
    "benefits": ("financial",), "welfare_benefits": ("financial",), "money": ("financial",),
    "bank_details": ("financial",), "finance": ("financial",), "income": ("financial",),
    "name": ("identity",), "names": ("identity",), "date_of_birth": ("identity",), "dob": ("identity",),
    "nhs_number": ("identity",), "address": ("contact",), "phone_number": ("contact",),
    "medical": ("health",), "mental_health": ("health",), "disability": ("health",),
    "ethnicity": ("racial_ethnic_origin",), "religion": ("religious_beliefs",),
    "sexuality": ("sexual_orientation",), "criminal": ("criminal_offence",),
    "convictions": ("criminal_offence",), "offences": ("criminal_offence",),
    "school": ("education",), "job": ("employment",), "photos": ("images",),
    "cctv": ("images",), "notes": ("case_notes",),
    "sftp": ("secure_portal",), "secure_file_transfer": ("secure_portal",),
    "egress": ("secure_email",), "cjsm": ("secure_email",), "nhsmail": ("secure_email",),
    "phone": ("verbal",), "telephone": ("verbal",), "in_person": ("verbal",), "meeting": ("verbal",),
    "usb": ("encrypted_media", "unencrypted_media"), "letter": ("post_sealed",), "post": ("post_sealed",),
    "high": ("significant", "serious_or_imminent"), "immediate": ("serious_or_imminent",),
    "urgent": ("serious_or_imminent",),
}
