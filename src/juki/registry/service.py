"""Recording 異動 in the register and notifying 住基ネット (001a §3.1, §3.2, §3.7).

Each function takes the node's unit of work, changes the register, keeps a history row and
an event, and queues the message that carries the change: an IdentityUpdate to the CS, or,
for a person who has no 個人番号 yet, a generation request (000 P1.1 1-①). Nothing here
commits; the caller's unit of work does.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any, Protocol

from sqlalchemy import insert, select

from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import ChangeReason, IdentityRecord, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.registry import schemas
from juki.registry.models import (
    Resident,
    ResidentEvent,
    ResidentHistory,
)
from juki.registry.pool import cs_of, lg_code, now, take_resident_code, take_resident_codes

# --- helpers ------------------------------------------------------------------------------


def get_resident(uow: UnitOfWork, resident_id: int) -> Resident:
    resident = uow.session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("住民が見つかりません", field="resident_id")
    return resident


def preload_residents(uow: UnitOfWork, resident_ids: list[int]) -> list[Resident]:
    """Load a batch's residents in one query, so recording each event reads from memory
    (a batch of counter notices committed together, e.g. the benchmark's). The session's
    identity map holds objects weakly: keep the returned list while recording."""
    loaded: list[Resident] = _in_chunks(uow, Resident, Resident.id, resident_ids)
    return loaded


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


_HISTORY_ITEMS = tuple(
    c.key for c in ResidentHistory.__table__.columns if c.key != "id" and hasattr(Resident, c.key)
)


def _copy_items(resident: Resident) -> dict[str, Any]:
    return {name: getattr(resident, name) for name in _HISTORY_ITEMS}


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


def _new_event(
    resident_id: int,
    reason: ChangeReason,
    notice: schemas.Notice,
    status: str,
    previous_resident_code: str | None,
) -> EventRecord:
    return EventRecord(
        update_id=str(uuid.uuid4()),
        resident_id=resident_id,
        reason=reason.value,
        change_date=notice.change_date,
        notified_on=notice.notified_on or dt.date.today(),
        operator_id=notice.operator_id,
        terminal_id=notice.terminal_id,
        previous_resident_code=previous_resident_code,
        status=status,
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
    notice: schemas.Notice,
    *,
    previous_resident_code: str | None = None,
) -> EventRecord:
    """History row + event; then notify the CS unless the person still awaits a number.

    Nothing is flushed here, so a batch of events costs one flush at commit."""
    resident.version += 1
    uow.append(
        ResidentHistory.__table__,
        _copy_items(resident)
        | {
            "version": resident.version,
            "resident_id": resident.id,
            "reason": reason.value,
            "change_date": notice.change_date,
            "recorded_at": now(),
        },
    )
    status = "awaiting_number" if resident.awaiting_number else "sent"
    event = _new_event(resident.id, reason, notice, status, previous_resident_code)
    uow.append(ResidentEvent.__table__, dict(vars(event)) | {"recorded_at": now()})
    if not resident.awaiting_number:
        notify_identity(uow, resident, event)
    return event


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


def request_number(uow: UnitOfWork, resident: Resident, *, change: str | None = None) -> None:
    """個人番号生成要求 (or 変更要求) through the CS to J-LIS (番号法 第8条)."""
    body = _number_request(uow, resident.resident_code)
    if change:
        body |= {
            "kind": "change",
            "old_individual_number": number_of(uow, resident),
            "change_ground": change,
        }
    uow.send(cs_of(uow), MessageType.NUMBER_REQUEST, body)


def _number_request(uow: UnitOfWork, resident_code: str) -> dict[str, Any]:
    return {
        "request_id": str(uuid.uuid4()),
        "lg_code": lg_code(uow),
        "resident_code": resident_code,
        "kind": "generate",
        "operator_id": "registry",
    }


def _ensure_not_current(uow: UnitOfWork, resident_code: str) -> None:
    existing = uow.session.scalars(
        select(Resident).where(
            Resident.resident_code == resident_code, Resident.status == "resident"
        )
    ).first()
    if existing is not None:
        raise Conflict(
            "既に住民として記録されています", field="resident_code", code="already_resident"
        )


# --- the 異動 --------------------------------------------------------------------------------


def _new_resident(uow: UnitOfWork, items: schemas.PersonItems, code: str, **extra: Any) -> Resident:
    resident = Resident(
        resident_code=code,
        name_kanji=items.name_kanji,
        name_kana=items.name_kana,
        birth_date=items.birth_date,
        sex=items.sex,
        address=items.address,
        town_code=items.town_code,
        postal_code=items.postal_code,
        status="resident",
        version=0,
        **extra,
    )
    uow.session.add(resident)
    uow.session.flush()
    return resident


def record_birth(uow: UnitOfWork, notice: schemas.BirthNotice) -> EventRecord:
    """出生: a new 住民票 with a code from the pool; the number is requested from J-LIS."""
    return record_births(uow, [notice])[0]


def record_births(uow: UnitOfWork, notices: list[schemas.BirthNotice]) -> list[EventRecord]:
    """出生 for a batch (also the 初期導入 bulk load): codes taken from the pool in one
    query, the residents inserted in one flush, their number requests in one envelope."""
    for notice in notices:
        if notice.birth_date > notice.change_date:
            raise InvalidInput("出生日が異動年月日より後です", field="birth_date")
    codes = take_resident_codes(uow, len(notices))
    rows = [_birth_row(notice, code) for notice, code in zip(notices, codes, strict=True)]
    # One executemany with RETURNING, ids in the order given (SQLAlchemy insertmanyvalues).
    ids = uow.session.scalars(
        insert(Resident).returning(Resident.id, sort_by_parameter_order=True), rows
    ).all()
    events = []
    for resident_id, row, notice in zip(ids, rows, notices, strict=True):
        uow.send(cs_of(uow), MessageType.NUMBER_REQUEST, _number_request(uow, row["resident_code"]))
        event = _new_event(resident_id, ChangeReason.BIRTH, notice, "awaiting_number", None)
        uow.append(ResidentHistory.__table__, _history_row(row, resident_id, event))
        uow.append(ResidentEvent.__table__, dict(vars(event)) | {"recorded_at": now()})
        events.append(event)
    return events


def _birth_row(notice: schemas.BirthNotice, code: str) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(_HISTORY_ITEMS)
    return row | {
        "resident_code": code,
        "name_kanji": notice.name_kanji,
        "name_kana": notice.name_kana,
        "birth_date": notice.birth_date,
        "sex": notice.sex,
        "address": notice.address,
        "town_code": notice.town_code,
        "postal_code": notice.postal_code,
        "status": "resident",
        "became_resident_on": notice.birth_date,
        "version": 1,
        "awaiting_number": True,
    }


def _history_row(row: dict[str, Any], resident_id: int, event: EventRecord) -> dict[str, Any]:
    return {name: row[name] for name in _HISTORY_ITEMS} | {
        "version": row["version"],
        "resident_id": resident_id,
        "reason": event.reason,
        "change_date": event.change_date,
        "recorded_at": now(),
    }


def record_move_in(uow: UnitOfWork, notice: schemas.MoveInNotice) -> EventRecord:
    """転入: from another municipality with its 転出証明書, or from abroad."""
    if notice.origin == "municipality":
        if not (notice.resident_code and notice.individual_number and notice.previous_lg_code):
            missing = next(
                f
                for f in ("resident_code", "individual_number", "previous_lg_code")
                if not getattr(notice, f)
            )
            raise InvalidInput("転出証明書の記載事項が不足しています", field=missing)
        if notice.previous_lg_code == lg_code(uow):
            raise InvalidInput("同一市町村内の異動は転居です", field="previous_lg_code")
    extra = {
        "became_resident_on": notice.change_date,
        "previous_lg_code": notice.previous_lg_code,
        "previous_address": notice.previous_address,
    }
    if notice.resident_code:
        if not notice.individual_number:
            raise InvalidInput("個人番号がありません", field="individual_number")
        _ensure_not_current(uow, notice.resident_code)
        resident = _new_resident(uow, notice, notice.resident_code, **extra)
        set_number(uow, resident, notice.individual_number)
        reason = (
            ChangeReason.MOVE_IN
            if notice.origin == "municipality"
            else (ChangeReason.MOVE_IN_FROM_ABROAD)
        )
        return record_event(uow, resident, reason, notice)
    resident = _new_resident(uow, notice, take_resident_code(uow), awaiting_number=True, **extra)
    request_number(uow, resident)
    return record_event(uow, resident, ChangeReason.MOVE_IN_FROM_ABROAD, notice)


def record_move_within(
    uow: UnitOfWork, resident_id: int, notice: schemas.MoveWithinNotice
) -> EventRecord:
    resident = current_resident(uow, resident_id)
    if notice.address == resident.address:
        raise InvalidInput("住所が変わっていません", field="address")
    resident.address, resident.town_code = notice.address, notice.town_code
    resident.postal_code = notice.postal_code
    return record_event(uow, resident, ChangeReason.MOVE_WITHIN, notice)


def record_move_out(
    uow: UnitOfWork, resident_id: int, notice: schemas.MoveOutNotice
) -> EventRecord:
    resident = current_resident(uow, resident_id)
    resident.status, resident.destination_address = "removed", notice.destination_address
    return record_event(uow, resident, ChangeReason.MOVE_OUT, notice)


def move_out_certificate(uow: UnitOfWork, resident: Resident) -> schemas.MoveOutCertificate:
    return schemas.MoveOutCertificate(
        resident_code=resident.resident_code,
        individual_number=number_of(uow, resident),
        name_kanji=resident.name_kanji,
        name_kana=resident.name_kana,
        birth_date=resident.birth_date,
        sex=resident.sex,  # type: ignore[arg-type]
        lg_code=lg_code(uow),
        address=resident.address,
        destination_address=resident.destination_address or "",
    )


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


def record_death(uow: UnitOfWork, resident_id: int, notice: schemas.DeathNotice) -> EventRecord:
    resident = current_resident(uow, resident_id)
    resident.status = "removed"
    return record_event(uow, resident, ChangeReason.DEATH, notice)


def record_name_change(
    uow: UnitOfWork, resident_id: int, notice: schemas.NameChangeNotice
) -> EventRecord:
    resident = current_resident(uow, resident_id)
    if (notice.name_kanji, notice.name_kana) == (resident.name_kanji, resident.name_kana):
        raise InvalidInput("氏名が変わっていません", field="name_kanji")
    resident.name_kanji, resident.name_kana = notice.name_kanji, notice.name_kana
    if notice.former_surname_kanji:
        resident.former_surname_kanji = notice.former_surname_kanji
        resident.former_surname_kana = notice.former_surname_kana
    return record_event(uow, resident, ChangeReason.NAME_CHANGE, notice)


def record_correction(
    uow: UnitOfWork, resident_id: int, notice: schemas.CorrectionNotice
) -> EventRecord:
    resident = current_resident(uow, resident_id)
    changes = notice.model_dump(
        include={"name_kanji", "name_kana", "birth_date", "sex", "address"}, exclude_none=True
    )
    if not changes:
        raise InvalidInput("修正する項目がありません", field="name_kanji")
    for item, value in changes.items():
        setattr(resident, item, value)
    return record_event(uow, resident, ChangeReason.CORRECTION, notice)


def change_resident_code(
    uow: UnitOfWork, resident_id: int, notice: schemas.ResidentCodeChangeNotice
) -> EventRecord:
    """住民票コードの変更 (住基法 第30条の4; 000 P1.3): a new code from the pool."""
    resident = current_resident(uow, resident_id)
    previous = resident.resident_code
    resident.resident_code = take_resident_code(uow)
    return record_event(
        uow, resident, ChangeReason.RESIDENT_CODE_CHANGE, notice, previous_resident_code=previous
    )


def request_number_change(
    uow: UnitOfWork, resident_id: int, notice: schemas.NumberChangeNotice
) -> EventRecord:
    """個人番号の変更 (番号法 第7条第2項): the new number comes back from J-LIS, then the
    change is notified as 本人確認情報."""
    resident = current_resident(uow, resident_id)
    request_number(uow, resident, change=notice.ground)
    resident.awaiting_number = True
    return record_event(uow, resident, ChangeReason.NUMBER_CHANGE, notice)


def _in_chunks(uow: UnitOfWork, model: Any, column: Any, values: list[Any]) -> list[Any]:
    found: list[Any] = []
    for start in range(0, len(values), 500):
        stmt = select(model).where(column.in_(values[start : start + 500])).order_by(model.id)
        found += uow.session.scalars(stmt).all()
    return found


def read_event(uow: UnitOfWork, update_id: str) -> ResidentEvent:
    event = uow.session.scalars(
        select(ResidentEvent).where(ResidentEvent.update_id == update_id)
    ).first()
    if event is None:
        raise NotFound("異動が見つかりません", field="event_id")
    return event
