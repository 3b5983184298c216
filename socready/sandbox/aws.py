"""The sandbox's AWS: a moto server on loopback, seeded over HTTP with the company's accounts and logs."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import boto3
from moto.server import ThreadedMotoServer

from socready.sandbox.cloudtrail_files import Silence, cloudtrail_event, log_file_objects
from socready.sandbox.company import (
    ACCOUNTS,
    EXTERNAL_ID,
    IAM_ACCOUNT,
    LOG_BUCKET,
    PEOPLE,
    RECORDER_STOPS,
    REGIONS,
    ROLE,
    TIMEZONE,
    TRAIL,
    TRAIL_STOPS,
    WINDOW_END,
    WINDOW_START,
)
from socready.sandbox.uploads import put_objects

# Fixed, obviously fake credentials: moto accepts any; they only name the caller's account.
SANDBOX_CREDENTIALS = {"aws_access_key_id": "sandbox", "aws_secret_access_key": "sandbox"}
TRUST_POLICY = json.dumps(
    {
        "Version": "2012-10-17",
        "Statement": [
            {
                "Effect": "Allow",
                "Principal": {"AWS": "*"},
                "Action": "sts:AssumeRole",
                "Condition": {"StringEquals": {"sts:ExternalId": EXTERNAL_ID}},
            }
        ],
    }
)


def start_moto() -> tuple[ThreadedMotoServer, str]:
    logging.getLogger("werkzeug").setLevel(logging.ERROR)
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def account_session(endpoint: str, account: str) -> boto3.Session:
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGIONS[0], **SANDBOX_CREDENTIALS)
    role = f"arn:aws:iam::{account}:role/{ROLE}"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="sandbox-seed", ExternalId=EXTERNAL_ID)["Credentials"]
    return boto3.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGIONS[0],
    )


def planted_events() -> list[dict]:
    """The management events behind the planted gaps (and the clean leavers), as CloudTrail records them."""
    events = []
    for stop in TRAIL_STOPS:
        params = {"name": f"arn:aws:cloudtrail:{REGIONS[0]}:{stop.account}:trail/{TRAIL}"}
        events.append(cloudtrail_event("StopLogging", stop.stopped, stop.account, REGIONS[0], stop.actor, params))
        events.append(cloudtrail_event("StartLogging", stop.restarted, stop.account, REGIONS[0], "alice", params))
    tz = ZoneInfo(TIMEZONE)
    for person in PEOPLE:
        if person.termination_date and person.iam_user and person.removed_after_hours is not None:
            last_day_end = datetime.combine(person.termination_date + timedelta(days=1), time(0), tz)
            when = last_day_end + timedelta(hours=person.removed_after_hours)
            params = {"userName": person.iam_user}
            events.append(cloudtrail_event("DeleteLoginProfile", when, IAM_ACCOUNT, REGIONS[0], "it-ops", params))
    for stop in RECORDER_STOPS:
        params = {"configurationRecorderName": "default"}
        for name, when in (("StopConfigurationRecorder", stop.stopped), ("StartConfigurationRecorder", stop.restarted)):
            events.append(cloudtrail_event(name, when, stop.account, stop.region, "mallory", params, service="config"))
    return events


def log_files() -> Iterator[tuple[str, bytes]]:
    """A day of margin either side of the window: the window's days are local dates."""
    silences = [Silence(s.account, s.stopped, s.restarted) for s in TRAIL_STOPS]
    first, last = WINDOW_START - timedelta(days=1), WINDOW_END + timedelta(days=1)
    return log_file_objects(ACCOUNTS, REGIONS, first, last, planted_events(), silences)


def start_config_recorder(session: boto3.Session, endpoint: str, account: str, region: str) -> None:
    config = session.client("config", endpoint_url=endpoint, region_name=region)
    role = f"arn:aws:iam::{account}:role/aws-config"
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": role, "recordingGroup": {"allSupported": True}}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": LOG_BUCKET})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def seed_aws(endpoint: str) -> None:
    sessions = {account: account_session(endpoint, account) for account in ACCOUNTS}
    for session in sessions.values():
        session.client("iam", endpoint_url=endpoint).create_role(RoleName=ROLE, AssumeRolePolicyDocument=TRUST_POLICY)
    logs = sessions[IAM_ACCOUNT].client("s3", endpoint_url=endpoint)
    logs.create_bucket(Bucket=LOG_BUCKET)
    for session in sessions.values():
        trail = session.client("cloudtrail", endpoint_url=endpoint)
        trail.create_trail(Name=TRAIL, S3BucketName=LOG_BUCKET, IsMultiRegionTrail=True, EnableLogFileValidation=True)
        trail.start_logging(Name=TRAIL)
    for account, session in sessions.items():
        for region in REGIONS:
            start_config_recorder(session, endpoint, account, region)
    iam = sessions[IAM_ACCOUNT].client("iam", endpoint_url=endpoint)
    for person in PEOPLE:
        if person.iam_user:
            iam.create_user(UserName=person.iam_user)
            iam.create_login_profile(UserName=person.iam_user, Password="Sandbox-not-a-secret-1!")
            if person.termination_date:
                iam.delete_login_profile(UserName=person.iam_user)
    put_objects(logs, LOG_BUCKET, log_files())
