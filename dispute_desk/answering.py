"""Extractive, grounded answers: pick the sentences of the retrieved passages that answer the question.

No language model is involved. Every sentence in an answer is quoted from a passage and followed by the
number of its source, so each claim can be traced. When the evidence is weak the answer says so instead.
"""

from __future__ import annotations

import re
from collections.abc import Sequence, Set
from dataclasses import dataclass, replace
from functools import lru_cache

from dispute_desk.citing import source_for
from dispute_desk.conflicts import conflicting_figures
from dispute_desk.forum_quotes import PolicyWords, adds_to, states_rule
from dispute_desk.lexical import BM25Index, tokens
from dispute_desk.models import Hit, Source
from dispute_desk.retrieval import is_authoritative
from dispute_desk.sentences import split_sentences
from dispute_desk.texts import defuse_mentions

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


@lru_cache(maxsize=4096)
def _sentences(body: str) -> tuple[tuple[str, frozenset[str]], ...]:
    """A passage's sentences with their terms. Passages repeat across questions: split and stem each once."""
    return tuple((text, frozenset(tokens(text))) for text in split_sentences(body))


class ExtractiveAnswerer:
    """Composes a short cited answer (at most ``max_chars``) out of the top passages' sentences.

    The answer opens with the direct answer: the first sentence of the best-matching policy section (the
    knowledge base writes every section to lead with it), then the deadline or consequence that matters, then
    the rest. A message with several asks gets one part per ask. Forum replies are quoted only for sentences
    that state a rule (no other member's amounts, names or addressing) and only when they add a figure or a
    step the policy text lacks.
    """

    def __init__(
        self,
        bm25: BM25Index,
        *,
        max_chars: int = 900,
        passages: int = 5,
        max_sentences: int = 5,
        cutoff: float = 0.55,
        policy_texts: Sequence[str] = (),
        lead_sections: int = 2,
        conflict_note: str | None = None,
        forum_anchor: bool = True,
    ):
        self.cutoff = cutoff  # sentences scoring under this share of the best one are left out
        self.bm25 = bm25
        self.max_chars = max_chars
        self.passages = passages
        self.max_sentences = max_sentences
        self._policy_words = PolicyWords.of(policy_texts)
        self.lead_sections = lead_sections
        self.conflict_note = conflict_note  # the template of the "some threads quote another figure" line
        self.forum_anchor = forum_anchor

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
        if _CONSEQUENCE.search(sentence.text):
            score += 0.06
        if _OLDER.match(sentence.text):
            score -= 0.1
        if len(sentence.text) > 320:
            score -= 0.1
        return score

    def compose(
        self,
        question: str,
        hits: Sequence[Hit],
        context: str | None = None,
        *,
        per_ask: Sequence[Sequence[Hit]] = (),
        asks: Sequence[str] = (),
    ) -> Composition:
        """The answer text with [n] markers, and the numbered sources it cites.

        ``per_ask``: the hits for each ask of a message with several; each ask then gets its own part.
        """
        if len(per_ask) > 1 and len(asks) == len(per_ask):
            room = (self.max_chars - 2 * (len(per_ask) - 1)) // len(per_ask)
            parts: list[list[tuple[Hit, Sentence]]] = []
            # A sentence quoted for one ask is not quoted again for the next; the rest of its passage may be
            # ("do I lose the money?" and "will my account get in trouble?" are two sentences of one section).
            used: set[tuple[str, int]] = set()
            for ask, found in zip(asks, per_ask, strict=True):
                part = self._choose(ask, list(found), context, room, leads=1, skip=used)
                used.update((hit.chunk.id, sentence.index) for hit, sentence in part)
                if part:
                    parts.append(part)
            if len(parts) > 1:
                return self._with_conflict_note(self._render_parts(parts), parts, hits)
        chosen = self._choose(question, list(hits), context, self.max_chars)
        parts = [chosen] if chosen else []
        return self._with_conflict_note(self._render_parts(parts), parts, hits)

    def _with_conflict_note(
        self, composition: Composition, parts: Sequence[Sequence[tuple[Hit, Sentence]]], hits: Sequence[Hit]
    ) -> Composition:
        """Policy outranks the forum, and says so: when a forum passage among those the answer drew on gives
        another figure than the quoted policy text on the same point, one line says that figure is outdated or
        unconfirmed, citing the thread.
        """
        if not self.conflict_note or not composition.text:
            return composition
        quoted = [s.text for part in parts for hit, s in part if hit.chunk.kind == "policy"]
        policy_passages = [hit.chunk.body for part in parts for hit, _ in part if hit.chunk.kind == "policy"]
        forum = [h for h in hits[: self.passages] if h.chunk.kind == "forum"]
        found = conflicting_figures(quoted, policy_passages, forum)
        if not found:
            return composition
        hit, figures = found
        sources = list(composition.sources)
        number = next((s.number for s in sources if s.text == defuse_mentions(hit.chunk.body.strip())),
                      len(sources) + 1)
        note = self.conflict_note.format(figures=" and ".join(figures)) + f" [{number}]"
        if len(composition.text) + 2 + len(note) > self.max_chars:
            return composition
        if number > len(sources):
            sources.append(source_for(hit, number))
        return Composition(f"{composition.text}\n\n{note}", tuple(sources), composition.facts)

    def _candidates(self, top: list[Hit], skip: Set[tuple[str, int]] = frozenset()) -> list[Sentence]:
        # Answers quote policy text and staff or accepted forum answers; other members' replies (which can
        # be wrong) are only quoted when nothing authoritative was found.
        quotable = [rank for rank, hit in enumerate(top) if is_authoritative(hit.chunk)] or list(range(len(top)))
        vocabulary = self._policy_words.extended(h.chunk.body for h in top if h.chunk.kind != "forum")
        out = []
        for rank in quotable:
            chunk = top[rank].chunk
            for i, (text, terms) in enumerate(_sentences(chunk.body)):
                if _CHATTER.match(text) or (chunk.id, i) in skip:
                    continue
                if chunk.kind == "forum" and not states_rule(text, vocabulary):
                    continue
                out.append(Sentence(text, rank, i, terms, leads=i == 0 and chunk.kind != "forum"))
        return out

    def _leads(self, candidates: Sequence[Sentence], top: Sequence[Hit]) -> list[Sentence]:
        """Policy sections' lead sentences, best first. When the best passage is a forum thread, the sections it
        is about (sharing its facts) come first: the thread shows which rule the member's situation falls under.
        """
        leads = [c for c in candidates if c.leads]
        anchor = top[0].chunk if top and top[0].chunk.kind == "forum" and self.forum_anchor else None
        if anchor is not None and anchor.facts:
            about = [c for c in leads if set(top[c.hit_rank].chunk.facts) & set(anchor.facts)]
            if about:
                return about + [c for c in leads if c not in about and c.hit_rank < 3]
        return [c for c in leads if c.hit_rank < 3]

    def _choose(
        self,
        question: str,
        hits: list[Hit],
        context: str | None,
        budget: int,
        leads: int | None = None,
        skip: Set[tuple[str, int]] = frozenset(),
    ) -> list[tuple[Hit, Sentence]]:
        top = hits[: self.passages]
        candidates = self._candidates(top, skip)
        if not candidates:
            return []
        weights = self._weights(question, context)
        wants_number = bool(_NUMBER_QUESTION.search(question))
        scored = sorted(candidates, key=lambda s: self._score(s, weights, wants_number), reverse=True)
        best = self._score(scored[0], weights, wants_number)
        # The direct answer: the lead sentence of the best-ranked policy section among the first three passages,
        # then (when it fits) the lead of the next one, since a member's situation often spans two sections.
        chosen: list[Sentence] = []
        if top and (top[0].chunk.id, 0) in skip:
            leads = 0  # an earlier ask opened with this ask's best section: another section's lead would stray
        for number, lead in enumerate(self._leads(candidates, top)[: self.lead_sections if leads is None else leads]):
            if any(_restates(lead, other) for other in chosen):  # two sections stating the same rule: say it once
                continue
            # the first section's lead brings the deadline or consequence it states ("does nothing ... refunded")
            follow = [c for c in candidates if number == 0 and c.hit_rank == lead.hit_rank and c.index > 0
                      and _CONSEQUENCE.search(c.text) and not _OLDER.match(c.text)][:1]
            for trial in ([*chosen, lead, *follow], [*chosen, lead]):
                if len(self._render_parts([[(top[s.hit_rank], s) for s in trial]]).text) <= budget:
                    chosen = trial
                    break
        for sentence in scored:
            score = self._score(sentence, weights, wants_number)
            if chosen and (score < self.cutoff * best or len(chosen) >= self.max_sentences):
                break
            if sentence in chosen or any(_similar(sentence, other) for other in chosen):
                continue
            if top[sentence.hit_rank].chunk.kind == "forum" and not adds_to(sentence.text, _policy_text(chosen, top)):
                continue
            trial = _keep_current_first([*chosen, sentence], candidates)
            if len(self._render_parts([[(top[s.hit_rank], s) for s in trial]]).text) <= budget:
                chosen = trial
        if not chosen:  # even the best sentence alone is too long: quote it shortened, still cited
            first = next((s for s in scored if not _OLDER.match(s.text)), scored[0])
            return [(top[first.hit_rank], replace(first, text=_shorten(first.text, budget - 6)))]
        return [(top[s.hit_rank], s) for s in chosen]

    @staticmethod
    def _render_parts(parts: Sequence[Sequence[tuple[Hit, Sentence]]]) -> Composition:
        """Each part: its passages in the order of their first chosen sentence (the lead or the best one), each
        passage's sentences in reading order and followed by its source number. Numbers are shared across parts.
        """
        numbers: dict[str, int] = {}
        sources: list[Source] = []
        facts: list[str] = []
        paragraphs = []
        for part in parts:
            by_passage: dict[str, list[Sentence]] = {}
            hit_of: dict[str, Hit] = {}
            for hit, sentence in part:
                by_passage.setdefault(hit.chunk.id, []).append(sentence)
                hit_of[hit.chunk.id] = hit
            for chunk_id, sentences in by_passage.items():
                hit = hit_of[chunk_id]
                if chunk_id not in numbers:
                    numbers[chunk_id] = len(numbers) + 1
                    sources.append(source_for(hit, numbers[chunk_id]))
                    facts.extend(f for f in hit.chunk.facts if f not in facts)
                body = " ".join(s.text for s in sorted(sentences, key=lambda s: s.index))
                paragraphs.append(f"{body} [{numbers[chunk_id]}]")
        # never repeat a ping found in a passage
        return Composition(defuse_mentions("\n\n".join(paragraphs)), tuple(sources), tuple(facts))


_CONSEQUENCE = re.compile(
    r"\b(\d+ (business |calendar )?days?|automatically|does nothing|do nothing|is refunded|is released|"
    r"deadline|expires?|too late)\b",
    re.IGNORECASE,
)
def _policy_text(chosen: Sequence[Sentence], top: Sequence[Hit]) -> str:
    return " ".join(s.text for s in chosen if top[s.hit_rank].chunk.kind != "forum")


def _shorten(text: str, room: int) -> str:
    return text if len(text) <= room else text[:room].rsplit(" ", 1)[0] + "…"


def _similar(a: Sentence, b: Sentence) -> bool:
    if not a.terms or not b.terms:
        return a.text == b.text
    return len(a.terms & b.terms) / len(a.terms | b.terms) > 0.6


def _restates(a: Sentence, b: Sentence) -> bool:
    """Every word of the shorter sentence is in the other ("7 days to approve or dispute an escrow refund request"
    after "7 days to answer an escrow refund request, by approving the refund or filing a dispute"). Looser than
    ``_similar`` would drop a section lead that adds a rule with the same words around it.
    """
    shorter = min(a.terms, b.terms, key=len)
    return bool(shorter) and len(a.terms & b.terms) >= 0.95 * len(shorter)


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
