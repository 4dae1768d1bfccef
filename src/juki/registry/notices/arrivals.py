"""届出 that bring a person into the register (記載, 001a §3.1): 出生届, 転入届 (from another
municipality with its 転出証明書, or from abroad; 住基法 第22条), a household's 転入 together,
and the 転入通知 each 転入 sends to the former municipality (1-⑦). A new 住民票 takes its
住民票コード from the pool and, unless the 転出証明書 brought one, asks J-LIS for a 個人番号.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import insert

from juki.core.clock import japan_today
from juki.core.errors import InvalidInput, JukiError
from juki.core.messages import ChangeReason, MessageType
from juki.core.messages import MoveInNotice as MoveInNoticeMessage
from juki.core.messaging.node import UnitOfWork
from juki.core.text import seion
from juki.registry.households import service as households
from juki.registry.households.schemas import HouseholdPlacement, Relationship
from juki.registry.notices import intake, number_checks, schemas
from juki.registry.residents import service as residents
from juki.registry.residents.models import Resident, ResidentEvent, ResidentHistory
from juki.registry.residents.pool import (
    cs_of,
    lg_code,
    now,
    take_resident_code,
    take_resident_codes,
)
from juki.registry.residents.schemas import Notice, PersonItems
from juki.registry.residents.service import EventRecord


def new_resident(
    uow: UnitOfWork,
    items: PersonItems,
    code: str,
    notice: Notice,
    placement: HouseholdPlacement,
    reason: ChangeReason,
    **extra: Any,
) -> Resident:
    household_id = place_in_household(uow, placement, items.address, notice.change_date)
    resident = Resident(
        resident_code=code,
        name_kanji=items.name_kanji,
        name_kana=items.name_kana,
        birth_date=items.birth_date,
        sex=items.sex,
        name_roman=items.name_roman,
        address=items.address,
        town_code=items.town_code,
        postal_code=items.postal_code,
        status="resident",
        version=0,
        household_id=household_id,
        relationship=placement.relationship.value,
        change_reason=reason.value,
        change_date=notice.change_date,
        notified_on=notice.notified_on or japan_today(),
        settled_on=notice.change_date,
        settled_reason=reason.value,
        settled_notified_on=notice.notified_on or japan_today(),
        **extra,
    )
    uow.session.add(resident)
    uow.session.flush()
    return resident


def place_in_household(
    uow: UnitOfWork, placement: HouseholdPlacement, address: str, day: dt.date
) -> int:
    """A new household with the person as 世帯主, or an existing one they join (not as its
    head, and only at the household's address)."""
    if placement.household_id is None:
        if placement.relationship != Relationship.HEAD:
            raise InvalidInput(
                "新しい世帯を作るときの続柄は世帯主です（既存の世帯には世帯番号を指定）",
                field="relationship",
            )
        return households.create_household(uow, day)
    households.current_household(uow, placement.household_id)
    if placement.relationship == Relationship.HEAD:
        raise InvalidInput("この世帯には既に世帯主がいます", field="relationship")
    head = households.head_of(uow, placement.household_id)
    if head is not None and head.address != address:
        raise InvalidInput("世帯の住所と異なります", field="address")
    return placement.household_id


def record_birth(uow: UnitOfWork, notice: schemas.BirthNotice) -> EventRecord:
    """出生: a new 住民票 with a code from the pool; the number is requested from J-LIS."""
    return record_births(uow, [notice])[0]


def record_births(uow: UnitOfWork, notices: list[schemas.BirthNotice]) -> list[EventRecord]:
    """出生 for a batch (also the 初期導入 bulk load): codes taken from the pool in one
    query, the residents inserted in one flush, their number requests in one envelope."""
    _check_birth_dates(notices)
    joined = [n for n in notices if n.household_id is not None]
    for notice in joined:
        place_in_household(uow, notice, notice.address, notice.change_date)
    new_ids = iter(
        households.create_households(
            uow, [n.change_date for n in notices if n.household_id is None]
        )
    )
    _check_new_heads(notices)
    codes = take_resident_codes(uow, len(notices))
    rows = [
        _birth_row(n, code, n.household_id or next(new_ids))
        for n, code in zip(notices, codes, strict=True)
    ]
    # One executemany with RETURNING, ids in the order given (SQLAlchemy insertmanyvalues).
    # Most of the 84 items are empty at birth: bind only what the rows hold (same keys).
    compact = [{k: v for k, v in row.items() if v is not None} for row in rows]
    ids = uow.session.scalars(
        insert(Resident).returning(Resident.id, sort_by_parameter_order=True), compact
    ).all()
    events = []
    for resident_id, row, notice in zip(ids, rows, notices, strict=True):
        request = residents.number_request(uow, row["resident_code"], notice.operator_id)
        uow.send(cs_of(uow), MessageType.NUMBER_REQUEST, request)
        event = residents.new_event(
            resident_id, ChangeReason.BIRTH, notice, "awaiting_number", None
        )
        uow.append(ResidentHistory.__table__, _history_row(row, resident_id, event))
        uow.append(ResidentEvent.__table__, dict(vars(event)) | {"recorded_at": now()})
        events.append(event)
    return events


def _check_birth_dates(notices: list[schemas.BirthNotice]) -> None:
    for notice in notices:
        if notice.birth_date > notice.change_date:
            raise InvalidInput("出生日が異動年月日より後です", field="birth_date")
        if notice.change_date > japan_today():
            raise InvalidInput("出生日が未来です", field="birth_date")


def _check_new_heads(notices: list[schemas.BirthNotice]) -> None:
    """A child who forms a household of their own (an initial load) heads it."""
    for notice in notices:
        if notice.household_id is None and notice.relationship != Relationship.HEAD:
            raise InvalidInput(
                "新しい世帯を作るときの続柄は世帯主です（既存の世帯には世帯番号を指定）",
                field="relationship",
            )


def _birth_row(notice: schemas.BirthNotice, code: str, household_id: int) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(residents.HISTORY_ITEMS) | residents.ITEM_DEFAULTS
    notified_on = notice.notified_on or japan_today()
    return row | {
        "resident_code": code,
        "name_kanji": notice.name_kanji,
        "name_kana": notice.name_kana,
        "name_seion": seion(notice.name_kana),
        "birth_date": notice.birth_date,
        "sex": notice.sex,
        "name_roman": notice.name_roman,
        "address": notice.address,
        "town_code": notice.town_code,
        "postal_code": notice.postal_code,
        "status": "resident",
        "became_resident_on": notice.birth_date,
        "household_id": household_id,
        "relationship": notice.relationship.value,
        "change_reason": ChangeReason.BIRTH.value,
        "change_date": notice.change_date,
        "notified_on": notified_on,
        "settled_on": notice.change_date,
        "settled_reason": ChangeReason.BIRTH.value,
        "settled_notified_on": notified_on,
        "version": 1,
        "awaiting_number": True,
    }


def _history_row(row: dict[str, Any], resident_id: int, event: EventRecord) -> dict[str, Any]:
    return {name: row[name] for name in residents.HISTORY_ITEMS} | {  # name_seion is not history
        "version": row["version"],
        "resident_id": resident_id,
        "recorded_at": now(),
        "operator_id": event.operator_id,
        "terminal_id": event.terminal_id,
        "update_id": event.update_id,
        "cancels_version": None,
    }


def record_move_in(
    uow: UnitOfWork,
    notice: schemas.MoveInNotice,
    *,
    kind: str = "転入届",
    number_verified: bool | None = None,
) -> EventRecord:
    """転入届: from another municipality with its 転出証明書, or from abroad. The number
    needs no CS check when `number_verified` (a 特例転入) or the person showed their card."""
    intake.record(uow, notice, kind)
    if number_verified is None:
        number_verified = number_checks.card_shown(notice.intake)
    return _move_in(uow, notice, number_verified=number_verified)


def _move_in(
    uow: UnitOfWork, notice: schemas.MoveInNotice, *, number_verified: bool
) -> EventRecord:
    """転入 of one person (alone, or as a member of a household's 転入届). A number entered
    from paper must have been checked through the CS (001a ACQ-3-2, `number_checks`)."""
    # A little over 40 lines: the items a 転入 adds to the person's record are listed here,
    # in the order of jyuki-standard 1-1's 転入 screen, rather than scattered.
    if notice.origin == "municipality":
        _check_certificate(uow, notice)
    extra = {
        "became_resident_on": notice.change_date,
        "previous_lg_code": notice.previous_lg_code,
        "previous_address": notice.previous_address,
        "last_registered_lg_code": notice.last_registered_lg_code,
        "last_registered_address": notice.last_registered_address,
    } | _unreported(notice)
    if notice.resident_code:
        if not notice.individual_number:
            raise InvalidInput("個人番号がありません", field="individual_number")
        residents.ensure_not_current(uow, notice.resident_code)
        reason = (
            ChangeReason.MOVE_IN
            if notice.origin == "municipality"
            else (ChangeReason.MOVE_IN_FROM_ABROAD)
        )
        resident = new_resident(uow, notice, notice.resident_code, notice, notice, reason, **extra)
        residents.set_number(uow, resident, notice.individual_number)
        event = residents.record_event(uow, resident, reason, notice)
        if not number_verified:
            number_checks.use(
                uow,
                notice.number_check_id,
                notice.resident_code,
                notice.individual_number,
                event.update_id,
            )
        if notice.previous_lg_code:
            notify_move_in(uow, resident, notice.previous_lg_code)
        return event
    reason = ChangeReason.MOVE_IN_FROM_ABROAD
    resident = new_resident(
        uow, notice, take_resident_code(uow), notice, notice, reason, awaiting_number=True, **extra
    )
    residents.request_number(uow, resident, notice.operator_id)
    return residents.record_event(uow, resident, reason, notice)


def _check_certificate(uow: UnitOfWork, notice: schemas.MoveInNotice) -> None:
    """A 転入 from another municipality brings its 転出証明書's code, number and origin."""
    if not (notice.resident_code and notice.individual_number and notice.previous_lg_code):
        missing = next(
            f
            for f in ("resident_code", "individual_number", "previous_lg_code")
            if not getattr(notice, f)
        )
        raise InvalidInput("転出証明書の記載事項が不足しています", field=missing)
    if notice.previous_lg_code == lg_code(uow):
        raise InvalidInput("同一市町村内の異動は転居です", field="previous_lg_code")


def _unreported(notice: schemas.MoveInNotice) -> dict[str, Any]:
    if notice.unreported_from is None:
        return {}
    notified = notice.notified_on or japan_today()
    if not notice.change_date <= notice.unreported_from < notified:
        raise InvalidInput("未届期間の開始日が正しくありません", field="unreported_from")
    return {"unreported_from": notice.unreported_from, "unreported_until": notified}


def record_household_move_in(
    uow: UnitOfWork, notice: schemas.HouseholdMoveInNotice
) -> list[EventRecord]:
    """世帯の転入: the 世帯主 forms the household, the others join it, all at one address."""
    heads = [m for m in notice.members if m.relationship == Relationship.HEAD]
    if len(heads) != 1:
        raise InvalidInput("世帯主を一人指定してください", field="members")
    ordered = heads + [m for m in notice.members if m.relationship != Relationship.HEAD]
    events: list[EventRecord] = []
    household_id: int | None = None
    intake.record(uow, notice, "転入届（世帯）")
    common = notice.model_dump(exclude={"members"})
    for member in ordered:
        person = member.model_dump()
        index = notice.members.index(member)
        member_notice = schemas.MoveInNotice(**common, **person, household_id=household_id)
        intake.carry(notice, member_notice)
        try:
            event = _move_in(uow, member_notice, number_verified=False)
        except JukiError as exc:  # name the member at fault: members.<n>.<field>
            if exc.field in type(member).model_fields:
                exc.field = f"members.{index}.{exc.field}"
            raise
        household_id = household_id or residents.get_resident(uow, event.resident_id).household_id
        events.append(event)
    return events


def notify_move_in(uow: UnitOfWork, resident: Resident, former_lg_code: str) -> None:
    """1-⑦ 転入通知 to the former municipality, through our CS (no 個人番号)."""
    head = households.head_of(uow, resident.household_id)
    notice = MoveInNoticeMessage(
        resident_code=resident.resident_code,
        former_lg_code=former_lg_code,
        new_lg_code=lg_code(uow),
        address=resident.address,
        postal_code=resident.postal_code,
        head_name=head.name_kanji if head else resident.name_kanji,
        moved_in_on=resident.change_date,
    )
    uow.send(cs_of(uow), MessageType.MOVE_IN_NOTICE, notice.model_dump(mode="json"))
