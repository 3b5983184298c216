"""The sandbox's AWS (moto) in a process of its own, seeded there: its request handling then runs beside the
pipeline on another core, not under the pipeline's interpreter lock (it was most of the demo's CPU). The
benchmarks start it empty, to count its CPU apart from socready's."""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from itertools import islice

from socready_sandbox import moto_backup
from socready_sandbox.aws import planted_events, seed_aws, start_moto
from socready_sandbox.uploads import store_objects

EMPTY = "--empty"
BATCH = 5000  # objects handed to the child at once


@dataclass(frozen=True)
class SeededAws:
    endpoint: str
    events: list[dict]  # the planted CloudTrail events (they name the access keys AWS created while seeding)


class AwsProcess:
    """Start, do other work (the Jira stand-in), then `seeded()` waits until AWS is ready; `store()` writes bulk
    objects into it; `stop()` ends it.
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

    def store(self, bucket: str, objects: Iterable[tuple[str, bytes]]) -> int:
        """Writes (key, body) objects straight into the child's moto backend, as `uploads.store_objects` does in
        one process, instead of one PutObject over HTTP each (≈ 11 ms: a benchmark's hundreds of thousands of
        files took over an hour). The bucket must exist. Returns the count."""
        stored, objects = 0, iter(objects)
        while batch := list(islice(objects, BATCH)):
            with tempfile.NamedTemporaryFile(suffix=".pickle") as file:
                pickle.dump((bucket, batch), file)
                file.flush()
                self.child.stdin.write(json.dumps({"store": file.name}) + "\n")
                self.child.stdin.flush()
                answer = self.child.stdout.readline()
            if not answer:
                raise RuntimeError(f"the AWS stand-in stopped while storing into {bucket}; its error is above")
            stored += json.loads(answer)["stored"]
        return stored

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
    for line in sys.stdin:  # the parent's `store` requests, until it closes stdin or exits
        with open(json.loads(line)["store"], "rb") as file:
            bucket, objects = pickle.load(file)  # written by the parent, just now
        print(json.dumps({"stored": store_objects(bucket, objects)}), flush=True)
    server.stop()


if __name__ == "__main__":
    serve(seed=EMPTY not in sys.argv[1:])
