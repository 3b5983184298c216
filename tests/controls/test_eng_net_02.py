"""ENG-NET-02 over the window: security groups now + Config history + ingress events, via moto over HTTP."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from expectations.eng_net_02 import SPEC, EngNet02Parameters
from socready.readiness.model import ControlResult
from socready.scope.models import JiraSpec
from socready_sandbox.aws_data import group_config_item, ingress_event
from tests.controls.data_fixtures import (
    BASELINE,
    CREATED,
    DELETED,
    EAST,
    PROD,
    WINDOW_END,
    assess,
    at,
    client,
    data_scope,
    event,
    exceptions,
    prepare,
)
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import run_control

SSH_FROM_ANYWHERE = "open to the internet: tcp 22-22 from 0.0.0.0/0"


def create_group(endpoint: str, name: str, rules: list[tuple[int, str]]) -> str:
    """A security group admitting (port, CIDR) pairs over TCP -> its id."""
    ec2 = client(endpoint, PROD, "ec2")
    group_id = ec2.create_security_group(GroupName=name, Description=name)["GroupId"]
    for port, cidr in rules:
        ranges = {"Ipv6Ranges": [{"CidrIpv6": cidr}]} if ":" in cidr else {"IpRanges": [{"CidrIp": cidr}]}
        permission = {"IpProtocol": "tcp", "FromPort": port, "ToPort": port, **ranges}
        ec2.authorize_security_group_ingress(GroupId=group_id, IpPermissions=[permission])
    return group_id


def arn(group_id: str) -> str:
    return f"arn:aws:ec2:{EAST}:{PROD}:security-group/{group_id}"


def group_item(group_id: str, when, status: str = "OK") -> dict:
    """A Config item of a group admitting only HTTPS from anywhere."""
    return group_config_item(group_id, PROD, EAST, when, (443, "0.0.0.0/0"), status=status)


def test_no_internet_ssh_or_rdp_operates(aws, tmp_path):
    prepare(aws)
    create_group(aws, "web", [(443, "0.0.0.0/0"), (22, "10.0.0.0/8")])
    result = assess(aws, tmp_path, "ENG-NET-02")
    assert result.status == "operating", result.reason
    assert result.population == 2  # the default group and web


def test_ssh_open_to_the_internet_for_two_days_is_one_exception(aws, tmp_path):
    group = create_group(aws, "web", [(443, "0.0.0.0/0")])
    opened, closed = at(3, 10), at(5, 10)
    history = [ingress_event("AuthorizeSecurityGroupIngress", opened, group, 22, "0.0.0.0/0")]
    history.append(ingress_event("RevokeSecurityGroupIngress", closed, group, 22, "0.0.0.0/0"))
    prepare(aws, events=history, items=[group_item(group, BASELINE, "ResourceDiscovered")])
    result = assess(aws, tmp_path, "ENG-NET-02")
    assert exceptions(result) == [(arn(group), opened, closed, SSH_FROM_ANYWHERE)]


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def sla_case(aws, jira, tmp_path, tickets: list[tuple[str, datetime]]) -> tuple[str, datetime, ControlResult]:
    """SSH open for 48 h from 3 July, then RDP open from 20 July to the end; a 72 h SLA; incident `tickets`
    (summary, created) in the sandbox Jira. Returns the group, the RDP opening and the result."""
    group = create_group(aws, "admin", [(3389, "::/0")])
    opened, rdp_opened = at(3, 10), at(20, 10)
    history = [
        ingress_event("AuthorizeSecurityGroupIngress", opened, group, 22, "0.0.0.0/0"),
        ingress_event("RevokeSecurityGroupIngress", opened + timedelta(hours=48), group, 22, "0.0.0.0/0"),
        ingress_event("AuthorizeSecurityGroupIngress", rdp_opened, group, 3389, "::/0"),
    ]
    prepare(aws, events=history, items=[group_item(group, BASELINE, "ResourceDiscovered")])
    for summary, created in tickets:
        seed_ticket(
            jira, "INC", summary.format(group=group), created, created + timedelta(hours=5), issue_type="Incident"
        )
    scope = data_scope(tmp_path, aws, **{"ENG-NET-02": {"close_within_hours": 72}})
    scope = scope.model_copy(update={"jira": JiraSpec(**jira_scope(jira))})
    return group, rdp_opened, run_control(scope, "ENG-NET-02")


def test_exposure_closed_within_the_sla_with_its_ticket_is_not_an_exception(aws, jira, tmp_path):
    group, rdp_opened, result = sla_case(aws, jira, tmp_path, [("SSH open to the internet on {group}", at(3, 12))])
    rdp = "open to the internet: tcp 3389-3389 from ::/0"
    assert exceptions(result) == [(arn(group), rdp_opened, WINDOW_END, rdp)]  # open past the SLA: no ticket helps
    assert result.exceptions[0].ongoing is False  # the window is closed


def test_exposure_closed_within_the_sla_without_a_ticket_naming_the_group_stays_an_exception(aws, jira, tmp_path):
    unrelated = [("SSH open on sg-0000000000000000", at(3, 12)), ("SSH open on {group}", at(1, 9))]  # other; before
    group, _, result = sla_case(aws, jira, tmp_path, unrelated)
    ssh = f"{SSH_FROM_ANYWHERE} (closed within the SLA, but no incident ticket names {group})"
    assert exceptions(result)[0] == (arn(group), at(3, 10), at(5, 10), ssh)
    assert len(result.exceptions) == 2


def test_sla_without_jira_incidents_in_the_scope_leaves_every_exposure_an_exception(aws, tmp_path):
    group = create_group(aws, "admin", [])
    opened = at(3, 10)
    history = [
        ingress_event("AuthorizeSecurityGroupIngress", opened, group, 22, "0.0.0.0/0"),
        ingress_event("RevokeSecurityGroupIngress", opened + timedelta(hours=48), group, 22, "0.0.0.0/0"),
    ]
    prepare(aws, events=history, items=[group_item(group, BASELINE, "ResourceDiscovered")])
    result = assess(aws, tmp_path, "ENG-NET-02", parameters={"close_within_hours": 72})
    assert result.collection_errors == []  # the optional source is not set: not a failed read
    ssh = f"{SSH_FROM_ANYWHERE} (closed within the SLA, but no incident ticket names {group})"
    assert exceptions(result) == [(arn(group), opened, opened + timedelta(hours=48), ssh)]


def test_group_created_open_and_deleted_inside_the_window_fails_for_its_open_lifetime(aws, tmp_path):
    group = "sg-0badc0ffee0000001"  # gone by collection time: only its history shows it
    opened = CREATED + timedelta(hours=1)
    history = [
        event("CreateSecurityGroup", CREATED, {"groupName": "debug"}, service="ec2", details={"groupId": group}),
        ingress_event("AuthorizeSecurityGroupIngress", opened, group, 22, "0.0.0.0/0"),
        event("DeleteSecurityGroup", DELETED, {"groupId": group}, service="ec2"),
    ]
    prepare(aws, events=history)
    result = assess(aws, tmp_path, "ENG-NET-02")
    assert exceptions(result) == [(arn(group), opened, DELETED, SSH_FROM_ANYWHERE)]
    assert result.coverage_gaps == []


def test_the_suite_states_the_sla_over_each_exposures_hours_and_ticket():
    none_allowed = [(r.expectation, r.arguments) for r in SPEC.rules(EngNet02Parameters())[1:]]
    assert none_allowed == [("ExpectColumnValuesToBeInSet", {"column": "internet_ingress", "value_set": [False]})]
    stated = {r.arguments["column"]: r.arguments for r in SPEC.rules(EngNet02Parameters(close_within_hours=72.0))}
    assert stated["exposure_hours"]["max_value"] == 72.0
    assert stated["incident_ticket"]["value_set"] == [True]
