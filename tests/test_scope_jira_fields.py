"""The Jira field map in the scope: its defaults, per-source overrides of jira.fields, and settings it refuses."""

from __future__ import annotations

from importlib.resources import files

import pytest

from socready.errors import ScopeError
from socready.scope import scope_from_text

STARTER = files("socready.scope").joinpath("starter.yaml").read_text(encoding="utf-8")
JIRA = (
    "organization: Acme\nwindow: {start: 2026-01-01, end: 2026-06-30}\njira: {url: https://x.example, user: bot, %s}\n"
)


def jira(settings: str):
    return scope_from_text(JIRA % settings).jira


def test_the_defaults_approve_by_status_and_complete_by_resolution():
    mapping = jira("changes: {project: CHG}").field_map("changes")
    assert mapping.approval_field == "status" and mapping.by_status
    assert mapping.approved_status == ["Approved"]
    assert (mapping.sent_back_statuses, mapping.done_statuses, mapping.emergency_issue_types) == (None, [], [])
    assert (mapping.approver, mapping.approval_time, mapping.deploy_time, mapping.deploy_status) == (None,) * 4


def test_single_names_read_as_lists_and_lists_are_kept():
    mapping = jira(
        "fields: {approved_status: [Approved, Signed Off], sent_back_statuses: Reopened, done_statuses: Closed, "
        "emergency_issue_types: [Emergency Change], deploy_status: Deployed}"
    ).fields
    assert mapping.approved_status == ["Approved", "Signed Off"]
    assert (mapping.sent_back_statuses, mapping.done_statuses) == (["Reopened"], ["Closed"])
    assert (mapping.emergency_issue_types, mapping.deploy_status) == (["Emergency Change"], "Deployed")


def test_a_source_overrides_only_the_keys_it_sets():
    spec = jira(
        "fields: {approved_status: Approved, iam_user: customfield_1, deploy_status: Deployed}, "
        "changes: {project: CHG}, "
        "access_requests: {project: ACC, fields: {approved_status: [In Progress, Done]}}"
    )
    requests, changes = spec.field_map("access_requests"), spec.field_map("changes")
    assert requests.approved_status == ["In Progress", "Done"]
    assert (requests.iam_user, requests.deploy_status) == ("customfield_1", "Deployed")
    assert changes.approved_status == ["Approved"]
    assert spec.field_map("offboarding") == spec.fields  # a source not set reads the shared map


def test_the_approver_and_approval_time_pair_replaces_the_approval_field():
    mapping = jira("fields: {approval_field: jsm, approver: customfield_1, approval_time: customfield_2}").fields
    assert not mapping.by_status and not mapping.by_jsm


def test_jsm_approvals_are_an_approval_field_of_their_own():
    mapping = jira("fields: {approval_field: jsm}").fields
    assert mapping.by_jsm and not mapping.by_status


@pytest.mark.parametrize(
    ("settings", "hint"),
    [
        ("fields: {approval_time: customfield_2}", "jira.changes: approval_time needs approver"),
        (
            "access_requests: {project: ACC, fields: {approval_time: customfield_2}}",
            "jira.access_requests: approval_time needs approver",
        ),
        ("changes: {project: CHG, fields: {approved_status: []}}", "approved_status"),
        ("changes: {project: CHG, fields: {aproved_status: Approved}}", "aproved_status"),
    ],
)
def test_refused_field_maps_name_the_setting(settings, hint):
    with pytest.raises(ScopeError) as error:
        jira(settings)
    assert hint in str(error.value)


def test_the_starter_jira_lines_uncommented_are_valid(tmp_path):
    lines = [
        "  # access_requests: {project: ACR, issue_types: [Access Request], fields:",
        "    # sent_back_statuses:",
        "    # approver:",
        "    # approval_time:",
        "    # deploy_status:",
        "    # emergency_issue_types:",
        "    # done_statuses:",
    ]
    text = STARTER.replace("  access_requests: {project: ACR, issue_types: [Access Request]}  #", "  #")
    for line in lines:
        assert line in text
        text = text.replace(line, line.replace("# ", "", 1))
    spec = scope_from_text(text, base=tmp_path).jira
    assert spec.field_map("access_requests").approved_status == ["In Progress", "Done"]
    changes = spec.field_map("changes")
    assert (changes.approved_status, changes.sent_back_statuses) == (["Approved"], ["To Do", "In Review"])
    assert (changes.approval_time, changes.deploy_status, changes.done_statuses) == (
        "customfield_10049",
        "Deployed",
        ["Done", "Closed"],
    )
