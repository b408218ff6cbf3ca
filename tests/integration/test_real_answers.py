"""Answer quality with the real bundled model over the bundled knowledge base (built once per session)."""

from __future__ import annotations

import re

import pytest

from dispute_desk.sentences import split_sentences
from dispute_desk.settings import PROJECT_DIR

pytestmark = pytest.mark.slow


def test_arbitration_fee_gives_the_current_rule_before_the_old_figure(real_desk, assert_grounded):
    answer = real_desk.ask("Who pays for arbitration and how much is it?")
    assert answer.answered, answer.text
    assert_grounded(answer)
    text = answer.text
    current = re.search(
        r"split between the freelancer and the client|no (fixed|current|published)[^.]*(fee|figure)",
        text,
        re.IGNORECASE,
    )
    assert current, text
    if "$291" in text:
        assert current.start() < text.index("$291"), text
        for sentence in split_sentences(text):
            if "$291" in sentence:
                assert re.search(
                    r"\b(older|outdated|earlier|previous(ly)?|no longer|unofficial)\b",
                    sentence,
                    re.IGNORECASE,
                ), f"$291 stated as if current: {sentence!r}"
    assert {"F26", "F27"} & set(answer.facts)


def test_the_us_canada_cap_myth_is_not_affirmed(real_desk, assert_grounded):
    answer = real_desk.ask("Is hourly protection only for US and Canada freelancers with a $3000 cap?")
    assert answer.answered, answer.text
    assert_grounded(answer)
    assert any("F80" in s.facts for s in answer.sources), [s.label() for s in answer.sources]
    assert re.search(r"\b(no|myth|does not|doesn't|not)\b", answer.text, re.IGNORECASE), answer.text
    assert not re.search(r"\b(yes|that's right|that is right|correct)\b", answer.text, re.IGNORECASE), (
        answer.text
    )


def test_mediation_versus_dispute_cites_the_difference(real_desk, assert_grounded):
    answer = real_desk.ask("mediation vs dispute - what's the difference?")
    assert answer.answered, answer.text
    assert_grounded(answer)
    assert any("F39" in s.facts for s in answer.sources), [s.label() for s in answer.sources]
    assert re.search(r"\bmediation\b", answer.text, re.IGNORECASE)
    assert re.search(r"\bdispute\b", answer.text, re.IGNORECASE)


def test_pizza_is_declined(real_desk):
    answer = real_desk.ask("Can you recommend a good pizza place in Berlin?")
    assert answer.answered is False
    assert answer.reason == "off_topic"
    assert answer.text == (PROJECT_DIR / "prompts" / "decline.txt").read_text(encoding="utf-8").strip()
    assert answer.sources == ()


def test_sources_point_at_the_knowledge_base(real_desk, assert_grounded):
    answer = real_desk.ask("How many days does my client have to review a submitted milestone?")
    assert answer.answered
    assert_grounded(answer)
    assert "14" in answer.text
    assert {"F05", "F06"} & {fact for s in answer.sources for fact in s.facts}
    for source in answer.sources:
        assert source.kind in ("policy", "forum", "faq", "other")
        assert source.title and source.text
        assert 0.0 < source.score <= 1.0


def test_a_follow_up_question_is_answered_in_context(real_desk, assert_grounded):
    first = "Who pays for arbitration and how much is it?"
    answer = real_desk.ask("and what if only one side pays?", context=first)
    assert answer.answered, answer.text
    assert_grounded(answer)
    assert re.search(r"\b(paid|pays|pay)\b", answer.text)
