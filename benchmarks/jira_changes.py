"""Benchmark: collecting change tickets with their changelogs from the Jira sandbox, full and incremental.

    python benchmarks/jira_changes.py               # 20,000 change tickets, 200,000 changelog entries, 12 months
    python benchmarks/jira_changes.py --scale 0.02  # a quick smoke run

The sandbox caps search pages at 100 issues when fields are asked for, as Jira Cloud does, and embeds at most
100 changelog entries per issue; one ticket in 200 has a longer changelog, read on from the changelog endpoint.
Prints the wall time of a full collection, of an incremental run after one more day of tickets, and the requests
made against the minimum: one search page per 100 tickets plus, for each truncated changelog, one page per 100
entries beyond the embedded ones.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT), str(ROOT / "sandbox")]  # the core and the sandbox distribution, from this checkout

from socready.collect import collect  # noqa: E402
from socready.evidence import open_store  # noqa: E402
from socready.scope import scope_from_text  # noqa: E402
from socready.window import Window  # noqa: E402
from socready_sandbox.jira import DEFAULT_TOKEN, JiraSandbox, format_time  # noqa: E402

TOKEN_ENV = "BENCH_JIRA_TOKEN"
START, END = date(2025, 11, 1), date(2026, 10, 31)  # the 12-month window
PEOPLE = [f"dev-{n}" for n in range(12)]
APPROVAL = "customfield_10040"
DEPLOYED = "customfield_10041"
LONG_EVERY = 200  # one ticket in 200 has a changelog longer than search embeds
SHORT, LONG = 9, 209  # changelog entries: 9 on most tickets, 209 on the long ones -> 10 on average


def history(created: datetime, entries: int, who: str, approver: str) -> list:
    """Work started, approval field toggled while the change is discussed, approved, deployed."""
    steps = [(created + timedelta(minutes=10), who, [("status", "To Do", "In Progress")])]
    for n in range(entries - 3):
        value = ("Pending", "Needs info") if n % 2 else ("Needs info", "Pending")
        steps.append((created + timedelta(minutes=20 + n), approver, [("Approval", *value)]))
    steps.append((created + timedelta(hours=6), approver, [("Approval", "Pending", "Approved")]))
    steps.append((created + timedelta(hours=8), who, [("status", "In Progress", "Done")]))
    return steps


def seed(jira: JiraSandbox, count: int, first: datetime, spacing: timedelta, rng: random.Random) -> tuple[int, int]:
    """`count` change tickets from `first` on -> (changelog entries, minimum changelog page reads)."""
    entries = extra_pages = 0
    for n in range(count):
        created = first + spacing * n
        who, approver = rng.sample(PEOPLE, 2)
        length = LONG if n % LONG_EVERY == LONG_EVERY - 1 else SHORT
        entries += length
        extra_pages += math.ceil(max(0, length - 100) / 100)
        fields = {
            "assignee": {"accountId": who},
            APPROVAL: {"value": "Approved"},
            DEPLOYED: format_time(created + timedelta(hours=8)),
        }
        steps = history(created, length, who, approver)
        jira.seed_issue("CHG", "Change", f"Change {n}", fields=fields, created=created, history=steps)
    return entries, extra_pages


def scope_for(jira: JiraSandbox, folder: Path):
    raw = {
        "organization": "Benchmark Co",
        "window": {"start": START.isoformat(), "end": END.isoformat(), "timezone": "America/New_York"},
        "evidence_store": "evidence",
        "jira": {
            "url": jira.url,
            "user": jira.user,
            "token_env": TOKEN_ENV,
            "changes": {"project": "CHG"},
            "fields": {"approval_field": APPROVAL, "deploy_time": DEPLOYED},
        },
    }
    return scope_from_text(yaml.safe_dump(raw), source=str(folder / "socready.yaml"), base=folder)


def requests(jira: JiraSandbox) -> int:
    return sum(jira.requests_made.values())


def timed_collect(scope, window: Window) -> float:
    began = time.perf_counter()
    manifest = collect(scope, window, open_store(scope.evidence_store), ["jira.changes"])
    elapsed = time.perf_counter() - began
    if manifest.errors:
        raise SystemExit(f"collection failed: {manifest.errors}")
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--scale", type=float, default=1.0, help="fraction of the 20,000 tickets")
    args = parser.parse_args()
    tickets = max(100, round(20_000 * args.scale))
    os.environ[TOKEN_ENV] = DEFAULT_TOKEN
    rng = random.Random(20261101)
    jira = JiraSandbox(page_size_cap=100, user_timezone="America/New_York")
    jira.add_project("CHG", "Change Management", issue_types=["Change"])
    for person in PEOPLE:
        jira.add_user(person, person.title(), f"{person}@example.com")
    jira.add_custom_field(APPROVAL, "Approval", "option")
    jira.add_custom_field(DEPLOYED, "Deployed At", "datetime")
    first = datetime.combine(START, datetime.min.time(), UTC)
    spacing = (datetime.combine(END, datetime.min.time(), UTC) - first) / tickets
    began = time.perf_counter()
    entries, extra_pages = seed(jira, tickets, first, spacing, rng)
    print(f"seeded {tickets:,} change tickets, {entries:,} changelog entries in {time.perf_counter() - began:.1f} s")

    with jira, tempfile.TemporaryDirectory() as folder:
        scope = scope_for(jira, Path(folder))
        window = Window(START, END, "America/New_York", datetime(2026, 11, 1, 12, tzinfo=UTC))
        full = timed_collect(scope, window)
        made, minimum = requests(jira), math.ceil(tickets / 100) + extra_pages
        print(f"full collection: {full:.1f} s; requests {made:,} vs minimum {minimum:,} ({made / minimum:.2f}x)")

        day = max(1, round(tickets / 365))
        seed(jira, day, first + spacing * tickets, timedelta(days=1) / day, rng)
        before = requests(jira)
        incremental = timed_collect(scope, window)
        made = requests(jira) - before
        print(f"incremental run after one more day ({day} tickets): {incremental:.1f} s; {made} requests")


if __name__ == "__main__":
    main()
