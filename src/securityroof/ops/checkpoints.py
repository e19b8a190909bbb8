"""Signed checkpoints of the audit log (RFC 9162 §4.10, signed tree heads): the
log's Ed25519 key and the checkpoints it signs (`securityroof.ops.audit`)."""

from __future__ import annotations

import hashlib
import os
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from securityroof.ops.commitments import canonical_json

# The log's name in every signed message.
LOG_ID = "securityroof-audit-v1"

# --- Signed checkpoints (RFC 9162 §4.10, signed tree heads) --------------------------------

_CHECKPOINT_FIELDS = ("tree_size", "root_hash", "issued_at", "key_id", "signature")


def is_hex(value: object, length: int) -> bool:
    return (
        isinstance(value, str)
        and len(value) == length
        and all(c in "0123456789abcdef" for c in value)
    )


def _check_utc_time(value: object, name: str) -> None:
    if not isinstance(value, str):
        raise ValueError(f"checkpoint {name} must be an ISO-8601 UTC time string, got {value!r}")
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ValueError(f"checkpoint {name} is not an ISO-8601 time: {value!r}") from None
    if parsed.utcoffset() != timedelta(0):
        raise ValueError(f"checkpoint {name} must be in UTC (Z or +00:00): {value!r}")


def _signed_message(tree_size: int, root_hash: str, issued_at: str) -> bytes:
    return canonical_json(
        {"tree_size": tree_size, "root_hash": root_hash, "issued_at": issued_at, "log": LOG_ID}
    )


@dataclass(frozen=True)
class Checkpoint:
    """A signed tree head: the log's word that its first ``tree_size`` entries hash to a root."""

    tree_size: int
    root_hash: str
    issued_at: str
    key_id: str
    signature: str

    def __post_init__(self) -> None:
        if not isinstance(self.tree_size, int) or isinstance(self.tree_size, bool):
            raise ValueError(f"checkpoint tree_size must be an integer, got {self.tree_size!r}")
        if self.tree_size < 0:
            raise ValueError(f"checkpoint tree_size must not be negative, got {self.tree_size}")
        if not is_hex(self.root_hash, 64):
            raise ValueError(f"checkpoint root_hash must be 64 lowercase hex, {self.root_hash!r}")
        _check_utc_time(self.issued_at, "issued_at")
        if not is_hex(self.key_id, 16):
            raise ValueError(f"checkpoint key_id must be 16 lowercase hex, got {self.key_id!r}")
        if not is_hex(self.signature, 128):
            raise ValueError("checkpoint signature must be 128 lowercase hex (64-byte Ed25519)")

    def to_json(self) -> dict[str, int | str]:
        """The checkpoint as a JSON-ready dict."""
        return {name: getattr(self, name) for name in _CHECKPOINT_FIELDS}

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Checkpoint:
        """A checkpoint from its JSON dict; ValueError naming the problem if malformed."""
        if not isinstance(data, Mapping):
            raise ValueError(f"a checkpoint must be a JSON object, got {type(data).__name__}")
        missing = [name for name in _CHECKPOINT_FIELDS if name not in data]
        if missing:
            raise ValueError(f"checkpoint is missing field(s): {', '.join(missing)}")
        unknown = sorted(str(name) for name in data if name not in _CHECKPOINT_FIELDS)
        if unknown:
            raise ValueError(f"checkpoint has unknown field(s): {', '.join(unknown)}")
        return cls(**{name: data[name] for name in _CHECKPOINT_FIELDS})


def _key_id(public_key: Ed25519PublicKey) -> str:
    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


class LogSigner:
    """The log's Ed25519 signing key."""

    def __init__(self, private_key: Ed25519PrivateKey) -> None:
        self._key = private_key

    @classmethod
    def generate(cls) -> LogSigner:
        return cls(Ed25519PrivateKey.generate())

    @classmethod
    def load_or_create(cls, path: Path) -> LogSigner:
        """The key in ``path`` (PEM, PKCS#8); a new one written there, mode 0600, if none.

        The new key goes to a temporary file in the same directory that is then linked into
        place, so no reader ever sees half a key and two processes starting at once end up
        with the one key that won (os.replace is the fallback where links are not supported).
        """
        path = Path(path)
        if path.exists():
            return cls.load(path)
        path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        key = Ed25519PrivateKey.generate()
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, 0o600)
            with os.fdopen(fd, "wb") as handle:
                handle.write(pem)
                handle.flush()
                os.fsync(handle.fileno())
            try:
                os.link(tmp_name, path)
            except FileExistsError:
                return cls.load(path)
            except OSError:
                os.replace(tmp_name, path)
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
        return cls(key)

    @classmethod
    def load(cls, path: Path) -> LogSigner:
        """The key in ``path``; never creates one (OSError if missing, ValueError if no key)."""
        key = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(key, Ed25519PrivateKey):
            raise ValueError(f"{path}: not an Ed25519 private key")
        return cls(key)

    def public_key_pem(self) -> str:
        return (
            self._key.public_key()
            .public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
            .decode()
        )

    @property
    def key_id(self) -> str:
        """First 16 hex characters of sha256 of the raw public key."""
        return _key_id(self._key.public_key())

    def sign_bytes(self, message: bytes) -> str:
        """An Ed25519 signature of any message, hex (for documents other than checkpoints)."""
        return self._key.sign(message).hex()

    def sign(self, tree_size: int, root_hash_hex: str, issued_at: str) -> Checkpoint:
        """A checkpoint for the tree head (tree_size, root_hash_hex); ValueError if malformed."""
        signature = self._key.sign(_signed_message(tree_size, root_hash_hex, issued_at))
        return Checkpoint(tree_size, root_hash_hex, issued_at, self.key_id, signature.hex())


def verify_checkpoint(checkpoint: Checkpoint, public_key_pem: str) -> bool:
    """Whether the checkpoint was signed by this key; ValueError if the PEM is no Ed25519 key."""
    key = serialization.load_pem_public_key(public_key_pem.encode())
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key")
    if checkpoint.key_id != _key_id(key):
        return False
    message = _signed_message(checkpoint.tree_size, checkpoint.root_hash, checkpoint.issued_at)
    try:
        key.verify(bytes.fromhex(checkpoint.signature), message)
    except (InvalidSignature, ValueError):
        return False
    return True


def verify_bytes(message: bytes, signature_hex: str, public_key_pem: str) -> bool:
    """Whether `signature_hex` is this key's Ed25519 signature of `message`."""
    try:
        key = serialization.load_pem_public_key(public_key_pem.encode())
    except ValueError:
        return False
    if not isinstance(key, Ed25519PublicKey):
        return False
    try:
        key.verify(bytes.fromhex(signature_hex), message)
    except (InvalidSignature, ValueError):
        return False
    return True
