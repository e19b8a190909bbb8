"""The tamper-evident audit log: RFC 9162 Merkle trees, signed checkpoints, tamper findings."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import stat
from datetime import UTC, datetime, timedelta
from typing import Any, cast

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from hypothesis import given, settings
from hypothesis import strategies as st

from securityroof.ops.audit import (
    FIRST_SEQ,
    GENESIS_HASH,
    AuditEntry,
    Finding,
    entry_leaf,
    leaf_hashes,
    make_entry,
    redacted,
    tree_head,
    verify_against_checkpoint,
    verify_log,
)
from securityroof.ops.checkpoints import LOG_ID, Checkpoint, LogSigner, verify_checkpoint
from securityroof.ops.commitments import canonical_json, commit, new_salt
from securityroof.ops.merkle import (
    EMPTY_ROOT,
    CompactRange,
    consistency_proof,
    inclusion_proof,
    merkle_root,
    verify_consistency,
    verify_inclusion,
)

SIGNER = LogSigner.generate()
PEM = SIGNER.public_key_pem()
ISSUED = "2026-03-01T18:00:00Z"
KINDS = ("track", "engagement", "handover")


def _at(seq: int) -> str:
    return (datetime(2026, 3, 1, 12, tzinfo=UTC) + timedelta(seconds=seq)).strftime(
        "%Y-%m-%dT%H:%M:%SZ"
    )


def _payload(seq: int) -> dict[str, object]:
    return {"track": f"T-{seq:03d}", "party": "Nordland", "range_km": 120.5 + seq, "note": "ü"}


def build_log(n: int, *, payload_of=_payload) -> list[AuditEntry]:
    """A genuine log of n entries, seqs FIRST_SEQ..FIRST_SEQ + n - 1."""
    entries: list[AuditEntry] = []
    prev = GENESIS_HASH
    for seq in range(FIRST_SEQ, FIRST_SEQ + n):
        exercise = 7 if seq % 2 else None
        entry = make_entry(seq, KINDS[seq % 3], _at(seq), exercise, payload_of(seq), prev)
        entries.append(entry)
        prev = entry.entry_hash
    return entries


def rehashed(entry: AuditEntry, **changes: Any) -> AuditEntry:
    """The entry with header fields changed and its hash recomputed, as a capable forger would."""
    new = dataclasses.replace(entry, **changes)
    leaf = entry_leaf(
        new.seq, new.kind, new.recorded_at, new.exercise_id, new.payload_hash, new.prev_hash
    )
    return dataclasses.replace(new, entry_hash=hashlib.sha256(b"\x00" + leaf).hexdigest())


def idx(seq: int) -> int:
    return seq - FIRST_SEQ


def sign_head(entries: list[AuditEntry], size: int | None = None) -> Checkpoint:
    size = len(entries) if size is None else size
    return SIGNER.sign(*tree_head(entries[:size]), ISSUED)


def problems(findings: list[Finding]) -> list[tuple[int | None, str]]:
    return [(f.seq, f.problem) for f in findings]


def forge_insert(entries: list[AuditEntry], seq: int) -> list[AuditEntry]:
    """A forged entry put in at ``seq``, properly chained; later entries renumbered to make room."""
    prev = entries[idx(seq) - 1].entry_hash if seq > FIRST_SEQ else GENESIS_HASH
    forged = make_entry(seq, "engagement", _at(seq), 7, {"track": "T-FORGED"}, prev)
    later = [dataclasses.replace(e, seq=e.seq + 1) for e in entries[idx(seq) :]]
    return [*entries[: idx(seq)], forged, *later]


# --- Reference Merkle definitions, straight from RFC 9162 §2.1, for cross-checking ---------


def _k(n: int) -> int:
    k = 1
    while k * 2 < n:
        k *= 2
    return k


def _mth(d: list[bytes]) -> bytes:
    """MTH(D[n]) exactly as RFC 9162 §2.1.1 defines it (leaves already hashed)."""
    if not d:
        return hashlib.sha256(b"").digest()
    if len(d) == 1:
        return d[0]
    k = _k(len(d))
    return hashlib.sha256(b"\x01" + _mth(d[:k]) + _mth(d[k:])).digest()


def _path(m: int, d: list[bytes]) -> list[bytes]:
    """PATH(m, D[n]) of RFC 9162 §2.1.3.1."""
    if len(d) == 1:
        return []
    k = _k(len(d))
    if m < k:
        return [*_path(m, d[:k]), _mth(d[k:])]
    return [*_path(m - k, d[k:]), _mth(d[:k])]


def _subproof(m: int, d: list[bytes], b: bool) -> list[bytes]:
    """SUBPROOF(m, D[n], b) of RFC 9162 §2.1.4.1."""
    if m == len(d):
        return [] if b else [_mth(d)]
    k = _k(len(d))
    if m <= k:
        return [*_subproof(m, d[:k], b), _mth(d[k:])]
    return [*_subproof(m - k, d[k:], False), _mth(d[:k])]


def _leaves(n: int) -> list[bytes]:
    return [hashlib.sha256(b"\x00" + f"leaf {i}".encode()).digest() for i in range(n)]


def _node(left: bytes, right: bytes) -> bytes:
    return hashlib.sha256(b"\x01" + left + right).digest()


# --- Commitments and entries ---------------------------------------------------------------


def test_canonical_json_is_order_free_compact_and_utf8():
    assert canonical_json({"b": 1, "a": [1.5, "ü"]}) == '{"a":[1.5,"ü"],"b":1}'.encode()
    assert canonical_json({"a": 1, "b": 2}) == canonical_json({"b": 2, "a": 1})
    with pytest.raises(ValueError):
        canonical_json({"x": float("nan")})


def test_commitment_is_salted_sha256_of_canonical_payload():
    salt = new_salt()
    assert len(salt) == 32 and salt != new_salt()
    payload = {"track": "T-1", "alt_km": 80}
    expected = hashlib.sha256(bytes.fromhex(salt) + canonical_json(payload)).hexdigest()
    assert commit(payload, salt) == expected
    assert commit(payload, new_salt()) != expected  # the salt hides guessable payloads


def test_entry_hash_is_the_rfc9162_leaf_hash_and_the_chain_link():
    """RFC 9162 §2.1.1: leaf hash = HASH(0x00 || leaf); the same value is the next prev_hash."""
    log = build_log(3)
    first = log[0]
    header = dataclasses.asdict(first)
    del header["entry_hash"], header["payload"], header["salt"]
    leaf = entry_leaf(**header)
    assert json.loads(leaf) == {
        "seq": FIRST_SEQ,
        "kind": first.kind,
        "recorded_at": first.recorded_at,
        "exercise_id": first.exercise_id,
        "payload_hash": first.payload_hash,
        "prev_hash": GENESIS_HASH,
    }
    assert first.entry_hash == hashlib.sha256(b"\x00" + leaf).hexdigest()
    assert [e.prev_hash for e in log[1:]] == [e.entry_hash for e in log[:-1]]
    assert make_entry(1, "k", ISSUED, None, {}, GENESIS_HASH, salt="00" * 16).salt == "00" * 16
    with pytest.raises(ValueError, match="prev_hash"):
        make_entry(1, "k", ISSUED, None, {}, "not-a-hash")


def test_redacted_entry_hides_payload_and_salt_but_keeps_the_hashes():
    entry = build_log(1)[0]
    hidden = redacted(entry)
    assert hidden.payload is None and hidden.salt is None
    assert (hidden.payload_hash, hidden.entry_hash) == (entry.payload_hash, entry.entry_hash)


# --- Merkle tree (RFC 9162 §2.1) -----------------------------------------------------------


def test_roots_of_small_trees_worked_out_by_hand():
    """RFC 9162 §2.1.1 by hand: n = 0, 1, 2, 3, 5."""
    a, b, c, d, e = _leaves(5)
    assert merkle_root([]) == EMPTY_ROOT == hashlib.sha256(b"").digest()
    assert merkle_root([a]) == a
    assert merkle_root([a, b]) == _node(a, b)
    assert merkle_root([a, b, c]) == _node(_node(a, b), c)
    assert merkle_root([a, b, c, d]) == _node(_node(a, b), _node(c, d))
    assert merkle_root([a, b, c, d, e]) == _node(_node(_node(a, b), _node(c, d)), e)


def test_roots_match_the_certificate_transparency_reference_vectors():
    """The eight-leaf tree used by the Certificate Transparency reference tests (RFC 6962)."""
    data = ["", "00", "10", "2021", "3031", "40414243", "5051525354555657"]
    data.append("606162636465666768696a6b6c6d6e6f")
    leaves = [hashlib.sha256(b"\x00" + bytes.fromhex(x)).digest() for x in data]
    roots = [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
    assert [merkle_root(leaves[:n]).hex() for n in range(1, 9)] == roots


def test_roots_and_proofs_follow_the_recursive_definitions():
    """Iterative code against the recursive RFC 9162 §2.1.1, §2.1.3.1 and §2.1.4.1 text."""
    for n in range(0, 70):
        leaves = _leaves(n)
        assert merkle_root(leaves) == _mth(leaves), n
        for m in range(n):
            assert inclusion_proof(leaves, m) == _path(m, leaves), (m, n)
        for m in range(1, n + 1):
            assert consistency_proof(leaves, m) == _subproof(m, leaves, True), (m, n)


def test_inclusion_proofs_verify_for_every_leaf_and_fail_for_wrong_ones():
    """RFC 9162 §2.1.3: every index of trees of 1..33 leaves."""
    for n in range(1, 34):
        leaves = _leaves(n)
        root = merkle_root(leaves)
        for i in range(n):
            proof = inclusion_proof(leaves, i)
            assert verify_inclusion(leaves[i], i, n, proof, root)
            assert not verify_inclusion(_leaves(n + 1)[n], i, n, proof, root)  # wrong leaf
            if n > 1:
                assert not verify_inclusion(leaves[i], (i + 1) % n, n, proof, root)
                assert not verify_inclusion(leaves[i], i, n, proof[:-1], root)
            bigger = merkle_root(_leaves(n + 1))  # the proof is for n leaves, not n + 1
            assert not verify_inclusion(leaves[i], i, n + 1, proof, bigger)
            assert not verify_inclusion(leaves[i], i, n, [*proof, root], root)
            assert not verify_inclusion(leaves[i], n, n, proof, root)  # index outside the tree
    with pytest.raises(ValueError):
        inclusion_proof(_leaves(3), 3)


def test_consistency_proofs_verify_and_catch_an_altered_old_leaf():
    """RFC 9162 §2.1.4: every 1 <= m <= n <= 33."""
    for n in range(1, 34):
        leaves = _leaves(n)
        new_root = merkle_root(leaves)
        for m in range(1, n + 1):
            proof = consistency_proof(leaves, m)
            old_root = merkle_root(leaves[:m])
            assert verify_consistency(m, n, old_root, new_root, proof), (m, n)
            for j in range(m):  # the history the old root commits to was altered
                altered = [*leaves[:j], _node(leaves[j], leaves[j]), *leaves[j + 1 : m]]
                assert not verify_consistency(m, n, merkle_root(altered), new_root, proof)
            assert not verify_consistency(m, n, old_root, _node(new_root, new_root), proof)
            if m < n:
                assert not verify_consistency(m, n, old_root, new_root, proof[:-1])
                bigger = merkle_root(_leaves(n + 1))  # the proof is for n leaves, not n + 1
                assert not verify_consistency(m, n + 1, old_root, bigger, proof)
    assert verify_consistency(0, 5, EMPTY_ROOT, merkle_root(_leaves(5)), [])
    assert not verify_consistency(3, 2, EMPTY_ROOT, EMPTY_ROOT, [])
    with pytest.raises(ValueError):
        consistency_proof(_leaves(3), 4)


def test_a_hundred_thousand_leaves():
    """No quadratic recursion: 100k leaves agree with the RFC definition (checked, not timed)."""
    leaves = _leaves(100_000)
    root = merkle_root(leaves)
    assert root == _mth(leaves)
    for i in (0, 65_535, 65_536, 99_999):
        assert verify_inclusion(leaves[i], i, len(leaves), inclusion_proof(leaves, i), root)
    old = 70_001
    proof = consistency_proof(leaves, old)
    assert verify_consistency(old, len(leaves), merkle_root(leaves[:old]), root, proof)


# --- Signed checkpoints (RFC 9162 §4.10) ----------------------------------------------------


def test_checkpoint_signs_the_tree_head_and_round_trips_through_json():
    log = build_log(12)
    cp = sign_head(log)
    assert (cp.tree_size, cp.root_hash) == tree_head(log)
    assert cp.root_hash == merkle_root(leaf_hashes(log)).hex()
    assert cp.key_id == SIGNER.key_id and verify_checkpoint(cp, PEM)
    assert Checkpoint.from_json(json.loads(json.dumps(cp.to_json()))) == cp
    message = canonical_json(
        {"tree_size": 12, "root_hash": cp.root_hash, "issued_at": ISSUED, "log": LOG_ID}
    )
    public = serialization.load_pem_public_key(PEM.encode())
    assert isinstance(public, Ed25519PublicKey)
    public.verify(bytes.fromhex(cp.signature), message)  # raises if the message differs


def test_key_id_is_the_start_of_the_public_key_hash():
    public = serialization.load_pem_public_key(PEM.encode())
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    assert SIGNER.key_id == hashlib.sha256(raw).hexdigest()[:16]


def test_tampered_checkpoints_do_not_verify():
    cp = sign_head(build_log(5))
    flipped = ("0" if cp.signature[0] != "0" else "1") + cp.signature[1:]
    assert not verify_checkpoint(dataclasses.replace(cp, signature=flipped), PEM)
    assert not verify_checkpoint(dataclasses.replace(cp, tree_size=4), PEM)
    assert not verify_checkpoint(dataclasses.replace(cp, issued_at="2026-03-02T00:00:00Z"), PEM)
    other = LogSigner.generate()
    assert not verify_checkpoint(cp, other.public_key_pem())
    forged = dataclasses.replace(other.sign(5, cp.root_hash, ISSUED), key_id=cp.key_id)
    assert not verify_checkpoint(forged, PEM)
    with pytest.raises(ValueError):
        verify_checkpoint(cp, "not a key")


GOOD = {
    "tree_size": 3,
    "root_hash": "ab" * 32,
    "issued_at": ISSUED,
    "key_id": "cd" * 8,
    "signature": "ef" * 64,
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"tree_size": "3"}, "tree_size"),
        ({"tree_size": True}, "tree_size"),
        ({"tree_size": -1}, "tree_size"),
        ({"root_hash": "ab" * 31}, "root_hash"),
        ({"root_hash": "AB" * 32}, "root_hash"),
        ({"issued_at": 1772388000}, "issued_at"),
        ({"issued_at": "yesterday"}, "issued_at"),
        ({"issued_at": "2026-03-01T18:00:00"}, "UTC"),
        ({"issued_at": "2026-03-01T18:00:00+01:00"}, "UTC"),
        ({"key_id": "xyz"}, "key_id"),
        ({"signature": "zz" * 64}, "signature"),
        ({"extra": 1}, "unknown field"),
        ({"signature": None}, "signature"),
    ],
)
def test_malformed_checkpoint_json_is_refused_by_name(change, message):
    assert Checkpoint.from_json(GOOD).to_json() == GOOD
    with pytest.raises(ValueError, match=message):
        Checkpoint.from_json({**GOOD, **change})


def test_checkpoint_json_missing_fields_or_not_an_object_is_refused():
    with pytest.raises(ValueError, match=r"missing field.*signature"):
        Checkpoint.from_json({k: v for k, v in GOOD.items() if k != "signature"})
    with pytest.raises(ValueError, match="JSON object"):
        Checkpoint.from_json(cast(Any, [GOOD]))
    with pytest.raises(ValueError, match="root_hash"):
        SIGNER.sign(3, "not hex", ISSUED)


def test_load_or_create_keeps_one_private_key_file(tmp_path):
    path = tmp_path / "keys" / "audit-log.pem"
    first = LogSigner.load_or_create(path)
    second = LogSigner.load_or_create(path)
    assert first.public_key_pem() == second.public_key_pem()
    assert first.key_id == second.key_id
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text().startswith("-----BEGIN PRIVATE KEY-----")  # PKCS#8
    assert sorted(p.name for p in path.parent.iterdir()) == ["audit-log.pem"]  # no temp left
    assert verify_checkpoint(second.sign(0, EMPTY_ROOT.hex(), ISSUED), first.public_key_pem())


def test_load_or_create_refuses_a_key_of_another_kind(tmp_path):
    path = tmp_path / "ec.pem"
    path.write_bytes(
        ec.generate_private_key(ec.SECP256R1()).private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    with pytest.raises(ValueError, match="Ed25519"):
        LogSigner.load_or_create(path)


# --- Finding tampering ----------------------------------------------------------------------


def test_an_untouched_log_verifies():
    log = build_log(50)
    checkpoints = [sign_head(log, size) for size in (0, 1, 17, 32, 50)]
    assert verify_log(log) == []
    assert verify_log(log, checkpoints, PEM) == []
    assert verify_log([]) == []
    assert verify_against_checkpoint(log, checkpoints[2], PEM) == []


def test_a_checkpoint_from_before_still_holds_as_the_log_grows():
    """Append-only growth keeps old checkpoints valid (RFC 9162 §2.1.4)."""
    log = build_log(50)
    early = sign_head(log, 20)
    assert verify_against_checkpoint(log, early, PEM) == []
    leaves = leaf_hashes(log)
    proof = consistency_proof(leaves, 20)
    assert verify_consistency(20, 50, bytes.fromhex(early.root_hash), merkle_root(leaves), proof)


def test_a_changed_payload_is_found():
    log = build_log(50)
    log[idx(17)] = dataclasses.replace(log[idx(17)], payload={"track": "T-999"})
    findings = verify_log(log)
    assert problems(findings) == [(17, "payload-mismatch")]
    assert findings[0].detail.startswith("entry 17: ")


def test_a_payload_without_its_salt_is_found():
    log = build_log(5)
    log[idx(3)] = dataclasses.replace(log[idx(3)], salt=None)
    assert problems(verify_log(log)) == [(3, "payload-mismatch")]


def test_a_changed_header_is_found():
    log = build_log(50)
    log[idx(17)] = dataclasses.replace(log[idx(17)], kind="exercise-cancelled")
    findings = verify_log(log)
    assert problems(findings) == [(17, "changed")]
    assert findings[0].detail == (
        "entry 17: its content no longer matches its hash (changed after it was written)"
    )
    assert problems(verify_log(log, [sign_head(build_log(50))])) == [
        (17, "changed"),
        (None, "checkpoint-mismatch"),
    ]


def test_an_entry_rewritten_with_its_hash_recomputed_is_found_by_its_successor():
    log = build_log(50)
    log[idx(17)] = rehashed(log[idx(17)], kind="exercise-cancelled")
    findings = verify_log(log)
    assert problems(findings) == [(17, "changed")]
    assert "entry 18 was chained to" in findings[0].detail


def test_a_removed_middle_entry_is_found():
    log = build_log(50)
    del log[idx(20)]
    findings = verify_log(log)
    assert problems(findings) == [(20, "removed")]
    assert findings[0].detail == "entry 20: missing (removed)"
    del log[idx(20) : idx(23)]
    assert [f.detail for f in verify_log(log)] == ["entries 20 to 23: missing (removed)"]


def test_a_removed_entry_hidden_by_renumbering_is_still_named():
    log = build_log(50)
    shifted = [*log[: idx(20)], *(dataclasses.replace(e, seq=e.seq - 1) for e in log[idx(21) :])]
    findings = verify_log(shifted)
    assert problems(findings) == [(20, "changed"), (20, "removed")]
    assert findings[0].detail == (
        "entries 20 to 49: renumbered after writing (written as entries 21 to 50)"
    )


def test_a_removed_tail_is_found_by_a_checkpoint():
    """Truncation leaves a valid chain; a checkpoint held elsewhere shows it (RFC 9162 §2.1.2)."""
    log = build_log(50)
    held = sign_head(log)
    assert verify_log(log[:47]) == []
    findings = verify_against_checkpoint(log[:47], held, PEM)
    assert problems(findings) == [(48, "removed")]
    assert findings[0].detail.startswith("entries 48 to 50: missing from the end")
    assert problems(verify_against_checkpoint([], held)) == [(1, "removed")]


def test_swapped_entries_are_found_as_reordered():
    log = build_log(50)
    log[idx(10)], log[idx(11)] = log[idx(11)], log[idx(10)]
    findings = verify_log(log)
    assert problems(findings) == [(10, "reordered")]
    assert findings[0].detail == "entry 10: swapped with entry 11"
    held = sign_head(build_log(50))
    assert (None, "checkpoint-mismatch") in problems(verify_log(log, [held]))


def test_swapped_contents_under_the_old_seqs_are_found_as_reordered():
    """The rows keep their seqs but trade everything else: each hash still names its seq."""
    log = build_log(50)
    a, b = log[idx(10)], log[idx(11)]
    log[idx(10)], log[idx(11)] = dataclasses.replace(b, seq=10), dataclasses.replace(a, seq=11)
    findings = verify_log(log)
    assert problems(findings) == [(10, "changed"), (10, "reordered"), (11, "changed")]
    assert findings[0].detail == "entry 10: renumbered after writing (written as entry 11)"
    assert findings[1].detail == "entry 10: swapped with entry 11"


def test_an_entry_moved_far_away_is_found():
    log = build_log(30)
    moved = log.pop(idx(5))
    log.insert(idx(25), moved)
    findings = verify_log(log)
    assert problems(findings) == [(5, "reordered")]
    assert findings[0].detail == "entry 5: stored after entry 25"


def test_an_inserted_entry_is_found():
    log = forge_insert(build_log(50), 20)
    findings = verify_log(log)
    assert problems(findings) == [(20, "inserted"), (21, "changed")]
    assert "stored as seq 20 is not in the chain" in findings[0].detail
    assert "written as entries 20 to 50" in findings[1].detail


def test_an_inserted_entry_sharing_a_seq_is_found():
    log = build_log(50)
    forged = make_entry(20, "engagement", _at(20), 7, {"track": "T-X"}, log[idx(19)].entry_hash)
    log.insert(idx(21), forged)
    assert problems(verify_log(log)) == [(20, "inserted")]
    before_start = make_entry(0, "track", _at(0), None, {}, GENESIS_HASH)
    assert problems(verify_log([before_start, *build_log(3)])) == [(0, "inserted")]


def test_a_replaced_first_entry_is_found():
    log = build_log(5)
    log[0] = rehashed(log[0], prev_hash="11" * 32)
    assert problems(verify_log(log)) == [(1, "changed")]


def test_a_history_rewritten_and_rehashed_is_caught_by_an_earlier_checkpoint():
    """Recomputing every hash makes the chain consistent again; the signed root still differs."""
    log = build_log(30)
    held = sign_head(log)
    forged = build_log(30, payload_of=lambda s: {**_payload(s), "range_km": 0.0})
    assert verify_log(forged) == []
    findings = verify_log(forged, [held], PEM)
    assert problems(findings) == [(None, "checkpoint-mismatch")]
    assert "checkpoint of size 30" in findings[0].detail
    assert "history rewritten" in findings[0].detail


def test_a_badly_signed_checkpoint_is_reported_not_trusted():
    log = build_log(10)
    cp = sign_head(log)
    bad = dataclasses.replace(cp, root_hash="00" * 32)
    assert problems(verify_log(log, [bad], PEM)) == [(None, "bad-signature")]
    assert problems(verify_log(log, [bad])) == [(None, "checkpoint-mismatch")]  # no key: roots


def test_two_signed_roots_for_one_size_are_a_fork():
    log = build_log(10)
    other = build_log(10)  # same events, fresh salts: a second history
    findings = verify_log(log, [sign_head(log), sign_head(other)], PEM)
    assert problems(findings) == [(None, "fork"), (None, "checkpoint-mismatch")]


def test_a_redacted_log_still_verifies():
    log = build_log(40)
    held = sign_head(log)
    assert verify_log([redacted(e) for e in log], [held], PEM) == []
    shown = [redacted(e) if e.seq % 3 else e for e in log]
    assert verify_log(shown, [held], PEM) == []
    shown[idx(9)] = dataclasses.replace(shown[idx(9)], payload={"track": "T-0"})
    assert problems(verify_log(shown)) == [(9, "payload-mismatch")]


MUTATIONS = {  # mutation of entry k -> the problem reported for entry k
    "payload": "payload-mismatch",
    "header": "changed",
    "rehash": "changed",
    "delete": "removed",
    "delete-renumber": "removed",
    "swap": "reordered",
    "insert": "inserted",
    "insert-dup": "inserted",
}


@settings(max_examples=300, deadline=None)
@given(
    n=st.integers(min_value=2, max_value=40),
    where=st.floats(min_value=0, max_value=1, exclude_max=True),
    mutation=st.sampled_from(sorted(MUTATIONS)),
)
def test_any_single_mutation_is_found_at_or_before_its_seq(n, where, mutation):
    """Any one mutation of entry k yields a finding at or before k, naming k and the problem.

    Where only a later entry's link can tell (a rehashed, removed or swapped entry), k is not
    the last entry: the head of a chain needs a checkpoint for that (RFC 9162 §2.1.2).
    """
    log = build_log(n)
    last_needs_successor = mutation in {"rehash", "delete", "delete-renumber", "swap"}
    i = int(where * (n - 1 if last_needs_successor else n))
    k = log[i].seq
    if mutation == "payload":
        log[i] = dataclasses.replace(log[i], payload={"tampered": True})
    elif mutation == "header":
        log[i] = dataclasses.replace(log[i], exercise_id=99)
    elif mutation == "rehash":
        log[i] = rehashed(log[i], exercise_id=99)
    elif mutation == "delete":
        del log[i]
    elif mutation == "delete-renumber":
        log = [*log[:i], *(dataclasses.replace(e, seq=e.seq - 1) for e in log[i + 1 :])]
    elif mutation == "swap":
        log[i], log[i + 1] = log[i + 1], log[i]
    elif mutation == "insert":
        log = forge_insert(log, k)
    else:
        prev = log[i - 1].entry_hash if i else GENESIS_HASH
        log.insert(i + 1, make_entry(k, "track", _at(k), None, {"x": 1}, prev))
    findings = verify_log(log)
    assert findings, mutation
    assert min(f.seq for f in findings if f.seq is not None) <= k, (mutation, findings)
    assert (k, MUTATIONS[mutation]) in problems(findings), (mutation, findings)


def test_a_growing_tree_keeps_the_root_of_all_its_leaves() -> None:
    """RFC 9162 §2.1.1: extending the compact range leaf by leaf (as the service's
    ledger does on every commit) gives MTH of all leaves at every size."""
    leaves = [hashlib.sha256(bytes([i])).digest() for i in range(40)]
    tree = CompactRange()
    assert tree.root() == merkle_root([]) == EMPTY_ROOT
    for n, leaf in enumerate(leaves, start=1):
        tree.append(leaf)
        assert tree.root() == merkle_root(leaves[:n])
