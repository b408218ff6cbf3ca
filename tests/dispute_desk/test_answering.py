"""Extractive answers: quoted sentences, numbered citations that match, the current rule before older ones."""

from __future__ import annotations

import re

import pytest

from dispute_desk.answering import ExtractiveAnswerer
from dispute_desk.citing import evidence_strength
from dispute_desk.lexical import BM25Index
from dispute_desk.models import Hit
from dispute_desk.sentences import split_sentences
from ingest.chunking import chunk_document
from ingest.reader import read_source

_MARKER = re.compile(r" \[(\d+)\]$")


def parts_of(text: str) -> list[tuple[str, int]]:
    """The answer as (quoted body, cited source number) pairs; fails when a part has no marker."""
    out = []
    for part in text.split("\n\n"):
        match = _MARKER.search(part)
        assert match, f"answer part without a citation marker: {part!r}"
        out.append((part[: match.start()], int(match.group(1))))
    return out


def assert_grounded(composition, max_chars: int) -> None:
    """Markers match sources, sources are numbered 1..n in order of appearance, every sentence is quoted."""
    assert composition.text
    assert len(composition.text) <= max_chars
    numbers = [number for _, number in parts_of(composition.text)]
    assert numbers == list(range(1, len(numbers) + 1))
    assert [s.number for s in composition.sources] == numbers
    for body, number in parts_of(composition.text):
        source = composition.sources[number - 1]
        for sentence in split_sentences(body):
            assert sentence in source.text, f"{sentence!r} is not quoted from source [{number}]"


# -- sentences ----------------------------------------------------------------------------------------------


def test_split_sentences_keeps_abbreviations_amounts_and_section_numbers_whole():
    text = (
        "Fees, e.g. the $5.00 minimum, follow §6.2 of the U.S. terms. The client has 14 days! "
        "Is that i.e. final? See No. 4 for details."
    )
    assert split_sentences(text) == [
        "Fees, e.g. the $5.00 minimum, follow §6.2 of the U.S. terms.",
        "The client has 14 days!",
        "Is that i.e. final?",
        "See No. 4 for details.",
    ]


def test_split_sentences_breaks_before_numbers_amounts_and_section_signs():
    assert split_sentences(
        "Escrow is released. 14 days later it pays. $5 is the minimum. § 6.2 applies."
    ) == [
        "Escrow is released.",
        "14 days later it pays.",
        "$5 is the minimum.",
        "§ 6.2 applies.",
    ]


def test_split_sentences_never_joins_paragraphs():
    assert split_sentences("First paragraph without a stop\n\nSecond paragraph.") == [
        "First paragraph without a stop",
        "Second paragraph.",
    ]


def test_split_sentences_drops_fragments():
    assert split_sentences("Ok. A real sentence here.  \n\n-\n\n") == ["Ok.", "A real sentence here."]


# -- compose ------------------------------------------------------------------------------------------------


@pytest.fixture
def tiny_chunks(tiny_knowledge):
    """The conftest's TINY_POLICY and TINY_ARBITRATION documents, chunked."""
    policy = chunk_document(read_source(tiny_knowledge / "policy" / "01-escrow.md"))
    arbitration = chunk_document(read_source(tiny_knowledge / "policy" / "02-arbitration.md"))
    return {"funding": policy[0], "review": policy[1], "arbitration": arbitration[0]}


@pytest.fixture
def bm25(tiny_chunks):
    filler = ["Hourly contracts need the desktop app.", "Pizza has nothing to do with disputes."] * 3
    return BM25Index([c.text for c in tiny_chunks.values()] + filler)


def hits_for(*chunks, dense: float = 0.8) -> list[Hit]:
    return [Hit(chunk, 1.0 - i / 10, dense=dense - i / 100) for i, chunk in enumerate(chunks)]


def test_answer_quotes_the_sources_it_cites(tiny_chunks, bm25):
    hits = hits_for(tiny_chunks["review"], tiny_chunks["funding"], tiny_chunks["arbitration"])
    composed = ExtractiveAnswerer(bm25).compose("How many days does the client have to review my work?", hits)
    assert_grounded(composed, 900)
    assert "14 days to review" in composed.text
    first = composed.sources[0]
    assert (first.title, first.section) == ("Escrow basics", "1.2 The review period")
    assert first.url == "https://support.example.invalid/review"
    assert first.kind == "policy"
    assert first.facts == ("F06",)
    assert first.score == pytest.approx(hits[0].dense)
    assert "F06" in composed.facts


def test_sources_are_numbered_in_the_order_the_answer_cites_them(tiny_chunks, bm25):
    hits = hits_for(tiny_chunks["funding"], tiny_chunks["review"], tiny_chunks["arbitration"])
    composed = ExtractiveAnswerer(bm25).compose(
        "Does the client fund the milestone into escrow and how many days to review before it is released?",
        hits,
    )
    assert_grounded(composed, 900)
    assert len(composed.sources) >= 2
    assert [s.section for s in composed.sources][:2] == ["1.1 Funding a milestone", "1.2 The review period"]
    assert set(composed.facts) >= {"F01", "F02", "F06"}


def test_answer_respects_a_small_character_budget(tiny_chunks, bm25):
    hits = hits_for(tiny_chunks["funding"], tiny_chunks["review"], tiny_chunks["arbitration"])
    composed = ExtractiveAnswerer(bm25, max_chars=200).compose(
        "escrow milestone review days funded client", hits
    )
    assert_grounded(composed, 200)


def test_older_figure_comes_only_after_the_current_rule_from_the_same_passage(tiny_chunks, bm25):
    # The question matches the "older threads" sentence, not the current rule, and the passage is not the
    # best hit: the current rule would not be picked on its own merit.
    hits = hits_for(tiny_chunks["review"], tiny_chunks["arbitration"], tiny_chunks["funding"])
    composed = ExtractiveAnswerer(bm25).compose("Is it true that each party paid $291?", hits)
    assert_grounded(composed, 900)
    assert "$291" in composed.text
    current = composed.text.index("split between the freelancer and the client")
    assert current < composed.text.index("Older forum threads quote $291")


def test_older_sentence_never_stands_alone(tiny_chunks, bm25):
    questions = [
        "Who pays for arbitration and how much is it?",
        "Is arbitration $291?",
        "older forum threads quote 291 outdated",
        "how much is the fee",
        "each party paid 291",
    ]
    orders = [("arbitration", "review"), ("review", "arbitration"), ("funding", "review", "arbitration")]
    quoted_older = 0
    for question in questions:
        for order in orders:
            composed = ExtractiveAnswerer(bm25).compose(question, hits_for(*(tiny_chunks[n] for n in order)))
            if "Older forum threads" in composed.text:
                quoted_older += 1
                assert composed.text.index("no current dollar figure") < composed.text.index(
                    "Older forum threads"
                )
    assert quoted_older >= 3  # the check above really ran


def test_member_replies_are_not_quoted_when_a_policy_passage_is_found(make_chunk, tiny_chunks, bm25):
    member = make_chunk(
        "member",
        "Arbitration costs $291 each and the client always pays it, trust me.",
        kind="forum",
        author_role="member",
        title="Who pays arbitration?",
    )
    hits = hits_for(member, tiny_chunks["arbitration"])  # the member reply even ranks first
    composed = ExtractiveAnswerer(bm25).compose("Who pays for arbitration?", hits)
    assert_grounded(composed, 900)
    assert "trust me" not in composed.text
    assert "always pays" not in composed.text
    assert [s.kind for s in composed.sources] == ["policy"]
    assert composed.sources[0].title == "Arbitration fees"


def test_staff_and_accepted_forum_answers_are_quoted(make_chunk, bm25):
    staff = make_chunk(
        "staff", "The arbitration fee is shared by both sides.", kind="forum", author_role="staff"
    )
    accepted = make_chunk(
        "acc",
        "Arbitration is offered after mediation fails.",
        kind="forum",
        author_role="member",
        accepted=True,
    )
    member = make_chunk("member", "Arbitration is free, I think.", kind="forum", author_role="member")
    composed = ExtractiveAnswerer(bm25).compose(
        "arbitration fee mediation", hits_for(member, staff, accepted)
    )
    assert_grounded(composed, 900)
    assert "I think" not in composed.text
    assert "shared by both sides" in composed.text


def test_member_replies_are_quoted_when_nothing_authoritative_was_found(make_chunk, bm25):
    member = make_chunk(
        "member",
        "I opened a dispute and the mediator called me the next day.",
        kind="forum",
        author_role="member",
    )
    composed = ExtractiveAnswerer(bm25).compose(
        "how fast does the mediator call after a dispute", hits_for(member)
    )
    assert_grounded(composed, 900)
    assert composed.sources[0].kind == "forum"


def test_no_hits_compose_nothing(bm25):
    composed = ExtractiveAnswerer(bm25).compose("anything", [])
    assert (composed.text, composed.sources, composed.facts) == ("", (), ())


@pytest.fixture
def four_release_passages(make_chunk):
    bodies = [
        "Escrow release happens fourteen days after submission unless the client acts sooner on it.",
        "A client may approve the milestone early, which makes escrow release happen straight away.",
        "Opening a dispute pauses the escrow release; it happens after mediation finishes "
        "or someone withdraws.",
        "Silence from the client means automatic escrow release happens once the review window closes.",
    ]
    chunks = [make_chunk(f"c{i}", body) for i, body in enumerate(bodies)]
    return chunks, BM25Index([c.text for c in chunks] + ["filler about pizza"] * 5)


def test_several_passages_are_all_cited(four_release_passages):
    chunks, bm25 = four_release_passages
    composed = ExtractiveAnswerer(bm25, max_chars=900).compose(
        "When does escrow release happen?", hits_for(*chunks)
    )
    assert_grounded(composed, 900)
    assert len(composed.sources) == 4


def test_citation_markers_survive_every_character_budget(four_release_passages):
    chunks, bm25 = four_release_passages
    for budget in range(200, 460, 1):
        composed = ExtractiveAnswerer(bm25, max_chars=budget).compose(
            "When does escrow release happen?", hits_for(*chunks)
        )
        assert_grounded(composed, budget)


def test_a_tight_budget_never_cuts_the_outdated_qualifier(tiny_chunks, bm25):
    hits = hits_for(tiny_chunks["review"], tiny_chunks["arbitration"], tiny_chunks["funding"])
    for budget in (200, 230, 260, 300):
        composed = ExtractiveAnswerer(bm25, max_chars=budget).compose(
            "Is it true that each party paid $291?", hits
        )
        assert_grounded(composed, budget)
        if "$291" in composed.text:
            assert "which is outdated" in composed.text


# -- evidence -----------------------------------------------------------------------------------------------


def test_evidence_strength_is_the_best_dense_similarity_among_the_top_three(make_chunk):
    chunk = make_chunk("x", "text")
    hits = [
        Hit(chunk, 1.0, dense=0.2),
        Hit(chunk, 0.9, dense=0.6),
        Hit(chunk, 0.8, dense=None),
        Hit(chunk, 0.7, dense=0.95),
    ]
    assert evidence_strength(hits) == pytest.approx(0.6)
    assert evidence_strength([Hit(chunk, 1.0, dense=None)]) == 0.0
    assert evidence_strength([]) == 0.0


# -- issue #9: direct answer first, per-ask parts, no other member's case ------------------------------------


def test_the_answer_opens_with_the_best_policy_sections_first_sentence(make_chunk, bm25):
    policy = make_chunk(
        "refund-request",
        "A freelancer has 7 days to approve or dispute an escrow refund request. The request follows a client "
        "ending the contract. If the freelancer does nothing, the escrow is refunded to the client.",
        kind="policy",
    )
    other = make_chunk("partial", "A partial release leaves the rest of the milestone in escrow.", kind="policy")
    composed = ExtractiveAnswerer(bm25).compose(
        "client ended the contract and wants a refund of the funded milestone, what do I do", hits_for(policy, other)
    )
    assert_grounded(composed, 900)
    assert composed.text.startswith("A freelancer has 7 days to approve or dispute an escrow refund request.")


def test_forum_sentences_about_another_members_case_are_not_quoted(make_chunk, bm25):
    policy = make_chunk(
        "policy", "If the client does not respond to a dispute in time, the escrow is released to the freelancer.",
        kind="policy",
    )
    staff = make_chunk(
        "staff",
        "Victor and Helga summed up the forum history correctly. If the client doesn't respond by Friday, the "
        "$520 in escrow is released to you. Open the contract and choose Dispute to start.",
        kind="forum",
        author_role="staff",
    )
    composed = ExtractiveAnswerer(bm25, policy_texts=[policy.body]).compose(
        "what happens if the client does not respond to my dispute", hits_for(policy, staff)
    )
    assert_grounded(composed, 900)
    assert "$520" not in composed.text
    assert "Victor" not in composed.text and "summed up" not in composed.text
    assert composed.text.startswith("If the client does not respond to a dispute in time")


def test_a_forum_step_the_policy_lacks_is_quoted_after_the_policy(make_chunk, bm25):
    policy = make_chunk("policy", "A freelancer can dispute an escrow refund request within 7 days.", kind="policy")
    staff = make_chunk(
        "staff", "Open the contract page and choose Dispute the refund request.", kind="forum", author_role="staff"
    )
    composed = ExtractiveAnswerer(bm25, policy_texts=[policy.body]).compose(
        "how do I dispute the escrow refund request", hits_for(policy, staff)
    )
    assert_grounded(composed, 900)
    assert composed.text.index("7 days") < composed.text.index("Open the contract page")


def test_two_asks_get_one_part_each_within_the_budget(make_chunk, bm25):
    escrow = make_chunk("escrow", "Escrow money goes back to the client only after a dispute or your approval.")
    jss = make_chunk("jss", "A disputed contract can lower the Job Success Score.")
    composed = ExtractiveAnswerer(bm25, max_chars=300).compose(
        "will I lose my escrow and will it hurt my job success score",
        hits_for(escrow, jss),
        per_ask=[hits_for(escrow, jss), hits_for(jss, escrow)],
        asks=["will I lose my escrow", "will it hurt my job success score"],
    )
    assert_grounded(composed, 300)
    first, second = composed.text.split("\n\n")
    assert "Escrow money" in first and "Job Success Score" in second


def test_two_asks_answered_by_one_passage_each_get_their_own_sentence_of_it(make_chunk, bm25):
    # regression: a passage quoted for the first ask was barred from the second, whose answer is its next sentence
    chargeback = make_chunk(
        "chargeback",
        "A freelancer who qualifies for payment protection keeps the money after a chargeback. "
        "Otherwise Upwork may ask for repayment and place a hold on the freelancer's account.",
        kind="policy",
    )
    other = make_chunk("other", "Messages sent outside Upwork lose dispute help.", kind="policy")
    composed = ExtractiveAnswerer(bm25).compose(
        "is my money gone and will my account get a hold",
        hits_for(chargeback, other),
        per_ask=[hits_for(chargeback, other), hits_for(chargeback, other)],
        asks=["is my money gone after the chargeback", "will my account get a hold"],
    )
    first, second = composed.text.split("\n\n")
    assert "keeps the money" in first and "hold on the freelancer's account" in second
    assert "outside Upwork" not in composed.text
    assert [s.number for s in composed.sources] == [1]  # one source, cited in both parts


# -- issue #15: policy outranks the forum, and says so -----------------------------------------------------------

NOTE = "Note: some forum threads quote {figures} on this point; that figure is outdated or unconfirmed."


def test_a_forum_thread_quoting_the_old_arbitration_fee_gets_the_conflict_line(make_chunk, bm25):
    policy = make_chunk(
        "fee",
        "The arbitration fee is split between the freelancer and the client. Older forum posts quote an "
        "arbitration fee of $291 per party, which is outdated.",
        kind="policy",
    )
    forum = make_chunk(
        "thread", "Arbitration costs $291 for each side, so it is not worth it for small milestones.",
        kind="forum", author_role="staff",
    )
    answerer = ExtractiveAnswerer(bm25, conflict_note=NOTE)
    composed = answerer.compose("how much is the arbitration fee", hits_for(policy, forum))
    *parts, note = composed.text.split("\n\n")
    assert parts[0].startswith("The arbitration fee is split")
    assert note.startswith("Note: some forum threads quote $291")
    cited = int(note.rsplit("[", 1)[1].rstrip("]"))
    assert composed.sources[cited - 1].kind == "forum"


def test_a_forum_thread_with_another_deadline_gets_the_conflict_line_and_the_same_figure_does_not(make_chunk, bm25):
    policy = make_chunk("deadline", "The client has 5 days to respond to a fixed-price dispute.", kind="policy")
    old = make_chunk("old", "The client has 7 days to respond to your dispute.", kind="forum", author_role="member")
    same = make_chunk("same", "The client has 5 days to respond to your dispute.", kind="forum", author_role="member")
    question = "how long does the client have to respond to my dispute"
    flagged = ExtractiveAnswerer(bm25, conflict_note=NOTE).compose(question, hits_for(policy, old))
    assert "quote 7 days" in flagged.text
    assert flagged.text.index("5 days") < flagged.text.index("7 days")
    agreed = ExtractiveAnswerer(bm25, conflict_note=NOTE).compose(question, hits_for(policy, same))
    assert "Note:" not in agreed.text


def test_a_figure_the_policy_states_as_current_is_never_called_outdated(make_chunk, bm25):
    # regression: "30 days" stood in a policy sentence that also mentions older threads, so a forum thread
    # agreeing with the policy's 30 days was flagged as quoting an outdated figure
    policy = make_chunk(
        "mediation",
        "Mediation on a rejected dispute lasts up to 30 days. The current figure is up to 30 days of mediation; "
        "you may see 21 days in older threads.",
        kind="policy",
    )
    agrees = make_chunk("agrees", "The mediation lasted about 30 days for me.", kind="forum", author_role="staff")
    old = make_chunk("old", "Mediation lasts 21 days, then it closes.", kind="forum", author_role="staff")
    answerer = ExtractiveAnswerer(bm25, conflict_note=NOTE)
    assert "Note:" not in answerer.compose("how long does mediation last", hits_for(policy, agrees)).text
    flagged = answerer.compose("how long does mediation last", hits_for(policy, old)).text
    assert "quote 21 days" in flagged


def test_two_sections_stating_the_same_rule_are_quoted_once(make_chunk, bm25):
    """Regression: the refund-request section and the disputes overview both lead with the 7-day rule, and the
    answer said it twice in a row, once from each."""
    first = make_chunk(
        "answering",
        "A freelancer has 7 days to answer an escrow refund request, either by approving the refund or by filing a "
        "dispute. If the freelancer does nothing within the 7 days, the escrow money is refunded to the client.",
        kind="policy",
    )
    second = make_chunk(
        "overview",
        "A freelancer has 7 days to approve or dispute an escrow refund request. Attach the delivered files as "
        "evidence when you file.",
        kind="policy",
    )
    question = "there's a refund request for the milestone, how long do I have and what if I ignore it"
    composed = ExtractiveAnswerer(bm25).compose(question, hits_for(first, second))
    assert_grounded(composed, 900)
    assert composed.text.count("7 days") == 2  # the first section's rule and its consequence, not a third time
    assert "7 days to approve or dispute" not in composed.text


def test_a_second_lead_that_adds_a_rule_is_kept(make_chunk, bm25):
    first = make_chunk(
        "old-hours",
        "A client cannot dispute hours from earlier weeks: an hourly dispute covers only the previous week's invoice.",
        kind="policy",
    )
    second = make_chunk(
        "who-files",
        "Only the client can file an hourly dispute, so a freelancer cannot open a dispute over hours.",
        kind="policy",
    )
    composed = ExtractiveAnswerer(bm25).compose(
        "hours from three weeks back and no dispute button for me, who do I contact", hits_for(first, second)
    )
    assert "Only the client can file an hourly dispute" in composed.text
