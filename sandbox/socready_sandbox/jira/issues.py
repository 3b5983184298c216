"""Issues over REST: create, read, edit, assign, comments and entity properties."""

from datetime import datetime
from typing import Any

from flask import request

from socready_sandbox.jira.vocabulary import CREATABLE
from socready_sandbox.jira.wire import JiraApiError, format_time, name_list, parse_time


class Issues:
    """The issue endpoints and the creation of an issue (through the API or seed_issue)."""

    def _new_issue(self, raw: dict[str, Any], project_ref: Any, type_ref: Any, created: datetime) -> dict[str, Any]:
        project = self._find_project(project_ref)
        if project is None:
            raise JiraApiError(400, errors={"project": "Specify a valid project ID or key"})
        types = {name: self._state["issue_types"][name] for name in project["issue_types"]}
        issue_type = self._by_name_or_id(type_ref, types)
        if issue_type is None:
            raise JiraApiError(400, errors={"issuetype": "Specify a valid issue type"})
        values = self._coerce_fields(raw, project, CREATABLE)
        if "summary" not in values:
            raise JiraApiError(400, errors={"summary": "You must specify a summary of the issue."})
        if missing := {
            field_id: f"{custom['name']} is required."
            for field_id, custom in self._state["custom_fields"].items()
            if custom.get("required") and values.get(field_id) is None
        }:
            raise JiraApiError(400, errors=missing)
        known = self._last_number.get(project["key"])
        if known is None:  # the project's first new issue since this sandbox started: count the stored ones
            known = max(
                (int(key.rsplit("-", 1)[1]) for key in self._state["issues"] if key.startswith(project["key"] + "-")),
                default=0,
            )
        number = self._last_number[project["key"]] = known + 1
        stamp = format_time(created)
        issue = {
            "id": self._next_id(),
            "key": f"{project['key']}-{number}",
            "fields": {
                "description": None,
                "labels": [],
                "assignee": None,
                "reporter": self._actor,
                "components": [],
                "priority": "Medium",
                "duedate": None,
                **values,
                "project": project["key"],
                "issuetype": issue_type,
                "status": "To Do",
                "resolution": None,
                "resolutiondate": None,
                "created": stamp,
                "updated": stamp,
            },
            "changelog": [],
            "comments": [],
            "properties": {},
        }
        self._state["issues"][issue["key"]] = issue
        self._by_id[issue["id"]] = issue["key"]
        return issue

    def _append_comment(self, issue: dict[str, Any], body: Any, when: datetime) -> dict[str, Any]:
        stamp = format_time(when)
        comment = {"id": self._next_id(), "body": body, "author": self._actor, "created": stamp, "updated": stamp}
        issue["comments"].append(comment)
        issue["fields"]["updated"] = max(issue["fields"]["updated"], stamp, key=parse_time)
        return comment

    def _create_issue(self) -> Any:
        body = self._read_json(dict)
        fields = body.get("fields")
        if not isinstance(fields, dict):
            raise JiraApiError(400, "The request must contain 'fields'.")
        if body.get("update"):
            raise JiraApiError(400, "The Jira sandbox does not support 'update' operations on create.")
        raw = {key: value for key, value in fields.items() if key not in ("project", "issuetype")}
        issue = self._new_issue(raw, fields.get("project"), fields.get("issuetype"), self._now())
        self._indexed(issue)
        self._save()
        return {"id": issue["id"], "key": issue["key"], "self": f"{self._rest()}/issue/{issue['id']}"}, 201

    def _get_issue(self, key: str) -> Any:
        issue = self._issue(key)
        return self._render_issue(
            issue,
            self._rest(),
            self._select_fields(name_list(request.args.getlist("fields"))),
            changelog="changelog" in name_list(request.args.getlist("expand")),
            properties=name_list(request.args.getlist("properties")),
        )

    def _edit_issue(self, key: str) -> Any:
        issue = self._issue(key)
        body = self._read_json(dict)
        changes, comments = self._collect_edit(issue, body.get("fields"), body.get("update"), CREATABLE)
        self._apply(issue, changes, comments)
        return self._no_content()

    def _assign_issue(self, key: str) -> Any:
        issue = self._issue(key)
        body = self._read_json(dict)
        target = body.get("accountId", body.get("name"))
        if target in (None, "-1"):  # null unassigns; -1 ("automatic") means the default assignee: nobody here
            account = None
        elif (account := self._find_user({"accountId": target})) is None:
            raise JiraApiError(404, f"User '{target}' does not exist.")
        self._apply(issue, {"assignee": account})
        return self._no_content()

    def _get_comments(self, key: str) -> Any:
        issue = self._issue(key)
        comments = [self._comment_json(issue, c, self._rest()) for c in issue["comments"]]
        if request.args.get("orderBy", "created").startswith("-"):
            comments.reverse()
        return self._paged(comments, "comments", 5000)

    def _add_comment(self, key: str) -> Any:
        issue = self._issue(key)
        body = self._comment_body(self._read_json(dict).get("body"))
        comment = self._append_comment(issue, body, self._now())
        self._indexed(issue)
        self._save()
        return self._comment_json(issue, comment, self._rest()), 201

    def _get_comment(self, key: str, comment_id: str) -> Any:
        issue = self._issue(key)
        comment = next((c for c in issue["comments"] if c["id"] == comment_id), None)
        if comment is None:
            raise JiraApiError(404, f"Can not find a comment for key: {comment_id}.")
        return self._comment_json(issue, comment, self._rest())

    def _get_property_keys(self, key: str) -> Any:
        issue = self._issue(key)
        base = f"{self._rest()}/issue/{issue['id']}/properties"
        return {"keys": [{"self": f"{base}/{name}", "key": name} for name in issue["properties"]]}

    def _get_property(self, key: str, prop: str) -> Any:
        issue = self._issue(key)
        if prop not in issue["properties"]:
            raise JiraApiError(404, f"The property with key '{prop}' does not exist.")
        return {"key": prop, "value": issue["properties"][prop]}

    def _put_property(self, key: str, prop: str) -> Any:
        issue = self._issue(key)
        if len(prop) > 255:
            raise JiraApiError(400, "The property key can not be longer than 255 characters.")
        value = self._read_json(expected=None)
        existed = prop in issue["properties"]
        issue["properties"][prop] = value
        self._indexed(issue)
        self._save()
        return self._no_content(200 if existed else 201)

    def _delete_property(self, key: str, prop: str) -> Any:
        issue = self._issue(key)
        if prop not in issue["properties"]:
            raise JiraApiError(404, f"The property with key '{prop}' does not exist.")
        del issue["properties"][prop]
        self._indexed(issue)
        self._save()
        return self._no_content()
