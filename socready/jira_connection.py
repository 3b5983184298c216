"""One way to reach Jira: a client without its own retries (token from socready.credentials), Retry-After."""

from __future__ import annotations

from jira import JIRA, JIRAError

from socready.scope.models import JiraSpec


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
