"""Messages the network accepts, from J-LIS only (core/messaging/paths.py): the
住民票コード for a 処理通番 (C11) and changes of 住民票コード (C12)."""

from __future__ import annotations

from typing import Any

from juki.core.infonet_messages import FugoCodeChange, FugoResidentCode
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.records import valid_records
from juki.infonet import service


def on_resident_code(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for given in valid_records(FugoResidentCode, records, "infonet: fugo.resident_code"):
        service.issue(uow, given)


def on_code_change(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for change in valid_records(FugoCodeChange, records, "infonet: fugo.code_change"):
        service.rekey(uow, change)


HANDLERS: dict[str, Handler] = {
    MessageType.FUGO_RESIDENT_CODE: on_resident_code,
    MessageType.FUGO_CODE_CHANGE: on_code_change,
}
