"""Jira Cloud evidence: issues found by JQL (enhanced search), with changelogs, collected incrementally."""
