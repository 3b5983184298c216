"""Owners' decisions come back from their gap tickets: responses, acceptances and disputes, over the real client."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest
from jira import JIRA

from socready.evidence import open_store
from socready.export.exception_list import exception_records, exceptions_csv
from socready.export.oscal import _risk as exception_risk
from socready.export.oscal import oscal_uuid
from socready.readiness.model import ControlResult, ExceptionInterval, GapTicket
from socready.report.build import build_report
from socready.report.render_html import render_html
from socready.report.render_md import render_markdown
from socready.report.summary import summary_table
from socready.report.triage import build_triage
from socready.scope import Scope
from socready.tickets.decisions import Triage, read_triage
from socready.tickets.sync import Synced, sync_tickets
from socready_sandbox.jira import JiraSandbox
from socready_sandbox.jira_seed import seed_jira
from tests.helpers import make_scope, window_of
from tests.tickets.conftest import TODAY, gap, interval, operating, scope_for

RESPONSE_FIELD, EXPIRY_FIELD = "customfield_10301", "customfield_10300"  # the seed has the expiry field
ERIN, DANA = ("acc-erin", "Erin Approver", "erin@example.com"), ("acc-dana", "Dana Developer", "dana@example.com")
SETTINGS = {
    "fieldwork_date": "2026-12-15",
    "response_lead_days": 7,
    "acceptance": {"resolution": "Risk Accepted", "expiry_field": "Risk acceptance expiry"},
    "dispute_resolution": "Disputed",
}


@pytest.fixture
def site(jira: JiraSandbox) -> JiraSandbox:
    """The seeded sandbox (triage resolutions, expiry field), two owners who sign in as themselves, a response
    field."""
    for account, name, email in (ERIN, DANA):
        jira.add_user(account, name, email, token=f"{account}-token")
    jira.add_custom_field(RESPONSE_FIELD, "Management response", "text")
    return jira


def person(jira: JiraSandbox, who: tuple[str, str, str], api: str = "2") -> JIRA:
    account, _, email = who
    return JIRA(server=jira.url, basic_auth=(email, f"{account}-token"), options={"rest_api_version": api})


def triage_scope(jira: JiraSandbox, folder, **tickets) -> Scope:
    scope = scope_for(jira, folder, **{**SETTINGS, **tickets})
    owners = {**scope.owners, "engineering": scope.owners["engineering"].model_copy(update={"approvers": [ERIN[2]]})}
    return scope.model_copy(update={"owners": owners})


def still_failing(*intervals: ExceptionInterval) -> ControlResult:
    return gap().model_copy(update={"holds_today": False, **({"exceptions": list(intervals)} if intervals else {})})


def fixed(*intervals: ExceptionInterval) -> ControlResult:
    return still_failing(*intervals).model_copy(update={"holds_today": True})


class Run:
    """One socready run's ticket part: read the decisions, then sync, as the flow does."""

    def __init__(self, scope: Scope, folder) -> None:
        self.scope, self.store = scope, open_store(str(folder / "evidence"))
        self.as_of = datetime.now(UTC) + timedelta(hours=1)  # the sandbox stamps changes with the real clock

    def __call__(self, results: list[ControlResult]) -> tuple[Synced, Triage]:
        triage = read_triage(self.scope, self.store, self.as_of)
        link = "https://reports.example/r"
        synced = sync_tickets(results, self.scope, link, dry_run=False, show=lambda _: None, today=TODAY, triage=triage)
        return synced, triage


def fields(jira: JiraSandbox, key: str) -> dict:
    return next(i for i in jira.issues() if i["key"] == key)["fields"]


def comments(jira: JiraSandbox, key: str) -> list[str]:
    return [c["body"] for c in fields(jira, key)["comment"]["comments"]]


def resolve_as(client: JIRA, key: str, resolution: str, reason: str, **more: object) -> None:
    client.transition_issue(key, "Start Progress")
    client.transition_issue(key, "Done", fields={"resolution": {"name": resolution}, **more}, comment=reason)


def test_one_gap_through_its_life_ongoing_historical_answered_and_reopened(site, tmp_path):
    run = Run(triage_scope(site, tmp_path), tmp_path)
    opened, _ = run([still_failing()])
    ref = opened.refs["ENG-LOG-01"]
    key = ref.key
    first = fields(site, key)
    assert first["summary"].endswith("— fix needed") and "*Ongoing gap: fix needed.*" in first["description"]
    assert first["duedate"] == str(TODAY + timedelta(days=14))  # high severity SLA
    assert "Report: https://reports.example/r" in first["description"]
    assert "Evidence behind these findings (1, sha256):" in first["description"]

    fixed_run, _ = run([fixed()])  # fixed since: the same ticket now asks for a management response
    assert (fixed_run.refs["ENG-LOG-01"].key, fixed_run.refs["ENG-LOG-01"].action) == (key, "updated")
    second = fields(site, key)
    assert second["summary"].endswith("— management response needed")
    assert "What the auditor will see:" in second["description"]
    assert second["duedate"] == "2026-12-08"  # 7 days before the planned fieldwork
    assert len(site.issues()) == 1 and comments(site, key) == []
    [ticket] = fixed_run.tickets
    assert (ticket.kind, ticket.open, ticket.due) == ("historical", True, date(2026, 12, 8))

    response = "Management response: root cause was a mistyped IAM policy; the trail was restarted within 2 days."
    person(site, ERIN, api="3").add_comment(key, response)  # written through API v3, read back through v2
    answered, triage = run([fixed()])
    assert answered.refs["ENG-LOG-01"].action == "resolved"
    [decision] = triage.decisions()
    assert (decision.kind, decision.author, decision.ticket) == ("response", "Erin Approver", key)
    assert decision.text.startswith("root cause was a mistyped IAM policy")
    assert run.store.read(decision.evidence)  # the Jira read is stored as evidence
    resolved = fields(site, key)
    assert (
        resolved["status"]["name"] == "Done"
        and "Management response recorded, by Erin Approver" in (resolved["description"])
    )
    assert "management response is recorded as evidence" in comments(site, key)[-1]

    # the response beside the exception: report, the auditor package's exception list
    result = fixed().model_copy(update={"decisions": triage.for_control("ENG-LOG-01")})
    scope = run.scope
    report = build_report(scope, window_of(scope), "run-1", "evidence", [result], dry_run=False)
    report = report.model_copy(update={"triage": build_triage(answered.tickets, triage.decisions(), [], TODAY)})
    markdown = render_markdown(report)
    assert "root cause was a mistyped IAM policy" in markdown and "## Gap-ticket triage" in markdown
    [row] = list(csv.DictReader(io.StringIO(exceptions_csv(exception_records(report, [])).decode())))
    assert (row["response_by"], row["response_ticket"]) == ("Erin Approver", key)
    assert row["management_response"].startswith("root cause") and row["response_evidence"] == decision.evidence
    [record] = exception_records(report, [])
    [entry] = exception_risk(record, "run-1", oscal_uuid("run-1", "observation")).risk_log.entries
    assert entry.title == f"Management response by Erin Approver in {key}" and entry.start == decision.at
    assert entry.description.startswith("root cause was a mistyped IAM policy")

    writes = sum(site.issue_writes.values())
    again, _ = run([fixed()])  # nothing changed: nothing written
    assert again.refs["ENG-LOG-01"].action == "unchanged" and sum(site.issue_writes.values()) == writes

    later = interval("account/111111111111", end_day=28).model_copy(update={"start": datetime(2026, 7, 25, tzinfo=UTC)})
    reopened, _ = run([fixed(interval("account/111111111111"), later)])  # a new deviation inside the window
    assert reopened.refs["ENG-LOG-01"].action == "reopened"
    assert fields(site, key)["status"]["name"] == "Reopened" and len(site.issues()) == 1
    assert "a new deviation was found after the management response" in comments(site, key)[-1]


def test_a_response_in_the_configured_field_is_found_by_name_with_its_author(site, tmp_path):
    run = Run(triage_scope(site, tmp_path, response_field="Management response"), tmp_path)
    decoy = gap("PROC-02").model_copy(update={"holds_today": False})  # ongoing: a response does not fix it
    refs = run([fixed(), decoy])[0].refs
    key, decoy_key = refs["ENG-LOG-01"].key, refs["PROC-02"].key
    person(site, DANA).issue(key).update(fields={RESPONSE_FIELD: "Compensating control: daily log review."})
    person(site, DANA).issue(decoy_key).update(fields={RESPONSE_FIELD: "We will fix it."})
    synced, triage = run([fixed(), decoy])
    answer = next(d for d in triage.decisions() if d.ticket == key)
    assert (answer.author, answer.text) == ("Dana Developer", "Compensating control: daily log review.")
    assert synced.refs["ENG-LOG-01"].action == "resolved"
    assert synced.refs["PROC-02"].action == "updated"  # the response is shown; the ticket stays open for the fix
    assert fields(site, decoy_key)["status"]["name"] == "To Do"


def test_a_missing_field_is_stated_as_unread_triage_data(site, tmp_path):
    run = Run(triage_scope(site, tmp_path, response_field="Mgmt Response (typo)"), tmp_path)
    run([still_failing()])
    _, triage = run([still_failing()])
    assert triage.problems == (
        "scope tickets.response_field 'Mgmt Response (typo)' is neither a field id nor a field name in Jira's "
        "field list",
    )
    assert triage.decisions() == []


def test_risk_acceptance_by_an_approver_applies_until_its_expiry(site, tmp_path):
    run = Run(triage_scope(site, tmp_path), tmp_path)
    key = run([still_failing()])[0].refs["ENG-LOG-01"].key
    resolve_as(
        person(site, ERIN), key, "Risk Accepted", "Legacy account; closed in Q1.", **{EXPIRY_FIELD: "2027-03-31"}
    )
    _, triage = run([operating()])  # with the acceptance applied, the control operates
    [decision] = triage.decisions()
    assert (decision.kind, decision.applies, decision.expires) == ("acceptance", True, date(2027, 3, 31))
    [accepted] = triage.acceptances()
    assert (accepted.control, accepted.resource, accepted.approver) == ("ENG-LOG-01", "*", "Erin Approver")
    assert accepted.reason == f"Legacy account; closed in Q1. (accepted in {key})"
    view = build_triage([], triage.decisions(), [], date(2027, 3, 10))
    assert view.owners[0].acceptances == [decision] and view.owners[0].expiring == [key]
    assert build_triage([], triage.decisions(), [], date(2027, 1, 10)).owners[0].expiring == []


def test_risk_acceptance_by_someone_not_listed_is_ignored_and_said_in_the_ticket(site, tmp_path):
    run = Run(triage_scope(site, tmp_path), tmp_path)
    key = run([still_failing()])[0].refs["ENG-LOG-01"].key
    resolve_as(person(site, DANA), key, "Risk Accepted", "Not worth fixing.", **{EXPIRY_FIELD: "2027-03-31"})
    synced, triage = run([still_failing()])
    [decision] = triage.decisions()
    assert not decision.applies and "Dana Developer is not an approver listed for engineering" in decision.note
    assert triage.acceptances() == []
    assert triage.problems == (f"{key}: the risk acceptance by Dana Developer is not applied: {decision.note}",)
    assert synced.refs["ENG-LOG-01"].action == "reopened"
    assert "the risk acceptance by Dana Developer" in comments(site, key)[-1]
    assert "not an approver listed for engineering" in comments(site, key)[-1]


def test_risk_acceptance_past_its_expiry_stops_applying(site, tmp_path):
    run = Run(triage_scope(site, tmp_path), tmp_path)
    key = run([still_failing()])[0].refs["ENG-LOG-01"].key
    resolve_as(person(site, ERIN), key, "Risk Accepted", "Until the migration.", **{EXPIRY_FIELD: "2026-11-30"})
    synced, triage = run([still_failing()])
    [decision] = triage.decisions()
    assert (decision.applies, decision.note) == (False, "expired on 2026-11-30")
    [expired] = triage.acceptances()  # handed to the verdict, which lists it as expired
    assert expired.expires == date(2026, 11, 30)
    assert synced.refs["ENG-LOG-01"].action == "reopened" and "expired on 2026-11-30" in comments(site, key)[-1]


def test_a_dispute_is_recorded_and_the_exception_stays(site, tmp_path):
    run = Run(triage_scope(site, tmp_path), tmp_path)
    key = run([still_failing()])[0].refs["ENG-LOG-01"].key
    resolve_as(person(site, DANA), key, "Disputed", "The trail was stopped in a sandbox account.")
    synced, triage = run([still_failing()])
    [dispute] = triage.decisions()
    assert (dispute.kind, dispute.author, dispute.text) == (
        "dispute",
        "Dana Developer",
        "The trail was stopped in a sandbox account.",
    )
    assert triage.acceptances() == []  # the evidence decides, not the label
    assert synced.refs["ENG-LOG-01"].action == "reopened"
    assert "disputed the finding" in comments(site, key)[-1] and "sandbox account" in comments(site, key)[-1]
    assert "Disputed by Dana Developer" in fields(site, key)["description"]
    assert run([still_failing()])[0].refs["ENG-LOG-01"].action == "unchanged"  # said once


def test_jira_data_center_with_a_bearer_token_finds_tickets_again_through_search(tmp_path, monkeypatch):
    server = JiraSandbox(None, user="bot@example.com", token="bot-token", deployment="Server")
    server.start()
    try:
        seed_jira(server)
        server.add_user("acc-pat", "Service Account", "svc@example.com", token="pat-token")
        monkeypatch.setenv("TEST_JIRA_TOKEN", "pat-token")
        scope = scope_for(server, tmp_path)
        scope = scope.model_copy(
            update={"jira": scope.jira.model_copy(update={"auth": "bearer", "deployment": "data_center"})}
        )
        run = Run(scope, tmp_path)
        key = run([still_failing()])[0].refs["ENG-LOG-01"].key
        (tmp_path / "evidence" / "tickets" / "outbox.json").unlink()  # lost: found again by its label
        again = run([still_failing()])[0].refs["ENG-LOG-01"]
        assert (again.key, again.action) == (key, "unchanged") and len(server.issues()) == 1
        assert server.requests_made[("GET", "/rest/api/2/search")] >= 1
        assert not server.requests_made[("GET", "/rest/api/2/search/jql")]
    finally:
        server.stop()


def ticket(key: str, owner: str, due: date | None, *, open_: bool = True) -> GapTicket:
    url = f"https://jira.example/browse/{key}"
    created = date(2026, 10, 1)
    return GapTicket(
        key=key,
        url=url,
        owner=owner,
        controls=["ENG-LOG-01"],
        kind="ongoing",
        open=open_,
        created=created,
        due=due,
        action="unchanged",
    )


def test_triage_view_counts_overdue_open_tickets_per_owner_and_the_run_prints_them(tmp_path):
    today = date(2026, 11, 26)
    tickets = [
        ticket("SEC-1", "engineering", date(2026, 11, 20)),  # overdue
        ticket("SEC-2", "engineering", date(2026, 11, 26)),  # due today: not overdue (decoy)
        ticket("SEC-3", "engineering", date(2026, 11, 1), open_=False),  # resolved: not overdue (decoy)
        ticket("VEND-1", "procurement", None),  # no due date: not overdue (decoy)
    ]
    view = build_triage(tickets, [], ["SEC-9: the risk acceptance by Dana Developer is not applied"], today)
    engineering, procurement = view.owners
    assert [t.key for t in engineering.open_tickets] == ["SEC-1", "SEC-2"] and engineering.overdue == ["SEC-1"]
    assert procurement.overdue == []
    scope = make_scope(tmp_path)
    report = build_report(scope, window_of(scope), "run-1", "evidence", [operating()], dry_run=False)
    report = report.model_copy(update={"triage": view})
    printed = summary_table(report)
    assert "Overdue gap tickets per owner: engineering 1, procurement 0." in printed
    assert "Triage data not read or not applied: SEC-9: the risk acceptance" in printed
    page = render_html(report)
    assert 'id="triage"' in page and "engineering: open gap tickets" in page and "56 days" in page
