"""Tamper-evident manifests: the run ledger names an edited, deleted or unledgered manifest and a broken chain."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from socready.cli import main
from socready.evidence import open_store
from tests.test_evidence_store import record_run

FIRST, SECOND, THIRD = "20261124T000000Z-aaaaaa", "20261125T000000Z-bbbbbb", "20261126T000000Z-cccccc"


@pytest.fixture
def store(tmp_path):
    store = open_store(str(tmp_path))
    for run in (FIRST, SECOND, THIRD):
        record_run(store, run)
    assert store.verify() == [] and store.verify_ledger() == []  # the decoy: an untouched store is clean
    return store


def rewrite(path: Path, edit) -> None:
    os.chmod(path, 0o644)  # stored files are read-only; tampering starts by making one writable
    body = json.loads(path.read_text())
    edit(body)
    path.write_text(json.dumps(body))


def manifest(tmp_path: Path, run: str) -> Path:
    return tmp_path / "runs" / run / "manifest.json"


def named(store) -> set[tuple[str, str]]:
    return {(p.run_id, p.problem) for p in store.verify_ledger()}


def detail(store) -> str:
    [problem] = store.verify_ledger()
    return problem.detail


def test_a_dropped_entry_is_named_with_its_run(store, tmp_path):
    dropped = json.loads(manifest(tmp_path, SECOND).read_text())["entries"][-1]
    rewrite(manifest(tmp_path, SECOND), lambda body: body["entries"].pop())
    assert named(store) == {(SECOND, "manifest changed")}
    assert f": dropped {dropped['source']} {dropped['query']} ({dropped['sha256']})" in detail(store)


def test_an_entry_pointed_at_another_object_is_named_with_its_run(store, tmp_path):
    other = store.put(b'{"trails": [{"Name": "planted"}]}')
    rewrite(manifest(tmp_path, THIRD), lambda body: body["entries"][0].update(sha256=other))
    assert store.verify(THIRD) == []  # every object it lists exists and matches: only the ledger sees the edit
    assert named(store) == {(THIRD, "manifest changed")}
    assert "redirected " in detail(store) and detail(store).endswith(f" to {other}")


def test_an_added_entry_is_named_with_its_run(store, tmp_path):
    rewrite(manifest(tmp_path, FIRST), lambda body: body["entries"].append(dict(body["entries"][0], query="extra")))
    assert named(store) == {(FIRST, "manifest changed")}
    assert ": added " in detail(store) and " extra (" in detail(store)


def test_an_edit_of_both_the_manifest_and_its_ledgered_copy_is_still_caught(store, tmp_path):
    rewrite(manifest(tmp_path, SECOND), lambda body: body["entries"].pop())
    for copy in (tmp_path / "manifests").iterdir():
        rewrite(copy, lambda body: body["entries"].pop())
    assert named(store) == {(SECOND, "manifest changed")}
    assert detail(store).endswith("is missing or changed too")


def test_a_deleted_manifest_is_a_missing_run(store, tmp_path):
    manifest(tmp_path, SECOND).unlink()
    assert named(store) == {(SECOND, "manifest removed")}


def test_a_run_dropped_from_the_ledger_breaks_the_chain_and_is_named(store, tmp_path):
    (tmp_path / "ledger" / "00000002.json").unlink()
    found = named(store)
    assert (SECOND, "run not in ledger") in found
    assert (THIRD, "ledger gap") in found and (THIRD, "ledger changed") in found
    assert not {p for p in found if p[0] == FIRST}  # the entries before the break are intact


def test_an_edited_ledger_entry_breaks_the_chain_after_it(store, tmp_path):
    rewrite(tmp_path / "ledger" / "00000001.json", lambda body: body.update(manifest_sha256="0" * 64))
    found = named(store)
    assert (FIRST, "manifest changed") in found and (SECOND, "ledger changed") in found


def test_verify_prints_each_problem_and_fails(store, tmp_path, capsys):
    assert main(["evidence", "verify", "--store", str(tmp_path)]) == 0
    rewrite(manifest(tmp_path, SECOND), lambda body: body["entries"].pop())
    assert main(["evidence", "verify", "--store", str(tmp_path)]) == 1
    out = capsys.readouterr().out
    assert f"MANIFEST CHANGED: run {SECOND}" in out and FIRST not in out.split("MANIFEST CHANGED")[1]


def test_a_manifest_that_no_longer_parses_is_named_not_a_crash(store, tmp_path, capsys):
    path = manifest(tmp_path, FIRST)
    os.chmod(path, 0o644)
    path.write_text("{not json")
    assert main(["evidence", "verify", "--store", str(tmp_path)]) == 1
    assert f"MANIFEST CHANGED: run {FIRST}" in capsys.readouterr().out


def write_keys(folder: Path) -> tuple[Path, Path]:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    private = Ed25519PrivateKey.generate()
    private_path, public_path = folder / "ledger-key.pem", folder / "ledger-key.pub.pem"
    private_path.write_bytes(
        private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )
    public_path.write_bytes(
        private.public_key().public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    )
    return private_path, public_path


def test_a_signed_ledger_head_is_checked_with_the_public_key(store, tmp_path, capsys):
    keys = tmp_path / "keys"
    keys.mkdir()
    private, public = write_keys(keys)
    (tmp_path / "other").mkdir()
    _, stranger = write_keys(tmp_path / "other")  # a different pair: its public key must not verify
    store_dir = str(tmp_path)
    assert main(["evidence", "verify", "--store", store_dir, "--key", str(public)]) == 1  # nothing signed yet
    assert main(["evidence", "sign", "--store", store_dir, "--key", str(private)]) == 0
    assert main(["evidence", "verify", "--store", store_dir, "--key", str(public)]) == 0
    assert main(["evidence", "verify", "--store", store_dir, "--key", str(stranger)]) == 1
    out = capsys.readouterr().out
    assert "SIGNATURE OK: ledger/00000003.json signed" in out and "SIGNATURE FAILED" in out


def test_a_re_chained_ledger_fails_the_signature(store, tmp_path, capsys):
    """Someone who rewrites a manifest and recomputes every ledger entry after it cannot re-sign the head."""
    from socready.evidence.ledger import sha256_of

    keys = tmp_path / "keys"
    keys.mkdir()
    private, public = write_keys(keys)
    assert main(["evidence", "sign", "--store", str(tmp_path), "--key", str(private)]) == 0
    rewrite(manifest(tmp_path, THIRD), lambda body: body["entries"].pop())
    new_sha = sha256_of(manifest(tmp_path, THIRD).read_bytes())
    rewrite(tmp_path / "ledger" / "00000003.json", lambda body: body.update(manifest_sha256=new_sha))
    assert store.verify_ledger() == []  # the chain alone is consistent again
    assert main(["evidence", "verify", "--store", str(tmp_path), "--key", str(public)]) == 1
    assert "SIGNATURE FAILED" in capsys.readouterr().out
