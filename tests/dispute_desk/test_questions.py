"""Reading member questions: asks versus story, two asks in one sentence, member wording mapped to policy words."""

from __future__ import annotations

from dispute_desk.questions import Vocabulary, understand
from dispute_desk.settings import PROJECT_DIR

VOCABULARY = Vocabulary.from_yaml(PROJECT_DIR / "prompts" / "vocabulary.yaml")


def test_a_story_keeps_its_last_question_as_the_ask():
    q = understand(
        "I've been freelancing for two years. This client from Berlin funded a milestone and I delivered it. "
        "He has been silent since then. What happens if he never answers?"
    )
    assert q.asks == ("What happens if he never answers?",)
    assert "Berlin" in q.context


def test_the_last_sentence_is_the_ask_when_none_reads_as_one():
    q = understand("Client ended the contract. I want the escrow released to me")
    assert q.asks == ("I want the escrow released to me",)


def test_a_story_that_turns_with_but_to_the_ask_is_context():
    # regression: the whole sentence was the ask, so the Etsy story weighed as much as the Upwork question
    q = understand("I used to sell on Etsy and had buyer claims there, but on Upwork how does the escrow refund "
                   "request thing work")
    assert q.asks == ("on Upwork how does the escrow refund request thing work",)
    assert "Etsy" in q.context


def test_but_inside_the_ask_itself_is_not_split():
    q = understand("Can I refund part of it, but keep the contract open?")
    assert q.asks == ("Can I refund part of it, but keep the contract open?",)


def test_a_short_ask_after_another_ask_is_searched_with_that_ask():
    # regression: "is my money gone" was searched with the story's last statement, not the chargeback it follows
    q = understand("He approved and released the milestone 2 weeks ago. Today I got an email that the payment is "
                   "disputed with his bank?? is my money gone and will my account get in trouble")
    assert q.asks[1:] == ("is my money gone", "will my account get in trouble")
    queries = q.ask_queries()
    assert "disputed with his bank" in queries[1] and queries[1].endswith("is my money gone")
    assert queries[2].endswith("is my money gone will my account get in trouble")


def test_a_short_ask_carries_the_opening_sentence_that_sets_the_scene():
    # regression: "what happens now" was searched with "i have all the screenshots", not with the hourly dispute
    q = understand("client opened dispute on my hourly contract saying i padded hours. i have all the screenshots "
                   "in work diary. what happens now and do i lose the money??")
    first, second = q.ask_queries()
    assert first.startswith("client opened dispute on my hourly contract")
    assert "screenshots" in first and first.endswith("what happens now")
    assert second.startswith("client opened dispute on my hourly contract")


def test_a_bank_dispute_means_a_chargeback_and_an_email_is_not_a_payment_outside_upwork():
    expansion = VOCABULARY.expand("today i got an email that the payment is disputed with his bank")
    assert "chargeback" in expansion
    assert "circumvention" not in expansion
    assert "circumvention" in VOCABULARY.expand("he wants to pay me on whatsapp outside upwork")
    assert "outside Upwork" in VOCABULARY.expand("client offered to pay through venmo")
    # regression: a payment named before the app ("pay me ... through wise") was not read as one outside Upwork
    assert "outside Upwork" in VOCABULARY.expand("says he'll pay me directly through wise for the rest")


def test_the_vocabulary_adds_only_words_the_member_did_not_use():
    # regression: "funded milestone" gained "escrow milestone funded", doubling the story's words, and a
    # chargeback question was answered about funding milestones
    expansion = VOCABULARY.expand("client paid a funded milestone, now he's doing a chargeback with his bank")
    assert "escrow" in expansion.split()
    assert "milestone" not in expansion.split() and "funded" not in expansion.split()


def test_an_ask_that_names_no_problem_carries_the_sentence_that_does():
    q = understand("client ghosted for like 3 months, escrow still loaded. if i just chill does the money come to "
                   "me eventually?")
    (query,) = q.ask_queries()
    assert query.startswith("client ghosted for like 3 months")


def test_two_asks_in_one_sentence_are_split():
    q = understand("will I lose the escrow money, and will this dispute hurt my job success score?")
    assert q.asks == ("will I lose the escrow money", "will this dispute hurt my job success score?")
    assert len(q.ask_queries(VOCABULARY)) == 2


def test_a_short_ask_is_searched_with_the_sentence_before_it():
    q = understand("The client ended the contract and wants the funded milestone refunded. What do I do?")
    (query,) = q.ask_queries()
    assert query.startswith("The client ended the contract")


def test_time_in_words_and_slang_bring_the_policy_words():
    assert "30 days" in VOCABULARY.expand("he paid me more than a month ago")
    assert "14 days" in VOCABULARY.expand("it has been two weeks")
    assert "unresponsive" in VOCABULARY.expand("the client ghosted me")
    assert "Job Success Score" in VOCABULARY.expand("my JSS tanked")
    assert "automatically" in VOCABULARY.expand("what if I just do nothing")
    assert "automatically" in VOCABULARY.expand("if i just chill does the money come to me eventually?")
    assert "automatically" in VOCABULARY.expand("should I sit tight and wait it out")
    assert VOCABULARY.expand("how do I open a dispute") == ""
    # months without a number are past the 90-day dormancy mark; "6 months" stays 180 days
    assert "90 days" in VOCABULARY.expand("the contract has been a ghost town for months")
    assert "90 days" in VOCABULARY.expand("he vanished months ago")
    assert "90 days" not in VOCABULARY.expand("it was 6 months ago")


def test_a_plain_question_is_one_ask_with_no_extra_queries():
    q = understand("mediation vs dispute - what's the difference?")
    assert q.asks == ("mediation vs dispute - what's the difference?",)
    assert q.ask_queries() == ()


def test_inflected_never_answers_means_the_client_does_nothing():
    """Regression: "never answers" / "never replies" missed the "never answer" pattern (no -s), so "answers" was
    searched as the policy's "answering a refund request" and a story about an unanswered submission got the 7-day
    refund rule instead of the 14-day automatic release.
    """
    for said in ("what if he just never answers?", "she never replies", "the client doesn't respond", "he won't reply"):
        expansion = VOCABULARY.expand(said)
        assert "does nothing" in expansion and "automatically" in expansion, said
    assert "does nothing" not in VOCABULARY.expand("how do I answer a refund request?")


def test_member_shorthand_and_payment_apps_bring_the_policy_words():
    """Found among the gate's training misses: "arb fee?" and a bonus over Cash App were declined."""
    assert "arbitration" in VOCABULARY.expand("arb fee?")
    assert "arbitration" not in VOCABULARY.expand("the client is so arbitrary")
    assert "payment outside Upwork" in VOCABULARY.expand("he wants to send a 'bonus' on cash app, should i?")
    assert "circumvention outside Upwork" in VOCABULARY.expand("the client wants to handle small payments over Venmo")
