"""Jira's wire formats: its errors, times, comma-separated name lists and the plain text of ADF bodies."""

from datetime import UTC, datetime
from typing import Any


class JiraApiError(ValueError):
    """An error answered the way Jira does: {"errorMessages": [...], "errors": {field: message}}."""

    def __init__(
        self, status: int, *messages: str, errors: dict[str, str] | None = None, retry_after: int | None = None
    ) -> None:
        super().__init__("; ".join([*messages, *(errors or {}).values()]))
        self.status = status
        self.messages = list(messages)
        self.errors = errors or {}
        self.retry_after = retry_after


def format_time(when: datetime) -> str:
    when = when.astimezone(UTC)
    return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}+0000"


def parse_time(text: str) -> datetime:
    return datetime.strptime(text, "%Y-%m-%dT%H:%M:%S.%f%z")


def plain_text(value: Any) -> str:
    """Text of a plain string or of an Atlassian Document Format (v3) body, for `~` searches."""
    if isinstance(value, str):
        return value
    if isinstance(value, dict):
        return " ".join(filter(None, [value.get("text", ""), plain_text(value.get("content", []))]))
    if isinstance(value, list):
        return " ".join(plain_text(item) for item in value)
    return ""


def name_list(value: Any) -> list[str]:
    """A fields/expand/properties parameter given as a list, repeated query keys or a comma string."""
    items = value if isinstance(value, list) else [value] if value is not None else []
    return [name.strip() for item in items for name in str(item).split(",") if name.strip()]
