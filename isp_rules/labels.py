"""Plain words for the scenario fields and their values, as a practitioner would say them.

Presentation, not the format: the values themselves are vocabulary.py's closed lists (a contract
that only grows); these words may be reworded freely. Used by the pipeline's sentences
("not known yet: the lawful basis (Art 6)") and by the guided questions' choices.
"""

from __future__ import annotations

__all__ = ["CONDITION_TEMPLATES", "CONDITION_VALUES", "CONDITION_YES_NO", "FACT_LABELS", "PARTY_LABELS", "PLACEHOLDER_WORDS",
           "VALUE_LABELS", "condition_template", "condition_value", "known", "label", "message_words", "party_words",
           "placeholder_words", "value_words", "yes_no"]

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
        "social_media": "Social media or messaging apps", "website": "Published on a website or open data portal"},
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
    "share.basis.outside_public_tasks": "whether the share is outside the discloser's tasks as a public authority",
    "share.consent.status": "whether the person agreed", "share.consent.reason_not_sought": "why the person was not asked",
    "share.consent.as_good_practice": "whether their agreement was sought only as good practice",
    "share.confidentiality": "how the duty of confidence is met", "share.governance.agreement": "whether an information sharing agreement is in place",
    "share.governance.agreement_covers_purpose": "whether the agreement covers this purpose",
    "share.governance.follows_agreement": "whether the share is made as the agreement sets out",
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
    "share.basis.power_is_basis": "whether the law named is one a share can rest on",
    "share.basis.power_permits_disclosure": "whether the law named is a duty or power to disclose",
    "share.basis.several_laws_named": "whether more than one law is named",
    "share.basis.power_available": "whether the power named is one this discloser can use",
    "share.basis.power_needs_writing": "whether the duty named arises only on a notice in writing",
    "share.basis.power_reaches_recipient": "whether the power named discloses to this kind of recipient",
    # Added fields: entries of the partnership's directory.
    "share.from.partner": "which partner organisation discloses", "share.to.partner": "which partner organisation receives",
    "share.governance.agreement_id": "which of the partnership's agreements it is shared under",
}


def label(path: str) -> str:
    """A fact in plain words: 'share.basis.article_6' -> 'the lawful basis (Art 6)'."""
    return FACT_LABELS.get(path) or path.removeprefix("share.").replace(".", " ").replace("_", " ")


def _mid_sentence(words: str) -> str:
    """A label inside a sentence: its first letter lower-cased, unless it starts an acronym or a
    name ("Public task" -> "public task"; "NHS trust", "DPA 2018 ..." and "UK GDPR" kept)."""
    first = words.split(" ", 1)[0]
    return words if first.isupper() or first[1:] != first[1:].lower() else words[:1].lower() + words[1:]


def value_words(path: str, value: object) -> str:
    """A stated value as a practitioner would say it."""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_words(path, v) for v in value) or "none"
    labels = VALUE_LABELS.get(path, {})
    if isinstance(value, str) and value in labels:
        if path.endswith(".nation"):
            return labels[value]  # a place name keeps its capitals
        return _mid_sentence(labels[value]) if not labels[value].startswith(("A ", "An ", "The ")) else labels[value]
    return str(value).replace("_", " ")


# --- conditions as sentences (the rules catalogue) ---------------------------------------
# How a rule's test on a field reads in a sentence: "the recipient is the police and the risk is
# serious or imminent". A field's template holds {} where its values go; a field without one reads
# "<its words> is <value>". Yes/no fields have a sentence for each answer.

CONDITION_TEMPLATES: dict[str, str] = {
    "share.purpose.category": "the purpose is {}", "share.from.type": "the discloser is {}",
    "share.to.type": "the recipient is {}", "share.relationship": "the relationship is {}",
    "share.data.identifiability": "the information is {}", "share.data.volume": "the share covers {}",
    "share.frequency": "the share is {}", "share.urgency.risk": "the risk is {}",
    "share.basis.article_6": "the lawful basis (Art 6) is {}", "share.basis.annex_1": "the Annex 1 purpose is {}",
    "share.basis.article_9": "the Art 9 condition is {}", "share.basis.schedule_1": "the Schedule 1 condition is {}",
    "share.basis.criminal_offence": "what authorises the offence information (Art 10) is {}",
    "share.basis.compatibility_condition": "the listed condition for the new use (Annex 2) is {}",
    "share.basis.original_basis": "the basis it was first collected on is {}",
    "share.basis.part_3": "the law-enforcement basis (DPA 2018 s35) is {}",
    "share.basis.schedule_8": "the Schedule 8 condition is {}",
    "share.confidentiality": "the duty of confidence is met by {}", "share.consent.status": "the person's consent is {}",
    "share.consent.reason_not_sought": "the person was not asked because {}",
    "share.consent.given_by": "the agreement was given by {}", "share.consent.covers": "the person's agreement covers {}",
    "share.governance.agreement": "the information sharing agreement is {}", "share.governance.dpia": "the DPIA is {}",
    "share.governance.privacy_notice": "the privacy notice {}", "share.handling.transfer": "it is sent by {}",
    "share.handling.international_mechanism": "the transfer abroad relies on {}",
    "share.handling.derogation": "the exception relied on for the transfer abroad is {}",
    "share.request.instrument": "the request is {}", "share.from.nation": "the discloser is in {}",
    "share.to.nation": "the recipient is in {}", "share.to.location": "the recipient is in {}",
    "share.data.subjects": "the information is about {}", "share.data.categories": "the information includes {}",
    "share.processing": "the processing involves {}", "share.to.name": "the recipient's name mentions {}",
    "share.from.name": "the discloser's name mentions {}", "share.purpose.detail": "the purpose as described mentions {}",
    "share.basis.legal_power": "the law or function named mentions {}", "share.handling.retention": "how long it is kept mentions {}",
}

# Values whose question-style labels ("Yes, they agreed") do not read inside a sentence.
CONDITION_VALUES: dict[str, dict[str, str]] = {
    "share.relationship": {"separate_controllers": "separate controllers (each decides for itself)",
                           "joint_controllers": "joint controllers (they decide together)",
                           "processor": "a processor acting on the discloser's instructions"},
    "share.data.identifiability": {"identified": "identifiable", "pseudonymised": "pseudonymised",
                                   "anonymised": "anonymised", "aggregate": "counts or statistics",
                                   "non_personal": "not about people"},
    "share.urgency.risk": {"none": "none", "low": "low", "significant": "significant",
                           "serious_or_imminent": "serious or imminent"},
    "share.basis.article_6": {v: v.replace("_", " ") for v in (
        "public_task", "legal_obligation", "vital_interests", "consent", "contract", "legitimate_interests",
        "recognised_legitimate_interest")},
    "share.confidentiality": {"consent": "the person's consent", "implied_consent_direct_care": "implied consent for their care",
                              "legal_requirement": "a legal requirement", "overriding_public_interest": "an overriding public interest",
                              "not_applicable": "nothing (nothing confidential is shared)"},
    "share.consent.status": {"given": "given", "refused": "refused", "withdrawn": "withdrawn", "not_sought": "not sought"},
    "share.consent.covers": {"data_protection": "the lawful basis in data protection law",
                             "confidentiality": "the duty of confidence", "views_only": "only their views"},
    "share.governance.agreement": {"none": "not in place", "in_place": "in force", "expired": "expired"},
    "share.governance.dpia": {"done": "done", "not_done": "not done", "not_required": "not needed"},
    "share.governance.privacy_notice": {"covers": "covers the share", "does_not_cover": "does not cover the share",
                                        "exempt": "need not tell them (an exemption applies)"},
}

# Yes/no fields: (the sentence when yes, the sentence when no).
CONDITION_YES_NO: dict[str, tuple[str, str]] = {
    "share.basis.appropriate_policy_document": ("the appropriate policy document is in place",
                                                "the appropriate policy document is not in place"),
    "share.basis.compatible_purpose": ("the new use is compatible with why it was collected",
                                       "the new use is not compatible with why it was collected"),
    "share.basis.outside_public_tasks": ("the share is not part of the discloser's tasks as a public authority",
                                         "the share is part of the discloser's tasks as a public authority"),
    "share.basis.power_available": ("the power named is one this discloser can use",
                                    "the power named is not one this discloser can use"),
    "share.basis.power_is_duty": ("the power named is a duty to disclose", "the power named is not a duty to disclose"),
    "share.basis.power_needs_writing": ("the duty named arises only on a notice in writing",
                                        "the duty named does not need a notice in writing"),
    "share.basis.power_reaches_recipient": ("the power named discloses to this kind of recipient",
                                            "the power named does not disclose to this kind of recipient"),
    "share.basis.several_laws_named": ("more than one law is named", "one law is named"),
    "share.basis.power_permits_disclosure": ("the law named is a duty or power to disclose",
                                             "the law named gives a function, not a duty or power to disclose"),
    "share.basis.power_is_basis": ("the law named is one a share can rest on",
                                   "the law named is only an exemption, or sets aside confidence only"),
    "share.basis.power_recognised": ("the power named is in the catalogue of powers",
                                     "the power named is not in the catalogue of powers"),
    "share.both_signatories": ("both organisations signed the protocol", "one or both organisations have not signed the protocol"),
    "share.from.signatory": ("the discloser signed the protocol", "the discloser has not signed the protocol"),
    "share.to.signatory": ("the recipient signed the protocol", "the recipient has not signed the protocol"),
    "share.consent.as_good_practice": ("the person's agreement was sought only as good practice",
                                       "the person's agreement was not sought only as good practice"),
    "share.data.anonymous": ("the information is anonymised", "the information is not anonymised"),
    "share.data.confidential": ("it was given in confidence", "it was not given in confidence"),
    "share.data.criminal_offence": ("it includes offence information", "it includes no offence information"),
    "share.data.minimised": ("only what is needed is shared", "more than is needed is shared"),
    "share.data.special_category": ("it includes sensitive (special category) information",
                                    "it includes no sensitive (special category) information"),
    "share.from.competent_authority": ("the discloser is a law-enforcement body", "the discloser is not a law-enforcement body"),
    "share.to.competent_authority": ("the recipient is a law-enforcement body", "the recipient is not a law-enforcement body"),
    "share.from.public_authority": ("the discloser is a public authority", "the discloser is not a public authority"),
    "share.to.public_authority": ("the recipient is a public authority", "the recipient is not a public authority"),
    "share.governance.agreement_covers_purpose": ("the agreement covers this purpose", "the agreement does not cover this purpose"),
    "share.governance.follows_agreement": ("the share is made as the agreement sets out",
                                           "the share is not made as the agreement sets out"),
    "share.governance.agreement_review_overdue": ("the agreement is past its review date", "the agreement is not past its review date"),
    "share.governance.dpia_residual_high_risk": ("the DPIA left a high risk unreduced", "the DPIA left no high risk unreduced"),
    "share.governance.ico_consulted": ("the ICO was consulted", "the ICO was not consulted"),
    "share.governance.joint_controller_arrangement": ("the joint controller arrangement is in place",
                                                      "the joint controller arrangement is not in place"),
    "share.governance.national_data_opt_out_applied": ("the national data opt-out was applied",
                                                       "the national data opt-out was not applied"),
    "share.governance.processor_contract": ("the processor contract is in place", "the processor contract is not in place"),
    "share.person.capacity": ("the person has capacity to decide", "the person lacks capacity to decide"),
    "share.request.by_person": ("the person asked for the disclosure", "the person did not ask for the disclosure"),
    "share.request.by_recipient": ("the recipient asked for it", "the recipient did not ask for it"),
    "share.request.in_writing": ("the request was in writing", "the request was not in writing"),
    "share.request.states_public_task": ("the requester said it needs it for a public task",
                                         "the requester did not say it needs it for a public task"),
    "share.to.eea": ("the recipient is in the EEA", "the recipient is not in the EEA"),
    "share.from.eea": ("the discloser is in the EEA", "the discloser is not in the EEA"),
    "share.to.in_uk": ("the recipient is in the UK", "the recipient is outside the UK"),
    "share.from.in_uk": ("the discloser is in the UK", "the discloser is outside the UK"),
    "share.to.uk_adequacy": ("UK adequacy regulations cover the recipient's country",
                             "no UK adequacy regulations cover the recipient's country"),
    "share.to.uk_adequacy_full": ("UK adequacy covers every recipient in that country",
                                  "UK adequacy covers only some recipients in that country"),
    "share.urgency.emergency": ("there is a declared emergency", "there is no declared emergency"),
}

# A rule message's blanks ({share.to.name}) as the catalogue shows them before a share fills them in.
PLACEHOLDER_WORDS: dict[str, str] = {"share.from.name": "the discloser", "share.to.name": "the recipient"}


def _lower_first(text: str) -> str:
    """'The police' -> 'the police'; 'UK adequacy' and 'England' stay."""
    first = text.split(" ", 1)[0]
    if (len(first) > 1 and first.isupper()) or first in _PROPER:
        return text
    return text[:1].lower() + text[1:]


_PROPER = {"England", "Wales", "Scotland", "Northern", "Yes", "No"} - {"Yes", "No"}


def condition_value(path: str, value: object) -> str:
    """One value as it reads inside a condition's sentence."""
    if isinstance(value, str):
        words = CONDITION_VALUES.get(path, {}).get(value) or VALUE_LABELS.get(path, {}).get(value)
        if words:
            return _lower_first(words)
        return value.replace("_", " ")
    return value_words(path, value)


def condition_template(path: str) -> str:
    """The sentence a test on this field makes, with {} where its values go."""
    return CONDITION_TEMPLATES.get(path) or f"{label(path)} is {{}}"


def yes_no(path: str) -> tuple[str, str]:
    """The sentences for a yes/no field answered yes and answered no."""
    found = CONDITION_YES_NO.get(path)
    if found:
        return found
    words = label(path)
    return f"{words}: yes", f"{words}: no"


def known(path: str, is_known: bool) -> str:
    """'the lawful basis (Art 6) is known' / 'it is not known whether the person agreed'."""
    words = label(path)
    if words.startswith(("whether ", "what ", "how ", "who ", "when ", "which ", "where ", "why ")):
        return f"it is {'' if is_known else 'not '}known {words}"
    return f"{words} is {'' if is_known else 'not '}known"


def placeholder_words(path: str) -> str:
    """A message's blank before it is filled in: 'the discloser', '[what the share is for]'."""
    return PLACEHOLDER_WORDS.get(path) or f"[{label(path)}]"


# Fields whose values read better in a rule's message as their labels than as the raw value
# ("passing it on for protecting a child", not "for safeguarding child").
MESSAGE_LABELLED = frozenset({"share.purpose.category", "share.basis.article_9", "share.basis.schedule_1"})


def party_words(kind: str) -> str:
    """A kind of party, short, for '(the discloser (police))': 'NHS trust', 'GP practice', 'council'."""
    words = PARTY_LABELS.get(kind)
    if not words:
        return kind.replace("_", " ")
    words = words.split(" (", 1)[0]
    for article in ("A ", "An ", "The "):
        if words.startswith(article):
            return _lower_first(words.removeprefix(article))
    return _lower_first(words)


def message_words(path: str, value: object) -> str:
    """A stated value filled into a rule's message: its label where that reads better, else its
    words ('not sought', 'serious or imminent')."""
    if isinstance(value, str) and path in MESSAGE_LABELLED and value in VALUE_LABELS.get(path, {}):
        return _lower_first(VALUE_LABELS[path][value])
    if isinstance(value, str) and path in ("share.from.type", "share.to.type"):
        return party_words(value)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(message_words(path, v) for v in value) or "none"
    return str(value).replace("_", " ")
