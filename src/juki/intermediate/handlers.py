"""Messages the 中間サーバー accepts: the 統合宛名's requests for a 処理通番 (its own
institution's only) and the network's 符号 and re-keyings (core/messaging/paths.py)."""

from __future__ import annotations

from typing import Any

from juki.core.infonet_messages import FugoAcquire, FugoIssued, FugoRekey
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.records import valid_records
from juki.intermediate import service


def on_acquire(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for acquire in valid_records(FugoAcquire, records, "intermediate: fugo.acquire"):
        service.give_serial(uow, acquire)


def on_issued(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for issued in valid_records(FugoIssued, records, "intermediate: fugo.issued"):
        service.bind(uow, issued)


def on_rekey(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for change in valid_records(FugoRekey, records, "intermediate: fugo.rekey"):
        service.rekey(uow, change)


HANDLERS: dict[str, Handler] = {
    MessageType.FUGO_ACQUIRE: on_acquire,
    MessageType.FUGO_ISSUED: on_issued,
    MessageType.FUGO_REKEY: on_rekey,
}
