"""Pure date arithmetic for the protection check, all in UTC.

Fixed-price deadlines are whole calendar days after an event (weekends count like any other day). The
hourly billing cycle is a weekly schedule: the billing week runs Monday 00:00 to Sunday 23:59 UTC, and
the later points (Work Diary lock, the client's review window, when earnings become available) sit on
given weekdays in the weeks after it. ``WeeklyCycle`` holds that schedule so the rules file can change it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Annotated, ClassVar, Literal, get_args

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PlainSerializer, WithJsonSchema

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def utc_today() -> date:
    return datetime.now(UTC).date()


def days_after(start: date, days: int) -> date:
    """The calendar day ``days`` days after ``start`` (a 7-day deadline from Nov 10 is Nov 17)."""
    return start + timedelta(days=days)


def week_monday(day: date) -> date:
    """The Monday that starts the billing week containing ``day`` (a Sunday belongs to the week before)."""
    return day - timedelta(days=day.weekday())


Weekday = Literal["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
WeeklyPointName = Literal[
    "week_starts", "week_ends", "diary_last_edit", "review_opens", "review_closes", "earnings_available"
]


def _weekday(value: object) -> object:
    """'Thursday', 'THURS' and 'thu' all mean 'thu'."""
    if not isinstance(value, str):
        return value
    word = value.strip().lower()
    short = word[:3]
    return short if short in WEEKDAYS and _DAY_NAMES[WEEKDAYS.index(short)].startswith(word) else word


def _clock(value: object) -> object:
    """Only a quoted "12:00": unquoted, YAML reads 12:00 as the number 720 (minutes in base 60)."""
    if value is None or isinstance(value, str | time):
        return value
    raise ValueError(f'time must look like "12:00" (in quotes), got {value!r}')


class WeekPoint(BaseModel):
    """A moment in a later week, e.g. ``{week: 1, day: mon, time: "12:00"}``: ``week`` weeks after the billing
    week's Monday (1 = the week after the billing week), on ``day``, at ``time`` (UTC; none: the whole day).
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    week: int = Field(ge=0, le=4, strict=True, description="Weeks after the billing week (0-4).")
    day: Annotated[Weekday, BeforeValidator(_weekday)]
    time: Annotated[
        dt.time | None,
        BeforeValidator(_clock),
        PlainSerializer(lambda at: None if at is None else f"{at:%H:%M}"),
        WithJsonSchema({"type": ["string", "null"], "pattern": "^[0-2]?[0-9]:[0-5][0-9]$"}),
    ] = None

    @property
    def weekday(self) -> int:
        """0 for Monday."""
        return WEEKDAYS.index(self.day)

    def resolve(self, billing_monday: date) -> tuple[date, dt.time | None]:
        return billing_monday + timedelta(weeks=self.week, days=self.weekday), self.time


class WeeklyCycle(BaseModel):
    """Upwork's weekly hourly schedule, relative to the billing week (defaults from the policy guide § 6.1)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    diary_last_edit: WeekPoint = WeekPoint(week=1, day="mon", time=time(11, 59))
    review_opens: WeekPoint = WeekPoint(week=1, day="mon", time=time(12, 0))
    review_closes: WeekPoint = WeekPoint(week=1, day="fri", time=time(23, 59))
    earnings_available: WeekPoint = WeekPoint(week=2, day="wed")

    POINTS: ClassVar[tuple[str, ...]] = ("diary_last_edit", "review_opens", "review_closes", "earnings_available")


# Every point a date in the rules file can name with ``weekly:``.
WEEK_POINTS: tuple[str, ...] = get_args(WeeklyPointName)


def week_point(worked: date, point: str, cycle: WeeklyCycle | None = None) -> tuple[date, time | None]:
    """(day, time or None) of ``point`` for the billing week that contains the day ``worked``."""
    cycle = cycle or WeeklyCycle()
    monday = week_monday(worked)
    if point == "week_starts":
        return monday, time(0, 0)
    if point == "week_ends":
        return monday + timedelta(days=6), time(23, 59)
    if point not in cycle.POINTS:
        raise ValueError(f"unknown weekly point '{point}' (known: {', '.join(WEEK_POINTS)})")
    moment: WeekPoint = getattr(cycle, point)
    return moment.resolve(monday)


@dataclass(frozen=True)
class BillingWeek:
    """Every moment of one hourly billing week, as UTC datetimes (day-only points at 00:00)."""

    starts: datetime
    ends: datetime
    diary_last_edit: datetime
    review_opens: datetime
    review_closes: datetime
    earnings_available: date


def billing_week(worked: date, cycle: WeeklyCycle | None = None) -> BillingWeek:
    def moment(point: str) -> datetime:
        day, at = week_point(worked, point, cycle)
        return datetime.combine(day, at or time(0, 0), tzinfo=UTC)

    return BillingWeek(
        starts=moment("week_starts"),
        ends=moment("week_ends"),
        diary_last_edit=moment("diary_last_edit"),
        review_opens=moment("review_opens"),
        review_closes=moment("review_closes"),
        earnings_available=week_point(worked, "earnings_available", cycle)[0],
    )


def relative_day(days_left: int) -> str:
    """'today', 'tomorrow', 'in 6 days', 'yesterday', '3 days ago'."""
    if days_left == 0:
        return "today"
    if days_left == 1:
        return "tomorrow"
    if days_left == -1:
        return "yesterday"
    return f"in {days_left} days" if days_left > 0 else f"{-days_left} days ago"
