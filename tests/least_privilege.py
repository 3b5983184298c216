"""Least privilege, proven by use: the AWS calls collectors make, as IAM actions, against the shipped policy."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from connectors.aws.session import AwsSessions
from connectors.policy import collector_policy, iam_action


@contextmanager
def recording() -> Iterator[set[str]]:
    """Every AWS call a collector makes while the block runs, as IAM actions."""
    calls: set[str] = set()

    def hook(client, account: str, region: str) -> None:
        service = client.meta.service_model.service_name
        client.meta.events.register("before-call.*.*", lambda model, **_: calls.add(iam_action(service, model.name)))

    AwsSessions.client_hooks.append(hook)
    try:
        yield calls
    finally:
        AwsSessions.client_hooks.remove(hook)


def outside_policy(calls: set[str]) -> list[str]:
    """The calls infra/iam/collector-policy.json does not allow."""
    allowed = {action for statement in collector_policy()["Statement"] for action in statement["Action"]}
    return sorted(calls - allowed)
