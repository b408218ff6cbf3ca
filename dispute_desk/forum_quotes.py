"""Quoting forum replies without presenting someone else's case as the member's.

A forum sentence is quoted only when it states a rule: no amounts, no names the policy never uses, no
addressing ("in your case", "Petr has it right"). Next to policy text it must also add a figure or a step.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_AMOUNT = re.compile(r"[$€£]\s?\d|\b\d[\d,.]*\s?(usd|dollars|eur|euros)\b", re.IGNORECASE)
_ADDRESSING = re.compile(
    r"\b(in your case|for your case|your situation|you mentioned|you said|you wrote|summed up|has it right|"
    r"have it right|is right|are right|correctly|like you|as you)\b|^@|^[A-Z][a-z]+,",
    re.IGNORECASE,
)
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")
_NAME_OPENER = re.compile(r"^([A-Z][a-z]+)(?:,|'s\b| and [A-Z]| (?:has|is|was|said|says|wrote|mentioned|summed)\b)")
_STEP = re.compile(r"^(open|go|click|choose|select|attach|file|press|send|upload|contact|leave|use|check)\b", re.I)


@dataclass(frozen=True)
class PolicyWords:
    """Words the policy text uses, to tell a rule ("Submit work starts the review") from another member's case
    ("Victor and Helga summed it up"): a capitalised word the policy never uses is taken for a name.
    """

    capitalised: frozenset[str] = frozenset()
    lower: frozenset[str] = frozenset()

    @classmethod
    def of(cls, texts: Iterable[str]) -> PolicyWords:
        capitalised: set[str] = set()
        lower: set[str] = set()
        for text in texts:
            capitalised.update(_CAPITALISED.findall(text))
            lower.update(w for w in re.findall(r"\b[a-z]{3,}\b", text))
        return cls(frozenset(capitalised), frozenset(lower))

    def extended(self, texts: Iterable[str]) -> PolicyWords:
        more = PolicyWords.of(texts)
        return PolicyWords(self.capitalised | more.capitalised, self.lower | more.lower)

    def names_in(self, sentence: str) -> list[str]:
        """Capitalised words the policy never uses, past the first word (which is capitalised anyway), and a
        first word that reads as a name ("Petr has it right", "Victor and Helga ...").
        """
        names = []
        opener = _NAME_OPENER.match(sentence)
        if opener and opener.group(1) not in self.capitalised:
            names.append(opener.group(1))
        if self.lower:  # without policy text to compare with, only the opener can be told
            rest = sentence.split(" ", 1)[1] if " " in sentence else ""
            names += [
                w for w in _CAPITALISED.findall(rest) if w not in self.capitalised and w.lower() not in self.lower
            ]
        return names


def states_rule(sentence: str, vocabulary: PolicyWords) -> bool:
    """A forum sentence that states a rule, not someone's case: no amounts, no names, no addressing."""
    return not (_AMOUNT.search(sentence) or _ADDRESSING.search(sentence) or vocabulary.names_in(sentence))


def adds_to(sentence: str, policy: str) -> bool:
    """A forum sentence earns its place next to policy text (``policy``: the policy sentences already chosen)
    only with a figure or a step the policy lacks.
    """
    if not policy:
        return True
    figures = set(re.findall(r"\d+", sentence)) - set(re.findall(r"\d+", policy))
    return bool(figures) or bool(_STEP.match(sentence))
