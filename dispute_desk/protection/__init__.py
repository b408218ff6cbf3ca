"""The "Am I protected?" check: a few answers about a contract in, a cited verdict with deadlines out.

Pure core (no Discord, no network): the rules live in ``knowledge/rules/protection.yaml`` and cite sections
of the policy guide. Front ends build a ``ProtectionCheck`` once and call ``protection_check.run(inputs)``.
"""

from dispute_desk.protection.check import (
    CANT_TELL,
    NOT_PROTECTED,
    PARTLY,
    PROTECTED,
    KeyDate,
    MissingAnswer,
    ProtectionCheck,
    Reason,
    Step,
    Verdict,
)
from dispute_desk.protection.citations import Citation, DanglingCitations, resolve_citations
from dispute_desk.protection.inputs import (
    CheckInputs,
    ContractType,
    Funding,
    InvalidAnswer,
    Tracking,
    Tri,
    inputs_from_answers,
    parse_date,
)
from dispute_desk.protection.intent import is_protection_question
from dispute_desk.protection.rules import RulesError, load_rules

__all__ = [
    "CANT_TELL",
    "NOT_PROTECTED",
    "PARTLY",
    "PROTECTED",
    "CheckInputs",
    "Citation",
    "ContractType",
    "DanglingCitations",
    "Funding",
    "InvalidAnswer",
    "KeyDate",
    "MissingAnswer",
    "ProtectionCheck",
    "Reason",
    "RulesError",
    "Step",
    "Tracking",
    "Tri",
    "Verdict",
    "inputs_from_answers",
    "is_protection_question",
    "load_rules",
    "parse_date",
    "resolve_citations",
]
