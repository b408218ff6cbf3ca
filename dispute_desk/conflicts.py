"""Figures that changed: a forum thread quoting an older arbitration fee or deadline than the policy's current one.

The answer then carries a note (``prompts/conflict_note.txt``) that the thread's figure is out of date, never
for a figure the policy itself states as current.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from dispute_desk.models import Hit
from dispute_desk.sentences import split_sentences

_FIGURE = re.compile(
    r"(?P<money>[$€£]\s?\d[\d,]*(?:\.\d+)?)|"
    r"(?P<amount>\d+)\s*(?P<unit>business days?|calendar days?|days?|hours?|weeks?|months?|%|percent)",
    re.IGNORECASE,
)
_OUTDATED = re.compile(r"\b(older|outdated|earlier|previous(ly)?|no longer|used to|unofficial|old)\b", re.IGNORECASE)
_POINT_WORDS = ("fee", "arbitrat", "mediat", "review", "respond", "dispute", "refund", "release", "hold", "pending",
                "chargeback", "request", "window", "deadline", "protect")


@lru_cache(maxsize=4096)
def _figures(text: str) -> tuple[tuple[str, str, str], ...]:
    """(kind, figure as written, the sentence) for every amount or duration in ``text``. Passages repeat across
    answers, so each is split and scanned once.
    """
    out = []
    for sentence in split_sentences(text):
        for match in _FIGURE.finditer(sentence):
            if match.group("money"):
                out.append(("money", match.group("money").replace(" ", ""), sentence))
            else:
                unit = match.group("unit").lower().rstrip("s").replace("percent", "%")
                out.append((unit, f"{match.group('amount')} {match.group('unit')}", sentence))
    return tuple(out)


def _point(sentence: str) -> set[str]:
    lower = sentence.lower()
    return {word for word in _POINT_WORDS if word in lower}


def _value(figure: str) -> str:
    return re.sub(r"[^\d.]", "", figure).rstrip(".")


def conflicting_figures(
    quoted: Sequence[str], policy_passages: Sequence[str], forum: Sequence[Hit]
) -> tuple[Hit, list[str]] | None:
    """The first forum passage giving a figure that the policy states differently on the same point (the quoted
    sentences), or only ever mentions as outdated; with those figures. A figure the policy states as current
    anywhere in the passages the answer quotes from is never flagged.
    """
    current = [f for text in quoted for f in _figures(text) if not _OUTDATED.search(f[2])]
    policy_all = [f for text in policy_passages for f in _figures(text)]
    current_values = {(kind, _value(fig)) for kind, fig, sentence in policy_all if not _OUTDATED.search(sentence)}
    current_values |= {(kind, _value(fig)) for kind, fig, _ in current}
    outdated = {(kind, _value(fig)) for kind, fig, sentence in policy_all if _OUTDATED.search(sentence)}
    outdated -= current_values
    for hit in forum:
        found = []
        for kind, figure, sentence in _figures(hit.chunk.body):
            if _OUTDATED.search(sentence) or (kind, _value(figure)) in current_values:
                continue  # the thread itself says the figure is old, or the policy states it as current
            # the same point: same kind of figure, and at least two of the words that say what it is about
            same_point = any(c[0] == kind and len(_point(c[2]) & _point(sentence)) >= 2 for c in current)
            if (same_point or (kind, _value(figure)) in outdated) and figure not in found:
                found.append(figure)
        if found:
            return hit, found[:2]
    return None
