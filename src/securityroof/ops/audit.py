"""A tamper-evident audit log, built the way Certificate Transparency builds its logs (RFC 9162).

Every entry is hashed as a Merkle leaf (RFC 9162 §2.1.1) and that same hash links it to the
next entry, so the log is both a hash chain and a Merkle tree. The log signs tree heads
(*checkpoints*, RFC 9162 §4.10) with Ed25519; a party that keeps a checkpoint can later show
that the first ``tree_size`` entries were not rewritten, even by someone who recomputed every
hash. Payloads are committed to with a salted hash, so a party that may not read an entry's
payload still verifies the whole log from the redacted entry.

The Merkle tree is `securityroof.ops.merkle`, the signed checkpoints
`securityroof.ops.checkpoints` and the payload commitments
`securityroof.ops.commitments`; this module holds the entries and verifies a
log. All of them are pure: no database, no web, no clock. Sequence numbers
start at ``FIRST_SEQ`` and the entry with seq ``s`` is Merkle leaf ``s - FIRST_SEQ``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, Literal

from securityroof.ops.checkpoints import Checkpoint, is_hex, verify_checkpoint
from securityroof.ops.commitments import canonical_json, commit, new_salt, seed_commitment
from securityroof.ops.merkle import (
    EMPTY_ROOT,
    CompactRange,
    leaf_hash,
    merkle_root,
)

GENESIS_HASH = "0" * 64
FIRST_SEQ = 1

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


def _recomputed_hash(e: AuditEntry) -> str:
    """The entry hash its header fields give now."""
    leaf = entry_leaf(e.seq, e.kind, e.recorded_at, e.exercise_id, e.payload_hash, e.prev_hash)
    return leaf_hash(leaf).hex()


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
    if not is_hex(prev_hash, 64):
        raise ValueError(f"prev_hash must be 64 lowercase hex characters, got {prev_hash!r}")
    salt = new_salt() if salt is None else salt
    payload_hash = commit(payload, salt)
    leaf = entry_leaf(seq, kind, recorded_at, exercise_id, payload_hash, prev_hash)
    entry_hash = leaf_hash(leaf).hex()
    return AuditEntry(
        seq, kind, recorded_at, exercise_id, payload_hash, prev_hash, entry_hash, payload, salt
    )


def redacted(entry: AuditEntry) -> AuditEntry:
    """The entry as shown to a party that may not read its payload."""
    return replace(entry, payload=None, salt=None)


def leaf_hashes(entries: Iterable[AuditEntry]) -> list[bytes]:
    """The stored entry hashes as raw 32-byte Merkle leaf hashes, in log order."""
    return [bytes.fromhex(entry.entry_hash) for entry in entries]


def tree_head(entries: Sequence[AuditEntry]) -> tuple[int, str]:
    """(tree_size, root hash hex) of the log as stored: what the log signs."""
    return len(entries), merkle_root(leaf_hashes(entries)).hex()


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
