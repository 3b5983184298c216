"""The sandbox's AWS: a moto server on loopback; resources created over HTTP, log files written into it directly."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Iterator
from datetime import timedelta

import boto3
import requests
from moto.server import ThreadedMotoServer

from connectors.aws.session import shared_models_session
from socready_sandbox import aws_data, aws_iam, jira_company
from socready_sandbox.cloudtrail_files import Silence, cloudtrail_event, log_file_objects
from socready_sandbox.company import (
    ACCOUNTS,
    BASE_PLANTED_GAPS,
    CONFIG_BUCKET,
    EXTERNAL_ID,
    IAM_ACCOUNT,
    LOG_BUCKET,
    RECORDER_STOPS,
    REGIONS,
    ROLE,
    TRAIL,
    TRAIL_STOPS,
    WINDOW_END,
    WINDOW_START,
)
from socready_sandbox.config_files import delivered_files
from socready_sandbox.uploads import store_objects

# Each family of controls seeds its resources, and supplies the CloudTrail events and Config items behind them.
FAMILIES = (aws_iam, aws_data)
# Every gap the sandbox plants, as the report must find them: (control, resource).
PLANTED_GAPS = BASE_PLANTED_GAPS | jira_company.PLANTED | {gap for family in FAMILIES for gap in family.PLANTED}
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
    # Nothing reads moto's default AMIs, and loading them doubled the start-up of each EC2 account and region.
    os.environ.setdefault("MOTO_EC2_LOAD_DEFAULT_AMIS", "false")
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return server, f"http://{host}:{port}"


def account_session(endpoint: str, account: str) -> boto3.Session:
    sts = boto3.client("sts", endpoint_url=endpoint, region_name=REGIONS[0], **SANDBOX_CREDENTIALS)
    role = f"arn:aws:iam::{account}:role/{ROLE}"
    creds = sts.assume_role(RoleArn=role, RoleSessionName="sandbox-seed", ExternalId=EXTERNAL_ID)["Credentials"]
    return shared_models_session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGIONS[0],
    )


def planted_events() -> list[dict]:
    """The management events behind the planted gaps (and the clean ones), as CloudTrail records them."""
    events = [event for family in FAMILIES for event in family.events()]
    for stop in TRAIL_STOPS:
        params = {"name": f"arn:aws:cloudtrail:{REGIONS[0]}:{stop.account}:trail/{TRAIL}"}
        events.append(cloudtrail_event("StopLogging", stop.stopped, stop.account, REGIONS[0], stop.actor, params))
        events.append(cloudtrail_event("StartLogging", stop.restarted, stop.account, REGIONS[0], "alice", params))
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


def start_config_recorder(
    session: boto3.Session, endpoint: str, account: str, region: str, bucket: str = LOG_BUCKET
) -> None:
    """The recorder on, delivering to `bucket`."""
    config = session.client("config", endpoint_url=endpoint, region_name=region)
    role = f"arn:aws:iam::{account}:role/aws-config"
    config.put_configuration_recorder(
        ConfigurationRecorder={"name": "default", "roleARN": role, "recordingGroup": {"allSupported": True}}
    )
    config.put_delivery_channel(DeliveryChannel={"name": "default", "s3BucketName": bucket})
    config.start_configuration_recorder(ConfigurationRecorderName="default")


def seed_aws(endpoint: str) -> None:
    # moto keeps its state per process, shared by every server in it: seed from a clean slate.
    requests.post(f"{endpoint}/moto-api/reset", timeout=30).raise_for_status()
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
    for family in FAMILIES:
        family.seed(sessions, endpoint)
    store_objects(LOG_BUCKET, log_files())
    items = [item for family in FAMILIES for item in family.config_items()]
    logs.create_bucket(Bucket=CONFIG_BUCKET)
    store_objects(CONFIG_BUCKET, delivered_files(items, ACCOUNTS, REGIONS, aws_data.CONFIG_BASELINE))
