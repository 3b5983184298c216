"""The report: report.json (the versioned contract), report.md and a self-contained report.html."""
