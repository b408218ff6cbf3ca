"""Date arithmetic of the protection check: calendar-day deadlines and the weekly hourly cycle, in UTC."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest
from pydantic import ValidationError

from dispute_desk.protection.dates import (
    WeeklyCycle,
    WeekPoint,
    billing_week,
    days_after,
    relative_day,
    week_monday,
    week_point,
)


@pytest.mark.parametrize(
    ("start", "days", "expected"),
    [
        (date(2026, 11, 10), 7, date(2026, 11, 17)),  # Tuesday to Tuesday: weekends are ordinary days
        (date(2026, 11, 7), 7, date(2026, 11, 14)),  # from a Saturday
        (date(2026, 12, 28), 7, date(2027, 1, 4)),  # across the year end
        (date(2026, 12, 20), 14, date(2027, 1, 3)),  # 14-day review ending on a Sunday in the next year
        (date(2028, 2, 24), 14, date(2028, 3, 9)),  # leap year: 29 February counts
        (date(2027, 2, 24), 14, date(2027, 3, 10)),  # not a leap year
        (date(2026, 11, 15), 30, date(2026, 12, 15)),  # 30-day mediation window
    ],
)
def test_deadlines_are_whole_calendar_days(start: date, days: int, expected: date) -> None:
    assert days_after(start, days) == expected


@pytest.mark.parametrize(
    ("day", "monday"),
    [
        (date(2026, 11, 9), date(2026, 11, 9)),  # a Monday starts its own week
        (date(2026, 11, 13), date(2026, 11, 9)),  # Friday
        (date(2026, 11, 14), date(2026, 11, 9)),  # Saturday belongs to the same week
        (date(2026, 11, 15), date(2026, 11, 9)),  # Sunday is the last day of the week, not the first
        (date(2027, 1, 2), date(2026, 12, 28)),  # a week that starts in the previous year
    ],
)
def test_billing_week_starts_on_the_monday_before(day: date, monday: date) -> None:
    assert week_monday(day) == monday


def test_hourly_cycle_for_an_ordinary_week() -> None:
    week = billing_week(date(2026, 11, 4))  # a Wednesday
    assert week.starts == datetime(2026, 11, 2, 0, 0, tzinfo=UTC)
    assert week.ends == datetime(2026, 11, 8, 23, 59, tzinfo=UTC)
    assert week.diary_last_edit == datetime(2026, 11, 9, 11, 59, tzinfo=UTC)
    assert week.review_opens == datetime(2026, 11, 9, 12, 0, tzinfo=UTC)  # Monday noon UTC
    assert week.review_closes == datetime(2026, 11, 13, 23, 59, tzinfo=UTC)  # Friday 23:59 UTC
    assert week.earnings_available == date(2026, 11, 18)  # the Wednesday after the review week
    assert (week.earnings_available - week.ends.date()).days == 10  # "about 10 days after the week closes"


@pytest.mark.parametrize("weekend_day", [date(2026, 11, 7), date(2026, 11, 8)])
def test_weekend_work_is_billed_with_the_week_before_it(weekend_day: date) -> None:
    week = billing_week(weekend_day)
    assert week.starts.date() == date(2026, 11, 2)
    assert week.review_opens == datetime(2026, 11, 9, 12, 0, tzinfo=UTC)
    assert week.review_closes.date() == date(2026, 11, 13)


def test_hourly_cycle_for_a_week_spanning_the_year_end() -> None:
    week = billing_week(date(2026, 12, 31))  # Thursday; the week runs Mon 28 Dec to Sun 3 Jan
    assert week.starts == datetime(2026, 12, 28, 0, 0, tzinfo=UTC)
    assert week.ends == datetime(2027, 1, 3, 23, 59, tzinfo=UTC)
    assert week.review_opens == datetime(2027, 1, 4, 12, 0, tzinfo=UTC)
    assert week.review_closes == datetime(2027, 1, 8, 23, 59, tzinfo=UTC)
    assert week.earnings_available == date(2027, 1, 13)
    assert billing_week(date(2027, 1, 3)) == week  # the Sunday in the new year is the same billing week


def test_all_moments_are_utc() -> None:
    week = billing_week(date(2026, 6, 17))  # summer time elsewhere changes nothing
    for moment in (week.starts, week.ends, week.diary_last_edit, week.review_opens, week.review_closes):
        assert moment.tzinfo is UTC
    assert week.review_opens.time() == time(12, 0)


def test_weekly_cycle_can_be_changed_from_the_rules_file() -> None:
    cycle = WeeklyCycle.model_validate({"review_closes": {"week": 1, "day": "thursday", "time": "18:00"}})
    assert week_point(date(2026, 11, 4), "review_closes", cycle) == (date(2026, 11, 12), time(18, 0))
    assert week_point(date(2026, 11, 4), "review_opens", cycle) == (date(2026, 11, 9), time(12, 0))  # unchanged


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ({"review_closes": {"week": 1, "day": "funday"}}, "Input should be 'mon', 'tue'"),
        ({"review_closes": {"week": 9, "day": "fri"}}, "less than or equal to 4"),
        ({"review_closes": {"week": "1", "day": "fri"}}, "valid integer"),
        ({"review_closes": {"week": 1, "day": "fri", "time": "late"}}, "valid time format"),
        ({"review_closes": {"week": 1, "day": "fri", "time": 720}}, 'time must look like "12:00"'),  # unquoted 12:00
        ({"payday": {"week": 1, "day": "fri"}}, "payday\n  Extra inputs are not permitted"),
    ],
)
def test_bad_weekly_cycle_is_refused_with_a_reason(raw: dict, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        WeeklyCycle.model_validate(raw)


def test_week_point_resolves_relative_to_the_billing_monday() -> None:
    point = WeekPoint(week=2, day="wed")
    assert point.resolve(date(2026, 12, 28)) == (date(2027, 1, 13), None)


@pytest.mark.parametrize(
    ("days", "text"), [(0, "today"), (1, "tomorrow"), (6, "in 6 days"), (-1, "yesterday"), (-3, "3 days ago")]
)
def test_days_left_in_words(days: int, text: str) -> None:
    assert relative_day(days) == text
