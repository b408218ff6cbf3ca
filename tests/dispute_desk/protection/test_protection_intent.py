"""Which messages should be offered the guided check instead of (or besides) a searched answer."""

from __future__ import annotations

import pytest

from dispute_desk.protection import is_protection_question


@pytest.mark.parametrize(
    "text",
    [
        "am I protected?",
        "Am i protected if the client ends the contract?",
        "Hi! am I still protected after the client asked for changes",
        "Will I be covered if he never releases the milestone?",
        "are we protected on this one?",
        "Is my payment protected?",
        "is my money protected if the client disappears",
        "Are my hours covered? I used the desktop app",
        "will this milestone be protected once it's funded",
        "Do I have payment protection on a direct contract?",
        "do I get hourly protection for manual time?",
        "Does hourly protection cover me if I forgot memos?",
        "Do my hours qualify for Hourly Payment Protection?",
        "I’m worried — am I protected?",  # typographic punctuation does not matter
        "AM   I   PROTECTED",
    ],
)
def test_first_person_protection_questions_are_recognised(text: str) -> None:
    assert is_protection_question(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "What is Hourly Payment Protection?",
        "How does fixed-price protection work?",
        "What does protected mean in the ToS?",
        "The client opened a dispute, what now?",
        "Is the arbitration fee still $291?",
        "How long does mediation take?",
        "who is protected by escrow, the client or the freelancer?",
    ],
)
def test_general_questions_are_left_to_the_answering_path(text: str) -> None:
    assert not is_protection_question(text)
