"""An issue read as of a moment: later changelog items undone, a later resolution not yet made, later dates unseen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from expectations.jira_issues import Change, Issue, Person
from socready.scope.models import JiraFieldMap

T = datetime(2026, 7, 8, 12, tzinfo=UTC)
CAROL, BOB = Person("u-carol", "Carol Lead"), Person("u-bob", "Bob Ops")


def jira(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%S.000+0000")


def issue(fields: dict, *changes: Change) -> Issue:
    return Issue("CHG-1", {"created": jira(T - timedelta(days=3)), **fields}, changes, ("sha",))


def test_changes_after_as_of_are_undone_and_left_out():
    reassigned = Change(T + timedelta(hours=1), BOB, "assignee", "assignee", "Carol Lead", "Bob Ops", "u-carol")
    linked = Change(T + timedelta(hours=2), BOB, "customfield_1", "Post-mortem", None, "https://wiki/pm")
    now = issue({"assignee": {"accountId": "u-bob", "displayName": "Bob Ops"}, "customfield_1": "https://wiki/pm"})
    then = issue(now.fields, reassigned, linked).as_of(T)
    assert then.person("assignee") == CAROL
    assert then.value("customfield_1") is None
    assert then.changes == ()


def test_a_resolution_after_as_of_has_not_happened_and_one_before_a_later_reopen_has():
    mapping = JiraFieldMap()
    later = issue({"resolution": {"name": "Done"}, "resolutiondate": jira(T + timedelta(days=1))})
    assert later.as_of(T).completed(mapping) is None
    assert later.as_of(T + timedelta(days=2)).completed(mapping) == T + timedelta(days=1)
    resolved = Change(T - timedelta(days=1), CAROL, "resolution", "resolution", None, "Done")
    reopened = Change(T + timedelta(hours=1), CAROL, "resolution", "resolution", "Done", None)
    now = issue({"resolution": None, "resolutiondate": None}, resolved, reopened)
    assert now.as_of(T).completed(mapping) == T - timedelta(days=1)
    assert now.completed(mapping) is None


def test_a_date_field_after_as_of_is_empty_and_an_issue_created_after_it_does_not_exist():
    deployed = issue({"customfield_2": jira(T + timedelta(minutes=1)), "customfield_3": "2026-07-09"})
    assert deployed.as_of(T).when("customfield_2", UTC) is None
    assert deployed.as_of(T).when("customfield_3", UTC) is None
    assert deployed.as_of(T + timedelta(days=1)).when("customfield_2", UTC).start == T + timedelta(minutes=1)
    assert deployed.as_of(T - timedelta(days=4)) is None
