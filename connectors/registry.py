"""Which collector gathers each evidence source; the IAM policy in infra/ is generated from these."""

from __future__ import annotations

from connectors.aws.backup import JobReportsCollector, PlansCollector
from connectors.aws.cloudtrail import LogFilesCollector, TrailsCollector
from connectors.aws.config import HistoryCollector, RecordersCollector
from connectors.aws.ec2 import SettingsCollector
from connectors.aws.guardduty import DetectorsCollector
from connectors.aws.iam import AccountCollector, CredentialReportCollector, UsersCollector
from connectors.aws.kms import KeysCollector
from connectors.aws.log_buckets import LogBucketsCollector
from connectors.aws.logs import LogGroupsCollector
from connectors.aws.organizations import AccountsCollector
from connectors.aws.rds import InstancesCollector
from connectors.aws.s3 import AccountPublicAccessBlockCollector, BucketsCollector
from connectors.base import Collector
from connectors.files import FileCollector
from connectors.jira.issues import COLLECTORS as JIRA_COLLECTORS

COLLECTORS: dict[str, Collector] = {
    c.source: c
    for c in (
        TrailsCollector(),
        LogFilesCollector(),
        RecordersCollector(),
        HistoryCollector(),
        CredentialReportCollector(),
        AccountCollector(),
        UsersCollector(),
        LogGroupsCollector(),
        LogBucketsCollector(),
        BucketsCollector(),
        AccountPublicAccessBlockCollector(),
        SettingsCollector(),
        InstancesCollector(),
        KeysCollector(),
        DetectorsCollector(),
        PlansCollector(),
        JobReportsCollector(),
        AccountsCollector(),
        FileCollector("file.hr_roster", "hr_roster"),
        FileCollector("file.vendor_register", "vendor_register"),
        FileCollector("file.training", "training"),
        FileCollector("file.policy_acknowledgements", "policy_acknowledgements"),
        *JIRA_COLLECTORS,
    )
}
