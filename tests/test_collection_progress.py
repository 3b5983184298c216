"""The collection's progress artifact: updated at most once a second (each update is an API call), always at 100 %."""

from __future__ import annotations

import asyncio

from prefect import flow

from flows import progress as module
from flows.progress import KEY, CollectionProgress


async def latest_progress() -> float:
    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterKey
    from prefect.client.schemas.sorting import ArtifactSort

    async with get_client() as client:
        where = ArtifactFilter(key=ArtifactFilterKey(any_=[KEY]))
        [artifact] = await client.read_artifacts(artifact_filter=where, sort=ArtifactSort.CREATED_DESC, limit=1)
        return artifact.data


@flow
def collecting(seconds_per_step: list[float]) -> None:
    """Steps that take the given (simulated) seconds each."""
    now = [100.0]
    progress = CollectionProgress("shards", len(seconds_per_step), clock=lambda: now[0])
    for done, seconds in enumerate(seconds_per_step, 1):
        now[0] += seconds
        progress(done, len(seconds_per_step))


def test_updates_are_sent_at_most_once_a_second_and_always_at_the_end(prefect_harness, monkeypatch):
    sent: list[float] = []
    update = module.update_progress_artifact
    monkeypatch.setattr(module, "update_progress_artifact", lambda bar, value: sent.append(value) or update(bar, value))
    collecting([0.3, 0.3, 0.5, 0.1, 2.0, 0.2, 0.2, 0.2, 0.2, 0.2])
    # 1.1 s in at the 3rd, 2.0 s after that at the 5th; the 10th is the end
    assert sent == [30.0, 50.0, 100.0]
    assert asyncio.run(latest_progress()) == 100.0


def test_nothing_to_collect_is_complete_at_once(prefect_harness):
    collecting([])
    assert asyncio.run(latest_progress()) == 100.0
