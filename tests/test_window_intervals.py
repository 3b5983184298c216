"""Window arithmetic in the scope's time zone and the interval algebra verdicts rely on."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from socready.intervals import clip, merge, subtract, total
from socready.window import Window, add_months


def t(day: int, hour: int = 0) -> datetime:
    return datetime(2026, 7, day, hour, tzinfo=UTC)


def test_merge_joins_overlapping_and_touching_and_drops_empty():
    assert merge([(t(3), t(5)), (t(1), t(2)), (t(2), t(3)), (t(9), t(9))]) == [(t(1), t(5))]


def test_subtract_and_clip():
    assert subtract([(t(1), t(10))], [(t(2), t(3)), (t(5), t(12))]) == [(t(1), t(2)), (t(3), t(5))]
    assert subtract([(t(1), t(2))], []) == [(t(1), t(2))]
    assert clip([(t(1), t(5)), (t(8), t(9))], t(4), t(8, 12)) == [(t(4), t(5)), (t(8), t(8, 12))]
    assert total([(t(1), t(2)), (t(1, 12), t(3))]) == timedelta(days=2)


def test_add_months_clamps_to_month_end():
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 11, 15), 3) == date(2027, 2, 15)


def test_window_bounds_are_local_midnights_across_dst():
    window = Window(date(2026, 3, 1), date(2026, 10, 31), "America/New_York", datetime(2027, 1, 1, tzinfo=UTC))
    assert window.start_utc == datetime(2026, 3, 1, 5, tzinfo=UTC)  # EST
    assert window.end_utc == datetime(2026, 11, 1, 4, tzinfo=UTC)  # EDT until Nov 1
    assert window.months == 8 and not window.is_open


def test_open_window_is_evaluated_until_as_of():
    as_of = datetime(2026, 7, 20, 12, tzinfo=UTC)
    window = Window(date(2026, 5, 1), date(2026, 10, 31), "UTC", as_of)
    assert window.evaluated_end_utc == as_of and window.is_open and window.months == 6
    assert window.contains(as_of - timedelta(seconds=1)) and not window.contains(as_of)
