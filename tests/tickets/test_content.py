"""Fingerprints per grouping, routing, due dates, custom fields, and a description that changes with the findings."""

from __future__ import annotations

import hashlib
from datetime import timedelta

import pytest

from socready.errors import ScopeError, TicketError
from socready.readiness.model import EvidenceDigest, EvidenceRef, SourceRead
from socready.tickets.content import describe, draft
from socready.tickets.identity import fingerprint, group_gaps
from socready.tickets.outbox import state_dir
from tests.helpers import make_scope
from tests.tickets.conftest import TODAY, gap, no_evidence, operating, scope_for, sync


def test_fingerprints_follow_the_grouping_and_keep_the_per_control_identity():
    results = [gap("ENG-LOG-01", "account/1", "account/2"), gap("PROC-02", "vendor/Ledgerly"), operating("ENG-ACC-03")]
    per_control = group_gaps(results, "Org", "control")
    # unchanged from the first release, so tickets opened by it are found again
    legacy = hashlib.sha256(b"socready/v1|Org|ENG-LOG-01").hexdigest()
    assert per_control[0].fingerprint == legacy == fingerprint("Org", "ENG-LOG-01")
    per_resource = group_gaps(results, "Org", "control_and_resource")
    assert [g.key.name() for g in per_resource] == [
        "ENG-LOG-01 account/1",
        "ENG-LOG-01 account/2",
        "PROC-02 vendor/Ledgerly",
    ]
    assert len({g.fingerprint for g in per_resource}) == 3
    assert [len(g.results[0].exceptions) for g in per_resource] == [1, 1, 1]
    per_owner = group_gaps(results, "Org", "owner")
    assert [(g.key.owner, g.key.controls) for g in per_owner] == [
        ("engineering", ("ENG-LOG-01",)),
        ("procurement", ("PROC-02",)),
    ]
    assert group_gaps(results, "Other Org", "control")[0].fingerprint != legacy
    [control_wide] = group_gaps([no_evidence()], "Org", "control_and_resource")
    assert (control_wide.fingerprint, control_wide.key.resource) == (legacy, None)


def test_description_is_stable_lists_twenty_exceptions_and_ignores_run_wide_evidence(tmp_path):
    scope = make_scope(tmp_path)
    many = gap("ENG-LOG-01", *[f"account/{n:02}" for n in range(25)])
    [one] = group_gaps([many], scope.organization, "control")
    text = describe(one, scope, "out/report.html")
    assert "Exceptions (25 in all, first 20):" in text
    assert "account/19" in text and "account/20" not in text
    assert "Report: out/report.html" in text and "Observation window: 2026-07-01 to 2026-07-31" in text
    snapshot = EvidenceRef(source="aws.iam.credential_report", sha256="b" * 64)  # new every run
    digest = EvidenceDigest(manifest_sha256="c" * 64, sources=[SourceRead(source=snapshot.source, objects=1)])
    rerun = many.model_copy(update={"evidence": digest.model_copy(update={"cited": [snapshot]})})
    assert describe(group_gaps([rerun], scope.organization, "control")[0], scope, "out/report.html") == text


def test_priority_and_due_date_follow_severity_and_the_sla_setting(tmp_path):
    scope = make_scope(
        tmp_path,
        owners={"engineering": {"project": "SEC"}, "procurement": {"project": "VEND", "issue_type": "Bug"}},
        tickets={"sla_days": {"high": 3}},
    )
    eng, vend = (draft(g, scope, "r.html", TODAY) for g in group_gaps([gap(), gap("PROC-02")], "Org", "control"))
    assert (eng.fields["priority"], eng.fields["duedate"]) == ({"name": "High"}, str(TODAY + timedelta(days=3)))
    assert (vend.fields["priority"], vend.fields["duedate"]) == ({"name": "Medium"}, str(TODAY + timedelta(days=30)))
    assert vend.fields["issuetype"] == {"name": "Bug"} and "assignee" not in eng.fields


def test_a_long_resource_keeps_the_summary_within_jiras_limit(tmp_path):
    scope = make_scope(tmp_path, owners={"engineering": {"project": "SEC"}})
    [long] = group_gaps([gap("ENG-LOG-01", "arn:aws:s3:::" + "x" * 300)], "Org", "control_and_resource")
    assert len(draft(long, scope, "r.html", TODAY).fields["summary"]) == 255


def test_required_custom_fields_are_filled_from_the_scope_mapping(jira, tmp_path):
    jira.add_custom_field("customfield_10060", "Control ID", "text", required=True)
    jira.add_custom_field("customfield_10061", "Risk", "option")
    unmapped = scope_for(jira, tmp_path)
    with pytest.raises(TicketError, match="Control ID is required"):
        sync(unmapped, [gap()])
    mapped = scope_for(
        jira,
        tmp_path,
        custom_fields={"customfield_10060": "{control_id} ({criteria})", "customfield_10061": {"value": "{severity}"}},
    )
    assert sync(mapped, [gap()])["ENG-LOG-01"].action == "created"
    [issue] = jira.issues()
    assert issue["fields"]["customfield_10060"] == "ENG-LOG-01 (CC7.2, CC2.1)"
    assert issue["fields"]["customfield_10061"] == {"value": "high"}


@pytest.mark.parametrize(
    ("tickets", "message"),
    [
        ({"custom_fields": {"customfield_1": "{control}"}}, r"unknown placeholder\(s\) \['control'\]"),
        ({"labels": ["two words"]}, "cannot be empty or contain spaces"),
        ({"group_by": "team"}, "group_by"),
        ({"resolve_after_runs": 0}, "resolve_after_runs"),
        ({"sla_days": {"urgent": 1}}, "sla_days.urgent"),
    ],
)
def test_invalid_ticket_settings_are_scope_errors(tmp_path, tickets, message):
    with pytest.raises(ScopeError, match=message):
        make_scope(tmp_path, tickets=tickets)


def test_the_outbox_lives_beside_a_local_store_or_where_the_scope_says(tmp_path):
    assert state_dir(make_scope(tmp_path)) == tmp_path / "evidence" / "tickets"
    assert state_dir(make_scope(tmp_path, tickets={"state_dir": "state"})) == tmp_path / "state"
    with pytest.raises(ScopeError, match=r"tickets\.state_dir"):
        state_dir(make_scope(tmp_path, evidence_store="s3://bucket/evidence"))
