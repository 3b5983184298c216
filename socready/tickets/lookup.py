"""Finds gap tickets by fingerprint label, waiting out Jira's search lag for creates that may have just landed."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from typing import Any

from socready.tickets.gateway import Jira
from socready.tickets.identity import PROPERTY, fingerprint_label
from socready.tickets.outbox import Record

LABELS_PER_QUERY = 50  # keeps the JQL well under Jira's URL and query limits
SEARCH_FIELDS = ["labels", "status", "created"]


def _done(issue: dict[str, Any]) -> bool:
    return issue["fields"]["status"]["statusCategory"]["key"] == "done"


def _best(candidates: list[dict[str, Any]]) -> str | None:
    """An open ticket over a done one, then the newest: a regression may have opened a second one."""
    ranked = sorted(candidates, key=lambda issue: (not _done(issue), issue["fields"]["created"]))
    return ranked[-1]["key"] if ranked else None


def _search(jira: Jira, wanted: dict[str, Record]) -> dict[str, str]:
    by_label = {fingerprint_label(fp): fp for fp in wanted}
    labels = sorted(by_label)
    candidates: dict[str, list[dict[str, Any]]] = {fp: [] for fp in wanted}
    for start in range(0, len(labels), LABELS_PER_QUERY):
        quoted = ", ".join(f'"{label}"' for label in labels[start : start + LABELS_PER_QUERY])
        for issue in jira.search(f"labels in ({quoted}) ORDER BY created ASC", SEARCH_FIELDS):
            stamped = (issue.get("properties") or {}).get(PROPERTY, {}).get("fingerprint")
            for label in issue["fields"]["labels"]:
                fp = by_label.get(label)
                # the label holds 16 hex digits; the property, when there, must hold the whole fingerprint.
                # A ticket without it is one whose create was interrupted before the property was written.
                if fp and stamped in (None, fp) and issue["key"] not in wanted[fp].previous:
                    candidates[fp].append(issue)
    return {fp: key for fp, issues in candidates.items() if (key := _best(issues))}


def find_tickets(jira: Jira, wanted: dict[str, Record], search_lag_seconds: float) -> dict[str, str]:
    """fingerprint -> issue key for the records that have no key.

    A record with `pending_since` had a create started whose key was never recorded (a crash, or an answer lost):
    when search does not show it yet and the create is younger than the search lag, wait until it is not, and look
    again, so the create is neither missed (a duplicate) nor assumed.
    """
    if not wanted:
        return {}
    found = _search(jira, wanted)
    unsettled = {
        fp: record.pending_since
        for fp, record in wanted.items()
        if fp not in found and record.pending_since is not None
    }
    if not unsettled:
        return found
    settles = max(unsettled.values()).timestamp() + search_lag_seconds
    if (wait := settles - datetime.now(UTC).timestamp()) > 0:
        time.sleep(wait)
        found |= _search(jira, {fp: wanted[fp] for fp in unsettled})
    return found
