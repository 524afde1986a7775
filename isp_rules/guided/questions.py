"""Plain-words questions for the scenario fields, for `isp ask`, `isp triage` and the web form.

Presentation only: which questions are asked, and when to stop, is worked out from the rules
(see asking.py). The choices are the values' plain words (labels.py), which every vocabulary
value has.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..facts import FIELDS
from ..labels import VALUE_LABELS

__all__ = ["ORDER", "QUESTIONS", "Question", "country_code"]


@dataclass(frozen=True)
class Question:
    path: str
    text: str
    labels: dict[str, str]  # value -> label (enum and list fields)
    kind: str  # bool | enum | enum_list | text | country


# The question for each field a person is asked about.
_Q: dict[str, str] = {
    "share.purpose.category": "What is the share for?",
    "share.from.type": "Who is sharing the information (the discloser)?",
    "share.to.type": "Who will receive it?",
    "share.from.signatory": "Has the discloser signed the partnership's information sharing protocol?",
    "share.to.signatory": "Has the recipient signed the partnership's information sharing protocol?",
    "share.to.location": "Where is the recipient? (a two-letter country code, GB for the UK)",
    "share.from.public_authority": "Is the discloser a public authority for this share?",
    "share.to.competent_authority": "Is the recipient a law-enforcement body (a competent authority)?",
    "share.from.competent_authority": "Is the discloser a law-enforcement body (a competent authority)?",
    "share.relationship": "How do the two organisations relate for this share?",
    "share.request.by_recipient": "Did the recipient ask for the information?",
    "share.request.in_writing": "Was the request made in writing?",
    "share.request.states_public_task": "Did the requester say it needs the information for its public task?",
    "share.data.subjects": "Whose information is it? (choose all that apply)",
    "share.data.categories": "What kinds of information? (choose all that apply)",
    "share.data.identifiability": "Can people be identified from what is shared?",
    "share.data.confidential": "Was the information given in confidence (for example health, social care or counselling records)?",
    "share.data.volume": "How many people does it cover?",
    "share.data.minimised": "Is it only the information needed for the purpose, not the whole file?",
    "share.frequency": "Is this a one-off share or routine?",
    "share.urgency.risk": "How serious and how urgent is the risk to someone?",
    "share.urgency.emergency": "Is there a declared civil emergency (for example a major flood or incident)?",
    "share.basis.article_6": "Which lawful basis does the discloser rely on?",
    "share.basis.annex_1": "Which listed purpose does the recognised legitimate interest rely on?",
    "share.basis.legal_power": "Which law or function allows or requires the share? (for example Children Act 2004 s11)",
    "share.basis.article_9": "Which condition covers the sensitive (special category) information?",
    "share.basis.schedule_1": "Which extra condition for sensitive information applies (DPA 2018 Schedule 1)?",
    "share.basis.criminal_offence": "What allows you to share the information about offences or convictions?",
    "share.basis.appropriate_policy_document": "Does the discloser have the written policy the law requires for sensitive information (an appropriate policy document)?",
    "share.basis.compatible_purpose": "Is the share compatible with why the information was first collected?",
    "share.consent.status": "Has the person agreed to the share?",
    "share.consent.reason_not_sought": "Why not ask them?",
    "share.consent.as_good_practice": "Did you ask for their agreement only as good practice, so the share would go ahead even if they said no?",
    "share.confidentiality": "How is the duty of confidence met?",
    "share.governance.agreement": "Is there a data sharing agreement?",
    "share.governance.agreement_covers_purpose": "Does the agreement cover this purpose?",
    "share.governance.dpia": "Has a data protection impact assessment (DPIA) been done?",
    "share.governance.joint_controller_arrangement": "Have the partners who decide together written down who does what (a joint controller arrangement, Art 26)?",
    "share.governance.processor_contract": "Is there a contract telling the supplier to act only on your instructions (a processor contract, Art 28)?",
    "share.governance.privacy_notice": "Are the people told their information may be shared like this?",
    "share.handling.transfer": "How will it be sent?",
    "share.handling.retention": "How long will the recipient keep it, and how will it be disposed of?",
    "share.handling.international_mechanism": "What makes the transfer abroad lawful?",
    "share.processing": "Does the sharing involve any of these? (choose all that apply, or none)",
    # Added fields (format 1.2).
    "share.person.capacity": "Does the person have capacity to decide about this share themselves?",
    "share.consent.given_by": "Whose agreement is it?",
    "share.consent.covers": "What does their agreement cover? (choose all that apply)",
    "share.request.by_person": "Did the person the information is about ask for it to be shared, or ask the recipient to act for them?",
    "share.request.instrument": "Is there a formal demand for it?",
    "share.from.nation": "Which UK nation is the discloser in?",
    "share.to.nation": "Which UK nation is the recipient in?",
    "share.basis.part_3": "For law enforcement by a police force or other competent authority: what is the processing based on?",
    "share.basis.schedule_8": "Which condition allows sensitive information for law enforcement (DPA 2018 Schedule 8)?",
    "share.basis.compatibility_condition": "Which listed reason makes the new use compatible (UK GDPR Annex 2)?",
    "share.basis.original_basis": "What lawful basis was the information first collected on?",
    "share.handling.derogation": "Which exception allows the transfer abroad (Art 49)?",
    "share.governance.dpia_residual_high_risk": "Did the DPIA find a high risk that your measures do not reduce?",
    "share.governance.ico_consulted": "Has the ICO been consulted about that risk before the processing starts?",
    "share.governance.national_data_opt_out_applied": "Has the national data opt-out been applied to the patient information?",
    "share.from.name": "What is the discloser's name?",
    "share.to.name": "What is the recipient's name?",
}

# The order a practitioner would describe a share in.
ORDER = list(_Q)

QUESTIONS: dict[str, Question] = {
    path: Question(path, text, VALUE_LABELS.get(path, {}), FIELDS[path].kind) for path, text in _Q.items()
}


def country_code(text: str) -> str:
    """A two-letter country code from an answer ("gb" -> "GB"), or ValueError in words."""
    code = text.strip().upper()
    if len(code) != 2 or not code.isascii() or not code.isalpha():
        raise ValueError("give a two-letter country code such as GB, IE or US, or leave it empty if not sure")
    return code
