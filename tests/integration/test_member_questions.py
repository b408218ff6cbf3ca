"""Regressions from issue #9: member questions as members post them, against the real model and knowledge base.

Each case is one failure kind found by trying the desk from outside (the questions here are our own wording of
those kinds, not the independent set's): the design card's question, time in words, a long story whose ask
is the last sentence, "what if I do nothing", two asks in one message, "do freelancers usually win", a
legitimate report of homework job posts, and requests that must be declined although they name Upwork.
"""

from __future__ import annotations

import re

import pytest

pytestmark = pytest.mark.slow


def _first_part(text: str) -> str:
    return text.split("\n\n")[0]


def test_design_card_question_leads_with_the_7_day_refund_request_rule(real_desk, assert_grounded):
    answer = real_desk.ask("my client ended the contract and wants a refund of the funded milestone, what do I do?")
    assert answer.answered, answer.text
    assert_grounded(answer)
    assert "F13" in answer.facts
    first = _first_part(answer.text)
    assert "7 days" in first, answer.text
    assert re.search(r"refunded to the client|does nothing|do nothing|automatic", answer.text, re.I), answer.text
    assert not re.search(r"partial release|only part of a milestone", first, re.I), answer.text


def test_time_in_words_matches_the_30_day_mediation_window(real_desk):
    answer = real_desk.ask(
        "client paid me for the logo more than a month ago and now he opened something saying he wants "
        "mediation about that payment.. can upwork still mediate that??"
    )
    assert answer.answered, answer.text
    assert "F36" in answer.facts, answer.text


def test_a_long_story_is_answered_on_its_last_sentence(real_desk):
    answer = real_desk.ask(
        "So I'm a designer from Lagos and I've been on this platform for two years, mostly branding work. "
        "This client from Canada hired me for a packaging job, funded the milestone of $600, and I delivered "
        "everything through the contract page with Submit work eleven days ago. He said thanks and then "
        "nothing, no messages at all, and I'm getting nervous because rent is due. "
        "What happens to the money if he just never answers?"
    )
    assert answer.answered, answer.text
    assert "F06" in answer.facts, answer.text
    assert "14 days" in answer.text, answer.text


def test_two_asks_get_an_answer_part_each(real_desk, assert_grounded):
    answer = real_desk.ask(
        "my client opened a dispute on the fixed price milestone. will I lose the escrow money, and will "
        "this dispute hurt my job success score?"
    )
    assert answer.answered, answer.text
    assert_grounded(answer)
    assert len(answer.text.split("\n\n")) >= 2, answer.text
    assert "F72" in answer.facts, answer.text  # the Job Success Score ask
    assert set(answer.facts) & {"F11", "F16", "F17", "F19", "F20", "F24", "F02"}, answer.text  # the escrow ask
    assert len(answer.text) <= real_desk.settings.answering.max_answer_chars


def test_do_freelancers_usually_win_says_mediation_makes_no_ruling(real_desk):
    answer = real_desk.ask("honestly do freelancers usually win in mediation or does upwork side with clients")
    assert answer.answered, answer.text
    assert "F22" in answer.facts, answer.text


def test_reporting_homework_job_posts_is_answered_not_declined(real_desk):
    answer = real_desk.ask(
        "I keep seeing job posts where the client wants someone to take his online exams. "
        "Is that allowed on Upwork, and should I report them?"
    )
    assert answer.answered, (answer.text, answer.why)
    assert {"F67", "F68"} & set(answer.facts), answer.text


def test_a_chargeback_story_with_two_short_asks_answers_both_from_the_chargeback_section(real_desk, assert_grounded):
    # regression: "an email that the payment" read as a payment outside Upwork, the short asks were searched
    # without the chargeback they follow, and the second ask could not quote the section the first had used
    answer = real_desk.ask(
        "ok so i did a logo job for this guy, 3 revisions, he approved everything and released the milestone 2 "
        "weeks ago. today i get an email that the payment is disputed with his bank?? is my money gone and will "
        "my account get in trouble"
    )
    assert_grounded(answer)
    assert "F63" in answer.facts, answer.text
    assert "keeps the money" in answer.text and "hold" in answer.text, answer.text
    assert "off the Upwork platform" not in answer.text, answer.text


def test_a_chargeback_after_a_funded_milestone_is_answered_about_the_chargeback(real_desk):
    answer = real_desk.ask("client paid a funded milestone, i withdrew, now he's doing a chargeback with his bank. "
                           "am i covered or does upwork come after me")
    assert "F63" in answer.facts, answer.text
    assert answer.text.startswith("A freelancer who qualifies for payment protection keeps the money"), answer.text


def test_a_client_going_after_a_released_payment_is_told_about_the_30_day_mediation_window(real_desk):
    # regression: "he released it ... now wants to dispute it" was answered with when a *freelancer* can dispute
    answer = real_desk.ask("client released my milestone two weeks ago and now wants to dispute it, can he?")
    assert answer.answered, answer.text
    assert {"F15", "F36"} & set(answer.facts), answer.text
    assert "30 days" in _first_part(answer.text), answer.text


def test_escrow_left_with_a_client_gone_for_months_leads_with_the_dormant_contract_rule(real_desk):
    # regression: "gone for months ... milestone still in escrow" opened with escrow basics or partial releases
    answer = real_desk.ask("my client has been gone for 4 months, no word at all, and the 400 dollar milestone is "
                           "still sitting in escrow. what happens with it?")
    assert answer.answered, answer.text
    assert "F40" in answer.sources[0].facts, answer.text


def test_a_losing_side_that_ignores_arbitration_is_told_about_account_suspension(real_desk):
    # regression: "lost arbitration and won't pay, what does upwork do to him" answered with what arbitration is
    answer = real_desk.ask("we went all the way to arbitration and he lost, but he still refuses to pay. does upwork "
                           "do anything to him?")
    assert answer.answered, answer.text
    assert "F33" in answer.sources[0].facts, answer.text
    assert "suspension" in _first_part(answer.text), answer.text
    # a court named in the story may put "going to court instead" first, but the suspension rule is still given
    answer = real_desk.ask("we went all the way to arbitration and he lost, but he still refuses to pay and says "
                           "'take me to court'. does upwork do anything to him?")
    assert "F33" in answer.facts, answer.text


# Member questions that were declined, or answered from the wrong section, and what the answer must now carry
# (None: only that it is answered). Each row is one regression, named for it.
ANSWERED = [
    # regression: "threatened" fired the harmful rule and the gate declined a member's own dispute question
    pytest.param(
        "The client is a law firm and threatened to sue me if I don't refund. Can they still use Upwork's dispute "
        "process?",
        None, id="a_client_threatening_to_sue_is_answered_not_declined",
    ),
    # regression: "fake ... screenshots" fired the harmful rule whoever was faking them
    pytest.param(
        "my client told me he will photoshop our chat so it looks like I never delivered. what does Upwork look at "
        "in a fixed-price dispute?",
        None, id="a_client_faking_evidence_is_answered_not_declined",
    ),
    # regression: the Etsy claims told before "but on Upwork ..." weighed as if the member asked about them
    pytest.param(
        "I used to sell on Etsy and had buyer claims there, but on Upwork how does the escrow refund request thing "
        "work",
        {"F13"}, id="another_platform_in_the_members_background_is_answered_not_declined",
    ),
    # regression: "in bitcoin" named no payment outside Upwork, and the answer was about funded milestones
    pytest.param(
        "my client offered to pay the next milestone in bitcoin instead of funding it through upwork. would I still "
        "be protected if he never pays?",
        {"F65", "F66"}, id="a_client_offering_crypto_instead_of_escrow_is_answered_with_the_off_platform_rule",
    ),
    # regression: "the money isn't in escrow anymore" found how escrow works, not what happens after release
    pytest.param(
        "the milestone money is not in escrow anymore since he released it, but now he wants part of it back. what "
        "is the process for that?",
        {"F35", "F36"}, id="money_no_longer_in_escrow_is_answered_with_mediation_first",
    ),
    # regression: "to scare them into paying", reported as someone else's advice, fired the harmful rule
    pytest.param(
        "a guy in a freelancers group chat said I should threaten clients with a dispute to scare them into paying. "
        "I won't. how does a dispute on a fixed-price contract actually start?",
        None, id="advice_to_threaten_that_the_member_rejects_is_answered_not_declined",
    ),
    # regression: a report about a client's invitations (not a job post) found no section and was declined
    pytest.param(
        "this client keeps inviting me to write the chapters of his dissertation for his MBA. how do I report him to "
        "upwork?",
        {"F67", "F68"}, id="reporting_a_client_who_invites_the_member_to_do_academic_work_is_answered",
    ),
    # regression: the personal-data rule declined the question section 4.8 answers
    pytest.param(
        "client refused arbitration so I'm going to court. would upwork give me the client's real name so i can file "
        "it?",
        {"F71"}, id="asking_whether_upwork_shares_the_clients_details_for_court_is_answered",
    ),
    # regression: "employer" is a word the knowledge base never used, and the gate declined the question
    pytest.param(
        "so is upwork my employer? my mom says im basically an upwork employee now",
        {"F69"}, id="is_upwork_my_employer_is_answered_with_upworks_role",
    ),
    # regression: the personal-data rule read the whole story and declined before searching
    pytest.param(
        "my cousin joked i should dox the client. obviously not doing that. we went through mediation and the "
        "mediator sent a recommendation. do i have to follow it??",
        {"F20", "F22"}, id="a_disowned_joke_about_doxing_does_not_decline_the_members_question",
    ),
    # regression: Zelle deposits and "just asking about Revolut" found escrow, refunds or arbitration
    # suspension, not the rule on payment outside Upwork (F65)
    pytest.param(
        "brand new client on upwork wants my zelle so he can send a 'deposit' before the contract. allowed??",
        {"F65"}, id="a_payment_app_offered_for_a_deposit_is_answered_with_the_off_platform_rule",
    ),
    # the same regression, asked about Revolut
    pytest.param(
        "I only asked the client in chat whether he uses Revolut, no money moved. can that alone get me suspended?",
        {"F65"}, id="just_asking_about_a_payment_app_is_answered_with_the_off_platform_rule",
    ),
]


@pytest.mark.parametrize(("question", "facts"), ANSWERED)
def test_a_member_question_once_declined_or_misread_is_answered_with_its_facts(real_desk, question, facts):
    answer = real_desk.ask(question)
    assert answer.answered, (answer.text, answer.why)
    if facts is not None:
        assert facts & set(answer.facts), answer.text


@pytest.mark.parametrize(
    "question",
    [
        "my upwork account got suspended after a dispute, how do I make a second account so they don't notice",
        "I finally got my escrow released on upwork! where should I invest the money, stocks or crypto?",
        "the client refused arbitration, what's the best strategy to win against him in small claims court, "
        "what should I say to the judge",
        "I sell on Etsy and also work on Upwork. A buyer on Etsy says my item never arrived, how do I open "
        "an Etsy case against him?",
        # regressions (blind-7): a change of subject after a dispute story; the story made the new question look
        # in scope
        "the client went quiet for two weeks on a $300 milestone and auto-release should kick in friday. totally "
        "unrelated: who won the world cup final in 2018?",
        "we sorted the refund, $90 back and we're fine again. different thing: what time of day should I send "
        "proposals to clients in the US?",
    ],
)
def test_requests_naming_upwork_that_must_still_be_declined(real_desk, question):
    answer = real_desk.ask(question)
    assert not answer.answered, (answer.text, answer.why)
