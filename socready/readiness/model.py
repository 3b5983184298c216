"""Result models: what a control verdict holds; report.json embeds these as its contract."""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

Status = Literal["operating", "exception", "no_evidence", "not_applicable"]
STATUSES: tuple[Status, ...] = ("operating", "exception", "no_evidence", "not_applicable")


class Model(BaseModel):
    model_config = ConfigDict(extra="forbid")


class ExceptionInterval(Model):
    resource: str
    start: AwareDatetime
    end: AwareDatetime
    reason: str
    value: str
    ongoing: bool = False
    accepted_by: str | None = None  # approver of the accepted exception that covers it
    evidence: list[str] = []  # sha256 of the evidence objects that show it


class CoverageGap(Model):
    resource: str
    start: AwareDatetime
    end: AwareDatetime
    reason: str
    value: str
    evidence: list[str] = []


class EvidenceRef(Model):
    source: str
    sha256: str


class SourceRead(Model):
    source: str
    objects: int = Field(description="How many of the manifest's entries of this source the control read.")


class EvidenceDigest(Model):
    """What a control read, by digest: the run's manifest lists every object, so the report stays small however
    much evidence there is; exact objects are cited only where a finding points at them."""

    manifest_sha256: str = Field(
        description="sha256 of runs/<run_id>/manifest.json as written (the hash the run ledger records)."
    )
    sources: list[SourceRead] = Field(description="Each source the control read and its count of objects.")
    cited: list[EvidenceRef] = Field(
        default=[],
        description="The objects the control's exceptions, coverage gaps and grace-period deviations point at.",
    )

    def objects(self, source: str) -> int:
        return sum(s.objects for s in self.sources if s.source == source)


class TicketRef(Model):
    key: str
    url: str
    # what this run did to the ticket; "planned" in a dry run, which changes nothing
    action: Literal["created", "updated", "unchanged", "resolved", "reopened", "planned"]


class Decision(Model):
    """An owner's decision read from a gap ticket and kept as evidence: who, when, what, and whether it applies."""

    kind: Literal["response", "acceptance", "dispute"]
    ticket: str
    owner: str
    controls: list[str]
    resource: str | None = None  # the ticket's resource (tickets.group_by control_and_resource); None: whole control
    author: str
    at: AwareDatetime
    text: str
    expires: date | None = None  # acceptances only
    applies: bool = True  # an acceptance by someone not an approver, or past its expiry, does not
    note: str = ""  # why it does not apply
    evidence: str  # sha256 of the stored Jira read that shows it


class GapTicket(Model):
    """A gap ticket as this run left it, for the report's triage view."""

    key: str
    url: str
    owner: str
    controls: list[str]
    resource: str | None = None
    kind: Literal["ongoing", "historical"] | None = None  # None: tracked before socready told the kinds apart
    open: bool
    created: date
    due: date | None = None
    action: str  # what this run did to it (TicketRef.action)


class ControlResult(Model):
    id: str
    title: str
    owner: str
    kind: str
    severity: str
    criteria: list[str]
    categories: list[str]
    status: Status
    reason: str
    clean_since: date | None
    coverage: float
    population: int
    exceptions: list[ExceptionInterval]
    accepted_exceptions: list[ExceptionInterval] = []
    expired_acceptances: list[str] = []
    within_grace: list[ExceptionInterval] = []  # deviations shorter than the control's grace period
    coverage_gaps: list[CoverageGap] = []
    collection_errors: list[str] = []
    # where Config-derived state came from, per account and region: delivered files, the Config API, snapshots only
    state_sources: list[str] = []
    holds_today: bool | None = None  # the design figure: no exception or gap at the end of the evaluated span
    evidence: EvidenceDigest | None = Field(description="What the control read; null when it does not apply.")
    remediation: str
    ticket: TicketRef | None = None
    decisions: list[Decision] = []  # owners' management responses, acceptances and disputes from its tickets
