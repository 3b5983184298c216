"""ENG-INC-01 through the sandbox Jira: severity and owner, resolution in time, Sev1/Sev2 post-mortems."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pandas as pd
import pytest

from expectations.eng_inc_01 import SPEC, days_after
from socready.readiness.model import ControlResult
from tests.controls.jira_fixtures import jira_sandbox, jira_scope, seed_ticket
from tests.helpers import collected, make_scope, run_control

CONTROL = "ENG-INC-01"
OPENED = datetime(2026, 7, 6, 9, tzinfo=UTC)
RESOLVED = OPENED + timedelta(days=1)
LINK = "https://wiki.example.com/postmortems/1"
DUE = RESOLVED + timedelta(days=14)
TICK = timedelta(microseconds=1)


@pytest.fixture
def jira(monkeypatch):
    yield from jira_sandbox(monkeypatch)


def incident(
    jira,
    severity: str | None = "Sev2",
    resolved: datetime | None = RESOLVED,
    postmortem: datetime | None = None,
    *,
    opened: datetime = OPENED,
    owner: str = "u-bob",
    fields: dict | None = None,
) -> str:
    fields = {**({"customfield_10044": {"value": severity}} if severity else {}), **(fields or {})}
    steps = []
    if postmortem:
        fields["customfield_10045"] = LINK
        steps.append((postmortem, "u-carol", [("Post-mortem", None, LINK)]))
    return seed_ticket(
        jira, "INC", "Incident", opened, resolved, issue_type="Incident", who=owner, fields=fields, steps=steps
    )


def assess(jira, folder, fields: dict | None = None, **extra) -> ControlResult:
    return run_control(make_scope(folder, jira=jira_scope(jira, fields), **extra), CONTROL)


def dataset(jira, folder, fields: dict | None = None) -> pd.DataFrame:
    """The facts the suite reads, with the default parameters."""
    scope = make_scope(folder, jira=jira_scope(jira, fields))
    _, window, view = collected(scope, CONTROL)
    return SPEC.build(view, scope, window, SPEC.parameters()).set_index("resource")


def in_time(done: datetime | None, due: datetime, as_of: datetime) -> bool:
    """The judgement the builder made before the suite stated it: done by the due time, or not done, time left."""
    return done <= due if done else as_of <= due


MOMENTS = [DUE - TICK, DUE, DUE + TICK]


@pytest.mark.parametrize(
    ("done", "as_of"),
    [(done, as_of) for as_of in MOMENTS for done in [None, *MOMENTS] if not done or done <= as_of],
)
def test_the_suites_limit_on_days_to_post_mortem_judges_as_the_due_time_did(done, as_of):
    """Done or not (a post-mortem is seen by as-of), before, at or after the due time: the fact is over the
    suite's limit exactly when the post-mortem was late."""
    [limit] = [
        r.arguments["max_value"]
        for r in SPEC.rules(SPEC.parameters())
        if r.arguments.get("column") == "days_to_postmortem"
    ]
    assert (days_after(RESOLVED, done, as_of) <= limit) == in_time(done, DUE, as_of)


def test_a_sev2_with_a_post_mortem_in_time_and_a_sev3_without_one_operate(jira, tmp_path):
    incident(jira, "Sev2", postmortem=RESOLVED + timedelta(days=5))
    incident(jira, "Sev3")
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason
    assert result.population == 2


def test_a_sev2_without_a_post_mortem_is_an_exception_until_it_fell_due(jira, tmp_path):
    key = incident(jira, "Sev2")
    result = assess(jira, tmp_path)
    [exception] = result.exceptions
    assert (exception.resource, exception.start, exception.end) == (
        f"incident/{key}",
        OPENED,
        RESOLVED + timedelta(days=14),
    )
    assert exception.reason == "The Sev1/Sev2 incident had no post-mortem within 14 days of its resolution."
    assert exception.value == "Sev2, owner Bob Ops, resolved 2026-07-07 09:00 UTC, no post-mortem"


def test_a_late_post_mortem_is_an_exception_until_it_was_written(jira, tmp_path):
    written = RESOLVED + timedelta(days=20)
    key = incident(jira, "Sev1", postmortem=written)
    [exception] = assess(jira, tmp_path).exceptions
    assert exception.end == written
    assert dataset(jira, tmp_path / "facts").loc[f"incident/{key}", "days_to_postmortem"] == 20.0


def test_a_post_mortem_not_yet_written_with_time_left_is_not_due(jira, tmp_path):
    resolved = datetime(2026, 7, 28, 9, tzinfo=UTC)  # 14 days end after as-of
    key = incident(jira, "Sev2", resolved=resolved, opened=resolved - timedelta(days=1))
    result = assess(jira, tmp_path)
    assert result.status == "operating", result.reason
    facts = dataset(jira, tmp_path / "facts").loc[f"incident/{key}"]
    assert 0 < facts.days_to_postmortem < 14
    assert facts.postmortem_field == "customfield_10045"


def test_an_incident_without_severity_is_an_exception(jira, tmp_path):
    incident(jira, None)
    result = assess(jira, tmp_path)
    assert [e.reason for e in result.exceptions] == ["The incident has no severity or no owner."]


def test_an_incident_open_past_the_resolution_time_is_an_exception(jira, tmp_path):
    incident(jira, "Sev3", resolved=None, opened=datetime(2026, 7, 1, 12, tzinfo=UTC))
    result = assess(jira, tmp_path, controls={CONTROL: {"parameters": {"resolution_days": 20}}})
    assert [e.reason for e in result.exceptions] == ["The incident was not resolved within 20 days."]


def test_an_unmapped_post_mortem_field_leaves_sev1_and_sev2_without_evidence(jira, tmp_path):
    incident(jira, "Sev2", postmortem=RESOLVED + timedelta(days=1))
    incident(jira, "Sev4")
    result = assess(jira, tmp_path, {"postmortem": None})
    assert result.status == "no_evidence"
    assert len(result.coverage_gaps) == 1
    assert result.coverage == 0.5
    facts = dataset(jira, tmp_path / "facts", {"postmortem": None})
    assert facts.postmortem_field.isna().all() and facts.days_to_postmortem.isna().all()


def test_a_post_mortem_date_field_gives_the_day_it_was_held(jira, tmp_path):
    fields = {"customfield_10048": "2026-07-21"}  # the sandbox's date field, mapped as the post-mortem date
    incident(jira, "Sev2", fields=fields)
    assert assess(jira, tmp_path, {"postmortem": "customfield_10048"}).status == "operating"


def test_many_incidents_and_priority_as_the_severity(jira, tmp_path):
    incident(jira, "Sev2", postmortem=RESOLVED + timedelta(days=2))
    missing = incident(jira, "Sev1")
    incident(jira, "Sev2", opened=datetime(2026, 6, 20, tzinfo=UTC))  # opened before the window
    result = assess(jira, tmp_path)
    assert result.population == 2
    assert [e.resource for e in result.exceptions] == [f"incident/{missing}"]
    by_priority = assess(jira, tmp_path / "priority", {"severity": "priority"})  # every seeded incident is Medium
    assert by_priority.status == "operating", by_priority.reason


def test_no_incidents_is_an_empty_population(jira, tmp_path):
    result = assess(jira, tmp_path)
    assert (result.status, result.population) == ("operating", 0)
