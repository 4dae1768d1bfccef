"""Messages the カード発行システム accepts (paths in core/messaging/paths.py): J-LIS's
commissions (C20) and its answers to the results (C21)."""

from __future__ import annotations

from typing import Any

from juki.core.issuance_messages import CardCommission, CardMadeAnswer
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.records import valid_records
from juki.issuance import service


def on_commission(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for commission in valid_records(CardCommission, records, envelope.type):
        service.on_commission(uow, commission)


def on_answer(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for answer in valid_records(CardMadeAnswer, records, envelope.type):
        service.on_answer(uow, answer)


HANDLERS: dict[str, Handler] = {
    MessageType.CARD_COMMISSION: on_commission,
    MessageType.CARD_MADE_ANSWER: on_answer,
}
