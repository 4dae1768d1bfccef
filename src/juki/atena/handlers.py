"""Messages the 統合宛名 accepts: the register's person updates (1-④) and the 中間サーバー's
処理通番 (5-①), each from its own institution only (core/messaging/paths.py)."""

from __future__ import annotations

from typing import Any

from juki.atena import service
from juki.core.infonet_messages import AtenaUpdate, FugoSamePerson, FugoSerial
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.records import valid_records


def on_update(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for update in valid_records(AtenaUpdate, records, "atena: atena.update"):
        service.apply_update(uow, update)


def on_serial(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for given in valid_records(FugoSerial, records, "atena: fugo.serial"):
        service.request_fugo(uow, given)


def on_same_person(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for same in valid_records(FugoSamePerson, records, "atena: fugo.same_person"):
        service.merge(uow, same)


HANDLERS: dict[str, Handler] = {
    MessageType.ATENA_UPDATE: on_update,
    MessageType.FUGO_SERIAL: on_serial,
    MessageType.FUGO_SAME_PERSON: on_same_person,
}
