"""One control's verdict over the window from its dataset, suite outcome and collection failures."""

from __future__ import annotations

from datetime import date, timedelta
from fnmatch import fnmatchcase

import pandas as pd

from expectations.dataset import Inventory, inventory_of
from expectations.outcome import SuiteOutcome
from socready.catalog import Control
from socready.evidence import CollectionFailure
from socready.readiness.model import ControlResult, CoverageGap, EvidenceDigest, ExceptionInterval
from socready.scope.models import AcceptedException
from socready.window import Window


def _base(control: Control, evidence: EvidenceDigest | None) -> dict:
    return {
        "id": control.id,
        "title": control.title,
        "owner": control.owner,
        "kind": control.kind,
        "severity": control.severity,
        "criteria": control.criteria,
        "categories": control.categories,
        "remediation": control.remediation,
        "evidence": evidence,
    }


def not_applicable(control: Control, reason: str) -> ControlResult:
    return ControlResult(
        **_base(control, None),
        status="not_applicable",
        reason=reason,
        clean_since=None,
        coverage=0.0,
        population=0,
        exceptions=[],
    )


def failure_text(failure: CollectionFailure) -> str:
    where = "/".join(p for p in (failure.account, failure.region) if p)
    need = f"; grant {failure.missing_permission}" if failure.missing_permission else ""
    return f"{failure.source}{f' ({where})' if where else ''}: {failure.error} on {failure.query}{need}"


def lacking_evidence(
    control: Control, reason: str, failures: list[CollectionFailure], evidence: EvidenceDigest
) -> ControlResult:
    """A failed or unusable read: never operating, no clean-since date."""
    return ControlResult(
        **_base(control, evidence),
        status="no_evidence",
        reason=reason,
        clean_since=None,
        coverage=0.0,
        population=0,
        exceptions=[],
        collection_errors=[failure_text(f) for f in failures],
    )


def _intervals(df: pd.DataFrame, rows: dict[int, str]) -> list[tuple[dict, str]]:
    """Failing rows -> (row fields, reason), with touching rows of one resource and reason merged."""
    merged: list[tuple[dict, str]] = []
    for index, reason in sorted(rows.items(), key=lambda item: (df.at[item[0], "resource"], df.at[item[0], "start"])):
        row = {k: df.at[index, k] for k in ("resource", "start", "end", "value")}
        row["start"], row["end"] = row["start"].to_pydatetime(), row["end"].to_pydatetime()
        row["evidence"] = str(df.at[index, "evidence"]).split()
        last = merged[-1][0] if merged else None
        if last and last["resource"] == row["resource"] and merged[-1][1] == reason and row["start"] <= last["end"]:
            last["end"] = max(last["end"], row["end"])
            last["evidence"] = list(dict.fromkeys(last["evidence"] + row["evidence"]))
        else:
            merged.append((row, reason))
    return merged


def _accepted_by(
    item: ExceptionInterval, control: Control, acceptances: list[AcceptedException], today: date
) -> tuple[str | None, list[str]]:
    expired = []
    for acceptance in acceptances:
        if acceptance.control != control.id or not fnmatchcase(item.resource, acceptance.resource):
            continue
        if acceptance.expires < today:
            expired.append(f"{acceptance.resource}: accepted by {acceptance.approver}, expired {acceptance.expires}")
            continue
        return acceptance.approver, expired
    return None, expired


def decide(
    control: Control,
    df: pd.DataFrame,
    outcome: SuiteOutcome,
    window: Window,
    acceptances: list[AcceptedException],
    evidence: EvidenceDigest,
    grace: timedelta = timedelta(0),
) -> ControlResult:
    """`grace`: a state deviation no longer than this (e.g. 24 h to enrol MFA) is tolerated, and listed apart."""
    coverage_rows = {i: f.reason for f in outcome.failures if f.on_fail == "coverage" for i in f.rows}
    exception_rows = {
        i: f.reason for f in outcome.failures if f.on_fail == "exception" for i in f.rows if i not in coverage_rows
    }
    end = window.evaluated_end_utc
    gaps = [CoverageGap(**row, reason=reason) for row, reason in _intervals(df, coverage_rows)]
    today = window.local_date(window.as_of)  # an acceptance expired by the time of assessment stops applying
    exceptions, accepted, tolerated, expired = [], [], [], set()
    for row, reason in _intervals(df, exception_rows):
        item = ExceptionInterval(**row, reason=reason, ongoing=row["end"] >= end and window.is_open)
        if grace and item.end - item.start <= grace and not item.ongoing:
            tolerated.append(item)
            continue
        approver, lapsed = _accepted_by(item, control, acceptances, today)
        expired.update(lapsed)
        (accepted if approver else exceptions).append(item.model_copy(update={"accepted_by": approver}))
    inventory = inventory_of(df)
    unread = inventory.unread if inventory else ()
    if exceptions:
        status, reason = "exception", " ".join(dict.fromkeys(e.reason for e in exceptions))
    elif gaps or unread:
        incomplete = [f"The inventory is incomplete: {', '.join(unread)} not read."] if unread else []
        status, reason = "no_evidence", " ".join(dict.fromkeys([*(g.reason for g in gaps), *incomplete]))
    elif df.empty:
        status, reason = empty_population(control, inventory, evidence)
    else:
        status, reason = "operating", "Evidence covers the whole window with no exception."
    last_break = max((i.end for i in [*exceptions, *gaps]), default=window.start_utc)
    # No evidence without gap intervals, or with part of the inventory unread, is a whole-window unknown (an
    # unproven population): no clean-since date, no coverage.
    unknown = status == "no_evidence" and (bool(unread) or not gaps)
    return ControlResult(
        **_base(control, evidence),
        status=status,
        reason=reason,
        clean_since=None if unknown else window.local_date(last_break),
        coverage=0.0 if unknown else _coverage(df, coverage_rows, control.kind),
        population=_population(df, control.kind),
        exceptions=exceptions,
        accepted_exceptions=accepted,
        expired_acceptances=sorted(expired),
        within_grace=tolerated,
        coverage_gaps=gaps,
        holds_today=not any(i.end >= end for i in [*exceptions, *gaps]),
    )


def empty_population(control: Control, inventory: Inventory | None, evidence: EvidenceDigest) -> tuple[str, str]:
    """An empty population passes only when the evidence proves it: the builder's complete inventory states it,
    else the control's primary source must have been read (an evidence object, without a failure)."""
    if inventory is not None:
        return "operating", inventory.empty
    source = control.evidence[0]
    read = evidence.objects(source)
    if not read:
        return "no_evidence", f"The population is empty, and no {source} evidence was read to show that it is."
    return "operating", f"The population for the window is empty, as {source} shows ({read} evidence objects read)."


def _coverage(df: pd.DataFrame, coverage_rows: dict[int, str], kind: str) -> float:
    if df.empty:
        return 1.0
    if kind == "population":
        return round(1 - len(coverage_rows) / len(df), 4)
    # Seconds as floats: thousands of resources over a year add up past pandas' ~292-year Timedelta range.
    seconds = (df["end"] - df["start"]).dt.total_seconds()
    whole, missing = float(seconds.sum()), float(seconds.iloc[list(coverage_rows)].sum())
    return round(1 - missing / whole, 4) if whole > 0 else 1.0


def _population(df: pd.DataFrame, kind: str) -> int:
    return len(df) if kind == "population" else int(df["resource"].nunique())
