"""ENG-ACC-02: every IAM access grant in W was preceded by an approved access-request ticket for that user."""

from __future__ import annotations

from datetime import timedelta
from zoneinfo import ZoneInfo

import pandas as pd
from pydantic import Field

from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.dataset import Row, frame
from expectations.iam_timeline import unlogged_accounts
from expectations.jira_approvals import approval_standing, approvals
from expectations.jira_issues import Issue, day_end, field_map, jira_issues, stamp
from expectations.spec import ControlSpec, Parameters, Rule, held_throughout
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.scope.models import JiraFieldMap
from socready.window import Window

CONTROL_ID = "ENG-ACC-02"
METRICS = {"approved_request": "boolean"}
SOURCE = "jira.access_requests"
GRANTS = ("CreateUser", "CreateLoginProfile", "AttachUserPolicy", "AddUserToGroup", "PutUserPolicy")


class EngAcc02Parameters(Parameters):
    request_valid_days: float = Field(
        default=30.0, description="how many days an approved access request stays valid for the grants it covers"
    )


def granted(event: TrailEvent) -> str:
    params = event.parameters
    target = params.get("groupName") or params.get("policyArn") or params.get("policyName") or ""
    return f"{event.name} {target}".strip() + f" by {event.actor} {stamp(event.time)}"


def verdict(event: TrailEvent, user: str, requests: list[Issue], mapping: JiraFieldMap, valid: timedelta, tz: ZoneInfo):
    """(approved, what was seen, when the deviation ended): a request must be created before the grant and its
    approval in force at the grant, given at most `valid` earlier."""
    asked = [r for r in requests if r.mentions(mapping.iam_user, user) and r.created <= event.time]
    for request in reversed(asked):
        approval = approval_standing(request, mapping, event.time, tz)
        if approval and event.time - approval.at <= valid:
            by = approval.by.name if approval.by else "nobody named"
            return True, f"{request.key} approved {stamp(approval.at)} by {by}", None
    late = sorted((a.at, r.key) for r in asked for a in approvals(r, mapping, tz) if a.at > event.time)
    if late:
        return False, f"{late[0][1]} approved {stamp(late[0][0])}, after the grant", late[0][0]
    if asked:
        return False, f"{', '.join(r.key for r in asked)} not approved within {valid.days} days before it", None
    return False, f"no access request names {user}", None


def build(view: EvidenceView, scope: Scope, window: Window, params: EngAcc02Parameters) -> pd.DataFrame:
    """Requests name the IAM user in the mapped field (`iam_user` of jira.access_requests' field map), else in the
    summary as a word."""
    mapping = field_map(scope, SOURCE)
    valid = timedelta(days=params.request_valid_days)
    requests = sorted(jira_issues(view, SOURCE, window), key=lambda r: r.created)
    accounts = {a.id for a in scope.aws.accounts}
    rows = []
    for event in cloudtrail_logs(view).named(*GRANTS):
        user = event.parameters.get("userName") or ""
        if event.account not in accounts or not window.contains(event.time) or not user:
            continue
        approved, seen, remedied = verdict(event, user, requests, mapping, valid, window.tz)
        named = (sha for r in requests if r.mentions(mapping.iam_user, user) for sha in r.evidence)
        until = remedied or day_end(event.time, window.tz)
        row = Row(
            f"iam/{event.account}/user/{user}",
            event.time,
            until,
            f"{granted(event)}; {seen}",
            {"approved_request": approved},
            (event.evidence, *named),
        )
        rows.append(row)
    return frame(rows + unlogged_accounts(view, scope, window, approved_request=None), METRICS)


def rules(params: EngAcc02Parameters) -> list[Rule]:
    return held_throughout(
        "approved_request",
        "The evidence does not show which access was granted in this account.",
        "Access was granted without an access request approved before it.",
    )


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngAcc02Parameters,
    sources=("aws.cloudtrail.logs", "jira.access_requests"),
    facts=METRICS,
    build=build,
    rules=rules,
)
