"""Sentences and length budgets: the one sentence splitter and the one ``split_long``, shared by the answerer
(quoting sentences of passages) and ingest (cutting long sections and posts to size).
"""

from __future__ import annotations

import re
from collections.abc import Callable

_ABBREVIATIONS = ("e.g.", "i.e.", "U.S.", "vs.", "No.", "Inc.", "etc.", "approx.", "p.m.", "a.m.", "Mr.", "Ms.")
_PROTECT = "\u2024"  # one-dot leader: stands in for protected dots while splitting
# A sentence ends at . ! or ? (a closing quote or bracket stays with it) before a space and a capital, a digit,
# an amount, a section sign or an opening quote.
_SENTENCE_END = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"”')\]]))\s+(?=[A-Z0-9\"“'(\[$§£€*])")
_PARAGRAPH_BREAK = re.compile(r"\n\s*\n")


def word_count(text: str) -> int:
    return len(text.split())


def sentences(paragraph: str) -> list[str]:
    """The sentences of one paragraph, their text untouched; abbreviations (e.g., U.S.), amounts ($5.00) and
    section numbers (§6.2) stay whole.
    """
    protected = paragraph
    for abbreviation in _ABBREVIATIONS:
        protected = protected.replace(abbreviation, abbreviation.replace(".", _PROTECT))
    parts = (part.replace(_PROTECT, ".").strip() for part in _SENTENCE_END.split(protected))
    return [part for part in parts if part]


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage: each paragraph's lines joined (list and quote markers dropped), then split."""
    out: list[str] = []
    for paragraph in _PARAGRAPH_BREAK.split(text):
        joined = " ".join(line.strip(" \t-*•>") for line in paragraph.splitlines()).strip()
        out.extend(sentence for sentence in sentences(joined) if len(sentence) >= 3)
    return out


def split_long(text: str, limit: int, *, size: Callable[[str], int] = word_count) -> list[str]:
    """``text`` cut into pieces of at most ``limit`` (words, or whatever ``size`` measures): at paragraph breaks
    first, then at sentence ends, then between words; a single word longer than the limit is cut hard.
    Consecutive units are packed together while they fit. Text within a unit is kept as written.
    """
    text = text.strip()
    if size(text) <= limit:
        return [text] if text else []
    for splitter, sep in ((_PARAGRAPH_BREAK.split, "\n\n"), (sentences, " "), (str.split, " ")):
        units = [unit.strip() for unit in splitter(text) if unit.strip()]
        if len(units) > 1:
            return _pack(units, sep, limit, size)
    return [text[i : i + limit] for i in range(0, len(text), limit)]  # one endless word


def _pack(units: list[str], sep: str, limit: int, size: Callable[[str], int]) -> list[str]:
    pieces: list[str] = []
    current: list[str] = []
    used = 0
    for unit in units:
        for part in split_long(unit, limit, size=size):
            n = size(part)
            extra = size(sep) if current else 0
            if current and used + extra + n > limit:
                pieces.append(sep.join(current))
                current, used, extra = [], 0, 0
            current.append(part)
            used += extra + n
    if current:
        pieces.append(sep.join(current))
    return pieces
