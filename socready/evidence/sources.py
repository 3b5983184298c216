"""The evidence sources a catalog entry may name; connectors collect them, suites read them."""

SOURCES: dict[str, str] = {
    "aws.cloudtrail.trails": "CloudTrail trails with status, event selectors and validation, per account/region",
    "aws.cloudtrail.logs": "CloudTrail log files delivered to S3 over the window (gzip JSON records)",
    "aws.iam.credential_report": "IAM credential report per account",
    "file.hr_roster": "HR roster export (hires, terminations, IAM user names)",
    "file.vendor_register": "Vendor register export (tier, status, review dates)",
}
