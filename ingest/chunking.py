"""Turning parsed documents into retrievable chunks, the way people read them.

- Policy and other sectioned text: one chunk per numbered section; the title and section travel with it
  ("Arbitration and its fees § 4.2 Who pays").
- Forum threads: one chunk per answer post, prefixed with the thread title and the question it answers,
  so a retrieved reply carries its context. Staff and accepted answers are flagged.
- A section too long for the embedding model is split on paragraph and sentence boundaries.
"""

from __future__ import annotations

import hashlib
import json
from typing import TypedDict, Unpack

from dispute_desk.models import Chunk
from dispute_desk.sentences import split_long
from dispute_desk.texts import defuse_mentions
from ingest.documents import ParsedDocument, Post

MAX_CHUNK_CHARS = 1100  # all-MiniLM-L6-v2 reads about 256 word pieces; longer text is cut off unseen
QUESTION_PREFIX_CHARS = 300


class _Fields(TypedDict, total=False):
    """What one passage sets on top of its document's values (the keyword arguments of ``_make``)."""

    section: str | None
    facts: tuple[str, ...]
    url: str | None
    as_of: str | None
    author_role: str | None
    accepted: bool
    date: str | None
    asks: tuple[str, ...]


def chunk_id(source: str, position: int) -> str:
    """Stable id from source and position: re-ingesting the same file updates, never duplicates."""
    return hashlib.sha1(f"{source}#{position}".encode()).hexdigest()[:24]


def phrasing_id(passage_id: str, ask: str) -> str:
    """A member phrasing's record id: its passage's id plus the phrasing."""
    return f"{passage_id}-q{hashlib.sha1(ask.encode()).hexdigest()[:8]}"


def content_hash(text: str, meta: dict[str, object]) -> str:
    payload = json.dumps({"text": text, "meta": meta}, sort_keys=True, default=str)
    return hashlib.sha256(payload.encode()).hexdigest()[:32]


def _make(doc: ParsedDocument, position: int, prefix: str, body: str, **fields: Unpack[_Fields]) -> Chunk:
    # Passages never carry a Discord ping (@everyone, <@id>) into the index, so no answer can repeat one.
    prefix, body = defuse_mentions(prefix), defuse_mentions(body)
    text = f"{prefix}\n\n{body}" if prefix else body
    facts = tuple(fields.pop("facts", ()) or doc.facts)
    meta: dict[str, object] = {
        "title": defuse_mentions(doc.title),
        "kind": doc.kind,
        "facts": facts,
        "url": fields.get("url") or doc.url,
        "as_of": fields.get("as_of") or doc.as_of,
        **{k: v for k, v in fields.items() if k not in ("url", "as_of")},
    }
    return Chunk(
        id=chunk_id(doc.source, position),
        text=text,
        source=doc.source,
        title=defuse_mentions(doc.title),
        kind=doc.kind,
        section=fields.get("section"),
        url=fields.get("url") or doc.url,
        position=position,
        author_role=fields.get("author_role"),
        accepted=bool(fields.get("accepted", False)),
        date=fields.get("date") or doc.date,
        as_of=fields.get("as_of") or doc.as_of,
        facts=facts,
        content_hash=content_hash(text, meta),
        group=doc.source,
        body_start=len(text) - len(body),
        asks=tuple(fields.get("asks", ())),
    )


def _section_chunks(doc: ParsedDocument) -> list[Chunk]:
    chunks: list[Chunk] = []
    for section in doc.sections:
        if not section.text.strip():
            continue
        label = section.label
        prefix = f"{doc.title} § {label}" if label else doc.title
        for part in split_long(section.text, MAX_CHUNK_CHARS, size=len):
            chunks.append(
                _make(doc, len(chunks), prefix, part, section=label, facts=section.facts,
                      url=section.url, as_of=section.as_of, asks=section.asks)
            )
    return chunks


def _question_summary(question: Post | None) -> str:
    if question is None:
        return ""
    text = " ".join(question.text.split())
    if len(text) > QUESTION_PREFIX_CHARS:
        text = text[:QUESTION_PREFIX_CHARS].rsplit(" ", 1)[0] + "…"
    return text


def _forum_chunks(doc: ParsedDocument) -> list[Chunk]:
    posts = sorted(doc.posts, key=lambda p: p.position)
    question = posts[0] if posts else None
    answers = [p for p in posts[1:] if p.text.strip()]
    summary = _question_summary(question)
    prefix = f"{doc.title}\nQuestion: {summary}" if summary else doc.title
    if not answers and question is not None:
        return [_make(doc, 0, doc.title, question.text.strip(), author_role=question.role,
                      date=question.date, asks=doc.asks)]
    # The thread's phrasings point at its best answer: the accepted or staff one, else the first reply.
    authoritative = [p for p in answers if p.accepted or p.role in ("staff", "moderator")]
    anchor = authoritative[0] if authoritative else answers[0] if answers else None
    chunks: list[Chunk] = []
    for post in answers:
        for i, part in enumerate(split_long(post.text, MAX_CHUNK_CHARS, size=len)):
            asks = doc.asks if post is anchor and i == 0 else ()
            chunks.append(
                _make(doc, len(chunks), prefix, part, author_role=post.role, accepted=post.accepted,
                      date=post.date, asks=asks)
            )
    return chunks


def phrasing_records(chunks: list[Chunk]) -> list[Chunk]:
    """One extra record per member phrasing (``asks``): its own vector, pointing at its passage.

    They are embedded and searched like passages but never shown; retrieval maps a hit on one to the passage
    it names in ``variant_of``. Ids derive from the passage id and the phrasing, so editing one phrasing
    re-embeds only that one, and a removed phrasing is removed with the next ingest of its file.
    """
    records = []
    for chunk in chunks:
        for ask in chunk.asks:
            records.append(
                Chunk(
                    id=phrasing_id(chunk.id, ask),
                    text=ask,
                    source=chunk.source,
                    title=chunk.title,
                    kind=chunk.kind,
                    position=chunk.position,
                    content_hash=content_hash(ask, {"variant_of": chunk.id}),
                    group=chunk.group,
                    variant_of=chunk.id,
                )
            )
    return records


def chunk_document(doc: ParsedDocument) -> list[Chunk]:
    """All chunks of one parsed document, positions 0..n-1, followed by their phrasings' records."""
    chunks = _forum_chunks(doc) if doc.posts else _section_chunks(doc)
    return chunks + phrasing_records(chunks)
