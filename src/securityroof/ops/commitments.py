"""Payload commitments of the audit log: the one canonical encoding that is
hashed, fresh salts, and salted hashes of payloads and exercise seeds, so a
party that may not read a payload still verifies the log (`securityroof.ops.audit`)."""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Mapping
from typing import Any


def canonical_json(obj: Any) -> bytes:
    """The one byte encoding of ``obj`` that is hashed: sorted keys, no spaces, UTF-8, no NaN."""
    text = json.dumps(
        obj, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
    return text.encode()


def new_salt() -> str:
    """16 fresh random bytes, hex: it hides a payload from anyone who guesses its content."""
    return secrets.token_hex(16)


def commit(payload: Mapping[str, Any], salt_hex: str) -> str:
    """The payload commitment: sha256(salt || canonical_json(payload)), hex."""
    return hashlib.sha256(bytes.fromhex(salt_hex) + canonical_json(payload)).hexdigest()


def seed_commitment(exercise_id: int, seed: int, salt_hex: str) -> str:
    """The commitment to an exercise's secret seed, published when it starts."""
    return commit({"exercise_id": exercise_id, "seed": str(seed)}, salt_hex)
