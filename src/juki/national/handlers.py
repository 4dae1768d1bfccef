"""Messages the national server accepts (paths in core/messaging/paths.py)."""

from __future__ import annotations

from typing import Any

from juki.core.consistency import answer_consistency
from juki.core.infonet_messages import FugoRequest
from juki.core.jpki_messages import JpkiChange
from juki.core.messages import (
    CardChange,
    ChangeReason,
    IdentityConfirm,
    IdentityRecord,
    MessageType,
    NumberCheck,
    NumberCheckResult,
    NumberRequest,
    PoolRequest,
)
from juki.core.messaging.envelope import Envelope
from juki.core.messaging.node import Handler, UnitOfWork
from juki.core.messaging.paths import code_of
from juki.core.messaging.records import valid_records
from juki.core.portal_messages import PortalCode
from juki.national import fugo, service
from juki.national.models import NationalIdentityRow

GENERATOR = "numbering"
CARD_SYSTEM = "card"  # 個人番号カード管理システム (000 §2.4)
JPKI = "jpki"  # 公的個人認証サービス (000 §2.3: connected to the national server)
# A birth or a new 個人番号 touches no certificate: JPKI is not told of them.
NOT_FOR_JPKI = frozenset({ChangeReason.BIRTH, ChangeReason.NUMBER_CHANGE})


def on_identity_update(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """1-⑤: update File 2 and send the 本人確認情報更新結果 back to the prefecture; relay each
    applied change to the card management system (000 P3.4, C27, F3-STO-01) and those that
    may end a certificate to JPKI."""
    for outcome in service.apply_identity_updates(uow.session, uow.node.keys, records):
        uow.send(envelope.sender, MessageType.IDENTITY_UPDATE_RESULT, outcome.result())
        record = outcome.record
        if outcome.error is None:
            uow.send(CARD_SYSTEM, MessageType.CARD_CHANGE, card_change(record))
        if outcome.error is None and record.reason not in NOT_FOR_JPKI:
            uow.send(JPKI, MessageType.JPKI_CHANGE, jpki_change(record))
        if outcome.error is None and record.reason == ChangeReason.RESIDENT_CODE_CHANGE:
            if record.previous_resident_code is not None:
                fugo.code_changed(uow, record.previous_resident_code, record.resident_code)
            uow.send(
                GENERATOR,
                MessageType.CODE_CHANGE_NOTICE,
                {
                    "old_resident_code": record.previous_resident_code,
                    "new_resident_code": record.resident_code,
                    "individual_number": record.individual_number,
                },
            )


def jpki_change(record: IdentityRecord) -> dict[str, Any]:
    """異動等失効情報 for JPKI (公的個人認証法 第12条, 第31条): the 4情報, the codes, the
    reason and date; no 個人番号 (000 §2.3)."""
    change = JpkiChange(
        update_id=record.update_id, resident_code=record.resident_code,
        previous_resident_code=record.previous_resident_code, name_kanji=record.name_kanji,
        birth_date=record.birth_date, sex=record.sex, address=record.address,
        reason=record.reason, change_date=record.change_date, lg_code=record.lg_code,
    )  # fmt: skip
    return change.model_dump(mode="json")


def card_change(record: IdentityRecord) -> dict[str, Any]:
    """The 異動情報 the card system needs to keep File 3 current: the 4情報, the codes, the
    number, the reason and date; nothing else of File 2 (000 §2.4: relay only)."""
    change = CardChange(
        update_id=record.update_id, resident_code=record.resident_code,
        previous_resident_code=record.previous_resident_code, name_kanji=record.name_kanji,
        name_kana=record.name_kana, birth_date=record.birth_date, sex=record.sex,
        address=record.address, lg_code=record.lg_code,
        individual_number=record.individual_number, reason=record.reason,
        change_date=record.change_date,
    )  # fmt: skip
    return change.model_dump(mode="json")


def on_number_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """Forward admitted requests to the generator; refuse the rest back to the CS."""
    lg = code_of(envelope.sender)
    requests = [NumberRequest.model_validate(raw) for raw in records]
    own = [r for r in requests if r.lg_code == lg]  # a CS asks only for its municipality
    verdicts = service.admit_number_requests(uow.session, uow.node.keys, envelope.sender, own)
    refused = {r.request_id for r in requests if r.lg_code != lg}
    errors = {r.request_id: v for r, v in zip(own, verdicts, strict=True) if v is not None}
    service.record_refusals(
        uow.session,
        envelope.sender,
        [(r, "refused") for r in requests if r.request_id in refused]
        + [(r, v.code) for r, v in zip(own, verdicts, strict=True) if v is not None],
    )
    for request, raw in zip(requests, records, strict=True):
        if request.request_id in refused or request.request_id in errors:
            code = errors[request.request_id].code if request.request_id in errors else "refused"
            uow.send(
                envelope.sender,
                MessageType.NUMBER_RESULT,
                {
                    "request_id": request.request_id,
                    "lg_code": request.lg_code,
                    "resident_code": request.resident_code,
                    "kind": request.kind,
                    "error_code": code,
                },
            )
        else:
            uow.send(GENERATOR, MessageType.NUMBER_REQUEST, raw)


def on_number_result(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for result, cs_node in service.record_number_results(uow.session, uow.node.keys, records):
        uow.send(cs_node, MessageType.NUMBER_RESULT, result)


def on_number_check(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """個人番号の真正性確認 (001a ACQ-3-2, 001b C-04): answer match or mismatch, never the
    number; a CS asks only for its own municipality."""
    checks = [NumberCheck.model_validate(raw) for raw in records]
    own = [c for c in checks if c.lg_code == code_of(envelope.sender)]
    for check, result in zip(
        own, service.check_numbers(uow.session, uow.node.keys, envelope.sender, own), strict=True
    ):
        answer = NumberCheckResult(check_id=check.check_id, lg_code=check.lg_code, result=result)
        uow.send(envelope.sender, MessageType.NUMBER_CHECK_RESULT, answer.model_dump())


def on_identity_confirm(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """本人確認 with the card (001a §3.5): a CS asks only for its own municipality."""
    for raw in records:
        check = IdentityConfirm.model_validate(raw)
        if check.lg_code != code_of(envelope.sender):
            continue
        answer = service.confirm_identity(uow.session, uow.node.keys, envelope.sender, check)
        uow.send(envelope.sender, MessageType.IDENTITY_CONFIRMED, answer.model_dump(mode="json"))


def on_pool_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    for raw in records:
        request = PoolRequest.model_validate(raw)
        if request.lg_code != code_of(envelope.sender):
            continue  # a CS asks only for its own municipality's pool
        codes = service.allocate_resident_codes(uow.session, request.lg_code, request.count)
        uow.send(
            envelope.sender,
            MessageType.POOL_GRANT,
            {"lg_code": request.lg_code, "resident_codes": codes},
        )


def on_consistency_check(
    uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]
) -> None:
    for raw in records:
        result = answer_consistency(
            uow.session,
            NationalIdentityRow,
            uow.node.keys,
            uow.node.node_id,
            raw,
        )
        if result is not None:
            uow.send(envelope.sender, MessageType.CONSISTENCY_RESULT, result)


def on_fugo_request(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """C10: an institution's request for a person's 住民票コード, to be given to the network."""
    for request in valid_records(FugoRequest, records, "national: fugo.request"):
        fugo.provide(uow, envelope.sender, request)


def on_portal_code(uow: UnitOfWork, envelope: Envelope, records: list[dict[str, Any]]) -> None:
    """マイナポータル's 符号: the code JPKI resolved from the log-in certificate's serial."""
    for asked in valid_records(PortalCode, records, "national: portal.code"):
        fugo.for_portal(uow, envelope.sender, asked)


HANDLERS: dict[str, Handler] = {
    MessageType.FUGO_REQUEST: on_fugo_request,
    MessageType.PORTAL_CODE: on_portal_code,
    MessageType.IDENTITY_UPDATE: on_identity_update,
    MessageType.NUMBER_REQUEST: on_number_request,
    MessageType.NUMBER_RESULT: on_number_result,
    MessageType.POOL_REQUEST: on_pool_request,
    MessageType.NUMBER_CHECK: on_number_check,
    MessageType.IDENTITY_CONFIRM: on_identity_confirm,
    MessageType.CONSISTENCY_CHECK: on_consistency_check,
}
