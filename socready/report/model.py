"""report.json, schema socready.report/v2: the contract other tools read. Documented in docs/report-schema.md."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from socready.readiness.model import ControlResult
from socready.readiness.score import CriterionStatus, MonthStatus, Tally

REPORT_SCHEMA = "socready.report/v2"


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid", populate_by_name=True)


class ReportWindow(Model):
    start: date
    end: date
    timezone: str
    as_of: AwareDatetime
    evaluated_until: AwareDatetime = Field(description="Window end, or as_of while the window is open.")
    months: int


class ReportScope(Model):
    organization: str
    report: Literal["soc2"]
    type: Literal["type1", "type2"]
    categories: list[str]
    window: ReportWindow


class Readiness(Tally):
    earliest_type2_close: date | None = Field(description="For a Type II window as long as the scope's window.")
    type2_close_by_months: dict[str, date | None] = Field(description="Earliest close for 3, 6 and 12 months.")
    blocking_controls: list[str] = Field(description="Controls whose clean-since date sets or blocks the close.")
    by_category: dict[str, Tally]
    by_owner: dict[str, Tally]


class ReportControl(ControlResult):
    """A control's verdict plus what the report adds to it."""

    months: list[MonthStatus] = Field(
        default=[], description="Status of each calendar month of the window, in the scope's time zone."
    )


class TicketStep(Model):
    """How the gap-ticket step of the run ended."""

    status: Literal["synced", "planned", "skipped", "failed"] = Field(
        description="synced: Jira updated; planned: dry run; skipped: the scope has no Jira; failed: see note."
    )
    note: str = Field(default="", description="Why tickets were skipped, or what failed.")

    @property
    def text(self) -> str:
        return f"{self.status}: {self.note}" if self.note else self.status


class HistoryPoint(Model):
    """One run's figures, for the score across runs of the same organization and window."""

    run_id: str
    generated_at: AwareDatetime
    as_of: AwareDatetime
    score: float = Field(description="Operation: share of in-scope controls operating.")
    design: float
    evidence_completeness: float


class Report(Model):
    schema_: Literal["socready.report/v2"] = Field(default=REPORT_SCHEMA, alias="schema")
    generated_at: AwareDatetime
    run_id: str
    evidence_store: str
    dry_run: bool
    tickets: TicketStep | None = Field(
        default=None, description="How the gap-ticket step ended; unset when the report was built without one."
    )
    scope: ReportScope
    readiness: Readiness
    criteria: list[CriterionStatus]
    controls: list[ReportControl]
    history: list[HistoryPoint] = Field(
        default=[], description="Every run of this organization and window, oldest first, this one included."
    )

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)
