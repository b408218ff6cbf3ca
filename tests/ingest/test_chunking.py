"""Chunking: sections and forum answers become passages that carry their context and stable ids."""

from __future__ import annotations

from dataclasses import replace

from ingest.chunking import MAX_CHUNK_CHARS, chunk_document, chunk_id
from ingest.documents import ParsedDocument, Post, Section
from ingest.formats.markdown import parse_markdown


def policy_doc(**changes) -> ParsedDocument:
    doc = ParsedDocument(
        source="knowledge/policy/04-arbitration.md",
        title="Arbitration and its fees",
        kind="policy",
        url="https://support.example.invalid/arbitration",
        as_of="2026-11-20",
        facts=("F25",),
        sections=[
            Section(
                "4.1", "When arbitration happens", "Arbitration follows a failed mediation.", facts=("F24",)
            ),
            Section(
                "4.2",
                "Who pays",
                "The fee is split between freelancer and client.",
                facts=("F26", "F27"),
                url="https://support.example.invalid/arbitration-fees",
                as_of="2026-12-01",
            ),
            Section("4.3", "Deadlines", "Each side has 7 days to agree and pay."),
        ],
    )
    return replace(doc, **changes)


def forum_doc(posts: list[Post] | None = None) -> ParsedDocument:
    return ParsedDocument(
        source="knowledge/forum/us-canada-myth.md",
        title="Is hourly protection only for US and Canada?",
        kind="forum",
        date="2026-03-30",
        facts=("F42", "F80"),
        posts=posts
        if posts is not None
        else [
            Post(0, "wambui", "member", "I read that Hourly Protection only covers the US and Canada. True?"),
            Post(1, "jorge", "member", "Not sure, be careful with hourly contracts."),
            Post(
                2,
                "valeria",
                "moderator",
                "No: there is no country rule or cap in Upwork's conditions.",
                accepted=True,
                date="2026-03-31",
            ),
        ],
    )


# -- policy documents ---------------------------------------------------------------------------------------


def test_policy_document_gives_one_chunk_per_section_with_title_and_section_prefix():
    chunks = chunk_document(policy_doc())
    assert [c.section for c in chunks] == ["4.1 When arbitration happens", "4.2 Who pays", "4.3 Deadlines"]
    assert [c.position for c in chunks] == [0, 1, 2]
    second = chunks[1]
    assert second.text.startswith("Arbitration and its fees § 4.2 Who pays\n")
    assert second.body == "The fee is split between freelancer and client."
    assert second.text[second.body_start :] == second.body
    assert all(c.kind == "policy" and c.title == "Arbitration and its fees" for c in chunks)
    assert {c.group for c in chunks} == {"knowledge/policy/04-arbitration.md"}


def test_section_metadata_wins_and_the_document_fills_the_gaps():
    first, second, third = chunk_document(policy_doc())
    assert second.facts == ("F26", "F27")
    assert second.url == "https://support.example.invalid/arbitration-fees"
    assert second.as_of == "2026-12-01"
    assert first.facts == ("F24",)
    assert first.url == "https://support.example.invalid/arbitration"  # inherited
    assert third.facts == ("F25",)  # the section has none: the document's facts
    assert (third.url, third.as_of) == ("https://support.example.invalid/arbitration", "2026-11-20")


def test_empty_sections_are_skipped_and_positions_stay_contiguous():
    doc = policy_doc()
    doc.sections.insert(1, Section("4.1a", "Blank", "   \n  "))
    chunks = chunk_document(doc)
    assert [c.section for c in chunks] == ["4.1 When arbitration happens", "4.2 Who pays", "4.3 Deadlines"]
    assert [c.position for c in chunks] == [0, 1, 2]


def test_unnumbered_text_uses_the_heading_or_just_the_title():
    doc = policy_doc(
        kind="other",
        sections=[
            Section(None, "Checklist", "Keep every message on the platform."),
            Section(None, None, "Screenshots help in mediation."),
        ],
    )
    first, second = chunk_document(doc)
    assert first.text.startswith("Arbitration and its fees § Checklist\n")
    assert second.section is None
    assert second.text == "Arbitration and its fees\n\nScreenshots help in mediation."
    assert second.body == "Screenshots help in mediation."


def test_markdown_policy_file_chunks_end_to_end():
    text = (
        "---\ntitle: Escrow basics\nkind: policy\nurls: [https://support.example.invalid/escrow]\n"
        "as_of: 2026-11-20\n---\n# 1. Escrow basics\n\n## 1.1 Funding\n<!-- facts: F01 -->\n"
        "Fund the milestone first.\n\n## 1.2 Review\nThe client has 14 days.\n"
    )
    chunks = chunk_document(parse_markdown(text, source="kb/escrow.md", fallback_title="escrow"))
    assert [c.text for c in chunks] == [
        "Escrow basics § 1.1 Funding\n\nFund the milestone first.",
        "Escrow basics § 1.2 Review\n\nThe client has 14 days.",
    ]
    assert [c.body for c in chunks] == ["Fund the milestone first.", "The client has 14 days."]
    assert chunks[0].facts == ("F01",)
    assert chunks[1].url == "https://support.example.invalid/escrow"


def test_long_section_is_split_under_the_limit_and_keeps_its_label():
    sentences = [
        f"Sentence {i} explains one more detail of the hourly dispute window and the weekly invoice."
        for i in range(60)
    ]
    long_text = " ".join(sentences[:30]) + "\n\n" + " ".join(sentences[30:])
    assert len(long_text) > 3 * MAX_CHUNK_CHARS
    doc = policy_doc(
        sections=[
            Section("6.1", "Hourly disputes", long_text, facts=("F50",)),
            Section("6.2", "After", "Short one."),
        ]
    )
    chunks = chunk_document(doc)
    parts = [c for c in chunks if c.section == "6.1 Hourly disputes"]
    assert len(parts) >= 3
    assert all(len(c.body) <= MAX_CHUNK_CHARS for c in parts)
    assert all(c.text.startswith("Arbitration and its fees § 6.1 Hourly disputes\n") for c in parts)
    assert all(c.facts == ("F50",) for c in parts)
    assert [c.position for c in chunks] == list(range(len(chunks)))
    assert len({c.id for c in chunks}) == len(chunks)
    # nothing of the section is lost
    joined = " ".join(c.body for c in parts)
    assert all(s in joined for s in sentences)


# -- forum threads ------------------------------------------------------------------------------------------


def test_forum_thread_gives_one_chunk_per_answer_prefixed_with_title_and_question():
    chunks = chunk_document(forum_doc())
    assert len(chunks) == 2
    for chunk in chunks:
        assert chunk.text.startswith(
            "Is hourly protection only for US and Canada?\n"
            "Question: I read that Hourly Protection only covers "
            "the US and Canada. True?\n\n"
        )
        assert chunk.kind == "forum"
        assert chunk.facts == ("F42", "F80")
    member, moderator = chunks
    assert member.body == "Not sure, be careful with hourly contracts."
    assert (member.author_role, member.accepted) == ("member", False)
    assert moderator.body == "No: there is no country rule or cap in Upwork's conditions."
    assert (moderator.author_role, moderator.accepted) == ("moderator", True)
    assert moderator.date == "2026-03-31"
    assert member.date == "2026-03-30"  # the thread's date when the post has none


def test_long_question_is_shortened_in_the_prefix():
    question = "My client " + "keeps asking for more revisions after approving the milestone " * 20
    doc = forum_doc([Post(0, "q", "member", question), Post(1, "a", "staff", "Open a dispute.")])
    (chunk,) = chunk_document(doc)
    prefix = chunk.text[: chunk.body_start]
    assert len(prefix) < len(question)
    assert "…" in prefix
    assert chunk.body == "Open a dispute."


def test_question_only_thread_is_one_chunk_of_the_question():
    doc = forum_doc([Post(0, "wambui", "member", "Is my hourly contract protected in Kenya?")])
    (chunk,) = chunk_document(doc)
    assert chunk.body == "Is my hourly contract protected in Kenya?"
    assert (
        chunk.text
        == "Is hourly protection only for US and Canada?\n\nIs my hourly contract protected in Kenya?"
    )
    assert chunk.author_role == "member"
    assert chunk.accepted is False


def test_posts_are_taken_in_thread_order_and_empty_replies_dropped():
    doc = forum_doc(
        [
            Post(2, "b", "staff", "Second answer."),
            Post(0, "q", "member", "The question?"),
            Post(1, "a", "member", "  "),
            Post(3, "c", "member", "Third answer."),
        ]
    )
    assert [c.body for c in chunk_document(doc)] == ["Second answer.", "Third answer."]


# -- ids and hashes -----------------------------------------------------------------------------------------


def test_chunk_ids_are_stable_across_runs_and_differ_by_position_and_source():
    first = chunk_document(policy_doc())
    again = chunk_document(policy_doc())
    assert [c.id for c in first] == [c.id for c in again]
    assert len({c.id for c in first}) == 3
    assert chunk_id("a.md", 0) == chunk_id("a.md", 0)
    assert chunk_id("a.md", 0) != chunk_id("a.md", 1)
    assert chunk_id("a.md", 0) != chunk_id("b.md", 0)
    moved = chunk_document(policy_doc(source="knowledge/policy/other.md"))
    assert not {c.id for c in moved} & {c.id for c in first}


def test_content_hash_is_stable_and_changes_with_text_or_facts():
    base = chunk_document(policy_doc())
    assert [c.content_hash for c in base] == [c.content_hash for c in chunk_document(policy_doc())]

    edited = policy_doc()
    edited.sections[1] = replace(edited.sections[1], text="The fee is now paid by the client alone.")
    changed = chunk_document(edited)
    assert changed[1].content_hash != base[1].content_hash
    assert changed[1].id == base[1].id  # same place, so the index updates it in place
    assert [changed[0].content_hash, changed[2].content_hash] == [base[0].content_hash, base[2].content_hash]

    refacted = policy_doc()
    refacted.sections[0] = replace(refacted.sections[0], facts=("F24", "F99"))
    assert chunk_document(refacted)[0].content_hash != base[0].content_hash


def test_content_hash_changes_with_a_new_url_or_title():
    base = chunk_document(policy_doc())[0]
    assert (
        chunk_document(policy_doc(url="https://support.example.invalid/new"))[0].content_hash
        != base.content_hash
    )
    assert chunk_document(policy_doc(title="Arbitration"))[0].content_hash != base.content_hash


def test_forum_accepted_flag_is_part_of_the_hash():
    base = chunk_document(forum_doc())
    posts = forum_doc().posts
    posts[2] = replace(posts[2], accepted=False)
    assert chunk_document(forum_doc(posts))[1].content_hash != base[1].content_hash
