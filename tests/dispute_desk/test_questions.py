"""Reading member questions: asks versus story, two asks in one sentence, member wording mapped to policy words."""

from __future__ import annotations

import pytest

from dispute_desk.questions import Vocabulary, new_subject, understand
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


@pytest.mark.parametrize(
    "sentence",
    ["was angry enough to post his name on twitter last night.", "did her whole brand kit, two milestones paid.",
     "was gonna put my first upwork money into index funds."],
)
def test_a_story_sentence_opening_without_i_is_not_an_ask(sentence):
    # regression: "was ..."/"did ..." statements matched the question openers and were searched as asks
    question = understand(f"{sentence} now the client wants a refund of the escrow. what do I do?")
    assert question.asks == ("what do I do?",)
    assert understand("was the refund request sent to me too?").asks == ("was the refund request sent to me too?",)


def test_a_stolen_laptop_is_not_a_scam():
    # regression: "someone stole my laptop with the project files" was read as the client cheating the member
    assert "dispute protection" not in VOCABULARY.expand("someone broke into my car and stole my laptop with the files")
    assert "protection" in VOCABULARY.expand("the client stole my design and never paid")


def test_being_called_an_upwork_employee_is_not_an_upwork_staffer_in_the_middle():
    # regression: "my mom says im basically an upwork employee now" read as an Upwork person stepping in (mediation)
    said = "is upwork my employer? my mom says im basically an upwork employee now"
    assert "mediation" not in VOCABULARY.expand(said)
    assert "mediation" not in VOCABULARY.expand("am i kind of an upwork employee?")
    assert "mediation" in VOCABULARY.expand("an upwork employee joined the chat and asked for the files")


def test_an_order_to_the_desk_is_an_ask():
    # regression: "give me his phone number." before a dispute question was read as story, so the hard rules
    # (which read only the asks) let it through
    question = understand("give me his phone number. the client disputed my milestone, what happens next?")
    assert question.asks[0] == "give me his phone number."
    assert understand("write my essay on escrow law. thanks").asks[0] == "write my essay on escrow law."


@pytest.mark.parametrize(
    ("text", "ask", "aside"),
    [
        # regression: the world cup was the ask and "whats the smallest amount a milestone can be" was story
        ("love this discord btw, also is anyone watching the world cup? anyway quick one: whats the smallest amount "
         "a milestone can be", "whats the smallest amount a milestone can be", "is anyone watching the world cup?"),
        # regression: the pizza was the only ask; the announced question, with no question mark, was story
        ("unrelated but does anyone know good pizza in lisbon? ok real question, upwork now says 'project funds' "
         "instead of escrow, did something change with how it works",
         "upwork now says 'project funds' instead of escrow, did something change with how it works",
         "unrelated but does anyone know good pizza in lisbon?"),
        # an aside opened with "unrelated" is small talk even with no turn back to the question
        ("unrelated but anyone got a standing desk rec? fixed price dispute filed tuesday, client hasn't said a "
         "word. how long until the escrow comes to me?", "how long until the escrow comes to me?",
         "unrelated but anyone got a standing desk rec?"),
    ],
)
def test_small_talk_before_the_real_question_is_told_not_asked(text, ask, aside):
    question = understand(text)
    assert question.asks == (ask,)
    assert aside in question.asides and aside in question.context


@pytest.mark.parametrize(
    "text",
    ["unrelated but what is the best laptop?", "anyway", "Anyway a client approved my milestone this morning, when "
     "will I actually be able to withdraw it?"],
)
def test_a_message_that_is_only_small_talk_or_opens_with_a_marker_keeps_its_ask(text):
    question = understand(text)
    assert len(question.asks) == 1 and not question.asides
    assert question.asks[0] in text


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("refund sorted, $150 back. different thing: what's the best time to send proposals?",
         "what's the best time to send proposals?"),
        ("dispute's done. back to job hunting now: how many connects does a proposal cost",
         "how many connects does a proposal cost"),
        ("the client asked for my passport (weird?). Separate question: do I need the ID verification badge for "
         "hourly protection?", "do I need the ID verification badge for hourly protection?"),
        ("i invest a bit in stocks. unrelated: client raised my weekly limit yesterday, does it apply now?",
         "client raised my weekly limit yesterday, does it apply now?"),
    ],
)
def test_a_change_of_subject_starts_a_question_of_its_own(text, subject):
    assert new_subject(text) == subject


@pytest.mark.parametrize(
    "text",
    [
        "i also sell on etsy (totally unrelated, candles lol). on upwork, a client approved my milestone, how long?",
        "unrelated but anyone got a standing desk rec? anyway, the dispute: how long until escrow comes back?",
        "the client disputed my hours. what is the difference between a dispute and mediation?",
        "unrelated:",
    ],
)
def test_no_change_of_subject_in_an_aside_or_a_plain_question(text):
    assert new_subject(text) is None


def test_a_short_ask_after_an_aside_is_searched_with_the_whole_message():
    # regression: "... pay that invoice by bank transfer direct, not upwork. we met here 5 months ago. allowed?" was
    # searched as "we met here 5 months ago. allowed? 180 days", which found hourly refunds
    text = ("client wants a pdf invoice from me for his accounting, fine. but he also asks if next project he can "
            "pay that invoice by bank transfer direct, not upwork. we met here 5 months ago. allowed?")
    (query,) = understand(text).ask_queries()
    assert query == text
    # a short ask right after the sentence naming the problem still carries just that sentence
    first, = understand("the client opened a dispute on my milestone yesterday. what now?").ask_queries()
    assert first == "the client opened a dispute on my milestone yesterday. what now?"


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


@pytest.mark.parametrize(
    ("member_words", "meaning"),
    [
        # members' own words for the process, found on a development set of member questions
        ("he wants upwork to step in now", "mediation"),
        ("the specialist's suggestion is that we split it", "recommendation neither side has to follow"),
        ("i got his money-back request yesterday", "escrow refund"),
        ("he says he'll take the locked money back", "escrow"),
        ("he paid two weeks in advance on my hourly contract", "weekly payments not protected"),
        ("he asked me to send the money back on paypal", "refunds outside Upwork"),
        ("my client wants to hire me directly after a year", "outside Upwork"),
        ("he offered bitcoin for the next milestone, pay me that way", "outside Upwork"),
        ("i filed a complaint and he said no", "dispute"),
        ("we won the outside decision last month", "arbitration"),
        # the losing side not doing what arbitration decided -> the suspension rule
        ("client lost the arbitration and still won't pay", "account suspension"),
        ("the arbitrator decided for him. what if i just don't refund?", "account suspension"),
        ("he says he'll ignore the ruling", "not following the arbitration decision"),
        # asking whether Upwork will take the member's side -> mediators make no ruling
        ("will the mediator decide the client is lying?", "neutral arbitrator binding decision"),
        ("will upwork have my back here", "neutral"),
        # hours contested or challenged -> an hourly dispute
        ("client is contesting 15 hours, if i say no what happens", "hourly dispute"),
        ("he challenged my tracked hours from last week", "dispute of"),
        # the client ended the contract and keeps the escrow -> his escrow refund request
        ("client ended contract, kept escrow. help??", "refund request"),
        ("he closed the job and wants all the milestone money back", "escrow request"),
        # the client ignoring a submission -> automatic release; "the holding thing" -> escrow
        ("he just keeps ignoring it on the site", "does nothing within the deadline"),
        ("i pressed submit 10 days ago and hes clicked nothing since", "automatically"),
        ("what happens to the money in the holding thing", "escrow"),
        # "does he already own it" -> who owns the work
        ("does he already own the work from the paid milestones?", "ownership"),
        ("client paid half, he own it already or not?", "intellectual property"),
        # mediation over without a deal -> arbitration is next
        ("the mediator emailed that we couldn't reach an agreement", "arbitration next step"),
        ("mediation fell apart last week, what now", "no resolution reached"),
        # delivering outside the Submit work button, and money off the site without an app's name
        ("i emailed him the pdf with the files, does that count as submitting?", "Submit work button"),
        ("he said dont click submit, just send it on whatsapp", "review period starts"),
        ("he wants to pay that invoice by bank transfer direct, not upwork", "circumvention"),
        ("i sent my own invoice outside upwork for a small extra", "circumvention"),
    ],
)
def test_members_words_for_the_process_add_the_knowledge_bases_words(member_words, meaning):
    assert meaning in VOCABULARY.expand(member_words)


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


# Member wording for situations the knowledge base covers, with no word in common with the section that answers it.
# Each vocabulary rule added for issue #9 has one sentence here and the knowledge-base words it must bring.
MEMBER_WORDING = [
    ("i already sent it back to the client last night", "refund"),
    ("client is asking for his deposit back after i delivered", "refund request"),
    ("his bank pulled it back after he paid me", "chargeback"),
    ("the payment got reversed on his credit card", "chargeback"),
    ("upwork froze my money after the client complained", "hold suspension"),
    ("my account got suspended out of nowhere", "suspension"),
    ("do I really want the paid decision thing or is it a waste", "arbitration arbitrator binding"),
    ("can a third party judge look at my work?", "arbitration"),
    ("can the upwork guy in the middle force him to pay", "mediation mediator"),
    ("is there a middle man who can help us settle this", "mediation mediator"),
    ("the screenshot app was running the whole time", "desktop Work Diary"),
    ("he set a weekly cap of 10 hours and i went past it", "limit"),
    ("client never clicked approve on the milestone", "does nothing within the deadline automatically"),
    ("he closed the job on me after i delivered", "client ended the contract"),
    ("the client walked away halfway through the project", "ended the contract"),
    ("he left me 1 star after i asked to be paid", "feedback Job Success Score"),
    ("my success rate dropped after this client", "Job"),
    ("he paid me off the site for the second half", "payment outside Upwork circumvention"),
    ("how much is the buyout to hire him outside", "Conversion Fee"),
    ("the client put down a deposit for the first part", "escrow funded milestone"),
    ("the contract has been inactive for ages", "dormant"),
    ("he released only half the milestone", "partial"),
    ("i sent the files by email and he says he never got them", "Submit work review period"),
    ("client keeps asking for more revisions on the logo", "changes review period"),
    ("he keeps adding extra work that was not what we agreed", "milestone description scope"),
    ("client says the work is bad quality and wants a refund", "evidence"),
    ("i have proof that i delivered everything", "evidence"),
    ("will screenshots of our chat help my case", "evidence"),
    ("there is no dispute button on my contract page", "support ticket mediation"),
    ("i opened a ticket with customer service", "support"),
    ("my payment is stuck and i cant withdraw", "pending hold"),
    ("client says i padded my hours", "hourly dispute"),
    ("how do i remove the hours i logged by mistake", "delete time Work Diary"),
    ("i brought my own client to upwork", "Direct Contract"),
    ("he is still using my logo after the refund", "ownership of work full payment"),
    ("will it auto release if the client does not click anything", "automatic automatically"),
    ("the client's card was declined so the contract stopped", "account problem payment method paused"),
    ("he sent me a $50 tip through upwork", "bonus"),
    ("do i need to verify my id to be protected", "ID Verification Badge"),
    ("is there a payment guarantee for hourly work", "protection"),
    ("will upwork pick a side in this", "mediator does not decide neutral"),
    # regressions (blind-7): emailing the files as a verb, and reusing work after a refund
    ("she wants me to just email final files to her instead of upwork", "Submit work review period"),
    ("after the full refund can i reuse the illustrations or sell them", "ownership of work"),
    ("can i put the logo in my portfolio now", "ownership of work"),
]


@pytest.mark.parametrize(("said", "words"), MEMBER_WORDING)
def test_member_wording_brings_the_knowledge_base_words(said, words):
    expansion = VOCABULARY.expand(said).lower().split()
    assert all(word in expansion for word in words.lower().split()), (said, expansion)


ORDINARY = [
    "I finished the logo and the client said thanks, great job",
    "The client sent me a message with feedback on the first draft",
    "He paid me on time every week, no issues",
    "I put a lot of effort into this project",
    "I sent the invoice and he paid it",
    "I used the money to pay my rent",
    "the client is nice and we talk on zoom every day",
    "any tips for a new freelancer?",
    "what happens after the client approves the milestone",
    "The client left a review",
    "I sent him a proposal in chat",
    "the client hates meetings",
    "I had no option but to accept the offer",
    "how do I avoid fees when withdrawing to my bank",
    "I paid some bills with my earnings",
    "can you give me a tip on writing proposals?",
    "the client was very happy with what we agreed",
    "take down the job post",
]


@pytest.mark.parametrize("said", ORDINARY)
def test_ordinary_sentences_gain_no_knowledge_base_words(said):
    assert VOCABULARY.expand(said) == ""


def test_money_given_back_is_a_refund_not_a_chargeback():
    # regression: any "money back" brought "chargeback", so a freelancer who refunded the client was searched as
    # a bank reversal
    assert "chargeback" not in VOCABULARY.expand("i already sent the money back to him last night")
    assert "chargeback" in VOCABULARY.expand("the client took my money back")
    assert "diary" not in VOCABULARY.expand("will screenshots of our chat help my case").lower()
    assert "diary" in VOCABULARY.expand("i have all the screenshots of my hours").lower()
