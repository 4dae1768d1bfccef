"""個人番号カード as J-LIS reports them to the mayor (000 §3.3 1-⑩/⑪, C23): each card
produced for a person of this municipality arrives as 個人番号カード管理情報 through the CS
and waits here to be handed over at the counter. The report is kept only if it names a
current resident by the 住民票コード and the 個人番号 this register holds for them; any
other report is dropped and logged by its id (never by number)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import CardInfo
from juki.core.messaging.node import UnitOfWork
from juki.registry.cards.models import MyNumberCard
from juki.registry.residents.models import Resident

log = logging.getLogger(__name__)
AWAITING_HANDOVER = "awaiting_handover"


def receive(uow: UnitOfWork, info: CardInfo) -> MyNumberCard | None:
    if uow.session.scalar(select(MyNumberCard.id).where(MyNumberCard.info_id == info.info_id)):
        return None  # the same report again: already kept
    index = uow.node.keys.blind_index(info.individual_number, column=NUMBER_COLUMN)
    person = uow.session.scalar(
        select(Resident).where(
            Resident.resident_code == info.resident_code,
            Resident.status == "resident",
            Resident.individual_number_index == index,
        )
    )
    if person is None:
        log.warning("card report %s names no current resident with that number", info.info_id)
        return None
    card = MyNumberCard(
        info_id=info.info_id, resident_id=person.id, application_id=info.application_id,
        card_issue_number=info.card_issue_number, expires_on=info.expires_on,
        status=AWAITING_HANDOVER, received_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    uow.session.add(card)
    return card


def cards_of(uow: UnitOfWork, resident_id: int) -> list[MyNumberCard]:
    return list(
        uow.session.scalars(
            select(MyNumberCard)
            .where(MyNumberCard.resident_id == resident_id)
            .order_by(MyNumberCard.received_at)
        )
    )
