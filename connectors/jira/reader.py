"""Read-only Jira Cloud calls through the `jira` client: one retry policy, and every page checked to be whole."""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any, TypeVar
from urllib.parse import quote

import requests
from jira import JIRAError

from socready.credentials import jira_token
from socready.errors import CollectionError
from socready.jira_connection import open_client, retry_after
from socready.scope.models import JiraSpec

T = TypeVar("T")
Page = tuple[str, dict[str, Any]]  # (what was asked, the page Jira answered)
RETRIED = frozenset({429, 500, 502, 503, 504})  # reads are safe to repeat; 429 and 503 say when in Retry-After
CHANGELOG_PAGE = 100
APPROVAL_PAGE = 50
SERVICE_DESK = "{server}/rest/servicedeskapi/{path}"  # Jira Service Management's API, beside the platform's


class JiraRefused(CollectionError):
    """Jira answered an error that repeating the request cannot fix (400, 401, 403, 404)."""


class JiraEndpointRemoved(JiraRefused):
    """HTTP 410: the API is gone, as Jira Cloud's /search is; never read as "no tickets"."""


class JiraPageIncomplete(CollectionError):
    """A page that cannot be the whole answer: no `issues`, short without being the last, a repeated token."""


class JiraUnavailable(CollectionError):
    """Jira was still throttling or failing when the retries ran out."""


class JiraReader:
    """The client runs with max_retries=0 so this policy alone decides; errors name the status and Jira's message,
    never str(JIRAError), which carries the request headers and with them the credentials."""

    def __init__(self, spec: JiraSpec, *, attempts: int = 5, max_delay: float = 60.0, timeout: float = 30.0) -> None:
        token = jira_token(spec, CollectionError)
        self._attempts, self._max_delay = attempts, max_delay
        self.client = self._call(
            f"connecting to {spec.url}",
            lambda: open_client(spec, token, timeout),
        )

    def close(self) -> None:
        self.client.close()

    def _call(self, what: str, call: Callable[[], T]) -> T:
        for attempt in range(1, self._attempts + 1):
            try:
                return call()
            except JIRAError as exc:
                if exc.status_code not in RETRIED:
                    error = JiraEndpointRemoved if exc.status_code == 410 else JiraRefused
                    raise error(f"Jira answered HTTP {exc.status_code} {what}: {exc.text}") from None
                told = retry_after(exc)
                delay, failure = (2.0 ** (attempt - 1) if told is None else told), f"HTTP {exc.status_code}"
            except (requests.ConnectionError, requests.Timeout) as exc:
                delay, failure = 2.0 ** (attempt - 1), type(exc).__name__
            except ValueError as exc:  # a body that is not JSON: a proxy's error page, a cut-off answer
                raise JiraPageIncomplete(f"Jira's answer {what} is not JSON: {exc}") from None
            if attempt == self._attempts:
                raise JiraUnavailable(f"Jira still failing {what} after {attempt} attempts ({failure})")
            time.sleep(min(delay, self._max_delay))
        raise AssertionError("unreachable")

    def timezone(self) -> str:
        """JQL dates without an offset are read in this zone (the API user's Jira profile)."""
        zone = self._call("reading the API user's profile", lambda: self.client.myself()).get("timeZone")
        if not zone:
            raise CollectionError("Jira's /myself has no timeZone; set jira.timezone in the scope")
        return zone

    def search(self, jql: str, fields: list[str], *, changelog: bool, page_size: int) -> Iterator[Page]:
        """Every page of the enhanced search; a short, tokenless or repeated page is an error, never the end."""
        asked = f"search/jql?jql={jql}&fields={','.join(fields)}&maxResults={page_size}"
        asked += "&expand=changelog" if changelog else ""
        token: str | None = None
        seen: set[str] = set()
        while True:
            query = asked + (f"&nextPageToken={token}" if token else "")
            page = self._call(
                f"searching {jql!r}",
                lambda token=token: self.client.enhanced_search_issues(
                    jql,
                    nextPageToken=token,
                    maxResults=page_size,
                    fields=list(fields),  # the client rewrites the list it is given
                    expand="changelog" if changelog else None,
                    json_result=True,
                ),
            )
            issues = page.get("issues") if isinstance(page, dict) else None
            if not isinstance(issues, list):
                raise JiraPageIncomplete(f"Jira answered a search page without `issues` to {query}")
            following = page.get("nextPageToken")
            last = page.get("isLast", not following)
            if not last and (not following or len(issues) < page_size or following in seen):
                raise JiraPageIncomplete(
                    f"Jira answered an incomplete search page ({len(issues)} of {page_size} issues, "
                    f"next page token {'repeated' if following in seen else following or 'missing'}) to {query}"
                )
            yield query, page
            if last:
                return
            seen.add(following)
            token = following

    def changelog(self, key: str, start: int) -> Iterator[Page]:
        """The issue's changelog from history `start` on, page by page, until Jira says it is the last."""
        path = f"issue/{quote(key)}/changelog"
        while True:
            query = f"{path}?startAt={start}&maxResults={CHANGELOG_PAGE}"
            page = self._call(
                f"reading the changelog of {key}",
                lambda start=start: self.client._get_json(  # no public changelog call in jira 3.10
                    path, params={"startAt": start, "maxResults": CHANGELOG_PAGE}
                ),
            )
            values = page.get("values") if isinstance(page, dict) else None
            total = page.get("total", 0) if isinstance(page, dict) else 0
            if not isinstance(values, list) or (not values and start < total):
                raise JiraPageIncomplete(f"Jira answered an incomplete changelog page to {query}")
            yield query, page
            start += len(values)
            if page.get("isLast", start >= total) or not values:
                return

    def approvals(self, key: str) -> Iterator[Page]:
        """The Jira Service Management approvals of request `key`, page by page until Jira says it is the last."""
        path, start = f"request/{quote(key)}/approval", 0
        while True:
            query = f"{path}?start={start}&limit={APPROVAL_PAGE}"
            page = self._call(
                f"reading the Jira Service Management approvals of {key}",
                lambda start=start: self.client._get_json(  # no approval call in jira 3.10
                    path, params={"start": start, "limit": APPROVAL_PAGE}, base=SERVICE_DESK
                ),
            )
            values = page.get("values") if isinstance(page, dict) else None
            last = page.get("isLastPage") if isinstance(page, dict) else None
            if not isinstance(values, list) or not isinstance(last, bool) or (not last and not values):
                raise JiraPageIncomplete(f"Jira answered an incomplete approval page to {query}")
            yield query, page
            if last:
                return
            start += len(values)
