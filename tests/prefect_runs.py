"""What the Prefect server the tests run against recorded of a flow run."""

from __future__ import annotations

import asyncio
from uuid import UUID


def task_run_names(flow_run_id: UUID) -> set[str]:
    """The names of the flow run's task runs, wherever they ran (this process or a Dask worker)."""
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    async def read() -> set[str]:
        async with get_client() as client:
            where = FlowRunFilter(id=FlowRunFilterId(any_=[flow_run_id]))
            return {run.name for run in await client.read_task_runs(flow_run_filter=where)}

    return asyncio.run(read())
