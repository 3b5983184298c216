"""Builders shared by control tests: a scope for a moto server and files, and one control run end to end."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import yaml

from socready.applicability import Assessment, plan_assessments
from socready.assess import assess_control
from socready.catalog import load_catalog
from socready.collect import collect
from socready.evidence import EvidenceEntry, EvidenceStore, open_store
from socready.evidence.view import EvidenceView
from socready.readiness.model import ControlResult
from socready.scope import Scope, scope_from_text
from socready.window import Window

# One month keeps fixtures small (a log file per account, region and day); the sandbox uses six.
WINDOW = {"start": "2026-07-01", "end": "2026-07-31", "timezone": "America/New_York"}


def make_scope(
    folder: Path,
    *,
    endpoint: str | None = None,
    accounts: list[str] = (),
    regions: list[str] = (),
    log_bucket: str | None = None,
    role: bool = True,
    **extra,
) -> Scope:
    """A scope file's content as a dict -> validated Scope; relative paths resolve against `folder`."""
    raw: dict = {"organization": "Fixture Co", "window": WINDOW, "evidence_store": "evidence", **extra}
    if accounts:
        raw["aws"] = {
            "accounts": [{"id": a} for a in accounts],
            "regions": list(regions or ["us-east-1"]),
            "endpoint_url": endpoint,
            "cloudtrail_logs": [{"bucket": log_bucket, "account": accounts[0]}] if log_bucket else [],
            "requests_per_second": 1000,  # moto has no API rate limit to stay under: no waits between calls
        }
        if role:
            raw["aws"]["role"] = {"name": "socready-collector", "external_id": "fixture-external-id"}
    return scope_from_text(yaml.safe_dump(raw), source=str(folder / "socready.yaml"), base=folder)


def window_of(scope: Scope, as_of: datetime | None = None) -> Window:
    spec = scope.window
    closed = datetime.combine(spec.end + timedelta(days=1), time(0), ZoneInfo(spec.timezone))
    return Window(spec.start, spec.end, spec.timezone, as_of or closed + timedelta(days=1))


def collected(scope: Scope, control_id: str, as_of: datetime | None = None) -> tuple[Assessment, Window, EvidenceView]:
    """Collect what the control needs (over HTTP for AWS) into the scope's store: its plan, window and evidence."""
    plan = next(p for p in plan_assessments(load_catalog(), scope) if p.control.id == control_id)
    window = window_of(scope, as_of)
    store = open_store(scope.evidence_store)
    return plan, window, EvidenceView(store, collect(scope, window, store, list(plan.control.evidence)))


def run_control(scope: Scope, control_id: str, as_of: datetime | None = None) -> ControlResult:
    """Collect what the control needs, then assess it through GX."""
    plan, window, view = collected(scope, control_id, as_of)
    return assess_control(plan, scope, window, view, view.store)


def local_midnight(day: date, tz: str = WINDOW["timezone"]) -> datetime:
    return datetime.combine(day, time(0), ZoneInfo(tz)).astimezone(UTC)


def objects_read(result: ControlResult, store: EvidenceStore, source: str) -> list[EvidenceEntry]:
    """The entries of `source` a control read: its report cites the run's manifest by sha256."""
    return store.manifest_by_sha256(result.evidence.manifest_sha256).entries_for(source)
