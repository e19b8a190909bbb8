"""A tamper-evident audit log, built the way Certificate Transparency builds its logs (RFC 9162).

Every entry is hashed as a Merkle leaf (RFC 9162 §2.1.1) and that same hash links it to the
next entry, so the log is both a hash chain and a Merkle tree. The log signs tree heads
(*checkpoints*, RFC 9162 §4.10) with Ed25519; a party that keeps a checkpoint can later show
that the first ``tree_size`` entries were not rewritten, even by someone who recomputed every
hash. Payloads are committed to with a salted hash, so a party that may not read an entry's
payload still verifies the whole log from the redacted entry.

This module is pure: no database, no web, no clock. Sequence numbers start at ``FIRST_SEQ`` and
the entry with seq ``s`` is Merkle leaf ``s - FIRST_SEQ``.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import tempfile
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

GENESIS_HASH = "0" * 64
LOG_ID = "securityroof-audit-v1"
FIRST_SEQ = 1
EMPTY_ROOT = hashlib.sha256(b"").digest()

Problem = Literal[
    "changed",
    "removed",
    "reordered",
    "inserted",
    "payload-mismatch",
    "checkpoint-mismatch",
    "bad-signature",
    "fork",
    "seed-mismatch",
    "state-mismatch",
]


# --- Payload commitments -------------------------------------------------------------------


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


# --- Entries -------------------------------------------------------------------------------


@dataclass(frozen=True)
class AuditEntry:
    """One log entry; ``payload`` and ``salt`` are None when redacted for the reader."""

    seq: int
    kind: str
    recorded_at: str
    exercise_id: int | None
    payload_hash: str
    prev_hash: str
    entry_hash: str
    payload: dict[str, Any] | None = None
    salt: str | None = None


def entry_leaf(
    seq: int,
    kind: str,
    recorded_at: str,
    exercise_id: int | None,
    payload_hash: str,
    prev_hash: str,
) -> bytes:
    """The Merkle leaf input of an entry: the canonical JSON of its header fields."""
    return canonical_json(
        {
            "seq": seq,
            "kind": kind,
            "recorded_at": recorded_at,
            "exercise_id": exercise_id,
            "payload_hash": payload_hash,
            "prev_hash": prev_hash,
        }
    )


def _leaf_hash(leaf: bytes) -> bytes:
    """RFC 9162 §2.1.1: MTH({d(0)}) = HASH(0x00 || d(0))."""
    return hashlib.sha256(b"\x00" + leaf).digest()


def _node_hash(left: bytes, right: bytes) -> bytes:
    """RFC 9162 §2.1.1: an interior node is HASH(0x01 || left || right)."""
    return hashlib.sha256(b"\x01" + left + right).digest()


def _recomputed_hash(e: AuditEntry) -> str:
    """The entry hash its header fields give now."""
    leaf = entry_leaf(e.seq, e.kind, e.recorded_at, e.exercise_id, e.payload_hash, e.prev_hash)
    return _leaf_hash(leaf).hex()


def make_entry(
    seq: int,
    kind: str,
    recorded_at: str,
    exercise_id: int | None,
    payload: dict[str, Any],
    prev_hash: str,
    salt: str | None = None,
) -> AuditEntry:
    """A new entry chained to ``prev_hash`` (GENESIS_HASH for the first); draws a salt if None."""
    if not _is_hex(prev_hash, 64):
        raise ValueError(f"prev_hash must be 64 lowercase hex characters, got {prev_hash!r}")
    salt = new_salt() if salt is None else salt
    payload_hash = commit(payload, salt)
    leaf = entry_leaf(seq, kind, recorded_at, exercise_id, payload_hash, prev_hash)
    entry_hash = _leaf_hash(leaf).hex()
    return AuditEntry(
        seq, kind, recorded_at, exercise_id, payload_hash, prev_hash, entry_hash, payload, salt
    )


def redacted(entry: AuditEntry) -> AuditEntry:
    """The entry as shown to a party that may not read its payload."""
    return replace(entry, payload=None, salt=None)


def leaf_hashes(entries: Iterable[AuditEntry]) -> list[bytes]:
    """The stored entry hashes as raw 32-byte Merkle leaf hashes, in log order."""
    return [bytes.fromhex(entry.entry_hash) for entry in entries]


# --- Merkle tree (RFC 9162 §2.1) -----------------------------------------------------------


def _split(n: int) -> int:
    """The largest power of two strictly less than ``n`` (n >= 2), RFC 9162 §2.1.1."""
    return 1 << ((n - 1).bit_length() - 1)


class CompactRange:
    """The roots of the perfect subtrees that make up a growing tree, largest first.

    The RFC 9162 tree of n leaves splits into perfect subtrees of the sizes of n's binary
    digits; folding their roots from the right gives MTH (§2.1.1) in O(n) hashes overall.
    """

    def __init__(self) -> None:
        self.sizes: list[int] = []
        self.roots: list[bytes] = []

    def append(self, leaf_hash: bytes) -> None:
        self.sizes.append(1)
        self.roots.append(leaf_hash)
        while len(self.sizes) > 1 and self.sizes[-1] == self.sizes[-2]:
            right = self.roots.pop()
            self.sizes.pop()
            self.roots[-1] = _node_hash(self.roots[-1], right)
            self.sizes[-1] *= 2

    def root(self) -> bytes:
        if not self.roots:
            return EMPTY_ROOT
        result = self.roots[-1]
        for left in reversed(self.roots[:-1]):
            result = _node_hash(left, result)
        return result


def _range_root(leaves: Sequence[bytes], lo: int, hi: int) -> bytes:
    compact = CompactRange()
    for i in range(lo, hi):
        compact.append(leaves[i])
    return compact.root()


def merkle_root(leaf_hashes: Sequence[bytes]) -> bytes:
    """MTH(D[n]) of RFC 9162 §2.1.1; the empty tree hashes to sha256(b"")."""
    return _range_root(leaf_hashes, 0, len(leaf_hashes))


def inclusion_proof(leaf_hashes: Sequence[bytes], index: int) -> list[bytes]:
    """PATH(index, D[n]) of RFC 9162 §2.1.3.1, the sibling nearest the leaf first."""
    if not 0 <= index < len(leaf_hashes):
        raise ValueError(f"index {index} is outside a tree of {len(leaf_hashes)} leaves")
    path: list[bytes] = []
    lo, hi = 0, len(leaf_hashes)
    while hi - lo > 1:
        k = _split(hi - lo)
        if index < lo + k:
            path.append(_range_root(leaf_hashes, lo + k, hi))
            hi = lo + k
        else:
            path.append(_range_root(leaf_hashes, lo, lo + k))
            lo += k
    return path[::-1]


def verify_inclusion(
    leaf_hash: bytes, index: int, tree_size: int, proof: Sequence[bytes], root: bytes
) -> bool:
    """Whether ``proof`` puts leaf ``index`` of a ``tree_size`` tree under ``root`` (§2.1.3.2)."""
    if not 0 <= index < tree_size:
        return False
    fn, sn = index, tree_size - 1
    r = leaf_hash
    for p in proof:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            r = _node_hash(p, r)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            r = _node_hash(r, p)
        fn, sn = fn >> 1, sn >> 1
    return sn == 0 and r == root


def consistency_proof(leaf_hashes: Sequence[bytes], old_size: int) -> list[bytes]:
    """PROOF(old_size, D[n]) of RFC 9162 §2.1.4.1: the tree of old_size is a prefix of this one."""
    n = len(leaf_hashes)
    if not 0 <= old_size <= n:
        raise ValueError(f"old size {old_size} is outside 0..{n}")
    if old_size == 0:
        return []
    proof: list[bytes] = []
    lo, hi, m, known = 0, n, old_size, True
    while m != hi - lo:
        k = _split(hi - lo)
        if m <= k:
            proof.append(_range_root(leaf_hashes, lo + k, hi))
            hi = lo + k
        else:
            proof.append(_range_root(leaf_hashes, lo, lo + k))
            lo, m, known = lo + k, m - k, False
    if not known:
        proof.append(_range_root(leaf_hashes, lo, hi))
    return proof[::-1]


def verify_consistency(
    old_size: int, new_size: int, old_root: bytes, new_root: bytes, proof: Sequence[bytes]
) -> bool:
    """Whether ``proof`` shows the old tree is a prefix of the new one (RFC 9162 §2.1.4.2)."""
    if not 0 <= old_size <= new_size:
        return False
    if old_size == 0:
        return not proof and old_root == EMPTY_ROOT
    if old_size == new_size:
        return not proof and old_root == new_root
    if not proof:
        return False
    path = list(proof)
    if old_size & (old_size - 1) == 0:
        path.insert(0, old_root)
    fn, sn = old_size - 1, new_size - 1
    while fn & 1:
        fn, sn = fn >> 1, sn >> 1
    fr = sr = path[0]
    for c in path[1:]:
        if sn == 0:
            return False
        if fn & 1 or fn == sn:
            fr, sr = _node_hash(c, fr), _node_hash(c, sr)
            while not fn & 1 and fn != 0:
                fn, sn = fn >> 1, sn >> 1
        else:
            sr = _node_hash(sr, c)
        fn, sn = fn >> 1, sn >> 1
    return fr == old_root and sr == new_root and sn == 0


def tree_head(entries: Sequence[AuditEntry]) -> tuple[int, str]:
    """(tree_size, root hash hex) of the log as stored: what the log signs."""
    return len(entries), merkle_root(leaf_hashes(entries)).hex()


# --- Signed checkpoints (RFC 9162 §4.10, signed tree heads) --------------------------------

_CHECKPOINT_FIELDS = ("tree_size", "root_hash", "issued_at", "key_id", "signature")


def _is_hex(value: object, length: int) -> bool:
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
        if not _is_hex(self.root_hash, 64):
            raise ValueError(f"checkpoint root_hash must be 64 lowercase hex, {self.root_hash!r}")
        _check_utc_time(self.issued_at, "issued_at")
        if not _is_hex(self.key_id, 16):
            raise ValueError(f"checkpoint key_id must be 16 lowercase hex, got {self.key_id!r}")
        if not _is_hex(self.signature, 128):
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


# --- Verification --------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    """One thing wrong with the log; ``seq`` is None for a finding about a checkpoint."""

    seq: int | None
    problem: Problem
    detail: str


def _span(first: int, last: int) -> str:
    return f"entry {first}" if first == last else f"entries {first} to {last}"


def _written_seqs(entries: Sequence[AuditEntry], intact: Sequence[bool]) -> list[int | None]:
    """The seq each entry's hash vouches for: its own if intact, None if its content changed.

    An entry whose only change is its seq (renumbered to hide an insertion, removal or swap)
    still hashes right under the seq it was written with; that seq is looked for next to the
    entry it is chained to, then one either side of its present seq.
    """
    written: list[int | None] = []
    seq_of_hash = {GENESIS_HASH: FIRST_SEQ - 1}
    for entry, ok in zip(entries, intact, strict=True):
        seq: int | None = entry.seq
        if not ok:
            linked = seq_of_hash.get(entry.prev_hash)
            candidates = [] if linked is None else [linked + 1]
            candidates += [entry.seq - 1, entry.seq + 1]
            seq = next(
                (
                    c
                    for c in candidates
                    if _recomputed_hash(replace(entry, seq=c)) == entry.entry_hash
                ),
                None,
            )
        written.append(seq)
        if seq is not None:
            seq_of_hash.setdefault(entry.entry_hash, seq)
    return written


def _content_findings(
    entries: Sequence[AuditEntry], written: Sequence[int | None]
) -> list[Finding]:
    """Changed headers, renumbered runs of entries, payloads that no longer match."""
    found: list[Finding] = []
    runs: list[list[int]] = []  # [first seq, last seq, first written seq, last written seq]
    for entry, seq in zip(entries, written, strict=True):
        if seq is None:
            text = "its content no longer matches its hash (changed after it was written)"
            found.append(Finding(entry.seq, "changed", f"entry {entry.seq}: {text}"))
        elif seq != entry.seq:
            if runs and runs[-1][1] + 1 == entry.seq and runs[-1][3] + 1 == seq:
                runs[-1][1], runs[-1][3] = entry.seq, seq
            else:
                runs.append([entry.seq, entry.seq, seq, seq])
        if entry.payload is not None:
            try:
                ok = (
                    entry.salt is not None
                    and commit(entry.payload, entry.salt) == entry.payload_hash
                )
            except (TypeError, ValueError):
                ok = False
            if not ok:
                text = "its payload does not match the payload hash it was written with"
                found.append(Finding(entry.seq, "payload-mismatch", f"entry {entry.seq}: {text}"))
    for first, last, was_first, was_last in runs:
        text = f"renumbered after writing (written as {_span(was_first, was_last)})"
        found.append(Finding(first, "changed", f"{_span(first, last)}: {text}"))
    return found


def _sequence_findings(entries: Sequence[AuditEntry], seqs: Sequence[int]) -> list[Finding]:
    """Written seqs below FIRST_SEQ or taken twice (inserted), missing (removed), out of order."""
    found: list[Finding] = []
    at: dict[int, list[int]] = {}
    for i, seq in enumerate(seqs):
        at.setdefault(seq, []).append(i)
    for seq, rows in sorted(at.items()):
        if seq < FIRST_SEQ:
            text = f"before the start of the log at {FIRST_SEQ} (inserted)"
            found.append(Finding(seq, "inserted", f"entry {seq}: {text}"))
        elif len(rows) > 1:
            chained = {entries[j].prev_hash for j in at.get(seq + 1, [])}
            extra = [i for i in rows if entries[i].entry_hash not in chained]
            extra = extra if 0 < len(extra) < len(rows) else rows[1:]
            stored = ", ".join(str(entries[i].seq) for i in extra)
            text = f"{len(rows)} entries claim this place; the one stored as seq {stored} "
            found.append(Finding(seq, "inserted", f"entry {seq}: {text}is not in the chain"))
    expected = FIRST_SEQ
    for seq in sorted(s for s in at if s >= FIRST_SEQ):
        if seq > expected:
            text = f"{_span(expected, seq - 1)}: missing (removed)"
            found.append(Finding(expected, "removed", text))
        expected = seq + 1
    for i in range(1, len(seqs)):
        before, here = seqs[i - 1], seqs[i]
        if here < before:
            swap = (
                before == here + 1
                and (i < 2 or seqs[i - 2] < here)
                and (i + 1 >= len(seqs) or seqs[i + 1] > before)
            )
            text = "swapped with" if swap else "stored after"
            found.append(Finding(here, "reordered", f"entry {here}: {text} entry {before}"))
    return found


def _chain_findings(
    entries: Sequence[AuditEntry], seqs: Sequence[int], intact: Sequence[bool]
) -> list[Finding]:
    """An intact entry must be chained to (one of) the entries written just before it."""
    found: list[Finding] = []
    hashes: dict[int, set[str]] = {}
    all_intact: dict[int, bool] = {}
    for entry, seq, ok in zip(entries, seqs, intact, strict=True):
        hashes.setdefault(seq, set()).add(entry.entry_hash)
        all_intact[seq] = all_intact.get(seq, True) and ok
    for entry, seq, ok in zip(entries, seqs, intact, strict=True):
        if not ok or seq < FIRST_SEQ:
            continue
        if seq == FIRST_SEQ:
            if entry.prev_hash != GENESIS_HASH:
                text = "does not start the chain (replaced by another entry)"
                found.append(Finding(seq, "changed", f"entry {seq}: {text}"))
        elif seq - 1 in hashes and all_intact[seq - 1] and entry.prev_hash not in hashes[seq - 1]:
            text = (
                f"is not the version entry {seq} was chained to "
                "(one of the two was rewritten and its hash recomputed)"
            )
            found.append(Finding(seq - 1, "changed", f"entry {seq - 1}: {text}"))
    return found


def _checkpoint_findings(
    leaves: Sequence[bytes],
    last_seq: int,
    checkpoints: Sequence[Checkpoint],
    public_key_pem: str | None,
) -> list[Finding]:
    """Bad signatures, forks, a truncated tail, and roots that no longer match (§2.1.2)."""
    found: list[Finding] = []
    trusted: list[Checkpoint] = []
    for cp in checkpoints:
        if public_key_pem is None or verify_checkpoint(cp, public_key_pem):
            trusted.append(cp)
        else:
            text = "its signature does not verify with the log key (forged or altered)"
            found.append(Finding(None, "bad-signature", _about(cp, text)))
    signed: dict[int, set[str]] = {}
    for cp in trusted:
        signed.setdefault(cp.tree_size, set()).add(cp.root_hash)
    for size, roots in sorted(signed.items()):
        if len(roots) > 1:
            text = f"checkpoints of size {size} sign {len(roots)} different roots"
            found.append(Finding(None, "fork", f"{text}: the log showed readers different logs"))
    longest = max((cp.tree_size for cp in trusted), default=0)
    if FIRST_SEQ + longest - 1 > last_seq:
        signed_at = min(cp.issued_at for cp in trusted if cp.tree_size == longest)
        text = (
            f"missing from the end, though the checkpoint of size {longest} "
            f"signed {signed_at} covers them"
        )
        found.append(
            Finding(
                last_seq + 1, "removed", f"{_span(last_seq + 1, FIRST_SEQ + longest - 1)}: {text}"
            )
        )
    sizes = {cp.tree_size for cp in trusted}
    roots_at = {0: EMPTY_ROOT.hex()}
    compact = CompactRange()
    for size, leaf in enumerate(leaves, start=1):
        compact.append(leaf)
        if size in sizes:
            roots_at[size] = compact.root().hex()
    for cp in trusted:
        if cp.tree_size > len(leaves) and FIRST_SEQ + cp.tree_size - 1 <= last_seq:
            text = f"the log holds only {len(leaves)} entries"
            found.append(Finding(None, "checkpoint-mismatch", _about(cp, text)))
        elif cp.tree_size <= len(leaves) and roots_at[cp.tree_size] != cp.root_hash:
            text = (
                f"the first {cp.tree_size} entries no longer hash to its root (history rewritten)"
            )
            found.append(Finding(None, "checkpoint-mismatch", _about(cp, text)))
    return found


def _about(cp: Checkpoint, text: str) -> str:
    return f"checkpoint of size {cp.tree_size} issued {cp.issued_at}: {text}"


def verify_log(
    entries: Sequence[AuditEntry],
    checkpoints: Sequence[Checkpoint] = (),
    public_key_pem: str | None = None,
) -> list[Finding]:
    """Everything wrong with the log, its entries given in storage order; [] if it verifies.

    Each entry's hash is recomputed from its header (the RFC 9162 §2.1.1 leaf hash) and each
    payload present is checked against its commitment. Entries are then put in the order their
    hashes vouch for: the written seqs must run FIRST_SEQ, FIRST_SEQ + 1, ... without gaps,
    repeats or descents, each entry chained to the one before. For each checkpoint (its
    signature checked when a key is given) the Merkle root of the first tree_size entries,
    recomputed from their content, must be the signed root (RFC 9162 §2.1.2): that catches a
    history rewritten with every hash recomputed. Findings come by seq, checkpoints last.
    """
    entries = list(entries)
    recomputed = [_recomputed_hash(entry) for entry in entries]
    intact = [r == e.entry_hash for r, e in zip(recomputed, entries, strict=True)]
    written = _written_seqs(entries, intact)
    seqs = [e.seq if w is None else w for e, w in zip(entries, written, strict=True)]
    found = _content_findings(entries, written)
    found += _sequence_findings(entries, seqs)
    found += _chain_findings(entries, seqs, intact)
    leaves = [bytes.fromhex(h) for h in recomputed]
    last_seq = max(seqs, default=FIRST_SEQ - 1)
    found += _checkpoint_findings(leaves, last_seq, checkpoints, public_key_pem)
    found += _seed_findings(entries)
    unique: dict[tuple[int | None, str], Finding] = {}
    for f in found:  # one finding per entry and problem; every checkpoint finding
        unique.setdefault((f.seq, f.detail if f.seq is None else f.problem), f)
    return sorted(unique.values(), key=lambda f: (f.seq is None, f.seq or 0))


def revealed_seed_matches(started: Mapping[str, Any], finished: Mapping[str, Any]) -> bool:
    """Whether the seed and salt an exercise-finished payload reveals are the ones its
    exercise-started payload committed to."""
    try:
        seed = int(str(finished["seed"]))
        made = seed_commitment(int(finished["id"]), seed, str(finished["seed_salt"]))
    except (KeyError, TypeError, ValueError):
        return False
    return bool(made == started.get("seed_commitment"))


def _seed_findings(entries: Sequence[AuditEntry]) -> list[Finding]:
    """A revealed seed that is not the one committed to when its exercise started."""
    started: dict[Any, tuple[int, Mapping[str, Any]]] = {}
    found: list[Finding] = []
    for entry in entries:
        payload = entry.payload
        if not isinstance(payload, dict):
            continue
        if entry.kind == "exercise-started" and "seed_commitment" in payload:
            started[payload.get("id")] = (entry.seq, payload)
        elif entry.kind == "exercise-finished" and "seed" in payload:
            seq, start = started.get(payload.get("id"), (None, {}))
            if not revealed_seed_matches(start, payload):
                where = "no commitment" if seq is None else f"the commitment of entry {seq}"
                text = f"entry {entry.seq}: the revealed seed does not match {where}"
                found.append(Finding(entry.seq, "seed-mismatch", text))
    return found


def verify_against_checkpoint(
    entries: Sequence[AuditEntry], checkpoint: Checkpoint, public_key_pem: str | None = None
) -> list[Finding]:
    """verify_log with the one checkpoint a party holds."""
    return verify_log(entries, [checkpoint], public_key_pem)
