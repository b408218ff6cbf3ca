"""Every rule of knowledge/rules/protection.yaml, and how answers turn into a status."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from dispute_desk.protection import ProtectionCheck, Verdict
from dispute_desk.protection.check import decide
from dispute_desk.protection.inputs import ANSWER_FIELDS, DATE_FIELDS
from dispute_desk.protection.rules import Effect

CLEAN = {"academic": "no", "off_platform": "no"}  # a job that breaks no rule
FIXED = {**CLEAN, "type": "fixed", "funded": "yes", "submitted_via_contract": "yes"}
HOURLY = {
    **CLEAN,
    "type": "hourly",
    "tracked": "app",
    "memos": "yes",
    "within_limit": "yes",
    "billing_verified": "yes",
}

# rule id -> (answers that make it apply, the status they lead to). Today is 2026-11-11 unless "today" is given.
CASES: dict[str, tuple[dict[str, object], str]] = {
    "contradiction-unfunded-but-released": ({**FIXED, "funded": "no", "released": "2026-11-01"}, "cant_tell"),
    "contradiction-not-ended-but-end-date": ({**FIXED, "client_ended": "no", "ended": "2026-11-05"}, "cant_tell"),
    "contradiction-no-refund-but-refund-date": (
        {**FIXED, "refund_requested": "no", "refund_date": "2026-11-05"},
        "cant_tell",
    ),
    "paid-outside-upwork": ({"type": "outside"}, "not_protected"),
    "payment-moved-off-platform": ({**FIXED, "off_platform": "yes"}, "not_protected"),
    "academic-cheating": ({**HOURLY, "academic": "yes"}, "not_protected"),
    "fixed-funded": ({**FIXED, "client_ended": "no", "refund_requested": "no"}, "protected"),
    "fixed-some-funded": ({**FIXED, "funded": "some"}, "partly"),
    "fixed-unfunded-part": ({**FIXED, "funded": "some"}, "partly"),
    "fixed-not-funded": ({**CLEAN, "type": "fixed", "funded": "no"}, "not_protected"),
    "fixed-billing-unverified": ({**FIXED, "billing_verified": "no"}, "cant_tell"),
    "fixed-review-running": ({**FIXED, "submitted": "2026-11-02"}, "protected"),
    "fixed-changes-restart-review": ({**FIXED, "changes_requested": "yes", "submitted": "2026-11-05"}, "protected"),
    "fixed-not-submitted": ({**FIXED, "submitted_via_contract": "no"}, "partly"),
    "fixed-not-submitted-but-ended": (
        {**FIXED, "submitted_via_contract": "no", "client_ended": "yes", "ended": "2026-11-09"},
        "protected",
    ),
    "fixed-refund-request": ({**FIXED, "refund_requested": "yes", "refund_date": "2026-11-09"}, "protected"),
    "fixed-refund-deadline-passed": ({**FIXED, "client_ended": "yes", "ended": "2026-11-01"}, "cant_tell"),
    "fixed-ended-without-refund-request": (
        {**FIXED, "client_ended": "yes", "ended": "2026-11-10", "refund_requested": "no"},
        "cant_tell",
    ),
    "fixed-refund-after-review-ended": (
        {**FIXED, "submitted": "2026-10-01", "refund_requested": "yes", "refund_date": "2026-11-09"},
        "cant_tell",
    ),
    "fixed-if-client-ends-later": ({**FIXED, "client_ended": "no", "refund_requested": "unknown"}, "protected"),
    "fixed-released": ({**FIXED, "released": "2026-11-09"}, "protected"),
    "fixed-released-mediation-window": ({**FIXED, "released": "2026-11-09"}, "protected"),
    "direct-fixed-cancelled": (
        {**CLEAN, "type": "direct-fixed", "funded": "yes", "client_ended": "yes", "ended": "2026-11-10"},
        "protected",
    ),
    "direct-fixed-deadline-passed": (
        {**CLEAN, "type": "direct-fixed", "funded": "yes", "client_ended": "yes", "ended": "2026-11-02"},
        "cant_tell",
    ),
    "direct-fixed-active": ({**CLEAN, "type": "direct-fixed", "funded": "yes", "client_ended": "no"}, "protected"),
    "hourly-qualifying-hours": (HOURLY, "protected"),
    "hourly-manual-only": ({**CLEAN, "type": "hourly", "tracked": "manual"}, "not_protected"),
    "hourly-manual-part": ({**HOURLY, "tracked": "mixed"}, "partly"),
    "hourly-no-memos": ({**HOURLY, "memos": "no"}, "not_protected"),
    "hourly-over-limit": ({**HOURLY, "within_limit": "no"}, "partly"),
    "hourly-billing-unverified": ({**HOURLY, "billing_verified": "no"}, "not_protected"),
    "hourly-billing-cycle": ({**HOURLY, "week": "2026-11-04"}, "protected"),
    "hourly-review-window": ({**HOURLY, "week": "2026-11-04"}, "protected"),
    "hourly-review-window-closed": ({**HOURLY, "week": "2026-10-21"}, "protected"),
    "direct-hourly-cancelled": (
        {**HOURLY, "type": "direct-hourly", "client_ended": "yes", "ended": "2026-11-10"},
        "protected",
    ),
    "assumes-allowed-job": ({"type": "fixed", "funded": "yes", "submitted_via_contract": "yes"}, "protected"),
}


def _applied(verdict: Verdict) -> set[str]:
    """Rules that gave a reason, plus contradiction rules (they are listed as contradictions)."""
    return set(verdict.rules)


@pytest.mark.parametrize("rule_id", sorted(CASES))
def test_each_rule_applies_and_leads_to_its_status(check: Callable[..., Verdict], rule_id: str) -> None:
    answers, status = CASES[rule_id]
    verdict = check(**answers)
    assert verdict.status == status, (verdict.status, verdict.rules, verdict.missing)
    if rule_id.startswith("contradiction-"):
        assert verdict.contradictions, "a contradiction must be named"
    else:
        assert rule_id in _applied(verdict)
        reason = next(r for r in verdict.reasons if r.rule == rule_id)
        assert reason.citation.url and reason.citation.url.startswith("https://")
        assert "{" not in reason.text and "[" not in reason.text  # every placeholder filled or dropped


def test_every_rule_in_the_file_has_a_case(protection_check: ProtectionCheck) -> None:
    assert {rule.id for rule in protection_check.ruleset.rules} == set(CASES)


def test_contradictions_name_what_does_not_fit(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**FIXED, "funded": "no", "released": "2026-11-01"})
    assert verdict.status == "cant_tell"
    assert verdict.contradictions == (
        "You said the milestone was not funded but gave a release date, and only money funded into escrow can be "
        "released.",
    )


def test_a_date_in_the_future_is_a_contradiction(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**FIXED, "submitted": "2026-11-20"})
    assert verdict.status == "cant_tell"
    assert any("2026-11-20" in c and "after today (2026-11-11)" in c for c in verdict.contradictions)


def test_unknown_type_asks_only_for_the_type(check: Callable[..., Verdict]) -> None:
    verdict = check()
    assert verdict.status == "cant_tell"
    assert [m.field for m in verdict.missing] == ["type"]


def test_unknown_key_answers_are_listed_as_missing(check: Callable[..., Verdict]) -> None:
    fixed = check(type="fixed")
    assert fixed.status == "cant_tell"
    assert [m.field for m in fixed.missing] == ["funded", "submitted_via_contract"]
    hourly = check(type="hourly")
    assert [m.field for m in hourly.missing] == ["tracked", "memos", "within_limit", "billing_verified"]
    assert all(m.question.endswith("?") for m in hourly.missing)


def test_partly_when_the_known_answers_already_decide_part(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**CLEAN, "type": "fixed", "funded": "some"})  # submission not answered
    assert verdict.status == "partly"
    assert [m.field for m in verdict.missing] == ["submitted_via_contract"]


def test_unknown_answers_do_not_hide_what_already_removes_protection(check: Callable[..., Verdict]) -> None:
    verdict = check(type="hourly", billing_verified="no")  # tracking, memos and limit unknown
    assert verdict.status == "not_protected"
    assert "hourly-billing-unverified" in verdict.rules


def test_manual_time_is_not_asked_about_memos(check: Callable[..., Verdict]) -> None:
    verdict = check(type="hourly", tracked="manual")
    assert verdict.status == "not_protected"
    assert verdict.missing == ()


def test_answers_for_another_contract_type_are_ignored(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**HOURLY, "funded": "no", "submitted_via_contract": "no"})
    assert verdict.status == "protected"
    assert not any(rule.startswith("fixed-") for rule in verdict.rules)


def test_deadline_dates_come_with_days_left(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**FIXED, "refund_requested": "yes", "refund_date": "2026-11-09"})
    deadline = verdict.date("refund_deadline")
    assert deadline is not None
    assert deadline.date == date(2026, 11, 16) and deadline.days_left == 5 and deadline.time is None
    assert "(until 2026-11-16)" in next(r.text for r in verdict.reasons if r.rule == "fixed-refund-request")


def test_without_dates_the_texts_keep_the_rule_but_drop_the_date(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**FIXED, "refund_requested": "yes"})
    step = next(s for s in verdict.next_steps if s.rule == "fixed-refund-request")
    assert "within 7 days of the refund request;" in step.text
    assert verdict.dates == ()


def test_hourly_dates_are_in_order_with_utc_times(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**HOURLY, "week": "2026-11-04"})
    assert [(d.id, d.when) for d in verdict.dates] == [
        ("week_starts", "2026-11-02 00:00 UTC"),
        ("week_ends", "2026-11-08 23:59 UTC"),
        ("diary_last_edit", "2026-11-09 11:59 UTC"),
        ("review_opens", "2026-11-09 12:00 UTC"),
        ("review_closes", "2026-11-13 23:59 UTC"),
        ("earnings_available", "2026-11-18"),
    ]


def test_released_payment_dates(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**FIXED, "released": "2026-11-09"})
    assert verdict.date("withdrawable").date == date(2026, 11, 14)
    assert verdict.date("mediation_until").date == date(2026, 12, 9)
    assert verdict.date("auto_release") is None  # the money is no longer waiting for review


def test_the_verdict_says_it_is_not_legal_advice(check: Callable[..., Verdict]) -> None:
    verdict = check(**FIXED)
    assert "not legal advice" in verdict.disclaimer


def test_verdict_json_is_plain_data(check: Callable[..., Verdict]) -> None:
    verdict = check(**{**FIXED, "refund_requested": "yes", "refund_date": "2026-11-09"})
    data = json.loads(json.dumps(verdict.to_json()))
    assert data["status"] == "protected" and data["label"] == "Protected"
    assert data["today"] == "2026-11-11"
    assert data["dates"][0] == {
        "id": "refund_deadline",
        "label": "Last day to file a dispute (or approve the refund)",
        "date": "2026-11-16",
        "time": None,
        "note": "7 days after the refund request (or the end of the contract); doing nothing refunds the client.",
        "days_left": 5,
    }
    assert {"title", "section", "number", "file", "url"} == set(data["reasons"][0]["citation"])


def test_verdict_json_keeps_its_keys_in_order(check: Callable[..., Verdict]) -> None:
    """`protected --json` is a contract: the keys come from the declared fields, in the order they always had."""
    verdict = check(**{**HOURLY, "week": "2026-11-04"})
    data = verdict.to_json()
    assert list(data) == [
        "status", "label", "summary", "reasons", "next_steps", "dates", "missing", "contradictions", "disclaimer",
        "today", "inputs",
    ]
    assert list(data["inputs"]) == [*ANSWER_FIELDS, *DATE_FIELDS]
    assert data["inputs"]["type"] == "hourly" and data["inputs"]["week"] == "2026-11-04"
    assert list(data["reasons"][0]) == ["text", "effect", "rule", "citation"]
    assert list(data["reasons"][0]["citation"]) == ["title", "section", "number", "file", "url"]
    assert list(data["next_steps"][0]) == ["text", "rule", "citation"]
    week_ends = next(d for d in data["dates"] if d["id"] == "week_ends")
    assert list(week_ends) == ["id", "label", "date", "time", "note", "days_left"]
    assert (week_ends["date"], week_ends["time"]) == ("2026-11-08", "23:59")


@pytest.mark.parametrize(
    ("effects", "missing", "contradicted", "status"),
    [
        ({Effect.PROTECTS}, False, False, "protected"),
        ({Effect.PROTECTS, Effect.UNPROTECTED}, False, False, "partly"),
        ({Effect.PROTECTS, Effect.UNPROTECTED}, True, False, "partly"),
        ({Effect.PROTECTS}, True, False, "cant_tell"),
        ({Effect.UNPROTECTED}, False, False, "not_protected"),
        ({Effect.UNPROTECTED}, True, False, "cant_tell"),
        ({Effect.PROTECTS, Effect.VOIDS}, True, False, "not_protected"),
        ({Effect.PROTECTS, Effect.UNCERTAIN}, False, False, "cant_tell"),
        ({Effect.VOIDS}, False, True, "cant_tell"),
        ({Effect.NOTE}, False, False, "cant_tell"),
    ],
)
def test_how_effects_combine(effects: set[Effect], missing: bool, contradicted: bool, status: str) -> None:
    assert decide(effects, has_missing=missing, contradicted=contradicted) == status
