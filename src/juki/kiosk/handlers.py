"""Messages the 証明書交付センター accepts: JPKI's verdict on a presented certificate, and the
municipality's document or refusal."""

from __future__ import annotations

from typing import Any

from juki.core.kiosk_messages import KioskDocument, KioskIdentified
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.paths import code_of
from juki.kiosk import service


def on_identified(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        service.on_identified(uow, KioskIdentified.model_validate(raw))


def on_document(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        service.on_document(uow, code_of(envelope.sender), KioskDocument.model_validate(raw))


HANDLERS: dict[str, Handler] = {
    MessageType.KIOSK_IDENTIFIED: on_identified,
    MessageType.KIOSK_DOCUMENT: on_document,
}
