"""The sandbox company's Jira: the projects, components and people gap tickets are routed to."""

from __future__ import annotations

from socready_sandbox.jira import JiraSandbox

PROJECTS = {
    "SEC": ("Security Engineering", ["Cloud Security", "Platform"]),
    "PEOPLE": ("People Operations", ["Offboarding", "Onboarding"]),
    "VEND": ("Vendor Management", ["Vendor Risk"]),
}
# what owners triage gap tickets with (scope tickets.acceptance and tickets.dispute_resolution)
TRIAGE_RESOLUTIONS = ("Risk Accepted", "Disputed")
EXPIRY_FIELD = ("customfield_10300", "Risk acceptance expiry")
USERS = {
    "acc-eng-lead": ("Priya Raman", "priya@northwind.example"),
    "acc-hr-lead": ("Tom Becker", "tom@northwind.example"),
    "acc-proc-lead": ("Ines Duarte", "ines@northwind.example"),
}


def seed_jira(jira: JiraSandbox) -> None:
    """Idempotent: a sandbox reloaded from its state file already has these."""
    for key, (name, components) in PROJECTS.items():
        jira.add_project(key, name, issue_types=["Task", "Bug"], components=components)
    for account_id, (name, email) in USERS.items():
        jira.add_user(account_id, name, email)
    for name in TRIAGE_RESOLUTIONS:
        jira.add_resolution(name)
    jira.add_custom_field(*EXPIRY_FIELD, "date")
