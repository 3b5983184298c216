"""AWS Backup evidence: backup plans with what their selections cover, and the daily backup job reports that
AWS Backup Audit Manager delivers to S3 (found through the account's report plans)."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

from connectors.aws.delivered import fetch_objects, known_files, list_days
from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages
from connectors.base import CollectContext, Place
from socready.evidence.aws_formats import key_date
from socready.scope.models import AwsSpec

VERSION = "1.0.0"
JOB_REPORT = "BACKUP_JOB_REPORT"
MEDIA_TYPES = {".csv": "text/csv", ".json": "application/json"}


class PlansCollector(Snapshot):
    source = "aws.backup.plans"
    version = VERSION
    permissions = ("backup:ListBackupPlans", "backup:ListBackupSelections", "backup:GetBackupSelection")

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        backup = client("backup")
        plans = []
        for plan in read("backup:ListBackupPlans", pages, backup, "list_backup_plans", "BackupPlansList"):
            plan_id = plan["BackupPlanId"]
            listed = read(
                "backup:ListBackupSelections",
                pages,
                backup,
                "list_backup_selections",
                "BackupSelectionsList",
                BackupPlanId=plan_id,
            )
            selections = []
            for selection in listed:
                found = read(
                    "backup:GetBackupSelection",
                    backup.get_backup_selection,
                    BackupPlanId=plan_id,
                    SelectionId=selection["SelectionId"],
                )
                selections.append({"SelectionId": selection["SelectionId"], **found["BackupSelection"]})
            plans.append({**plan, "Selections": selections})
        return {"plans": plans}


def media_type_of(key: str) -> str:
    return MEDIA_TYPES["." + key.rsplit(".", 1)[-1]]


class JobReportsCollector:
    """Per account and region: the report plans using the backup-job template, then each daily report they
    delivered over the window (CSV or JSON) from the plan's S3 bucket."""

    source = "aws.backup.job_reports"
    version = VERSION
    permissions = ("backup:ListReportPlans", "s3:ListBucket", "s3:GetObject")
    workers = 8

    def places(self, aws: AwsSpec) -> list[Place]:
        return [(account.id, region) for account in aws.accounts for region in aws.regions]

    def read_from(self, ctx: CollectContext) -> datetime:
        """Reports are read from the day before the window's first (UTC) day."""
        return datetime.combine(ctx.window.start_utc.date() - timedelta(days=1), time(0), UTC)

    def collect(self, ctx: CollectContext) -> None:
        # A report covers the 24 hours before its delivery, so look one day past the evaluated end.
        first = self.read_from(ctx)
        last = datetime.combine(ctx.window.evaluated_end_utc.date() + timedelta(days=1), time(0), UTC)
        for account, region in ctx.mine(self.places(ctx.scope.aws)):
            for plan in self._job_report_plans(ctx, account, region):
                channel = plan["ReportDeliveryChannel"]
                bucket, prefix = channel["S3BucketName"], channel.get("S3KeyPrefix") or ""
                self._fetch_reports(ctx, account, region, bucket, prefix, first, last)

    def _job_report_plans(self, ctx: CollectContext, account: str, region: str) -> list[dict]:
        """The report plans with the backup-job template; none when the listing failed (recorded as such)."""
        query = f"backup:ListReportPlans account={account} region={region}"
        with ctx.guard(self.source, query, account=account, region=region, permission="backup:ListReportPlans"):
            plans = self._report_plans(ctx, account, region)
            return [p for p in plans if p["ReportSetting"]["ReportTemplate"] == JOB_REPORT]
        return []

    def _report_plans(self, ctx: CollectContext, account: str, region: str) -> list[dict]:
        backup = ctx.aws.client(account, region, "backup")
        plans, token = [], None
        while True:  # botocore has no paginator for ListReportPlans
            page = read("backup:ListReportPlans", backup.list_report_plans, **({"NextToken": token} if token else {}))
            plans += page.get("ReportPlans", [])
            token = page.get("NextToken")
            if not token:
                return plans

    def _fetch_reports(
        self, ctx: CollectContext, account: str, region: str, bucket: str, prefix: str, first: datetime, last: datetime
    ) -> None:
        """Reports are immutable once delivered: earlier runs' are carried, and only the days since the newest
        known report are listed again, in both documented layouts (with and without the account folder)."""
        base = f"{prefix.strip('/')}/Backup/" if prefix.strip("/") else "Backup/"
        folders = [f"{base}{region}/", f"{base}{account}/{region}/"]  # a bucket may hold several regions' reports
        places = tuple(f"s3://{bucket}/{folder}" for folder in folders)
        known, since = known_files(ctx, self.source, places, key_date, first, last, (account, region))
        s3 = ctx.aws.client(account, region, "s3")
        keys: list[str] = []
        where = {"account": account, "region": region, "permission": "s3:ListBucket"}
        reports = (since.date(), last.date(), lambda k: k.endswith(tuple(MEDIA_TYPES)))
        with ctx.guard(self.source, f"s3://{bucket}/{base}", **where):
            keys = list_days(s3, bucket, folders, True, key_date, *reports)
        fresh = [k for k in keys if f"s3://{bucket}/{k}" not in known]
        for entry in known.values():
            ctx.recorder.carry(entry)
        ctx.progress(f"{self.source}: {len(fresh)} new reports ({len(known)} known) for {account}/{region}")
        fetch_objects(ctx, self, s3, bucket, fresh, account, region, media_type_of, self.workers)
