"""ENG-NET-02: no security group admits 0.0.0.0/0 or ::/0 to SSH (22) or RDP (3389), or each such exposure
was closed within the SLA (`close_within_hours`, default 0: any exposure is an exception) with an incident ticket
(jira.incidents) naming the group."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import timedelta

import pandas as pd
from pydantic import Field

from expectations.aws_state import Fact, Timelines, as_list, pick
from expectations.cloudtrail_events import TrailEvent, cloudtrail_logs
from expectations.config_items import CONFIG_STATE, ConfigItem, config_items
from expectations.dataset import Row, frame
from expectations.eng_cfg_01 import blind_intervals
from expectations.ingress import OPEN, OpenRule, admitting, open_rule, world_open
from expectations.jira_issues import Issue, optional_issues
from expectations.spec import ControlSpec, Parameters, Rule, always, at_most, covered, rule
from expectations.state_timeline import State
from socready.evidence.view import EvidenceView
from socready.scope import Scope
from socready.window import Window

CONTROL_ID = "ENG-NET-02"
# Every rule open to 0.0.0.0/0 or ::/0 whatever its port, as expectations/ingress.py writes it; the suite decides
# which of them admit the watched ports. Under an SLA, each exposure's length and ticket on its rows.
WORLD_OPEN = "world_open"
FACTS = {WORLD_OPEN: "string", "exposure_hours": "Float64", "incident_ticket": "boolean"}
SETTINGS = "aws.ec2.settings"
INCIDENTS = "jira.incidents"
CONFIG_TYPE = "AWS::EC2::SecurityGroup"
EVENTS = (
    "CreateSecurityGroup",
    "DeleteSecurityGroup",
    "AuthorizeSecurityGroupIngress",
    "RevokeSecurityGroupIngress",
)


class EngNet02Parameters(Parameters):
    ports: str = Field(
        default="22,3389",
        pattern=r"^\s*\d{1,5}\s*(,\s*\d{1,5}\s*)*$",
        description="comma-separated ports that must not be open to 0.0.0.0/0 or ::/0",
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


def watched(params: EngNet02Parameters) -> list[int]:
    """The ports of the setting (its pattern admits only comma-separated numbers)."""
    return [int(port) for port in params.ports.split(",")]


def open_rules(permissions) -> list[OpenRule]:
    """Rules admitting the internet, whatever their ports, from API, Config or CloudTrail shapes."""
    found = []
    for permission in as_list(permissions):
        protocol = str(pick(permission, "ipProtocol", "")).lower()
        low, high = pick(permission, "fromPort"), pick(permission, "toPort")
        ranges = [*as_list(pick(permission, "ipv4Ranges") or pick(permission, "ipRanges"))]
        ranges += as_list(pick(permission, "ipv6Ranges"))
        cidrs = [r if isinstance(r, str) else pick(r, "cidrIp") or pick(r, "cidrIpv6") for r in ranges]
        found += [open_rule(protocol, low, high, cidr) for cidr in cidrs if cidr in OPEN]
    return list(dict.fromkeys(found))


def judge(settings: dict[OpenRule, bool], whole: bool, ports: list[int]) -> tuple[State, str, dict[str, object]]:
    """The open rules as the suite's fact; the state (where rows split, and the value naming the exposed rules)
    from the watched ports, read from that same fact as the suite reads it."""
    shown = world_open((r for r, present in settings.items() if present), whole)
    facts = {WORLD_OPEN: shown}
    if exposed := admitting(shown or "", ports):
        return "fail", f"open to the internet: {'; '.join(sorted(r.text for r in exposed))}", facts
    if whole:
        return "pass", "no internet ingress to the watched ports", facts
    return "unknown", "rules before the first change not shown", facts


def facts(view: EvidenceView) -> Iterator[Fact]:
    for item in config_items(view, CONFIG_TYPE):
        yield item_fact(item)
    for event in cloudtrail_logs(view).named(*EVENTS):
        yield event_fact(event)
    for entry in [*view.earlier_entries(SETTINGS), *view.entries(SETTINGS)]:
        body = view.read_json(entry)
        account, region = entry.account or body["account"], entry.region or body["region"]
        for group in body["security_groups"]:
            settings = dict.fromkeys(open_rules(group.get("IpPermissions")), True)
            arn = group_arn(account, region, group["GroupId"])
            yield Fact(arn, entry.collected_at, settings, entry.sha256, account, region, True, kind="snapshot")


def item_fact(item: ConfigItem) -> Fact:
    settings = None if item.deleted else dict.fromkeys(open_rules(pick(item.configuration, "ipPermissions")), True)
    arn = group_arn(item.account, item.region, item.resource_id)
    created = item.status == "ResourceDiscovered"
    return Fact(arn, item.time, settings, item.evidence, item.account, item.region, True, created, blindable=True)


def event_fact(event: TrailEvent) -> Fact:
    group_id = pick(event.parameters, "groupId") or pick(event.details, "groupId") or ""
    arn = group_arn(event.account, event.region, str(group_id))
    seen = {"evidence": event.evidence, "account": event.account, "region": event.region}
    if event.name == "CreateSecurityGroup":  # a new group admits nothing
        return Fact(arn, event.time, {}, **seen, whole=True, created=True)
    if event.name == "DeleteSecurityGroup":
        return Fact(arn, event.time, None, **seen)
    rules = open_rules(pick(event.parameters, "ipPermissions"))
    return Fact(arn, event.time, dict.fromkeys(rules, event.name == "AuthorizeSecurityGroupIngress"), **seen)


def exposed(row: Row, ports: list[int]) -> bool:
    """Whether the row's open rules admit one of `ports`, read from its fact as the suite reads it."""
    shown = row.metrics.get(WORLD_OPEN)
    return shown is not None and bool(admitting(shown, ports))


def timed(rows: list[Row], sla: timedelta, tickets: list[Issue], ports: list[int]) -> list[Row]:
    """Each exposure (touching rows of one group open to the internet on one of `ports`) with its length in hours
    on its rows and whether an incident ticket names the group, opened from the exposure's start until the SLA
    after its end. An exposure closed within the SLA says so in its value, citing the ticket. Other rows keep
    null hours and ticket: the suite's limits do not apply to them."""
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
        admits = exposed(row, ports)
        if run and (row.resource != run[-1].resource or row.start != run[-1].end or not admits):
            flush()
        (run if admits else kept).append(row)
    flush()
    return kept


def build(view: EvidenceView, scope: Scope, window: Window, params: EngNet02Parameters) -> pd.DataFrame:
    ports = watched(params)
    timelines = Timelines().fold(facts(view), lambda settings, whole, at: judge(settings, whole, ports))
    rows = timelines.rows(scope, window, blind=blind_intervals(view, scope, window))
    sla = timedelta(hours=params.close_within_hours)
    if not sla:  # every exposure is an exception: its length and tickets do not matter (null)
        return frame(rows, FACTS)
    return frame(timed(rows, sla, optional_issues(view, scope, INCIDENTS, window), ports), FACTS)


def rules(params: EngNet02Parameters) -> list[Rule]:
    """The open rules must be shown, unless those shown already admit a watched port (a known exposure is an
    exception, not a gap); then none may admit a watched port, or under an SLA each exposure (the rows whose
    rules admit one: only they carry its hours and ticket) must be closed within it with a ticket."""
    ports = watched(params)
    beyond = "The security group admitted the internet to SSH or RDP beyond the allowed time."
    unshown = "The evidence does not show this security group's ingress rules."
    shown = [
        covered(WORLD_OPEN, unshown),
        rule("ExpectColumnValuesToShowWhetherPortsAreAdmitted", "coverage", unshown, column=WORLD_OPEN, ports=ports),
    ]
    if not params.close_within_hours:
        admits_none = rule("ExpectColumnValuesToAdmitNoneOfPorts", "exception", beyond, column=WORLD_OPEN, ports=ports)
        return [*shown, admits_none]
    return [*shown, at_most("exposure_hours", params.close_within_hours, beyond), always("incident_ticket", beyond)]


SPEC = ControlSpec(
    id=CONTROL_ID,
    parameters=EngNet02Parameters,
    sources=("aws.ec2.settings", *CONFIG_STATE, "jira.incidents"),
    optional_sources=("jira.incidents",),
    facts=FACTS,
    build=build,
    rules=rules,
)
