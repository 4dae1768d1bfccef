"""Messages the registry accepts: from its own CS, and the 証明書交付センター's kiosk requests
(over LGWAN, 001a §2.6)."""

from __future__ import annotations

from typing import Any

from juki.core.infonet_messages import FugoRequest, FukuhonCheck
from juki.core.issuance_messages import CardShipment, ChipRewrite
from juki.core.jpki_messages import JpkiIssued
from juki.core.kiosk_messages import KioskOutcome, KioskRequest
from juki.core.messages import (
    CardInfo,
    CardStatusAnswer,
    DestinationReceipt,
    IdentityConfirmed,
    IdentityUpdateResult,
    MessageType,
    MoveInNotice,
    MoveOutCertReply,
    MoveOutCertRequest,
    NumberCheckResult,
    NumberResult,
    PoolGrant,
    WideAreaCopy,
    WideAreaRequest,
)
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.records import each_record, valid_records
from juki.registry.cards import certificates as card_certificates
from juki.registry.cards import continuation, destination_info, numbers, shipments
from juki.registry.cards import service as cards
from juki.registry.certificates import kiosk, wide_area
from juki.registry.notices import identity_confirmations, number_checks
from juki.registry.residents import atena_link, pool
from juki.registry.residents import service as residents
from juki.registry.transfers import service as transfers


def on_number_result(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    results = [NumberResult.model_validate(raw).model_dump(mode="json") for raw in records]
    numbers.receive_numbers(uow, results)


def on_number_check_result(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    for raw in records:
        number_checks.receive(uow, NumberCheckResult.model_validate(raw))


def on_update_result(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    updates = [IdentityUpdateResult.model_validate(raw).model_dump() for raw in records]
    residents.receive_update_results(uow, updates)


def on_pool_grant(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        pool.receive_pool_grant(uow, PoolGrant.model_validate(raw).resident_codes)


def on_cert_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        transfers.answer_certificate_request(uow, MoveOutCertRequest.model_validate(raw))


def on_cert_reply(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        transfers.receive_certificate(uow, MoveOutCertReply.model_validate(raw))


def on_move_in_notice(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        transfers.receive_move_in_notice(uow, MoveInNotice.model_validate(raw))


def on_wide_area_request(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    for raw in records:
        wide_area.answer(uow, WideAreaRequest.model_validate(raw))


def on_wide_area_copy(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        wide_area.receive(uow, WideAreaCopy.model_validate(raw))


def on_destination_receipt(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    receipts = [DestinationReceipt.model_validate(raw) for raw in records]
    destination_info.receive_receipts(uow, receipts)


def on_card_info(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        info = CardInfo.model_validate(raw)
        if info.kind == "continued_use":
            continuation.receive(uow, info)
        elif info.kind == "renewal_due":
            destination_info.renewal_due(uow, info)
        else:
            cards.receive(uow, info)


def on_jpki_issued(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        card_certificates.receive(uow, JpkiIssued.model_validate(raw))


def on_kiosk_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        answer = kiosk.answer(uow, KioskRequest.model_validate(raw))
        uow.send(envelope.sender, MessageType.KIOSK_DOCUMENT, answer.model_dump(mode="json"))


def on_kiosk_outcome(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        kiosk.settle(uow, KioskOutcome.model_validate(raw))


def on_card_status(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for answer in valid_records(CardStatusAnswer, records, envelope.type):
        identity_confirmations.receive_card_status(uow, answer)


def on_identity_confirmed(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    for raw in records:
        identity_confirmations.receive(uow, IdentityConfirmed.model_validate(raw))


def on_card_shipment(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for shipment in valid_records(CardShipment, records, envelope.type):
        shipments.receive(uow, shipment)


def on_chip_rewrite(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for answer in valid_records(ChipRewrite, records, envelope.type):
        shipments.receive_rewrite(uow, answer)


def on_fugo_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """The 統合宛名's 符号 request (001b 5-②): on through the CS to J-LIS."""
    for request in valid_records(FugoRequest, records, "registry: fugo.request"):
        atena_link.relay_fugo_request(uow, request)


HANDLERS: dict[str, Handler] = {
    MessageType.FUGO_REQUEST: on_fugo_request,
    MessageType.FUKUHON_CHECK: each_record(FukuhonCheck, atena_link.send_originals),
    MessageType.CARD_SHIPMENT: on_card_shipment,
    MessageType.CARD_CHIP: on_chip_rewrite,
    MessageType.DESTINATION_RECEIPT: on_destination_receipt,
    MessageType.CARD_INFO: on_card_info,
    MessageType.JPKI_ISSUED: on_jpki_issued,
    MessageType.WIDE_AREA_REQUEST: on_wide_area_request,
    MessageType.WIDE_AREA_COPY: on_wide_area_copy,
    MessageType.MOVE_OUT_CERT_REQUEST: on_cert_request,
    MessageType.MOVE_OUT_CERT: on_cert_reply,
    MessageType.MOVE_IN_NOTICE: on_move_in_notice,
    MessageType.NUMBER_RESULT: on_number_result,
    MessageType.NUMBER_CHECK_RESULT: on_number_check_result,
    MessageType.IDENTITY_UPDATE_RESULT: on_update_result,
    MessageType.POOL_GRANT: on_pool_grant,
    MessageType.KIOSK_REQUEST: on_kiosk_request,
    MessageType.KIOSK_OUTCOME: on_kiosk_outcome,
    MessageType.IDENTITY_CONFIRMED: on_identity_confirmed,
    MessageType.CARD_STATUS: on_card_status,
}
