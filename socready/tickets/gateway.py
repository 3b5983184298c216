"""socready's Jira calls under one retry policy: repeat what is safe to repeat, report a write of unknown outcome."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any, TypeVar

import requests
from jira import JIRAError
from jira.resources import Issue

from socready.credentials import jira_token
from socready.errors import ScopeError, TicketError
from socready.jira_connection import open_client, retry_after
from socready.scope.models import JiraSpec
from socready.tickets.identity import PROPERTY

T = TypeVar("T")
REFUSED = frozenset({429, 503})  # Jira turned the request away before doing anything: any request may be repeated
UNKNOWN = frozenset({500, 502, 504})  # the work may have been done: only idempotent requests are repeated
PAGE = 100


class UnknownOutcome(TicketError):
    """A create or transition failed in a way that leaves open whether Jira applied it."""


class Jira:
    """The client is built with max_retries=0: its own retry repeats POSTs after a lost answer, which would create a
    second issue; here a create or transition whose outcome is unknown raises UnknownOutcome for the caller to check."""

    def __init__(self, spec: JiraSpec, *, attempts: int = 5, max_delay: float = 60.0, timeout: float = 30.0) -> None:
        token = jira_token(spec, ScopeError)
        self._attempts, self._max_delay = attempts, max_delay
        self.client = self._call(
            f"connecting to {spec.url}",
            lambda: open_client(spec, token, timeout),
        )
        self.server_url = spec.url.rstrip("/")
        self.data_center = spec.deployment == "data_center"

    def close(self) -> None:
        self.client.close()

    def browse_url(self, key: str) -> str:
        return f"{self.server_url}/browse/{key}"

    def _call(self, what: str, call: Callable[[], T], *, repeatable: bool = True) -> T:
        for attempt in range(1, self._attempts + 1):
            try:
                return call()
            except JIRAError as exc:
                status = exc.status_code
                if status in UNKNOWN and not repeatable:
                    raise UnknownOutcome(f"{what}: HTTP {status}; Jira may or may not have applied it") from exc
                if status not in REFUSED | UNKNOWN:
                    raise TicketError(f"Jira refused {what}: HTTP {status} {exc.text}") from exc
                told = retry_after(exc)
                delay = 2.0 ** (attempt - 1) if told is None else told
                failure: Exception = exc
            except (requests.ConnectionError, requests.Timeout) as exc:
                if not repeatable:
                    raise UnknownOutcome(f"{what}: {type(exc).__name__}; Jira may or may not have applied it") from exc
                delay, failure = 2.0 ** (attempt - 1), exc
            if attempt == self._attempts:
                raise TicketError(f"{what}: Jira still failing after {attempt} attempts ({failure})") from failure
            time.sleep(min(delay, self._max_delay))
        raise AssertionError("unreachable")

    def search(self, jql: str, fields: list[str]) -> list[dict[str, Any]]:
        """Every match, page by page, with the fingerprint property."""
        if self.data_center:
            return self._search_from(jql, fields)
        issues: list[dict[str, Any]] = []
        token: str | None = None
        while True:
            page = self._call(
                "searching gap tickets",
                lambda token=token: self.client.enhanced_search_issues(
                    jql, nextPageToken=token, maxResults=PAGE, fields=fields, properties=PROPERTY, json_result=True
                ),
            )
            issues += page["issues"]
            token = page.get("nextPageToken")
            if page.get("isLast", True) or not token:
                return issues

    def _search_from(self, jql: str, fields: list[str]) -> list[dict[str, Any]]:
        """Jira Data Center/Server: /rest/api/2/search, paged by startAt (it has no /search/jql)."""
        issues: list[dict[str, Any]] = []
        while True:
            start = len(issues)
            page = self._call(
                "searching gap tickets",
                lambda start=start: self.client.search_issues(
                    jql, startAt=start, maxResults=PAGE, fields=fields, properties=PROPERTY, json_result=True
                ),
            )
            issues += page["issues"]
            if not page["issues"] or len(issues) >= page.get("total", 0):
                return issues

    def fields(self) -> list[dict[str, Any]]:
        """Jira's field list: ids and names, to find custom fields the scope names."""
        return self._call("reading Jira's field list", self.client.fields)

    def issue(self, key: str, fields: list[str], expand: str | None = None) -> Issue | None:
        """The current issue (GET is consistent, unlike search), or None when it no longer exists."""

        def get() -> Issue | None:
            try:
                return self.client.issue(key, fields=",".join(fields), expand=expand, properties=PROPERTY)
            except JIRAError as exc:
                if exc.status_code == 404:
                    return None
                raise

        return self._call(f"reading {key}", get)

    def create(self, fields: dict[str, Any]) -> str:
        return self._call(
            f"creating a ticket in {fields['project']['key']}",
            lambda: self.client.create_issue(fields=fields, prefetch=False).key,
            repeatable=False,
        )

    def edit(self, issue: Issue, fields: dict[str, Any], update: dict[str, Any]) -> None:
        """One PUT with every change; setting fields to given values is idempotent, so it may be repeated."""
        self._call(f"updating {issue.key}", lambda: issue.update(fields=fields, update=update))

    def set_property(self, key: str, value: dict[str, Any]) -> None:
        self._call(f"setting {PROPERTY} on {key}", lambda: self.client.add_issue_property(key, PROPERTY, value))

    def transitions(self, key: str) -> list[dict[str, Any]]:
        return self._call(f"reading the transitions of {key}", lambda: self.client.transitions(key))

    def transition(self, key: str, transition_id: str, comment: str | None) -> None:
        self._call(
            f"moving {key} through transition {transition_id}",
            lambda: self.client.transition_issue(key, transition_id, comment=comment),
            repeatable=False,
        )

    def comment(self, key: str, body: str) -> None:
        self._call(f"commenting on {key}", lambda: self.client.add_comment(key, body), repeatable=False)

    def link(self, link_type: str, key: str, other: str) -> None:
        # a second identical link after a lost answer is harmless; a missing one is not, so links are repeated
        self._call(f"linking {key} to {other}", lambda: self.client.create_issue_link(link_type, key, other))
