"""ENG-IAM-07 over the window: full-admin customer-managed and inline policies on users, from snapshots, AWS Config
history and IAM events, via moto over HTTP."""

from __future__ import annotations

import json
from datetime import timedelta

from socready_sandbox.aws_iam import iam_event, url_encoded
from socready_sandbox.config_files import config_item
from tests.controls.iam_fixtures import (
    ADMIN,
    PROD,
    READ_ONLY,
    STAGING,
    WINDOW_END,
    WINDOW_START,
    assess,
    at,
    iam,
    intervals,
    start_recorder,
    upload,
    upload_config,
)

CONTROL = "ENG-IAM-07"
ADMINISTRATOR_ACCESS = "arn:aws:iam::aws:policy/AdministratorAccess"


def customer_policy(endpoint: str, name: str, document: dict, account: str = PROD) -> str:
    return iam(endpoint, account).create_policy(PolicyName=name, PolicyDocument=json.dumps(document))["Policy"]["Arn"]


def test_scoped_customer_policies_operate_and_aws_managed_ones_are_out_of_scope(aws, tmp_path):
    client = iam(aws)
    client.create_user(UserName="alice")
    client.attach_user_policy(UserName="alice", PolicyArn=customer_policy(aws, "read", READ_ONLY))
    client.put_user_policy(UserName="alice", PolicyName="reports", PolicyDocument=json.dumps(READ_ONLY))
    # moto does not load AWS-managed policies; the attach is in the trail (and detached again since).
    managed = {"userName": "alice", "policyArn": ADMINISTRATOR_ACCESS}
    upload(aws, [iam_event("AttachUserPolicy", at(3), PROD, "it-ops", managed)])
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "operating", result.reason
    assert result.population == 1


def test_inline_admin_policy_for_two_days_is_an_exception(aws, tmp_path):
    iam(aws).create_user(UserName="ci")
    user = {"userName": "ci"}
    events = [
        iam_event("CreateUser", at(2), PROD, "alice", user),
        iam_event(
            "PutUserPolicy",
            at(5),
            PROD,
            "alice",
            {**user, "policyName": "break-fix", "policyDocument": json.dumps(ADMIN)},
        ),
        iam_event("DeleteUserPolicy", at(7), PROD, "alice", {**user, "policyName": "break-fix"}),
    ]
    upload(aws, events)
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "exception"
    value = "inline policy break-fix (PutUserPolicy by alice) allows every action on every resource"
    assert intervals(result) == [(f"account/{PROD}/user/ci", at(5), at(7), value)]


def test_only_the_user_with_an_admin_customer_policy_is_an_exception(aws, tmp_path):
    admin = customer_policy(aws, "everything", ADMIN)
    iam(aws).create_user(UserName="ops")
    iam(aws).attach_user_policy(UserName="ops", PolicyArn=admin)
    iam(aws).create_user(UserName="dev")
    iam(aws).attach_user_policy(UserName="dev", PolicyArn=customer_policy(aws, "read", READ_ONLY))
    iam(aws, STAGING).create_user(UserName="ops")
    upload(aws, [], accounts=(PROD, STAGING))
    result = assess(tmp_path, aws, CONTROL, accounts=(PROD, STAGING))
    assert [(e.resource, e.start, e.end) for e in result.exceptions] == [
        (f"account/{PROD}/user/ops", WINDOW_START, WINDOW_END)
    ]
    assert result.exceptions[0].value.startswith(f"{admin} attached")
    assert result.population == 3


def test_admin_attachment_recorded_only_by_aws_config_is_an_exception_while_the_recorder_was_on(aws, tmp_path):
    """No snapshot, no event: the user was deleted after the window and the trail's files miss the attach."""
    start_recorder(aws)
    arn = f"arn:aws:iam::{PROD}:policy/everything"
    policy = {
        "policyName": "everything",
        "arn": arn,
        "policyVersionList": [{"versionId": "v1", "isDefaultVersion": True, "document": url_encoded(ADMIN)}],
    }

    def user(when, attached: bool) -> dict:
        configuration = {"userName": "ops", "attachedManagedPolicies": [{"policyArn": arn}] if attached else []}
        return config_item("AWS::IAM::User", "AIDAOPS", PROD, "us-east-1", when, configuration, name="ops")

    upload_config(
        aws,
        [
            config_item(
                "AWS::IAM::Policy", "ANPAEVERYTHING", PROD, "us-east-1", at(20, month=6), policy, name="everything"
            ),
            user(at(20, month=6), attached=False),
            user(at(10), attached=True),
            user(at(12), attached=False),
        ],
    )
    stop = iam_event("StopConfigurationRecorder", at(11), PROD, "mallory", service="config")
    start = iam_event("StartConfigurationRecorder", at(11) + timedelta(hours=6), PROD, "alice", service="config")
    upload(aws, [stop, start])
    result = assess(tmp_path, aws, CONTROL, config=True)
    resource = f"account/{PROD}/user/ops"
    assert [(e.resource, e.start, e.end) for e in result.exceptions] == [
        (resource, at(10), at(11)),
        (resource, at(11, 18), at(12)),
    ]
    assert [(g.resource, g.start, g.end, g.value) for g in result.coverage_gaps] == [
        (resource, at(11), at(11, 18), "AWS Config recorder was off")
    ]


def test_no_iam_users_is_an_empty_population(aws, tmp_path):
    customer_policy(aws, "unattached", ADMIN)  # an admin policy attached to no user is not this control's gap
    upload(aws, [])
    result = assess(tmp_path, aws, CONTROL)
    assert (result.status, result.population) == ("operating", 0), result.reason
