"""Formatting is pure: everything a member sees fits Discord's limits and keeps its citations."""

from __future__ import annotations

import pytest

from desk_discord import render
from dispute_desk.models import Answer, Source


def source(
    number: int,
    *,
    title: str = "Mediation",
    url: str | None = "https://x.invalid/m",
    text: str = "t",
    section: str | None = "3.1 What mediation is",
) -> Source:
    return Source(number, title, url, section, "policy", 0.5, text)


def test_truncate_respects_limit_and_marks_the_cut() -> None:
    text = "word " * 500
    out = render.truncate(text, 100)
    assert len(out) <= 100
    assert out.endswith("…")
    assert render.truncate("short", 100) == "short"


@pytest.mark.parametrize(
    "text",
    [
        "x" * 4500,  # one unbroken word
        ("A sentence of moderate length. " * 40 + "\n\n") * 4,
        "line\n" * 900,
    ],
)
def test_split_message_parts_fit_and_lose_nothing(text: str) -> None:
    parts = render.split_message(text)
    assert all(0 < len(p) <= render.MESSAGE_LIMIT for p in parts)
    assert "".join(parts).replace(" ", "").replace("\n", "") == text.replace(" ", "").replace("\n", "")


def test_split_message_prefers_paragraph_breaks() -> None:
    first, second = "a" * 1500, "b" * 1500
    assert render.split_message(f"{first}\n\n{second}") == [first, second]


def test_answer_embed_has_answer_numbered_linked_sources_and_disclaimer_footer() -> None:
    answer = Answer(
        "Who pays for arbitration?",
        True,
        "The fee is split [1].",
        (
            source(1, title="Arbitration", section="4.2 Who pays"),
            source(2, title="Forum: fees", section=None, url=None),
        ),
    )
    embed = render.answer_embed(answer, disclaimer="Not legal advice.", fallback="unused")
    assert embed.title == "Who pays for arbitration?"
    assert embed.description == "The fee is split [1]."
    assert embed.fields[0].name == "Sources"
    assert embed.fields[0].value.splitlines() == [
        "**[1]** [Arbitration § 4.2 Who pays](https://x.invalid/m)",
        "**[2]** Forum: fees",
    ]
    assert embed.footer.text == "Not legal advice."


def test_unanswered_embed_is_kind_and_points_to_moderators() -> None:
    answer = Answer("How do I sue in Mars court?", False, "", (source(1),), reason="weak_evidence")
    embed = render.answer_embed(answer, disclaimer="d", fallback="I don't know this one; ask a moderator.")
    assert embed.description == "I don't know this one; ask a moderator."
    assert embed.fields[0].name == "Closest sources"
    assert any("Ask a moderator" in f.value for f in embed.fields)


def test_huge_answer_and_many_sources_stay_within_every_embed_limit() -> None:
    sources = tuple(source(n, title="T" * 300, url=f"https://x.invalid/{'p' * 200}/{n}") for n in range(1, 21))
    answer = Answer("Q" * 5000, True, "A" * 9000, sources)
    embed = render.answer_embed(answer, disclaimer="D" * 3000, fallback="")
    assert len(embed) <= render.EMBED_TOTAL_LIMIT
    assert len(embed.title or "") <= render.EMBED_TITLE_LIMIT
    assert 0 < len(embed.description or "") <= render.EMBED_DESCRIPTION_LIMIT
    assert len(embed.footer.text or "") <= render.EMBED_FOOTER_LIMIT
    assert all(0 < len(f.value) <= render.EMBED_FIELD_LIMIT for f in embed.fields)
    assert embed.fields[0].value.startswith("**[1]**")


def test_link_labels_and_urls_cannot_break_markdown() -> None:
    line = render.source_line(source(3, title="Fees [old]", section=None, url="https://x.invalid/a (b)"))
    assert line == "**[3]** [Fees (old)](https://x.invalid/a%20%28b%29)"
    assert render.source_line(source(4, url="javascript:alert(1)", section=None)) == "**[4]** Mediation"


def test_sources_embed_shows_passages_within_limits() -> None:
    sources = [source(n, text="passage " * 400) for n in range(1, 11)]
    embed = render.sources_embed("What is mediation?", sources, disclaimer="d")
    assert len(embed) <= render.EMBED_TOTAL_LIMIT
    assert [f.name for f in embed.fields][:2] == [
        "[1] Mediation § 3.1 What mediation is",
        "[2] Mediation § 3.1 What mediation is",
    ]
    assert all(f.value.startswith("passage") and "<https://x.invalid/m>" in f.value for f in embed.fields)


def test_question_from_message_strips_bot_mention_and_neutralises_others() -> None:
    content = "<@!42> my client <@123456789012345678> and <@&987654321098765432> in <#111111111111111111> @everyone"
    assert render.question_from_message(content, 42) == ("my client someone and a role in a channel @everyone")


def test_thread_name_is_short_single_line_and_mention_free() -> None:
    name = render.thread_name("@everyone <@&1234> my client\nrefused " + "to pay " * 40)
    assert len(name) <= render.THREAD_NAME_LIMIT
    assert "@" not in name and "\n" not in name
    assert name.startswith("everyone my client refused")
    assert render.thread_name("<@1234>") == "Dispute Desk answer"


def test_escalation_message_fits_and_quotes_question_and_answer() -> None:
    text = render.escalation_message(
        role_id=7,
        user_id=8,
        question="Q? " * 800,
        answer_text="A. " * 800,
        jump_url="https://discord.com/channels/1/2/3",
    )
    assert len(text) <= render.MESSAGE_LIMIT
    assert text.startswith("<@&7> <@8> would like a moderator's help ([answer](https://discord.com/channels/1/2/3))")
    assert "**Question**\n> Q?" in text and "**Bot's answer**\n> A." in text


def test_private_escalation_does_not_reveal_the_question() -> None:
    text = render.escalation_message(role_id=7, user_id=8, question=None, answer_text="secret answer", jump_url=None)
    assert "secret" not in text
    assert text.startswith("<@&7> <@8>")
