"""Unreadable evidence is no evidence, not a crash: a bad object names itself, and a later run fetches it again."""

from __future__ import annotations

import gzip
import json

import pytest

from socready_sandbox.aws_iam import console_login
from tests.controls.aws_fixtures import BUCKET
from tests.controls.iam_fixtures import PROD, assess, at, log_bucket, upload

CONTROL = "ENG-IAM-03"  # every root event in the CloudTrail logs is an exception
BAD_KEY = f"AWSLogs/{PROD}/CloudTrail/us-east-1/2026/07/10/{PROD}_CloudTrail_us-east-1_20260710T1200Z_bad.json.gz"
VALID = gzip.compress(json.dumps({"Records": []}).encode(), mtime=0)

BAD_OBJECTS = {
    "not gzip": (b"this is not gzip at all", "is not a readable gzip file"),
    "truncated gzip": (VALID[: len(VALID) // 2], "is not a readable gzip file"),
    "bad JSON": (gzip.compress(b'{"Records": [', mtime=0), "is not valid JSON"),
    "wrong shape": (gzip.compress(b"[1, 2, 3]", mtime=0), "unexpected shape"),
}


@pytest.mark.parametrize("kind", list(BAD_OBJECTS))
def test_an_unreadable_log_file_makes_its_controls_no_evidence_naming_it(aws, tmp_path, kind):
    upload(aws, [console_login(at(9), PROD, "", root=True)])
    data, problem = BAD_OBJECTS[kind]
    log_bucket(aws).put_object(Bucket=BUCKET, Key=BAD_KEY, Body=data)
    result = assess(tmp_path, aws, CONTROL)
    assert result.status == "no_evidence"  # never operating, and no verdict drawn from the rest of the files
    assert problem in result.reason
    # a well-formed file of the wrong shape is named by its source; an unreadable one by its key
    assert ("aws.cloudtrail.logs" if kind == "wrong shape" else BAD_KEY) in result.reason


def test_a_later_run_fetches_an_unreadable_file_again_instead_of_carrying_it(aws, tmp_path):
    upload(aws, [console_login(at(9), PROD, "", root=True)])
    s3 = log_bucket(aws)
    s3.put_object(Bucket=BUCKET, Key=BAD_KEY, Body=b"corrupt")
    assert assess(tmp_path, aws, CONTROL).status == "no_evidence"
    s3.delete_object(Bucket=BUCKET, Key=BAD_KEY)  # the bad delivery is gone from the bucket
    again = assess(tmp_path, aws, CONTROL)
    assert again.status == "exception", again.reason  # the root login is still found: nothing lost
    assert [e.resource for e in again.exceptions] == [f"account/{PROD}/root/2026-07-09T12:00:00Z"]


def test_a_fixed_file_is_read_on_the_next_run(aws, tmp_path):
    upload(aws, [console_login(at(9), PROD, "", root=True)])
    s3 = log_bucket(aws)
    s3.put_object(Bucket=BUCKET, Key=BAD_KEY, Body=b"corrupt")
    assert assess(tmp_path, aws, CONTROL).status == "no_evidence"
    s3.put_object(Bucket=BUCKET, Key=BAD_KEY, Body=VALID)  # delivered again, readable
    assert assess(tmp_path, aws, CONTROL).status == "exception"
