"""The sandbox's AWS (moto) in a process of its own, seeded there: its request handling then runs beside the
pipeline on another core, not under the pipeline's interpreter lock (it was most of the demo's CPU)."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from socready_sandbox.aws import planted_events, seed_aws, start_moto


@dataclass(frozen=True)
class SeededAws:
    endpoint: str
    events: list[dict]  # the planted CloudTrail events (they name the access keys AWS created while seeding)


class AwsProcess:
    """Start, do other work (the Jira stand-in), then `seeded()` waits until AWS is seeded; `stop()` ends it.
    The child inherits this process's environment (the sandbox's AWS credentials) and writes errors to stderr."""

    def __init__(self) -> None:
        self._child = subprocess.Popen(
            [sys.executable, "-m", "socready_sandbox.aws_process"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def seeded(self) -> SeededAws:
        line = self._child.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(
                f"the sandbox's AWS stand-in did not start (exit code {self._child.returncode}); its error is above"
            )
        return SeededAws(**json.loads(line))

    def stop(self) -> None:
        if self._child.poll() is None:
            self._child.stdin.close()  # the child stops its server when its stdin closes
            try:
                self._child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._child.kill()
                self._child.wait()


def serve() -> None:
    server, endpoint = start_moto()
    seed_aws(endpoint)
    print(json.dumps({"endpoint": endpoint, "events": planted_events()}), flush=True)
    sys.stdin.read()  # until the parent closes it, or exits
    server.stop()


if __name__ == "__main__":
    serve()
