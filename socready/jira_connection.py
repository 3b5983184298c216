"""One way to reach Jira: the API token from the environment, a client without its own retries, Retry-After."""

from __future__ import annotations

import os

from jira import JIRA, JIRAError

from socready.errors import SocreadyError
from socready.scope.models import JiraSpec


def api_token(spec: JiraSpec, error: type[SocreadyError]) -> str:
    """The token named by the scope; `error` is what its absence means to the caller."""
    token = os.environ.get(spec.token_env)
    if not token:
        raise error(
            f"environment variable {spec.token_env} (scope jira.token_env) is not set; "
            f"export the Jira API token of {spec.user} there"
        )
    return token


def open_client(spec: JiraSpec, token: str, timeout: float) -> JIRA:
    """max_retries=0: callers apply their own policy (the client's would repeat a POST after a lost answer).

    REST API v2 everywhere: Jira Data Center/Server has no v3, and v2 takes plain-text descriptions on Cloud too.
    """
    if spec.auth == "bearer":  # a Data Center personal access token
        return JIRA(server=spec.url, token_auth=token, max_retries=0, timeout=timeout)
    return JIRA(server=spec.url, basic_auth=(spec.user, token), max_retries=0, timeout=timeout)


def retry_after(exc: JIRAError) -> float | None:
    """Seconds Jira asked to wait (429, 503), if it said."""
    value = exc.response.headers.get("Retry-After") if exc.response is not None else None
    return float(value) if value and value.strip().isdigit() else None
