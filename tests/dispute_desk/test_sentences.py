"""One sentence splitter and one length budget for the answerer and ingest; one date reader for both layers."""

from __future__ import annotations

from datetime import date

import pytest

from dispute_desk.dates import parse_date
from dispute_desk.sentences import sentences, split_long, split_sentences


def test_a_quoted_sentence_keeps_its_closing_quote():
    # The answer quotes sentences verbatim: an unbalanced quote reads like a copy error.
    assert split_sentences('The notice says "Funds are released." Then the money is yours.') == [
        'The notice says "Funds are released."',
        "Then the money is yours.",
    ]


def test_abbreviations_and_amounts_do_not_end_a_sentence():
    text = "Fees apply, e.g. Upwork keeps 10%. The minimum is $5.00 per milestone (see §6.2). Done."
    assert sentences(text) == [
        "Fees apply, e.g. Upwork keeps 10%.",
        "The minimum is $5.00 per milestone (see §6.2).",
        "Done.",
    ]


def test_split_long_by_words_cuts_at_sentence_ends_and_loses_nothing():
    text = " ".join(f"Sentence {i} says one more thing about the weekly invoice." for i in range(40))
    pieces = split_long(text, 50)
    assert len(pieces) > 1
    assert all(len(p.split()) <= 50 for p in pieces)
    assert all(p.endswith("invoice.") for p in pieces)
    assert " ".join(pieces) == text


def test_split_long_by_characters_keeps_paragraphs_that_fit_whole():
    paragraphs = [f"Paragraph {i}. " + "The client has fourteen days to review. " * 5 for i in range(6)]
    text = "\n\n".join(p.strip() for p in paragraphs)
    pieces = split_long(text, 500, size=len)
    assert all(len(p) <= 500 for p in pieces)
    assert all(p.startswith("Paragraph ") for p in pieces)  # cut between paragraphs, not inside one
    assert "\n\n".join(pieces) == text


def test_a_single_endless_word_is_cut_hard():
    assert split_long("x" * 25, 10, size=len) == ["x" * 10, "x" * 10, "x" * 5]


def test_text_within_the_limit_is_returned_as_is():
    assert split_long("  Short one.\n- a list\n", 50) == ["Short one.\n- a list"]
    assert split_long("   ", 50) == []


@pytest.mark.parametrize(
    ("text", "day"),
    [
        ("Nov 2, 2026 08:45 AM", date(2026, 11, 2)),
        ("posted on 2 November 2026", date(2026, 11, 2)),
        ("11/02/2026", date(2026, 11, 2)),
        ("2026-11-02T08:45:00Z", date(2026, 11, 2)),
        ("Community Member", None),
        ("Nov 31, 2026", None),
    ],
)
def test_forum_date_lines(text, day):
    assert parse_date(text) == day


def test_iso_only_refuses_a_date_that_could_be_two_months():
    assert parse_date("2026-03-04", iso_only=True) == date(2026, 3, 4)
    assert parse_date("03/04/2026", iso_only=True) is None
    assert parse_date("03/04/2026") == date(2026, 3, 4)  # a forum header: US order, as the forums write it
