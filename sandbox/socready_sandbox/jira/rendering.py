"""Rendering stored issues, users, statuses, projects and comments as Jira's JSON."""

from collections.abc import Sequence
from typing import Any

from socready_sandbox.jira.vocabulary import CATEGORIES, SYSTEM_FIELDS

_ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"


def _ends(link: dict[str, str]) -> tuple[str, str]:
    return link["inward"], link["outward"]


class Rendering:
    """Stored values rendered as Jira's REST JSON, with `self` links under the request's API root."""

    def _user_json(self, account_id: str, rest: str) -> dict[str, Any]:
        user = self._state["users"].get(account_id, {"accountId": account_id, "displayName": account_id})
        return {
            "self": f"{rest}/user?accountId={account_id}",
            "accountId": account_id,
            "accountType": "atlassian",
            "emailAddress": user.get("emailAddress"),
            "displayName": user["displayName"],
            "active": account_id in self._state["users"],
            "timeZone": self._tz_name,
        }

    def _status_json(self, name: str, rest: str) -> dict[str, Any]:
        status_id, category = self._statuses[name]
        return {
            "self": f"{rest}/status/{status_id}",
            "id": status_id,
            "name": name,
            "description": "",
            "statusCategory": {"self": f"{rest}/statuscategory/{CATEGORIES[category]['id']}", **CATEGORIES[category]},
        }

    def _issue_type_json(self, name: str, rest: str) -> dict[str, Any]:
        type_id = self._state["issue_types"][name]
        return {
            "self": f"{rest}/issuetype/{type_id}",
            "id": type_id,
            "name": name,
            "description": "",
            "subtask": False,
            "hierarchyLevel": 0,
        }

    @staticmethod
    def _named_json(kind: str, name: str, table: dict[str, str], rest: str) -> dict[str, Any]:
        return {"self": f"{rest}/{kind}/{table[name]}", "id": table[name], "name": name}

    def _project_json(self, project: dict[str, Any], rest: str, *, full: bool = False) -> dict[str, Any]:
        short = {
            "self": f"{rest}/project/{project['id']}",
            "id": project["id"],
            "key": project["key"],
            "name": project["name"],
            "projectTypeKey": "software",
            "simplified": False,
        }
        if not full:
            return short
        return {
            **short,
            "style": "classic",
            "description": "",
            "lead": self._user_json(self._me, rest),
            "issueTypes": [self._issue_type_json(name, rest) for name in project["issue_types"]],
            "components": [
                self._named_json("component", name, project["components"], rest) for name in project["components"]
            ],
        }

    def _comment_json(self, issue: dict[str, Any], comment: dict[str, Any], rest: str) -> dict[str, Any]:
        author = self._user_json(comment["author"], rest)
        return {
            "self": f"{rest}/issue/{issue['id']}/comment/{comment['id']}",
            "id": comment["id"],
            "author": author,
            "updateAuthor": author,
            "body": comment["body"],
            "created": comment["created"],
            "updated": comment["updated"],
            "jsdPublic": True,
        }

    def _history_json(self, history: dict[str, Any], rest: str) -> dict[str, Any]:
        return {**history, "author": self._user_json(history["author"], rest)}

    def _render_field(self, issue: dict[str, Any], field: str, rest: str) -> Any:
        value = issue["fields"].get(field)
        if field == "issuelinks":
            links = self._state["links"]
            return [self._link_json(link, issue["key"], rest) for link in links if issue["key"] in _ends(link)]
        if field == "comment":
            comments = [self._comment_json(issue, c, rest) for c in issue["comments"]]
            return {
                "comments": comments,
                "self": f"{rest}/issue/{issue['id']}/comment",
                "maxResults": len(comments),
                "total": len(comments),
                "startAt": 0,
            }
        if value is None:
            return None
        if field == "status":
            return self._status_json(value, rest)
        if field in ("assignee", "reporter") or self._custom_type(field) == "user":
            return self._user_json(value, rest)
        if field == "components":
            components = self._project_of(issue)["components"]
            return [self._named_json("component", name, components, rest) for name in value]
        if field == "issuetype":
            return self._issue_type_json(value, rest)
        if field == "project":
            return self._project_json(self._state["projects"][value], rest)
        if field in ("priority", "resolution"):
            return self._named_json(field, value, self._id_tables[field], rest)
        return value

    def _select_fields(self, requested: list[str], default: Sequence[str] = ("*all",)) -> list[str]:
        """Resolves a `fields` parameter: ids, *all, *navigable and -exclusions; unknown ids are ignored as in Jira."""
        every = [*SYSTEM_FIELDS, *self._state["custom_fields"]]
        navigable = [field for field in every if field not in SYSTEM_FIELDS or SYSTEM_FIELDS[field].navigable]
        if all(name.startswith("-") for name in requested):
            requested = [*default, *requested]
        chosen: list[str] = []
        for name in requested:
            chosen.extend(every if name == "*all" else navigable if name == "*navigable" else [name])
        excluded = {name[1:] for name in requested if name.startswith("-")}
        return [field for field in dict.fromkeys(chosen) if field in every and field not in excluded]

    def _render_issue(
        self,
        issue: dict[str, Any],
        rest: str,
        fields: list[str],
        *,
        changelog: bool = False,
        properties: Sequence[str] = (),
    ) -> dict[str, Any]:
        out: dict[str, Any] = {
            "expand": _ISSUE_EXPAND,
            "id": issue["id"],
            "self": f"{rest}/issue/{issue['id']}",
            "key": issue["key"],
        }
        out["fields"] = {field: self._render_field(issue, field, rest) for field in fields}
        if changelog:
            histories = [self._history_json(h, rest) for h in issue["changelog"][:100]]
            out["changelog"] = {
                "startAt": 0,
                "maxResults": len(histories),
                "total": len(issue["changelog"]),
                "histories": histories,
            }
        if properties:
            wanted = issue["properties"] if "*all" in properties else properties
            out["properties"] = {key: issue["properties"][key] for key in wanted if key in issue["properties"]}
        return out
