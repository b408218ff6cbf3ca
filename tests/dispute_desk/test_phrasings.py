"""Member phrasings (``asks``): parsed from the knowledge base, indexed as their own vectors, never shown."""

from __future__ import annotations

from dispute_desk.embedding import HashingEmbedder
from dispute_desk.retrieval import Corpus, HybridRetriever
from dispute_desk.settings import RetrievalSettings
from ingest.chunking import chunk_document
from ingest.formats.markdown import parse_markdown

POLICY = """---
title: Refunds
kind: policy
---
# 7. Refunds

## 7.5 The escrow refund request
<!-- facts: F13 | url: https://example.org/refund -->
<!-- asks:
- client closed the contract and wants the milestone money back, what now
- what if I ignore the refund request
-->
A freelancer has 7 days to approve or dispute an escrow refund request.

## 7.6 Another section
<!-- facts: F14 -->
Text without phrasings.
"""

FORUM = """---
title: Client wants a refund
kind: forum
asks:
  - he bailed and wants his money back, help
  - refund request after the client ended the job, what now
---
» Forums » Freelancers » Client wants a refund
Client wants a refund

nadia
Community Member
Mar 14, 2026 09:12 AM
My client ended the contract. What do I do?

Valeria_M
Moderator
Mar 14, 2026 02:05 PM
You have 7 days to respond to the refund request.
"""


def test_policy_section_asks_are_parsed_and_kept_out_of_the_text():
    doc = parse_markdown(POLICY, source="knowledge/policy/07.md", fallback_title="x")
    first, second = doc.sections
    assert first.asks == (
        "client closed the contract and wants the milestone money back, what now",
        "what if I ignore the refund request",
    )
    assert "asks" not in first.text and "ignore" not in first.text
    assert second.asks == ()


def test_each_phrasing_becomes_a_record_pointing_at_its_passage():
    chunks = chunk_document(parse_markdown(POLICY, source="knowledge/policy/07.md", fallback_title="x"))
    passages = [c for c in chunks if not c.variant_of]
    phrasings = [c for c in chunks if c.variant_of]
    assert len(passages) == 2 and len(phrasings) == 2
    assert {p.variant_of for p in phrasings} == {passages[0].id}
    assert phrasings[0].text == "client closed the contract and wants the milestone money back, what now"
    # ids are stable and depend on the wording: editing one phrasing changes only that record
    again = chunk_document(parse_markdown(POLICY, source="knowledge/policy/07.md", fallback_title="x"))
    assert [c.id for c in again] == [c.id for c in chunks]
    edited = POLICY.replace("what if I ignore", "what if I never answer")
    changed = chunk_document(parse_markdown(edited, source="knowledge/policy/07.md", fallback_title="x"))
    assert len({c.id for c in changed} - {c.id for c in chunks}) == 1  # only the edited phrasing is new
    assert changed[2].id == chunks[2].id
    assert changed[0].id == chunks[0].id and changed[0].content_hash != chunks[0].content_hash


def test_forum_thread_asks_point_at_the_staff_answer():
    chunks = chunk_document(parse_markdown(FORUM, source="knowledge/forum/x.md", fallback_title="x"))
    phrasings = [c for c in chunks if c.variant_of]
    (answer,) = [c for c in chunks if not c.variant_of]
    assert answer.author_role in ("moderator", "staff")
    assert [p.variant_of for p in phrasings] == [answer.id, answer.id]


def test_a_search_finds_a_passage_through_its_phrasing_and_never_returns_the_phrasing(make_collection):
    chunks = chunk_document(parse_markdown(POLICY, source="knowledge/policy/07.md", fallback_title="x"))
    collection = make_collection(chunks)
    corpus = Corpus(list(collection.iter_chunks()))
    assert len(corpus) == 2  # phrasings are not passages
    retriever = HybridRetriever(corpus, collection, HashingEmbedder(), RetrievalSettings(top_k=2))
    hits = retriever.search("what if I ignore the refund request")
    assert hits[0].chunk.section == "7.5 The escrow refund request"
    assert hits[0].phrasing is not None and hits[0].phrasing > 0.99
    assert all(not h.chunk.variant_of for h in hits)
    assert "ignore" not in hits[0].chunk.body


def test_asks_of_several_queries_are_fused(make_collection, make_chunk):
    chunks = [
        make_chunk("escrow", "Escrow money is released after the fourteen day review."),
        make_chunk("jss", "A dispute does not lower the job success score by itself."),
        make_chunk("other", "Unrelated text about profile photos."),
    ]
    collection = make_collection(chunks)
    retriever = HybridRetriever(Corpus(chunks), collection, HashingEmbedder(), RetrievalSettings(top_k=2))
    hits = retriever.search("escrow released review, and job success score", also=["escrow released review",
                                                                                    "job success score"])
    assert {h.chunk.id for h in hits} == {"escrow", "jss"}
