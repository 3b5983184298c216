"""Turns Brightwave's data into a live company: moto AWS (an organization), Jira tickets, exports and a scope file.

Uses the sandbox's writers (CloudTrail and Config files, IAM and bucket events, the Jira sandbox, XLSX export)
with Brightwave's accounts, layouts and names.
"""

from __future__ import annotations

import io
import json
from collections import defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import openpyxl
import requests
import yaml

from connectors.aws.s3 import drop_account_host_prefix
from socready_sandbox.aws import TRUST_POLICY, account_session, start_config_recorder
from socready_sandbox.aws_data import (
    BLOCK_ALL,
    bucket_config_item,
    database_config_item,
    partner_read_policy,
    tls_only_policy,
)
from socready_sandbox.aws_iam import BASELINE_PASSWORD_POLICY, DEVELOPER, console_login, enable_root_mfa, iam_event
from socready_sandbox.cloudtrail_files import Silence, cloudtrail_event, log_file_objects
from socready_sandbox.company import EXTERNAL_ID, ROLE
from socready_sandbox.config_files import delivered_files
from socready_sandbox.exports import csv_text, reproducible_zip
from socready_sandbox.jira import JiraSandbox
from socready_sandbox.uploads import put_objects
from tests.companies import brightwave as bw
from tests.companies.model import Database, Person

ALL_ACCOUNTS = (*bw.ACCOUNTS, bw.DATA)
IT_ADMIN = "sofia.ruiz@brightwave.example"
PASSWORD = "Brightwave-not-a-secret-1!"


# --- AWS: the organization and its resources ------------------------------------------------------------------
def join_organization(management: str, member: str, joined: datetime, name: str, endpoint: str) -> str:
    """Creates the organization in `management` and adds `member` as having joined at `joined`; returns the
    organization id. moto stamps a new account's joining now and draws its id at random, so the in-process
    server's account record is set as AWS would report an account that joined then."""
    from moto.organizations.models import organizations_backends

    organizations = account_session(endpoint, management).client("organizations", endpoint_url=endpoint)
    org_id = organizations.create_organization(FeatureSet="ALL")["Organization"]["Id"]
    organizations.create_account(Email=f"{name}@brightwave.example", AccountName=name)
    backend = organizations_backends[management]["aws"]
    account = next(a for a in backend.accounts if a.name == name)
    account.id, account.create_time = member, joined.astimezone(UTC).replace(tzinfo=None)
    return org_id


def seed_buckets(client) -> None:
    for bucket in bw.BUCKETS:
        s3 = client(bucket.account, "s3", bucket.region)
        s3.create_bucket(Bucket=bucket.name, CreateBucketConfiguration={"LocationConstraint": bucket.region})
        if bucket.live_policy:
            s3.put_bucket_policy(Bucket=bucket.name, Policy=tls_only_policy(bucket.name))
        rule = {"ApplyServerSideEncryptionByDefault": {"SSEAlgorithm": bucket.algorithm}}
        s3.put_bucket_encryption(Bucket=bucket.name, ServerSideEncryptionConfiguration={"Rules": [rule]})


def seed_databases(client) -> None:
    for db in bw.DATABASES:
        client(db.account, "rds", db.region).create_db_instance(
            DBInstanceIdentifier=db.name,
            Engine="postgres",
            DBInstanceClass="db.m6g.large",
            AllocatedStorage=100,
            MasterUsername="brightwave",
            MasterUserPassword=PASSWORD,
            StorageEncrypted=True,
            BackupRetentionPeriod=14,
            DeletionProtection=db.protection,
            MultiAZ=db.multi_az,
            Tags=[{"Key": key, "Value": value} for key, value in db.tags.items()],
        )


def seed_iam(iam) -> None:
    """Today's IAM: each user not deleted, with MFA, and a console password unless it was removed."""
    developer = iam.create_policy(PolicyName="developer-access", PolicyDocument=json.dumps(DEVELOPER))["Policy"]["Arn"]
    for person in bw.PEOPLE:
        if not person.iam or person.user_deleted:
            continue
        iam.create_user(UserName=person.iam_user)
        iam.attach_user_policy(UserName=person.iam_user, PolicyArn=developer)
        if not person.password_removed:
            iam.create_login_profile(UserName=person.iam_user, Password=PASSWORD)
        name = person.employee_id.lower()  # an MFA device stays enrolled when the password goes
        serial = iam.create_virtual_mfa_device(VirtualMFADeviceName=name)["VirtualMFADevice"]["SerialNumber"]
        iam.enable_mfa_device(
            UserName=person.iam_user, SerialNumber=serial, AuthenticationCode1="123456", AuthenticationCode2="654321"
        )


def seed_aws(endpoint: str) -> str:
    """Seeds a reset moto server; returns the organization id."""
    requests.post(f"{endpoint}/moto-api/reset", timeout=30).raise_for_status()
    org_id = join_organization(bw.MGMT, bw.DATA, bw.DATA_JOINED, bw.MEMBER_NAME, endpoint)
    sessions = {account: account_session(endpoint, account) for account in ALL_ACCOUNTS}

    def client(account: str, service: str, region: str = bw.EU):
        return sessions[account].client(service, endpoint_url=endpoint, region_name=region)

    for account in ALL_ACCOUNTS:
        client(account, "iam").create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST_POLICY)
        client(account, "iam").update_account_password_policy(**BASELINE_PASSWORD_POLICY)
        enable_root_mfa(account)
        control = client(account, "s3control")
        control.meta.events.register("before-sign.s3-control.*", drop_account_host_prefix)
        control.put_public_access_block(AccountId=account, PublicAccessBlockConfiguration=BLOCK_ALL)
        for region in bw.REGIONS:
            start_config_recorder(sessions[account], endpoint, account, region, bw.CONFIG_BUCKET)
            client(account, "ec2", region).enable_ebs_encryption_by_default()
            client(account, "guardduty", region).create_detector(Enable=True)
    seed_buckets(client)
    trail = client(bw.MGMT, "cloudtrail")
    trail.create_trail(
        Name=bw.TRAIL,
        S3BucketName=bw.TRAIL_BUCKET,
        IsMultiRegionTrail=True,
        IsOrganizationTrail=True,
        EnableLogFileValidation=True,
    )
    trail.start_logging(Name=bw.TRAIL)
    seed_iam(client(bw.PROD, "iam"))
    seed_databases(client)
    archive = client(bw.LOGS, "s3")
    put_objects(archive, bw.TRAIL_BUCKET, log_files(org_id))
    put_objects(archive, bw.CONFIG_BUCKET, config_files())
    return org_id


# --- AWS: what CloudTrail and Config recorded -----------------------------------------------------------------
def workdays(first: date, last: date) -> Iterator[date]:
    for n in range((last - first).days + 1):
        if (day := first + timedelta(days=n)).weekday() < 5:
            yield day


def sign_ins(person: Person) -> list[dict]:
    """Console sign-ins at 15:00 UTC on workdays while employed and the password lasts; without MFA while it is
    off."""
    joined = person.granted.date() + timedelta(days=1) if person.granted else person.hired  # after MFA enrolment
    first = max(joined, bw.LOG_START)
    last = person.last_day or bw.WINDOW_END + timedelta(days=1)
    stops = [stop for stop in (person.password_removed, person.last_signin) if stop]
    found = []
    for day in workdays(first, last):
        when = datetime.combine(day, time(15), UTC)
        if any(when > stop for stop in stops):
            break
        off = person.mfa_off and person.mfa_off[0] < when < person.mfa_off[1]
        found.append(console_login(when, bw.PROD, person.iam_user, mfa=not off))
    return found


def people_events(person: Person) -> list[dict]:
    me, events = {"userName": person.iam_user}, []
    if person.granted:
        policy = {**me, "policyArn": f"arn:aws:iam::{bw.PROD}:policy/developer-access"}
        events += [
            iam_event("CreateUser", person.granted, bw.PROD, IT_ADMIN, me),
            iam_event("CreateLoginProfile", person.granted + timedelta(minutes=1), bw.PROD, IT_ADMIN, me),
            iam_event("AttachUserPolicy", person.granted + timedelta(minutes=2), bw.PROD, IT_ADMIN, policy),
            iam_event("EnableMFADevice", person.granted + timedelta(minutes=30), bw.PROD, person.iam_user, me),
        ]
    if person.mfa_off:
        events.append(iam_event("DeactivateMFADevice", person.mfa_off[0], bw.PROD, person.iam_user, me))
        events.append(iam_event("EnableMFADevice", person.mfa_off[1], bw.PROD, person.iam_user, me))
    if person.password_removed:
        events.append(iam_event("DeleteLoginProfile", person.password_removed, bw.PROD, IT_ADMIN, me))
    if person.user_deleted:
        events.append(iam_event("DetachUserPolicy", person.user_deleted - timedelta(minutes=1), bw.PROD, IT_ADMIN, me))
        events.append(iam_event("DeleteUser", person.user_deleted, bw.PROD, IT_ADMIN, me))
    return events + (sign_ins(person) if person.iam else [])


def resource_event(name: str, when: datetime, account: str, region: str, params: dict, service: str) -> dict:
    return cloudtrail_event(name, when, account, region, bw.ADMIN, params, service=service)


def database_events(db: Database) -> list[dict]:
    names = {"DeletionProtection": "deletionProtection", "MultiAZ": "multiAZ"}
    found = []
    for setting, value, start, end in db.changes:
        for when, now in ((start, value), (end, not value)):
            params = {"dBInstanceIdentifier": db.name, names[setting]: now, "applyImmediately": True}
            found.append(resource_event("ModifyDBInstance", when, db.account, db.region, params, "rds"))
    return found


def events() -> list[dict]:
    found = [event for person in bw.PEOPLE for event in people_events(person)]
    when, actor, policy = bw.EXTRA_GRANT
    params = {"userName": actor, "policyArn": f"arn:aws:iam::{bw.PROD}:policy/{policy}"}
    found.append(iam_event("AttachUserPolicy", when, bw.PROD, bw.ADMIN, params))
    trail = {"name": f"arn:aws:cloudtrail:{bw.EU}:{bw.MGMT}:trail/{bw.TRAIL}"}
    found += [
        cloudtrail_event("StopLogging", bw.TRAIL_STOP[0], bw.MGMT, bw.EU, "ops-automation", trail),
        cloudtrail_event("StartLogging", bw.TRAIL_STOP[1], bw.MGMT, bw.EU, bw.ADMIN, trail),
    ]
    account, region, stopped, restarted = bw.RECORDER_STOP
    recorder = {"configurationRecorderName": "default"}
    found += [
        resource_event("StopConfigurationRecorder", stopped, account, region, recorder, "config"),
        resource_event("StartConfigurationRecorder", restarted, account, region, recorder, "config"),
    ]
    found.append(console_login(bw.ROOT_SIGNIN[1], bw.ROOT_SIGNIN[0], "", root=True))
    account, when = bw.ROOT_ATTEMPT
    failed = {"ConsoleLogin": "Failure"}
    found.append(
        iam_event("ConsoleLogin", when, account, "root", service="signin", identity_type="Root", response=failed)
    )
    for bucket in bw.BUCKETS:
        if bucket.tls_dropped:
            for when, policy in zip(
                bucket.tls_dropped,
                (partner_read_policy(bucket.name), json.loads(tls_only_policy(bucket.name))),
                strict=True,
            ):
                params = {"bucketName": bucket.name, "bucketPolicy": policy}
                found.append(resource_event("PutBucketPolicy", when, bucket.account, bucket.region, params, "s3"))
        if bucket.retagged:
            params = {"bucketName": bucket.name, "Tagging": {"TagSet": {"Tag": [{"Key": "Team", "Value": "web"}]}}}
            found.append(
                resource_event("PutBucketTagging", bucket.retagged, bucket.account, bucket.region, params, "s3")
            )
    return found + [event for db in bw.DATABASES for event in database_events(db)]


def log_files(org_id: str) -> Iterator[tuple[str, bytes]]:
    """The organization trail's files from 90 days before the window to a day after it: every account (the member
    from its joining) and in-scope region every hour, us-east-1 on the days it recorded global (IAM, sign-in)
    events; nothing while the trail was stopped."""
    planted = events()
    last = bw.WINDOW_END + timedelta(days=1)
    silences = [Silence(account, *bw.TRAIL_STOP) for account in ALL_ACCOUNTS]
    where = {"silences": silences, "organization_id": org_id}
    regional = [e for e in planted if e["awsRegion"] != bw.GLOBAL_REGION]
    yield from log_file_objects(bw.ACCOUNTS, bw.REGIONS, bw.LOG_START, last, regional, **where)
    joined = bw.DATA_JOINED.date() + timedelta(days=1)  # the member's first whole UTC day in the organization
    yield from log_file_objects([bw.DATA], bw.REGIONS, joined, last, regional, **where)
    by_day: dict[tuple[str, date], list[dict]] = defaultdict(list)
    for event in planted:
        if event["awsRegion"] == bw.GLOBAL_REGION:
            by_day[(event["recipientAccountId"], date.fromisoformat(event["eventTime"][:10]))].append(event)
    for (account, day), found in sorted(by_day.items()):
        yield from log_file_objects([account], [bw.GLOBAL_REGION], day, day, found, per_hour=0, **where)


def baseline(account: str) -> datetime:
    return bw.DATA_BASELINE if account == bw.DATA else bw.CONFIG_BASELINE


def config_items() -> list[dict]:
    """What Config recorded: a baseline months before the window, then each change; none in NO_CONFIG_HISTORY."""
    found = []
    for b in bw.BUCKETS:
        where = (b.name, b.account, b.region)
        found.append(
            bucket_config_item(*where, baseline(b.account), algorithm=b.algorithm, status="ResourceDiscovered")
        )
        if b.tls_dropped:
            found.append(bucket_config_item(*where, b.tls_dropped[0], tls=False, algorithm=b.algorithm))
            found.append(bucket_config_item(*where, b.tls_dropped[1], algorithm=b.algorithm))
        if b.retagged:
            item = bucket_config_item(*where, b.retagged, algorithm=b.algorithm)
            item["supplementaryConfiguration"]["BucketTaggingConfiguration"] = {"tagSets": [{"tags": {"Team": "web"}}]}
            found.append(item)
    for db in bw.DATABASES:
        settings = {
            "StorageEncrypted": True,
            "BackupRetentionPeriod": 14,
            "DeletionProtection": db.protection,
            "MultiAZ": db.multi_az,
        }
        where = (db.name, db.account, db.region)
        found.append(database_config_item(*where, baseline(db.account), "ResourceDiscovered", tags=db.tags, **settings))
        for setting, value, start, end in db.changes:
            found.append(database_config_item(*where, start, tags=db.tags, **settings | {setting: value}))
            found.append(database_config_item(*where, end, tags=db.tags, **settings))
    return [i for i in found if (i["awsAccountId"], i["awsRegion"]) not in bw.NO_CONFIG_HISTORY]


def config_files() -> Iterator[tuple[str, bytes]]:
    """What Config delivered: the items' history files and a quiet file where nothing changed; nothing at all under
    the NO_CONFIG_HISTORY prefixes."""
    empty = tuple(f"AWSLogs/{account}/Config/{region}/" for account, region in bw.NO_CONFIG_HISTORY)
    delivered = delivered_files(config_items(), ALL_ACCOUNTS, bw.REGIONS, bw.CONFIG_BASELINE)
    return ((key, body) for key, body in delivered if not key.startswith(empty))


# --- Jira -----------------------------------------------------------------------------------------------------------
def seed_jira(jira: JiraSandbox) -> None:
    for key, (name, types) in bw.PROJECTS.items():
        jira.add_project(key, name, issue_types=types)
    for status, category in bw.STATUSES.items():
        jira.add_status(status, category)
    for account, (name, email) in bw.JIRA_PEOPLE.items():
        jira.add_user(account, name, email)
    for field_id, (name, kind) in bw.CUSTOM_FIELDS.items():
        jira.add_custom_field(field_id, name, kind)
    initial = {"Change Request": "To Do", "Emergency Change": "To Do", "Access Request": "Requested"}
    for ticket in bw.TICKETS:
        status, history = initial.get(ticket.issue_type, "To Do"), []
        for when, who, to in ticket.moves:
            history.append((when, who, [("status", status, to)]))
            status = to
        history += [(when, who, [(name, None, value)]) for when, who, name, value in ticket.edits]
        fields = {"assignee": {"accountId": ticket.assignee}, **ticket.fields}
        key = jira.seed_issue(
            ticket.project, ticket.issue_type, ticket.summary, fields=fields, created=ticket.created, history=history
        )
        if key != bw.key_of(ticket):
            raise RuntimeError(f"Jira gave {key}, the plan says {bw.key_of(ticket)}: seed into an empty Jira")
    if initial["Access Request"] not in bw.STATUSES:
        raise RuntimeError("the access-request workflow's first status is missing")


# --- exports and the scope ------------------------------------------------------------------------------------------
ROSTER_COLUMNS = {
    "employee_id": "Worker ID",
    "full_name": "Legal Name",
    "email": "Email Address",
    "start_date": "Hire Date",
    "termination_date": "Last Day",
    "background_check": "Background Check",
    "confidentiality_signed": "NDA Signed",
}
REGISTER_COLUMNS = {
    "vendor": "Supplier",
    "tier": "Criticality",
    "onboarded": "Contract Start",
    "offboarded": "Contract End",
    "reviews": "SOC Report Reviews",
    "tier_approved": "Risk Tier Approved",
    "customer_data": "Handles Customer Data",
    "dpa_signed": "DPA Executed",
}


def roster_csv() -> str:
    """No IAM-user column: people are matched to IAM users by e-mail."""
    day = lambda d: d.isoformat() if d else ""  # noqa: E731
    rows = [
        [p.employee_id, p.name, p.email, day(p.hired), day(p.last_day), day(p.background_check), day(p.nda_signed)]
        for p in bw.PEOPLE
    ]
    return csv_text(list(ROSTER_COLUMNS.values()), rows)


def vendor_register_xlsx() -> bytes:
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(list(REGISTER_COLUMNS.values()))
    for v in bw.VENDORS:
        reviews = "; ".join(d.isoformat() for d in v.reviews)
        sheet.append(
            [
                v.name,
                v.tier.title(),
                v.onboarded,
                v.offboarded,
                reviews,
                v.tier_approved,
                "yes" if v.customer_data else "no",
                v.dpa_signed,
            ]
        )
    buffer = io.BytesIO()
    book.save(buffer)
    return reproducible_zip(buffer.getvalue())


def scope(aws_endpoint: str, jira_url: str, jira_user: str, token_env: str, org_id: str) -> dict:
    """Brightwave's scope, in the setting names of the shared contract (issue #10)."""
    na = "Brightwave has no {}; the sandbox company covers this control."
    return {
        "organization": bw.ORGANIZATION,
        "report": {"framework": "soc2", "type": "type2"},
        "categories": ["security", "availability"],
        "window": {"start": bw.WINDOW_START.isoformat(), "end": bw.WINDOW_END.isoformat(), "timezone": bw.TIMEZONE},
        "evidence_store": "evidence",
        "aws": {
            "accounts": [{"id": account, "name": name} for account, name in bw.ACCOUNTS.items()],
            "organization": {"account": bw.MGMT},
            "regions": list(bw.REGIONS),
            "role": {"name": ROLE, "external_id": EXTERNAL_ID},
            "endpoint_url": aws_endpoint,
            "cloudtrail_logs": [{"bucket": bw.TRAIL_BUCKET, "account": bw.LOGS, "organization_id": org_id}],
            "config_history": [{"bucket": bw.CONFIG_BUCKET, "account": bw.LOGS}],
            "config_baseline_months": 13,
            "cloudtrail_lookback_days": 90,
            "production": {
                "accounts": bw.PRODUCTION_ACCOUNTS,
                "tags": {"environment": ["production"]},
                "tag_match": "case_insensitive",
            },
        },
        "jira": {
            "url": jira_url,
            "user": jira_user,
            "token_env": token_env,
            "changes": {
                "project": "RFC",
                "issue_types": ["Change Request", "Emergency Change"],
                "fields": {
                    "approved_status": "Approved",
                    "sent_back_statuses": ["Changes Requested"],
                    "deploy_status": "Deployed",
                    "done_statuses": ["Closed"],
                    "emergency_issue_types": ["Emergency Change"],
                },
            },
            "access_requests": {
                "project": "IAMREQ",
                "issue_types": ["Access Request"],
                "fields": {
                    "approver": bw.APPROVER_FIELD,
                    "approval_time": bw.APPROVED_ON_FIELD,
                    "iam_user": bw.IAM_USER_FIELD,
                    "done_statuses": ["Granted"],
                },
            },
            "offboarding": {"project": "PEOPLEOPS", "issue_types": ["Offboarding"]},
        },
        "files": {
            "hr_roster": {"path": "roster.csv", "columns": ROSTER_COLUMNS},
            "vendor_register": {"path": "vendor_register.xlsx", "columns": REGISTER_COLUMNS},
        },
        "controls": {
            "ENG-BCK-01": {"applicable": False, "reason": na.format("AWS Backup plan")},
        },
        "tickets": {"dry_run": True},
    }


def write_company(folder: Path, scope_body: dict) -> Path:
    (folder / "roster.csv").write_text(roster_csv(), encoding="utf-8")
    (folder / "vendor_register.xlsx").write_bytes(vendor_register_xlsx())
    path = folder / "socready.yaml"
    path.write_text(yaml.safe_dump(scope_body, sort_keys=False), encoding="utf-8")
    return path
