"""Waking a dispatcher when an outbox changes, instead of having it poll (issue #13).

A transaction that writes an envelope to a node's outbox, or makes one due again (a
resend), marks its session. The node's unit of work, once that transaction has committed,
calls the node's outbox listeners (`Node.on_outbox_commit`): the dispatchers that deliver
for it. Only after the commit, never before: a dispatcher woken earlier could read the
outbox before the row is visible and go back to rest with the envelope unsent.
"""

from __future__ import annotations

from sqlalchemy.orm import Session

_CHANGED = "juki.outbox_changed"


def outbox_changed(session: Session) -> None:
    """Note that this transaction wrote to the outbox (or made an envelope due)."""
    session.info[_CHANGED] = True


def take_outbox_changed(session: Session) -> bool:
    """Whether the transaction noted an outbox change; the note is cleared."""
    return bool(session.info.pop(_CHANGED, False))
