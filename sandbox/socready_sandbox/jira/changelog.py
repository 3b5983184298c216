"""The changelog: field changes recorded as Jira records them, seeded history, and the changelog endpoint."""

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from socready_sandbox.jira.wire import format_time, parse_time, plain_text


class Changelog:
    """Applies changes to an issue and records them in its changelog."""

    def seed_issue(
        self,
        project: str,
        issue_type: str,
        summary: str,
        *,
        fields: dict[str, Any] | None = None,
        created: datetime,
        history: Iterable[tuple[datetime, str, list[tuple[str, str | None, str | None]]]] = (),
    ) -> str:
        """Creates an issue as of `created` with a changelog; status items in `history` move the issue."""
        entries = sorted(history, key=lambda entry: entry[0])
        if created.tzinfo is None or any(when.tzinfo is None for when, _, _ in entries):
            raise ValueError("seed_issue needs timezone-aware datetimes")
        if entries and entries[0][0] < created:
            raise ValueError("seed_issue history cannot start before the issue was created")
        with self._lock:
            for _, author, changes in entries:
                if author not in self._state["users"]:
                    raise ValueError(f"history author {author!r} is not a sandbox user; add_user() it first")
                if bad := [to for field, _, to in changes if field.lower() == "status" and to not in self._statuses]:
                    raise ValueError(f"unknown status {bad[0]!r}; use one of {list(self._statuses)}")
            issue = self._new_issue(
                {**(fields or {}), "summary": summary}, {"key": project}, {"name": issue_type}, created
            )
            for when, author, changes in entries:
                for field, _, to_string in changes:
                    if field.lower() == "status":
                        self._set_fields(issue, self._status_change(issue, to_string, when))
                self._record(issue, author, when, [self._seed_item(*change) for change in changes])
            self._indexed(issue)
            self._save()
            return issue["key"]

    def _set_fields(self, issue: dict[str, Any], changes: dict[str, Any]) -> list[dict[str, Any]]:
        """Applies new values and returns the changelog items describing them."""
        items = []
        for field, new in changes.items():
            old = issue["fields"].get(field)
            if old == new:
                continue
            issue["fields"][field] = new
            if field != "resolutiondate":  # Jira logs the resolution, not its timestamp
                items.extend(self._change_items(issue, field, old, new))
        return items

    def _record(self, issue: dict[str, Any], author: str, when: datetime, items: list[dict[str, Any]]) -> None:
        if not items:
            return
        stamp = format_time(when)
        issue["changelog"].append({"id": self._next_id(), "author": author, "created": stamp, "items": items})
        issue["fields"]["updated"] = max(issue["fields"]["updated"], stamp, key=parse_time)

    def _apply(self, issue: dict[str, Any], changes: dict[str, Any], comments: Sequence[Any] = ()) -> None:
        now = self._now()
        self._record(issue, self._actor, now, self._set_fields(issue, changes))
        for body in comments:
            self._append_comment(issue, body, now)
        self._indexed(issue)
        self._save()

    def _change_items(self, issue: dict[str, Any], field: str, old: Any, new: Any) -> list[dict[str, Any]]:
        if field == "components":  # like Jira: one "Component" item per component added or removed
            ids = self._project_of(issue)["components"]
            base = {"field": "Component", "fieldtype": "jira", "fieldId": "components"}
            removed = [
                {**base, "from": ids.get(name), "fromString": name, "to": None, "toString": None}
                for name in old
                if name not in new
            ]
            added = [
                {**base, "from": None, "fromString": None, "to": ids.get(name), "toString": name}
                for name in new
                if name not in old
            ]
            return removed + added
        custom = self._state["custom_fields"].get(field)
        base = {
            "field": custom["name"] if custom else field,
            "fieldtype": "custom" if custom else "jira",
            "fieldId": field,
        }
        return [
            {
                **base,
                "from": self._value_id(field, old),
                "fromString": self._value_string(field, old),
                "to": self._value_id(field, new),
                "toString": self._value_string(field, new),
            }
        ]

    def _value_id(self, field: str, value: Any) -> str | None:
        if value is None:
            return None
        if field in self._id_tables:
            return self._id_tables[field][value]
        if field in ("assignee", "reporter") or self._custom_type(field) == "user":
            return value
        return None

    def _value_string(self, field: str, value: Any) -> str | None:
        if value is None:
            return None
        if field in ("assignee", "reporter") or self._custom_type(field) == "user":
            return self._state["users"].get(value, {}).get("displayName", value)
        if isinstance(value, list):
            return " ".join(value) if field != "components" else ", ".join(value)
        if isinstance(value, dict):
            return value.get("value") or plain_text(value)
        return str(value)

    def _seed_item(self, field: str, from_string: str | None, to_string: str | None) -> dict[str, Any]:
        custom = next((cid for cid, c in self._state["custom_fields"].items() if c["name"] == field), None)
        field_id = custom or field.lower()
        ids = self._id_tables.get(field_id, {})
        return {
            "field": field,
            "fieldtype": "custom" if custom else "jira",
            "fieldId": field_id,
            "from": ids.get(from_string),
            "fromString": from_string,
            "to": ids.get(to_string),
            "toString": to_string,
        }

    def _get_changelog(self, key: str) -> Any:
        issue = self._issue(key)
        histories = [self._history_json(h, self._rest()) for h in issue["changelog"]]
        return {"self": f"{self._rest()}/issue/{key}/changelog", **self._paged(histories, "values", 100)}
