"""The observation window: local calendar dates in the scope's time zone, evaluated in UTC."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


def add_months(day: date, months: int) -> date:
    """Calendar-month arithmetic that clamps to the month's last day (Jan 31 + 1 month = Feb 28)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@dataclass(frozen=True)
class Window:
    """Window [start, end] in local dates; `as_of` cuts the evaluated span for a window in progress."""

    start: date
    end: date
    timezone: str
    as_of: datetime

    @property
    def tz(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    @property
    def start_utc(self) -> datetime:
        return datetime.combine(self.start, time(0), self.tz).astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        """Exclusive end: local midnight after the window's last day."""
        return datetime.combine(self.end + timedelta(days=1), time(0), self.tz).astimezone(UTC)

    @property
    def evaluated_end_utc(self) -> datetime:
        """Where evidence can stop: the window end, or the as-of time while the window is still open."""
        return min(self.end_utc, self.as_of.astimezone(UTC))

    @property
    def is_open(self) -> bool:
        return self.evaluated_end_utc < self.end_utc

    @property
    def months(self) -> int:
        """Window length in whole calendar months (a 6-month window is 2026-05-01..2026-10-31)."""
        months = (self.end.year - self.start.year) * 12 + self.end.month - self.start.month
        return months + (1 if add_months(self.start, months + 1) <= self.end + timedelta(days=1) else 0)

    def local_date(self, moment: datetime) -> date:
        return moment.astimezone(self.tz).date()

    def contains(self, moment: datetime) -> bool:
        return self.start_utc <= moment < self.evaluated_end_utc
