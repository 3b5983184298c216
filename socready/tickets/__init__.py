"""Gap tickets: one Jira issue per control that is not operating, found again by its fingerprint label."""
