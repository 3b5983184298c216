"""The sandbox's AWS (moto) in a process of its own, seeded there: its request handling then runs beside the
pipeline on another core, not under the pipeline's interpreter lock (it was most of the demo's CPU). The
benchmarks start it empty, to count its CPU apart from socready's."""

from __future__ import annotations

import json
import subprocess
import sys
from dataclasses import dataclass

from socready_sandbox import moto_backup
from socready_sandbox.aws import planted_events, seed_aws, start_moto

EMPTY = "--empty"


@dataclass(frozen=True)
class SeededAws:
    endpoint: str
    events: list[dict]  # the planted CloudTrail events (they name the access keys AWS created while seeding)


class AwsProcess:
    """Start, do other work (the Jira stand-in), then `seeded()` waits until AWS is ready; `stop()` ends it.
    `seed=False`: moto with no company in it. The child inherits this process's environment (the sandbox's AWS
    credentials) and writes its errors to stderr."""

    def __init__(self, seed: bool = True) -> None:
        command = [sys.executable, "-m", "socready_sandbox.aws_process", *([] if seed else [EMPTY])]
        self.child = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)

    def seeded(self) -> SeededAws:
        line = self.child.stdout.readline()
        if not line:
            self.stop()
            raise RuntimeError(
                f"the sandbox's AWS stand-in did not start (exit code {self.child.returncode}); its error is above"
            )
        return SeededAws(**json.loads(line))

    def stop(self) -> None:
        if self.child.poll() is None:
            self.child.stdin.close()  # the child stops its server when its stdin closes
            try:
                self.child.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.child.kill()
                self.child.wait()


def serve(seed: bool) -> None:
    moto_backup.install()  # AWS Backup selections, which moto lacks
    server, endpoint = start_moto()
    if seed:
        seed_aws(endpoint)
    print(json.dumps({"endpoint": endpoint, "events": planted_events() if seed else []}), flush=True)
    sys.stdin.read()  # until the parent closes it, or exits
    server.stop()


if __name__ == "__main__":
    serve(seed=EMPTY not in sys.argv[1:])
