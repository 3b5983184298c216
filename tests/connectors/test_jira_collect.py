"""The Jira collector against the sandbox over HTTP: paging, changelogs, incremental runs, quoting, failures."""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from jira import JIRA

from connectors.jira import reader as reader_module
from connectors.jira.jql import base_jql, local_minute, quoted
from connectors.jira.reader import JiraReader
from expectations.jira_issues import PARSERS
from socready.collect import collect
from socready.errors import CollectionError, ScopeError
from socready.evidence import Manifest, open_store
from socready.evidence.view import EvidenceView
from socready.scope.models import JiraQuery
from socready_sandbox.jira import DEFAULT_TOKEN, JiraSandbox
from tests.controls.jira_fixtures import TOKEN_ENV, jira_sandbox, jira_scope, seed_change
from tests.helpers import make_scope, window_of

SOURCE = "jira.changes"
T0 = datetime(2026, 7, 6, 14, tzinfo=UTC)


@pytest.fixture
def jira(monkeypatch) -> JiraSandbox:
    yield from jira_sandbox(monkeypatch)


@pytest.fixture(autouse=True)
def ordered_runs(monkeypatch) -> None:
    """Run ids have second precision; runs a test makes within one second must still sort in order."""
    numbers = iter(range(1, 1000))
    monkeypatch.setattr("socready.collect.new_run_id", lambda: f"20261126T000000Z-{next(numbers):06d}")


@pytest.fixture
def sleeps(monkeypatch) -> list[float]:
    """Retry delays the reader asked for, without waiting for them."""
    asked: list[float] = []
    monkeypatch.setattr(reader_module.time, "sleep", asked.append)
    return asked


def run(folder: Path, jira: JiraSandbox, source: str = SOURCE, **settings) -> Manifest:
    scope = make_scope(folder, jira=jira_scope(jira, **settings))
    return collect(scope, window_of(scope), open_store(scope.evidence_store), [source])


def searches(jira: JiraSandbox) -> int:
    return sum(n for (method, rule), n in jira.requests_made.items() if rule.endswith("/search/jql"))


def changelog_reads(jira: JiraSandbox) -> int:
    return sum(n for (method, rule), n in jira.requests_made.items() if rule.endswith("/changelog"))


def seed_changes(jira: JiraSandbox, count: int, start: datetime = T0) -> list[str]:
    return [
        seed_change(jira, start + timedelta(hours=n), [(start + timedelta(hours=n - 1), "u-carol")])
        for n in range(count)
    ]


def bound(manifest: Manifest) -> str:
    """The JQL of this run's own search (carried summaries of earlier runs are older)."""
    summaries = [e for e in manifest.entries_for(SOURCE) if e.query.startswith("summary?")]
    return max(summaries, key=lambda e: e.collected_at).query


def issues_of(folder: Path, manifest: Manifest, source: str = SOURCE):
    """Every issue collected, as parsed before any window's as-of cut."""
    return EvidenceView(open_store(str(folder / "evidence")), manifest).parsed(source, PARSERS[source])


def test_pages_of_100_with_only_the_fields_the_controls_read(jira, tmp_path):
    seed_changes(jira, 250)
    manifest = run(tmp_path, jira)
    assert manifest.errors == []
    queries = [e.query for e in manifest.entries_for(SOURCE)]
    pages = [q for q in queries if q.startswith("search/jql")]
    assert len(pages) == 3 == searches(jira)
    assert sum("nextPageToken=" in q for q in pages) == 2
    fields = [
        *("summary", "status", "created", "updated", "resolution", "resolutiondate", "assignee"),
        *("customfield_10040", "customfield_10041", "customfield_10042", "customfield_10043"),
    ]
    assert all(f"&fields={','.join(fields)}&maxResults=100&expand=changelog" in q for q in pages)
    issues = issues_of(tmp_path, manifest)
    assert len(issues) == 250
    assert set(issues[0].fields) == set(fields)


def test_a_truncated_changelog_is_read_on_from_where_search_stopped(jira, tmp_path):
    toggles = [(T0 + timedelta(minutes=n), "u-carol", "Approved" if n % 2 else "Pending") for n in range(1, 231)]
    key = seed_change(jira, T0 + timedelta(days=1), toggles)
    manifest = run(tmp_path, jira)
    assert manifest.errors == []
    reads = [e.query for e in manifest.entries_for(SOURCE) if e.query.startswith("issue/")]
    assert reads == [f"issue/{key}/changelog?startAt={start}&maxResults=100" for start in (100, 200)]
    assert changelog_reads(jira) == 2
    [issue] = issues_of(tmp_path, manifest)
    assert len(issue.changed("customfield_10040")) == 230  # the whole approval history, none twice


def test_a_second_run_reads_only_what_changed_since_the_first_less_the_overlap(jira, tmp_path):
    keys = seed_changes(jira, 150)
    first = run(tmp_path, jira)
    newest = T0 + timedelta(hours=149)
    seed_changes(jira, 3, start=newest + timedelta(hours=2))
    client = JIRA(server=jira.url, basic_auth=(jira.user, DEFAULT_TOKEN))
    client.issue(keys[0]).update(fields={"summary": "Deploy payments-api (rollback)"})
    before = searches(jira)
    second = run(tmp_path, jira)
    assert second.errors == []
    assert searches(jira) - before == 1  # one page: the 3 new tickets, the edited one and the overlap's last
    since = local_minute(newest - timedelta(minutes=60), "UTC")
    assert bound(second).endswith(f'AND updated >= "{since}"')
    assert {e.sha256 for e in first.entries_for(SOURCE)} < {e.sha256 for e in second.entries_for(SOURCE)}
    issues = {i.key: i for i in issues_of(tmp_path, second)}
    assert len(issues) == 153
    assert issues[keys[0]].summary == "Deploy payments-api (rollback)"


def test_the_time_bound_is_written_in_the_jira_users_time_zone(monkeypatch, tmp_path):
    """Honolulu is 10 h behind UTC: a bound written in UTC would be read 10 h late and miss the new ticket."""
    for jira in jira_sandbox(monkeypatch, user_timezone="Pacific/Honolulu"):
        seed_changes(jira, 1)
        run(tmp_path, jira)
        new = seed_changes(jira, 1, start=T0 + timedelta(minutes=30))
        second = run(tmp_path, jira)
        assert bound(second).endswith('AND updated >= "2026-07-06 03:00"')  # 13:00 UTC in Honolulu
        assert new[0] in {i.key for i in issues_of(tmp_path, second)}


def test_a_scope_time_zone_overrides_the_users_profile(jira, tmp_path):
    seed_changes(jira, 1)
    run(tmp_path, jira, timezone="Asia/Tokyo")
    second = run(tmp_path, jira, timezone="Asia/Tokyo")
    assert bound(second).endswith('AND updated >= "2026-07-06 22:00"')  # 13:00 UTC in Tokyo
    assert not any(rule.endswith("/myself") for _, rule in jira.requests_made)


def test_a_changed_query_is_read_again_in_full(jira, tmp_path):
    seed_changes(jira, 120)
    run(tmp_path, jira)
    before = searches(jira)
    changed = {**jira_scope(jira)["changes"], "issue_types": ["Change"]}
    second = run(tmp_path, jira, changes=changed)
    assert searches(jira) - before == 2
    assert all("issuetype in" in e.query for e in second.entries_for(SOURCE))


def test_values_from_the_scope_are_quoted_so_they_cannot_change_the_query(jira, tmp_path):
    jira.add_project("SECRET", "Board minutes", issue_types=["Task"])
    jira.seed_issue("SECRET", "Task", "Acquisition plans", created=T0)
    hostile = 'X" OR project = SECRET OR project = "X'
    assert base_jql(JiraQuery(project=hostile)) == r'project = "X\" OR project = SECRET OR project = \"X"'
    assert quoted('a\\"b\nc') == r'"a\\\"b\nc"'
    manifest = run(tmp_path, jira, changes={"project": hostile})
    [failure] = manifest.errors
    assert "HTTP 400" in failure.message and "does not exist" in failure.message  # one value: no such project
    assert manifest.entries_for(SOURCE) == []


@pytest.mark.parametrize(
    "condition", ["a = 1) OR (project = SECRET", "(project = A", 'summary ~ "x', "a = 1 ORDER BY key"]
)
def test_a_jql_condition_in_the_scope_must_stay_inside_its_parentheses(jira, tmp_path, condition):
    with pytest.raises(ScopeError, match=r"jira\.changes\.jql"):
        make_scope(tmp_path, jira=jira_scope(jira, changes={"project": "CHG", "jql": condition}))


def test_an_unquoted_yaml_boolean_project_key_is_explained(jira, tmp_path):
    with pytest.raises(ScopeError, match="quote it"):
        make_scope(tmp_path, jira=jira_scope(jira, offboarding={"project": False}))


def test_the_removed_search_endpoint_is_a_failed_read_not_an_empty_result(jira, tmp_path):
    seed_changes(jira, 3)
    jira.inject_faults(status=410, path_contains="/search/jql")
    manifest = run(tmp_path, jira)
    [failure] = manifest.errors
    assert (failure.source, failure.error) == (SOURCE, "JiraEndpointRemoved")
    assert "HTTP 410" in failure.message
    assert manifest.entries_for(SOURCE) == []


def test_a_short_page_with_a_next_page_token_is_an_error(monkeypatch, tmp_path):
    for jira in jira_sandbox(monkeypatch, page_size_cap=10):  # the site caps pages below the 100 asked for
        seed_changes(jira, 15)
        manifest = run(tmp_path, jira)
        [failure] = manifest.errors
        assert "incomplete search page (10 of 100 issues" in failure.message
        assert manifest.entries_for(SOURCE) == []
        assert run(tmp_path, jira, page_size=10).errors == []  # told the site's cap, it pages through


class Stub:
    def __init__(self, *pages: dict) -> None:
        self.pages = list(pages)

    def enhanced_search_issues(self, *args, **kwargs) -> dict:
        return self.pages.pop(0)


def stub_reader(*pages: dict) -> JiraReader:
    reader = object.__new__(JiraReader)
    reader._attempts, reader._max_delay, reader.client = 1, 0.0, Stub(*pages)
    return reader


@pytest.mark.parametrize(
    ("pages", "message"),
    [
        (({"isLast": True},), "without `issues`"),
        (({"issues": [], "isLast": False},), "next page token missing"),
        (({"issues": [{}] * 2, "nextPageToken": "a"}, {"issues": [{}] * 2, "nextPageToken": "a"}), "repeated"),
    ],
)
def test_pages_that_cannot_be_whole_are_errors(pages, message):
    with pytest.raises(CollectionError, match=message):
        list(stub_reader(*pages).search("project = X", ["summary"], changelog=False, page_size=2))


def test_throttling_is_retried_after_the_delay_jira_asks_for(jira, tmp_path, sleeps):
    seed_changes(jira, 3)
    jira.inject_faults(status=429, retry_after=7, path_contains="/search/jql")
    jira.inject_faults(status=503, retry_after=3, path_contains="/search/jql")
    manifest = run(tmp_path, jira)
    assert manifest.errors == []
    assert sleeps == [7.0, 3.0]
    assert searches(jira) == 3
    assert len(issues_of(tmp_path, manifest)) == 3


def test_server_errors_are_retried_with_backoff_then_recorded(jira, tmp_path, sleeps):
    seed_changes(jira, 3)
    jira.inject_faults(status=502, times=5, path_contains="/search/jql")
    manifest = run(tmp_path, jira)
    [failure] = manifest.errors
    assert "still failing" in failure.message and "after 5 attempts (HTTP 502)" in failure.message
    assert sleeps == [1.0, 2.0, 4.0, 8.0]


def test_the_token_comes_from_the_environment_and_is_never_stored(jira, tmp_path, monkeypatch):
    seed_changes(jira, 2)
    assert run(tmp_path, jira).errors == []
    stored = b"".join(p.read_bytes() for p in (tmp_path / "evidence").rglob("*") if p.is_file())
    assert DEFAULT_TOKEN.encode() not in stored
    monkeypatch.setenv(TOKEN_ENV, "wrong-token")
    [refused] = run(tmp_path, jira).errors
    assert "HTTP 401" in refused.message and "wrong-token" not in refused.message
    monkeypatch.delenv(TOKEN_ENV)
    [missing] = run(tmp_path, jira).errors
    assert f"environment variable {TOKEN_ENV} (scope jira.token_env) is not set" in missing.message


def test_a_failed_run_is_no_base_for_the_next_one(jira, tmp_path):
    seed_changes(jira, 150)
    run(tmp_path, jira)
    jira.inject_faults(status=410, path_contains="/search/jql")
    assert run(tmp_path, jira).errors
    before = searches(jira)
    assert run(tmp_path, jira).errors == []
    assert searches(jira) - before == 2  # read in full again


def test_a_source_the_scope_does_not_name_is_not_configured(jira, tmp_path):
    scope = make_scope(tmp_path, jira={**jira_scope(jira), "incidents": None})
    manifest = collect(scope, window_of(scope), open_store(scope.evidence_store), ["jira.incidents"])
    [failure] = manifest.errors
    assert (failure.error, failure.query) == ("NotConfigured", "scope")
    assert "jira.incidents" in failure.message


def test_requests_stay_near_the_minimum(jira, tmp_path):
    seed_changes(jira, 300)
    run(tmp_path, jira)
    made = Counter()
    for (_, rule), count in jira.requests_made.items():
        made[rule.rsplit("/", 1)[-1]] += count
    assert made == {"jql": 3, "serverInfo": 1, "myself": 1, "field": 1}


def test_connecting_needs_the_token_variable(jira, monkeypatch):
    monkeypatch.delenv(TOKEN_ENV)
    with pytest.raises(CollectionError, match=TOKEN_ENV):
        JiraReader(make_scope(Path("."), jira=jira_scope(jira)).jira)


def test_jsm_approvals_are_read_page_by_page_for_changes_only_when_the_field_map_names_them(jira, tmp_path):
    [key] = seed_changes(jira, 1)
    for n in range(60):  # two pages of 50
        at = T0 + timedelta(minutes=n)
        jira.seed_approval(key, [("u-carol", "approved")], final="approved", created=at, completed=at)
    (tmp_path / "jsm").mkdir()
    manifest = run(tmp_path / "jsm", jira, fields={"approval_field": "jsm"})
    assert manifest.errors == []
    reads = [e.query for e in manifest.entries_for(SOURCE) if e.query.startswith("request/")]
    assert reads == [f"request/{key}/approval?start={start}&limit=50" for start in (0, 50)]
    [issue] = issues_of(tmp_path / "jsm", manifest)
    assert len(issue.decisions) == 60 and issue.decisions[0].approved_by[0].name == "Carol Lead"
    (tmp_path / "status").mkdir()
    plain = run(tmp_path / "status", jira)
    assert not [e for e in plain.entries_for(SOURCE) if e.query.startswith("request/")]
    assert issues_of(tmp_path / "status", plain)[0].decisions is None
