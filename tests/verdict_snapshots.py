"""Verdicts recorded before a refactor and compared after it: statuses, reasons, dates, intervals and what each
interval saw must not move. `SOCREADY_WRITE_SNAPSHOTS=1 pytest …` rewrites the files (only for an intended change);
`SOCREADY_WRITE_SNAPSHOTS=added` records only controls the files do not hold yet (a new control)."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

from socready.readiness.model import ControlResult

FOLDER = Path(__file__).parent / "snapshots"
INTERVAL_FIELDS = ("resource", "start", "end", "value", "reason")
# Ids moto makes up when a company is seeded (security groups): they depend on what the process created before.
GENERATED_ID = re.compile(r"\bsg-[0-9a-f]{17}\b")


def verdicts(results: list[ControlResult]) -> dict[str, dict]:
    """Everything a verdict says but the evidence digests (collection metadata changes them run to run)."""

    def intervals(items) -> list[dict]:
        listed = [{k: GENERATED_ID.sub("sg-<generated>", str(getattr(i, k))) for k in INTERVAL_FIELDS} for i in items]
        return sorted(listed, key=lambda item: tuple(item.values()))

    return {
        r.id: {
            "status": r.status,
            "reason": r.reason,
            "clean_since": str(r.clean_since),
            "coverage": r.coverage,
            "population": r.population,
            "holds_today": r.holds_today,
            "exceptions": intervals(r.exceptions),
            "accepted_exceptions": intervals(r.accepted_exceptions),
            "within_grace": intervals(r.within_grace),
            "coverage_gaps": intervals(r.coverage_gaps),
        }
        for r in results
    }


def unchanged(name: str, results: list[ControlResult]) -> list[str]:
    """The controls whose verdict differs from the recorded one (empty: unchanged), each with what moved."""
    path = FOLDER / f"{name}.json"
    now = verdicts(results)
    write = os.environ.get("SOCREADY_WRITE_SNAPSHOTS")
    if write == "1":
        path.write_text(json.dumps(now, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    before = json.loads(path.read_text(encoding="utf-8"))
    if write == "added" and (added := {c: v for c, v in now.items() if c not in before}):
        before |= added
        path.write_text(json.dumps(before, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    moved = []
    for control in sorted(set(before) | set(now)):
        was, is_ = before.get(control), now.get(control)
        if was != is_:
            fields = sorted(k for k in set(was or {}) | set(is_ or {}) if (was or {}).get(k) != (is_ or {}).get(k))
            moved.append(f"{control}: {', '.join(fields) or 'added or removed'}")
    return moved
