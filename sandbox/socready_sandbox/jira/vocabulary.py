"""The site's fixed vocabulary: statuses and their categories, priorities, resolutions, system and custom fields."""

from dataclasses import dataclass

from socready_sandbox.jira import jql

CATEGORIES = {
    "new": {"id": 2, "key": "new", "colorName": "blue-gray", "name": "To Do"},
    "indeterminate": {"id": 4, "key": "indeterminate", "colorName": "yellow", "name": "In Progress"},
    "done": {"id": 3, "key": "done", "colorName": "green", "name": "Done"},
}
STATUSES = {  # name -> (id, status category)
    "To Do": ("10000", "new"),
    "In Progress": ("3", "indeterminate"),
    "Done": ("10001", "done"),
    "Reopened": ("4", "new"),
    # seedable, for approval workflows (no transitions lead to them)
    "In Review": ("10002", "indeterminate"),
    "Approved": ("10003", "indeterminate"),
    "Deployed": ("10004", "indeterminate"),
}
PRIORITIES = {"Highest": "1", "High": "2", "Medium": "3", "Low": "4", "Lowest": "5"}
RESOLUTIONS = {"Done": "10000", "Won't Do": "10001", "Duplicate": "10002"}
ID_TABLES = {"priority": PRIORITIES, "resolution": RESOLUTIONS}  # fields stored by name, also addressed by id


@dataclass(frozen=True)
class SystemField:
    id: str
    name: str
    clauses: tuple[str, ...]
    kind: jql.Kind
    schema_type: str
    navigable: bool = True
    case_sensitive: bool = False


SYSTEM_FIELDS = {
    field.id: field
    for field in (
        SystemField("summary", "Summary", ("summary",), jql.Kind.TEXT, "string"),
        SystemField("description", "Description", ("description",), jql.Kind.TEXT, "string"),
        SystemField("status", "Status", ("status",), jql.Kind.EXACT, "status"),
        SystemField("assignee", "Assignee", ("assignee",), jql.Kind.EXACT, "user"),
        SystemField("reporter", "Reporter", ("reporter",), jql.Kind.EXACT, "user"),
        SystemField("labels", "Labels", ("labels",), jql.Kind.EXACT, "array", case_sensitive=True),
        SystemField("components", "Components", ("component",), jql.Kind.EXACT, "array"),
        SystemField("issuetype", "Issue Type", ("issuetype", "type"), jql.Kind.EXACT, "issuetype"),
        SystemField("project", "Project", ("project",), jql.Kind.EXACT, "project"),
        SystemField("priority", "Priority", ("priority",), jql.Kind.EXACT, "priority"),
        SystemField("created", "Created", ("created", "createdDate"), jql.Kind.DATE, "datetime"),
        SystemField("updated", "Updated", ("updated", "updatedDate"), jql.Kind.DATE, "datetime"),
        SystemField("duedate", "Due date", ("due", "duedate"), jql.Kind.DATE, "date"),
        SystemField("resolution", "Resolution", ("resolution",), jql.Kind.EXACT, "resolution"),
        SystemField("resolutiondate", "Resolved", ("resolved", "resolutiondate"), jql.Kind.DATE, "datetime"),
        SystemField("comment", "Comment", ("comment",), jql.Kind.TEXT, "comments-page", navigable=False),
        SystemField("issuelinks", "Linked Issues", (), jql.Kind.EXACT, "array"),
    )
}
CREATABLE = frozenset({"summary", "description", "labels", "assignee", "reporter", "components", "priority", "duedate"})
CUSTOM_PLUGIN = "com.atlassian.jira.plugin.system.customfieldtypes:"
CUSTOM_TYPES = {  # field_type -> (JQL kind, schema)
    "option": (jql.Kind.EXACT, {"type": "option", "custom": CUSTOM_PLUGIN + "select"}),
    "text": (jql.Kind.TEXT, {"type": "string", "custom": CUSTOM_PLUGIN + "textfield"}),
    "user": (jql.Kind.EXACT, {"type": "user", "custom": CUSTOM_PLUGIN + "userpicker"}),
    "labels": (jql.Kind.EXACT, {"type": "array", "items": "string", "custom": CUSTOM_PLUGIN + "labels"}),
    "date": (jql.Kind.DATE, {"type": "date", "custom": CUSTOM_PLUGIN + "datepicker"}),
    "datetime": (jql.Kind.DATE, {"type": "datetime", "custom": CUSTOM_PLUGIN + "datetime"}),
    "number": (jql.Kind.NUMBER, {"type": "number", "custom": CUSTOM_PLUGIN + "float"}),
}
