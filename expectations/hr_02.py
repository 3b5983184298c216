"""HR-02: security training within 30 days of hire and then every 12 months, on every day each person works in W."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta

import pandas as pd
from pydantic import Field

from expectations.dataset import frame
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
from expectations.tables import UNUSABLE, Cells, Employee, days, held_rows, staffed
from socready.evidence.view import EvidenceView
from socready.intervals import Interval
from socready.scope import Scope
from socready.window import Window, add_months

CONTROL_ID = "HR-02"
METRICS = {"trained": "boolean"}
TRAINING = "file.training"


class Hr02Parameters(Parameters):
    hire_within_days: int = Field(
        default=30, description="days after the start date within which a hire must complete security training"
    )
    refresh_months: int = Field(
        default=12, description="everyone employed needs a completion within this many months on every day"
    )


def completed(cells: Cells) -> date | None:
    return cells.day("completed", required=True)


def describer(window: Window, person: Employee, done: list[date], hire_days: int) -> Callable[[Interval, bool], str]:
    def describe(span: Interval, held: bool) -> str:
        if held:  # name the latest completion the span relies on
            last = window.local_date(span[1] - timedelta(microseconds=1))
            before = [d for d in done if d < last]
            return (
                f"trained {before[-1]}" if before else f"new hire, training due {hire_days} days after {person.start}"
            )
        before = [d for d in done if d < window.local_date(span[0])]
        return f"last training {before[-1]} expired" if before else f"not trained {hire_days} days after {person.start}"

    return describe


def build(view: EvidenceView, scope: Scope, window: Window, params: Hr02Parameters) -> pd.DataFrame:
    hire_days, months = params.hire_within_days, params.refresh_months
    export = (TRAINING, scope.files.training, ["employee_id", "completed"])
    joined = staffed(view, scope, window, export, completed, METRICS)
    rows = list(joined.unusable)
    for person, done in joined.people:
        # Whole local days: a new hire is covered through the due day, so a completion at 23:59 on it is on
        # time; a completion covers from the next day (its own day only if already covered) for 12 months.
        grace = days(person.start, person.start + timedelta(days=hire_days), window.tz)
        valid = [grace, *(days(d + timedelta(days=1), add_months(d, months), window.tz) for d in done)]
        describe = describer(window, person, done, hire_days)
        rows += held_rows(person.resource, person.active, valid, describe, "trained", joined.evidence)
    return frame(rows, METRICS)


def rules(params: Hr02Parameters) -> list[Rule]:
    return held_throughout(
        "trained", UNUSABLE, "A person worked without security training within 30 days of hire or the last 12 months."
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=Hr02Parameters,
    sources=("file.hr_roster", "file.training"),
    facts=METRICS,
    build=build,
    rules=rules,
)
