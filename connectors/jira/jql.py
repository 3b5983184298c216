"""JQL built from scope values: every value is a quoted JQL string, so no value can change the query's shape."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from socready.scope.models import JiraQuery

ESCAPES = {"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r", "\t": "\\t"}


def quoted(value: str) -> str:
    """`X" OR project = SECRET` -> `"X\\" OR project = SECRET"`: one string value, never JQL syntax."""
    return '"' + "".join(ESCAPES.get(char, char) for char in value) + '"'


def base_jql(query: JiraQuery) -> str:
    """The source's selection without a time bound; a `jql` condition from the scope is kept in parentheses."""
    parts = []
    if query.project:
        parts.append(f"project = {quoted(query.project)}")
    if query.issue_types:
        parts.append(f"issuetype in ({', '.join(quoted(name) for name in query.issue_types)})")
    if query.jql:
        parts.append(f"({query.jql})")
    return " AND ".join(parts)


def local_minute(moment: datetime, timezone: str) -> str:
    """JQL reads `yyyy-MM-dd HH:mm` in the Jira user's time zone, to the minute: the floor of `moment` there."""
    return moment.astimezone(ZoneInfo(timezone)).strftime("%Y-%m-%d %H:%M")


def updated_since(base: str, since: datetime, timezone: str) -> str:
    return f"{base} AND updated >= {quoted(local_minute(since, timezone))}"
