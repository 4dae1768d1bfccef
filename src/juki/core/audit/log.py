"""Writing and verifying the audit log.

`record` appends one access in the same transaction as the operation it records: if the
row cannot be written, the transaction fails and the operation with it (fail-safe: the
node refuses to act unlogged). Rows are numbered without gaps and each row's hash covers
the previous row's hash, so editing, removing or reordering rows breaks the chain;
`checkpoint` signs the head with the node's key, so cutting rows off the end shows too,
and appends it to an anchor file outside the database (`anchors.py`), so that deleting the
database's own checkpoints hides nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import insert, select, text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from juki.core.audit.anchors import Anchor, AnchorFile
from juki.core.audit.tables import audit_checkpoints, audit_log
from juki.core.errors import JukiError

GENESIS = "0" * 64
AUDIT_LOCK_KEY = 0x4A554B49  # "JUKI": the advisory lock that orders appends


@dataclass(frozen=True)
class Access:
    """One access to personal information: who, from where, what, on whom, why."""

    operator: str
    terminal: str
    function: str
    targets: tuple[str, ...] = ()  # keys (宛名番号 …), never a 個人番号
    purpose: str = ""
    result: str = "ok"
    number_touched: bool = False  # whether a 個人番号 was read or written


def _utc_text(moment: dt.datetime) -> str:
    if moment.tzinfo is None:  # SQLite hands back naive datetimes: they were stored as UTC
        moment = moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%f")


def entry_hash(prev_hash: str, seq: int, at: dt.datetime, access: Access) -> str:
    fields = [
        prev_hash, seq, _utc_text(at), access.operator, access.terminal, access.function,
        list(access.targets), access.purpose, access.result, access.number_touched,
    ]  # fmt: skip
    payload = json.dumps(fields, ensure_ascii=False, separators=(",", ":")).encode()
    return hashlib.sha256(payload).hexdigest()


def _take_turn(session: Session) -> None:
    """Concurrent requests must not read the same head: each takes the lock before reading
    it, and holds it until commit. PostgreSQL: a transaction-scoped advisory lock. SQLite:
    its single write lock, taken by a write statement that changes nothing (pysqlite runs a
    SELECT outside the transaction, so reading first would read a head that can go stale)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": AUDIT_LOCK_KEY})
    else:
        session.execute(text("UPDATE audit_checkpoints SET seq = seq WHERE 0"))


class AuditUnavailable(JukiError):
    """The log cannot be written: the operation is refused (fail-safe), never done unlogged."""

    code = "audit_unavailable"
    status = 503


ALARM = logging.getLogger("juki.alarm")


def record(session: Session, access: Access, *, at: dt.datetime | None = None) -> int:
    """Append `access` (at `at`, default now: tests move the clock); returns its number.
    If the row cannot be written, an alarm is raised and the operation refused."""
    return record_all(session, [access], at=at)[0]


def record_all(
    session: Session, accesses: Sequence[Access], *, at: dt.datetime | None = None
) -> list[int]:
    """Append several accesses, one entry each, in one turn: a node applying a batch of
    messages records every record it touched without taking the lock per record. The
    entries are chained exactly as if appended one by one. Fail-safe as `record`."""
    if not accesses:
        return []
    try:
        return _append(session, accesses, at)
    except SQLAlchemyError as exc:
        ALARM.critical(
            "audit log unavailable (%s): operation refused: %s",
            type(exc).__name__,
            accesses[0].function,
        )
        raise AuditUnavailable(
            "監査ログに記録できないため、操作を受け付けません（管理者に連絡してください）",
            field="audit_log",
        ) from exc


def _append(session: Session, accesses: Sequence[Access], at: dt.datetime | None) -> list[int]:
    _take_turn(session)
    head = session.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    seq, prev = (head.seq, head.hash) if head else (0, GENESIS)
    # Stored in UTC: SQLite keeps the wall time without its zone, so anything else would
    # read back as a different instant (and a different hash).
    at = (at or dt.datetime.now(dt.UTC)).astimezone(dt.UTC)
    rows: list[dict[str, Any]] = []
    numbers: list[int] = []
    for access in accesses:
        seq += 1
        digest = entry_hash(prev, seq, at, access)
        rows.append(
            {
                "seq": seq, "at": at, "operator": access.operator, "terminal": access.terminal,
                "function": access.function, "targets": json.dumps(list(access.targets)),
                "purpose": access.purpose, "result": access.result,
                "number_touched": access.number_touched, "prev_hash": prev, "hash": digest,
            }
        )  # fmt: skip
        prev = digest
        numbers.append(seq)
    session.execute(insert(audit_log), rows)
    return numbers


def checkpoint_payload(node_id: str, seq: int, head_hash: str) -> bytes:
    return f"juki-audit-checkpoint:{node_id}:{seq}:{head_hash}".encode()


def checkpoint(
    session: Session,
    node_id: str,
    sign: Callable[[bytes], str],
    anchors: AnchorFile | None = None,
) -> int | None:
    """Sign the chain's head, keep it in the database and append it to `anchors`; returns
    its sequence number (None for an empty log). Whether to anchor is decided by the anchor
    file alone (a head past its last anchor), never by the database's checkpoint rows:
    whoever writes to the database could otherwise plant rows that stop the anchoring."""
    head = session.execute(
        select(audit_log.c.seq, audit_log.c.hash).order_by(audit_log.c.seq.desc()).limit(1)
    ).first()
    if head is None:
        return None
    signature = sign(checkpoint_payload(node_id, head.seq, head.hash))  # Ed25519: the same
    at = dt.datetime.now(dt.UTC)
    existing = session.execute(
        select(audit_checkpoints.c.seq).where(audit_checkpoints.c.seq == head.seq)
    ).first()
    if existing is None:
        row = {"seq": head.seq, "hash": head.hash, "signature": signature, "at": at}
        session.execute(insert(audit_checkpoints).values(**row))
    if anchors is not None and head.seq > anchors.last_seq():
        anchors.append(Anchor(node_id, int(head.seq), head.hash, signature, at.isoformat()))
    return int(head.seq)


@dataclass
class Verification:
    entries: int = 0
    checkpoints: int = 0
    anchors: int = 0
    problems: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.problems


def verify(
    session: Session,
    node_id: str,
    check_signature: Callable[[bytes, str], bool],
    anchors: AnchorFile | None = None,
) -> Verification:
    """Walk the chain from the first row: numbering, links and hashes; then every
    checkpoint's signature and that the rows it signed are still there, unchanged — the
    database's checkpoints, and the anchored ones outside it."""
    report = Verification()
    prev, expected_seq = GENESIS, 1
    hashes: dict[int, str] = {}
    for row in session.execute(select(audit_log).order_by(audit_log.c.seq)):
        report.entries += 1
        if row.seq != expected_seq:
            report.problems.append(f"seq {expected_seq}: missing (next is {row.seq})")
        if row.prev_hash != prev:
            report.problems.append(f"seq {row.seq}: does not follow the row before")
        access = Access(
            row.operator, row.terminal, row.function, tuple(json.loads(row.targets)),
            row.purpose, row.result, bool(row.number_touched),
        )  # fmt: skip
        if entry_hash(row.prev_hash, row.seq, row.at, access) != row.hash:
            report.problems.append(f"seq {row.seq}: altered")
        prev, expected_seq = row.hash, row.seq + 1
        hashes[row.seq] = row.hash
    for mark in session.execute(select(audit_checkpoints).order_by(audit_checkpoints.c.seq)):
        report.checkpoints += 1
        if not check_signature(checkpoint_payload(node_id, mark.seq, mark.hash), mark.signature):
            report.problems.append(f"checkpoint {mark.seq}: signature does not verify")
        elif hashes.get(mark.seq) != mark.hash:
            report.problems.append(f"checkpoint {mark.seq}: the signed rows are not there")
    if anchors is not None:
        _check_anchors(report, anchors.read(), node_id, check_signature, hashes)
    return report


def _check_anchors(
    report: Verification,
    anchored: list[Anchor],
    node_id: str,
    check_signature: Callable[[bytes, str], bool],
    hashes: dict[int, str],
) -> None:
    if report.checkpoints and not anchored:
        report.problems.append("no checkpoint anchored outside the database")
    for anchor in anchored:
        report.anchors += 1
        payload = checkpoint_payload(node_id, anchor.seq, anchor.hash)
        if anchor.node_id != node_id or not check_signature(payload, anchor.signature):
            report.problems.append(f"anchor {anchor.seq}: signature does not verify")
        elif anchor.seq not in hashes:
            report.problems.append(f"anchor {anchor.seq}: the anchored rows are gone")
        elif hashes[anchor.seq] != anchor.hash:
            report.problems.append(f"anchor {anchor.seq}: the rows up to it were rewritten")


def entries(session: Session, limit: int = 200) -> list[Any]:
    return list(session.execute(select(audit_log).order_by(audit_log.c.seq.desc()).limit(limit)))
