"""AWS Config configuration items (delivered files or API pages) -> per-resource histories, parsed once a run."""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, datetime

from socready.evidence.view import EvidenceView

SOURCE = "aws.config.history"
DELETED = ("ResourceDeleted", "ResourceDeletedNotRecorded")


@dataclass(frozen=True)
class ConfigItem:
    time: datetime
    status: str
    resource_type: str
    resource_id: str
    name: str
    account: str
    region: str
    configuration: dict
    supplementary: dict
    evidence: str

    @property
    def deleted(self) -> bool:
        return self.status in DELETED


def _json(value) -> dict:
    """The API returns configuration as a JSON string; delivered files as an object."""
    if isinstance(value, str):
        return json.loads(value) if value else {}
    return value or {}


def _time(value) -> datetime:
    if isinstance(value, int | float):
        return datetime.fromtimestamp(value, UTC)
    return datetime.fromisoformat(str(value).replace("Z", "+00:00")).astimezone(UTC)


def parse_items(view: EvidenceView) -> dict[str, list[ConfigItem]]:
    by_type: dict[str, dict[tuple, ConfigItem]] = defaultdict(dict)
    for entry in view.entries(SOURCE):
        for raw in view.read_json(entry).get("configurationItems", []):
            item = ConfigItem(
                time=_time(raw["configurationItemCaptureTime"]),
                status=raw.get("configurationItemStatus", "OK"),
                resource_type=raw["resourceType"],
                resource_id=raw["resourceId"],
                name=raw.get("resourceName") or raw["resourceId"],
                account=raw.get("awsAccountId") or raw.get("accountId") or entry.account or "",
                region=raw.get("awsRegion") or entry.region or "",
                configuration=_json(raw.get("configuration")),
                supplementary={k: _json(v) for k, v in (raw.get("supplementaryConfiguration") or {}).items()},
                evidence=entry.sha256,
            )
            # Snapshot files repeat items that history files also hold: one item per resource and capture time.
            by_type[item.resource_type].setdefault((item.account, item.resource_id, item.time), item)
    return {kind: sorted(items.values(), key=lambda i: i.time) for kind, items in by_type.items()}


def config_items(view: EvidenceView, resource_type: str) -> list[ConfigItem]:
    return view.parsed(SOURCE, parse_items).get(resource_type, [])
