"""Validating field values written through the API into how the sandbox stores them."""

import re
from collections.abc import Iterable
from datetime import date
from typing import Any

from socready_sandbox.jira.wire import JiraApiError, format_time, parse_time

_NOT_SETTABLE = "Field '{}' cannot be set. It is not on the appropriate screen, or unknown."


class _Invalid(Exception):
    """A field value that fails validation; collected per field into a 400 `errors` map."""


class FieldValues:
    """Field values of creates, edits and transitions, validated as Jira does: a 400 with per-field errors."""

    @staticmethod
    def _by_name_or_id(ref: Any, table: dict[str, str]) -> str | None:
        if not isinstance(ref, dict):
            return None
        if "id" in ref:
            return next((name for name, id_ in table.items() if id_ == str(ref["id"])), None)
        return ref.get("name") if ref.get("name") in table else None

    def _coerce(self, field: str, value: Any, project: dict[str, Any]) -> Any:
        """Validates a value written through the API and returns how it is stored."""
        if field == "summary":
            if not isinstance(value, str) or not value.strip():
                raise _Invalid("You must specify a summary of the issue.")
            if "\n" in value or "\r" in value:
                raise _Invalid("The summary is invalid because it contains newline characters.")
            if len(value) > 255:
                raise _Invalid("Summary must be less than 255 characters.")
            return value
        if field == "description":
            if value is not None and not isinstance(value, str | dict):
                raise _Invalid("Description must be a string (v2) or an ADF document (v3).")
            return value
        if field == "labels" or self._custom_type(field) == "labels":
            if not isinstance(value, list) or not all(isinstance(label, str) and label for label in value):
                raise _Invalid("Labels must be a list of non-empty strings.")
            if spaced := next((label for label in value if re.search(r"\s", label)), None):
                raise _Invalid(f"The label '{spaced}' contains spaces which is invalid.")
            return list(dict.fromkeys(value))
        if field in ("assignee", "reporter") or self._custom_type(field) == "user":
            if value is None:
                return None
            account = self._find_user(value)
            if account is None:
                raise _Invalid("Specified user does not exist or you do not have required permissions")
            return account
        if field == "components":
            if not isinstance(value, list):
                raise _Invalid("Components must be a list.")
            names = [self._by_name_or_id(item, project["components"]) for item in value]
            if None in names:
                raise _Invalid(f"Component name '{value[names.index(None)]}' is not valid")
            return list(dict.fromkeys(names))
        if field in ("priority", "resolution"):
            table = self._id_tables[field]
            name = self._by_name_or_id(value, table)
            if name is None:
                raise _Invalid(f"Specify a valid {field} name or id")
            return name
        if field == "duedate" or self._custom_type(field) == "date":
            if value is not None:
                try:
                    date.fromisoformat(value)
                except (TypeError, ValueError):
                    raise _Invalid(f"Error parsing date string: {value}") from None
            return value
        return self._coerce_custom(field, value)

    def _coerce_custom(self, field: str, value: Any) -> Any:
        field_type = self._custom_type(field)
        if field_type is None:
            raise _Invalid(_NOT_SETTABLE.format(field))
        if value is None:
            return None
        if field_type == "datetime":
            try:
                return format_time(parse_time(value))
            except (TypeError, ValueError):
                raise _Invalid(f"Invalid date time '{value}'; use e.g. 2026-05-01T10:00:00.000+0000") from None
        if field_type == "option" and isinstance(value, dict) and isinstance(value.get("value"), str):
            return {"value": value["value"]}
        if field_type == "text" and isinstance(value, str):
            return value
        if field_type == "number" and isinstance(value, int | float) and not isinstance(value, bool):
            return value
        raise _Invalid(f"Invalid value for {field_type} field '{field}': {value!r}")

    def _custom_type(self, field: str) -> str | None:
        custom = self._state["custom_fields"].get(field)
        return custom["type"] if custom else None

    def _coerce_fields(self, raw: Any, project: dict[str, Any], allowed: Iterable[str]) -> dict[str, Any]:
        if not isinstance(raw, dict):
            raise JiraApiError(400, "'fields' must be an object")
        allowed = set(allowed) | set(self._state["custom_fields"])
        values, errors = {}, {}
        for field, value in raw.items():
            try:
                if field not in allowed:
                    raise _Invalid(_NOT_SETTABLE.format(field))
                values[field] = self._coerce(field, value, project)
            except _Invalid as exc:
                errors[field] = str(exc)
        if errors:
            raise JiraApiError(400, errors=errors)
        return values

    def _collect_edit(
        self, issue: dict[str, Any], fields: Any, update: Any, allowed: Iterable[str]
    ) -> tuple[dict[str, Any], list[Any]]:
        """Turns the `fields` and `update` parts of an edit or transition into new values and new comments."""
        project = self._project_of(issue)
        changes = self._coerce_fields(fields or {}, project, allowed)
        if not isinstance(update or {}, dict):
            raise JiraApiError(400, "'update' must be an object")
        allowed = set(allowed) | set(self._state["custom_fields"])
        comments, errors = [], {}
        for field, operations in (update or {}).items():
            try:
                if not isinstance(operations, list) or not all(
                    isinstance(op, dict) and len(op) == 1 for op in operations
                ):
                    raise _Invalid(f"Update of '{field}' must be a list of single-operation objects")
                for ((verb, arg),) in (op.items() for op in operations):
                    if field == "comment" and verb == "add":
                        comments.append(self._comment_body(arg.get("body") if isinstance(arg, dict) else None))
                    elif field not in allowed:
                        raise _Invalid(_NOT_SETTABLE.format(field))
                    elif verb == "set":
                        changes[field] = self._coerce(field, arg, project)
                    elif verb in ("add", "remove") and self._is_multi(field):
                        current = changes.get(field, issue["fields"].get(field) or [])
                        item = self._coerce(field, [arg], project)[0]
                        if verb == "remove":
                            changes[field] = [x for x in current if x != item]
                        elif item not in current:
                            changes[field] = [*current, item]
                    else:
                        raise _Invalid(f"Operation '{verb}' is not supported by field '{field}'")
            except _Invalid as exc:
                errors[field] = str(exc)
        if errors:
            raise JiraApiError(400, errors=errors)
        return changes, comments

    def _is_multi(self, field: str) -> bool:
        return field in ("labels", "components") or self._custom_type(field) == "labels"

    @staticmethod
    def _comment_body(body: Any) -> Any:
        if not (isinstance(body, str) and body.strip()) and not isinstance(body, dict):
            raise JiraApiError(400, errors={"comment": "Comment body can not be empty!"})
        return body
