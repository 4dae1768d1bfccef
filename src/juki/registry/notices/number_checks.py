"""個人番号の真正性確認 (001a ACQ-3-2, 001b C-04): before a 転入 whose 個人番号 the clerk
entered from paper (a 転出証明書, a 通知カード) is recorded, the CS confirms with the
national file that the number belongs to the 住民票コード. A mismatch blocks the 転入.

A person who shows their own My Number card at the counter needs no check: the card is
the proof (番号法 第16条). Nor does a 特例転入, whose number comes from the former
municipality's register through 住基ネット.
"""

from __future__ import annotations

import uuid

from sqlalchemy import select

from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import MessageType, NumberCheck, NumberCheckResult
from juki.core.messaging.node import UnitOfWork
from juki.registry.notices.models import NumberCheckRecord
from juki.registry.notices.schemas import IdDocument, Intake, NotifierType, NumberCheckBody
from juki.registry.residents.pool import cs_of, lg_code, now

VERDICTS = {
    "mismatch": "個人番号が住民票コードに対応しません（CSで確認）",
    "unknown_code": "住民票コードが全国の本人確認情報にありません（CSで確認）",
    "waiting": "CSでの個人番号の確認の回答を待っています",
}


def request(uow: UnitOfWork, body: NumberCheckBody, clerk: str) -> str:
    """Ask, through our CS, whether the number is the code's; returns the check's id."""
    check_id = str(uuid.uuid4())
    uow.session.add(
        NumberCheckRecord(
            check_id=check_id,
            resident_code=body.resident_code,
            individual_number_index=_index(uow, body.individual_number),
            requested_by=clerk,
            requested_at=now(),
            status="waiting",
        )
    )
    check = NumberCheck(
        check_id=check_id,
        lg_code=lg_code(uow),
        resident_code=body.resident_code,
        individual_number=body.individual_number,
    )
    uow.send(cs_of(uow), MessageType.NUMBER_CHECK, check.model_dump())
    return check_id


def receive(uow: UnitOfWork, result: NumberCheckResult) -> None:
    record = uow.session.get(NumberCheckRecord, result.check_id)
    if record is None or record.status != "waiting" or result.lg_code != lg_code(uow):
        return  # not ours, or answered already
    record.status, record.answered_at = result.result, now()


def status(uow: UnitOfWork, check_id: str) -> NumberCheckRecord:
    record = uow.session.get(NumberCheckRecord, check_id)
    if record is None:
        raise NotFound("個人番号の確認が見つかりません", field="number_check_id")
    return record


def card_shown(intake: Intake) -> bool:
    """The person came and showed their own My Number card."""
    return intake.notifier == NotifierType.SELF and intake.id_document == IdDocument.MY_NUMBER_CARD


def use(
    uow: UnitOfWork,
    check_id: str | None,
    resident_code: str,
    individual_number: str,
    update_id: str,
    *,
    field: str = "number_check_id",
) -> None:
    # Called after the 転入 is written in the same unit of work: a refusal rolls it all back.
    """The 転入 may go ahead only on a check that matched this very code and number and
    that no other 転入 has used; otherwise it is refused, naming the field at fault."""
    if check_id is None:
        raise InvalidInput(
            "CSでの個人番号の確認が必要です（マイナンバーカードの提示がない転入）", field=field
        )
    record = uow.session.scalars(
        select(NumberCheckRecord).where(NumberCheckRecord.check_id == check_id).with_for_update()
    ).first()
    if record is None:
        raise NotFound("個人番号の確認が見つかりません", field=field)
    if record.resident_code != resident_code or record.individual_number_index != _index(
        uow, individual_number
    ):
        raise InvalidInput("確認した住民票コード・個人番号と異なります", field=field)
    if record.status != "match":
        raise Conflict(VERDICTS[record.status], field="individual_number", code=record.status)
    if record.used_by is not None:
        raise Conflict("この確認は別の転入で使用済みです", field=field, code="used")
    record.used_by = update_id


def _index(uow: UnitOfWork, number: str) -> str:
    return uow.node.keys.blind_index(number, column=NUMBER_COLUMN)
