"""CloudTrail log files -> the management events controls need and the region-hours that have records."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime

from socready.evidence.view import EvidenceView

SOURCE = "aws.cloudtrail.logs"
READ_ONLY_PREFIXES = ("Describe", "Get", "List", "Head", "Lookup", "Search", "BatchGet")
KEPT_READS = frozenset({"ConsoleLogin"})  # sign-ins count for MFA and root-usage controls


def is_kept(record: dict) -> bool:
    """Controls read mutations, sign-ins and anything done as root; the rest only counts towards coverage."""
    read_only = record.get("readOnly")
    if read_only is None:
        read_only = str(record.get("eventName", "")).startswith(READ_ONLY_PREFIXES)
    identity = (record.get("userIdentity") or {}).get("type")
    return not read_only or record.get("eventName") in KEPT_READS or identity == "Root"


@dataclass(frozen=True)
class TrailEvent:
    time: datetime
    name: str
    account: str
    region: str
    actor: str
    parameters: dict
    evidence: str
    identity_type: str = ""
    details: dict = field(default_factory=dict)  # additionalEventData and responseElements, when present


@dataclass
class CloudTrailLogs:
    events: list[TrailEvent] = field(default_factory=list)
    hours: dict[tuple[str, str], set[datetime]] = field(default_factory=lambda: defaultdict(set))
    files: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))

    def named(self, *names: str) -> list[TrailEvent]:
        return [e for e in self.events if e.name in names]


def parse_time(text: str) -> datetime:
    return datetime.fromisoformat(text.replace("Z", "+00:00")).astimezone(UTC)


def actor_of(record: dict) -> str:
    identity = record.get("userIdentity") or {}
    return identity.get("userName") or identity.get("arn") or identity.get("type") or "unknown"


def parse_logs(view: EvidenceView) -> CloudTrailLogs:
    logs = CloudTrailLogs()
    for entry in view.entries(SOURCE):
        region = entry.region or ""
        logs.files[(entry.account or "", region)].append(entry.sha256)
        for record in view.read_json(entry).get("Records", []):
            moment = parse_time(record["eventTime"])
            account = record.get("recipientAccountId") or entry.account or ""
            where = (account, record.get("awsRegion", region))
            logs.hours[where].add(moment.replace(minute=0, second=0, microsecond=0))
            if is_kept(record):
                details = {**(record.get("additionalEventData") or {}), **(record.get("responseElements") or {})}
                logs.events.append(
                    TrailEvent(
                        moment,
                        record["eventName"],
                        *where,
                        actor_of(record),
                        record.get("requestParameters") or {},
                        entry.sha256,
                        (record.get("userIdentity") or {}).get("type", ""),
                        details,
                    )
                )
    logs.events.sort(key=lambda e: e.time)
    return logs


def cloudtrail_logs(view: EvidenceView) -> CloudTrailLogs:
    """Parsed once per run and shared by every control that reads CloudTrail logs."""
    return view.parsed(SOURCE, parse_logs)
