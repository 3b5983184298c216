"""IAM evidence: the credential report (CSV), the account's password policy and summary, and its users."""

from __future__ import annotations

import time

from connectors.aws.reads import read
from connectors.aws.snapshot import ClientFor, Snapshot, pages
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


class AccountCollector(Snapshot):
    """Per account: the password policy (None when the account has none) and the account summary."""

    source = "aws.iam.account"
    version = VERSION
    regional = False
    permissions = ("iam:GetAccountPasswordPolicy", "iam:GetAccountSummary")

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        iam = client("iam")
        # NoSuchEntity: the account has no password policy, which is a state (IAM defaults apply), not a failure.
        policy = read("iam:GetAccountPasswordPolicy", iam.get_account_password_policy, absent=("NoSuchEntity",))
        summary = read("iam:GetAccountSummary", iam.get_account_summary)["SummaryMap"]
        return {"password_policy": policy["PasswordPolicy"] if policy else None, "summary": summary}


class UsersCollector(Snapshot):
    """Per account: every IAM user with MFA devices, access keys (with last use), attached and inline policies;
    and every customer-managed policy with its default version's document."""

    source = "aws.iam.users"
    version = VERSION
    regional = False
    permissions = (
        "iam:ListUsers",
        "iam:ListMFADevices",
        "iam:ListAccessKeys",
        "iam:GetAccessKeyLastUsed",
        "iam:ListAttachedUserPolicies",
        "iam:ListUserPolicies",
        "iam:GetUserPolicy",
        "iam:ListPolicies",
        "iam:GetPolicyVersion",
    )

    def snapshot(self, client: ClientFor, account: str, region: str) -> dict:
        iam = client("iam")
        users = [self._user(iam, user) for user in read("iam:ListUsers", pages, iam, "list_users", "Users")]
        policies = []
        for policy in read("iam:ListPolicies", pages, iam, "list_policies", "Policies", Scope="Local"):
            version = read(
                "iam:GetPolicyVersion",
                iam.get_policy_version,
                PolicyArn=policy["Arn"],
                VersionId=policy["DefaultVersionId"],
            )["PolicyVersion"]
            policies.append({**policy, "Document": version["Document"]})
        return {"users": users, "policies": policies}

    @staticmethod
    def _user(iam, user: dict) -> dict:
        name = user["UserName"]
        keys = []
        for key in read("iam:ListAccessKeys", pages, iam, "list_access_keys", "AccessKeyMetadata", UserName=name):
            used = read("iam:GetAccessKeyLastUsed", iam.get_access_key_last_used, AccessKeyId=key["AccessKeyId"])
            keys.append({**key, "LastUsed": used.get("AccessKeyLastUsed", {})})
        inline = [
            {
                "PolicyName": policy_name,
                "PolicyDocument": read("iam:GetUserPolicy", iam.get_user_policy, UserName=name, PolicyName=policy_name)[
                    "PolicyDocument"
                ],
            }
            for policy_name in read(
                "iam:ListUserPolicies", pages, iam, "list_user_policies", "PolicyNames", UserName=name
            )
        ]
        return {
            **user,
            "MFADevices": read("iam:ListMFADevices", pages, iam, "list_mfa_devices", "MFADevices", UserName=name),
            "AccessKeys": keys,
            "AttachedPolicies": read(
                "iam:ListAttachedUserPolicies",
                pages,
                iam,
                "list_attached_user_policies",
                "AttachedPolicies",
                UserName=name,
            ),
            "InlinePolicies": inline,
        }
