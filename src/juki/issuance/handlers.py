"""Messages the カード発行システム accepts (paths in core/messaging/paths.py): J-LIS's
commissions (C20) and its answers to the results (C21)."""

from __future__ import annotations

from typing import Any

from juki.core.issuance_messages import CardCommission, CardMadeAnswer
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.issuance import service


def on_commission(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        service.on_commission(uow, CardCommission.model_validate(raw))


def on_answer(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        service.on_answer(uow, CardMadeAnswer.model_validate(raw))


HANDLERS: dict[str, Handler] = {
    MessageType.CARD_COMMISSION: on_commission,
    MessageType.CARD_MADE_ANSWER: on_answer,
}
