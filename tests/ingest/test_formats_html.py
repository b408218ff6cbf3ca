"""HTML pages: Khoros and Discourse topic pages become threads; other pages become sectioned articles."""

from __future__ import annotations

from pathlib import Path

import pytest

from ingest.documents import UnreadableSource
from ingest.reader import read_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest" / "html"


def test_khoros_topic_page():
    doc = read_source(FIXTURES / "khoros-thread.html")
    assert doc.kind == "forum"
    assert doc.format == "html"
    assert doc.title == "Milestone refund after the contract ended"
    assert doc.url == "https://community.example.org/t5/Freelancers/Milestone-refund-after-the-contract-ended/td-p/2002"
    assert doc.date == "2026-04-02"
    assert [(p.position, p.author, p.role, p.accepted, p.date) for p in doc.posts] == [
        (0, "lena_designs", "member", False, "2026-04-02"),
        (1, "Omar_R", "moderator", True, "2026-04-02"),
        (2, "sami.k", "member", False, "2026-04-03"),
    ]
    answer = doc.posts[1].text
    assert answer.startswith("Hi Lena,\n\nYou do not have to accept a refund request")
    assert "- Keep the delivery message with the files.\n- Answer the dispute notice before its deadline." in answer
    everything = "\n".join(p.text for p in doc.posts)
    for leftover in ("~ Omar", "Community team", "Kudos", "Reply", "Latest Articles", "Sign In", "Privacy"):
        assert leftover not in everything, leftover


def test_khoros_rank_badge_image_gives_the_role(tmp_path):
    page = (FIXTURES / "khoros-thread.html").read_text("utf-8").replace('alt="Ace Poster"', 'alt="Upwork Staff"')
    path = tmp_path / "badge.html"
    path.write_text(page, "utf-8")
    assert [p.role for p in read_source(path).posts] == ["member", "moderator", "staff"]


def test_discourse_topic_page():
    doc = read_source(FIXTURES / "discourse-thread.html")
    assert doc.kind == "forum"
    assert doc.title == "Chargeback after the job was approved"
    assert doc.url == "https://forum.example.net/t/chargeback-after-the-job-was-approved/3131"
    assert [(p.author, p.role, p.date) for p in doc.posts] == [
        ("kofi_dev", "member", "2026-05-20"),
        ("helpdesk_ines", "staff", "2026-05-20"),
        ("kofi_dev", "member", "2026-05-21"),
    ]
    assert doc.posts[0].text == (
        "The client approved my milestone and then disputed the card payment with their bank.\n\n"
        "Will the money be taken back from my balance?"
    )
    reply = doc.posts[1].text
    assert "Reply to the chargeback notice with your delivery proof so it can be contested." in reply
    assert "Will the money be taken back?" in reply  # the quote stays, as text
    assert "KB" not in reply and "notice.png" not in reply  # image caption chrome is gone


def test_discourse_accepted_answer_in_qa_markup(tmp_path):
    page = (FIXTURES / "discourse-thread.html").read_text("utf-8")
    page = page.replace(
        '<div class="post" itemprop="text">\n        <aside',
        '<div itemprop="acceptedAnswer"><div class="post" itemprop="text">\n        <aside',
    )
    page = page.replace("</div></a></div>\n      </div>", "</div></a></div>\n      </div></div>")
    path = tmp_path / "solved.html"
    path.write_text(page, "utf-8")
    assert [p.accepted for p in read_source(path).posts] == [False, True, False]


def test_generic_article_is_split_at_its_headings():
    doc = read_source(FIXTURES / "support-article.html")
    assert doc.kind == "other"
    assert doc.format == "html"
    assert doc.title == "Hourly protection explained"
    assert doc.url == "https://help.example.org/articles/hourly-protection"
    assert doc.date == "2026-09-02"
    assert [s.heading for s in doc.sections] == [
        "Hourly protection explained",
        "What the work diary needs to show",
        "When a client disputes hours",
    ]
    assert doc.sections[1].text.startswith("Each tracked segment should have a screenshot")
    assert "\n\nSegments that look unrelated" in doc.sections[1].text
    assert doc.sections[2].text.endswith("- Answer review questions quickly.\n- Keep the memos short and specific.")
    everything = "\n".join(s.text for s in doc.sections)
    for leftover in ("cookies", "Log in", "Related articles", "All rights reserved", "analytics", "font-family"):
        assert leftover not in everything, leftover


def test_short_page_without_headings(tmp_path):
    path = tmp_path / "note.htm"
    path.write_text(
        "<html><head><title>Escrow note | Example</title></head><body>"
        "<p>Fixed-price funds sit in escrow until the client approves the milestone.</p></body></html>",
        "utf-8",
    )
    doc = read_source(path)
    assert doc.title == "Escrow note"
    assert [s.text for s in doc.sections] == [
        "Fixed-price funds sit in escrow until the client approves the milestone."
    ]


def test_headings_come_from_the_page_when_the_extractor_drops_them(tmp_path):
    path = tmp_path / "plain.html"
    path.write_text(
        "<html><body><div class='content'><h1>Dispute steps</h1>"
        "<h2>Decline</h2><p>Decline the refund request.</p><h2>Evidence</h2><p>Send the delivery proof.</p>"
        "</div></body></html>",
        "utf-8",
    )
    doc = read_source(path)
    assert doc.title == "Dispute steps"
    assert [(s.heading, s.text) for s in doc.sections] == [
        ("Decline", "Decline the refund request."),
        ("Evidence", "Send the delivery proof."),
    ]


@pytest.mark.parametrize(
    "page",
    [
        "<html><head><title>Loading…</title><script>boot()</script></head><body><div id='app'></div></body></html>",
        "<html><body><img src='scan.png'><style>p{}</style></body></html>",
        "<!-- nothing but a comment -->",
        "<html><body><div class='lia-message-body-content'> </div></body></html>",
    ],
)
def test_html_without_text_is_refused(tmp_path, page):
    path = tmp_path / "blank.html"
    path.write_text(page, "utf-8")
    with pytest.raises(UnreadableSource, match=r"^HTML has no readable text$"):
        read_source(path)
