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

from juki.core.errors import Conflict, InvalidInput, JukiError, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import ChangeReason, IdentityRecord, MessageType
from juki.core.messages import MoveInNotice as MoveInNoticeMessage
from juki.core.messaging.node import UnitOfWork
from juki.core.text import seion
from juki.registry import households, intake, number_checks, schemas
from juki.registry.models import (
    ImmigrationNotice,
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
    households.preload_members(uow, {r.household_id for r in loaded})
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


_ITEM_DEFAULTS: dict[str, Any] = {
    c.key: c.default.arg
    for c in Resident.__table__.columns
    if c.key in _HISTORY_ITEMS and c.default is not None and not callable(c.default.arg)
}
HOUSEHOLD_CHANGE = "household_change"  # 世帯変更: register only, nothing to 住基ネット
CANCELLATION = "cancellation"  # 異動の取消し
NUMBER_RECORDED = "number_recorded"  # 個人番号の記載 (the number came back from J-LIS)
HISTORY_ITEMS = _HISTORY_ITEMS


def _copy_items(resident: Resident | ResidentHistory) -> dict[str, Any]:
    # Loaded attributes sit in the instance's __dict__; reading them there skips the ORM's
    # descriptor for each of the ~90 items (an expired one still goes through getattr).
    loaded = resident.__dict__
    return {
        name: loaded[name] if name in loaded else getattr(resident, name) for name in _HISTORY_ITEMS
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
    intake_id: str | None = None  # 届出受付記録 (registry.intake)


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
    notice: schemas.Notice,
    *,
    previous_resident_code: str | None = None,
    history_reason: str | None = None,
    cancels_version: int | None = None,
) -> EventRecord:
    """History row + event; then notify the CS unless the person still awaits a number.
    `history_reason` records a register-side reason (異動の取消し) where 住基ネット sees
    another (職権修正). Nothing is flushed here: a batch of events costs one flush."""
    status = "awaiting_number" if resident.awaiting_number else "sent"
    event = _new_event(resident.id, reason, notice, status, previous_resident_code)
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
    notice: schemas.Notice,
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
    resident.notified_on = notice.notified_on or dt.date.today()
    uow.append(
        ResidentHistory.__table__,
        _copy_items(resident)
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


def request_number(
    uow: UnitOfWork, resident: Resident, operator: str, *, change: str | None = None
) -> None:
    """個人番号生成要求 (or 変更要求) through the CS to J-LIS (番号法 第8条), naming the clerk
    whose 届出 asked for it (J-LIS records each number notified: 000 F1-PRV-01)."""
    body = _number_request(uow, resident.resident_code, operator)
    if change:
        body |= {
            "kind": "change",
            "old_individual_number": number_of(uow, resident),
            "change_ground": change,
        }
    uow.send(cs_of(uow), MessageType.NUMBER_REQUEST, body)


def _number_request(uow: UnitOfWork, resident_code: str, operator: str) -> dict[str, Any]:
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


# --- the 異動 --------------------------------------------------------------------------------


def new_resident(
    uow: UnitOfWork,
    items: schemas.PersonItems,
    code: str,
    notice: schemas.Notice,
    placement: schemas.HouseholdPlacement,
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
        notified_on=notice.notified_on or dt.date.today(),
        settled_on=notice.change_date,
        settled_reason=reason.value,
        settled_notified_on=notice.notified_on or dt.date.today(),
        **extra,
    )
    uow.session.add(resident)
    uow.session.flush()
    return resident


def place_in_household(
    uow: UnitOfWork, placement: schemas.HouseholdPlacement, address: str, day: dt.date
) -> int:
    """A new household with the person as 世帯主, or an existing one they join (not as its
    head, and only at the household's address)."""
    if placement.household_id is None:
        if placement.relationship != schemas.Relationship.HEAD:
            raise InvalidInput(
                "新しい世帯を作るときの続柄は世帯主です（既存の世帯には世帯番号を指定）",
                field="relationship",
            )
        return households.create_household(uow, day)
    households.current_household(uow, placement.household_id)
    if placement.relationship == schemas.Relationship.HEAD:
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
    for notice in notices:
        if notice.birth_date > notice.change_date:
            raise InvalidInput("出生日が異動年月日より後です", field="birth_date")
        if notice.change_date > dt.date.today():
            raise InvalidInput("出生日が未来です", field="birth_date")
    joined = [n for n in notices if n.household_id is not None]
    for notice in joined:
        place_in_household(uow, notice, notice.address, notice.change_date)
    new_ids = iter(
        households.create_households(
            uow, [n.change_date for n in notices if n.household_id is None]
        )
    )
    for notice in notices:
        if notice.household_id is None and notice.relationship != schemas.Relationship.HEAD:
            raise InvalidInput(
                "新しい世帯を作るときの続柄は世帯主です（既存の世帯には世帯番号を指定）",
                field="relationship",
            )
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
        request = _number_request(uow, row["resident_code"], notice.operator_id)
        uow.send(cs_of(uow), MessageType.NUMBER_REQUEST, request)
        event = _new_event(resident_id, ChangeReason.BIRTH, notice, "awaiting_number", None)
        uow.append(ResidentHistory.__table__, _history_row(row, resident_id, event))
        uow.append(ResidentEvent.__table__, dict(vars(event)) | {"recorded_at": now()})
        events.append(event)
    return events


def _birth_row(notice: schemas.BirthNotice, code: str, household_id: int) -> dict[str, Any]:
    row: dict[str, Any] = dict.fromkeys(_HISTORY_ITEMS) | _ITEM_DEFAULTS
    notified_on = notice.notified_on or dt.date.today()
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
    return {name: row[name] for name in _HISTORY_ITEMS} | {  # name_seion is not history
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
        "last_registered_lg_code": notice.last_registered_lg_code,
        "last_registered_address": notice.last_registered_address,
    } | _unreported(notice)
    if notice.resident_code:
        if not notice.individual_number:
            raise InvalidInput("個人番号がありません", field="individual_number")
        ensure_not_current(uow, notice.resident_code)
        reason = (
            ChangeReason.MOVE_IN
            if notice.origin == "municipality"
            else (ChangeReason.MOVE_IN_FROM_ABROAD)
        )
        resident = new_resident(uow, notice, notice.resident_code, notice, notice, reason, **extra)
        set_number(uow, resident, notice.individual_number)
        event = record_event(uow, resident, reason, notice)
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
    request_number(uow, resident, notice.operator_id)
    return record_event(uow, resident, reason, notice)


def _unreported(notice: schemas.MoveInNotice) -> dict[str, Any]:
    if notice.unreported_from is None:
        return {}
    notified = notice.notified_on or dt.date.today()
    if not notice.change_date <= notice.unreported_from < notified:
        raise InvalidInput("未届期間の開始日が正しくありません", field="unreported_from")
    return {"unreported_from": notice.unreported_from, "unreported_until": notified}


def record_household_move_in(
    uow: UnitOfWork, notice: schemas.HouseholdMoveInNotice
) -> list[EventRecord]:
    """世帯の転入: the 世帯主 forms the household, the others join it, all at one address."""
    heads = [m for m in notice.members if m.relationship == schemas.Relationship.HEAD]
    if len(heads) != 1:
        raise InvalidInput("世帯主を一人指定してください", field="members")
    ordered = heads + [m for m in notice.members if m.relationship != schemas.Relationship.HEAD]
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
        household_id = household_id or get_resident(uow, event.resident_id).household_id
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


def _regroup(
    uow: UnitOfWork,
    group: list[Resident],
    effects: schemas.HouseholdEffects,
    *,
    leaving: bool,
    join: int | None = None,
    day: dt.date,
) -> tuple[set[int], list[Resident]]:
    """Move `group` out of its household: to nowhere (転出, 死亡: `leaving`), to the household
    `join`, or to a new household when only part of the old one moves. Returns the
    households to check and the people whose 続柄 alone changed."""
    old = group[0].household_id
    staying = households.member_ids(uow, old) - {p.id for p in group}
    households.touch(uow, old, join)
    affected = {old}
    concerned = {p.id for p in group} | staying
    if join is not None:
        households.current_household(uow, join)
        if join == old:
            raise InvalidInput("同じ世帯です", field="household_id")
        concerned |= households.member_ids(uow, join)
        for person in group:
            person.household_id = join
        affected.add(join)
    elif staying and not leaving:
        new_id = households.create_household(uow, day)
        households.touch(uow, new_id)
        for person in group:
            person.household_id = new_id
        affected.add(new_id)
    group_ids = {p.id for p in group}
    changed = households.apply_relationships(uow, effects.relationships, concerned)
    if not changed and join is None and _unchanged_heads(group, staying, leaving):
        # The common case (a whole household moves, or a member who is not its head
        # leaves): who heads which household cannot have changed, so there is nothing to
        # check, only an emptied household to close.
        if leaving and not staying:
            households.dissolve(uow, old)
        affected = set()
    return affected, [p for p in changed if p.id not in group_ids]


def _unchanged_heads(group: list[Resident], staying: set[int], leaving: bool) -> bool:
    head_moves = any(p.relationship == households.HEAD for p in group)
    if not staying:  # the whole household moves (or leaves) together
        return True
    return leaving and not head_moves


def _finish(
    uow: UnitOfWork,
    affected: set[int],
    relatives: list[Resident],
    notice: schemas.Notice,
) -> None:
    for person in relatives:
        write_history(uow, person, HOUSEHOLD_CHANGE, notice)
    households.check_households(uow, affected)


def record_move_within(
    uow: UnitOfWork, resident_id: int, notice: schemas.MoveWithinNotice
) -> EventRecord:
    """転居: the person and the members moving with them get the new address."""
    resident = current_resident(uow, resident_id)
    if notice.address == resident.address:
        raise InvalidInput("住所が変わっていません", field="address")
    intake.record(uow, notice, "転居届")
    group = households.movers(uow, resident, notice.members)
    if notice.household_id is not None:
        head = households.head_of(uow, notice.household_id)
        if head is not None and head.address != notice.address:
            raise InvalidInput("転居先の世帯の住所と異なります", field="address")
    affected, relatives = _regroup(
        uow, group, notice, leaving=False, join=notice.household_id, day=notice.change_date
    )
    events = []
    for person in group:
        if person is not resident:
            current_resident(uow, person.id)
        person.previous_address = person.address
        person.address, person.town_code = notice.address, notice.town_code
        person.postal_code = notice.postal_code
        person.settled_on, person.settled_reason = notice.change_date, "move_within"
        events.append(record_event(uow, person, ChangeReason.MOVE_WITHIN, notice))
    _finish(uow, affected, relatives, notice)
    return events[0]


def record_move_out(
    uow: UnitOfWork, resident_id: int, notice: schemas.MoveOutNotice
) -> EventRecord:
    """転出: the record becomes a 除票; the remaining household keeps (or names) its head."""
    resident = current_resident(uow, resident_id)
    intake.record(uow, notice, "転出届")
    group = households.movers(uow, resident, notice.members)
    affected, relatives = _regroup(uow, group, notice, leaving=True, day=notice.change_date)
    events = []
    for person in group:
        _remove(person, "move_out", notice)
        person.destination_address = notice.destination_address
        person.destination_lg_code = notice.destination_lg_code
        events.append(record_event(uow, person, ChangeReason.MOVE_OUT, notice))
    _finish(uow, affected, relatives, notice)
    return events[0]


def _remove(person: Resident, kind: str, notice: schemas.Notice) -> None:
    """消除: the record stays as a 除票 (kept 150 years, 施行令 第34条第1項)."""
    person.status, person.removal_kind = "removed", kind
    person.removed_on = notice.change_date
    person.removal_notified_on = notice.notified_on or dt.date.today()
    person.removal_processed_on = dt.date.today()
    person.removal_reason = kind


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
    return record_removal(uow, resident_id, notice, ChangeReason.DEATH, "death")


def record_removal(
    uow: UnitOfWork,
    resident_id: int,
    notice: schemas.DeathNotice,
    reason: ChangeReason,
    kind: str,
) -> EventRecord:
    """消除 of one person: 死亡, 失踪宣告 or 職権消除; the household names its new head."""
    resident = current_resident(uow, resident_id)
    if notice.members:
        raise InvalidInput("消除は一人ずつ記録します", field="members")
    affected, relatives = _regroup(uow, [resident], notice, leaving=True, day=notice.change_date)
    _remove(resident, kind, notice)
    event = record_event(uow, resident, reason, notice)
    _finish(uow, affected, relatives, notice)
    return event


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
    request_number(uow, resident, notice.operator_id, change=notice.ground)
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
