"""The Jira sandbox answers the real `jira` client (3.10) over HTTP the way Jira Cloud does."""

import re
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import requests
from jira import JIRA, JIRAError

from socready_sandbox.jira import DEFAULT_TOKEN, JiraSandbox

T0 = datetime(2026, 5, 1, 10, 0, tzinfo=UTC)
JIRA_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}\+0000")


def prepared(sandbox: JiraSandbox) -> JiraSandbox:
    sandbox.add_project("SEC", "Security Engineering", components=["Cloud Security", "Platform"])
    sandbox.add_project("OPS", "Operations")
    sandbox.add_user("acc-priya", "Priya Raman", "priya@example.com")
    return sandbox


def connect(sandbox: JiraSandbox, token: str = DEFAULT_TOKEN, **kwargs) -> JIRA:
    return JIRA(server=sandbox.url, basic_auth=(sandbox.user, token), **kwargs)


@pytest.fixture
def sandbox() -> Iterator[JiraSandbox]:
    with prepared(JiraSandbox(page_size_cap=10)) as running:
        yield running


@pytest.fixture
def client(sandbox: JiraSandbox) -> Iterator[JIRA]:
    jira = connect(sandbox)
    yield jira
    jira.close()


@pytest.fixture
def keys(client: JIRA) -> Callable[[str], list[str]]:
    return lambda jql: [issue.key for issue in client.enhanced_search_issues(jql, maxResults=0, fields="key")]


def test_wrong_or_missing_credentials_are_rejected_with_401(sandbox: JiraSandbox) -> None:
    with pytest.raises(JIRAError) as wrong:
        connect(sandbox, token="not-the-token")
    assert wrong.value.status_code == 401
    assert wrong.value.response.json()["errorMessages"]
    assert "not-the-token" not in wrong.value.response.text
    with pytest.raises(JIRAError) as missing:
        JIRA(server=sandbox.url)
    assert missing.value.status_code == 401


def test_create_get_and_update_an_issue(client: JIRA, sandbox: JiraSandbox) -> None:
    issue = client.create_issue(
        project="SEC",
        issuetype="Task",
        summary="Rotate keys",
        labels=["soc2"],
        components=[{"name": "Platform"}],
        priority={"name": "High"},
    )
    assert issue.key == "SEC-1"
    assert (issue.fields.status.name, issue.fields.status.statusCategory.key) == ("To Do", "new")
    assert issue.fields.reporter.emailAddress == sandbox.user
    assert (issue.fields.priority.name, issue.fields.project.key) == ("High", "SEC")
    assert JIRA_TIME.fullmatch(issue.fields.created)

    issue.update(fields={"summary": "Rotate all keys", "components": [{"name": "Cloud Security"}]})
    issue.add_field_value("labels", "gap")
    issue.update(update={"labels": [{"remove": "soc2"}]})
    assert client.assign_issue(issue.key, "priya@example.com")

    fresh = client.issue(issue.key, expand="changelog")
    assert fresh.fields.summary == "Rotate all keys"
    assert fresh.fields.labels == ["gap"]
    assert [component.name for component in fresh.fields.components] == ["Cloud Security"]
    assert fresh.fields.assignee.accountId == "acc-priya"
    changes = [(item.field, item.fromString, item.toString) for h in fresh.changelog.histories for item in h.items]
    assert changes == [
        ("summary", "Rotate keys", "Rotate all keys"),
        ("Component", "Platform", None),
        ("Component", None, "Cloud Security"),
        ("labels", "soc2", "soc2 gap"),
        ("labels", "soc2 gap", "gap"),
        ("assignee", None, "Priya Raman"),
    ]
    assert fresh.fields.updated == fresh.changelog.histories[-1].created
    assert set(client.issue(issue.key, fields="summary,labels").raw["fields"]) == {"summary", "labels"}
    assert client.find("label").raw["values"] == ["gap"]


@pytest.mark.parametrize(
    ("fields", "rejected"),
    [
        ({"project": {"key": "NOPE"}, "issuetype": {"name": "Task"}}, "project"),
        ({"project": {"key": "SEC"}, "issuetype": {"name": "Epic"}}, "issuetype"),
        ({"project": {"key": "SEC"}, "issuetype": {"name": "Task"}, "components": [{"name": "Nope"}]}, "components"),
        ({"project": {"key": "SEC"}, "issuetype": {"name": "Task"}, "labels": ["two words"]}, "labels"),
        ({"project": {"key": "SEC"}, "issuetype": {"name": "Task"}, "status": {"name": "Done"}}, "status"),
    ],
)
def test_invalid_creates_are_400_with_field_errors(
    client: JIRA, sandbox: JiraSandbox, fields: dict, rejected: str
) -> None:
    with pytest.raises(JIRAError) as error:
        client.create_issue(fields={**fields, "summary": "invalid"})
    assert error.value.status_code == 400
    assert list(error.value.response.json()["errors"]) == [rejected]
    assert sandbox.issues() == []


def test_enhanced_search_pages_through_every_issue_exactly_once(client: JIRA, sandbox: JiraSandbox) -> None:
    for n in range(25):
        sandbox.seed_issue("SEC", "Task", f"finding {n}", created=T0 + timedelta(minutes=n))
    sandbox.seed_issue("OPS", "Task", "elsewhere", created=T0)
    sandbox.requests_made.clear()

    everything = client.enhanced_search_issues("project = SEC ORDER BY created ASC", maxResults=0, fields="summary")
    assert [issue.fields.summary for issue in everything] == [f"finding {n}" for n in range(25)]
    assert sandbox.requests_made[("GET", "/rest/api/2/search/jql")] == 3  # the cap of 10 wins over 100

    seen, token = [], None
    while True:
        page = client.enhanced_search_issues("project = SEC", nextPageToken=token, maxResults=50, fields="summary")
        assert len(page) <= 10
        seen += [issue.key for issue in page]
        if not (token := page.nextPageToken):
            break
    assert len(seen) == len(set(seen)) == 25

    first = client.enhanced_search_issues("project = SEC", maxResults=50, fields=["summary"], json_result=True)
    assert (len(first["issues"]), first["isLast"], "nextPageToken" in first) == (10, False, True)
    keys_only = client.enhanced_search_issues("project = SEC", maxResults=50, fields="key", json_result=True)
    assert (len(keys_only["issues"]), keys_only["isLast"], "nextPageToken" in keys_only) == (25, True, False)


def test_a_page_token_only_continues_its_own_query(client: JIRA, sandbox: JiraSandbox) -> None:
    for n in range(12):
        sandbox.seed_issue("SEC", "Task", f"finding {n}", created=T0)
    first = client.enhanced_search_issues("project = SEC", maxResults=5, fields=["summary"], json_result=True)
    with pytest.raises(JIRAError) as error:
        client.enhanced_search_issues("project = OPS", nextPageToken=first["nextPageToken"])
    assert error.value.status_code == 400
    with pytest.raises(JIRAError):
        client.enhanced_search_issues("project = SEC", nextPageToken="not-a-token")


def test_the_removed_search_endpoint_answers_410_gone(sandbox: JiraSandbox) -> None:
    # Without server info the client does not know it talks to Cloud and calls the old GET/POST /search
    legacy = connect(sandbox, get_server_info=False)
    for use_post in (False, True):
        with pytest.raises(JIRAError) as error:
            legacy.search_issues("project = SEC", use_post=use_post)
        assert error.value.status_code == 410
        assert "/rest/api/3/search/jql" in error.value.text


def test_jql_operators_and_ordering(sandbox: JiraSandbox, keys: Callable[[str], list[str]]) -> None:
    alpha = sandbox.seed_issue(
        "SEC", "Task", "alpha finding", fields={"labels": ["x"], "assignee": {"accountId": "acc-priya"}}, created=T0
    )
    beta = sandbox.seed_issue("SEC", "Bug", "beta", fields={"labels": ["y"]}, created=T0 + timedelta(hours=1))
    gamma = sandbox.seed_issue("OPS", "Task", "gamma", created=T0 + timedelta(hours=2))

    assert keys("assignee is EMPTY ORDER BY created DESC") == [gamma, beta]
    assert keys('assignee != "acc-priya"') == []  # like Jira, != never matches an empty field
    assert keys("labels not in (x) ORDER BY key") == [beta]
    assert keys("project in (SEC, OPS) AND (type = Bug OR summary ~ alph*) ORDER BY key ASC") == [alpha, beta]
    assert keys("NOT project = SEC") == [gamma]
    assert keys("reporter = currentUser() AND issuetype = task ORDER BY created DESC") == [gamma, alpha]
    assert keys("assignee = 'priya@example.com' AND labels is not EMPTY") == [alpha]


def test_quoted_jql_values_are_literals_not_query_text(sandbox: JiraSandbox, keys: Callable[[str], list[str]]) -> None:
    other = sandbox.seed_issue("OPS", "Task", "ops work", created=T0)
    quoted = sandbox.seed_issue("SEC", "Task", "quoted", fields={"labels": ['evil"label']}, created=T0)

    assert keys("labels = x OR project = OPS") == [other]  # unquoted, this really is an OR
    assert keys('labels = "x\\" OR project = OPS"') == []  # quoted, it is one odd label value
    assert keys('labels = "evil\\"label"') == [quoted]
    assert keys("labels = 'evil\"label'") == [quoted]


@pytest.mark.parametrize(
    ("jql", "message"),
    [
        ('labels = "unterminated', "The quoted string 'unterminated' has not been completed"),
        ("colour = red", "Field 'colour' does not exist"),
        ("project = NOPE", "The value 'NOPE' does not exist for the field 'project'"),
        ("status ~ Done", "The operator '~' is not supported by the 'status' field"),
        ('created > "yesterday"', "Date value 'yesterday' for field 'created' is invalid"),
        ("ORDER BY created", "Unbounded JQL queries are not allowed"),
    ],
)
def test_bad_jql_is_a_400_with_jiras_message(client: JIRA, jql: str, message: str) -> None:
    with pytest.raises(JIRAError) as error:
        client.enhanced_search_issues(jql)
    assert error.value.status_code == 400
    assert message in error.value.response.json()["errorMessages"][0]


def test_dates_without_offset_are_read_in_the_user_time_zone() -> None:
    # Sydney is UTC+10 in May: 14:30 UTC on 30 April is already 1 May there
    with prepared(JiraSandbox(user_timezone="Australia/Sydney")) as sandbox:
        early = sandbox.seed_issue("SEC", "Task", "00:30 Sydney", created=datetime(2026, 4, 30, 14, 30, tzinfo=UTC))
        late = sandbox.seed_issue("SEC", "Task", "13:45 Sydney", created=datetime(2026, 5, 1, 3, 45, tzinfo=UTC))
        april = sandbox.seed_issue("SEC", "Task", "23:59 Sydney", created=datetime(2026, 4, 30, 13, 59, tzinfo=UTC))
        client = connect(sandbox)

        def keys(jql: str) -> list[str]:
            return sorted(issue.key for issue in client.enhanced_search_issues(jql, fields="key"))

        assert keys('created >= "2026-05-01"') == [early, late]
        assert keys('created < "2026-05-01"') == [april]
        assert keys('created >= "2026-05-01 13:45"') == [late]
        assert keys('created > "2026-05-01 13:45"') == []
        assert keys('created >= "2026/04/30 23:59" AND created <= "2026-05-01 00:30"') == [early, april]
    with prepared(JiraSandbox()) as utc:
        utc.seed_issue("SEC", "Task", "00:30 Sydney", created=datetime(2026, 4, 30, 14, 30, tzinfo=UTC))
        assert connect(utc).enhanced_search_issues('created >= "2026-05-01"', fields="key") == []


def test_seeded_history_becomes_the_changelog_and_current_status(client: JIRA, sandbox: JiraSandbox) -> None:
    key = sandbox.seed_issue(
        "SEC",
        "Change",
        "Deploy v2",
        fields={"assignee": {"accountId": "acc-priya"}},
        created=T0,
        history=[
            (T0 + timedelta(hours=5), "acc-priya", [("status", "In Progress", "Done"), ("resolution", None, "Done")]),
            (T0 + timedelta(hours=1), "acc-priya", [("status", "To Do", "In Progress")]),
        ],
    )
    issue = client.issue(key, expand="changelog")
    assert (issue.fields.status.name, issue.fields.resolution.name) == ("Done", "Done")
    assert issue.fields.created == "2026-05-01T10:00:00.000+0000"
    assert issue.fields.resolutiondate == issue.fields.updated == "2026-05-01T15:00:00.000+0000"
    histories = issue.changelog.histories
    assert [(h.created, h.author.displayName) for h in histories] == [
        ("2026-05-01T11:00:00.000+0000", "Priya Raman"),
        ("2026-05-01T15:00:00.000+0000", "Priya Raman"),
    ]
    assert [(i.field, i.fromString, i.toString, i.to) for i in histories[1].items] == [
        ("status", "In Progress", "Done", "10001"),
        ("resolution", None, "Done", "10000"),
    ]
    page = client.find("issue/{0}/changelog?startAt=1&maxResults=1", key).raw
    assert (page["total"], page["isLast"], page["values"][0]["created"]) == (2, True, "2026-05-01T15:00:00.000+0000")
    found = client.enhanced_search_issues('status = Done AND resolved >= "2026-05-01 15:00"', fields="key")
    assert [i.key for i in found] == [key]


def test_transitions_resolve_and_reopen(client: JIRA, keys: Callable[[str], list[str]]) -> None:
    key = client.create_issue(project="SEC", issuetype="Task", summary="Patch hosts").key
    assert [t["name"] for t in client.transitions(key)] == ["Start Progress"]
    with pytest.raises(JIRAError) as error:
        client.transition_issue(key, "21")  # "Done" is not available from To Do
    assert error.value.status_code == 400

    client.transition_issue(key, "Start Progress")
    client.transition_issue(key, "Done", resolution={"name": "Won't Do"}, comment="risk accepted")
    done = client.issue(key)
    assert (done.fields.status.name, done.fields.resolution.name) == ("Done", "Won't Do")
    assert JIRA_TIME.fullmatch(done.fields.resolutiondate)
    assert [c.body for c in client.comments(key)] == ["risk accepted"]
    assert keys('resolution = "Won\'t Do" AND resolution is not EMPTY') == [key]

    client.transition_issue(key, "Reopen")
    reopened = client.issue(key, expand="changelog")
    assert (reopened.fields.status.name, reopened.fields.status.statusCategory.key) == ("Reopened", "new")
    assert (reopened.fields.resolution, reopened.fields.resolutiondate) == (None, None)
    assert [t["name"] for t in client.transitions(key)] == ["Start Progress"]
    assert [(i.field, i.fromString, i.toString) for h in reopened.changelog.histories for i in h.items] == [
        ("status", "To Do", "In Progress"),
        ("status", "In Progress", "Done"),
        ("resolution", None, "Won't Do"),
        ("status", "Done", "Reopened"),
        ("resolution", "Won't Do", None),
    ]


def test_comments(client: JIRA, sandbox: JiraSandbox, keys: Callable[[str], list[str]]) -> None:
    key = client.create_issue(project="SEC", issuetype="Task", summary="Review access").key
    first = client.add_comment(key, "first evidence attached")
    second = client.add_comment(key, "second")
    assert first.author.accountId == sandbox.account_id
    assert JIRA_TIME.fullmatch(first.created)
    assert [c.body for c in client.comments(key)] == ["first evidence attached", "second"]
    assert client.comment(key, second.id).body == "second"
    assert keys('comment ~ "evidence"') == [key]
    with pytest.raises(JIRAError) as missing:
        client.comment(key, "999999")
    assert missing.value.status_code == 404
    with pytest.raises(JIRAError) as empty:
        client.add_comment(key, "   ")
    assert empty.value.status_code == 400


def test_issue_properties(client: JIRA) -> None:
    key = client.create_issue(project="SEC", issuetype="Task", summary="Fingerprinted").key
    assert client.add_issue_property(key, "socready.fingerprint", {"fingerprint": "abc"}).status_code == 201
    assert client.add_issue_property(key, "socready.fingerprint", {"fingerprint": "def"}).status_code == 200
    prop = client.issue_property(key, "socready.fingerprint")
    assert prop.raw == {"key": "socready.fingerprint", "value": {"fingerprint": "def"}}
    assert [p.key for p in client.issue_properties(key)] == ["socready.fingerprint"]
    found = client.enhanced_search_issues(
        f"key = {key}", fields="summary", properties="socready.fingerprint", json_result=True
    )
    assert found["issues"][0]["properties"] == {"socready.fingerprint": {"fingerprint": "def"}}
    prop.delete()
    with pytest.raises(JIRAError) as gone:
        client.issue_property(key, "socready.fingerprint")
    assert gone.value.status_code == 404


def test_custom_fields_by_id_name_and_jql(client: JIRA, sandbox: JiraSandbox) -> None:
    sandbox.add_custom_field("customfield_10050", "Change Risk")
    key = client.create_issue(
        project="SEC", issuetype="Change", summary="Deploy", customfield_10050={"value": "High"}
    ).key
    field = next(f for f in client.fields() if f["id"] == "customfield_10050")
    assert field["clauseNames"] == ["cf[10050]", "Change Risk"]
    for jql in ("cf[10050] = High", '"Change Risk" = high', '"change risk" in (Low, HIGH)'):
        assert [i.key for i in client.enhanced_search_issues(jql, fields="key")] == [key]
    # the client maps a field name to its id and copies the value back under the name
    found = client.enhanced_search_issues(f"key = {key}", fields=["Change Risk"])
    assert found[0].raw["fields"]["Change Risk"] == {"value": "High"}
    with pytest.raises(JIRAError) as error:
        client.create_issue(project="SEC", issuetype="Change", summary="Deploy", customfield_10050="High")
    assert list(error.value.response.json()["errors"]) == ["customfield_10050"]


def test_search_returns_only_requested_fields_and_expansions(client: JIRA, sandbox: JiraSandbox) -> None:
    key = sandbox.seed_issue(
        "SEC", "Task", "Scoped", created=T0, history=[(T0, sandbox.account_id, [("status", "To Do", "In Progress")])]
    )
    picked = client.enhanced_search_issues(
        f"key = {key}", fields=["summary", "status"], expand="changelog", json_result=True
    )["issues"][0]
    assert set(picked["fields"]) == {"summary", "status"}
    assert picked["changelog"]["total"] == 1
    bare = client.enhanced_search_issues(f"key = {key}", fields="", json_result=True)["issues"][0]
    assert (bare["key"], bare["fields"], "changelog" in bare) == (key, {}, False)
    posted = client.enhanced_search_issues(f"key = {key}", fields="*navigable", use_post=True, json_result=True)
    assert "summary" in posted["issues"][0]["fields"] and "comment" not in posted["issues"][0]["fields"]


def test_rate_limited_requests_are_retried_by_the_client(client: JIRA, sandbox: JiraSandbox) -> None:
    key = sandbox.seed_issue("SEC", "Task", "Busy", created=T0)
    sandbox.inject_faults(status=429, times=1, retry_after=1, path_contains=f"/issue/{key}")
    sandbox.requests_made.clear()
    assert client.issue(key).key == key
    assert sandbox.requests_made[("GET", "/rest/api/2/issue/<key>")] == 2

    sandbox.inject_faults(status=503, retry_after=7, path_contains="/myself")
    raw = requests.get(f"{sandbox.url}/rest/api/2/myself", auth=(sandbox.user, DEFAULT_TOKEN), timeout=5)
    assert (raw.status_code, raw.headers["Retry-After"]) == (503, "7")


def test_api_v3_paths_and_unsupported_endpoints(sandbox: JiraSandbox) -> None:
    v3 = connect(sandbox, options={"rest_api_version": "3"})
    issue = v3.create_issue(project="SEC", issuetype="Task", summary="via v3", description="plain text is fine")
    assert issue.self.startswith(f"{sandbox.url}/rest/api/3/issue/")
    assert [i.key for i in v3.enhanced_search_issues('summary ~ "v3"', fields="key")] == [issue.key]
    assert sandbox.requests_made[("POST", "/rest/api/3/issue")] == 1
    with pytest.raises(JIRAError) as error:
        v3.worklogs(issue.key)
    assert error.value.status_code == 404
    assert "no endpoint GET /rest/api/3/issue/SEC-1/worklog" in error.value.text


def test_state_file_carries_issues_into_the_next_run(tmp_path) -> None:
    state = tmp_path / "jira.json"
    with prepared(JiraSandbox(state, token="run-one-secret")) as first:
        jira = connect(first, token="run-one-secret")
        key = jira.create_issue(project="SEC", issuetype="Bug", summary="Persist me", labels=["gap"]).key
        jira.add_issue_property(key, "socready.fingerprint", {"v": 1})
    assert "run-one-secret" not in state.read_text()
    assert [path.name for path in tmp_path.iterdir()] == ["jira.json"]  # no temp files left behind

    with JiraSandbox(state, token="run-two-secret") as second:
        jira = connect(second, token="run-two-secret")
        found = jira.enhanced_search_issues("labels = gap", fields="summary")
        assert [(issue.key, issue.fields.summary) for issue in found] == [(key, "Persist me")]
        assert jira.issue_property(key, "socready.fingerprint").raw["value"] == {"v": 1}
        assert jira.create_issue(project="SEC", issuetype="Task", summary="next").key == "SEC-2"
        assert [(issue["key"], issue["fields"]["summary"]) for issue in second.issues()] == [
            (key, "Persist me"),
            ("SEC-2", "next"),
        ]


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def test_search_lags_behind_writes_while_get_is_current() -> None:
    clock = Clock(T0)
    with prepared(JiraSandbox(clock=clock)) as sandbox:
        client = connect(sandbox)
        old = client.create_issue(project="SEC", issuetype="Task", summary="indexed before the lag").key
        sandbox.search_lag(5)

        def found() -> dict[str, str]:
            issues = client.enhanced_search_issues("project = SEC", fields="summary", json_result=True)["issues"]
            return {issue["key"]: issue["fields"]["summary"] for issue in issues}

        new = client.create_issue(project="SEC", issuetype="Task", summary="fresh").key
        assert found() == {old: "indexed before the lag"}  # a create is missing from search for the lag
        assert client.issue(new).fields.summary == "fresh"  # GET is consistent at once
        clock.now += timedelta(seconds=5)
        client.issue(new).update(fields={"summary": "renamed"})
        assert found() == {old: "indexed before the lag", new: "fresh"}  # an update shows the old version
        clock.now += timedelta(seconds=5)
        assert found()[new] == "renamed"
        sandbox.search_lag(0)
        client.create_issue(project="SEC", issuetype="Task", summary="no lag")
        assert len(found()) == 3


def test_a_workflow_can_forbid_reopening(client: JIRA, sandbox: JiraSandbox) -> None:
    key = client.create_issue(project="SEC", issuetype="Task", summary="Final").key
    client.transition_issue(key, "Start Progress")
    client.transition_issue(key, "Done")
    sandbox.set_workflow(reopen=False)
    assert client.transitions(key) == []
    with pytest.raises(JIRAError) as error:
        client.transition_issue(key, "31")
    assert error.value.status_code == 400
    sandbox.set_workflow(reopen=True)
    assert [t["name"] for t in client.transitions(key)] == ["Reopen"]


def test_issue_links_show_on_both_issues(client: JIRA, sandbox: JiraSandbox) -> None:
    old = client.create_issue(project="SEC", issuetype="Task", summary="Old gap").key
    new = client.create_issue(project="OPS", issuetype="Task", summary="New gap").key
    assert {t.name for t in client.issue_link_types()} == {"Blocks", "Cloners", "Duplicate", "Relates"}
    assert client.create_issue_link("Relates", new, old).status_code == 201
    [outward] = client.issue(new, fields="issuelinks").fields.issuelinks
    assert (outward.type.name, outward.outwardIssue.key, outward.outwardIssue.fields.summary) == (
        "Relates",
        old,
        "Old gap",
    )
    [inward] = client.issue(old, fields="issuelinks").fields.issuelinks
    assert (inward.inwardIssue.key, inward.type.inward) == (new, "relates to")
    assert client.issue_link(outward.id).outwardIssue.key == old
    with pytest.raises(JIRAError) as unknown:
        client.create_issue_link("Causes", new, old)
    assert unknown.value.status_code == 404
    assert sandbox.issue_writes == {new: 1, old: 1}


def test_per_issue_write_limit_answers_429_with_retry_after() -> None:
    clock = Clock(T0)
    with prepared(JiraSandbox(clock=clock)) as sandbox:
        client = connect(sandbox, max_retries=0)
        sandbox.limit_issue_writes(2, per_seconds=10)
        key = client.create_issue(project="SEC", issuetype="Task", summary="Busy").key  # creates do not count
        client.add_comment(key, "one")
        clock.now += timedelta(seconds=4)
        client.add_issue_property(key, "p", {"n": 2})
        with pytest.raises(JIRAError) as limited:
            client.transition_issue(key, "Start Progress")
        assert (limited.value.status_code, limited.value.response.headers["Retry-After"]) == (429, "6")
        assert (
            client.issue(key).fields.status.name == "To Do"
        )  # reads are not limited; the refused write did not happen
        other = client.create_issue(project="SEC", issuetype="Task", summary="Quiet").key
        client.add_comment(other, "limits are per issue")
        clock.now += timedelta(seconds=6)
        client.transition_issue(key, "Start Progress")
        assert sandbox.issue_writes == {key: 3, other: 1}


def test_faults_after_commit_late_answers_and_route_matching(client: JIRA, sandbox: JiraSandbox) -> None:
    quiet = connect(sandbox, max_retries=0)
    sandbox.inject_faults(status=502, method="POST", route="issue", after_commit=True)
    with pytest.raises(JIRAError) as lost:
        quiet.create_issue(project="SEC", issuetype="Task", summary="stored anyway")
    assert lost.value.status_code == 502
    [issue] = sandbox.issues()  # Jira committed; only the answer failed
    sandbox.inject_faults(status=500, route="issue/<key>/transitions", times=5)
    assert quiet.issue(issue["key"]).key == issue["key"]  # another route is served as usual
    sandbox.inject_faults(status=None, delay_seconds=0.5, method="GET", route="issue/<key>")
    started = time.monotonic()
    assert quiet.issue(issue["key"]).fields.summary == "stored anyway"
    assert time.monotonic() - started >= 0.5
    with pytest.raises(ValueError, match="delay_seconds"):
        sandbox.inject_faults(status=None)


def test_required_custom_fields_must_be_given_on_create(client: JIRA, sandbox: JiraSandbox) -> None:
    sandbox.add_custom_field("customfield_10060", "Control ID", "text", required=True)
    with pytest.raises(JIRAError) as missing:
        client.create_issue(project="SEC", issuetype="Task", summary="no control")
    assert missing.value.response.json()["errors"] == {"customfield_10060": "Control ID is required."}
    key = client.create_issue(project="SEC", issuetype="Task", summary="ok", customfield_10060="ENG-LOG-01").key
    assert client.issue(key).raw["fields"]["customfield_10060"] == "ENG-LOG-01"


def test_a_site_can_add_its_own_workflow_statuses(client: JIRA, sandbox: JiraSandbox) -> None:
    sandbox.add_status("Signed Off", "indeterminate")
    sandbox.add_status("Shipped", "done")
    sandbox.add_status("Approved", "indeterminate")  # a built-in one, as it is
    with pytest.raises(ValueError, match="status category"):
        sandbox.add_status("Parked", "finished")
    with pytest.raises(ValueError, match="already exists in category 'done'"):
        sandbox.add_status("Done", "new")
    steps = [
        (T0 + timedelta(hours=1), "acc-priya", [("status", "To Do", "Signed Off")]),
        (T0 + timedelta(hours=2), "acc-priya", [("status", "Signed Off", "Shipped")]),
    ]
    key = sandbox.seed_issue("SEC", "Change", "Deploy v3", created=T0, history=steps)
    issue = client.issue(key, expand="changelog")
    assert (issue.fields.status.name, issue.fields.status.statusCategory.key) == ("Shipped", "done")
    assert issue.fields.resolutiondate == "2026-05-01T12:00:00.000+0000"
    assert [i.toString for h in issue.changelog.histories for i in h.items] == ["Signed Off", "Shipped"]
    assert [i.key for i in client.enhanced_search_issues('status = "Signed Off"', fields="key")] == []
    assert [i.key for i in client.enhanced_search_issues("status = Shipped", fields="key")] == [key]
    assert {"Signed Off", "Shipped", "Done"} <= {s.name for s in client.statuses()}
    with pytest.raises(ValueError, match="unknown status 'Parked'"):
        sandbox.seed_issue(
            "SEC", "Change", "x", created=T0, history=[(T0, "acc-priya", [("status", "To Do", "Parked")])]
        )
