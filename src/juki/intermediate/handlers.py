"""Messages the 中間サーバー accepts: the 統合宛名's requests for a 処理通番 (its own
institution's only) and the network's 符号 and re-keyings (core/messaging/paths.py)."""

from __future__ import annotations

from typing import Any

from juki.core.infonet_messages import (
    FugoAcquire,
    FugoIssued,
    FugoRekey,
    FukuhonRegister,
    InfonetResult,
    PermitListRow,
    ProvisionPermit,
)
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.records import valid_records
from juki.intermediate import exchange, service


def on_acquire(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for acquire in valid_records(FugoAcquire, records, "intermediate: fugo.acquire"):
        service.give_serial(uow, acquire)


def on_issued(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for issued in valid_records(FugoIssued, records, "intermediate: fugo.issued"):
        service.bind(uow, issued)


def on_rekey(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for change in valid_records(FugoRekey, records, "intermediate: fugo.rekey"):
        service.rekey(uow, change)


def on_copy(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for copy in valid_records(FukuhonRegister, records, "intermediate: fukuhon.register"):
        exchange.register_copy(uow, copy)


def on_permit_list(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for listed in valid_records(PermitListRow, records, "intermediate: infonet.permit_list"):
        exchange.receive_permit_list(uow, listed)


def on_permit(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for permit in valid_records(ProvisionPermit, records, "intermediate: infonet.permit"):
        exchange.answer_permit(uow, permit)


def on_result(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for result in valid_records(InfonetResult, records, "intermediate: infonet.result"):
        exchange.receive_result(uow, result)


HANDLERS: dict[str, Handler] = {
    MessageType.FUKUHON_REGISTER: on_copy,
    MessageType.PERMIT_LIST: on_permit_list,
    MessageType.PROVISION_PERMIT: on_permit,
    MessageType.INFONET_RESULT: on_result,
    MessageType.FUGO_ACQUIRE: on_acquire,
    MessageType.FUGO_ISSUED: on_issued,
    MessageType.FUGO_REKEY: on_rekey,
}
