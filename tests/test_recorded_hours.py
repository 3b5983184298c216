"""The region-hours with CloudTrail records, held as hour numbers: the same answers a set of hour datetimes gave."""

from datetime import UTC, datetime, timedelta

from expectations.cloudtrail_events import RecordedHours

H = timedelta(hours=1)
NINE = datetime(2026, 6, 1, 9, tzinfo=UTC)


def hours(*starts: datetime) -> RecordedHours:
    return RecordedHours(RecordedHours.number(s) for s in starts)


def test_an_hour_is_held_once_in_order_and_any_moment_inside_it_finds_it():
    recorded = hours(NINE + 2 * H, NINE, NINE + timedelta(minutes=59), NINE)
    assert list(recorded) == [NINE, NINE + 2 * H]
    assert len(recorded) == 2 and recorded.first() == NINE
    assert NINE + timedelta(minutes=30) in recorded
    assert NINE + H not in recorded and NINE - H not in recorded and NINE + 3 * H not in recorded


def test_before_keeps_the_hours_that_began_before_the_moment():
    recorded = hours(NINE, NINE + H, NINE + 2 * H)
    assert list(recorded.before(NINE + H)) == [NINE]  # the hour beginning at the moment has not begun before it
    assert list(recorded.before(NINE + H + timedelta(microseconds=1))) == [NINE, NINE + H]
    assert list(recorded.before(NINE)) == [] and recorded.before(NINE + 5 * H) == recorded


def test_any_in_asks_for_an_hour_that_began_inside_the_interval():
    recorded = hours(NINE, NINE + 5 * H)
    assert recorded.any_in(NINE, NINE + H)
    assert not recorded.any_in(NINE + timedelta(seconds=1), NINE + 5 * H)  # 09:00 began before, 14:00 at the end
    assert recorded.any_in(NINE + timedelta(seconds=1), NINE + 5 * H + timedelta(seconds=1))
    assert not RecordedHours().any_in(NINE, NINE + 5 * H)


def test_union_and_the_cached_seconds_round_trip():
    morning, evening = hours(NINE, NINE + H), hours(NINE + H, NINE + 9 * H)
    both = RecordedHours.union([morning, evening])
    assert list(both) == [NINE, NINE + H, NINE + 9 * H]
    assert RecordedHours.of_seconds(both.seconds()) == both != morning
