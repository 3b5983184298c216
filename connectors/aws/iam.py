"""IAM evidence: the account's credential report (CSV), generated fresh for each run."""

from __future__ import annotations

import time

from connectors.base import CollectContext
from socready.errors import CollectionError

CONNECTOR = "connectors.aws.iam"
VERSION = "1.0.0"


class CredentialReportCollector:
    source = "aws.iam.credential_report"
    version = VERSION
    permissions = ("iam:GenerateCredentialReport", "iam:GetCredentialReport")
    poll_seconds = 0.5
    max_polls = 60

    def collect(self, ctx: CollectContext) -> None:
        region = ctx.scope.aws.regions[0]
        for account in ctx.scope.aws.accounts:
            query = f"iam:GetCredentialReport account={account.id}"
            with ctx.guard(self.source, query, account=account.id, permission="iam:GetCredentialReport"):
                iam = ctx.aws.client(account.id, region, "iam")
                for _ in range(self.max_polls):
                    if iam.generate_credential_report()["State"] == "COMPLETE":
                        break
                    time.sleep(self.poll_seconds)
                else:
                    raise CollectionError(f"credential report for {account.id} not ready after {self.max_polls} polls")
                content = iam.get_credential_report()["Content"]
                ctx.recorder.add(
                    content,
                    source=self.source,
                    query=query,
                    connector=CONNECTOR,
                    connector_version=VERSION,
                    account=account.id,
                    media_type="text/csv",
                )
