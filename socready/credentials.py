"""Where secrets come from: Prefect blocks named in the scope, else the worker's environment; never the scope."""

from __future__ import annotations

import os

import boto3

from socready.errors import SocreadyError
from socready.scope.models import AwsSpec, JiraSpec


def _load_block(kind: str, name: str, setting: str, error: type[SocreadyError]):
    """A Prefect block by name; the message names the block and the setting, never the block's content."""
    from prefect.blocks.core import Block  # Prefect is imported only when a block is named

    try:
        return Block.load(f"{kind}/{name}")
    except (ValueError, ImportError, RuntimeError) as exc:
        raise error(
            f"Prefect {kind} block {name!r} (scope {setting}) cannot be loaded: {exc}; "
            f"create it (`prefect block create {kind}`) on the Prefect server the run talks to"
        ) from None


def jira_token(spec: JiraSpec, error: type[SocreadyError]) -> str:
    """The Jira API token: the Secret block `jira.token_block` when set, else the variable `jira.token_env`;
    `error` is what its absence means to the caller."""
    if spec.token_block:
        token = _load_block("secret", spec.token_block, "jira.token_block", error).get()
        if not isinstance(token, str) or not token:
            raise error(f"Prefect secret block {spec.token_block!r} (scope jira.token_block) holds no text token")
        return token
    token = os.environ.get(spec.token_env)
    if not token:
        raise error(
            f"environment variable {spec.token_env} (scope jira.token_env) is not set; "
            f"export the Jira API token of {spec.user} there, or name a Prefect secret block in jira.token_block"
        )
    return token


def aws_session(spec: AwsSpec | None, error: type[SocreadyError]) -> boto3.Session:
    """The base AWS session: prefect-aws `AwsCredentials` named in `aws.credentials_block`, else the worker's
    own credentials (instance or task role, AWS_PROFILE, environment) as boto3 finds them."""
    if spec is None or spec.credentials_block is None:
        return boto3.Session()
    return _load_block("aws-credentials", spec.credentials_block, "aws.credentials_block", error).get_boto3_session()
