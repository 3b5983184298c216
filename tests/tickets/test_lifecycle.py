"""Each lifecycle path of a gap ticket, through the real `jira` client against the sandbox Jira over HTTP."""

from __future__ import annotations

from datetime import timedelta

import pytest
from jira import JIRA

from socready.errors import ScopeError, TicketError
from socready.tickets.identity import PROPERTY, fingerprint, fingerprint_label
from socready_sandbox.jira import JiraSandbox
from tests.tickets.conftest import (
    PRESENT,
    TODAY,
    TOKEN,
    actions,
    gap,
    no_evidence,
    operating,
    planned,
    scope_for,
    sync,
)


def owner(jira: JiraSandbox) -> JIRA:
    """An owner triaging through the API, as anyone would."""
    return JIRA(server=jira.url, basic_auth=(jira.user, TOKEN))


def by_key(jira: JiraSandbox) -> dict[str, dict]:
    return {issue["key"]: issue for issue in jira.issues()}


def status(issue: dict) -> str:
    return issue["fields"]["status"]["name"]


def comments(issue: dict) -> list[str]:
    return [c["body"] for c in issue["fields"]["comment"]["comments"]]


def test_one_routed_ticket_per_gap_with_due_date_and_fingerprint_and_a_rerun_creates_none(jira, tmp_path):
    scope = scope_for(jira, tmp_path)
    results = [gap("ENG-LOG-01"), gap("PROC-02")]
    first = sync(scope, results)
    assert actions(first) == {"ENG-LOG-01": "created", "PROC-02": "created"}
    issues = {i["fields"]["project"]["key"]: i for i in jira.issues()}
    sec, vend = issues["SEC"], issues["VEND"]
    assert sec["fields"]["assignee"]["accountId"] == "acc-eng-lead"
    assert [c["name"] for c in sec["fields"]["components"]] == ["Cloud Security"]
    value = fingerprint("Fixture Co", "ENG-LOG-01")
    assert sec["fields"]["labels"] == sorted(["socready", fingerprint_label(value)])
    assert sec["properties"][PROPERTY]["fingerprint"] == value
    # severity -> priority and SLA: ENG-LOG-01 is high (14 days), PROC-02 medium (30 days)
    assert (sec["fields"]["priority"]["name"], sec["fields"]["duedate"]) == ("High", str(TODAY + timedelta(14)))
    assert (vend["fields"]["priority"]["name"], vend["fields"]["duedate"]) == ("Medium", str(TODAY + timedelta(30)))
    assert "vendor-risk" in vend["fields"]["labels"]
    assert "account/111111111111" in sec["fields"]["description"] and "TEST_JIRA_TOKEN" not in str(sec)

    second = sync(scope, results)
    assert actions(second) == {"ENG-LOG-01": "unchanged", "PROC-02": "unchanged"}
    assert {r.key for r in second.values()} == {r.key for r in first.values()}
    assert len(jira.issues()) == 2


def test_changed_exceptions_update_the_ticket_in_one_write_without_a_comment(jira, tmp_path):
    scope = scope_for(jira, tmp_path)
    created = sync(scope, [gap(end_day=16)])["ENG-LOG-01"]
    jira.issue_writes.clear()
    updated = sync(scope, [gap(end_day=18)])["ENG-LOG-01"]
    assert (updated.key, updated.action) == (created.key, "updated")
    [issue] = jira.issues()
    assert "2026-07-18" in issue["fields"]["description"] and comments(issue) == []
    assert jira.issue_writes == {created.key: 1}
    assert actions(sync(scope, [gap(end_day=18)])) == {"ENG-LOG-01": "unchanged"}


def test_labels_and_assignee_set_by_owners_are_left_alone(jira, tmp_path):
    scope = scope_for(jira, tmp_path)
    key = sync(scope, [gap()])["ENG-LOG-01"].key
    jira.add_user("acc-colleague", "Col League", "col@example.com")
    owner(jira).issue(key).update(fields={"labels": ["triaged"], "assignee": {"accountId": "acc-colleague"}})
    assert actions(sync(scope, [gap()])) == {"ENG-LOG-01": "updated"}  # socready's labels come back
    fields = by_key(jira)[key]["fields"]
    assert "triaged" in fields["labels"] and "socready" in fields["labels"]
    assert fields["assignee"]["accountId"] == "acc-colleague"


def test_resolves_after_n_consecutive_operating_runs_with_one_comment(jira, tmp_path):
    scope = scope_for(jira, tmp_path, resolve_after_runs=2)
    key = sync(scope, [gap()])["ENG-LOG-01"].key
    first_clean = sync(scope, [operating()])
    assert (first_clean["ENG-LOG-01"].key, actions(first_clean)) == (key, {"ENG-LOG-01": "unchanged"})
    assert status(by_key(jira)[key]) == "To Do"
    assert actions(sync(scope, [operating()])) == {"ENG-LOG-01": "resolved"}
    issue = by_key(jira)[key]
    assert (status(issue), issue["fields"]["resolution"]["name"]) == ("Done", "Done")
    assert len(comments(issue)) == 1 and "2 consecutive runs" in comments(issue)[0]
    jira.requests_made.clear()
    assert sync(scope, [operating()]) == {}  # resolved and still clean: nothing to do, Jira not even asked
    assert not jira.requests_made


def test_a_gap_between_clean_runs_starts_the_count_again(jira, tmp_path):
    scope = scope_for(jira, tmp_path, resolve_after_runs=2)
    sync(scope, [gap()])
    sync(scope, [operating()])
    assert actions(sync(scope, [gap()])) == {"ENG-LOG-01": "unchanged"}
    assert actions(sync(scope, [operating()])) == {"ENG-LOG-01": "unchanged"}  # 1 of 2 again
    assert actions(sync(scope, [operating()])) == {"ENG-LOG-01": "resolved"}


def test_a_resource_whose_control_lacks_evidence_is_not_counted_clean(jira, tmp_path):
    scope = scope_for(jira, tmp_path, group_by="control_and_resource", resolve_after_runs=2)
    sync(scope, [gap("ENG-LOG-01", "account/1", "account/2")])
    lines: list[str] = []
    sync(scope, [gap("ENG-LOG-01", "account/2")], lines=lines)
    assert ("unchanged", "ENG-LOG-01 account/1") in planned(lines)
    lines.clear()
    sync(scope, [no_evidence()], lines=lines)
    assert set(planned(lines)) == {
        ("create", "ENG-LOG-01"),  # the failed read names no resource: one control-wide ticket
        ("unchanged", "ENG-LOG-01 account/1"),  # cannot tell: the count starts over
        ("unchanged", "ENG-LOG-01 account/2"),
    }
    for _ in range(2):
        lines.clear()
        sync(scope, [operating()], lines=lines)
    assert set(planned(lines)) == {
        ("resolve", "ENG-LOG-01"),
        ("resolve", "ENG-LOG-01 account/1"),
        ("resolve", "ENG-LOG-01 account/2"),
    }
    assert {status(i) for i in jira.issues()} == {"Done"} and len(jira.issues()) == 3


def test_regression_reopens_the_ticket_with_one_comment_and_a_new_due_date(jira, tmp_path):
    scope = scope_for(jira, tmp_path, resolve_after_runs=1)
    key = sync(scope, [gap()])["ENG-LOG-01"].key
    assert actions(sync(scope, [operating()])) == {"ENG-LOG-01": "resolved"}
    later = TODAY + timedelta(days=40)
    reopened = sync(scope, [gap(end_day=20)], today=later)["ENG-LOG-01"]
    assert (reopened.key, reopened.action) == (key, "reopened")
    issue = by_key(jira)[key]
    assert status(issue) == "Reopened" and issue["fields"]["resolution"] is None
    assert issue["fields"]["duedate"] == str(later + timedelta(days=14))
    assert "2026-07-20" in issue["fields"]["description"]
    assert len(comments(issue)) == 2 and "the gap is back" in comments(issue)[1]
    assert actions(sync(scope, [gap(end_day=20)], today=later)) == {"ENG-LOG-01": "unchanged"}
    assert len(jira.issues()) == 1
    assert not [rule for method, rule in jira.requests_made if method == "DELETE"]  # never deletes


def test_a_ticket_closed_by_hand_while_the_gap_remains_is_reopened(jira, tmp_path):
    scope = scope_for(jira, tmp_path)
    key = sync(scope, [gap()])["ENG-LOG-01"].key
    client = owner(jira)
    client.transition_issue(key, "Start Progress")
    client.transition_issue(key, "Done")
    assert actions(sync(scope, [gap()])) == {"ENG-LOG-01": "reopened"}
    assert status(by_key(jira)[key]) == "Reopened"


def test_where_the_workflow_cannot_reopen_a_new_ticket_is_linked_to_the_old_one(jira, tmp_path):
    jira.set_workflow(reopen=False)
    scope = scope_for(jira, tmp_path, resolve_after_runs=1)
    old = sync(scope, [gap()])["ENG-LOG-01"].key
    sync(scope, [operating()])
    lines: list[str] = []
    new = sync(scope, [gap()], lines=lines)["ENG-LOG-01"]
    assert new.action == "reopened" and new.key != old
    assert f"new ticket linked to {old}" in lines[1]
    issues = by_key(jira)
    assert status(issues[old]) == "Done" and status(issues[new.key]) == "To Do"
    [link] = issues[new.key]["fields"]["issuelinks"]
    assert (link["type"]["name"], link["outwardIssue"]["key"]) == ("Relates", old)
    assert issues[old]["fields"]["issuelinks"][0]["inwardIssue"]["key"] == new.key
    assert actions(sync(scope, [gap()])) == {"ENG-LOG-01": "unchanged"}
    # both carry the fingerprint label; without the outbox the open one is still the gap's ticket
    (tmp_path / "evidence" / "tickets" / "outbox.json").unlink()
    again = sync(scope, [gap()])["ENG-LOG-01"]
    assert (again.key, again.action) == (new.key, "unchanged")
    assert len(jira.issues()) == 2


def test_owner_batching_keeps_one_ticket_per_owner_listing_its_gaps(jira, tmp_path):
    scope = scope_for(jira, tmp_path, group_by="owner", resolve_after_runs=1)
    refs = sync(scope, [gap("ENG-LOG-01"), gap("ENG-ACC-03", "employee/E1004"), gap("PROC-02", "vendor/Ledgerly")])
    assert refs["ENG-LOG-01"].key == refs["ENG-ACC-03"].key != refs["PROC-02"].key
    eng = by_key(jira)[refs["ENG-LOG-01"].key]["fields"]
    assert eng["summary"] == "[SOC 2] engineering gaps: ENG-ACC-03, ENG-LOG-01 — fix needed"
    assert "*ENG-ACC-03" in eng["description"] and "*ENG-LOG-01" in eng["description"]
    assert eng["assignee"]["accountId"] == "acc-eng-lead"
    updated = sync(scope, [gap("ENG-LOG-01"), operating("ENG-ACC-03"), gap("PROC-02", "vendor/Ledgerly")])
    assert updated["ENG-LOG-01"].action == "updated"
    assert "ENG-ACC-03" not in by_key(jira)[refs["ENG-LOG-01"].key]["fields"]["description"]
    resolved = sync(scope, [operating("ENG-LOG-01"), operating("ENG-ACC-03"), gap("PROC-02", "vendor/Ledgerly")])
    assert (resolved["ENG-LOG-01"].action, resolved["PROC-02"].action) == ("resolved", "unchanged")
    assert len(jira.issues()) == 2


def test_per_resource_tickets_appear_and_heal_one_by_one(jira, tmp_path):
    scope = scope_for(jira, tmp_path, group_by="control_and_resource", resolve_after_runs=1)
    lines: list[str] = []
    sync(scope, [gap("ENG-LOG-01", "account/1", "account/2")], lines=lines)
    assert planned(lines) == [("create", "ENG-LOG-01 account/1"), ("create", "ENG-LOG-01 account/2")]
    lines.clear()
    sync(scope, [gap("ENG-LOG-01", "account/2", "account/3")], lines=lines)
    assert planned(lines) == [
        ("unchanged", "ENG-LOG-01 account/2"),
        ("create", "ENG-LOG-01 account/3"),
        ("resolve", "ENG-LOG-01 account/1"),
    ]
    summaries = sorted(i["fields"]["summary"] for i in jira.issues())
    assert summaries[0].endswith("exception (account/1) — fix needed") and len(summaries) == 3


def test_dry_run_prints_the_plan_of_the_next_real_run_on_every_path(jira, tmp_path):
    scope = scope_for(jira, tmp_path, resolve_after_runs=1)
    outbox = tmp_path / "evidence" / "tickets" / "outbox.json"
    runs = [
        [gap("ENG-LOG-01"), operating("PROC-02")],  # create
        [gap("ENG-LOG-01", end_day=18), gap("PROC-02")],  # update, create
        [operating("ENG-LOG-01"), gap("PROC-02")],  # resolve, unchanged
        [gap("ENG-LOG-01"), gap("PROC-02")],  # reopen, unchanged
    ]
    seen = set()
    for results in runs:
        before = (outbox.read_text() if outbox.exists() else None, jira.issues())
        lines: list[str] = []
        dry = sync(scope, results, dry_run=True, lines=lines)
        assert (outbox.read_text() if outbox.exists() else None, jira.issues()) == before
        assert {ref.action for ref in dry.values()} <= {"planned"}
        real = sync(scope, results)
        plan = {name: action for action, name in planned(lines)}
        assert plan == {control: PRESENT[action] for control, action in actions(real).items()}
        seen |= set(plan.values())
    assert seen == {"create", "update", "resolve", "reopen", "unchanged"}


def test_operating_controls_get_no_ticket_and_jira_is_not_needed(jira, tmp_path):
    assert sync(scope_for(jira, tmp_path), [operating()]) == {}
    assert jira.issues() == [] and not jira.requests_made


def test_missing_token_and_missing_owner_route_are_clear_errors(jira, tmp_path, monkeypatch):
    scope = scope_for(jira, tmp_path)
    monkeypatch.delenv("TEST_JIRA_TOKEN")
    with pytest.raises(ScopeError, match="TEST_JIRA_TOKEN"):
        sync(scope, [gap()])
    monkeypatch.setenv("TEST_JIRA_TOKEN", "test-token-not-a-secret")
    unrouted = scope.model_copy(update={"owners": {}})
    with pytest.raises(TicketError, match=r"owners\.engineering"):
        sync(unrouted, [gap()])
    assert jira.issues() == []
