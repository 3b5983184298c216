"""HR-03: everyone employed in W acknowledged the current policy version within the allowed days."""

from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import Field

from expectations.dataset import Row, frame
from expectations.spec import ControlSpec, Parameters, Rule, at_most, covered, where
from expectations.tables import EMPTY, UNUSABLE, Cells, days, midnight, staffed
from socready.errors import EvidenceUnusable
from socready.evidence.view import EvidenceView
from socready.intervals import Interval, intersect
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "HR-03"
# Per span of employment: the local day (its midnight) the person first acknowledged the current version (None:
# not at all), and the days from their obligation's first day (publication, or the start day of a later hire) to
# that day, or to the span's last day when they had not acknowledged by then (None: their rows were unusable).
FACTS = {"acknowledged": "datetime64[ns, UTC]", "days_to_acknowledge": "Int64"}
ACKNOWLEDGEMENTS = "file.policy_acknowledgements"
COLUMNS = ["employee_id", "policy_version", "acknowledged"]


class Hr03Parameters(Parameters):
    policy_version: str = Field(
        default="",
        description="the current policy version as the acknowledgement export spells it (quote it); required",
    )
    policy_published: str = Field(
        default="", description="the day the current version was published, `YYYY-MM-DD` (quote it); required"
    )
    acknowledge_within_days: int = Field(
        default=30,
        description=(
            "days after publication (or after the start date, for later hires) within which it must be acknowledged"
        ),
    )


def policy(params: Hr03Parameters) -> tuple[str, date | None]:
    """The current version and the day it was published, from the control's parameters in the scope."""
    version, published = params.policy_version.strip(), params.policy_published
    if not version:
        raise EvidenceUnusable(
            "the current policy version is not set; add controls.HR-03.parameters.policy_version to the scope"
        )
    try:
        return version, date.fromisoformat(published) if published else None
    except ValueError as exc:
        raise EvidenceUnusable(f"HR-03 parameter policy_published {published!r} is not a date (YYYY-MM-DD)") from exc


def acknowledgement(owed: date, first: date | None, span: Interval, tz: ZoneInfo) -> dict[str, object]:
    """A span's facts. The days are counted only to the span's last day: an acknowledgement after it (after the
    person left, or after as-of) cannot make a span late whose days were all within the allowed days."""
    last = (span[1] - timedelta(microseconds=1)).astimezone(tz).date()
    reached = min(first, last) if first else last
    return {"acknowledged": midnight(first, tz) if first else None, "days_to_acknowledge": (reached - owed).days}


def build(view: EvidenceView, scope: Scope, window: Window, params: Hr03Parameters) -> pd.DataFrame:
    version, published = policy(params)
    within = timedelta(days=params.acknowledge_within_days)

    def acknowledged(cells: Cells) -> date | None:
        """The day a row acknowledged the current version; rows for other versions are not read further."""
        seen = cells.text("policy_version")
        if not seen:
            cells.flag("policy_version", EMPTY)
        return cells.day("acknowledged", required=True) if seen.casefold() == version.casefold() else None

    export = (ACKNOWLEDGEMENTS, scope.files.policy_acknowledgements, COLUMNS)
    joined = staffed(view, scope, window, export, acknowledged, FACTS)
    rows = list(joined.unusable)
    for person, acknowledgements in joined.people:
        first = min(acknowledgements, default=None)
        owed = max(person.start, published or person.start)
        due = owed + within
        # Overdue from the day after the due day through the day of a late acknowledgement.
        after = due + timedelta(days=1)
        late = days(after, first, window.tz) if first else (midnight(after, window.tz), person.active[1])
        overdue = intersect([person.active], [late])
        if overdue:
            seen = (
                f"acknowledged {version} on {first}, due {due}"
                if first
                else f"no acknowledgement of {version}, due {due}"
            )
        else:
            seen = f"acknowledged {version} on {first}" if first else f"acknowledgement of {version} due {due}"
        span = overdue[0] if overdue else person.active
        facts = acknowledgement(owed, first, span, window.tz)
        rows.append(Row(person.resource, *span, seen, facts, joined.evidence))
    return frame(rows, FACTS)


def rules(params: Hr03Parameters) -> list[Rule]:
    """A span is late when the person went more than the allowed days unacknowledged; one they had acknowledged
    before it began is not, however late that was: a deviation before the span is none inside it."""
    return [
        covered("days_to_acknowledge", UNUSABLE),
        at_most(
            "days_to_acknowledge",
            params.acknowledge_within_days,
            "A person worked past the due date without acknowledging the current policy version.",
            **where("acknowledged.isna() or acknowledged >= start"),
        ),
    ]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=Hr03Parameters,
    sources=("file.hr_roster", "file.policy_acknowledgements"),
    facts=FACTS,
    build=build,
    rules=rules,
)
