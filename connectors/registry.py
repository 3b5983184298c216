"""Which collector gathers each evidence source; the IAM policy in infra/ is generated from these."""

from __future__ import annotations

from connectors.aws.cloudtrail import LogFilesCollector, TrailsCollector
from connectors.aws.config import HistoryCollector, RecordersCollector
from connectors.aws.iam import CredentialReportCollector
from connectors.base import Collector
from connectors.files import FileCollector

COLLECTORS: dict[str, Collector] = {
    c.source: c
    for c in (
        TrailsCollector(),
        LogFilesCollector(),
        RecordersCollector(),
        HistoryCollector(),
        CredentialReportCollector(),
        FileCollector("file.hr_roster", "hr_roster"),
        FileCollector("file.vendor_register", "vendor_register"),
    )
}
