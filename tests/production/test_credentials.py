"""Secrets from Prefect blocks named in the scope, else the worker's environment; the scope from a file, S3 or a
parameter."""

from __future__ import annotations

import boto3
import pytest
import yaml
from pydantic import ValidationError

from socready.credentials import aws_session, jira_token
from socready.errors import ScopeError
from socready.scope import read_scope, scope_from_text
from socready.scope.models import AwsSpec, JiraSpec

JIRA = {"url": "https://example.atlassian.net", "user": "bot@example.com"}
AWS = {"accounts": [{"id": "111111111111"}], "regions": ["us-east-1"]}
SETTINGS = {"organization": "Acme", "window": {"start": "2026-05-01", "end": "2026-10-31"}}


def test_block_settings_default_to_the_environment_and_refuse_a_secret():
    assert JiraSpec(**JIRA).token_block is None and AwsSpec(**AWS).credentials_block is None
    assert JiraSpec(**JIRA, token_block="jira-token").token_block == "jira-token"
    assert AwsSpec(**AWS, credentials_block="prod-collector").credentials_block == "prod-collector"
    for pasted in ("ATATT3xFfGF0abc", "Jira Token", "aB3dE5gH7jK9mN1pQ"):
        with pytest.raises(ValidationError, match="must name a Prefect block"):
            JiraSpec(**JIRA, token_block=pasted)
        scope = {**SETTINGS, "jira": {**JIRA, "token_block": pasted}}
        with pytest.raises(ScopeError, match=r"jira\.token_block: must name a Prefect block") as refused:
            scope_from_text(yaml.safe_dump(scope))
        assert pasted not in str(refused.value)  # what the user reads never repeats it


def test_the_jira_token_comes_from_the_secret_block_when_named(prefect_harness, monkeypatch):
    from prefect.blocks.system import Secret

    Secret(value="token-from-block").save("socready-test-jira", overwrite=True)
    monkeypatch.setenv("JIRA_API_TOKEN", "token-from-environment")
    assert jira_token(JiraSpec(**JIRA, token_block="socready-test-jira"), ScopeError) == "token-from-block"
    assert jira_token(JiraSpec(**JIRA), ScopeError) == "token-from-environment"
    monkeypatch.delenv("JIRA_API_TOKEN")
    with pytest.raises(ScopeError, match=r"JIRA_API_TOKEN .*not set.*jira\.token_block"):
        jira_token(JiraSpec(**JIRA), ScopeError)


def test_a_missing_block_names_the_block_and_the_setting(prefect_harness):
    with pytest.raises(ScopeError, match=r"secret block 'no-such-block' \(scope jira.token_block\) cannot be loaded"):
        jira_token(JiraSpec(**JIRA, token_block="no-such-block"), ScopeError)


def test_aws_credentials_come_from_the_block_when_named(prefect_harness, aws, monkeypatch):
    from prefect_aws import AwsCredentials

    AwsCredentials(
        aws_access_key_id="AKIABLOCKKEY", aws_secret_access_key="block-secret", region_name="eu-west-1"
    ).save("socready-test-aws", overwrite=True)
    session = aws_session(AwsSpec(**AWS, credentials_block="socready-test-aws"), ScopeError)
    assert session.get_credentials().access_key == "AKIABLOCKKEY" and session.region_name == "eu-west-1"
    ambient = aws_session(AwsSpec(**AWS), ScopeError)  # the worker's own: here the test's environment
    assert ambient.get_credentials().access_key != "AKIABLOCKKEY"


def test_the_scope_is_read_from_a_file_s3_or_the_settings_themselves(aws, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    path = tmp_path / "socready.yaml"
    path.write_text(yaml.safe_dump(SETTINGS))
    s3 = boto3.client("s3", endpoint_url=aws, region_name="us-east-1")
    s3.create_bucket(Bucket="scopes")
    s3.put_object(Bucket="scopes", Key="acme/socready.yaml", Body=path.read_bytes())
    monkeypatch.setenv("AWS_ENDPOINT_URL", aws)
    from_file, from_s3, inline = (
        read_scope(str(path)),
        read_scope("s3://scopes/acme/socready.yaml"),
        read_scope(None, SETTINGS),
    )
    assert from_file == from_s3 == inline and inline.organization == "Acme"
    assert inline.evidence_store == str(tmp_path / "evidence")  # relative to the working folder
    with pytest.raises(ScopeError, match="cannot read the scope file"):
        read_scope("s3://scopes/missing.yaml")
    with pytest.raises(ScopeError, match="give the scope once"):
        read_scope(str(path), SETTINGS)
    with pytest.raises(ScopeError, match="parameter scope_settings: invalid scope file"):
        read_scope(None, {"organization": "Acme"})
