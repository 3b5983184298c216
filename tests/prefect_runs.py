"""What the Prefect server the tests run against recorded of a flow run."""

from __future__ import annotations

import asyncio
from uuid import UUID


def task_runs(flow_run_id: UUID) -> list:
    """The flow run's task runs, wherever they ran (this process or a Dask worker)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def read() -> list:
        async with get_client() as client:
            where = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            return await client.read_task_runs(flow_run_filter=where)

    return asyncio.run(read())


def task_run_names(flow_run_id: UUID) -> set[str]:
    return {run.name for run in task_runs(flow_run_id)}


def most_at_once(runs: list) -> int:
    """The most of `runs` that were running at one moment, by their start and end times."""
    moments = sorted([(r.start_time, 1) for r in runs] + [(r.end_time, -1) for r in runs])  # an end before a start
    running = most = 0
    for _, step in moments:
        running += step
        most = max(most, running)
    return most
