"""Forum pages copied as text from a Khoros community: posts, roles, accepted answers, no page furniture."""

from __future__ import annotations

import random
from pathlib import Path

import pytest

from ingest.documents import UnreadableSource
from ingest.formats.forum_text import looks_like_forum, parse_thread
from ingest.pipeline import run_ingest
from ingest.reader import read_source

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


def test_breadcrumb_without_posts_falls_back_to_paragraphs(tmp_path):
    path = tmp_path / "copied.txt"
    path.write_text("» Forums » Freelancers » Lost thread\nLost thread\n\nThe page did not load fully.\n", "utf-8")
    doc = read_source(path)
    assert (doc.kind, doc.title, doc.posts) == ("forum", "Lost thread", [])
    assert [s.text for s in doc.sections] == ["The page did not load fully."]


def test_ordinary_text_mentioning_moderators_is_not_a_forum_page():
    text = (FIXTURES / "notes" / "dispute-checklist.txt").read_text(encoding="utf-8")
    assert not looks_like_forum(text)
    assert not looks_like_forum("Ask a\nModerator\nif you are unsure.\n")
    assert looks_like_forum((FIXTURES / "forum" / "hourly-dispute.txt").read_text(encoding="utf-8"))


# -- pages as a browser really copies them (issue #10) ------------------------------------------------------


def test_copy_with_cut_breadcrumb_page_options_and_roles_without_names():
    doc = read_source(FIXTURES / "forum" / "khoros-copy-approved-refund.txt")
    assert (doc.kind, doc.format, doc.date) == ("forum", "forum-text", "2025-06-12")
    assert doc.title == "Client approved the milestone, now wants a refund and…"  # cut mid-word by the page
    assert [(p.position, p.author, p.role, p.date) for p in doc.posts] == [
        (0, None, "member", "2025-06-12"),  # "Page options" came first; the role line has no name above it
        (1, None, "member", None),
        (2, "petra_k", "member", "2025-06-13"),  # the name stood a blank line above its role line
        (3, "Goran_S", "staff", None),
    ]
    question, first, _, staff = doc.posts
    assert question.text.startswith("I delivered the last milestone of a fixed-price contract")
    assert "approved it. Two days later" in question.text  # the non-breaking space is a plain space
    assert "🙏" in question.text
    assert first.text.endswith("Don't refund anything just because you are pressured. 👍")  # no "petra_k"
    assert staff.text.startswith("Hi Matt,\n\nThanks for reaching out")
    assert staff.text.endswith("please report the message to our team.")
    everything = "\n".join(p.text for p in doc.posts)
    for leftover in ("Page options", "~ Goran", "Latest Articles", "Top Upvoted", "Upcoming Events", "Jun 25",
                     "Freelancer office hours", "Events", "5 tips", "»"):
        assert leftover not in everything, leftover


def test_copy_with_replies_that_have_no_header():
    doc = read_source(FIXTURES / "forum" / "khoros-copy-headerless.txt")
    assert doc.title == "Hourly client stopped paying, is my time protected?"
    assert [(p.author, p.role) for p in doc.posts] == [
        (None, "member"), (None, "unknown"), (None, "unknown"), (None, "unknown")
    ]
    question, hi, at, quoting = doc.posts
    assert question.text.endswith("Is it protected even though he stopped answering?")
    assert hi.text.startswith("Hi Matt,\n\nHourly Protection covers tracked time")
    assert "~ Goran" not in hi.text
    assert at.text.startswith("@ Matt -- check that your weekly limit")
    assert at.text.endswith("💡")
    # The reply that quoted the question starts at the quote; the quote itself is not its text.
    assert quoting.text == (
        "That happened to me too. The weekly payment went through on Wednesday even though the client was gone."
    )
    assert "Payments & Protection" not in "\n".join(p.text for p in doc.posts)


@pytest.mark.parametrize(
    "start",
    ["Hi Matt,", "Hello Matt!", "Hey Matt -", "@Matt_K,", "@ Matt --", "Matt wrote:"],
)
def test_a_headerless_reply_starts_at_an_address(start):
    thread = parse_thread(
        _page(
            "asker\nCommunity Member\nJan 5, 2026\nMy client wants a refund for an approved milestone. What now?",
            f"{start}\nA released payment can't be disputed through the dispute process.",
        )
    )
    assert len(thread.posts) == 2
    assert thread.posts[1].role == "unknown"
    assert "released payment can't be disputed" in thread.posts[1].text
    assert "wrote:" not in thread.posts[1].text


def test_a_question_paragraph_starting_with_thanks_or_hi_stays_in_the_question():
    thread = parse_thread(
        _page(
            "asker\nCommunity Member\nJan 5, 2026\nHi all,\n\nMy client wants a refund. What now?\n\nThanks",
            "helper\nCommunity Guru\nJan 5, 2026\nYou don't have to refund.",
        )
    )
    assert [p.author for p in thread.posts] == ["asker", "helper"]
    assert thread.posts[0].text == "Hi all,\n\nMy client wants a refund. What now?\n\nThanks"


def test_no_post_boundaries_fall_back_to_paragraph_groups(tmp_path):
    path = tmp_path / "thread.txt"
    paragraphs = [f"Paragraph {n} about escrow and the refund the client wants back from me." for n in range(30)]
    path.write_text(
        "» Forums » Freelancers » Refund after approval\nPage options\n\n" + "\n\n".join(paragraphs)
        + "\n\nLatest Articles\nHow to win\nUpcoming Events\nJun 25\nOffice hours\n",
        encoding="utf-8",
    )
    doc = read_source(path)
    assert (doc.kind, doc.title, doc.posts) == ("forum", "Refund after approval", [])
    assert len(doc.sections) > 1
    text = "\n\n".join(s.text for s in doc.sections)
    assert text == "\n\n".join(paragraphs)  # every paragraph, in order; no menu, no sidebar


def _shapes() -> list[str]:
    pages = [(FIXTURES / "forum" / name).read_text(encoding="utf-8") for name in
             ("hourly-dispute.txt", "khoros-copy-approved-refund.txt", "khoros-copy-headerless.txt")]
    rng = random.Random(10)
    out = []
    for page in pages:
        lines = page.split("\n")
        for _ in range(60):
            picked = [line for line in lines if rng.random() < 0.6]
            if rng.random() < 0.3:
                rng.shuffle(picked)
            out.append("\n".join(picked))
        out.extend(["\n".join(lines[:k]) for k in range(len(lines))])  # cut at every line
    return out


def test_the_reader_never_raises_on_damaged_copies(tmp_path):
    for number, text in enumerate(_shapes()):
        thread = parse_thread(text)  # never an IndexError or anything else
        assert all(p.text for p in thread.posts)
        path = tmp_path / f"copy-{number}.txt"
        path.write_text(text, encoding="utf-8")
        try:
            doc = read_source(path)
        except UnreadableSource as exc:
            assert str(exc)
        else:
            assert doc.posts or doc.sections


def test_a_reader_bug_is_that_files_error_not_a_crash(settings, tmp_path, monkeypatch):
    from ingest.formats import text as text_reader

    def broken(*args, **kwargs):
        raise IndexError("list index out of range")

    monkeypatch.setattr(text_reader, "parse_text", broken)
    folder = tmp_path / "threads"
    folder.mkdir()
    (folder / "a.txt").write_text("Escrow notes\n\nThe escrow holds the money.\n", encoding="utf-8")
    (folder / "b.md").write_text("# Escrow\n\nThe escrow holds the money until approval.\n", encoding="utf-8")
    from dispute_desk.embedding import HashingEmbedder

    in_process = settings.updated({"parse_timeout_seconds": 0})  # the monkeypatch lives here
    summary = run_ingest(in_process, [folder], embedder=HashingEmbedder())
    assert [(Path(e.path).name, e.reason) for e in summary.errors] == [
        ("a.txt", "could not parse .txt file: list index out of range")
    ]
    assert summary.files == 1


def test_a_name_right_under_the_previous_post_belongs_to_the_next_header():
    thread = parse_thread(
        "» Forums » Freelancers » Refund\nRefund\n\nCommunity Member\nMy client wants a refund. What now?\n"
        "Reply\n3 Kudos\nluis_m\n\nCommunity Guru\nYou don't have to refund an approved milestone.\nThanks\n\n"
        "Community Member\nSame here."
    )
    assert [(p.author, p.role) for p in thread.posts] == [(None, "member"), ("luis_m", "member"), (None, "member")]
    assert thread.posts[0].text == "My client wants a refund. What now?"
    assert thread.posts[1].text == "You don't have to refund an approved milestone. Thanks"  # a sign-off, no name
