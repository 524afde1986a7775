"""Plain words for the scenario fields and their values, as a practitioner would say them.

Presentation, not the format: the values themselves are vocabulary.py's closed lists (a contract
that only grows); these words may be reworded freely. Used by the pipeline's sentences
("not known yet: the lawful basis (Art 6)") and by the guided questions' choices.
"""

from __future__ import annotations

__all__ = ["FACT_LABELS", "PARTY_LABELS", "VALUE_LABELS", "label", "value_words"]

PARTY_LABELS: dict[str, str] = {
    "local_authority": "A council", "nhs_trust": "An NHS trust (hospital, community or mental health)",
    "icb": "An integrated care board", "gp_practice": "A GP practice", "police": "The police",
    "fire_rescue": "A fire and rescue service", "ambulance": "An ambulance service", "probation": "The probation service",
    "youth_justice": "A youth justice service", "court": "A court", "cps": "The Crown Prosecution Service",
    "school": "A school or college", "government_department": "A government department or agency",
    "housing_association": "A housing association", "charity": "A charity or voluntary group",
    "private_company": "A private company", "individual": "An individual", "other_public_body": "Another public body",
    "coroner": "A coroner", "university": "A university", "further_education_college": "A further-education or sixth-form college",
    "elected_representative": "An MP, MS or councillor (casework)", "member_of_public": "A member of the public",
}

# Each value of a field with a closed vocabulary, in the order a question offers them.
VALUE_LABELS: dict[str, dict[str, str]] = {
    "share.purpose.category": {
        "safeguarding_child": "Protecting a child", "safeguarding_adult": "Protecting an adult at risk",
        "prevent_detect_crime": "Preventing or detecting crime", "law_enforcement": "Investigating or prosecuting an offence (police, CPS, courts)",
        "emergency_response": "Responding to an emergency", "public_health": "Protecting public health",
        "direct_care": "Caring for the person (health or social care)", "service_delivery": "Providing a service to the person",
        "statutory_duty": "Meeting a legal duty", "fraud_prevention": "Preventing fraud",
        "research_statistics": "Research or statistics", "planning_commissioning": "Planning or commissioning services",
        "legal_proceedings": "Court or legal proceedings", "marketing": "Marketing or fundraising",
        "commercial_sale": "Selling or trading the data", "other": "Something else"},
    "share.from.type": PARTY_LABELS,
    "share.to.type": PARTY_LABELS,
    "share.relationship": {
        "separate_controllers": "Each decides for itself what it does with the information",
        "joint_controllers": "They decide together (for example a MASH or MARAC)",
        "processor": "The recipient only acts on the discloser's instructions (a supplier or contractor)"},
    "share.data.subjects": {
        "child": "A child (under 18)", "adult_at_risk": "An adult at risk (with care and support needs)", "adult": "An adult",
        "patient": "A patient", "service_user": "A service user", "tenant": "A tenant", "offender": "A suspect or offender",
        "victim": "A victim", "witness": "A witness", "staff": "Staff", "family_member": "Family members", "public": "Members of the public"},
    "share.data.categories": {
        "identity": "Names, dates of birth", "contact": "Addresses, phone numbers", "household": "Who lives in the household",
        "financial": "Money, debts, benefits", "education": "School records", "employment": "Work", "housing": "Tenancy or housing",
        "social_care": "Social care records", "case_notes": "Case notes or assessments", "location": "Where someone is or goes",
        "images": "Photos or CCTV", "racial_ethnic_origin": "Ethnic origin", "political_opinions": "Political opinions",
        "religious_beliefs": "Religion or beliefs", "trade_union": "Trade union membership", "genetic": "Genetic data",
        "biometric": "Fingerprints or other biometrics", "health": "Physical or mental health", "sex_life": "Sex life",
        "sexual_orientation": "Sexual orientation", "criminal_offence": "Offences, allegations or convictions",
        "non_personal": "No information about people"},
    "share.data.identifiability": {
        "identified": "Yes, it names or identifies them", "pseudonymised": "Only with a key held separately (pseudonymised)",
        "anonymised": "No, it is anonymised", "aggregate": "No, it is counts or statistics", "non_personal": "It is not about people"},
    "share.data.volume": {
        "individual": "One person or family", "group": "A group of people", "large_scale": "Many people (a whole caseload or area)"},
    "share.frequency": {"one_off": "One-off", "routine": "Routine or regular"},
    "share.urgency.risk": {
        "none": "No risk", "low": "Low", "significant": "Significant", "serious_or_imminent": "Serious or imminent: someone could be harmed soon"},
    "share.basis.article_6": {
        "public_task": "Public task: our statutory functions", "legal_obligation": "Legal obligation: the law or a court requires it",
        "vital_interests": "Vital interests: to protect someone's life", "consent": "Consent",
        "contract": "A contract with the person", "legitimate_interests": "Legitimate interests",
        "recognised_legitimate_interest": "Recognised legitimate interest (from 5 February 2026)"},
    "share.basis.annex_1": {
        "public_task_request": "A public body asked for it for its public task", "national_security": "National security or defence",
        "emergency": "A civil emergency", "crime": "Crime", "safeguarding": "Safeguarding a vulnerable person"},
    "share.basis.article_9": {
        "substantial_public_interest": "Substantial public interest (with a DPA 2018 Schedule 1 condition)",
        "health_social_care": "Health or social care", "vital_interests": "Vital interests (the person cannot consent)",
        "explicit_consent": "Explicit consent", "public_health": "Public health", "legal_claims": "Legal claims or courts",
        "employment_social_protection": "Employment or social protection law", "not_for_profit": "A not-for-profit body's own members",
        "made_public": "The person made it public themselves", "archiving_research": "Archiving, research or statistics"},
    "share.basis.schedule_1": {
        "safeguarding": "Safeguarding of children and adults at risk (para 18)", "statutory_purposes": "Statutory purposes (para 6)",
        "preventing_unlawful_acts": "Preventing or detecting unlawful acts (para 10)", "health_social_care_purposes": "Health or social care (para 2)",
        "public_health": "Public health (para 3)", "research": "Research (para 4)", "employment_social_security": "Employment (para 1)",
        "administration_of_justice": "Administration of justice (para 7)", "equality_monitoring": "Equality monitoring (para 8)",
        "protecting_public_dishonesty": "Protecting the public (para 11)", "regulatory_requirements": "Regulatory requirements (para 12)",
        "preventing_fraud": "Preventing fraud (para 14)", "support_for_disability": "Support for disability (para 16)",
        "counselling": "Counselling (para 17)", "safeguarding_economic_wellbeing": "Economic well-being of adults at risk (para 19)",
        "insurance": "Insurance (para 20)", "occupational_pensions": "Occupational pensions (para 21)",
        "elected_representatives": "Elected representatives (paras 23-24)", "consent": "Consent (para 29)",
        "vital_interests": "Vital interests (para 30)", "legal_claims": "Legal claims (para 33)", "judicial_acts": "Judicial acts (para 34)"},
    "share.basis.criminal_offence": {
        "official_authority": "Our official authority as a public body", "schedule_1": "A DPA 2018 Schedule 1 condition"},
    "share.consent.status": {
        "given": "Yes, they agreed", "refused": "They refused", "withdrawn": "They withdrew agreement", "not_sought": "We have not asked"},
    "share.consent.reason_not_sought": {
        "cannot_be_given": "They cannot give it (age, capacity)", "cannot_reasonably_be_obtained": "We cannot reasonably get it",
        "would_prejudice": "Asking would prejudice the protection or investigation", "would_increase_risk": "Asking would increase the risk"},
    "share.confidentiality": {
        "consent": "The person agreed", "implied_consent_direct_care": "Implied consent for their care",
        "legal_requirement": "The law requires it", "overriding_public_interest": "An overriding public interest (serious harm or crime)",
        "not_applicable": "Nothing confidential is shared"},
    "share.governance.agreement": {
        "none": "No", "in_place": "Yes, in force", "expired": "One has expired"},
    "share.governance.dpia": {
        "done": "Yes", "not_done": "No", "not_required": "Not needed (low risk)"},
    "share.governance.privacy_notice": {
        "covers": "Yes, the privacy notice covers it", "does_not_cover": "No, it does not cover this",
        "exempt": "No: telling them would prejudice crime prevention or increase risk"},
    "share.handling.transfer": {
        "secure_email": "Secure email", "secure_portal": "Secure portal", "api": "System-to-system link (API)",
        "encrypted_media": "Encrypted memory stick or disc", "verbal": "Spoken (phone or meeting)", "post_sealed": "Sealed post",
        "unencrypted_email": "Ordinary email", "unencrypted_media": "Unencrypted memory stick or disc", "fax": "Fax",
        "social_media": "Social media or messaging apps"},
    "share.handling.international_mechanism": {
        "adequacy": "UK adequacy regulations cover the country", "idta": "The International Data Transfer Agreement",
        "uk_addendum": "The UK Addendum to the EU clauses", "bcr": "The recipient group's approved internal rules (binding corporate rules)", "derogation": "An exceptional one-off reason (Art 49 derogation)",
        "none": "Nothing"},
    "share.processing": {
        "profiling": "Profiling or scoring people", "automated_decisions": "Decisions made by a computer without a person",
        "systematic_monitoring": "Watching people or places systematically (for example CCTV)",
        "data_matching": "Matching or combining data sets", "new_technology": "A new technology or system",
        "invisible_processing": "Use people would not expect and are not told about", "tracking": "Tracking where people go or what they do online"},
    "share.consent.given_by": {
        "person": "The person themselves", "parent": "A parent or someone with parental responsibility",
        "representative": "An attorney, deputy or someone acting for them"},
    "share.consent.covers": {
        "data_protection": "Their consent is what the share relies on in data protection law",
        "confidentiality": "It releases the duty of confidence", "views_only": "We only asked their views"},
    "share.request.instrument": {
        "court_order": "A court order", "schedule_5_notice": "A coroner's notice (Schedule 5)",
        "written_request_under_power": "A written request naming the power it is made under", "none": "No formal demand"},
    "share.from.nation": {
        "england": "England", "wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"},
    "share.to.nation": {
        "england": "England", "wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"},
    "share.basis.part_3": {
        "consent": "The person's consent", "law_enforcement_task": "It is needed for a law-enforcement task"},
    "share.basis.schedule_8": {
        "statutory_purposes": "Statutory purposes (para 1)", "administration_of_justice": "Administration of justice (para 2)",
        "protecting_vital_interests": "Protecting someone's vital interests (para 3)",
        "safeguarding_children_and_individuals_at_risk": "Safeguarding children and people at risk (para 4)",
        "personal_data_already_public": "Already made public by the person (para 5)", "legal_claims": "Legal claims (para 6)",
        "judicial_acts": "Judicial acts (para 7)", "preventing_fraud": "Preventing fraud (para 8)", "archiving": "Archiving (para 9)"},
    "share.basis.compatibility_condition": {
        "public_task_request": "A public body asked for it for its task", "national_security": "National security or defence",
        "emergency": "An emergency", "crime": "Preventing, investigating or prosecuting crime",
        "vital_interests": "Protecting someone's vital interests", "safeguarding": "Safeguarding a vulnerable person",
        "tax_collection": "Assessing or collecting tax", "legal_obligation": "Complying with a legal obligation"},
    "share.basis.original_basis": {
        "consent": "Consent", "contract": "A contract", "legal_obligation": "A legal obligation", "vital_interests": "Vital interests",
        "public_task": "Public task", "legitimate_interests": "Legitimate interests",
        "recognised_legitimate_interest": "A recognised legitimate interest"},
    "share.handling.derogation": {
        "explicit_consent": "The person's explicit consent", "contract_with_person": "A contract with the person",
        "contract_in_persons_interest": "A contract made in the person's interest",
        "important_public_interest": "An important public interest recognised in UK law", "legal_claims": "Legal claims",
        "vital_interests": "Someone's vital interests, when they cannot consent", "public_register": "A public register",
        "compelling_legitimate_interests": "Compelling legitimate interests (exceptional, notify the ICO)"},
}

# Short names for the facts, for sentences such as "not known yet: the lawful basis".
FACT_LABELS: dict[str, str] = {
    "share.purpose.category": "what the share is for", "share.purpose.detail": "the purpose in detail",
    "share.from.name": "the discloser's name", "share.from.type": "who the discloser is",
    "share.from.signatory": "whether the discloser signed the protocol", "share.from.location": "where the discloser is",
    "share.from.public_authority": "whether the discloser is a public authority",
    "share.from.competent_authority": "whether the discloser is a law-enforcement body",
    "share.to.name": "the recipient's name", "share.to.type": "who the recipient is",
    "share.to.signatory": "whether the recipient signed the protocol", "share.to.location": "where the recipient is",
    "share.to.public_authority": "whether the recipient is a public authority",
    "share.to.competent_authority": "whether the recipient is a law-enforcement body",
    "share.relationship": "how the two organisations relate", "share.request.by_recipient": "whether the recipient asked",
    "share.request.in_writing": "whether the request was in writing",
    "share.request.states_public_task": "whether the requester said it needs it for a public task",
    "share.data.subjects": "whose information it is", "share.data.categories": "what kinds of information",
    "share.data.identifiability": "whether people can be identified", "share.data.confidential": "whether it was given in confidence",
    "share.data.volume": "how many people it covers", "share.data.minimised": "whether only what is needed is shared",
    "share.frequency": "whether it is one-off or routine", "share.urgency.risk": "how serious the risk is",
    "share.urgency.emergency": "whether there is a declared emergency", "share.basis.article_6": "the lawful basis (Art 6)",
    "share.basis.annex_1": "the listed purpose (Annex 1)", "share.basis.legal_power": "the law or function relied on",
    "share.basis.article_9": "the condition for sensitive information (Art 9)",
    "share.basis.schedule_1": "the Schedule 1 condition", "share.basis.criminal_offence": "what authorises the offence information (Art 10)",
    "share.basis.appropriate_policy_document": "whether the appropriate policy document is in place",
    "share.basis.compatible_purpose": "whether the use is compatible with why it was collected",
    "share.consent.status": "whether the person agreed", "share.consent.reason_not_sought": "why the person was not asked",
    "share.consent.as_good_practice": "whether their agreement was sought only as good practice",
    "share.confidentiality": "how the duty of confidence is met", "share.governance.agreement": "whether an information sharing agreement is in place",
    "share.governance.agreement_covers_purpose": "whether the agreement covers this purpose",
    "share.governance.dpia": "whether a DPIA was done", "share.governance.joint_controller_arrangement": "whether the joint controller arrangement is in place",
    "share.governance.processor_contract": "whether the processor contract is in place",
    "share.governance.privacy_notice": "whether the people concerned are told", "share.handling.transfer": "how it is sent",
    "share.handling.retention": "how long it is kept", "share.handling.international_mechanism": "what makes a transfer abroad lawful",
    "share.processing": "whether the processing involves profiling, monitoring, matching or new technology",
    "share.both_signatories": "whether both parties signed the protocol", "share.data.special_category": "whether sensitive information is included",
    "share.data.criminal_offence": "whether offence information is included", "share.data.anonymous": "whether it is anonymised",
    "share.to.uk_adequacy": "whether UK adequacy covers the recipient's country",
    "share.to.uk_adequacy_full": "whether UK adequacy covers every recipient in that country", "share.to.in_uk": "whether the recipient is in the UK",
    "share.to.eea": "whether the recipient is in the EEA", "share.from.in_uk": "whether the discloser is in the UK",
    "share.from.eea": "whether the discloser is in the EEA", "as_of": "the date of the share",
    # Added fields (format version 1 additions).
    "share.from.nation": "which UK nation the discloser is in", "share.to.nation": "which UK nation the recipient is in",
    "share.request.by_person": "whether the person asked for the disclosure",
    "share.request.instrument": "what compels or formally asks for it",
    "share.basis.compatibility_condition": "the listed condition that makes the new use compatible (Annex 2)",
    "share.basis.part_3": "the law-enforcement basis (DPA 2018 s35)",
    "share.basis.schedule_8": "the Schedule 8 condition for sensitive law-enforcement processing",
    "share.basis.original_basis": "the lawful basis the information was first collected on",
    "share.consent.given_by": "whose agreement it is", "share.consent.covers": "what the agreement covers",
    "share.person.capacity": "whether the person has capacity to decide",
    "share.handling.derogation": "which exception for a transfer abroad is relied on",
    "share.governance.agreement_review_date": "when the agreement is due for review",
    "share.governance.agreement_review_overdue": "whether the agreement is past its review date",
    "share.governance.dpia_residual_high_risk": "whether the DPIA left a high risk unreduced",
    "share.governance.ico_consulted": "whether the ICO was consulted",
    "share.governance.national_data_opt_out_applied": "whether the national data opt-out was applied",
    "share.basis.power_recognised": "whether the power named is recognised",
    "share.basis.power_is_duty": "whether the power named is a duty to disclose",
    "share.basis.power_available": "whether the power named is one this discloser can use",
    # Added fields: entries of the partnership's directory.
    "share.from.partner": "which partner organisation discloses", "share.to.partner": "which partner organisation receives",
    "share.governance.agreement_id": "which of the partnership's agreements it is shared under",
}


def label(path: str) -> str:
    """A fact in plain words: 'share.basis.article_6' -> 'the lawful basis (Art 6)'."""
    return FACT_LABELS.get(path) or path.removeprefix("share.").replace(".", " ").replace("_", " ")


def value_words(path: str, value: object) -> str:
    """A stated value as a practitioner would say it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_words(path, v) for v in value) or "none"
    labels = VALUE_LABELS.get(path, {})
    if isinstance(value, str) and value in labels:
        return labels[value].lower() if not labels[value].startswith(("A ", "An ", "The ")) else labels[value]
    return str(value).replace("_", " ")
