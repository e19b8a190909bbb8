"""The audit log kept in the database: appends, reads per party, checkpoints.

Every entry is appended inside the same transaction as the change it
records, so the log and the state cannot disagree after a crash: either both
are on disk or neither is. Appends are serialised by the service's write lock;
the unique sequence number and entry hash make a forked log impossible to
store even if two writers raced.

Who may read what: each entry names the parties that may read its payload
(`readers`, or "*" for everyone). Everyone else gets the entry without its
payload and salt: the payload's salted hash still lets them verify the chain
and the Merkle tree (see `ops/audit.py` and `ops/merkle.py`).
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from securityroof.ops.audit import FIRST_SEQ, GENESIS_HASH, AuditEntry, make_entry
from securityroof.ops.checkpoints import Checkpoint, LogSigner
from securityroof.ops.commitments import canonical_json
from securityroof.ops.db import AuditRow, CheckpointRow
from securityroof.ops.merkle import CompactRange

EVERYONE = "*"


def utc_now() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="microseconds")


def row_to_entry(row: AuditRow, *, with_payload: bool = True) -> AuditEntry:
    return AuditEntry(
        seq=row.seq,
        kind=row.kind,
        recorded_at=row.recorded_at,
        exercise_id=row.exercise_id,
        payload_hash=row.payload_hash,
        prev_hash=row.prev_hash,
        entry_hash=row.entry_hash,
        payload=json.loads(row.payload_json) if with_payload else None,
        salt=row.salt if with_payload else None,
    )


def may_read(readers: Sequence[str], party: str | None) -> bool:
    return EVERYONE in readers or (party is not None and party in readers)


def entry_json(entry: AuditEntry) -> dict[str, Any]:
    return {
        "seq": entry.seq,
        "kind": entry.kind,
        "recorded_at": entry.recorded_at,
        "exercise_id": entry.exercise_id,
        "payload_hash": entry.payload_hash,
        "prev_hash": entry.prev_hash,
        "entry_hash": entry.entry_hash,
        "payload": entry.payload,
        "salt": entry.salt,
    }


class Ledger:
    """Appends and reads the audit log; keeps the leaf hashes for tree heads.

    Not thread-safe by itself: the service calls it under its write lock.
    """

    def __init__(self, signer: LogSigner) -> None:
        self.signer = signer
        self._leaves: list[bytes] = []
        self._pending: list[bytes] = []
        self._tree = CompactRange()  # the committed leaves' Merkle tree, O(log n) to extend

    def load(self, session: Session) -> None:
        """Read the leaf hashes of the stored log (at start-up)."""
        hashes = session.scalars(select(AuditRow.entry_hash).order_by(AuditRow.seq))
        self._leaves = [bytes.fromhex(h) for h in hashes]
        self._pending = []
        self._tree = CompactRange()
        for leaf in self._leaves:
            self._tree.append(leaf)

    @property
    def size(self) -> int:
        return len(self._leaves) + len(self._pending)

    def append(
        self,
        session: Session,
        kind: str,
        payload: dict[str, Any],
        readers: Iterable[str],
        exercise_id: int | None = None,
    ) -> AuditEntry:
        """Add an entry to the session's transaction (call `committed` after commit)."""
        seq = FIRST_SEQ + self.size
        prev = (self._pending or self._leaves or [bytes.fromhex(GENESIS_HASH)])[-1].hex()
        entry = make_entry(seq, kind, utc_now(), exercise_id, payload, prev)
        session.add(
            AuditRow(
                seq=entry.seq,
                kind=entry.kind,
                recorded_at=entry.recorded_at,
                exercise_id=entry.exercise_id,
                payload_json=canonical_json(payload).decode("utf-8"),
                salt=entry.salt,
                payload_hash=entry.payload_hash,
                prev_hash=entry.prev_hash,
                entry_hash=entry.entry_hash,
                readers_json=json.dumps(sorted(set(readers))),
            )
        )
        self._pending.append(bytes.fromhex(entry.entry_hash))
        return entry

    def committed(self) -> None:
        for leaf in self._pending:
            self._tree.append(leaf)
        self._leaves.extend(self._pending)
        self._pending = []

    def rolled_back(self) -> None:
        self._pending = []

    def head(self) -> tuple[int, str]:
        """(size, root) of the committed log, from the tree kept up to date on commit."""
        return len(self._leaves), self._tree.root().hex()

    def checkpoint(self, session: Session) -> Checkpoint:
        """The signed head of the committed log, stored once per tree size."""
        size, root = self.head()
        row = session.get(CheckpointRow, size)
        if row is not None and row.root_hash == root:
            return Checkpoint(
                row.tree_size, row.root_hash, row.issued_at, row.key_id, row.signature
            )
        checkpoint = self.signer.sign(size, root, utc_now())
        if row is None:
            session.add(
                CheckpointRow(
                    tree_size=checkpoint.tree_size,
                    root_hash=checkpoint.root_hash,
                    issued_at=checkpoint.issued_at,
                    key_id=checkpoint.key_id,
                    signature=checkpoint.signature,
                )
            )
        return checkpoint

    def read(
        self,
        session: Session,
        party: str | None,
        *,
        after: int = 0,
        limit: int = 200,
        exercise_id: int | None = None,
    ) -> list[AuditEntry]:
        """Entries after `after` (by seq), payloads only where `party` may read them."""
        query = select(AuditRow).where(AuditRow.seq > after).order_by(AuditRow.seq).limit(limit)
        if exercise_id is not None:
            query = query.where(AuditRow.exercise_id == exercise_id)
        return [
            row_to_entry(row, with_payload=may_read(json.loads(row.readers_json), party))
            for row in session.scalars(query)
        ]


def _readable_payload(text: str) -> dict[str, Any]:
    """The stored payload; one that no longer parses becomes a payload that cannot match its
    hash, so verification names the entry instead of failing."""
    try:
        payload = json.loads(text)
    except (TypeError, ValueError):
        payload = None
    return payload if isinstance(payload, dict) else {"unreadable stored payload": str(text)}


def stored_log(session: Session) -> tuple[list[AuditEntry], list[Checkpoint]]:
    """Every entry (with payload) and every stored checkpoint, for verification."""
    entries = [
        replace(
            row_to_entry(r, with_payload=False),
            payload=_readable_payload(r.payload_json),
            salt=r.salt,
        )
        for r in session.scalars(select(AuditRow).order_by(AuditRow.seq))
    ]
    checkpoints = [
        Checkpoint(r.tree_size, r.root_hash, r.issued_at, r.key_id, r.signature)
        for r in session.scalars(select(CheckpointRow).order_by(CheckpointRow.tree_size))
    ]
    return entries, checkpoints
