"""Pydantic models of socready.yaml; every field a user can set is declared and documented here."""

from __future__ import annotations

import re
import string
from datetime import date, datetime
from typing import Literal
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

Category = Literal["security", "availability", "confidentiality", "processing_integrity", "privacy"]
Owner = Literal["engineering", "hr", "procurement"]
ACCOUNT_ID = re.compile(r"^\d{12}$")
DAY = re.compile(r"\d{4}-\d{2}-\d{2}")
VARIABLE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
# An API token, not a name: Atlassian's prefix, or a long run of mixed case and digits with no underscore.
TOKEN_SHAPED = re.compile(r"ATATT.*|(?=.*[a-z])(?=.*[A-Z])(?=.*\d)[A-Za-z0-9]{16,}")
BLOCK_NAME = re.compile(r"[a-z0-9][a-z0-9-]*")  # Prefect block names: lowercase letters, digits and dashes


class Strict(BaseModel):
    """Unknown keys are errors: a typo in a scope file must not silently disable a setting."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class ReportSpec(Strict):
    framework: Literal["soc2"] = "soc2"
    type: Literal["type1", "type2"] = "type2"
    url: str | None = Field(
        default=None,
        description="Where people open report.html (tickets and Prefect artifacts link it); {run_id} is replaced.",
    )


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


def http_url(value: str | None) -> str | None:
    """An absolute http(s) URL: a bare host name would be read as a path and fail far from the scope file."""
    if value is not None:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.netloc:
            raise ValueError(f"{value!r} needs a scheme and a host, e.g. https://example.atlassian.net")
    return value


def block_name(value: str | None) -> str | None:
    # the value is never repeated: it may be a secret pasted here by mistake
    if value is not None and (TOKEN_SHAPED.fullmatch(value) or not BLOCK_NAME.fullmatch(value)):
        raise ValueError(
            "must name a Prefect block (lowercase letters, digits and -, e.g. jira-token), not hold a secret; "
            "the value is not shown in case it is one (then revoke it)"
        )
    return value


def account_id(value: object) -> object:
    if not isinstance(value, str) or not ACCOUNT_ID.match(value):
        raise ValueError(f"AWS account id {value!r} must be 12 digits, quoted in YAML (e.g. '123456789012')")
    return value


class AwsAccount(Strict):
    id: str
    name: str = ""
    joined: datetime | None = Field(
        default=None,
        description="When the account came into scope, with a time zone; the window's days before it have no "
        "evidence. Set from AWS Organizations for discovered accounts; unset: in scope for the whole window.",
    )

    @field_validator("id", mode="before")
    @classmethod
    def _twelve_digits(cls, value: object) -> object:
        return account_id(value)

    @field_validator("joined", mode="before")
    @classmethod
    def _not_a_day(cls, value: object) -> object:
        day_only = isinstance(value, str) and DAY.fullmatch(value.strip())  # the scope loader keeps dates as text
        if day_only or (isinstance(value, date) and not isinstance(value, datetime)):
            raise ValueError(f"joined {value} needs a time and zone, e.g. {value}T00:00:00Z")
        return value

    @field_validator("joined")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError(f"joined {value} needs a time zone, e.g. {value.isoformat()}Z")
        return value


class OrganizationDiscovery(Strict):
    """Every ACTIVE account of the AWS Organization is added to `aws.accounts` at each run."""

    account: str | None = Field(
        default=None,
        description="Management or delegated-administrator account where organizations:ListAccounts is called; "
        "default: the first of aws.accounts.",
    )
    exclude: list[str] = Field(default_factory=list, description="Account ids to leave out of scope.")

    @field_validator("account", mode="before")
    @classmethod
    def _twelve_digits(cls, value: object) -> object:
        return value if value is None else account_id(value)

    @field_validator("exclude", mode="before")
    @classmethod
    def _excluded_ids(cls, values: object) -> object:
        return [account_id(v) for v in values] if isinstance(values, list) else values


class AssumeRole(Strict):
    name: str = "socready-collector"
    external_id: str | None = Field(default=None, description="Not a secret (AWS confused-deputy guard).")
    session_name: str = "socready"


ORGANIZATION_ID = re.compile(r"^o-[a-z0-9]{10,32}$")


class S3Location(Strict):
    bucket: str
    prefix: str = ""
    account: str | None = Field(default=None, description="Account that owns the bucket; default: first.")
    organization_id: str | None = Field(
        default=None,
        description="CloudTrail logs of an organization trail: keys are "
        "<prefix>/AWSLogs/<organization_id>/<account>/CloudTrail/<region>/...",
    )

    @field_validator("organization_id")
    @classmethod
    def _organization_id(cls, value: str | None) -> str | None:
        if value is not None and not ORGANIZATION_ID.match(value):
            raise ValueError(f"organization id {value!r} must look like o-a1b2c3d4e5 (AWS Organizations)")
        return value


class ProductionSpec(Strict):
    """Which data stores are production: every one in a listed account, and any carrying a listed tag."""

    accounts: list[str] = Field(
        default_factory=list, description="Account ids whose every data store is production (quote the ids)."
    )
    tags: dict[str, list[str]] = Field(
        default_factory=lambda: {"environment": ["production"]},
        description="Tag key -> the values that mark a data store production; any one pair suffices.",
    )
    tag_match: Literal["case_insensitive", "exact"] = Field(
        default="case_insensitive",
        description="case_insensitive: keys and values compared casefolded and trimmed. exact: as written (AWS "
        "tag keys are case-sensitive); a tag that differs only in case or spaces leaves the store no evidence.",
    )

    @field_validator("accounts", mode="before")
    @classmethod
    def _account_ids(cls, values: object) -> object:
        return [account_id(v) for v in values] if isinstance(values, list) else values


class AwsSpec(Strict):
    accounts: list[AwsAccount] = Field(min_length=1)
    regions: list[str] = Field(min_length=1)
    role: AssumeRole | None = Field(default=None, description="Omit to use the ambient credentials as is.")
    endpoint_url: str | None = Field(default=None, description="Override for every AWS API (moto, proxies).")
    requests_per_second: float = Field(default=20, gt=0, description="Rate limit per account, region and service.")
    cloudtrail_logs: list[S3Location] = Field(default_factory=list)
    cloudtrail_lookback_days: int = Field(
        default=90,
        ge=1,
        description="CloudTrail log files are read from this many days before the window start (last use of "
        "credentials, state before the first change).",
    )
    config_history: list[S3Location] = Field(default_factory=list)
    config_baseline_months: int = Field(
        default=13,
        ge=1,
        description="How many months before the window AWS Config history files are read for each resource's "
        "state at the window start (its last configuration item before it).",
    )
    organization: OrganizationDiscovery | None = Field(
        default=None, description="Discover accounts through AWS Organizations, in addition to `accounts`."
    )
    production: ProductionSpec = Field(
        default_factory=ProductionSpec, description="Which data stores the production-database controls assess."
    )
    credentials_block: str | None = Field(
        default=None,
        description="Name of a prefect-aws AwsCredentials block holding the base credentials (the role in `role` "
        "is assumed from them); unset: the worker's own (instance or task role, AWS_PROFILE, environment).",
    )

    @field_validator("config_history")
    @classmethod
    def _no_organization_layout(cls, value: list[S3Location]) -> list[S3Location]:
        if any(location.organization_id for location in value):
            raise ValueError("organization_id is for aws.cloudtrail_logs; AWS Config keys have no organization folder")
        return value

    @field_validator("endpoint_url")
    @classmethod
    def _endpoint_scheme(cls, value: str | None) -> str | None:
        return http_url(value)

    @field_validator("credentials_block")
    @classmethod
    def _credentials_block(cls, value: str | None) -> str | None:
        return block_name(value)

    @property
    def discovery_account(self) -> str | None:
        """Where the organization's accounts are listed; None without discovery."""
        if self.organization is None:
            return None
        return self.organization.account or self.accounts[0].id


JSM = "jsm"  # approval_field naming Jira Service Management's approvals of a request


def one_or_more(value: object) -> object:
    """A single name where a list is expected reads as a list of one."""
    return [value] if isinstance(value, str) else value


class JiraFieldMap(Strict):
    """Which field or status means what in your Jira: field ids (`customfield_10040`) or system field names."""

    approval_field: str = Field(
        default="status",
        description="Field whose change to one of approved_status approves; with `status`, the approval stands until "
        "the ticket is sent back (sent_back_statuses); `jsm`: the request's Jira Service Management approvals.",
    )
    approved_status: list[str] = Field(
        default_factory=lambda: ["Approved"], min_length=1, description="The value(s) that mean approved."
    )
    sent_back_statuses: list[str] | None = Field(
        default=None,
        description="Statuses that withdraw a status approval; unset: the statuses the ticket held before its first "
        "approval, its initial one included.",
    )
    approver: str | None = Field(default=None, description="User field; default: who made the approving change.")
    approval_time: str | None = Field(
        default=None,
        description="Date/datetime field of the approval; with it, the approval is this field and `approver` "
        "(approval_field is not used).",
    )
    implementer: str = "assignee"
    deploy_time: str | None = Field(default=None, description="Date/datetime field; default: the completion date.")
    deploy_status: str | None = Field(
        default=None, description="The first transition into this status is the deploy; wins over deploy_time."
    )
    environment: str | None = Field(default=None, description="Unset: every ticket the query finds is production.")
    production_values: list[str] = Field(default_factory=lambda: ["Production"])
    emergency: str | None = None
    emergency_values: list[str] = Field(default_factory=lambda: ["Yes", "True", "Emergency"])
    emergency_issue_types: list[str] = Field(
        default_factory=list, description="Issue types that are emergency changes, besides the emergency field."
    )
    severity: str = "priority"
    postmortem: str | None = Field(default=None, description="Date field, or any field whose setting records it.")
    iam_user: str | None = Field(default=None, description="Access requests; default: the user named in the summary.")
    employee_id: str | None = Field(default=None, description="Offboarding; default: the id named in the summary.")
    vendor: str | None = Field(
        default=None, description="Vendor offboarding and reviews; default: the name in the summary."
    )
    done_statuses: list[str] = Field(
        default_factory=list,
        description="The first transition into one of them completes a ticket; empty: the resolution date.",
    )
    not_done_resolutions: list[str] = Field(
        default_factory=lambda: ["Won't Do", "Duplicate", "Declined", "Cannot Reproduce"],
        description="Resolutions that close a ticket without doing the work.",
    )

    @field_validator("approved_status", "sent_back_statuses", "emergency_issue_types", "done_statuses", mode="before")
    @classmethod
    def _listed(cls, value: object) -> object:
        return one_or_more(value)

    @property
    def by_status(self) -> bool:
        """Approval is a workflow status (not a field of its own, JSM, nor the approver/approval_time pair)."""
        return self.approval_time is None and self.approval_field.casefold() == "status"

    @property
    def by_jsm(self) -> bool:
        """Approval is the request's Jira Service Management approvals (unless the approval_time pair is set)."""
        return self.approval_time is None and self.approval_field.casefold() == JSM


def jql_condition(text: str) -> str:
    """A JQL condition that stays inside the parentheses it is put in: balanced, quotes closed, no ORDER BY."""
    depth, quote, escaped, outside = 0, "", False, []
    for char in text:
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
            continue
        if char in "\"'":
            quote = char
        elif char in "()":
            depth += 1 if char == "(" else -1
            if depth < 0:
                raise ValueError(f"JQL {text!r} closes a parenthesis it did not open")
        outside.append(char)
    if quote or depth:
        raise ValueError(f"JQL {text!r} leaves a quote or parenthesis open")
    if re.search(r"\border\s+by\b", "".join(outside), re.IGNORECASE):
        raise ValueError(f"JQL {text!r}: leave out ORDER BY; socready adds conditions to it")
    return text


class JiraQuery(Strict):
    """The issues one evidence source reads; `project` and `issue_types` are quoted into the JQL as values."""

    project: str | None = None
    issue_types: list[str] = Field(default_factory=list)
    jql: str | None = Field(default=None, description="An extra JQL condition, ANDed with the others.")
    fields: JiraFieldMap | None = Field(
        default=None, description="This source's field map: the keys set here override jira.fields."
    )

    @field_validator("project", mode="before")
    @classmethod
    def _not_yaml_boolean(cls, value: object) -> object:
        if isinstance(value, bool):
            raise ValueError('a project key such as OFF or NO is read by YAML as a boolean; quote it: "OFF"')
        return value

    @field_validator("jql")
    @classmethod
    def _condition(cls, value: str | None) -> str | None:
        return None if value is None else jql_condition(value)

    @model_validator(mode="after")
    def _bounded(self) -> JiraQuery:
        if not self.project and not self.jql:
            raise ValueError("a Jira query needs a project or a jql condition")
        return self


JIRA_QUERIES = (
    "changes",
    "incidents",
    "access_reviews",
    "access_requests",
    "offboarding",
    "vendor_offboarding",
    "vendor_reviews",
    "risk_assessments",
    "restore_tests",
)


class JiraSpec(Strict):
    url: str
    user: str
    token_env: str = Field(default="JIRA_API_TOKEN", description="Environment variable holding the API token.")
    auth: Literal["basic", "bearer"] = Field(
        default="basic",
        description="basic: user + API token (Jira Cloud, Data Center); bearer: a personal access token (Data Center).",
    )
    deployment: Literal["cloud", "data_center"] = Field(
        default="cloud",
        description="cloud: search through /search/jql with page tokens; data_center: Jira Data Center/Server, "
        "REST API v2 /search with startAt.",
    )
    token_block: str | None = Field(
        default=None,
        description="Name of a Prefect Secret block holding the API token; when set it is used instead of token_env.",
    )
    change_jql: str = Field(default="project = CHG", description="Change tickets when `changes` is not set.")
    changes: JiraQuery | None = None
    incidents: JiraQuery | None = None
    access_reviews: JiraQuery | None = None
    access_requests: JiraQuery | None = None
    offboarding: JiraQuery | None = None
    vendor_offboarding: JiraQuery | None = None
    vendor_reviews: JiraQuery | None = None
    risk_assessments: JiraQuery | None = None
    restore_tests: JiraQuery | None = None
    fields: JiraFieldMap = Field(default_factory=JiraFieldMap)
    timezone: str | None = Field(default=None, description="The API user's Jira time zone; default: asked of Jira.")
    overlap_minutes: int = Field(default=60, ge=1, description="Re-read window before the last run's newest update.")
    history_months: int = Field(default=13, ge=1, description="Read tickets updated since this long before W.")
    page_size: int = Field(default=100, ge=1, le=100, description="Issues per search page; at most the site's cap.")

    @field_validator("change_jql")
    @classmethod
    def _change_condition(cls, value: str) -> str:
        return jql_condition(value)

    @field_validator("url")
    @classmethod
    def _url_scheme(cls, value: str) -> str:
        return http_url(value)

    @field_validator("token_env")
    @classmethod
    def _a_variable_name(cls, value: str) -> str:
        # the value is never repeated: it may be the token itself, pasted here by mistake
        if TOKEN_SHAPED.fullmatch(value) or not VARIABLE_NAME.fullmatch(value):
            raise ValueError(
                "must name the environment variable holding the Jira API token (letters, digits and _, e.g. "
                "JIRA_API_TOKEN), not hold the token; the value is not shown in case it is one (then revoke it)"
            )
        return value

    @field_validator("token_block")
    @classmethod
    def _token_block(cls, value: str | None) -> str | None:
        return block_name(value)

    @field_validator("timezone")
    @classmethod
    def _known_timezone(cls, value: str | None) -> str | None:
        return None if value is None else WindowSpec._known_timezone(value)

    @model_validator(mode="after")
    def _approval_pairs(self) -> JiraSpec:
        for name in JIRA_QUERIES:
            mapping = self.field_map(name)
            if mapping.approval_time and not mapping.approver:
                raise ValueError(f"jira.{name}: approval_time needs approver, the user field naming who approved")
        return self

    def field_map(self, name: str) -> JiraFieldMap:
        """The effective field map of one of JIRA_QUERIES: `jira.fields`, with the keys its own `fields` sets."""
        query = getattr(self, name)
        own = query.fields if query is not None else None
        if own is None:
            return self.fields
        shared = self.fields.model_dump(include=self.fields.model_fields_set)
        return JiraFieldMap.model_validate({**shared, **own.model_dump(include=own.model_fields_set)})

    def query(self, name: str) -> JiraQuery | None:
        """The query of one of JIRA_QUERIES; change tickets fall back to `change_jql`."""
        found = getattr(self, name)
        return JiraQuery(jql=self.change_jql) if found is None and name == "changes" else found


class FileSource(Strict):
    path: str = Field(description="Local path (relative to the scope file) or s3://bucket/key.")
    columns: dict[str, str] = Field(default_factory=dict, description="socready column -> column in the file.")


# Each export's socready columns, the keys `files.<export>.columns` may map; the dataset builders read no others.
EXPORT_COLUMNS: dict[str, tuple[str, ...]] = {
    "hr_roster": (
        "employee_id",
        "start_date",
        "termination_date",
        "background_check",
        "confidentiality_signed",
        "email",
        "full_name",
        "iam_user",
        "jira_user",
    ),
    "vendor_register": (
        "vendor",
        "tier",
        "reviews",
        "onboarded",
        "offboarded",
        "tier_approved",
        "customer_data",
        "dpa_signed",
    ),
    "training": ("employee_id", "completed"),
    "policy_acknowledgements": ("employee_id", "policy_version", "acknowledged"),
}


class FilesSpec(Strict):
    hr_roster: FileSource | None = Field(default=None, description="HR roster export: one row per person.")
    vendor_register: FileSource | None = Field(default=None, description="Vendor register export.")
    training: FileSource | None = Field(default=None, description="Security-training completions export.")
    policy_acknowledgements: FileSource | None = Field(default=None, description="Policy acknowledgements export.")

    @model_validator(mode="after")
    def _known_columns(self) -> FilesSpec:
        """A misspelt column key would silently fall back to a header of that name: it is an error instead."""
        problems = [
            f"files.{export}.columns: unknown socready column(s) {', '.join(sorted(unknown))}; "
            f"known: {', '.join(EXPORT_COLUMNS[export])}"
            for export, spec in self
            if spec is not None and (unknown := set(spec.columns) - set(EXPORT_COLUMNS[export]))
        ]
        if problems:
            raise ValueError("; ".join(problems))
        return self


def jira_labels(value: list[str]) -> list[str]:
    if spaced := [label for label in value if not label or re.search(r"\s", label)]:
        raise ValueError(f"Jira labels cannot be empty or contain spaces: {spaced}")
    return value


class OwnerRoute(Strict):
    project: str
    assignee: str | None = Field(default=None, description="Jira accountId of the person who triages.")
    component: str | None = None
    issue_type: str | None = Field(default=None, description="Overrides tickets.issue_type for this owner.")
    labels: list[str] = Field(default_factory=list, description="Added to this owner's gap tickets.")
    approvers: list[str] = Field(
        default_factory=list,
        description="Jira accountIds, e-mail addresses or display names of who may accept this owner's risks "
        "in a gap ticket (tickets.acceptance); an acceptance by anyone else is ignored.",
    )

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        return jira_labels(value)


class AcceptanceSpec(Strict):
    """How an owner accepts a gap's risk in its ticket: a resolution (or a status) and an expiry date field."""

    resolution: str | None = Field(
        default="Risk Accepted", description="Resolution that records an accepted risk; None to use `status` alone."
    )
    status: str | None = Field(
        default=None, description="A status that records an accepted risk, instead of or beside the resolution."
    )
    expiry_field: str = Field(
        default="Risk acceptance expiry",
        description="Date field (id, or name looked up in Jira's field list) holding the acceptance's expiry.",
    )

    @model_validator(mode="after")
    def _some_marker(self) -> AcceptanceSpec:
        if self.resolution is None and self.status is None:
            raise ValueError("tickets.acceptance needs a resolution or a status that records the acceptance")
        return self


class SlaDays(Strict):
    """Days from opening (or reopening) a gap ticket to its due date, per control severity."""

    critical: int = Field(default=7, ge=1)
    high: int = Field(default=14, ge=1)
    medium: int = Field(default=30, ge=1)
    low: int = Field(default=60, ge=1)


TICKET_PLACEHOLDERS = frozenset(
    {"organization", "control_id", "title", "owner", "severity", "criteria", "resource", "fingerprint", "due"}
)


class TicketSpec(Strict):
    issue_type: str = "Task"
    labels: list[str] = Field(default_factory=lambda: ["socready"])
    dry_run: bool = False
    group_by: Literal["control", "control_and_resource", "owner"] = Field(
        default="control", description="One ticket per control, per control and resource, or per owner."
    )
    sla_days: SlaDays = Field(default_factory=SlaDays)
    custom_fields: dict[str, str | dict[str, str]] = Field(
        default_factory=dict,
        description="Field id -> value set on create; {placeholders} as in TICKET_PLACEHOLDERS.",
    )
    resolve_after_runs: int = Field(default=2, ge=1, description="Consecutive operating runs before resolving.")
    resolve_transitions: list[str] = Field(
        default_factory=lambda: ["Done"], min_length=1, description="Taken in order, each when available."
    )
    reopen_transition: str = "Reopen"
    link_type: str = Field(default="Relates", description="Links a regression's new ticket to the old one.")
    state_dir: str | None = Field(
        default=None, description="Ticket outbox and lock; default <evidence_store>/tickets for a local store."
    )
    search_lag_seconds: float = Field(default=30.0, ge=0, description="How far Jira search may lag behind writes.")
    lock_timeout_seconds: float = Field(default=600.0, gt=0)
    fieldwork_date: date | None = Field(
        default=None,
        description="First day of the planned audit fieldwork; historical gaps' management responses are due "
        "`response_lead_days` before it. Default: 30 days after the window end.",
    )
    response_lead_days: int = Field(
        default=7, ge=0, description="Days before the fieldwork date that management responses are due."
    )
    response_field: str | None = Field(
        default=None,
        description="Text field (id, or name looked up in Jira's field list) holding the management response; "
        "unset: the latest comment starting 'Management response:'.",
    )
    acceptance: AcceptanceSpec | None = Field(
        default=None, description="Risk acceptance in the ticket (resolution or status, expiry field); unset: off."
    )
    dispute_resolution: str | None = Field(
        default=None,
        description="Resolution an owner sets to dispute a finding (with a comment giving the reason); "
        "recorded for review, the exception stays. Unset: off.",
    )

    @field_validator("labels")
    @classmethod
    def _labels(cls, value: list[str]) -> list[str]:
        return jira_labels(value)

    @field_validator("custom_fields")
    @classmethod
    def _known_placeholders(cls, value: dict[str, str | dict[str, str]]) -> dict[str, str | dict[str, str]]:
        for field, template in value.items():
            texts = template.values() if isinstance(template, dict) else [template]
            names = {name for text in texts for _, name, _, _ in string.Formatter().parse(text) if name is not None}
            if unknown := sorted(names - TICKET_PLACEHOLDERS):
                raise ValueError(
                    f"{field}: unknown placeholder(s) {unknown}; use {', '.join(sorted(TICKET_PLACEHOLDERS))}"
                )
        return value


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


class ExecutionSpec(Strict):
    """Where collection and assessment run."""

    runner: Literal["threads", "dask"] = Field(
        default="threads",
        description="threads: in the flow's own process; dask: each account x region x source and each control "
        "is a Prefect task on prefect-dask's DaskTaskRunner.",
    )
    dask_address: str | None = Field(
        default=None,
        description="Scheduler of an existing Dask cluster (e.g. tcp://scheduler:8786); unset: a LocalCluster on "
        "this machine. Its workers run elsewhere, so the evidence store must be s3://.",
    )
    dask_workers: int = Field(default=2, ge=1, description="Processes of the LocalCluster (not with an address).")

    @model_validator(mode="after")
    def _address_means_dask(self) -> ExecutionSpec:
        if self.dask_address and self.runner != "dask":
            raise ValueError("execution.dask_address is set but execution.runner is threads; set runner: dask")
        return self


def remote_store_problem(execution: ExecutionSpec, evidence_store: str) -> str | None:
    """Workers on other machines cannot write to this machine's folder: an address needs an S3 store."""
    if execution.runner == "dask" and execution.dask_address and not evidence_store.startswith("s3://"):
        return (
            f"execution.dask_address {execution.dask_address} runs tasks on other machines, which cannot reach the "
            f"local evidence store {evidence_store}; set evidence_store to an s3://bucket/prefix"
        )
    return None


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
    execution: ExecutionSpec = Field(
        default_factory=ExecutionSpec, description="Threads in one process (default) or tasks on a Dask cluster."
    )

    @field_validator("categories")
    @classmethod
    def _security_always(cls, value: list[Category]) -> list[Category]:
        return ["security", *[c for c in dict.fromkeys(value) if c != "security"]]

    @model_validator(mode="after")
    def _store_reachable_by_workers(self) -> Scope:
        if problem := remote_store_problem(self.execution, self.evidence_store):
            raise ValueError(problem)
        return self
