"""Recording a change of a 住民票 and notifying 住基ネット (001a §3.1, §3.2, §3.7): the
pieces every 届出 is made of.

Each 届出 (`notices`, `foreign`, `ex_officio`, `transfers`) takes the node's unit of work,
changes the record, and calls `record_event`: a history row, an event, and the message that
carries the change — an IdentityUpdate to the CS, or, for a person who has no 個人番号 yet,
a generation request (000 P1.1 1-①). A change that concerns only the register writes its
history row alone (`write_history`). Nothing here commits; the caller's unit of work does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import select, update

from juki.core.clock import japan_today
from juki.core.errors import Conflict, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import ChangeReason, IdentityRecord, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.registry.residents import atena_link
from juki.registry.residents.models import (
    ImmigrationNotice,
    Resident,
    ResidentEvent,
    ResidentHistory,
)
from juki.registry.residents.pool import cs_of, lg_code, now
from juki.registry.residents.schemas import Notice

# --- reading --------------------------------------------------------------------------------


def get_resident(uow: UnitOfWork, resident_id: int) -> Resident:
    resident = uow.session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("住民が見つかりません", field="resident_id")
    return resident


def current_resident(uow: UnitOfWork, resident_id: int) -> Resident:
    resident = get_resident(uow, resident_id)
    if resident.status != "resident":
        raise Conflict("現に住民ではありません（除票）", field="resident_id", code="not_resident")
    if resident.awaiting_number:
        raise Conflict("個人番号の生成を待っています", field="resident_id", code="awaiting_number")
    return resident


def number_of(uow: UnitOfWork, resident: Resident | SimpleNamespace) -> str:
    assert resident.individual_number_cipher is not None
    return uow.node.keys.decrypt(resident.individual_number_cipher, column=NUMBER_COLUMN)


def set_number(uow: UnitOfWork, resident: Resident, number: str) -> None:
    resident.individual_number_cipher = uow.node.keys.encrypt(number, column=NUMBER_COLUMN)
    resident.individual_number_index = uow.node.keys.blind_index(number, column=NUMBER_COLUMN)


def resident_ids(uow: UnitOfWork, *, after_id: int, limit: int) -> list[int]:
    stmt = (
        select(Resident.id)
        .where(
            Resident.status == "resident",
            Resident.id > after_id,
            Resident.awaiting_number.is_(False),
        )
        .order_by(Resident.id)
        .limit(limit)
    )
    return list(uow.session.scalars(stmt).all())


def read_event(uow: UnitOfWork, update_id: str) -> ResidentEvent:
    event = uow.session.scalars(
        select(ResidentEvent).where(ResidentEvent.update_id == update_id)
    ).first()
    if event is None:
        raise NotFound("異動が見つかりません", field="event_id")
    return event


def in_chunks(uow: UnitOfWork, model: Any, column: Any, values: list[Any]) -> list[Any]:
    found: list[Any] = []
    for start in range(0, len(values), 500):
        stmt = select(model).where(column.in_(values[start : start + 500])).order_by(model.id)
        found += uow.session.scalars(stmt).all()
    return found


# --- history and events ---------------------------------------------------------------------

HISTORY_ITEMS = tuple(
    c.key for c in ResidentHistory.__table__.columns if c.key != "id" and hasattr(Resident, c.key)
)
ITEM_DEFAULTS: dict[str, Any] = {
    c.key: c.default.arg
    for c in Resident.__table__.columns
    if c.key in HISTORY_ITEMS and c.default is not None and not callable(c.default.arg)
}
# The register's own 異動事由 (item 11) beside 住基ネット's `ChangeReason`.
HOUSEHOLD_CHANGE = "household_change"  # 世帯変更: register only, nothing to 住基ネット
CANCELLATION = "cancellation"  # 異動の取消し
NUMBER_RECORDED = "number_recorded"  # 個人番号の記載 (the number came back from J-LIS)


def copy_items(resident: Resident | ResidentHistory) -> dict[str, Any]:
    # Loaded attributes sit in the instance's __dict__; reading them there skips the ORM's
    # descriptor for each of the ~90 items (an expired one still goes through getattr).
    loaded = resident.__dict__
    return {
        name: loaded[name] if name in loaded else getattr(resident, name) for name in HISTORY_ITEMS
    }


@dataclass
class EventRecord:
    """A 異動 just recorded (its row is appended at commit). `update_id` is its public id:
    the same id travels up 住基ネット as 依頼管理番号 and comes back in the result."""

    update_id: str
    resident_id: int
    reason: str
    change_date: dt.date
    notified_on: dt.date
    operator_id: str
    terminal_id: str
    previous_resident_code: str | None
    status: str
    error_code: str | None = None
    error_field: str | None = None
    intake_id: str | None = None  # 届出受付記録 (notices.intake)


def new_event(
    resident_id: int,
    reason: ChangeReason,
    notice: Notice,
    status: str,
    previous_resident_code: str | None,
) -> EventRecord:
    return EventRecord(
        update_id=str(uuid.uuid4()),
        resident_id=resident_id,
        reason=reason.value,
        change_date=notice.change_date,
        notified_on=notice.notified_on or japan_today(),
        operator_id=notice.operator_id,
        terminal_id=notice.terminal_id,
        previous_resident_code=previous_resident_code,
        status=status,
        intake_id=notice._intake_id,
    )


class EventLike(Protocol):
    update_id: str
    reason: str
    change_date: dt.date
    notified_on: dt.date
    operator_id: str
    terminal_id: str
    previous_resident_code: str | None


def record_event(
    uow: UnitOfWork,
    resident: Resident,
    reason: ChangeReason,
    notice: Notice,
    *,
    previous_resident_code: str | None = None,
    history_reason: str | None = None,
    cancels_version: int | None = None,
) -> EventRecord:
    """History row + event; then notify the CS unless the person still awaits a number.
    `history_reason` records a register-side reason (異動の取消し) where 住基ネット sees
    another (職権修正). Nothing is flushed here: a batch of events costs one flush."""
    status = "awaiting_number" if resident.awaiting_number else "sent"
    event = new_event(resident.id, reason, notice, status, previous_resident_code)
    write_history(
        uow,
        resident,
        history_reason or reason.value,
        notice,
        update_id=event.update_id,
        cancels_version=cancels_version,
    )
    uow.append(ResidentEvent.__table__, dict(vars(event)) | {"recorded_at": now()})
    if not resident.awaiting_number:
        notify_identity(uow, resident, event)
    if resident.foreign_category is not None:
        prepare_immigration_notice(uow, resident, reason.value, notice.change_date)
    return event


def prepare_immigration_notice(
    uow: UnitOfWork, resident: Resident, kind: str, day: dt.date, card: str | None = None
) -> None:
    """入管法 第61条の8の2: the mayor's notice to 法務大臣 of a foreign resident's 記載,
    消除 or change, kept until an 入管 node takes it (`ImmigrationNotice`)."""
    uow.append(
        ImmigrationNotice.__table__,
        {
            "resident_id": resident.id,
            "kind": kind,
            "residence_card_no": card or resident.residence_card_no,
            "change_date": day,
            "created_at": now(),
            "status": "prepared",
        },
    )


def write_history(
    uow: UnitOfWork,
    resident: Resident,
    reason: str,
    notice: Notice,
    *,
    update_id: str | None = None,
    cancels_version: int | None = None,
) -> None:
    """One full row per change (宛名番号, 履歴番号) with 異動事由, 異動日, 届出日, 処理日 and who
    recorded it from which terminal. A change that concerns only the register (世帯変更,
    異動の取消し of a household change) writes this row and nothing goes to 住基ネット."""
    resident.version += 1
    resident.change_reason = reason
    resident.change_date = notice.change_date
    resident.notified_on = notice.notified_on or japan_today()
    uow.append(
        ResidentHistory.__table__,
        copy_items(resident)
        | {
            "version": resident.version,
            "resident_id": resident.id,
            "recorded_at": now(),
            "operator_id": notice.operator_id,
            "terminal_id": notice.terminal_id,
            "update_id": update_id,
            "cancels_version": cancels_version,
        },
    )


def notify_identity(
    uow: UnitOfWork, resident: Resident | SimpleNamespace, event: EventLike
) -> None:
    """1-⑥: the 本人確認情報 of the change goes to the CS.

    The register's data was validated when the 届出 was taken; the CS validates the
    record again at its boundary, so it is built here without a second validation."""
    record = IdentityRecord.model_construct(
        update_id=event.update_id,
        resident_code=resident.resident_code,
        previous_resident_code=event.previous_resident_code,
        name_kanji=resident.name_kanji,
        name_kana=resident.name_kana,
        birth_date=resident.birth_date,
        sex=resident.sex,
        address=resident.address,
        lg_code=lg_code(uow),
        town_code=resident.town_code,
        postal_code=resident.postal_code,
        individual_number=number_of(uow, resident),
        reason=ChangeReason(event.reason),
        change_date=event.change_date,
        notified_on=event.notified_on,
        operator_id=event.operator_id,
        terminal_id=event.terminal_id,
        previous_lg_code=resident.previous_lg_code,
        previous_address=resident.previous_address,
        former_surname_kanji=resident.former_surname_kanji,
        former_surname_kana=resident.former_surname_kana,
    )
    if isinstance(event, ResidentEvent):
        event.status = "sent"  # a stored event that was awaiting its number
    uow.send(cs_of(uow), MessageType.IDENTITY_UPDATE, record.model_dump(mode="json"))
    atena_link.notify(uow, resident, record.individual_number)  # 1-④


def request_number(
    uow: UnitOfWork, resident: Resident, operator: str, *, change: str | None = None
) -> None:
    """個人番号生成要求 (or 変更要求) through the CS to J-LIS (番号法 第8条), naming the clerk
    whose 届出 asked for it (J-LIS records each number notified: 000 F1-PRV-01)."""
    body = number_request(uow, resident.resident_code, operator)
    if change:
        body |= {
            "kind": "change",
            "old_individual_number": number_of(uow, resident),
            "change_ground": change,
        }
    uow.send(cs_of(uow), MessageType.NUMBER_REQUEST, body)


def number_request(uow: UnitOfWork, resident_code: str, operator: str) -> dict[str, Any]:
    return {
        "request_id": str(uuid.uuid4()),
        "lg_code": lg_code(uow),
        "resident_code": resident_code,
        "kind": "generate",
        "operator_id": operator,
    }


def ensure_not_current(uow: UnitOfWork, resident_code: str) -> None:
    existing = uow.session.scalars(
        select(Resident).where(
            Resident.resident_code == resident_code, Resident.status == "resident"
        )
    ).first()
    if existing is not None:
        raise Conflict(
            "既に住民として記録されています", field="resident_code", code="already_resident"
        )


# --- what 住基ネット answers (000 P2.1 1-⑤) ----------------------------------------------------


def receive_update_results(uow: UnitOfWork, results: list[dict[str, Any]]) -> None:
    """本人確認情報更新結果: applied in one UPDATE; refusals keep their code and field."""
    applied = [r["update_id"] for r in results if r["ok"]]
    for start in range(0, len(applied), 500):
        uow.session.execute(
            update(ResidentEvent)
            .where(ResidentEvent.update_id.in_(applied[start : start + 500]))
            .values(status="applied")
        )
    for result in results:
        if not result["ok"]:
            uow.session.execute(
                update(ResidentEvent)
                .where(ResidentEvent.update_id == result["update_id"])
                .values(
                    status="rejected",
                    error_code=result.get("error_code"),
                    error_field=result.get("error_field"),
                )
            )
