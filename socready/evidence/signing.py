"""Ed25519 signatures over the run ledger's head, with a key the user holds: a signed head fixes every entry
before it, so even someone able to rewrite the whole store cannot re-chain it without the private key."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from socready.errors import EvidenceError
from socready.evidence import ledger
from socready.evidence.backends import Backend

PREFIX = "ledger-signatures/"


@dataclass(frozen=True)
class SignatureCheck:
    ok: bool
    detail: str


def _load(path: Path, private: bool):
    try:
        data = path.read_bytes()
        key = serialization.load_pem_private_key(data, None) if private else serialization.load_pem_public_key(data)
    except (OSError, ValueError, TypeError) as exc:
        kind = "private" if private else "public"
        raise EvidenceError(f"{path}: not a readable unencrypted Ed25519 {kind} key in PEM ({exc})") from None
    if not isinstance(key, Ed25519PrivateKey if private else Ed25519PublicKey):
        raise EvidenceError(f"{path}: the key is not an Ed25519 key")
    return key


def sign_head(backend: Backend, key_path: Path) -> str:
    """Signs the newest ledger entry; returns the signature's key in the store."""
    keys = sorted(backend.keys(ledger.PREFIX))
    if not keys:
        raise EvidenceError(f"{backend.location}: the run ledger is empty; run socready first")
    head = backend.get(keys[-1])
    signature = _load(key_path, private=True).sign(head)
    name = f"{PREFIX}{keys[-1].removeprefix(ledger.PREFIX).removesuffix('.json')}.sig.json"
    body = json.dumps({"entry": keys[-1], "sha256": ledger.sha256_of(head), "ed25519": signature.hex()}).encode()
    backend.put_new(name, body)
    return name


def check_signature(backend: Backend, key_path: Path) -> SignatureCheck:
    """The newest signature is valid for its ledger entry as stored now (the chain check covers the rest)."""
    public = _load(key_path, private=False)
    signatures = sorted(backend.keys(PREFIX))
    if not signatures:
        return SignatureCheck(False, "no signed ledger head: sign one with `socready evidence sign --key`")
    record = json.loads(backend.get(signatures[-1]))
    if not backend.exists(record["entry"]):
        return SignatureCheck(False, f"{signatures[-1]}: the signed entry {record['entry']} is missing")
    try:
        public.verify(bytes.fromhex(record["ed25519"]), backend.get(record["entry"]))
    except (InvalidSignature, ValueError):  # a forged or garbled signature
        return SignatureCheck(False, f"{signatures[-1]}: the signature does not match {record['entry']} as stored")
    later = len([k for k in backend.keys(ledger.PREFIX) if k > record["entry"]])
    unsigned = f"; {later} later run(s) not yet signed" if later else ""
    return SignatureCheck(True, f"{record['entry']} signed{unsigned}")
