"""更新 and expiry of the card (000 §3.3 "Card lifecycle states": 有効期限切れ, and 更新
producing a new card; the public rules outside the seeds: J-LIS mails an 有効期限通知書 with
a new 交付申請書 some months before a card expires, and 個人番号カード省令 第24条 — a person
holds one valid card at a time).

A run (`POST /card/expiry-notices`, J-LIS's staff) does two things, each once:

- a card in use that expires within `NOTICE_WITHIN` gets a renewal entry of its own in
  File 3 — a new 申請書ID and 送付先管理番号, the holder's record as File 3 holds it now,
  `renewal_of` naming the card's 申請書ID — whose form the print channel mails as any other;
  the application, commission, making and 交付 follow as for a first card. At the 交付 of
  the new card the old one is abolished (「更新」) and the mayor told
  (`counter.end_renewed`);
- a card in use whose expiry has passed moves to 有効期限切れ and the mayor is told
  (`expired`); the services that read a card accept only one in use.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import select

from juki.card import identity, lifecycle
from juki.card.counter import inform_mayor
from juki.card.lifecycle import CardState
from juki.card.models import CardFileEntry
from juki.card.service import new_application_ids, now, open_record, record_exchange, seal_record
from juki.core.errors import JukiError
from juki.core.messages import CARD_DONE, destination_digest
from juki.core.messaging.node import UnitOfWork

log = logging.getLogger(__name__)
NOTICE_WITHIN = dt.timedelta(days=90)  # J-LIS's notice comes some months before [Inference]
ACTOR = "(有効期限通知)"


def run(uow: UnitOfWork, today: dt.date) -> dict[str, int]:
    """One run on Japan's `today`: renewal forms for cards expiring soon, expiry for the
    ones past. Returns how many of each."""
    return {"renewal_notices": _notify(uow, today), "expired": _expire(uow, today)}


def _notify(uow: UnitOfWork, today: dt.date) -> int:
    renewed = select(CardFileEntry.renewal_of).where(CardFileEntry.renewal_of.is_not(None))
    due = uow.session.scalars(
        select(CardFileEntry)
        .where(
            CardFileEntry.status == CardState.ACTIVE,
            CardFileEntry.expires_on <= today + NOTICE_WITHIN,
            CardFileEntry.expires_on >= today,
            CardFileEntry.application_id.not_in(renewed),
        )
        .order_by(CardFileEntry.id)
        .with_for_update()
    ).all()
    ids = new_application_ids(uow.session, len(due))
    for card, application_id in zip(due, ids, strict=True):
        uow.session.add(_renewal_entry(uow, card, application_id))
        record_exchange(uow, "renewal_notice", uow.node.node_id, application_id, "registered",
                purpose="個人番号カードの更新（有効期限通知）")  # fmt: skip
    return len(due)


def _renewal_entry(uow: UnitOfWork, card: CardFileEntry, application_id: str) -> CardFileEntry:
    """The holder's record as File 3 holds it now (kept current by the relayed changes),
    under a 送付先管理番号 of its own."""
    record = open_record(uow, card)
    record["destination_id"] = str(uuid.uuid4())
    return CardFileEntry(
        destination_id=record["destination_id"], lg_code=card.lg_code,
        source_lg_code=card.lg_code, resident_code=card.resident_code,
        individual_number_index=card.individual_number_index,
        record_cipher=seal_record(uow, record),
        four_items_index=identity.of_record(uow.node.keys, record),
        digest=destination_digest(record), status=CardState.REGISTERED.value,
        application_id=application_id, received_at=now(), renewal_of=card.application_id,
    )  # fmt: skip


def _expire(uow: UnitOfWork, today: dt.date) -> int:
    past = uow.session.scalars(
        select(CardFileEntry)
        .where(CardFileEntry.status == CardState.ACTIVE, CardFileEntry.expires_on < today)
        .order_by(CardFileEntry.id)
        .with_for_update()
    ).all()
    for card in past:
        lifecycle.move(uow.session, card, CardState.EXPIRED, at=now(), actor=ACTOR)
        _tell(uow, card, "expired")
    return len(past)


def _tell(uow: UnitOfWork, card: CardFileEntry, kind: str) -> None:
    try:  # a record that cannot be read again must not stop the run or the channel
        inform_mayor(uow, card, kind, CARD_DONE, ACTOR, ACTOR)  # type: ignore[arg-type]
    except (JukiError, ValueError):
        log.error("card entry %s: its mayor could not be told (%s)", card.id, kind)
