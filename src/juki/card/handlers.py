"""Messages the card management system accepts (paths in core/messaging/paths.py): 送付先情報
from a 市町村CS (000 §3.3 1-①, C15), answered by one receipt per record, and the
residents' changes relayed by the national server (000 P3.4, C27), the municipalities'
reports of their counter operations on cards (000 8-①, `counter.py`), and the issuance
contractor's results (C21, `issuance.py`)."""

from __future__ import annotations

import logging
from typing import Any

from juki.card import chip_rewrite, consistency, counter, issuance, service
from juki.core.errors import JukiError
from juki.core.issuance_messages import CardMade, ChipRewriteRequest
from juki.core.messages import CARD_DONE, CardStatusQuery, MessageType
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.records import valid_records

log = logging.getLogger(__name__)


def on_destination_info(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for receipt in service.register_destinations(uow, envelope.sender, records):
        uow.send(envelope.sender, MessageType.DESTINATION_RECEIPT, receipt.model_dump(mode="json"))


def on_card_change(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for entry in service.apply_changes(uow, envelope.sender, records):
        # The card lapsed with its holder: the mayor holding it is told (1-⑪), and the
        # register ends its certificates and waits for the card's 返納 (回収).
        actor = service.CHANGE_ACTOR
        try:  # a record File 3 cannot read again must not hold up every later change
            counter.inform_mayor(uow, entry, "abolished", CARD_DONE, actor, actor)
        except (JukiError, ValueError):
            log.error("card entry %s lapsed; its mayor could not be told", entry.id)
    # a 継続利用 reported before the relay of the 転入 is taken up once it has come
    counter.retry_continuations(uow)


def on_card_report(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    counter.apply_reports(uow, envelope.sender, records)


def on_card_made(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for made in valid_records(CardMade, records, envelope.type):
        issuance.on_made(uow, envelope.sender, made)


def on_chip_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for request in valid_records(ChipRewriteRequest, records, envelope.type):
        chip_rewrite.on_request(uow, envelope.sender, request)


def on_status_query(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for query in valid_records(CardStatusQuery, records, envelope.type):
        counter.answer_status(uow, envelope.sender, query)


def on_consistency_check(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    for raw in records:
        result = consistency.answer(uow, raw)
        if result is not None:
            uow.send(envelope.sender, MessageType.CONSISTENCY_RESULT, result)


HANDLERS: dict[str, Handler] = {
    MessageType.CONSISTENCY_CHECK: on_consistency_check,
    MessageType.CARD_MADE: on_card_made,
    MessageType.DESTINATION_INFO: on_destination_info,
    MessageType.CARD_CHANGE: on_card_change,
    MessageType.CARD_REPORT: on_card_report,
    MessageType.CARD_CHIP_REQUEST: on_chip_request,
    MessageType.CARD_STATUS_QUERY: on_status_query,
}
