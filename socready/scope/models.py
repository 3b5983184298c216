"""Pydantic models of socready.yaml; every field a user can set is declared and documented here."""

from __future__ import annotations

import re
from datetime import date
from typing import Literal
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Category = Literal["security", "availability", "confidentiality", "processing_integrity", "privacy"]
Owner = Literal["engineering", "hr", "procurement"]
ACCOUNT_ID = re.compile(r"^\d{12}$")


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a scope file must not silently disable a setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportSpec(Strict):
    framework: Literal["soc2"] = "soc2"
    type: Literal["type1", "type2"] = "type2"


class WindowSpec(Strict):
    start: date
    end: date
    timezone: str = "UTC"

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str) -> str:
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"unknown time zone {value!r}; use an IANA name such as 'Europe/Berlin'") from exc
        return value

    @model_validator(mode="after")
    def _ordered(self) -> WindowSpec:
        if self.end <= self.start:
            raise ValueError(f"window end {self.end} must be after start {self.start}")
        return self


class AwsAccount(Strict):
    id: str
    name: str = ""

    @field_validator("id", mode="before")
    @classmethod
    def _twelve_digits(cls, value: object) -> object:
        if not isinstance(value, str) or not ACCOUNT_ID.match(value):
            raise ValueError(f"AWS account id {value!r} must be 12 digits, quoted in YAML (e.g. '123456789012')")
        return value


class AssumeRole(Strict):
    name: str = "socready-collector"
    external_id: str | None = Field(default=None, description="Not a secret (AWS confused-deputy guard).")
    session_name: str = "socready"


class S3Location(Strict):
    bucket: str
    prefix: str = ""
    account: str | None = Field(default=None, description="Account that owns the bucket; default: first.")


class AwsSpec(Strict):
    accounts: list[AwsAccount] = Field(min_length=1)
    regions: list[str] = Field(min_length=1)
    role: AssumeRole | None = Field(default=None, description="Omit to use the ambient credentials as is.")
    endpoint_url: str | None = Field(default=None, description="Override for every AWS API (moto, proxies).")
    requests_per_second: float = Field(default=20, gt=0, description="Rate limit per account, region and service.")
    cloudtrail_logs: list[S3Location] = Field(default_factory=list)
    config_history: list[S3Location] = Field(default_factory=list)


class JiraFieldMap(Strict):
    approved_status: str = "Approved"
    approver: str | None = None
    deploy_time: str | None = None
    environment: str | None = None
    emergency: str | None = None


class JiraSpec(Strict):
    url: str
    user: str
    token_env: str = Field(default="JIRA_API_TOKEN", description="Environment variable holding the API token.")
    change_jql: str = "project = CHG"
    fields: JiraFieldMap = Field(default_factory=JiraFieldMap)


class FileSource(Strict):
    path: str = Field(description="Local path (relative to the scope file) or s3://bucket/key.")
    columns: dict[str, str] = Field(default_factory=dict, description="socready column -> column in the file.")


class FilesSpec(Strict):
    hr_roster: FileSource | None = None
    vendor_register: FileSource | None = None


class OwnerRoute(Strict):
    project: str
    assignee: str | None = Field(default=None, description="Jira accountId of the person who triages.")
    component: str | None = None


class TicketSpec(Strict):
    issue_type: str = "Task"
    labels: list[str] = Field(default_factory=lambda: ["socready"])
    dry_run: bool = False


class AcceptedException(Strict):
    control: str
    resource: str = Field(description="fnmatch pattern over resource ids, e.g. 'arn:aws:s3:::legacy-*'.")
    reason: str
    approver: str
    expires: date


class ControlOverride(Strict):
    applicable: bool = True
    reason: str = ""
    parameters: dict[str, float | int | str | bool] = Field(default_factory=dict)

    @model_validator(mode="after")
    def _reason_when_excluded(self) -> ControlOverride:
        if not self.applicable and not self.reason:
            raise ValueError("a control marked applicable: false needs a reason the auditor can read")
        return self


class Scope(Strict):
    organization: str
    report: ReportSpec = Field(default_factory=ReportSpec)
    categories: list[Category] = Field(default_factory=lambda: ["security"])
    window: WindowSpec
    evidence_store: str = Field(default="evidence", description="Folder (relative to the scope) or s3://b/p.")
    output: str = Field(default="socready-report", description="Report folder (relative to the scope file).")
    aws: AwsSpec | None = None
    jira: JiraSpec | None = None
    files: FilesSpec = Field(default_factory=FilesSpec)
    owners: dict[Owner, OwnerRoute] = Field(default_factory=dict)
    tickets: TicketSpec = Field(default_factory=TicketSpec)
    exceptions: list[AcceptedException] = Field(default_factory=list)
    controls: dict[str, ControlOverride] = Field(default_factory=dict)

    @field_validator("categories")
    @classmethod
    def _security_always(cls, value: list[Category]) -> list[Category]:
        return ["security", *[c for c in dict.fromkeys(value) if c != "security"]]
