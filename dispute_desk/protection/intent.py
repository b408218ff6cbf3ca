"""Is a message someone asking whether *their* money is protected? Then the guided check fits better.

General questions about how protection works ("what is Hourly Payment Protection?") are left to the normal
answering path; only first-person questions about one's own contract, money or hours are recognised.
"""

from __future__ import annotations

import re

_THINGS = r"(?:payments?|money|milestones?|contract|escrow|work|hours|earnings|funds|job|project)"
_KIND = r"(?:payment\s+|hourly\s+(?:payment\s+)?|fixed[- ]price\s+)?"
_PATTERNS = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        # "am I protected", "will I be covered", "are we still protected"
        r"\b(?:am|are|will|would|is)\s+(?:i|we)\s+(?:still\s+|even\s+|really\s+|actually\s+)?(?:be\s+)?"
        r"(?:protected|covered)\b",
        # "is my payment protected", "are my hours covered", "will this milestone be protected"
        rf"\b(?:is|are|will|would)\s+(?:my|our|this|these|the)\s+(?:[\w-]+\s+){{0,2}}{_THINGS}\s+(?:still\s+)?"
        r"(?:be\s+)?(?:protected|covered)\b",
        # "do I have payment protection", "do we get hourly protection"
        rf"\bdo\s+(?:i|we)\s+(?:still\s+)?(?:have|get|qualify\s+for)\s+(?:any\s+)?{_KIND}protection\b",
        # "does payment protection cover me", "does hourly protection apply to my contract"
        rf"\bdoes\s+(?:the\s+)?{_KIND}protection\s+(?:cover|apply\s+to|protect)\s+(?:me|us|my|our|this)\b",
        # "do my hours qualify for protection", "will I qualify for hourly payment protection"
        rf"\b(?:do|does|will|would)\s+(?:i|we|my|our|this|these)\b[^.?!]{{0,40}}\bqualify\s+for\s+{_KIND}protection\b",
    )
)


def is_protection_question(text: str) -> bool:
    """True for "am I protected?"-style questions about the asker's own situation."""
    if not text:
        return False
    normalized = " ".join(text.replace("\u2019", "'").split())
    return any(p.search(normalized) for p in _PATTERNS)
