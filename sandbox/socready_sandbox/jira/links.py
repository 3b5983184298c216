"""Issue links: link types, creating a link, and reading one."""

from typing import Any

from socready_sandbox.jira.vocabulary import PRIORITIES
from socready_sandbox.jira.wire import JiraApiError, format_time, parse_time

_LINK_TYPES = {  # id -> (name, inward, outward), Jira Cloud's defaults
    "10000": ("Blocks", "is blocked by", "blocks"),
    "10001": ("Cloners", "is cloned by", "clones"),
    "10002": ("Duplicate", "is duplicated by", "duplicates"),
    "10003": ("Relates", "relates to", "relates to"),
}


class Links:
    """Issue links between two issues, with Jira Cloud's default link types."""

    @staticmethod
    def _link_type_json(type_id: str, rest: str) -> dict[str, Any]:
        name, inward, outward = _LINK_TYPES[type_id]
        return {
            "id": type_id,
            "name": name,
            "inward": inward,
            "outward": outward,
            "self": f"{rest}/issueLinkType/{type_id}",
        }

    def _link_json(self, link: dict[str, str], key: str, rest: str) -> dict[str, Any]:
        """As seen from `key`: the other issue is outward when `key` is the link's inward issue, and the reverse."""
        side, other = ("outwardIssue", link["outward"]) if link["inward"] == key else ("inwardIssue", link["inward"])
        issue = self._state["issues"][other]
        brief = {
            "summary": issue["fields"]["summary"],
            "status": self._status_json(issue["fields"]["status"], rest),
            "priority": self._named_json("priority", issue["fields"]["priority"], PRIORITIES, rest),
            "issuetype": self._issue_type_json(issue["fields"]["issuetype"], rest),
        }
        return {
            "id": link["id"],
            "self": f"{rest}/issueLink/{link['id']}",
            "type": self._link_type_json(link["type"], rest),
            side: {"id": issue["id"], "key": other, "self": f"{rest}/issue/{issue['id']}", "fields": brief},
        }

    def _get_link_types(self) -> Any:
        return {"issueLinkTypes": [self._link_type_json(type_id, self._rest()) for type_id in _LINK_TYPES]}

    def _create_link(self) -> Any:
        """Like Jira, {type: Blocks, inwardIssue: A, outwardIssue: B} reads "A blocks B" on A."""
        body = self._read_json(dict)
        wanted = body.get("type") if isinstance(body.get("type"), dict) else {}
        type_id = next(
            (i for i, (name, _, _) in _LINK_TYPES.items() if wanted.get("id") == i or wanted.get("name") == name), None
        )
        if type_id is None:
            raise JiraApiError(404, f"No issue link type with name '{wanted.get('name') or wanted.get('id')}' found.")
        if body.get("comment") is not None:
            raise JiraApiError(400, "The Jira sandbox does not support a comment on issue links.")
        ends = []
        for side in ("inwardIssue", "outwardIssue"):
            ref = body.get(side)
            if not isinstance(ref, dict) or not (ref.get("key") or ref.get("id")):
                raise JiraApiError(400, f"'{side}' must name an issue by key or id.")
            ends.append(self._issue(str(ref.get("key") or ref.get("id"))))
        for issue in ends:
            self._count_write(issue["key"])
        link = {"id": self._next_id(), "type": type_id, "inward": ends[0]["key"], "outward": ends[1]["key"]}
        self._state["links"].append(link)
        now = self._now()
        for issue in ends:
            issue["fields"]["updated"] = max(issue["fields"]["updated"], format_time(now), key=parse_time)
            self._indexed(issue)
        self._save()
        return self._no_content(201)

    def _get_link(self, link_id: str) -> Any:
        link = next((link for link in self._state["links"] if link["id"] == link_id), None)
        if link is None:
            raise JiraApiError(404, f"No issue link with id '{link_id}' exists.")
        return {
            "id": link["id"],
            "self": f"{self._rest()}/issueLink/{link['id']}",
            "type": self._link_type_json(link["type"], self._rest()),
            "inwardIssue": {"id": self._issue(link["inward"])["id"], "key": link["inward"]},
            "outwardIssue": {"id": self._issue(link["outward"])["id"], "key": link["outward"]},
        }
