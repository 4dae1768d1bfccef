"""Messages the network accepts (core/messaging/paths.py): from J-LIS the 住民票コード for a
処理通番 (C11) and changes of 住民票コード (C12); from 中間サーバー queries and answers; from
マイナポータル the person's request for their 情報提供等記録."""

from __future__ import annotations

from typing import Any

from juki.core.infonet_messages import (
    FugoCodeChange,
    FugoResidentCode,
    InfonetAnswer,
    InfonetQuery,
)
from juki.core.messages import MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.paths import code_of
from juki.core.messaging.records import each_record, valid_records
from juki.core.portal_messages import RecordsAsk
from juki.infonet import brokering, service
from juki.infonet import records as provision_records


def on_query(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for query in valid_records(InfonetQuery, records, "infonet: infonet.query"):
        brokering.broker(uow, code_of(envelope.sender), query)


def on_answer(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for answer in valid_records(InfonetAnswer, records, "infonet: infonet.answer"):
        brokering.relay_answer(uow, code_of(envelope.sender), answer)


def on_records_ask(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for ask in valid_records(RecordsAsk, records, "infonet: portal.records_ask"):
        provision_records.answer(uow, envelope.sender, ask)


HANDLERS: dict[str, Handler] = {
    MessageType.INFONET_QUERY: on_query,
    MessageType.INFONET_ANSWER: on_answer,
    MessageType.FUGO_RESIDENT_CODE: each_record(FugoResidentCode, service.issue),
    MessageType.FUGO_CODE_CHANGE: each_record(FugoCodeChange, service.rekey),
    MessageType.PORTAL_RECORDS_ASK: on_records_ask,
}
