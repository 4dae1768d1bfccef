"""Changes that arrive before the person (000 P3.4; issue #15): the national server relays
every applied change (`card.change`), and a new person's 送付先情報 travels on another
channel (register → CS → card), so a change can reach File 3 before the person does.
Dropped, it was lost without a trace (a form printed with a name already changed). Kept
here, sealed, and applied in the order received when the person's 送付先情報 is
registered; what is never claimed is erased after 30 days (retention rule)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import delete, select

from juki.card.models import CardFileEntry, PendingCardChange
from juki.core.crypto import sealed_label
from juki.core.messages import CardChange
from juki.core.messaging.node import UnitOfWork

RECORD = sealed_label("card_pending_changes.record")


def keep(uow: UnitOfWork, change: CardChange) -> bool:
    """Keep a change for a person not held; False when it was kept already."""
    known = select(PendingCardChange.id).where(PendingCardChange.update_id == change.update_id)
    if uow.session.scalar(known) is not None:
        return False
    sealed = uow.node.keys.encrypt(change.model_dump_json(), column=RECORD)
    kept = PendingCardChange(
        update_id=change.update_id, resident_code=change.resident_code, record_cipher=sealed,
        received_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    uow.session.add(kept)
    return True


def claim(uow: UnitOfWork, entry: CardFileEntry) -> list[CardChange]:
    """The changes waiting for the entry's person, oldest first; taken out of the table."""
    rows = uow.session.scalars(
        select(PendingCardChange)
        .where(PendingCardChange.resident_code == entry.resident_code)
        .order_by(PendingCardChange.id)
    ).all()
    if not rows:
        return []
    found = [
        CardChange.model_validate_json(uow.node.keys.decrypt(row.record_cipher, column=RECORD))
        for row in rows
    ]
    uow.session.execute(
        delete(PendingCardChange).where(PendingCardChange.id.in_([row.id for row in rows]))
    )
    return found
