"""Messages the CS accepts: from its own registry, its prefecture, the national server,
other CSs, J-LIS's card management system and JPKI."""

from __future__ import annotations

import logging
from collections import defaultdict
from typing import Any

from juki.core.ids import prefecture_code_of
from juki.core.infonet_messages import FugoRequest
from juki.core.issuance_messages import ChipRewrite, ChipRewriteRequest
from juki.core.jpki_messages import JpkiCardStatus, JpkiIssued, JpkiIssueRequest
from juki.core.messages import (
    CardInfo,
    CardReport,
    CardStatusAnswer,
    CardStatusQuery,
    IdentityConfirm,
    MessageType,
    MoveInNotice,
    MoveOutCertReply,
    MoveOutCertRequest,
    NumberCheck,
    NumberRequest,
    PoolRequest,
    Strict,
    WideAreaCopy,
    WideAreaRequest,
)
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.paths import code_of
from juki.core.messaging.records import valid_records
from juki.cs import destination_file, provision, service

NATIONAL = "national"
CARD = "card"  # File 3 takes part in 整合 (card/consistency.py)
log = logging.getLogger(__name__)


def prefecture_of(uow: UnitOfWork) -> str:
    return f"prefecture:{prefecture_code_of(code_of(uow.node.node_id))}"


def registry_of(uow: UnitOfWork) -> str:
    return f"registry:{code_of(uow.node.node_id)}"


def on_identity_update(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    passed: dict[tuple[str, str], list[dict[str, Any]]] = defaultdict(list)
    for outcome in service.apply_identity_updates(uow.session, uow.node.keys, records):
        if outcome.error is None:
            passed[(outcome.record.operator_id, outcome.record.terminal_id)].append(outcome.raw)
        else:
            uow.send(envelope.sender, MessageType.IDENTITY_UPDATE_RESULT, outcome.result())
    # On to the prefecture, by the destination master and in the provision record
    # (001a XFER-2-1, XFER-2-2): one record per operator and terminal of the batch.
    for (operator, terminal), raws in passed.items():
        sent = provision.Sent(envelope.sender, operator, terminal)
        provision.provide(uow, sent, prefecture_of(uow), MessageType.IDENTITY_UPDATE, raws)


def relay_to_registry(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """更新結果, 個人番号 results and code pools go back to the municipality's registry."""
    for raw in records:
        uow.send(registry_of(uow), envelope.type, raw)


# What the registry may ask of the national server through the CS, each a closed item list
# (001a ACQ-1-8): a record with any other item fails here and is not sent on.
_TO_NATIONAL: dict[str, type[Strict]] = {
    MessageType.NUMBER_REQUEST: NumberRequest,
    MessageType.POOL_REQUEST: PoolRequest,
    MessageType.NUMBER_CHECK: NumberCheck,
    MessageType.IDENTITY_CONFIRM: IdentityConfirm,
}


def relay_to_national(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """Number requests and pool requests go to the national server (000 P1.1 1-①)."""
    model = _TO_NATIONAL[envelope.type]
    for raw in records:
        model.model_validate(raw)  # refuses an item the type does not have
        uow.send(NATIONAL, envelope.type, raw)


def on_consistency_result(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    for raw in records:
        service.record_consistency_result(uow.session, raw)


def start_reconcile(uow: UnitOfWork) -> str:
    """6-①: send the 整合 data to the prefectural and national servers."""
    checks = service.consistency_parts(uow.session, uow.node.keys, code_of(uow.node.node_id))
    sent = provision.Sent(uow.node.node_id)
    for check in checks:  # one envelope per part, so a large municipality streams its file
        # File 3 too (issue #15): the card system compares the card entries it holds
        for recipient in (prefecture_of(uow), NATIONAL, CARD):
            provision.provide_file(
                uow, sent, recipient, MessageType.CONSISTENCY_CHECK, {"records": [check]}
            )
    return str(checks[0]["check_id"])


# Municipality to municipality (001a §2.2, §3.3): the CS forwards, checking addressing.
_ADDRESSED_TO: dict[MessageType, tuple[type[Strict], str, str]] = {
    # message type: (model, field naming where it comes from, field naming where it goes)
    MessageType.MOVE_OUT_CERT_REQUEST: (MoveOutCertRequest, "requesting_lg_code", "former_lg_code"),
    MessageType.MOVE_OUT_CERT: (MoveOutCertReply, "former_lg_code", "requesting_lg_code"),
    MessageType.MOVE_IN_NOTICE: (MoveInNotice, "new_lg_code", "former_lg_code"),
    MessageType.WIDE_AREA_REQUEST: (WideAreaRequest, "requesting_lg_code", "home_lg_code"),
    MessageType.WIDE_AREA_COPY: (WideAreaCopy, "home_lg_code", "requesting_lg_code"),
}


def relay_between_municipalities(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    """From our registry: on to the other municipality's CS. From another CS: to our
    registry, if it is addressed to us and says it comes from the CS that signed it. The CS
    keeps nothing of it but the inbox entry."""
    model, from_field, to_field = _ADDRESSED_TO[MessageType(envelope.type)]
    own = code_of(uow.node.node_id)
    # Who may claim to be the source: our registry speaks for us, another CS for itself.
    from_registry = envelope.sender == registry_of(uow)
    source = own if from_registry else code_of(envelope.sender)
    for raw in records:
        message = model.model_validate(raw)
        target, claimed = getattr(message, to_field), getattr(message, from_field)
        if claimed != source:
            log.warning("%s from %s names another source: dropped", envelope.type, envelope.sender)
        elif from_registry and target != own:  # onward: by the master, recorded (XFER-2-1/2)
            provision.provide(
                uow, provision.Sent(envelope.sender), f"cs:{target}", envelope.type,
                [message.model_dump(mode="json")],
            )  # fmt: skip
        elif not from_registry and target == own:
            uow.send(registry_of(uow), envelope.type, message.model_dump(mode="json"))
        else:
            log.warning("%s from %s not addressed to us: dropped", envelope.type, envelope.sender)


def on_destination_info(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """送付先情報 from the registry: checked, held encrypted, sent on (001a §3.7 7-①/②)."""
    destination_file.receive(uow, envelope.sender, records)


def on_destination_receipt(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    destination_file.on_receipt(uow, records)


def on_card_info(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """個人番号カード管理情報 from J-LIS (000 §3.3 1-⑪): on to the registry, only this
    municipality's (a report naming another is logged and dropped)."""
    own = code_of(uow.node.node_id)
    for raw in records:
        if CardInfo.model_validate(raw).lg_code != own:
            log.warning("card report for another municipality dropped")
            continue
        uow.send(registry_of(uow), MessageType.CARD_INFO, raw)


def on_card_report(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """The register's report of a counter operation on a card (000 8-①): on to J-LIS's card
    system, each a closed item list and only this municipality's (a record naming another
    fails here and goes nowhere)."""
    own = code_of(uow.node.node_id)
    for raw in records:
        report = CardReport.model_validate(raw)
        if report.lg_code != own:
            log.warning("card report naming another municipality dropped")
            continue
        uow.send("card", MessageType.CARD_REPORT, report.model_dump(mode="json"))


# The counter's questions to J-LIS's card system and their answers (the chip again; whether
# a card is in use), each a closed item list: (its model, whether it goes to the card system)
_CARD_COUNTER: dict[str, tuple[type[Strict], bool]] = {
    MessageType.CARD_CHIP_REQUEST: (ChipRewriteRequest, True),
    MessageType.CARD_CHIP: (ChipRewrite, False),
    MessageType.CARD_STATUS_QUERY: (CardStatusQuery, True),
    MessageType.CARD_STATUS: (CardStatusAnswer, False),
}


def relay_card_counter(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """On to J-LIS's card system, or back to the register; only this municipality's."""
    own = code_of(uow.node.node_id)
    model, to_card = _CARD_COUNTER[envelope.type]
    for record in valid_records(model, records, envelope.type):
        if getattr(record, "lg_code", None) != own:
            log.warning("%s naming another municipality dropped", envelope.type)
            continue
        to = "card" if to_card else registry_of(uow)
        uow.send(to, envelope.type, record.model_dump(mode="json"))


# The mayor's applications and requests to JPKI, and JPKI's answers, each a closed item
# list and only this municipality's (公的個人認証法 第3条, 第22条: through the mayor).
_JPKI_RECORDS: dict[str, type[JpkiIssueRequest | JpkiCardStatus | JpkiIssued]] = {
    MessageType.JPKI_ISSUE: JpkiIssueRequest,
    MessageType.JPKI_CARD_STATUS: JpkiCardStatus,
    MessageType.JPKI_ISSUED: JpkiIssued,
}


def relay_jpki(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """Registry to JPKI, or JPKI to the registry; a record naming another municipality is
    logged and goes nowhere."""
    own = code_of(uow.node.node_id)
    to = registry_of(uow) if envelope.type == MessageType.JPKI_ISSUED else "jpki"
    for raw in records:
        record = _JPKI_RECORDS[envelope.type].model_validate(raw)
        if record.lg_code != own:
            log.warning("%s naming another municipality dropped", envelope.type)
            continue
        uow.send(to, envelope.type, record.model_dump(mode="json"))


def relay_fugo_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """符号の取得 (001b 5-②, C10): the institution's 処理通番 and 個人番号, from the register
    (which had them from its 統合宛名) on to J-LIS; only for this municipality's own
    institution. The CS keeps nothing of it."""
    own = code_of(uow.node.node_id)
    for request in valid_records(FugoRequest, records, envelope.type):
        if request.institution != own:
            log.warning("符号 request for another institution dropped")
            continue
        uow.send("national", MessageType.FUGO_REQUEST, request.model_dump())


HANDLERS: dict[str, Handler] = {
    MessageType.FUGO_REQUEST: relay_fugo_request,
    MessageType.JPKI_ISSUE: relay_jpki,
    MessageType.JPKI_CARD_STATUS: relay_jpki,
    MessageType.JPKI_ISSUED: relay_jpki,
    MessageType.CARD_INFO: on_card_info,
    MessageType.CARD_REPORT: on_card_report,
    MessageType.CARD_CHIP_REQUEST: relay_card_counter,
    MessageType.CARD_CHIP: relay_card_counter,
    MessageType.CARD_STATUS_QUERY: relay_card_counter,
    MessageType.CARD_STATUS: relay_card_counter,
    MessageType.DESTINATION_INFO: on_destination_info,
    MessageType.DESTINATION_RECEIPT: on_destination_receipt,
    MessageType.MOVE_OUT_CERT_REQUEST: relay_between_municipalities,
    MessageType.MOVE_OUT_CERT: relay_between_municipalities,
    MessageType.MOVE_IN_NOTICE: relay_between_municipalities,
    MessageType.WIDE_AREA_REQUEST: relay_between_municipalities,
    MessageType.WIDE_AREA_COPY: relay_between_municipalities,
    MessageType.IDENTITY_UPDATE: on_identity_update,
    MessageType.IDENTITY_UPDATE_RESULT: relay_to_registry,
    MessageType.NUMBER_RESULT: relay_to_registry,
    MessageType.POOL_GRANT: relay_to_registry,
    MessageType.NUMBER_REQUEST: relay_to_national,
    MessageType.POOL_REQUEST: relay_to_national,
    MessageType.NUMBER_CHECK: relay_to_national,  # 001a ACQ-3-2: checked at the national file
    MessageType.NUMBER_CHECK_RESULT: relay_to_registry,
    MessageType.IDENTITY_CONFIRM: relay_to_national,  # 001a §3.5 2-②/③
    MessageType.IDENTITY_CONFIRMED: relay_to_registry,  # 2-④
    MessageType.CONSISTENCY_RESULT: on_consistency_result,
}
