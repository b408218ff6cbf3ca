"""The two situations members bring most often, checked end to end: status, deadlines and citations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from dispute_desk.protection import Verdict


def _cited(verdict: Verdict) -> dict[str, str]:
    """rule id -> 'file § number' of its citation."""
    return {r.rule: f"{r.citation.file} § {r.citation.number}" for r in verdict.reasons}


def test_four_phases_only_the_first_funded_then_the_client_ends_and_wants_a_refund(
    check: Callable[..., Verdict],
) -> None:
    # A website in four phases; only phase 1 was funded. Phase 1 was submitted on 4 November while the
    # freelancer kept working on phases 2-4 ("funding is coming"). On 10 November, still inside the 14-day
    # review, the client ended the contract and asked for the escrow back.
    verdict = check(
        type="fixed",
        funded="some",
        submitted_via_contract="yes",
        submitted="2026-11-04",
        client_ended="yes",
        ended="2026-11-10",
        refund_requested="yes",
        refund_date="2026-11-10",
        academic="no",
        off_platform="no",
        today=date(2026, 11, 11),
    )
    assert verdict.status == "partly"
    assert verdict.label == "Partly protected"
    assert verdict.missing == () and verdict.contradictions == ()

    cited = _cited(verdict)
    assert cited["fixed-some-funded"] == "01-escrow-and-milestones.md § 1.2"  # the funded escrow is protected
    assert cited["fixed-unfunded-part"] == "02-fixed-price-disputes.md § 2.3"  # phases 2-4 are not
    assert cited["fixed-refund-request"] == "02-fixed-price-disputes.md § 2.5"  # 7 days to dispute
    unfunded = next(r for r in verdict.reasons if r.rule == "fixed-unfunded-part")
    assert unfunded.effect == "unprotected" and "never funded are not protected" in unfunded.text

    deadline = verdict.date("refund_deadline")
    assert deadline is not None and deadline.date == date(2026, 11, 17) and deadline.days_left == 6
    assert verdict.date("auto_release") is None  # the review clock no longer matters once the client ended it

    dispute = next(s for s in verdict.next_steps if s.rule == "fixed-refund-request")
    assert dispute.text.startswith("File a dispute from the contract page within 7 days of the refund request")
    assert "(by 2026-11-17)" in dispute.text and "leave feedback" in dispute.text and "evidence" in dispute.text
    assert dispute.citation is not None and dispute.citation.number == "2.6"
    assert any("fund" in s.text and s.citation.number == "2.3" for s in verdict.next_steps)


def test_same_day_job_changes_requested_silence_then_a_full_refund_request(check: Callable[..., Verdict]) -> None:
    # A job started and delivered with Submit work on Monday 2 November. The client asked for changes the
    # same day; the freelancer resubmitted on 3 November; silence; on 12 November the client asked for a
    # full refund of the escrow without ending the contract.
    verdict = check(
        type="fixed",
        funded="yes",
        submitted_via_contract="yes",
        changes_requested="yes",
        submitted="2026-11-03",
        client_ended="no",
        refund_requested="yes",
        refund_date="2026-11-12",
        academic="no",
        off_platform="no",
        today=date(2026, 11, 12),
    )
    assert verdict.status == "protected"
    cited = _cited(verdict)
    assert cited["fixed-funded"] == "01-escrow-and-milestones.md § 1.2"
    assert cited["fixed-changes-restart-review"] == "01-escrow-and-milestones.md § 1.5"  # the clock restarted
    assert cited["fixed-refund-request"] == "02-fixed-price-disputes.md § 2.5"
    assert "fixed-refund-after-review-ended" not in cited  # 12 Nov is before the 14 days ran out (17 Nov)

    assert [(d.id, d.date) for d in verdict.dates] == [("refund_deadline", date(2026, 11, 19))]
    step = next(s for s in verdict.next_steps if s.rule == "fixed-refund-request")
    assert "within 7 days of the refund request (by 2026-11-19)" in step.text


def test_same_day_job_when_the_refund_request_comes_after_the_review_ran_out(check: Callable[..., Verdict]) -> None:
    # Same job, but the client stayed silent until 20 November: 14 days after the 3 November resubmission
    # (17 November) the escrow should already have been released automatically.
    verdict = check(
        type="fixed",
        funded="yes",
        submitted_via_contract="yes",
        changes_requested="yes",
        submitted="2026-11-03",
        client_ended="no",
        refund_requested="yes",
        refund_date="2026-11-20",
        academic="no",
        off_platform="no",
        today=date(2026, 11, 21),
    )
    assert verdict.status == "cant_tell"  # depends on whether the money was released: the member must look
    cited = _cited(verdict)
    assert cited["fixed-refund-after-review-ended"] == "01-escrow-and-milestones.md § 1.6"
    assert verdict.date("auto_release").date == date(2026, 11, 17)
    assert verdict.date("refund_deadline").date == date(2026, 11, 27)
    check_page = next(s for s in verdict.next_steps if s.rule == "fixed-refund-after-review-ended")
    assert "refunding is your decision" in check_page.text and check_page.citation.number == "7.2"
