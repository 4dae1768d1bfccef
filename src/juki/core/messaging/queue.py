"""What a node's outbox holds, for an operator: sent, waiting or failing, and a resend.

The standard specification (住民記録システム標準仕様書) asks that a clerk can see what the
existing system sent to the CS and what failed, and send again. Resending never skips the
order of a channel: it makes the envelope due now, and the dispatcher still sends a channel
from its head.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from juki.core.messaging import tables, wakeup


@dataclass
class QueuedMessage:
    id: str
    recipient: str
    channel_seq: int
    type: str
    created_at: dt.datetime
    attempts: int
    acked_at: dt.datetime | None
    last_error: str | None

    @property
    def state(self) -> str:
        if self.acked_at is not None:
            return "sent"
        return "failed" if self.attempts else "waiting"


def queue_counts(session: Session) -> dict[str, int]:
    outbox = tables.outbox
    sent = session.scalar(select(func.count()).where(outbox.c.acked_at.is_not(None))) or 0
    failed = (
        session.scalar(
            select(func.count()).where(outbox.c.acked_at.is_(None), outbox.c.attempts > 0)
        )
        or 0
    )
    waiting = (
        session.scalar(
            select(func.count()).where(outbox.c.acked_at.is_(None), outbox.c.attempts == 0)
        )
        or 0
    )
    return {"sent": sent, "waiting": waiting, "failed": failed}


def queued_messages(
    session: Session, state: str | None = None, limit: int = 100
) -> list[QueuedMessage]:
    outbox = tables.outbox
    stmt = select(
        outbox.c.id,
        outbox.c.recipient,
        outbox.c.channel_seq,
        outbox.c.type,
        outbox.c.created_at,
        outbox.c.attempts,
        outbox.c.acked_at,
        outbox.c.last_error,
    ).order_by(outbox.c.created_at.desc(), outbox.c.channel_seq.desc())
    if state == "sent":
        stmt = stmt.where(outbox.c.acked_at.is_not(None))
    elif state == "waiting":
        stmt = stmt.where(outbox.c.acked_at.is_(None), outbox.c.attempts == 0)
    elif state == "failed":
        stmt = stmt.where(outbox.c.acked_at.is_(None), outbox.c.attempts > 0)
    return [QueuedMessage(**row._mapping) for row in session.execute(stmt.limit(limit))]


def resend(session: Session, message_id: str) -> bool:
    """Make an unsent envelope due now; False if it was already delivered or is unknown.
    The dispatcher, which may be resting until the envelope's old due time, is woken when
    the unit of work commits."""
    result = session.execute(
        update(tables.outbox)
        .where(tables.outbox.c.id == message_id, tables.outbox.c.acked_at.is_(None))
        .values(next_attempt_at=dt.datetime.now(dt.UTC))
    )
    if not result.rowcount:  # type: ignore[attr-defined]
        return False
    wakeup.outbox_changed(session)
    return True
