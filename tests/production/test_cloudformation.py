"""The AWS side as code: cfn-lint and checkov clean, the collector role's policy is the generated one, and the
evidence bucket is locked, versioned, KMS-encrypted, TLS-only and private."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from cfnlint.decode import decode_str

from connectors.policy import collector_policy

ROOT = Path(__file__).resolve().parents[2]
TEMPLATES = ROOT / "infra/cloudformation"
CHECKOV = ROOT / ".venv-checkov/bin/checkov"  # its own venv (`make checkov`): checkov pins boto3 1.35


def template(name: str) -> dict:
    parsed, problems = decode_str((TEMPLATES / name).read_text())
    assert not problems, problems
    return parsed


def resolve(value, parameters: dict):
    """The few intrinsic functions the generated policy uses, evaluated with the given parameter values."""
    if isinstance(value, list):
        return [resolve(v, parameters) for v in value]
    if not isinstance(value, dict):
        return value
    if set(value) == {"Ref"}:
        return parameters[value["Ref"]]
    if set(value) == {"Fn::Join"}:
        separator, items = value["Fn::Join"]
        return separator.join(resolve(items, parameters))
    if set(value) == {"Fn::Split"}:
        separator, text = value["Fn::Split"]
        return resolve(text, parameters).split(separator)
    if set(value) == {"Fn::Sub"}:
        text, names = value["Fn::Sub"]
        for name, bound in names.items():
            text = text.replace(f"${{{name}}}", resolve(bound, parameters))
        return text
    return {k: resolve(v, parameters) for k, v in value.items()}


def test_the_collector_role_policy_is_the_generated_one():
    role = template("collector-role.yaml")["Resources"]["CollectorRole"]["Properties"]
    [policy] = role["Policies"]
    buckets = ["org-cloudtrail-logs", "org-config-history"]
    assert resolve(policy["PolicyDocument"], {"LogBucketNames": buckets}) == collector_policy(buckets)
    assert resolve(policy["PolicyDocument"], {"LogBucketNames": ["one"]}) == collector_policy(["one"])
    spec = importlib.util.spec_from_file_location("generate", TEMPLATES / "generate.py")
    generate = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(generate)
    text = (TEMPLATES / "collector-role.yaml").read_text()
    assert generate.render(text) == text, "regenerate: make generated"


def test_the_collector_role_needs_the_external_id_and_lasts_an_hour():
    role = template("collector-role.yaml")["Resources"]["CollectorRole"]["Properties"]
    assert role["MaxSessionDuration"] == 3600
    [trust] = role["AssumeRolePolicyDocument"]["Statement"]
    assert trust["Principal"] == {"AWS": {"Ref": "TrustedPrincipalArn"}}
    assert trust["Condition"] == {"StringEquals": {"sts:ExternalId": {"Ref": "ExternalId"}}}


def test_the_stack_set_deploys_the_role_to_every_account_of_the_units():
    parsed = template("collector-stackset.yaml")
    stack_set = parsed["Resources"]["CollectorRoles"]["Properties"]
    assert stack_set["PermissionModel"] == "SERVICE_MANAGED" and stack_set["AutoDeployment"]["Enabled"] is True
    role_parameters = set(template("collector-role.yaml")["Parameters"])
    passed = {p["ParameterKey"] for p in stack_set["Parameters"]}
    required = {name for name, p in template("collector-role.yaml")["Parameters"].items() if "Default" not in p}
    assert required <= passed <= role_parameters


def test_the_evidence_bucket_is_locked_versioned_encrypted_tls_only_and_private():
    parsed = template("evidence-bucket.yaml")
    assert parsed["Parameters"]["RetentionDays"]["Default"] == 730  # a 12-month window plus a year
    bucket = parsed["Resources"]["EvidenceBucket"]["Properties"]
    assert bucket["ObjectLockEnabled"] is True
    lock = bucket["ObjectLockConfiguration"]
    assert lock["Rule"]["DefaultRetention"] == {"Mode": "COMPLIANCE", "Days": {"Ref": "RetentionDays"}}
    assert bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    [encryption] = bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert encryption["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert parsed["Resources"]["EvidenceKey"]["Properties"]["EnableKeyRotation"] is True
    assert set(bucket["PublicAccessBlockConfiguration"].values()) == {True}
    assert len(bucket["PublicAccessBlockConfiguration"]) == 4
    statements = parsed["Resources"]["EvidenceBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    tls = next(s for s in statements if s["Sid"] == "DenyWithoutTls")
    assert tls["Effect"] == "Deny" and tls["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}


def run(*command: str) -> subprocess.CompletedProcess:
    # checkov asks its vendor's servers for guidelines unless told not to; no test talks to the internet
    env = os.environ | {"BC_SKIP_MAPPING": "TRUE", "CHECKOV_RUN_SCA_PACKAGE_SCAN_V2": "false"}
    return subprocess.run(command, capture_output=True, text=True, timeout=600, env=env)


def test_cfn_lint_is_clean():
    done = run(str(Path(sys.executable).with_name("cfn-lint")), *map(str, sorted(TEMPLATES.glob("*.yaml"))))
    assert done.returncode == 0 and not done.stdout.strip(), done.stdout + done.stderr


def test_checkov_is_clean_and_every_skip_is_justified():
    if not CHECKOV.exists():
        pytest.fail(f"{CHECKOV} is missing: run `make checkov` (checkov pins boto3 1.35, so it has its own venv)")
    done = run(str(CHECKOV), "-d", str(TEMPLATES), "--framework", "cloudformation", "--compact", "--skip-download")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "Failed checks: 0" in done.stdout
    for text in (TEMPLATES / name for name in ("evidence-bucket.yaml", "collector-role.yaml")):
        lines = text.read_text().splitlines()
        for number, line in enumerate(lines):
            if line.strip().startswith("- id: CKV"):
                assert lines[number + 1].strip().startswith("comment:"), f"{text.name}: {line.strip()} unjustified"
