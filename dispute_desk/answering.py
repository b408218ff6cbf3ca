"""Extractive, grounded answers: pick the sentences of the retrieved passages that answer the question.

No language model is involved. Every sentence in an answer is quoted from a passage and followed by the
number of its source, so each claim can be traced. When the evidence is weak the answer says so instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass

from dispute_desk.lexical import BM25Index, tokens
from dispute_desk.models import Hit, Source
from dispute_desk.retrieval import is_authoritative
from dispute_desk.texts import defuse_mentions

_ABBREVIATIONS = ("e.g.", "i.e.", "U.S.", "vs.", "No.", "Inc.", "etc.", "approx.", "p.m.", "a.m.", "Mr.", "Ms.")
_PROTECT = "\u2024"  # one-dot leader: stands in for protected dots while splitting
_SENTENCE_END = re.compile(r"(?<=[.!?])[\"”')\]]*\s+(?=[A-Z0-9\"“'(\[$§£€*])")
_NUMBER_QUESTION = re.compile(
    r"\b(how (long|many|much|soon)|when|deadline|days?|weeks?|fee|cost|price|amount|minimum|limit|time ?frame)\b",
    re.IGNORECASE,
)
_CHATTER = re.compile(
    r"^(hi|hello|hey|thanks|thank you|welcome|sorry|good luck|hope (this|that|it)|great question|agree|"
    r"[A-Z][a-z]+ (is|has|was) (right|correct|wrong)|as [A-Z][a-z]+ said|@\w+)\b",
    re.IGNORECASE,
)
_OLDER = re.compile(r"^(older|earlier|previously|in (the )?older|before (that|this|\d))", re.IGNORECASE)


@dataclass(frozen=True)
class Sentence:
    text: str
    hit_rank: int
    index: int  # position inside its passage
    terms: frozenset[str]
    leads: bool = False  # opens a policy section, which the knowledge base writes to lead with the answer


@dataclass(frozen=True)
class Composition:
    text: str
    sources: tuple[Source, ...]
    facts: tuple[str, ...]


def split_sentences(text: str) -> list[str]:
    """Sentences of a passage, keeping abbreviations, amounts ($5.00) and section numbers (§6.2) whole."""
    protected = text
    for abbreviation in _ABBREVIATIONS:
        protected = protected.replace(abbreviation, abbreviation.replace(".", _PROTECT))
    out = []
    for paragraph in re.split(r"\n\s*\n", protected):
        paragraph = " ".join(line.strip(" \t-*•>") for line in paragraph.splitlines()).strip()
        for sentence in _SENTENCE_END.split(paragraph):
            sentence = sentence.strip().replace(_PROTECT, ".")
            if len(sentence) >= 3:
                out.append(sentence)
    return out


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
    """How well the best passages match, as the best dense cosine similarity among the top hits."""
    sims = [h.dense for h in hits[:depth] if h.dense is not None]
    return max(sims, default=0.0)


class ExtractiveAnswerer:
    """Composes a short cited answer (at most ``max_chars``) out of the top passages' sentences."""

    def __init__(
        self, bm25: BM25Index, *, max_chars: int = 900, passages: int = 4, max_sentences: int = 5, cutoff: float = 0.55
    ):
        self.cutoff = cutoff  # sentences scoring under this share of the best one are left out
        self.bm25 = bm25
        self.max_chars = max_chars
        self.passages = passages
        self.max_sentences = max_sentences

    def _weights(self, question: str, context: str | None) -> dict[str, float]:
        weights = {term: self.bm25.idf(term) for term in tokens(question)}
        for term in tokens(context or ""):
            weights.setdefault(term, 0.5 * self.bm25.idf(term))
        return weights

    def _score(self, sentence: Sentence, weights: dict[str, float], wants_number: bool) -> float:
        total = sum(weights.values()) or 1.0
        coverage = sum(w for term, w in weights.items() if term in sentence.terms) / total
        score = coverage + 0.35 / (1 + sentence.hit_rank)
        if sentence.leads:
            score += 0.25 if sentence.hit_rank == 0 else 0.12
        if wants_number and re.search(r"\d", sentence.text):
            score += 0.12
        if _OLDER.match(sentence.text):
            score -= 0.1
        if len(sentence.text) > 320:
            score -= 0.1
        return score

    def compose(self, question: str, hits: Sequence[Hit], context: str | None = None) -> Composition:
        """The answer text with [n] markers, and the numbered sources it cites."""
        top = list(hits[: self.passages])
        # Answers quote policy text and staff or accepted forum answers; other members' replies (which can
        # be wrong) are only quoted when nothing authoritative was found.
        quotable = [rank for rank, hit in enumerate(top) if is_authoritative(hit.chunk)] or list(range(len(top)))
        candidates = [
            Sentence(text, rank, i, frozenset(tokens(text)), leads=i == 0 and top[rank].chunk.kind != "forum")
            for rank in quotable
            for i, text in enumerate(split_sentences(top[rank].chunk.body))
            if not _CHATTER.match(text)
        ]
        if not candidates:
            return Composition("", (), ())
        weights = self._weights(question, context)
        wants_number = bool(_NUMBER_QUESTION.search(question))
        scored = sorted(candidates, key=lambda s: self._score(s, weights, wants_number), reverse=True)
        best = self._score(scored[0], weights, wants_number)

        chosen: list[Sentence] = []
        for sentence in scored:
            score = self._score(sentence, weights, wants_number)
            if chosen and (score < self.cutoff * best or len(chosen) >= self.max_sentences):
                break
            if any(_similar(sentence, other) for other in chosen):
                continue
            trial = _keep_current_first([*chosen, sentence], candidates)
            if len(self._render(trial, top).text) <= self.max_chars:
                chosen = trial
        if not chosen:  # even the best sentence alone is too long: quote it shortened, still cited
            lead = next((s for s in scored if not _OLDER.match(s.text)), scored[0])
            return self._render([lead], top, shorten=True)
        return self._render(chosen, top)

    def _render(self, chosen: list[Sentence], top: list[Hit], shorten: bool = False) -> Composition:
        by_rank: dict[int, list[Sentence]] = {}
        for sentence in chosen:
            by_rank.setdefault(sentence.hit_rank, []).append(sentence)
        # Passages appear in the order of their best sentence (``chosen`` is best first), and sources are
        # numbered in that order, so the sentence that answers the question best comes first.
        order = list(dict.fromkeys(s.hit_rank for s in chosen))
        parts, sources, facts = [], [], []
        for number, rank in enumerate(order, start=1):
            sentences = sorted(by_rank[rank], key=lambda s: s.index)
            body = " ".join(s.text for s in sentences)
            if shorten:
                room = self.max_chars - len(f" [{number}]") - 1
                body = body if len(body) <= room else body[:room].rsplit(" ", 1)[0] + "…"
            parts.append(f"{body} [{number}]")
            sources.append(source_for(top[rank], number))
            facts.extend(f for f in top[rank].chunk.facts if f not in facts)
        text = defuse_mentions("\n\n".join(parts))  # never repeat a ping found in a passage
        return Composition(text, tuple(sources), tuple(facts))


def _similar(a: Sentence, b: Sentence) -> bool:
    if not a.terms or not b.terms:
        return a.text == b.text
    return len(a.terms & b.terms) / len(a.terms | b.terms) > 0.6


def _keep_current_first(chosen: list[Sentence], candidates: list[Sentence]) -> list[Sentence]:
    """An 'older threads say ...' sentence never stands alone: bring in the current rule it qualifies."""
    out = list(chosen)
    for sentence in chosen:
        if not _OLDER.match(sentence.text):
            continue
        same_passage = [c for c in out if c.hit_rank == sentence.hit_rank and c.index < sentence.index]
        if same_passage:
            continue
        lead = next((c for c in candidates if c.hit_rank == sentence.hit_rank and c.index == 0), None)
        if lead is not None and lead is not sentence:
            out.append(lead)
    return out
