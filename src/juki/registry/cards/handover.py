"""交付 at the counter (000 F3-ACQ-04 [ORG], the mayor "hands cards to residents after
strict identity checks", 000 §1 actors): the card must have been set up (交付前設定); the
clerk records the identity document seen (one with a photo, not the card being handed
over), that its photo was matched to the person, and that the 交付通知書 was presented; the
record and the 交付 report to J-LIS (8-①) are one transaction. A 交付 reported without
this record is refused (`service.report`)."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict

from juki.core.errors import Conflict, InvalidInput
from juki.core.messages import CardReport
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.accounts import Actor
from juki.registry.cards import service
from juki.registry.cards.models import CardHandover
from juki.registry.notices.schemas import IdDocument


class HandoverCheck(BaseModel):
    """What the clerk saw (the public procedure for 個人番号カードの交付: a photo ID and the
    交付通知書; the card being handed over proves nothing)."""

    model_config = ConfigDict(extra="forbid")

    id_document: IdDocument
    face_matched: Literal[True]  # 顔写真と本人を照合した
    notice_presented: Literal[True]  # 交付通知書を確認した


def hand_over(
    uow: UnitOfWork, card_issue_number: str, check: HandoverCheck, actor: Actor
) -> CardReport:
    card = service.card_of(uow, card_issue_number)
    if card.status != "ready":
        raise Conflict("交付前設定の済んだカードではありません", field="card_issue_number")
    if check.id_document is IdDocument.MY_NUMBER_CARD:
        raise InvalidInput("交付するカードは本人確認書類になりません", field="id_document")
    record = CardHandover(
        card_id=card.id, id_document=check.id_document.value, face_matched=True,
        notice_presented=True, checked_at=dt.datetime.now(dt.UTC), operator_id=actor.login,
        terminal_id=actor.terminal,
    )  # fmt: skip
    uow.session.add(record)
    return service.report(uow, card_issue_number, "handed_over", "", actor, checked=True)
