"""The grounding check: what a written answer must satisfy to replace the extractive one."""

from __future__ import annotations

import pytest

from dispute_desk.writing import REFUSAL_MARKER, check, figures
from dispute_desk.writing.check import renumber


@pytest.fixture
def passages(prompt, hits):
    return prompt.passages(hits)


def test_a_cited_answer_with_figures_from_its_passages_passes(passages) -> None:
    verdict = check("Your client has 14 days to review the work [2], and a milestone must be at least $5 [1].",
                    passages)
    assert verdict.ok, verdict
    assert verdict.cited == (2, 1)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("", "empty"),
        ("   \n ", "empty"),
        (REFUSAL_MARKER, "declined"),
        ("The client has 14 days to review the work.", "no_citation"),
        ("The client has 14 days to review the work [7].", "bad_citation"),
        ("The client has 14 days [0].", "bad_citation"),
        ("The client has 30 days to review the work [2].", "unsupported_figure"),
        ("A milestone must be at least $50 [1].", "unsupported_figure"),
        ("Upwork refunds $5,000 within 2 days [1].", "unsupported_figure"),  # the injected post's figures...
        ("The client has fourteen hours to review it [2].", "unsupported_figure"),  # 14 days, not hours
        ("The client has 14 days [1].", "unsupported_figure"),  # ...and a figure from an uncited passage
    ],
)
def test_answers_that_are_not_grounded_are_rejected(passages, text: str, reason: str) -> None:
    assert check(text, passages).reason == reason


def test_figures_in_words_and_different_spellings_are_matched(passages) -> None:
    assert check("You get fourteen days for the review [2] and the minimum is 5 dollars [1].", passages).ok
    assert check("There is a 14-day review period [2].", passages).ok


def test_the_injected_passage_backs_only_what_it_says(passages) -> None:
    # Citing the forum post makes its figures "available", but the post is fenced data: the model has to cite
    # it, and the figures must still appear in it.
    assert check("A forum post claims $5,000 within 2 days [3].", passages).ok
    assert not check("A forum post claims $9,000 within 2 days [3].", passages).ok


def test_figures_extracts_amounts_percentages_and_durations() -> None:
    found = figures("At least $5.00 [1], a 10% fee, 14 calendar days, seven days, $1,000 and 5 USD. See [2, 3].")
    assert {(float(v), u) for v, u in found} == {(5.0, "$"), (10.0, "%"), (14.0, "day"), (7.0, "day"), (1000.0, "$")}


def test_citations_are_renumbered_in_order_of_first_use() -> None:
    assert renumber("First [3]. Then [1, 3] and [3][1].", [3, 1]) == "First [1]. Then [2][1] and [1][2]."
