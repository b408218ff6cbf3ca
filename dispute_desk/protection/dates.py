"""Pure date arithmetic for the protection check, all in UTC.

Fixed-price deadlines are whole calendar days after an event (weekends count like any other day). The
hourly billing cycle is a weekly schedule: the billing week runs Monday 00:00 to Sunday 23:59 UTC, and
the later points (Work Diary lock, the client's review window, when earnings become available) sit on
given weekdays in the weeks after it. ``WeeklyCycle`` holds that schedule so the rules file can change it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import ClassVar

WEEKDAYS: tuple[str, ...] = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def utc_today() -> date:
    return datetime.now(UTC).date()


def days_after(start: date, days: int) -> date:
    """The calendar day ``days`` days after ``start`` (a 7-day deadline from Nov 10 is Nov 17)."""
    return start + timedelta(days=days)


def week_monday(day: date) -> date:
    """The Monday that starts the billing week containing ``day`` (a Sunday belongs to the week before)."""
    return day - timedelta(days=day.weekday())


@dataclass(frozen=True)
class WeekPoint:
    """A moment in a later week: ``weeks`` after the billing week's Monday, on ``weekday`` (0 = Monday)."""

    weeks: int
    weekday: int
    at: time | None = None  # None: the whole day (e.g. "earnings available on Wednesday")

    def resolve(self, billing_monday: date) -> tuple[date, time | None]:
        return billing_monday + timedelta(weeks=self.weeks, days=self.weekday), self.at

    @classmethod
    def parse(cls, raw: object) -> WeekPoint:
        """From ``{week: 1, day: mon, time: "12:00"}`` (week 1 = the week after the billing week)."""
        if not isinstance(raw, dict):
            raise ValueError(f"expected a mapping with week, day and time, got {raw!r}")
        unknown = set(raw) - {"week", "day", "time"}
        if unknown:
            raise ValueError(f"unknown keys {', '.join(sorted(unknown))} (allowed: week, day, time)")
        weeks = raw.get("week")
        if not isinstance(weeks, int) or isinstance(weeks, bool) or not 0 <= weeks <= 4:
            raise ValueError(f"week must be a whole number from 0 to 4, got {weeks!r}")
        day = str(raw.get("day", "")).strip().lower()[:3]
        if day not in WEEKDAYS:
            raise ValueError(f"day must be one of {', '.join(WEEKDAYS)}, got {raw.get('day')!r}")
        at: time | None = None
        if raw.get("time") is not None:
            try:
                at = time.fromisoformat(str(raw["time"]).strip())
            except ValueError:
                raise ValueError(f"time must look like 12:00, got {raw['time']!r}") from None
        return cls(weeks, WEEKDAYS.index(day), at)


@dataclass(frozen=True)
class WeeklyCycle:
    """Upwork's weekly hourly schedule, relative to the billing week (defaults from the policy guide § 6.1)."""

    diary_last_edit: WeekPoint = WeekPoint(1, 0, time(11, 59))
    review_opens: WeekPoint = WeekPoint(1, 0, time(12, 0))
    review_closes: WeekPoint = WeekPoint(1, 4, time(23, 59))
    earnings_available: WeekPoint = WeekPoint(2, 2)

    POINTS: ClassVar[tuple[str, ...]] = ("diary_last_edit", "review_opens", "review_closes", "earnings_available")

    @classmethod
    def from_mapping(cls, raw: dict[str, object] | None) -> WeeklyCycle:
        if not raw:
            return cls()
        unknown = set(raw) - set(cls.POINTS)
        if unknown:
            raise ValueError(f"unknown weekly_cycle points {', '.join(sorted(unknown))}")
        return cls(**{name: WeekPoint.parse(value) for name, value in raw.items()})


# Every point a date in the rules file can name with ``weekly:``.
WEEK_POINTS: tuple[str, ...] = ("week_starts", "week_ends", *WeeklyCycle.POINTS)


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
    cycle_point: WeekPoint = getattr(cycle, point)
    return cycle_point.resolve(monday)


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
