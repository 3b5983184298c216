"""ENG-NET-02: no security group admits 0.0.0.0/0 or ::/0 to SSH (22) or RDP (3389), or each such exposure
was closed within the SLA (`close_within_hours`, default 0: any exposure is an exception) with an incident ticket
(jira.incidents) naming the group."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import datetime, timedelta

import pandas as pd
from pydantic import Field

from expectations.aws_state import Fact, Timelines, as_list, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import CONFIG_STATE, ConfigItem, config_items
from expectations.dataset import Row, frame
from expectations.eng_cfg_01 import blind_intervals
from expectations.jira_issues import Issue, optional_issues
from expectations.spec import ControlSpec, Parameters, Rule, always, at_most, covered, never
from expectations.state_timeline import State, named
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-NET-02"
FACT = "internet_ingress"  # the group admits 0.0.0.0/0 or ::/0 to a watched port
FACTS = {FACT: "boolean", "exposure_hours": "Float64", "incident_ticket": "boolean"}  # the latter two: under an SLA
SETTINGS = "aws.ec2.settings"
INCIDENTS = "jira.incidents"
CONFIG_TYPE = "AWS::EC2::SecurityGroup"
OPEN = ("0.0.0.0/0", "::/0")
PORTED = ("tcp", "udp", "6", "17")  # RDP also listens on UDP 3389
EVENTS = (
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "AuthorizeSecurityGroupIngress",
    "RevokeSecurityGroupIngress",
)


class EngNet02Parameters(Parameters):
    ports: str = Field(
        default="22,3389", description="comma-separated ports that must not be open to 0.0.0.0/0 or ::/0"
    )
    close_within_hours: float = Field(
        default=0.0,
        description=(
            "an exposure closed within this many hours, with an incident ticket naming the group, is not an "
            "exception; 0: every exposure is one"
        ),
    )


def group_arn(account: str, region: str, group_id: str) -> str:
    return f"arn:aws:ec2:{region}:{account}:security-group/{group_id}"


def exposures(permissions, ports: tuple[int, ...]) -> list[str]:
    """Rules admitting the internet to one of `ports`, as text, from API, Config or CloudTrail shapes."""
    found = []
    for permission in as_list(permissions):
        protocol = str(pick(permission, "ipProtocol", "")).lower()
        low, high = pick(permission, "fromPort"), pick(permission, "toPort")
        reaches = protocol == "-1" or (
            protocol in PORTED and any(low is None or low == -1 or int(low) <= p <= int(high) for p in ports)
        )
        ranges = [*as_list(pick(permission, "ipv4Ranges") or pick(permission, "ipRanges"))]
        ranges += as_list(pick(permission, "ipv6Ranges"))
        cidrs = [r if isinstance(r, str) else pick(r, "cidrIp") or pick(r, "cidrIpv6") for r in ranges]
        span = "all ports" if protocol == "-1" else f"{protocol} {low}-{high}"
        found += [f"{span} from {cidr}" for cidr in cidrs if reaches and cidr in OPEN]
    return sorted(set(found))


def judge(settings: dict, whole: bool, at: datetime) -> tuple[State, str]:
    exposed = sorted(rule for rule, present in settings.items() if present)
    if exposed:
        return "fail", f"open to the internet: {'; '.join(exposed)}"
    if whole:
        return "pass", "no internet ingress to the watched ports"
    return "unknown", "rules before the first change not shown"


def facts(view: EvidenceView, ports: tuple[int, ...]) -> Iterator[Fact]:
    for item in config_items(view, CONFIG_TYPE):
        yield item_fact(item, ports)
    for event in cloudtrail_logs(view).named(*EVENTS):
        yield event_fact(event, ports)
    for entry in [*view.earlier_entries(SETTINGS), *view.entries(SETTINGS)]:
        body = view.read_json(entry)
        account, region = entry.account or body["account"], entry.region or body["region"]
        for group in body["security_groups"]:
            settings = dict.fromkeys(exposures(group.get("IpPermissions"), ports), True)
            arn = group_arn(account, region, group["GroupId"])
            yield Fact(arn, entry.collected_at, settings, entry.sha256, account, region, True, kind="snapshot")


def item_fact(item: ConfigItem, ports: tuple[int, ...]) -> Fact:
    settings = (
        None if item.deleted else dict.fromkeys(exposures(pick(item.configuration, "ipPermissions"), ports), True)
    )
    arn = group_arn(item.account, item.region, item.resource_id)
    created = item.status == "ResourceDiscovered"
    return Fact(arn, item.time, settings, item.evidence, item.account, item.region, True, created, blindable=True)


def event_fact(event: TrailEvent, ports: tuple[int, ...]) -> Fact:
    group_id = pick(event.parameters, "groupId") or pick(event.details, "groupId") or ""
    arn = group_arn(event.account, event.region, str(group_id))
    seen = {"evidence": event.evidence, "account": event.account, "region": event.region}
    if event.name == "CreateSecurityGroup":  # a new group admits nothing
        return Fact(arn, event.time, {}, **seen, whole=True, created=True)
    if event.name == "DeleteSecurityGroup":
        return Fact(arn, event.time, None, **seen)
    rules = exposures(pick(event.parameters, "ipPermissions"), ports)
    return Fact(arn, event.time, dict.fromkeys(rules, event.name == "AuthorizeSecurityGroupIngress"), **seen)


def timed(rows: list[Row], sla: timedelta, tickets: list[Issue]) -> list[Row]:
    """Each exposure (touching rows of one group open to the internet) with its length in hours on its rows and
    whether an incident ticket names the group, opened from the exposure's start until the SLA after its end. An
    exposure closed within the SLA says so in its value, citing the ticket."""
    kept: list[Row] = []
    run: list[Row] = []

    def flush() -> None:
        if not run:
            return
        lasted, group = run[-1].end - run[0].start, run[0].resource.rsplit("/", 1)[-1]
        ticket = next(
            (t for t in tickets if t.mentions(None, group) and run[0].start <= t.created <= run[-1].end + sla), None
        )
        note, cited = "", ()
        if lasted <= sla and ticket:
            note, cited = f" (closed within the SLA; ticket {ticket.key})", ticket.evidence
        elif lasted <= sla:
            note = f" (closed within the SLA, but no incident ticket names {group})"
        facts = {"exposure_hours": lasted / timedelta(hours=1), "incident_ticket": ticket is not None}
        kept.extend(
            replace(r, value=r.value + note, metrics={**r.metrics, **facts}, evidence=(*r.evidence, *cited))
            for r in run
        )
        run.clear()

    for row in sorted(rows, key=lambda r: (r.resource, r.start)):
        exposed = row.metrics[FACT] is True
        if run and (row.resource != run[-1].resource or row.start != run[-1].end or not exposed):
            flush()
        (run if exposed else kept).append(row)
    flush()
    return kept


def build(view: EvidenceView, scope: Scope, window: Window, params: EngNet02Parameters) -> pd.DataFrame:
    ports = tuple(int(p) for p in params.ports.split(","))
    timelines = Timelines().fold(facts(view, ports), judge)
    rows = named(timelines.rows(scope, window, blind=blind_intervals(view, scope, window)), FACT, negated=True)
    sla = timedelta(hours=params.close_within_hours)
    # Without an SLA every exposure is an exception: its length and tickets do not matter (null).
    return frame(timed(rows, sla, optional_issues(view, scope, INCIDENTS, window)) if sla else rows, FACTS)


def rules(params: EngNet02Parameters) -> list[Rule]:
    beyond = "The security group admitted the internet to SSH or RDP beyond the allowed time."
    shown = covered(FACT, "The evidence does not show this security group's ingress rules.")
    if not params.close_within_hours:
        return [shown, never(FACT, beyond)]
    return [shown, at_most("exposure_hours", params.close_within_hours, beyond), always("incident_ticket", beyond)]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngNet02Parameters,
    sources=("aws.ec2.settings", *CONFIG_STATE, "jira.incidents"),
    optional_sources=("jira.incidents",),
    facts=FACTS,
    build=build,
    rules=rules,
)
