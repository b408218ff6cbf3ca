"""Forum pages copied as text from a Khoros community: posts, roles, accepted answers, no page furniture."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.documents import UnreadableSource
from ingest.formats import read_source
from ingest.formats.forum_text import looks_like_forum, parse_thread

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


def _page(*posts: str, head: str = "» Forums » Freelancers » Escrow question\nEscrow question\n") -> str:
    return head + "\n" + "\n\n".join(posts) + "\n"


def test_raw_forum_copy_becomes_a_thread():
    doc = read_source(FIXTURES / "forum" / "hourly-dispute.txt")
    assert doc.kind == "forum"
    assert doc.format == "forum-text"
    assert doc.title == "Hourly client disputed my logged hours"
    assert doc.date == "2026-03-02"
    # The fourth "post" holds nothing but a Reply button and a kudos counter: it is not a post.
    assert [(p.position, p.author, p.role, p.accepted, p.date) for p in doc.posts] == [
        (0, "rafa.codes", "member", False, "2026-03-02"),
        (1, "Tomasz_W", "member", False, "2026-03-02"),
        (2, "Jules_S", "staff", True, "2026-03-03"),
    ]
    assert doc.posts[0].text.startswith("My client filed a dispute on last week's hours.")
    assert doc.posts[2].text.startswith("Hi Rafa,\n\nThe review team compares the disputed hours")


def test_page_furniture_and_signatures_are_gone():
    doc = read_source(FIXTURES / "forum" / "hourly-dispute.txt")
    everything = "\n".join(p.text for p in doc.posts)
    for leftover in (
        "Kudos",
        "Reply",
        "~ Tomasz",
        "~ Jules",
        "Accepted solution",
        "Re: Hourly client",
        "Related Content",
        "Top Kudoed Authors",
        "Payments Q&A",
        "Subscribe to RSS Feed",
        "Sign In",
    ):
        assert leftover not in everything, leftover


@pytest.mark.parametrize(
    ("rank", "role"),
    [
        ("Community Member", "member"),
        ("Active Member", "member"),
        ("Community Guru", "member"),
        ("Ace Poster", "member"),
        ("Moderator", "moderator"),
        ("Community Manager", "moderator"),
        ("community moderator", "moderator"),
        ("Upwork Staff", "staff"),
        ("Support Team", "staff"),
        ("Upwork Support", "staff"),
        ("Team Member", "staff"),
    ],
)
def test_ranks_map_to_roles(rank, role):
    thread = parse_thread(
        _page(
            "asker\nCommunity Member\nJan 5, 2026 10:00 AM\nIs my escrow safe?",
            f"answerer\n{rank}\nJan 5, 2026 11:00 AM\nYes, it stays in escrow until you are paid.",
        )
    )
    assert [p.role for p in thread.posts] == ["member", role]


@pytest.mark.parametrize("marker", ["Accepted Solution", "Solution", "✓ Accepted solution"])
def test_solution_markers_flag_the_post_above(marker):
    thread = parse_thread(
        _page(
            "asker\nCommunity Member\nJan 5, 2026\nIs my escrow safe?",
            f"helper\nCommunity Guru\nJan 5, 2026\nIt stays funded until you are paid.\n{marker}",
            "late_reply\nCommunity Member\nJan 6, 2026\nSame question here.",
        )
    )
    assert [p.accepted for p in thread.posts] == [False, True, False]
    assert marker not in thread.posts[1].text


def test_moderator_signature_with_title_is_dropped_but_tilde_amounts_stay():
    thread = parse_thread(
        _page(
            "asker\nCommunity Member\nJan 5, 2026\nThe client wants ~50% back.\n~50% of the milestone is a lot.",
            "mod_anna\nModerator\nJan 6, 2026\nPlease send the details to support.\n~ Anna, Moderator",
        )
    )
    assert thread.posts[0].text == "The client wants ~50% back. ~50% of the milestone is a lot."
    assert thread.posts[1].text == "Please send the details to support."
    assert thread.posts[1].role == "moderator"


def test_display_names_with_an_initial():
    thread = parse_thread(
        _page(
            "Petra R.\nCommunity Member\nJan 5, 2026\nMy refund request was declined.",
            "Luis M.\nCommunity Guru\nJan 5, 2026\nThen the dispute opens next.",
        )
    )
    assert [p.author for p in thread.posts] == ["Petra R.", "Luis M."]


def test_edited_date_line_is_not_body_text():
    thread = parse_thread(
        _page(
            "asker\nCommunity Member\nJan 5, 2026 10:00 AM\nEdited Jan 5, 2026 10:30 AM\nWhere is my refund?",
        )
    )
    assert thread.posts[0].date == "2026-01-05"
    assert thread.posts[0].text == "Where is my refund?"


def test_title_without_breadcrumb_is_the_line_before_the_first_post():
    thread = parse_thread(
        "Refund went to the wrong card\n\nmika\nCommunity Member\n2026-02-01\nMy client says the refund is missing.\n"
        "\nole\nCommunity Member\n2026-02-02\nRefunds go back to the original payment method.\n"
    )
    assert thread.title == "Refund went to the wrong card"
    assert [p.author for p in thread.posts] == ["mika", "ole"]


def test_breadcrumb_without_posts_is_refused(tmp_path):
    path = tmp_path / "copied.txt"
    path.write_text("» Forums » Freelancers » Lost thread\nLost thread\n\nThe page did not load fully.\n", "utf-8")
    with pytest.raises(UnreadableSource, match="no posts were found"):
        read_source(path)


def test_ordinary_text_mentioning_moderators_is_not_a_forum_page():
    text = (FIXTURES / "notes" / "dispute-checklist.txt").read_text(encoding="utf-8")
    assert not looks_like_forum(text)
    assert not looks_like_forum("Ask a\nModerator\nif you are unsure.\n")
    assert looks_like_forum((FIXTURES / "forum" / "hourly-dispute.txt").read_text(encoding="utf-8"))
