"""Half-open time intervals [start, end): merge, subtract and measure, shared by datasets and verdicts."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timedelta

Interval = tuple[datetime, datetime]


def merge(intervals: Iterable[Interval]) -> list[Interval]:
    """Sorted, non-overlapping union; touching intervals are joined."""
    merged: list[Interval] = []
    for start, end in sorted(i for i in intervals if i[1] > i[0]):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def subtract(base: Iterable[Interval], cuts: Iterable[Interval]) -> list[Interval]:
    """The parts of `base` not covered by any of `cuts`."""
    cuts = merge(cuts)
    remaining: list[Interval] = []
    for start, end in merge(base):
        cursor = start
        for cut_start, cut_end in cuts:
            if cut_end <= cursor or cut_start >= end:
                continue
            if cut_start > cursor:
                remaining.append((cursor, cut_start))
            cursor = max(cursor, cut_end)
        if cursor < end:
            remaining.append((cursor, end))
    return remaining


def clip(intervals: Iterable[Interval], start: datetime, end: datetime) -> list[Interval]:
    return [(max(s, start), min(e, end)) for s, e in merge(intervals) if e > start and s < end]


def total(intervals: Iterable[Interval]) -> timedelta:
    return sum((end - start for start, end in merge(intervals)), timedelta())


def intersect(a: Iterable[Interval], b: Iterable[Interval]) -> list[Interval]:
    """The parts of `a` that `b` also covers."""
    a = merge(a)
    return subtract(a, subtract(a, b))
