"""Markdown reader: policy guides, forum threads saved as Markdown, ordinary Markdown files."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from ingest.documents import UnreadableSource
from ingest.reader import read_source

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "ingest"


@pytest.fixture()
def policy():
    return read_source(FIXTURES / "policy" / "04-arbitration.md", source="knowledge/policy/04-arbitration.md")


def test_policy_document_metadata_comes_from_front_matter(policy):
    assert policy.source == "knowledge/policy/04-arbitration.md"
    assert policy.title == "Arbitration and its fees"
    assert policy.kind == "policy"
    assert policy.format == "markdown"
    assert policy.url == "https://example.org/help/arbitration"
    assert policy.urls == ("https://example.org/help/arbitration", "https://example.org/legal/dispute-terms")
    assert policy.as_of == "2026-11-20"


def test_policy_sections_keep_numbers_and_headings(policy):
    assert [s.number for s in policy.sections] == ["4", "4.1", "4.2", "4.3"]
    assert [s.heading for s in policy.sections] == [
        "Arbitration and its fees",
        "What arbitration is",
        "Who pays and how much",
        "After the decision",
    ]
    assert policy.sections[2].label == "4.2 Who pays and how much"
    assert policy.sections[0].text.startswith("When mediation does not settle a fixed-price dispute")


def test_policy_facts_urls_and_dates_per_section(policy):
    intro, what, who, after = policy.sections
    assert intro.facts == ()
    assert what.facts == ("F24", "F25")
    assert what.urls == ("https://example.org/help/arbitration",)
    assert who.facts == ("F26", "F27")
    assert who.url == "https://example.org/help/arbitration"
    assert who.urls == ("https://example.org/help/arbitration", "https://example.org/legal/dispute-terms")
    assert who.as_of == "2026-10-01"
    # No url / as_of in the comment: the file's first url and date apply.
    assert after.facts == ("F28",)
    assert after.url == "https://example.org/help/arbitration"
    assert after.as_of == "2026-11-20"


def test_policy_text_is_clean_prose(policy):
    for section in policy.sections:
        assert "<!--" not in section.text and "facts:" not in section.text
        assert "**" not in section.text and "](" not in section.text
    what, who, after = policy.sections[1:]
    assert "\n\nBoth sides get a chance to send evidence. The decision is final" in what.text
    assert "- The fee is not refunded if you lose." in who.text
    assert "Read the decision notice carefully" in after.text
    # Hard-wrapped source lines are joined back into sentences.
    assert "for the\ndisputed" not in what.text and "for the disputed milestone" in what.text


def test_forum_thread_saved_as_markdown():
    doc = read_source(FIXTURES / "forum" / "milestone-refund.md")
    assert doc.kind == "forum"
    assert doc.title == "Client ended the contract and wants the milestone refunded"
    assert doc.url == "https://community.example.org/t5/Freelancers/Client-ended-the-contract/td-p/1001"
    assert doc.date == "2026-03-14"
    assert doc.facts == ("F10", "F12")
    assert doc.sections == []
    assert [(p.position, p.author, p.role, p.accepted) for p in doc.posts] == [
        (0, "nadia_writes", "member", False),
        (1, "petr_k", "member", False),
        (2, "Valeria_M", "moderator", True),
    ]
    assert doc.posts[0].text.endswith("Can the client take the escrow back without my agreement?")
    assert [p.date for p in doc.posts] == ["2026-03-14", "2026-03-14", "2026-03-15"]
    everything = "\n".join(p.text for p in doc.posts)
    for leftover in ("~ Petr", "~ Valeria", "Accepted Solution", "Page options", "Office Hours", "Latest Articles"):
        assert leftover not in everything


def test_markdown_without_front_matter(tmp_path):
    doc = read_source(FIXTURES / "notes" / "readme-style.md")
    assert doc.title == "Handling a chargeback"
    assert doc.kind == "other"
    assert doc.url is None
    assert [s.label for s in doc.sections] == [
        "Handling a chargeback",
        "2.1 What the freelancer sees",
        "Checking the transaction",
        "Asking for help",
    ]
    assert doc.sections[0].text.startswith("Some background first: a chargeback is when")
    assert "You may see a payment reversed note" in doc.sections[1].text


@pytest.mark.parametrize("suffix", [".md", ".markdown", ".MD"])
def test_markdown_title_falls_back_to_file_name(tmp_path, suffix):
    path = tmp_path / f"refund-timing_notes{suffix}"
    path.write_text("Refunds to the client's card can take up to ten days to show.\n", encoding="utf-8")
    doc = read_source(path)
    assert doc.title == "Refund timing notes"
    assert [s.text for s in doc.sections] == ["Refunds to the client's card can take up to ten days to show."]


def test_heading_levels_four_and_code_blocks_stay_in_the_section(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(
        "# Notes\n\n## 1.1 Evidence\nKeep these:\n\n#### Files\nThe delivered files.\n\n```\n## not a heading\n```\n",
        encoding="utf-8",
    )
    doc = read_source(path)
    assert [s.label for s in doc.sections] == ["1.1 Evidence"]
    assert doc.sections[0].text == "Keep these:\n\nFiles\n\nThe delivered files.\n\n## not a heading"


@pytest.mark.parametrize(
    ("front_matter", "reason"),
    [
        ("title: Fees\nkind: policy\nurls: [https://a.example\n", "malformed front matter at line"),
        ("- just\n- a list\n", "expected 'key: value' lines, got a list"),
        ("title: Fees\nkind: guide\n", "kind 'guide' is not one of policy, forum, faq, other"),
    ],
)
def test_malformed_front_matter_is_refused_with_a_reason(tmp_path, front_matter, reason):
    path = tmp_path / "bad.md"
    path.write_text(f"---\n{front_matter}---\n# 1. Fees\n\nText.\n", encoding="utf-8")
    with pytest.raises(UnreadableSource, match=reason.replace("[", r"\[")):
        read_source(path)


def test_bad_yaml_reports_the_file_line(tmp_path):
    path = tmp_path / "bad.md"
    path.write_text("---\ntitle: Fees\nkind: policy: extra\nas_of: 2026-11-20\n---\nText\n", encoding="utf-8")
    with pytest.raises(UnreadableSource) as info:
        read_source(path)
    # Line 3 of the file is the broken one (line 1 is the opening ---).
    # The wording of the problem comes from the YAML parser (libyaml or pure Python); the line is ours.
    assert re.fullmatch(r"malformed front matter at line 3: mapping values are not allowed (here|in this context)",
                        str(info.value))


def test_unclosed_front_matter_is_refused(tmp_path):
    path = tmp_path / "open.md"
    path.write_text("---\ntitle: Fees\nkind: policy\n# 1. Fees\n", encoding="utf-8")
    with pytest.raises(UnreadableSource, match="never closed"):
        read_source(path)


def test_forum_front_matter_without_posts_keeps_the_text_as_paragraphs(tmp_path):
    path = tmp_path / "thread.md"
    path.write_text("---\ntitle: A thread\nkind: forum\n---\nJust some text, no posts.\n", encoding="utf-8")
    doc = read_source(path)
    assert (doc.kind, doc.title, doc.posts) == ("forum", "A thread", [])
    assert [s.text for s in doc.sections] == ["Just some text, no posts."]
    path.write_text("---\ntitle: A thread\nkind: forum\n---\n\n", encoding="utf-8")
    with pytest.raises(UnreadableSource, match="no text"):
        read_source(path)


def test_unknown_front_matter_keys_and_extra_comments_are_tolerated(tmp_path):
    path = tmp_path / "policy.md"
    path.write_text(
        "---\ntitle: Fees\nkind: policy\nasks: [who pays the fee?, is arbitration free]\nreviewer: mod_anna\n---\n"
        "# 4. Fees\n\n## 4.1 Who pays\n<!-- facts: F27 -->\n<!-- asks: who pays | is it split -->\n"
        "The fee is split between the freelancer and the client.\n",
        encoding="utf-8",
    )
    doc = read_source(path)
    assert [(s.label, s.text, s.facts) for s in doc.sections] == [
        ("4.1 Who pays", "The fee is split between the freelancer and the client.", ("F27",))
    ]


def test_an_asks_comment_shown_inside_a_code_example_is_not_a_phrasing(tmp_path):
    # knowledge/README.md shows a policy section as a fenced example; its asks belong to the example, not to
    # the README (the old line-regex parser indexed them as phrasings of the README section).
    path = tmp_path / "howto.md"
    path.write_text(
        "# How to write a section\n\n## Example\nA section looks like this:\n\n```\n## 4.1 Title\n"
        "<!-- asks:\n- how much does arbitration cost\n-->\nText.\n```\n",
        encoding="utf-8",
    )
    (example,) = read_source(path).sections
    assert example.asks == ()
    assert "<!-- asks:" in example.text and "- how much does arbitration cost" in example.text


def test_lists_tables_and_quotes_read_as_plain_lines(tmp_path):
    path = tmp_path / "notes.md"
    path.write_text(
        "# Notes\n\n## 1.1 Evidence\n"
        "Keep *these* [files](https://x.example) &amp; logs:\n\n"
        "* the delivery\n  1) the zip\n  2) the link\n* the messages\n\n"
        "| Step | Days |\n|------|-----:|\n| Review | 14 |\n\n"
        "> Quoted\n> advice.\n\n---\n\n![a screenshot](shot.png)\n",
        encoding="utf-8",
    )
    (section,) = read_source(path).sections
    assert section.text == (
        "Keep these files & logs:\n\n- the delivery\n1) the zip\n2) the link\n- the messages\n\n"
        "Step | Days\n\nReview | 14\n\nQuoted advice.\n\na screenshot"
    )
