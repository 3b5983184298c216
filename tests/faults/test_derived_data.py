"""Derived data is never trusted blindly: an edited CloudTrail parse cache is rebuilt from raw evidence, so the
verdict stands, and `evidence verify` names the edited file."""

from __future__ import annotations

import gzip
import json
import os

from socready.cli import main
from socready.evidence import open_store
from socready_sandbox.aws_iam import console_login
from tests.controls.iam_fixtures import PROD, assess, at, upload

CONTROL = "ENG-IAM-03"  # every root event in the CloudTrail logs is an exception


def strip_root_events(path) -> None:
    """What the probe did: remove the root user's events from the cache, leaving a well-formed file."""
    body = json.loads(gzip.decompress(path.read_bytes()))
    body["events"] = [e for e in body["events"] if "Root" not in e]
    os.chmod(path, 0o644)
    path.write_bytes(gzip.compress(json.dumps(body).encode(), mtime=0))


def test_an_edited_parse_cache_is_rebuilt_and_named_by_verify(aws, tmp_path, capsys):
    upload(aws, [console_login(at(9), PROD, "", root=True), console_login(at(10), PROD, "alice")])
    first = assess(tmp_path, aws, CONTROL)
    assert first.status == "exception"
    caches = sorted((tmp_path / "evidence" / "derived" / "cache").rglob("*.json.gz"))
    assert caches
    store = open_store(str(tmp_path / "evidence"))
    assert store.verify_derived() == []  # the decoy: an untouched cache is clean
    for cache in caches:
        strip_root_events(cache)
    again = assess(tmp_path, aws, CONTROL)
    assert again.status == "exception", again.reason  # the verdict comes from the raw logs, not the edit
    assert [e.resource for e in again.exceptions] == [e.resource for e in first.exceptions]
    changed = store.verify_derived()
    assert changed and all(key.startswith("derived/cache/cloudtrail/") for key in changed)
    assert main(["evidence", "verify", "--store", str(tmp_path / "evidence")]) == 1
    assert "DERIVED CHANGED: derived/cache/cloudtrail/" in capsys.readouterr().out
