"""ENG-CHG-01 through the real `jira` client against the sandbox: approval before deploy, by someone else."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from socready.readiness.model import ControlResult
from tests.controls.jira_fixtures import edit, jira_sandbox, jira_scope, seed_change
from tests.helpers import make_scope, run_control

CONTROL = "ENG-CHG-01"
NEW_YORK = ZoneInfo("America/New_York")
DEPLOY = datetime(2026, 7, 8, 15, tzinfo=UTC)


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def assess(jira, folder, fields: dict | None = None, **extra) -> ControlResult:
    return run_control(make_scope(folder, jira=jira_scope(jira, fields), **extra), CONTROL)


def exceptions(result: ControlResult) -> list[tuple[str, datetime, datetime, str]]:
    return [(e.resource, e.start, e.end, e.reason) for e in result.exceptions]


def test_changes_approved_by_a_colleague_before_deploy_operate(jira, tmp_path):
    seed_change(jira, DEPLOY, [(DEPLOY - timedelta(hours=5), "u-carol")])
    seed_change(jira, DEPLOY + timedelta(days=2), [(DEPLOY, "u-alice")], implementer="u-bob")
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (2, 1.0)
    assert {s.source for s in result.evidence.sources if s.objects} == {"jira.changes"}


def test_a_change_approved_after_its_deploy_is_an_exception_until_the_approval(jira, tmp_path):
    approved = DEPLOY + timedelta(hours=20)
    key = seed_change(jira, DEPLOY, [(approved, "u-carol")])
    result = assess(jira, tmp_path)
    assert result.status == "exception"
    assert exceptions(result) == [
        (f"change/{key}", DEPLOY, approved, "The production change was not approved before it was deployed.")
    ]
    value = "deployed 2026-07-08 15:00 UTC (field customfield_10041), approved 2026-07-09 11:00 UTC"
    assert result.exceptions[0].value == value


def test_a_self_approved_change_is_an_exception_over_its_deploy_day(jira, tmp_path):
    key = seed_change(jira, DEPLOY, [(DEPLOY - timedelta(hours=1), "u-alice")], implementer="u-alice")
    result = assess(jira, tmp_path)
    end_of_day = datetime(2026, 7, 9, tzinfo=NEW_YORK)
    assert exceptions(result) == [
        (f"change/{key}", DEPLOY, end_of_day, "The production change was approved by its own implementer.")
    ]
    assert result.exceptions[0].value.startswith("approved by Alice Dev, implemented by Alice Dev")


def test_a_mapped_approver_field_names_the_approver(jira, tmp_path):
    """The implementer clicked the transition, but the Approver field records who approved."""
    jira.add_custom_field("customfield_10049", "Approver", "user")
    approver = {"customfield_10049": {"accountId": "u-carol"}}
    seed_change(jira, DEPLOY, [(DEPLOY - timedelta(hours=1), "u-alice")], implementer="u-alice", fields=approver)
    result = assess(jira, tmp_path, {"approver": "customfield_10049"})
    assert result.status == "operating", result.reason
    assert "approved by Carol Lead, implemented by Alice Dev" in _values(tmp_path)


def _values(folder) -> str:
    return next((folder / "evidence" / "derived").rglob("ENG-CHG-01/dataset.csv")).read_text()


def test_an_approval_withdrawn_before_deploy_does_not_count(jira, tmp_path):
    approvals = [(DEPLOY - timedelta(days=1), "u-carol"), (DEPLOY - timedelta(hours=2), "u-carol", "Rejected")]
    seed_change(jira, DEPLOY, approvals)
    result = assess(jira, tmp_path)
    assert result.status == "exception"
    assert result.exceptions[0].value.endswith("approved 2026-07-07 15:00 UTC but sent back before the deploy")


def test_many_changes_only_the_failing_ones_and_only_production_non_emergency_in_the_window(jira, tmp_path):
    ok = seed_change(jira, DEPLOY, [(DEPLOY - timedelta(hours=3), "u-bob")])
    late = seed_change(jira, DEPLOY + timedelta(days=1), [(DEPLOY + timedelta(days=2), "u-bob")])
    mine = seed_change(jira, DEPLOY + timedelta(days=3), [(DEPLOY, "u-alice")])
    seed_change(jira, DEPLOY, [(DEPLOY + timedelta(days=2), "u-bob")], emergency=True)  # ENG-CHG-02's
    seed_change(jira, DEPLOY, [], environment="Staging")
    seed_change(jira, None, [])  # not shipped
    seed_change(jira, datetime(2026, 8, 3, 15, tzinfo=UTC), [])  # shipped after the window
    result = assess(jira, tmp_path)
    assert result.population == 3
    assert {e.resource for e in result.exceptions} == {f"change/{late}", f"change/{mine}"}
    assert f"change/{ok}" not in {e.resource for e in result.exceptions}


def test_no_change_tickets_is_an_empty_population_shown_by_the_search(jira, tmp_path):
    result = assess(jira, tmp_path)
    assert result.status == "operating"
    assert result.population == 0
    assert result.reason == "0 production changes deployed in the window (jira.changes: 0 tickets read)."


def test_tickets_read_but_no_production_change_deployed_states_the_tickets_read(jira, tmp_path):
    seed_change(jira, DEPLOY, [], environment="Staging")
    seed_change(jira, None, [])  # not shipped
    seed_change(jira, datetime(2026, 8, 3, 15, tzinfo=UTC), [])  # shipped after the window
    result = assess(jira, tmp_path)
    assert (result.status, result.population) == ("operating", 0)
    assert result.reason == "0 production changes deployed in the window (jira.changes: 3 tickets read)."


def test_an_unassigned_change_cannot_show_who_implemented_it(jira, tmp_path):
    key = seed_change(jira, DEPLOY, [(DEPLOY - timedelta(hours=1), "u-carol")])
    edit(jira, key, {"assignee": None})
    result = assess(jira, tmp_path)
    assert result.status == "no_evidence"
    assert [g.resource for g in result.coverage_gaps] == [f"change/{key}"]


@pytest.mark.parametrize(
    ("approved", "deployed", "status"),
    [
        # 23:59 on 10 July in New York is 03:59 UTC on 11 July: after a deploy at 00:01 UTC that same night
        (datetime(2026, 7, 10, 23, 59, tzinfo=NEW_YORK), datetime(2026, 7, 11, 0, 1, tzinfo=UTC), "exception"),
        # 00:01 UTC on 11 July is 20:01 on 10 July in New York: before a deploy at 23:59 local
        (datetime(2026, 7, 11, 0, 1, tzinfo=UTC), datetime(2026, 7, 10, 23, 59, tzinfo=NEW_YORK), "operating"),
    ],
)
def test_approval_and_deploy_are_compared_as_instants_not_local_dates(jira, tmp_path, approved, deployed, status):
    seed_change(jira, deployed, [(approved, "u-carol")])
    assert assess(jira, tmp_path).status == status


@pytest.mark.parametrize(
    ("approved", "status"),
    [
        (datetime(2026, 11, 1, 23, 30, tzinfo=NEW_YORK), "operating"),  # 04:30 UTC next day, still 1 November
        (datetime(2026, 11, 2, 0, 30, tzinfo=NEW_YORK), "exception"),  # 05:30 UTC: the next local day
    ],
)
def test_a_deploy_date_on_the_day_dst_ends_lasts_25_hours(jira, tmp_path, approved, status):
    """A date-only deploy field: an approval any time that local day counts, on a 25-hour day too."""
    seed_change(jira, "2026-11-01", [(approved, "u-carol")], created=datetime(2026, 10, 28, tzinfo=UTC))
    window = {"start": "2026-10-01", "end": "2026-11-30", "timezone": "America/New_York"}
    result = assess(jira, tmp_path, {"deploy_time": "customfield_10048"}, window=window)
    assert result.status == status
    assert result.population == 1


def test_a_removed_search_endpoint_means_no_evidence(jira, tmp_path):
    seed_change(jira, DEPLOY, [(DEPLOY - timedelta(hours=5), "u-carol")])
    jira.inject_faults(status=410, path_contains="/search/jql")
    result = assess(jira, tmp_path)
    assert result.status == "no_evidence"
    assert result.collection_errors == ['jira.changes: JiraEndpointRemoved on project = "CHG"']


def test_an_incomplete_page_means_no_evidence(monkeypatch, tmp_path):
    for jira in jira_sandbox(monkeypatch, page_size_cap=1):
        for n in range(3):
            seed_change(jira, DEPLOY + timedelta(hours=n), [(DEPLOY - timedelta(hours=5), "u-carol")])
        result = assess(jira, tmp_path)
        assert result.status == "no_evidence"
        assert result.collection_errors == ['jira.changes: JiraPageIncomplete on project = "CHG"']


def test_throttling_is_retried_and_the_control_still_decided(jira, tmp_path, monkeypatch):
    monkeypatch.setattr("connectors.jira.reader.time.sleep", lambda seconds: None)
    seed_change(jira, DEPLOY, [(DEPLOY - timedelta(hours=5), "u-carol")])
    jira.inject_faults(status=429, times=2, retry_after=2, path_contains="/search/jql")
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason
    assert result.clean_since == date(2026, 7, 1)
