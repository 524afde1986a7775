"""Plain-words questions for the scenario fields, for `isp ask` and `isp triage`.

Presentation only: which questions are asked, and when to stop, is worked out from the rules
(see asking.py). Every vocabulary value has a label a practitioner would recognise.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..scenario import FIELDS

__all__ = ["ORDER", "QUESTIONS", "Question", "country_code", "label", "question_for", "value_words"]


@dataclass(frozen=True)
class Question:
    path: str
    text: str
    labels: dict[str, str]  # value -> label (enum and list fields)
    kind: str  # bool | enum | enum_list | text | country


PARTY_LABELS = {
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

_Q: dict[str, tuple[str, dict[str, str]]] = {
    "share.purpose.category": ("What is the share for?", {
        "safeguarding_child": "Protecting a child", "safeguarding_adult": "Protecting an adult at risk",
        "prevent_detect_crime": "Preventing or detecting crime", "law_enforcement": "Investigating or prosecuting an offence (police, CPS, courts)",
        "emergency_response": "Responding to an emergency", "public_health": "Protecting public health",
        "direct_care": "Caring for the person (health or social care)", "service_delivery": "Providing a service to the person",
        "statutory_duty": "Meeting a legal duty", "fraud_prevention": "Preventing fraud",
        "research_statistics": "Research or statistics", "planning_commissioning": "Planning or commissioning services",
        "legal_proceedings": "Court or legal proceedings", "marketing": "Marketing or fundraising",
        "commercial_sale": "Selling or trading the data", "other": "Something else"}),
    "share.from.type": ("Who is sharing the information (the discloser)?", PARTY_LABELS),
    "share.to.type": ("Who will receive it?", PARTY_LABELS),
    "share.from.signatory": ("Has the discloser signed the partnership's information sharing protocol?", {}),
    "share.to.signatory": ("Has the recipient signed the partnership's information sharing protocol?", {}),
    "share.to.location": ("Where is the recipient? (a two-letter country code, GB for the UK)", {}),
    "share.from.public_authority": ("Is the discloser a public authority for this share?", {}),
    "share.to.competent_authority": ("Is the recipient a law-enforcement body (a competent authority)?", {}),
    "share.from.competent_authority": ("Is the discloser a law-enforcement body (a competent authority)?", {}),
    "share.relationship": ("How do the two organisations relate for this share?", {
        "separate_controllers": "Each decides for itself what it does with the information",
        "joint_controllers": "They decide together (for example a MASH or MARAC)",
        "processor": "The recipient only acts on the discloser's instructions (a supplier or contractor)"}),
    "share.request.by_recipient": ("Did the recipient ask for the information?", {}),
    "share.request.in_writing": ("Was the request made in writing?", {}),
    "share.request.states_public_task": ("Did the requester say it needs the information for its public task?", {}),
    "share.data.subjects": ("Whose information is it? (choose all that apply)", {
        "child": "A child (under 18)", "adult_at_risk": "An adult at risk (with care and support needs)", "adult": "An adult",
        "patient": "A patient", "service_user": "A service user", "tenant": "A tenant", "offender": "A suspect or offender",
        "victim": "A victim", "witness": "A witness", "staff": "Staff", "family_member": "Family members", "public": "Members of the public"}),
    "share.data.categories": ("What kinds of information? (choose all that apply)", {
        "identity": "Names, dates of birth", "contact": "Addresses, phone numbers", "household": "Who lives in the household",
        "financial": "Money, debts, benefits", "education": "School records", "employment": "Work", "housing": "Tenancy or housing",
        "social_care": "Social care records", "case_notes": "Case notes or assessments", "location": "Where someone is or goes",
        "images": "Photos or CCTV", "racial_ethnic_origin": "Ethnic origin", "political_opinions": "Political opinions",
        "religious_beliefs": "Religion or beliefs", "trade_union": "Trade union membership", "genetic": "Genetic data",
        "biometric": "Fingerprints or other biometrics", "health": "Physical or mental health", "sex_life": "Sex life",
        "sexual_orientation": "Sexual orientation", "criminal_offence": "Offences, allegations or convictions",
        "non_personal": "No information about people"}),
    "share.data.identifiability": ("Can people be identified from what is shared?", {
        "identified": "Yes, it names or identifies them", "pseudonymised": "Only with a key held separately (pseudonymised)",
        "anonymised": "No, it is anonymised", "aggregate": "No, it is counts or statistics", "non_personal": "It is not about people"}),
    "share.data.confidential": ("Was the information given in confidence (for example health, social care or counselling records)?", {}),
    "share.data.volume": ("How many people does it cover?", {
        "individual": "One person or family", "group": "A group of people", "large_scale": "Many people (a whole caseload or area)"}),
    "share.data.minimised": ("Is it only the information needed for the purpose, not the whole file?", {}),
    "share.frequency": ("Is this a one-off share or routine?", {"one_off": "One-off", "routine": "Routine or regular"}),
    "share.urgency.risk": ("How serious and how urgent is the risk to someone?", {
        "none": "No risk", "low": "Low", "significant": "Significant", "serious_or_imminent": "Serious or imminent: someone could be harmed soon"}),
    "share.urgency.emergency": ("Is there a declared civil emergency (for example a major flood or incident)?", {}),
    "share.basis.article_6": ("Which lawful basis does the discloser rely on?", {
        "public_task": "Public task: our statutory functions", "legal_obligation": "Legal obligation: the law or a court requires it",
        "vital_interests": "Vital interests: to protect someone's life", "consent": "Consent",
        "contract": "A contract with the person", "legitimate_interests": "Legitimate interests",
        "recognised_legitimate_interest": "Recognised legitimate interest (from 5 February 2026)"}),
    "share.basis.annex_1": ("Which listed purpose does the recognised legitimate interest rely on?", {
        "public_task_request": "A public body asked for it for its public task", "national_security": "National security or defence",
        "emergency": "A civil emergency", "crime": "Crime", "safeguarding": "Safeguarding a vulnerable person"}),
    "share.basis.legal_power": ("Which law or function allows or requires the share? (for example Children Act 2004 s11)", {}),
    "share.basis.article_9": ("Which condition covers the sensitive (special category) information?", {
        "substantial_public_interest": "Substantial public interest (with a DPA 2018 Schedule 1 condition)",
        "health_social_care": "Health or social care", "vital_interests": "Vital interests (the person cannot consent)",
        "explicit_consent": "Explicit consent", "public_health": "Public health", "legal_claims": "Legal claims or courts",
        "employment_social_protection": "Employment or social protection law", "not_for_profit": "A not-for-profit body's own members",
        "made_public": "The person made it public themselves", "archiving_research": "Archiving, research or statistics"}),
    "share.basis.schedule_1": ("Which extra condition for sensitive information applies (DPA 2018 Schedule 1)?", {
        "safeguarding": "Safeguarding of children and adults at risk (para 18)", "statutory_purposes": "Statutory purposes (para 6)",
        "preventing_unlawful_acts": "Preventing or detecting unlawful acts (para 10)", "health_social_care_purposes": "Health or social care (para 2)",
        "public_health": "Public health (para 3)", "research": "Research (para 4)", "employment_social_security": "Employment (para 1)",
        "administration_of_justice": "Administration of justice (para 7)", "equality_monitoring": "Equality monitoring (para 8)",
        "protecting_public_dishonesty": "Protecting the public (para 11)", "regulatory_requirements": "Regulatory requirements (para 12)",
        "preventing_fraud": "Preventing fraud (para 14)", "support_for_disability": "Support for disability (para 16)",
        "counselling": "Counselling (para 17)", "safeguarding_economic_wellbeing": "Economic well-being of adults at risk (para 19)",
        "insurance": "Insurance (para 20)", "occupational_pensions": "Occupational pensions (para 21)",
        "elected_representatives": "Elected representatives (paras 23-24)", "consent": "Consent (para 29)",
        "vital_interests": "Vital interests (para 30)", "legal_claims": "Legal claims (para 33)", "judicial_acts": "Judicial acts (para 34)"}),
    "share.basis.criminal_offence": ("What allows you to share the information about offences or convictions?", {
        "official_authority": "Our official authority as a public body", "schedule_1": "A DPA 2018 Schedule 1 condition"}),
    "share.basis.appropriate_policy_document": ("Does the discloser have the written policy the law requires for sensitive information (an appropriate policy document)?", {}),
    "share.basis.compatible_purpose": ("Is the share compatible with why the information was first collected?", {}),
    "share.consent.status": ("Has the person agreed to the share?", {
        "given": "Yes, they agreed", "refused": "They refused", "withdrawn": "They withdrew agreement", "not_sought": "We have not asked"}),
    "share.consent.reason_not_sought": ("Why not ask them?", {
        "cannot_be_given": "They cannot give it (age, capacity)", "cannot_reasonably_be_obtained": "We cannot reasonably get it",
        "would_prejudice": "Asking would prejudice the protection or investigation", "would_increase_risk": "Asking would increase the risk"}),
    "share.consent.as_good_practice": ("Did you ask for their agreement only as good practice, so the share would go ahead even if they said no?", {}),
    "share.confidentiality": ("How is the duty of confidence met?", {
        "consent": "The person agreed", "implied_consent_direct_care": "Implied consent for their care",
        "legal_requirement": "The law requires it", "overriding_public_interest": "An overriding public interest (serious harm or crime)",
        "not_applicable": "Nothing confidential is shared"}),
    "share.governance.agreement": ("Is there a data sharing agreement?", {
        "none": "No", "in_place": "Yes, in force", "expired": "One has expired"}),
    "share.governance.agreement_covers_purpose": ("Does the agreement cover this purpose?", {}),
    "share.governance.dpia": ("Has a data protection impact assessment (DPIA) been done?", {
        "done": "Yes", "not_done": "No", "not_required": "Not needed (low risk)"}),
    "share.governance.joint_controller_arrangement": ("Have the partners who decide together written down who does what (a joint controller arrangement, Art 26)?", {}),
    "share.governance.processor_contract": ("Is there a contract telling the supplier to act only on your instructions (a processor contract, Art 28)?", {}),
    "share.governance.privacy_notice": ("Are the people told their information may be shared like this?", {
        "covers": "Yes, the privacy notice covers it", "does_not_cover": "No, it does not cover this",
        "exempt": "No: telling them would prejudice crime prevention or increase risk"}),
    "share.handling.transfer": ("How will it be sent?", {
        "secure_email": "Secure email", "secure_portal": "Secure portal", "api": "System-to-system link (API)",
        "encrypted_media": "Encrypted memory stick or disc", "verbal": "Spoken (phone or meeting)", "post_sealed": "Sealed post",
        "unencrypted_email": "Ordinary email", "unencrypted_media": "Unencrypted memory stick or disc", "fax": "Fax",
        "social_media": "Social media or messaging apps"}),
    "share.handling.retention": ("How long will the recipient keep it, and how will it be disposed of?", {}),
    "share.handling.international_mechanism": ("What makes the transfer abroad lawful?", {
        "adequacy": "UK adequacy regulations cover the country", "idta": "The International Data Transfer Agreement",
        "uk_addendum": "The UK Addendum to the EU clauses", "bcr": "The recipient group's approved internal rules (binding corporate rules)", "derogation": "An exceptional one-off reason (Art 49 derogation)",
        "none": "Nothing"}),
    "share.processing": ("Does the sharing involve any of these? (choose all that apply, or none)", {
        "profiling": "Profiling or scoring people", "automated_decisions": "Decisions made by a computer without a person",
        "systematic_monitoring": "Watching people or places systematically (for example CCTV)",
        "data_matching": "Matching or combining data sets", "new_technology": "A new technology or system",
        "invisible_processing": "Use people would not expect and are not told about", "tracking": "Tracking where people go or what they do online"}),
    # Added fields (format 1.2).
    "share.person.capacity": ("Does the person have capacity to decide about this share themselves?", {}),
    "share.consent.given_by": ("Whose agreement is it?", {
        "person": "The person themselves", "parent": "A parent or someone with parental responsibility",
        "representative": "An attorney, deputy or someone acting for them"}),
    "share.consent.covers": ("What does their agreement cover? (choose all that apply)", {
        "data_protection": "Their consent is what the share relies on in data protection law",
        "confidentiality": "It releases the duty of confidence", "views_only": "We only asked their views"}),
    "share.request.by_person": ("Did the person the information is about ask for it to be shared, or ask the recipient to act for them?", {}),
    "share.request.instrument": ("Is there a formal demand for it?", {
        "court_order": "A court order", "schedule_5_notice": "A coroner's notice (Schedule 5)",
        "written_request_under_power": "A written request naming the power it is made under", "none": "No formal demand"}),
    "share.from.nation": ("Which UK nation is the discloser in?", {
        "england": "England", "wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"}),
    "share.to.nation": ("Which UK nation is the recipient in?", {
        "england": "England", "wales": "Wales", "scotland": "Scotland", "northern_ireland": "Northern Ireland"}),
    "share.basis.part_3": ("For law enforcement by a police force or other competent authority: what is the processing based on?", {
        "consent": "The person's consent", "law_enforcement_task": "It is needed for a law-enforcement task"}),
    "share.basis.schedule_8": ("Which condition allows sensitive information for law enforcement (DPA 2018 Schedule 8)?", {
        "statutory_purposes": "Statutory purposes (para 1)", "administration_of_justice": "Administration of justice (para 2)",
        "protecting_vital_interests": "Protecting someone's vital interests (para 3)",
        "safeguarding_children_and_individuals_at_risk": "Safeguarding children and people at risk (para 4)",
        "personal_data_already_public": "Already made public by the person (para 5)", "legal_claims": "Legal claims (para 6)",
        "judicial_acts": "Judicial acts (para 7)", "preventing_fraud": "Preventing fraud (para 8)", "archiving": "Archiving (para 9)"}),
    "share.basis.compatibility_condition": ("Which listed reason makes the new use compatible (UK GDPR Annex 2)?", {
        "public_task_request": "A public body asked for it for its task", "national_security": "National security or defence",
        "emergency": "An emergency", "crime": "Preventing, investigating or prosecuting crime",
        "vital_interests": "Protecting someone's vital interests", "safeguarding": "Safeguarding a vulnerable person",
        "tax_collection": "Assessing or collecting tax", "legal_obligation": "Complying with a legal obligation"}),
    "share.basis.original_basis": ("What lawful basis was the information first collected on?", {
        "consent": "Consent", "contract": "A contract", "legal_obligation": "A legal obligation", "vital_interests": "Vital interests",
        "public_task": "Public task", "legitimate_interests": "Legitimate interests",
        "recognised_legitimate_interest": "A recognised legitimate interest"}),
    "share.handling.derogation": ("Which exception allows the transfer abroad (Art 49)?", {
        "explicit_consent": "The person's explicit consent", "contract_with_person": "A contract with the person",
        "contract_in_persons_interest": "A contract made in the person's interest",
        "important_public_interest": "An important public interest recognised in UK law", "legal_claims": "Legal claims",
        "vital_interests": "Someone's vital interests, when they cannot consent", "public_register": "A public register",
        "compelling_legitimate_interests": "Compelling legitimate interests (exceptional, notify the ICO)"}),
    "share.governance.dpia_residual_high_risk": ("Did the DPIA find a high risk that your measures do not reduce?", {}),
    "share.governance.ico_consulted": ("Has the ICO been consulted about that risk before the processing starts?", {}),
    "share.governance.national_data_opt_out_applied": ("Has the national data opt-out been applied to the patient information?", {}),
    "share.from.name": ("What is the discloser's name?", {}),
    "share.to.name": ("What is the recipient's name?", {}),
}

# The order a practitioner would describe a share in.
ORDER = list(_Q)

QUESTIONS: dict[str, Question] = {
    path: Question(path, text, labels, FIELDS[path].kind) for path, (text, labels) in _Q.items()
}


def question_for(path: str) -> Question | None:
    return QUESTIONS.get(path)


def country_code(text: str) -> str:
    """A two-letter country code from an answer ("gb" -> "GB"), or ValueError in words."""
    code = text.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError("give a two-letter country code such as GB, IE or US, or leave it empty if not sure")
    return code


# Short names for the facts, for sentences such as "not known yet: the lawful basis".
_LABELS = {
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
}


def label(path: str) -> str:
    """A fact in plain words: 'share.basis.article_6' -> 'the lawful basis (Art 6)'."""
    return _LABELS.get(path) or path.removeprefix("share.").replace(".", " ").replace("_", " ")


def value_words(path: str, value: object) -> str:
    """A stated value as a practitioner would say it."""
    q = QUESTIONS.get(path)
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        return ", ".join(value_words(path, v) for v in value) or "none"
    if q and isinstance(value, str) and value in q.labels:
        return q.labels[value].lower() if not q.labels[value].startswith(("A ", "An ", "The ")) else q.labels[value]
    return str(value).replace("_", " ")
