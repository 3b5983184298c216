"""The sandbox company's Jira tickets: seeded once per ticket, also into a state file saved before the plan grew."""

from __future__ import annotations

from socready_sandbox import jira_company
from socready_sandbox.jira import JiraSandbox
from socready_sandbox.jira_company import PLAN, VENDOR_TICKETS, offboarding, seed_jira_company
from socready_sandbox.jira_seed import seed_jira


def seeded_sandbox(state) -> JiraSandbox:
    jira = JiraSandbox(state)
    seed_jira(jira)
    seed_jira_company(jira, [])  # no CloudTrail grants: no access requests
    return jira


def test_a_state_saved_before_the_vendor_tickets_gets_each_of_them_once(tmp_path, monkeypatch):
    state = tmp_path / "jira.json"
    with monkeypatch.context() as before:  # the plan before vendor reviews: FaxRelay's offboarding only
        before.setattr(jira_company, "VENDOR_TICKETS", VENDOR_TICKETS[:1])
        before.delitem(jira_company.PROJECTS, "VRV")
        seeded_sandbox(state)
    seeded_sandbox(state)
    reloaded = seeded_sandbox(state)  # and a reload seeds nothing again
    summaries = {i["key"]: i["fields"]["summary"] for i in reloaded.issues()}
    assert len(summaries) == len(PLAN) + len(offboarding()) + len(VENDOR_TICKETS)
    assert (summaries["VOFF-1"], summaries["VOFF-2"]) == ("Offboard vendor FaxRelay", "Offboard vendor SignFlow")
    reviews = {key: summary for key, summary in summaries.items() if key.startswith("VRV-")}
    assert len(reviews) == len(VENDOR_TICKETS) - 2
    assert reviews["VRV-1"] == "SOC 2 report review: CloudMail"
