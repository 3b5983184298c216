"""report.json, schema socready.report/v2: the contract other tools read. Documented in docs/report-schema.md."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from socready.readiness.model import ControlResult, Decision, GapTicket
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


class OwnerTriage(Model):
    """One owner's gap tickets and decisions, as the triage view shows them."""

    owner: str
    open_tickets: list[GapTicket] = Field(description="Open gap tickets, oldest first.")
    overdue: list[str] = Field(description="Keys of open tickets past their due date.")
    responses: list[Decision] = Field(description="Management responses received.")
    acceptances: list[Decision] = Field(description="Risk acceptances in force (by an approver, not expired).")
    expiring: list[str] = Field(description="Tickets whose acceptance expires within 30 days.")


class Triage(Model):
    """The triage view: owners' gap tickets and decisions read back from Jira."""

    as_of: date = Field(description="The day ages, overdue and expiry are counted to.")
    owners: list[OwnerTriage]
    problems: list[str] = Field(
        default=[], description="Triage data that could not be read (no evidence), each naming the ticket or field."
    )


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
    triage: Triage | None = Field(default=None, description="Gap tickets and owners' decisions; unset without Jira.")

    def to_json(self) -> str:
        return self.model_dump_json(by_alias=True, indent=2)
