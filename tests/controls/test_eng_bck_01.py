"""ENG-BCK-01 over the window: RDS backup retention, AWS Backup plan selections and daily backup job reports
(AWS Backup Audit Manager CSVs in S3), via moto over HTTP (moto lacks Backup selections: see moto_backup)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from itertools import product
from types import SimpleNamespace

import pytest

from connectors.aws.session import AwsSessions
from expectations.aws_state import all_of
from expectations.dataset import Row, frame
from expectations.eng_bck_01 import (
    FACTS,
    EngBck01Parameters,
    JobReports,
    retention,
    rules,
    with_selection,
    within_allowance,
)
from expectations.runner import validate
from expectations.state_timeline import HOLDS, METRIC
from socready.collect import collect
from socready.evidence import open_store
from socready_sandbox import moto_backup
from socready_sandbox.backup_reports import job_report_objects
from socready_sandbox.uploads import put_objects
from tests.controls.data_fixtures import (
    BASELINE,
    CREATED,
    EAST,
    PROD,
    WEST,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    client,
    create_db,
    data_scope,
    db_item,
    deny,
    event,
    exceptions,
    gaps,
    prepare,
)
from tests.helpers import objects_read, window_of
from tests.test_incremental import listings  # noqa: F401 - the ListObjectsV2 recorder fixture

REPORTS = "fixture-backup-reports"
FIRST, LAST = date(2026, 6, 30), date(2026, 8, 1)  # UTC days around the fixture window


@pytest.fixture(autouse=True)
def backup_selections():
    moto_backup.install()


def back_up(endpoint: str, *, report: bool = True, failed=(), databases: list[str] | None = None, since=None) -> None:
    """A daily plan selecting every database tagged environment=production, and a backup-job report plan whose
    daily reports show a completed job for each of `databases` (default: the production ones), except `failed`."""
    backup = client(endpoint, PROD, "backup")
    backup.create_backup_vault(BackupVaultName="main")
    rule = {"RuleName": "daily", "TargetBackupVaultName": "main", "ScheduleExpression": "cron(0 5 * * ? *)"}
    plan = backup.create_backup_plan(BackupPlan={"BackupPlanName": "daily", "Rules": [rule]})
    tagged = {"ConditionType": "STRINGEQUALS", "ConditionKey": "environment", "ConditionValue": "production"}
    role = f"arn:aws:iam::{PROD}:role/backup"
    selection = {"SelectionName": "production", "IamRoleArn": role, "ListOfTags": [tagged]}
    backup.create_backup_selection(BackupPlanId=plan["BackupPlanId"], BackupSelection=selection)
    if not report:
        return
    s3 = client(endpoint, PROD, "s3")
    s3.create_bucket(Bucket=REPORTS)
    channel = {"S3BucketName": REPORTS, "S3KeyPrefix": "audit", "Formats": ["CSV"]}
    template = {"ReportTemplate": "BACKUP_JOB_REPORT"}
    backup.create_report_plan(ReportPlanName="jobs", ReportDeliveryChannel=channel, ReportSetting=template)
    if databases is None:
        instances = client(endpoint, PROD, "rds").describe_db_instances()["DBInstances"]
        databases = [
            i["DBInstanceArn"] for i in instances if {"Key": "environment", "Value": "production"} in i["TagList"]
        ]
    reports = job_report_objects(PROD, "us-east-1", "audit", "jobs", FIRST, LAST, databases, failed, since=since)
    put_objects(s3, REPORTS, reports)


def day_span(day: date) -> tuple[datetime, datetime]:
    start = datetime.combine(day, time(0), UTC)
    return start, start + timedelta(days=1)


def test_retention_plan_and_daily_backups_operate(aws, tmp_path):
    prepare(aws)
    create_db(aws, "orders-db")
    create_db(aws, "reports-db", production=False, retention=1)
    back_up(aws)
    result = assess(aws, tmp_path, "ENG-BCK-01")
    assert result.status == "operating", result.reason
    assert (result.population, result.coverage) == (1, 1.0)


def test_database_created_inside_the_window_needs_no_backup_on_its_first_day(aws, tmp_path):
    new = create_db(aws, "search-db")
    tags = [{"key": "environment", "value": "production"}]
    params = {"dBInstanceIdentifier": "search-db", "backupRetentionPeriod": 7, "tags": tags}
    prepare(aws, events=[event("CreateDBInstance", CREATED, params, service="rds")])
    back_up(aws, since={new: CREATED.date() + timedelta(days=1)})  # the first job runs the next morning
    result = assess(aws, tmp_path, "ENG-BCK-01")
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_retention_below_policy_for_five_days_is_one_exception(aws, tmp_path):
    arn = create_db(aws, "orders-db")
    cut, restored = at(14, 16), at(19, 16)
    history = [
        db_item("orders-db", BASELINE, "ResourceDiscovered", BackupRetentionPeriod=7),
        db_item("orders-db", cut, BackupRetentionPeriod=1),
        db_item("orders-db", restored, BackupRetentionPeriod=7),
    ]
    prepare(aws, items=history)
    back_up(aws)
    result = assess(aws, tmp_path, "ENG-BCK-01")
    assert exceptions(result) == [(arn, cut, restored, "backup retention 1 days")]


def test_a_day_without_a_completed_backup_fails_below_the_share_and_is_allowed_above_it(aws, tmp_path):
    arn = create_db(aws, "orders-db")
    missed = date(2026, 7, 17)
    prepare(aws)
    back_up(aws, failed=[(arn, missed)])
    strict = assess(aws, tmp_path / "strict", "ENG-BCK-01")  # 31 of 32 UTC days: under 99 %
    assert exceptions(strict) == [(arn, *day_span(missed), "no completed backup job")]
    lenient = assess(aws, tmp_path / "lenient", "ENG-BCK-01", parameters={"min_backup_day_share": 0.95})
    assert lenient.status == "operating", lenient.reason


def test_no_backup_job_reports_is_no_evidence_never_a_pass(aws, tmp_path):
    arn = create_db(aws, "orders-db")
    prepare(aws)
    back_up(aws, report=False)
    result = assess(aws, tmp_path, "ENG-BCK-01")
    assert (result.status, result.exceptions) == ("no_evidence", [])
    assert gaps(result) == [(arn, WINDOW_START, WINDOW_END, "no backup job report for this day")]


def test_database_no_plan_selects_is_an_exception_on_every_day(aws, tmp_path):
    # Production by its tier tag here, while the backup plan selects environment=production.
    arn = create_db(aws, "ledger-db", production=False)
    client(aws, PROD, "rds").add_tags_to_resource(ResourceName=arn, Tags=[{"Key": "tier", "Value": "critical"}])
    prepare(aws)
    back_up(aws, databases=[])
    result = assess(aws, tmp_path, "ENG-BCK-01", production={"tags": {"tier": ["critical"]}})
    value = "no backup plan selects it (no change recorded before); no completed backup job"
    assert exceptions(result) == [(arn, WINDOW_START, WINDOW_END, value)]


def test_denied_selection_listing_names_the_permission(aws, tmp_path, monkeypatch):
    create_db(aws, "orders-db")
    prepare(aws)
    back_up(aws)
    deny(monkeypatch, "ListBackupSelections", "AccessDeniedException", "not authorized")
    result = assess(aws, tmp_path, "ENG-BCK-01")
    assert result.status == "no_evidence"
    assert result.collection_errors[0].endswith("grant backup:ListBackupSelections")


def delivered(keys: list[str]) -> list[str]:
    """The delivery day (yyyymmdd) in each report's name, sorted."""
    return sorted(key.split("/")[-1][-12:-4] for key in keys)


def test_a_second_run_fetches_only_reports_delivered_since(aws, tmp_path, monkeypatch):
    """Reports are immutable once delivered: a later run fetches only the new ones and still decides on all."""
    prepare(aws)
    create_db(aws, "orders-db")
    back_up(aws)
    fetched: list[str] = []

    def count(aws_client, account, region):
        aws_client.meta.events.register(
            "before-parameter-build.s3.GetObject", lambda params, **_: fetched.append(params["Key"])
        )

    monkeypatch.setattr(AwsSessions, "client_hooks", [*AwsSessions.client_hooks, count])
    first = assess(aws, tmp_path, "ENG-BCK-01", as_of=at(20))
    early = [key for key in fetched if "/Backup/" in key]
    fetched.clear()
    second = assess(aws, tmp_path, "ENG-BCK-01")
    late = [key for key in fetched if "/Backup/" in key]
    assert delivered(early) == [f"{d:%Y%m%d}" for d in (FIRST + timedelta(days=n) for n in range(1, 22))]
    assert delivered(late) == [f"{d:%Y%m%d}" for d in (date(2026, 7, 22) + timedelta(days=n) for n in range(12))]
    assert (first.status, second.status) == ("operating", "operating")
    store = open_store(str(tmp_path / "evidence"))
    assert {e.sha256 for e in objects_read(first, store, "aws.backup.job_reports")} < {
        e.sha256 for e in objects_read(second, store, "aws.backup.job_reports")
    }


def test_reports_of_two_regions_in_one_bucket_are_carried_once_each(aws, tmp_path, listings):  # noqa: F811
    """Each region's report plan owns its own folder of the shared bucket: a later run carries each report once,
    and lists each folder, in both layouts, once from two days before its newest report."""
    prepare(aws, [PROD], [EAST, WEST])
    s3 = client(aws, PROD, "s3")
    s3.create_bucket(Bucket=REPORTS)
    channel = {"S3BucketName": REPORTS, "S3KeyPrefix": "audit", "Formats": ["CSV"]}
    for region in (EAST, WEST):
        client(aws, PROD, "backup", region).create_report_plan(
            ReportPlanName="jobs", ReportDeliveryChannel=channel, ReportSetting={"ReportTemplate": "BACKUP_JOB_REPORT"}
        )
        put_objects(s3, REPORTS, job_report_objects(PROD, region, "audit", "jobs", FIRST, LAST, []))
    scope = data_scope(tmp_path, aws, [PROD], [EAST, WEST])
    store = open_store(scope.evidence_store)
    runs = [collect(scope, window_of(scope), store, ["aws.backup.job_reports"]) for _ in range(2)]
    queries = [[e.query for e in run.entries] for run in runs]
    assert len(queries[0]) == 2 * ((LAST - FIRST).days + 1)
    assert sorted(queries[1]) == sorted(queries[0]) == sorted(set(queries[0]))
    folders = [f"audit/Backup/{layout}{region}/" for region in (EAST, WEST) for layout in ("", f"{PROD}/")]
    relist = f"{LAST + timedelta(days=1) - timedelta(days=2):%Y/%m/%d}/"  # a report is delivered the day after
    assert sorted(map(str, listings[len(folders) :])) == sorted(
        str({"Prefix": folder, "StartAfter": folder + relist}) for folder in folders
    )


CONTROL = "ENG-BCK-01"
OUTCOMES = ("coverage", "exception")  # a row failing both is a coverage gap
DAY0 = datetime(2026, 7, 1, tzinfo=UTC)
FILLERS = 9  # days after the tested one, each with a completed job: one missed day makes the share 0.9
RETENTIONS = (7, 5, None)  # None: not shown
PLANS = (True, False, None)  # None: not known
LIVES = {"whole day": DAY0, "created that day": DAY0 + timedelta(hours=6)}
JOBS = ("completed", "missed", "no report")
REQUIREMENTS = (
    EngBck01Parameters(min_retention_days=7, min_backup_day_share=0.95),
    EngBck01Parameters(min_retention_days=5, min_backup_day_share=0.85),
)


def aspect_rows(arn: str, days, in_plan, life: str, job: str, params: EngBck01Parameters) -> list[Row]:
    """One database's rows as the builder combines them: its retention, its plan selection, and its days, the
    first in the state under test and the others each with a completed job."""
    start, end = LIVES[life], DAY0 + timedelta(days=FILLERS + 1)
    if days is None:
        kept = Row(arn, start, end, "BackupRetentionPeriod not shown", {HOLDS: None})
    else:
        state, value, facts = retention(params.min_retention_days).judge(days)
        kept = Row(arn, start, end, value, {HOLDS: METRIC[state], **facts}, ("rds",))
    plan = with_selection([Row(arn, start, end, f"selected: {in_plan}", {HOLDS: in_plan}, ("plans",))])
    reports = JobReports.__new__(JobReports)  # the days a report covers and those with a completed job, given
    days_after = [DAY0.date() + timedelta(days=n) for n in range(1, FILLERS + 1)]
    reports.completed = {arn: {*days_after, *([DAY0.date()] if job == "completed" else [])}}
    shown = [*days_after, *([DAY0.date()] if job != "no report" else [])]
    reports.covered = {(PROD, EAST): {day: [f"report {day}"] for day in shown}}
    window = SimpleNamespace(start_utc=DAY0, evaluated_end_utc=end)
    daily = within_allowance(reports.day_rows(arn, [(start, end)], window), params.min_backup_day_share)
    return all_of([kept], plan, daily)


def suite_verdicts(rows: list[Row], params: EngBck01Parameters) -> list[str]:
    """Each row's verdict from the suite's failures, as the verdicts read them: a coverage gap wins."""
    production = [Row(r.resource, r.start, r.end, r.value, {**r.metrics, "production": True}) for r in rows]
    outcome = validate(CONTROL, frame(production, FACTS), rules(params))
    failed = {kind: {i for f in outcome.failures if f.on_fail == kind for i in f.rows} for kind in OUTCOMES}
    return [next((kind for kind in OUTCOMES if i in failed[kind]), "operating") for i in range(len(rows))]


def test_the_suite_judges_the_aspects_facts_as_the_combined_yes_no_fact_did():
    """Every combination of retention, plan selection, and a day's job (completed, missed, unreported, on a
    whole day or the day of creation), under two requirements: the facts give each combined row the verdict
    its yes/no fact (a False wins, then a null) gave it, with a missed day inside and outside the allowance."""
    old = {False: "exception", None: "coverage", True: "operating"}
    for params in REQUIREMENTS:
        rows = [
            row
            for number, case in enumerate(product(RETENTIONS, PLANS, LIVES, JOBS))
            for row in aspect_rows(f"arn:aws:rds:{EAST}:{PROD}:db:case-{number}", *case, params)
        ]
        assert {old[r.metrics[HOLDS]] for r in rows} == {"exception", "coverage", "operating"}
        assert suite_verdicts(rows, params) == [old[r.metrics[HOLDS]] for r in rows], params
