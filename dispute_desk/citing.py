"""How a retrieved passage becomes a numbered source in an answer, and how strong the evidence found is."""

from __future__ import annotations

from collections.abc import Sequence

from dispute_desk.models import Hit, Source
from dispute_desk.texts import defuse_mentions


def source_for(hit: Hit, number: int) -> Source:
    chunk = hit.chunk
    return Source(
        number=number,
        title=defuse_mentions(chunk.title),
        url=chunk.url,
        section=chunk.section,
        kind=chunk.kind,
        score=hit.dense if hit.dense is not None else hit.score,
        text=defuse_mentions(chunk.body.strip()),  # guard for indexes built before passages were cleaned
        facts=chunk.facts,
    )


def evidence_strength(hits: Sequence[Hit], depth: int = 3) -> float:
    """How well the best passages match: the best cosine similarity among the top hits (of the passage itself
    or of one of its member phrasings).
    """
    sims = [s for h in hits[:depth] for s in (h.dense, h.phrasing) if s is not None]
    return max(sims, default=0.0)
