"""The evidence sources a catalog entry may name; connectors collect them, suites read them."""

SOURCES: dict[str, str] = {
    "aws.cloudtrail.trails": "CloudTrail trails with status, event selectors and validation, per account/region",
    "aws.cloudtrail.logs": "CloudTrail log files delivered to S3 over the window (gzip JSON records)",
    "aws.config.recorders": "AWS Config recorders and their recording status, per account/region",
    "aws.config.history": "AWS Config configuration items: delivered history/snapshot files, else the Config API",
    "aws.iam.credential_report": "IAM credential report per account",
    "aws.iam.account": "IAM password policy (none when unset) and account summary (root MFA, root keys), per account",
    "aws.iam.users": "IAM users with MFA devices, access keys and last use, attached and inline policies; "
    "customer-managed policies with their default documents, per account",
    "aws.logs.groups": "CloudWatch Logs log groups with their retention, per account/region",
    "aws.s3.log_buckets": "The CloudTrail log buckets in the scope: policy, ACL, public access block, lifecycle rules",
    "aws.s3.buckets": "Every S3 bucket per account: region, encryption, policy, versioning, public access block",
    "aws.s3.account_public_access_block": "Account-level S3 Block Public Access settings per account",
    "aws.ec2.settings": "EBS default encryption and security groups with their rules, per account/region",
    "aws.rds.instances": "RDS DB instances (encryption, backup retention, deletion protection, Multi-AZ, tags)",
    "aws.kms.keys": "Customer managed KMS keys with key state and rotation status, per account/region",
    "aws.guardduty.detectors": "GuardDuty detectors and their status, per account/region",
    "aws.backup.plans": "AWS Backup plans with their selections' resources and tag conditions, per account/region",
    "aws.backup.job_reports": "AWS Backup Audit Manager daily backup job reports (CSV/JSON) from the report plans' S3",
    "aws.organizations.accounts": "AWS Organizations account listing (id, status, joined) when the scope discovers "
    "accounts; read by every AWS control",
    "file.hr_roster": "HR roster export (start and termination dates, background checks, NDAs, IAM user names)",
    "file.vendor_register": "Vendor register export (tier and approval, contract dates, reviews, customer data, DPA)",
    "file.training": "Security-training completions export (employee, completion date)",
    "file.policy_acknowledgements": "Policy acknowledgements export (employee, policy version, acknowledgement date)",
    "jira.changes": "Jira change tickets with changelogs: approval, approver, implementer, deploy time, emergency flag",
    "jira.incidents": "Jira security incident tickets with changelogs: severity, owner, resolution, post-mortem",
    "jira.access_reviews": "Jira user-access review tickets: completion date and reviewer",
    "jira.access_requests": "Jira access-request tickets with changelogs: the IAM user and the approval",
    "jira.offboarding": "Jira HR offboarding tickets: employee id and resolution date",
    "jira.vendor_offboarding": "Jira vendor-offboarding tickets: vendor and resolution date",
    "jira.vendor_reviews": "Jira vendor assurance-report review tickets: vendor, resolution and its date",
    "jira.risk_assessments": "Jira risk-assessment tickets: completion date",
    "jira.restore_tests": "Jira backup restore-test tickets: completion date and resolution",
}

# Sources read anew every run (snapshots of current state, credential reports): their bytes differ run to run, and
# later runs read them as history. The rest (logs, history files, exports, tickets) stay the same once fetched.
CURRENT_STATE: frozenset[str] = frozenset(
    {
        "aws.backup.plans",
        "aws.cloudtrail.trails",
        "aws.config.recorders",
        "aws.ec2.settings",
        "aws.guardduty.detectors",
        "aws.iam.account",
        "aws.iam.credential_report",
        "aws.iam.users",
        "aws.kms.keys",
        "aws.logs.groups",
        "aws.organizations.accounts",
        "aws.rds.instances",
        "aws.s3.account_public_access_block",
        "aws.s3.buckets",
    }
)
