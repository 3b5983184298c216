"""Dated milestones from today to the Type II opinion; the durations are typical first-audit figures."""

from __future__ import annotations

import calendar
from datetime import date, timedelta

from socready.advisor.profile import Profile
from socready.advisor.recommendation import Milestone, ReportAdvice

IMPLEMENTATION_MONTHS = 3
URGENT_IMPLEMENTATION_MONTHS = 2  # compressed so a Type I can be issued within about 3 months
OPERATING_MONTHS = 1  # controls run consistently for a month before the window opens
TYPE1_REPORT = timedelta(weeks=4)
FIELDWORK = timedelta(weeks=6)
OPINION_MONTHS_AFTER_WINDOW = 2
DAY = timedelta(days=1)


def add_months(day: date, months: int) -> date:
    """Same day of the month `months` later, clamped to the month's last day (Jan 31 + 1 → Feb 28)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def first_of_month_from(day: date) -> date:
    """Windows open on the 1st so the period lines up with monthly reviews and next year's renewal."""
    return day if day.day == 1 else add_months(day.replace(day=1), 1)


def plan(profile: Profile, months: int, reports: list[ReportAdvice]) -> tuple[date, date, list[Milestone]]:
    """The window (start, inclusive end) and the milestones around it, in date order."""
    milestones: list[Milestone] = []
    if profile.soc2_completed == "type2":
        assert profile.previous_period_end is not None  # Profile guarantees it for a completed Type II
        start = profile.previous_period_end + DAY
    else:
        ready = profile.today
        if profile.soc2_completed == "none":
            ready = add_months(profile.today, URGENT_IMPLEMENTATION_MONTHS if profile.urgent else IMPLEMENTATION_MONTHS)
            milestones.append(
                Milestone(
                    kind="implementation",
                    name="Readiness and control implementation",
                    start=profile.today,
                    end=ready - DAY,
                    reason=(
                        "Scope the systems, write the policies, implement the controls and run `socready run` "
                        "until every control reports operating."
                    ),
                )
            )
            if any(r.type == "type1" for r in reports):
                milestones.append(
                    Milestone(
                        kind="type1",
                        name="SOC 2 Type I: controls in place on this date; report issued at the end",
                        start=ready,
                        end=ready + TYPE1_REPORT,
                        reason="A Type I tests design on one date, so it can be issued soon after implementation.",
                    )
                )
        start = first_of_month_from(add_months(ready, OPERATING_MONTHS))
        milestones.append(
            Milestone(
                kind="operating",
                name="Controls operating consistently before the window opens",
                start=ready,
                end=start - DAY,
                reason=(
                    "A failure inside the window is an exception in the report and a significant gap can reset "
                    "the window, so the window opens only once socready shows every control operating."
                ),
            )
        )
    end = add_months(start, months) - DAY
    audited = [r.title for r in reports if r.type == "type2"]
    milestones.append(
        Milestone(
            kind="window",
            name=f"Type II observation window ({months} months)" if audited else "Readiness window (no audit booked)",
            start=start,
            end=end,
            reason=(
                "The auditor tests every control over this period."
                if audited
                else "socready assesses this window, so the evidence exists when a buyer asks for a report."
            ),
        )
    )
    if not audited:
        return start, end, milestones
    opinion = add_months(end, OPINION_MONTHS_AFTER_WINDOW)
    milestones.append(
        Milestone(
            kind="fieldwork",
            name="Auditor fieldwork",
            start=end + DAY,
            end=end + FIELDWORK,
            reason="The auditor samples each population and tests each state across the whole window after it closes.",
        )
    )
    milestones.append(
        Milestone(
            kind="opinion",
            name=f"{' and '.join(audited)} report{'s' if len(audited) > 1 else ''} issued",
            start=opinion,
            reason=(
                "The report follows about two months after the window closes."
                if profile.soc2_completed == "type2"
                else "The report follows about two months after the window closes: about 12 months from the start "
                "of implementation to a Type II opinion with a 6-month window, about 8 with a 3-month one."
            ),
        )
    )
    if any(r.framework == "soc3" for r in reports):
        milestones.append(
            Milestone(
                kind="soc3",
                name="SOC 3 published on the trust page",
                start=opinion,
                reason="The SOC 3 is issued from the same audit as the SOC 2 Type II, with its opinion.",
            )
        )
    return start, end, milestones
