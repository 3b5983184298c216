"""The evidence sources a catalog entry may name; connectors collect them, suites read them."""

SOURCES: dict[str, str] = {
    "aws.cloudtrail.trails": "CloudTrail trails with status, event selectors and validation, per account/region",
    "aws.cloudtrail.logs": "CloudTrail log files delivered to S3 over the window (gzip JSON records)",
    "aws.config.recorders": "AWS Config recorders and their recording status, per account/region",
    "aws.config.history": "AWS Config configuration items: delivered history/snapshot files, else the Config API",
    "aws.iam.credential_report": "IAM credential report per account",
    "file.hr_roster": "HR roster export (hires, terminations, IAM user names)",
    "file.vendor_register": "Vendor register export (tier, status, review dates)",
}
