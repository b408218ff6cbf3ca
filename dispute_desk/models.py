"""The value types that cross module boundaries: chunks in the index, retrieved passages, answers."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

KINDS: tuple[str, ...] = ("policy", "forum", "faq", "other")


@dataclass(frozen=True)
class Chunk:
    """One retrievable passage, as ingestion writes it into the store.

    ``text`` is what gets embedded and searched: for a forum answer it starts with the thread title and
    the question, so a retrieved reply carries its context. ``body_start`` is the offset in ``text`` where
    the passage proper (what a citation points to) begins.
    """

    id: str
    text: str
    source: str
    title: str
    kind: str = "other"
    section: str | None = None
    url: str | None = None
    position: int = 0
    author_role: str | None = None
    accepted: bool = False
    date: str | None = None
    as_of: str | None = None
    facts: tuple[str, ...] = ()
    content_hash: str = ""
    group: str = ""
    body_start: int = 0
    asks: tuple[str, ...] = ()  # member phrasings of what this passage answers (searched, never shown)
    variant_of: str = ""  # set on a phrasing's own record: the id of the passage it points to

    @property
    def body(self) -> str:
        return self.text[self.body_start :]

    def metadata(self) -> dict[str, Any]:
        """Flat metadata for the vector store (Chroma accepts str/int/float/bool only; no None)."""
        meta: dict[str, Any] = {
            "source": self.source,
            "title": self.title,
            "kind": self.kind,
            "position": self.position,
            "accepted": self.accepted,
            "facts": ",".join(self.facts),
            "content_hash": self.content_hash,
            "group": self.group or self.source,
            "body_start": self.body_start,
        }
        for key in ("section", "url", "author_role", "date", "as_of", "variant_of"):
            value = getattr(self, key)
            if value:
                meta[key] = value
        if self.asks:
            meta["asks"] = "\n".join(self.asks)
        return meta

    @classmethod
    def from_store(cls, chunk_id: str, text: str, meta: Mapping[str, Any]) -> Chunk:
        facts = tuple(f for f in str(meta.get("facts", "")).split(",") if f)
        return cls(
            id=chunk_id,
            text=text,
            source=str(meta.get("source", "")),
            title=str(meta.get("title", "")),
            kind=str(meta.get("kind", "other")),
            section=meta.get("section"),
            url=meta.get("url"),
            position=int(meta.get("position", 0)),
            author_role=meta.get("author_role"),
            accepted=bool(meta.get("accepted", False)),
            date=meta.get("date"),
            as_of=meta.get("as_of"),
            facts=facts,
            content_hash=str(meta.get("content_hash", "")),
            group=str(meta.get("group", "")),
            body_start=int(meta.get("body_start", 0)),
            asks=tuple(a for a in str(meta.get("asks", "")).split("\n") if a),
            variant_of=str(meta.get("variant_of", "")),
        )


@dataclass(frozen=True)
class Hit:
    """A chunk found by retrieval, with its fused score and the signals behind it."""

    chunk: Chunk
    score: float
    dense: float | None = None  # cosine similarity of the passage itself
    lexical: float | None = None
    phrasing: float | None = None  # best cosine similarity of one of the passage's member phrasings


@dataclass(frozen=True)
class Source:
    """A numbered citation as front ends show it."""

    number: int
    title: str
    url: str | None
    section: str | None
    kind: str
    score: float
    text: str
    facts: tuple[str, ...] = ()
    as_of: str | None = None  # when the passage was last checked against the official page (not in the JSON)

    def label(self) -> str:
        """Human label: 'Arbitration § 4.2 Who pays' or the thread title."""
        if self.section:
            return f"{self.title} § {self.section}"
        return self.title

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "url": self.url,
            "section": self.section,
            "kind": self.kind if self.kind in KINDS else "other",
            "score": round(float(self.score), 4),
            "text": self.text,
        }


@dataclass(frozen=True)
class Answer:
    """What the core returns for one question; every front end renders this."""

    question: str
    answered: bool
    text: str
    sources: tuple[Source, ...] = ()
    latency_ms: float = 0.0
    reason: str = "answered"  # answered | weak_evidence | off_topic | empty | too_long
    facts: tuple[str, ...] = field(default=())
    why: str = ""  # how the answer-or-decline decision was made (rule or gate), for logs and `eval --details`
    mode: str = "extractive"  # extractive | written (a chat model's answer that passed the citation check)
    fallback: str | None = None  # why a written answer was discarded for the extractive one (not in the JSON)

    def to_json(self) -> dict[str, Any]:
        """The CLI's JSON contract, exactly these keys."""
        return {
            "question": self.question,
            "answered": self.answered,
            "answer": self.text,
            "sources": [s.to_json() for s in self.sources],
            "latency_ms": round(self.latency_ms, 2),
        }
