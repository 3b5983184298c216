"""The collection's progress bar in Prefect: a progress artifact, updated as sources (or shards) are done."""

from __future__ import annotations

import time
from collections.abc import Callable

from prefect.artifacts import create_progress_artifact, update_progress_artifact

KEY = "readiness-collection"


class CollectionProgress:
    """Called with (done, total). Each update is an API call (≈ 30 ms on a busy machine, a few seconds over a run
    of a hundred shards), so it is sent at most once every `every` seconds, and always at the end."""

    def __init__(self, what: str, count: int, every: float = 1.0, clock: Callable[[], float] = time.monotonic) -> None:
        description = f"Collecting {count} {what}"
        self.artifact = create_progress_artifact(0.0 if count else 100.0, key=KEY, description=description)
        self.every, self.clock = every, clock
        self.sent_at = clock()

    def __call__(self, done: int, total: int) -> None:
        now = self.clock()
        if done >= total or now - self.sent_at >= self.every:
            update_progress_artifact(self.artifact, 100 * done / total)
            self.sent_at = now
