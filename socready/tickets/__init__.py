"""Gap tickets: one Jira issue per gap, kept current, resolved and reopened by an idempotent sync."""
