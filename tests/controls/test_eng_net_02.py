"""ENG-NET-02 over the window: security groups now + Config history + ingress events, via moto over HTTP."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timedelta
from itertools import product

import pytest
from pydantic import ValidationError

from expectations.dataset import Row, frame
from expectations.eng_net_02 import FACTS, SPEC, EngNet02Parameters, judge, open_rules, rules, timed, watched
from expectations.runner import validate
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


def test_the_suite_states_the_port_rule_and_the_sla_over_each_exposures_hours_and_ticket():
    stated = [(r.expectation, r.on_fail, r.arguments) for r in SPEC.rules(EngNet02Parameters(ports="443"))]
    assert stated == [
        ("ExpectColumnValuesToNotBeNull", "coverage", {"column": "world_open"}),
        ("ExpectColumnValuesToShowWhetherPortsAreAdmitted", "coverage", {"column": "world_open", "ports": [443]}),
        ("ExpectColumnValuesToAdmitNoneOfPorts", "exception", {"column": "world_open", "ports": [443]}),
    ]
    stated = {r.arguments["column"]: r.arguments for r in SPEC.rules(EngNet02Parameters(close_within_hours=72.0))}
    assert stated["world_open"]["ports"] == [22, 3389]
    assert stated["exposure_hours"]["max_value"] == 72.0
    assert stated["incident_ticket"]["value_set"] == [True]


CONTROL = "ENG-NET-02"
OUTCOMES = ("coverage", "exception")  # a row failing both is a coverage gap
PROTOCOLS = ("tcp", "udp", "6", "-1", "icmp")
RANGES = {
    "exact SSH": (22, 22),
    "exact RDP": (3389, 3389),
    "covering": (0, 1024),
    "below": (1, 21),
    "missing bounds": (None, None),
    "-1": (-1, -1),
}
CIDRS = ("0.0.0.0/0", "::/0", "10.0.0.0/8")
# Which ranges of a TCP/UDP rule open to the internet reach a watched port, as `exposures` decided it.
REACHING = {
    "22,3389": {"exact SSH", "exact RDP", "covering", "missing bounds", "-1"},
    "443": {"covering", "missing bounds", "-1"},
}


def permission_shapes(protocol: str, bounds: tuple[int | None, int | None], cidr: str) -> dict[str, object]:
    """One ingress rule as the EC2 API, an AWS Config item and a CloudTrail event spell it (no bounds: none given)."""
    low, high = bounds
    ipv6 = ":" in cidr
    api = {"IpProtocol": protocol, **({} if low is None else {"FromPort": low, "ToPort": high})}
    api |= {"Ipv6Ranges": [{"CidrIpv6": cidr}]} if ipv6 else {"IpRanges": [{"CidrIp": cidr}]}
    config = {"ipProtocol": protocol, **({} if low is None else {"fromPort": low, "toPort": high})}
    config |= {"ipv6Ranges": [{"cidrIpv6": cidr}]} if ipv6 else {"ipv4Ranges": [{"cidrIp": cidr}], "ipRanges": [cidr]}
    trail = {key: value for key, value in config.items() if key not in ("ipv4Ranges", "ipRanges", "ipv6Ranges")}
    field, key = ("ipv6Ranges", "cidrIpv6") if ipv6 else ("ipRanges", "cidrIp")
    trail[field] = {"items": [{key: cidr}]}
    return {"API": [api], "Config": [config], "CloudTrail": {"items": [trail]}}


def old_row(protocol: str, range_name: str, cidr: str, ports: str, whole: bool) -> tuple[str, str]:
    """(verdict, value) as the old yes/no fact gave them: an exposure of a watched port is an exception; else the
    group passes when all its rules were shown, and is no evidence when only a change was."""
    low, high = RANGES[range_name]
    reaching = protocol == "-1" or (protocol in ("tcp", "udp", "6") and range_name in REACHING[ports])
    if cidr != "10.0.0.0/8" and reaching:
        span = "all ports" if protocol == "-1" else f"{protocol} {low}-{high}"
        return "exception", f"open to the internet: {span} from {cidr}"
    if whole:
        return "operating", "no internet ingress to the watched ports"
    return "coverage", "rules before the first change not shown"


def suite_verdicts(rows: list[Row], params: EngNet02Parameters) -> list[str]:
    outcome = validate(CONTROL, frame(rows, FACTS), rules(params))
    failed = {kind: {i for f in outcome.failures if f.on_fail == kind for i in f.rows} for kind in OUTCOMES}
    return [next((kind for kind in OUTCOMES if i in failed[kind]), "operating") for i in range(len(rows))]


@pytest.mark.parametrize("ports", ["22,3389", "443"])
def test_the_suite_judges_the_open_rules_as_the_watched_port_fact_did(ports):
    """Every protocol, port range and CIDR, in each source's spelling, with every rule shown (a snapshot, a Config
    item) or only the change that opened it (an event alone): the open rules, whatever their ports, give each
    row the verdict and the value the old yes/no fact on the watched ports gave it, without an SLA and under one
    (each exposure an hour long, with no incident ticket)."""
    cases = product(PROTOCOLS, RANGES, CIDRS, ("API", "Config", "CloudTrail"), (True, False))
    rows, expected = [], []
    for number, (protocol, range_name, cidr, source, whole) in enumerate(cases):
        permissions = permission_shapes(protocol, RANGES[range_name], cidr)[source]
        settings = dict.fromkeys(open_rules(permissions), True)
        _, value, facts = judge(settings, whole, [int(p) for p in ports.split(",")])
        group = f"arn:aws:ec2:{EAST}:{PROD}:security-group/sg-{number:017d}"
        rows.append(Row(group, at(3), at(3, 13), value, facts))
        expected.append(old_row(protocol, range_name, cidr, ports, whole))
    rows.append(Row("arn:aws:ec2:us-east-1:1:security-group/sg-blind", at(3), at(4), "recorder off", {}))
    expected.append(("coverage", "recorder off"))
    assert {verdict for verdict, _ in expected} == {"exception", "coverage", "operating"}
    assert [r.value for r in rows] == [value for _, value in expected]
    assert suite_verdicts(rows, EngNet02Parameters(ports=ports)) == [verdict for verdict, _ in expected]
    within_sla = EngNet02Parameters(ports=ports, close_within_hours=72.0)
    timed_rows = timed(rows, timedelta(hours=72), [], [int(p) for p in ports.split(",")])
    by_group = {r.resource: r for r in timed_rows}
    assert suite_verdicts([by_group[r.resource] for r in rows], within_sla) == [verdict for verdict, _ in expected]


def test_the_port_rules_render_in_the_data_docs(tmp_path):
    """GX's site builder renders the custom expectations' sentences from a stored result, in a process that
    imported only the exporter (as `socready export` does)."""
    rows = [Row(f"sg-{n}", at(3), at(4), "v", {"world_open": text}) for n, text in enumerate(["tcp 22-22 from ::/0"])]
    outcome = validate(CONTROL, frame(rows, FACTS), rules(EngNet02Parameters()))
    (tmp_path / "validation.json").write_text(json.dumps(outcome.result_json, default=str), encoding="utf-8")
    build = (
        "import sys; from pathlib import Path; from socready.export.data_docs import build_data_docs; "
        "folder = Path(sys.argv[1]); "
        "pages = build_data_docs('run', {'ENG-NET-02': (folder / 'validation.json').read_bytes()}, folder / 'docs'); "
        "print((folder / 'docs' / pages['ENG-NET-02']).read_text())"
    )
    page = subprocess.run([sys.executable, "-c", build, str(tmp_path)], capture_output=True, text=True, check=True)
    assert "Rules open to the internet in" in page.stdout and "must admit none of ports" in page.stdout
    assert "22, 3389" in page.stdout and "must all be shown, unless one shown admits one of ports" in page.stdout


@pytest.mark.parametrize("ports", ["", "22,,3389", "ssh", "22;3389"])
def test_ports_that_are_not_comma_separated_numbers_are_refused_naming_the_setting(ports):
    with pytest.raises(ValidationError, match="ports"):
        EngNet02Parameters(ports=ports)
    assert watched(EngNet02Parameters(ports=" 22, 3389")) == [22, 3389]
