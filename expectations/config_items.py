"""AWS Config configuration items (delivered files or API pages) -> per-resource histories, parsed once a run;
and how each account and region's history was read (delivered files, the Config API, or nothing delivered)."""

from __future__ import annotations

import json
import re
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from sys import intern
from urllib.parse import unquote

from socready.evidence import EvidenceEntry
from socready.evidence.aws_formats import BASELINE_API, EMPTY_LOCATION, HISTORY_API
from socready.evidence.view import EvidenceView

SOURCE = "aws.config.history"
# What a state read from Config history needs: the items, the recorder (a stop blinds them) and CloudTrail (the
# changes between items); a control's spec lists these after its own snapshot source.
CONFIG_STATE = (SOURCE, "aws.config.recorders", "aws.cloudtrail.logs")
DELETED = ("ResourceDeleted", "ResourceDeletedNotRecorded")
QUERIED_TYPE = re.compile(r" type=(\S+)")
HISTORY_FILE_TYPE = re.compile(r"_ConfigHistory_(.+?)_\d{8}T\d{6}Z")


@dataclass(frozen=True, slots=True)
class ConfigItem:
    """One configuration item. Slots and shared strings: a task holds every item of a resource type over the
    window and its baseline months (≈ 400,000 buckets' at org M)."""

    time: datetime
    status: str
    resource_type: str
    resource_id: str
    name: str
    account: str
    region: str
    configuration: dict
    supplementary: dict  # every value an object: Config delivers some as JSON text, or JSON text of JSON text
    evidence: str

    @property
    def deleted(self) -> bool:
        return self.status in DELETED


def unwrapped(value):
    """The API returns configuration as JSON text, supplementary fields sometimes as JSON text of JSON text;
    delivered files hold objects."""
    while isinstance(value, str) and value.strip():
        value = json.loads(value)
    return None if isinstance(value, str) else value


def _time(value) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def held_type(entry: EvidenceEntry) -> str | None:
    """The one resource type an entry can hold, by its query: an API page or baseline asked for one type, and
    Config delivers a history file per type (`<account>_Config_<region>_ConfigHistory_AWS::EC2::SecurityGroup_
    <time>...`; "::" as "_" in the sandbox's files). None: any type (snapshot files, a file named without one)."""
    if entry.query.startswith(HISTORY_API):
        found = QUERIED_TYPE.search(entry.query)
    else:
        found = HISTORY_FILE_TYPE.search(unquote(entry.query.rsplit("/", 1)[-1]))
    return found.group(1).replace("::", "_") if found else None


def parse_items(view: EvidenceView, resource_type: str) -> list[ConfigItem]:
    """One resource type's items, oldest first; entries that hold only other types are left unread, since a run
    holds every type's items of every account and region and a control reads one or two types."""
    wanted = resource_type.replace("::", "_")
    items: dict[tuple, ConfigItem] = {}
    for entry in view.entries(SOURCE):
        if held_type(entry) not in (None, wanted):
            continue
        body = view.read_json(entry)
        # A baseline call asked for the last item at or before the window start; an item after it is not that.
        later = _time(body["laterTime"]) if "laterTime" in body else None
        for raw in body.get("configurationItems", []):
            if raw["resourceType"] != resource_type:
                continue
            item = ConfigItem(
                time=_time(raw["configurationItemCaptureTime"]),
                status=intern(raw.get("configurationItemStatus", "OK")),
                resource_type=resource_type,
                resource_id=raw["resourceId"],
                name=raw.get("resourceName") or raw["resourceId"],
                account=intern(raw.get("awsAccountId") or raw.get("accountId") or entry.account or ""),
                region=intern(raw.get("awsRegion") or entry.region or ""),
                configuration=unwrapped(raw.get("configuration")) or {},
                supplementary={k: unwrapped(v) for k, v in (raw.get("supplementaryConfiguration") or {}).items()},
                evidence=entry.sha256,
            )
            if later is not None and item.time > later:
                continue
            # Snapshot files repeat items that history files also hold: one item per resource and capture time.
            items.setdefault((item.account, item.resource_id, item.time), item)
    return sorted(items.values(), key=lambda i: i.time)


def config_items(view: EvidenceView, resource_type: str) -> list[ConfigItem]:
    """Parsed once per view and type."""
    return view.parsed(SOURCE, parse_items, resource_type)


@dataclass
class HistoryRead:
    """How one account and region's Config history was read."""

    files: int = 0  # delivered history and snapshot files
    pages: int = 0  # GetResourceConfigHistory answers over the window (no location configured)
    baselines: int = 0  # resources whose last item before the window came from the API
    empty: list[str] = field(default_factory=list)  # configured locations that held no file for it

    @property
    def missing(self) -> bool:
        """Locations were configured and none held a file: the change record is missing, not empty."""
        return not self.files and bool(self.empty)

    def path(self) -> str:
        if self.missing:
            return f"snapshots only: no AWS Config history files under {', '.join(self.empty)}"
        found = f"delivered files ({self.files})" if self.files else "Config API" if self.pages else "none"
        return f"{found}, baselines of {self.baselines} resources from the Config API" if self.baselines else found


def parse_reads(view: EvidenceView) -> dict[tuple[str, str], HistoryRead]:
    reads: dict[tuple[str, str], HistoryRead] = defaultdict(HistoryRead)
    for entry in view.entries(SOURCE):
        read = reads[(entry.account or "", entry.region or "")]
        if entry.query.startswith(EMPTY_LOCATION):
            read.empty.append(entry.query.removeprefix(EMPTY_LOCATION))
        elif entry.query.startswith(BASELINE_API):
            read.baselines += 1
        elif entry.query.startswith(HISTORY_API):
            read.pages += 1
        else:
            read.files += 1
    return dict(reads)


def history_reads(view: EvidenceView) -> dict[tuple[str, str], HistoryRead]:
    """(account, region) -> how its Config history was read this run."""
    return view.parsed(SOURCE, parse_reads)


def state_paths(view: EvidenceView, accounts: list[str], regions: list[str]) -> list[str]:
    """Where Config-derived state came from, per account and region, for the report."""
    reads = history_reads(view)
    return [f"{a}/{r}: {reads.get((a, r), HistoryRead()).path()}" for a in accounts for r in regions]
