"""Changes of a current resident's record: 氏名の変更, 職権修正 (applied once approved:
`corrections`), 住民票コードの変更 (住基法 第30条の4), 個人番号の変更 (番号法 第7条第2項) —
each 本人確認情報 for 住基ネット — and 世帯変更 (住基法 第25条) and 異動の取消し, changes of the
register that need no new 本人確認情報 unless they undo one.

A 世帯変更 writes a history row for each person whose household or 続柄 changed; nothing
goes to 住基ネット, whose files hold no household items (000 §4.2). An 異動の取消し restores
the person's items as they were before their last change, as a history row of its own that
names the row it undid; if the 本人確認情報 changed back, the CS is told (職権修正).
"""

from __future__ import annotations

from sqlalchemy import select

from juki.core.errors import Conflict, InvalidInput
from juki.core.messages import ChangeReason
from juki.core.messaging.node import UnitOfWork
from juki.registry.households import service as households
from juki.registry.notices import intake, schemas
from juki.registry.residents.models import Resident, ResidentHistory
from juki.registry.residents.pool import take_resident_code
from juki.registry.residents.service import (
    CANCELLATION,
    HOUSEHOLD_CHANGE,
    EventRecord,
    copy_items,
    current_resident,
    record_event,
    request_number,
    write_history,
)

# What a cancellation may undo: changes whose undoing the register can do alone. A 除票
# (転出, 死亡) is restored by 職権記載, codes and numbers by their own procedures.
CANCELLABLE = {
    ChangeReason.MOVE_WITHIN.value,
    ChangeReason.NAME_CHANGE.value,
    ChangeReason.CORRECTION.value,
    HOUSEHOLD_CHANGE,
}
IDENTITY_ITEMS = (
    "name_kanji",
    "name_kana",
    "birth_date",
    "sex",
    "address",
    "town_code",
    "postal_code",
    "former_surname_kanji",
    "former_surname_kana",
)
# Not restored: bookkeeping of the change itself, and the code and number, which change only
# by their own procedures (and were possibly still awaited in the earlier row).
KEPT = {
    "version",
    "change_reason",
    "change_date",
    "notified_on",
    "status",
    "resident_code",
    "individual_number_cipher",
    "individual_number_index",
}


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


def change_household(
    uow: UnitOfWork, household_id: int, notice: schemas.HouseholdChangeNotice
) -> list[int]:
    """世帯主変更, 世帯分離 or 世帯合併; returns the 宛名番号 of everyone whose row changed."""
    households.current_household(uow, household_id)
    intake.record(uow, notice, "世帯変更届")
    concerned = households.member_ids(uow, household_id)
    households.touch(uow, household_id, notice.from_household_id)
    moved: list[Resident] = []
    affected = {household_id}
    if notice.kind == "split":
        moved, other = _split(uow, notice, concerned)
        affected.add(other)
    elif notice.kind == "merge":
        moved, other = _merge(uow, household_id, notice, concerned)
        affected.add(other)
    elif not notice.relationships:
        raise InvalidInput("新しい世帯主を続柄で指定してください", field="relationships")
    changed = households.apply_relationships(uow, notice.relationships, concerned)
    touched = {p.id: p for p in moved + changed}
    if not touched:
        raise InvalidInput("変更がありません", field="relationships")
    for person in touched.values():
        write_history(uow, person, HOUSEHOLD_CHANGE, notice)
    households.check_households(uow, affected)
    return sorted(touched)


def _split(
    uow: UnitOfWork, notice: schemas.HouseholdChangeNotice, concerned: set[int]
) -> tuple[list[Resident], int]:
    """世帯分離: the members chosen (not all of them) leave to a new household at the same
    address. Returns them and the new household."""
    if not notice.members or not set(notice.members) < concerned:
        raise InvalidInput("分離する世帯員を（全員ではなく）選んでください", field="members")
    new_id = households.create_household(uow, notice.change_date)
    households.touch(uow, new_id)
    moved = []
    for addressee_id in notice.members:
        person = current_resident(uow, addressee_id)
        person.household_id = new_id
        moved.append(person)
    return moved, new_id


def _merge(
    uow: UnitOfWork, household_id: int, notice: schemas.HouseholdChangeNotice, concerned: set[int]
) -> tuple[list[Resident], int]:
    """世帯合併: the members of `from_household_id`, at the same address, join this household
    (and become people the 届出 concerns). Returns them and the household they left."""
    from_id = notice.from_household_id
    if from_id is None or from_id == household_id:
        raise InvalidInput("合併する世帯の世帯番号を指定してください", field="from_household_id")
    households.current_household(uow, from_id, field="from_household_id")
    head = households.head_of(uow, household_id)
    moved = []
    for person in households.members(uow, from_id):
        if head is not None and person.address != head.address:
            raise InvalidInput("住所の異なる世帯は合併できません", field="from_household_id")
        person.household_id = household_id
        moved.append(person)
        concerned.add(person.id)
    return moved, from_id


def cancel_last_change(
    uow: UnitOfWork, resident_id: int, notice: schemas.CancellationNotice
) -> int:
    """Undo the person's last change; returns the 履歴番号 of the cancellation row."""
    resident = current_resident(uow, resident_id)
    rows = uow.session.scalars(
        select(ResidentHistory)
        .where(ResidentHistory.resident_id == resident_id)
        .order_by(ResidentHistory.version.desc())
        .limit(2)
    ).all()
    if len(rows) < 2 or rows[0].change_reason not in CANCELLABLE or rows[0].cancels_version:
        raise Conflict(
            "取り消せる異動がありません（転居・氏名の変更・職権修正・世帯変更のみ）",
            field="resident_id",
            code="not_cancellable",
        )
    last, before = rows
    restored = copy_items(before)
    if restored["household_id"] != resident.household_id:
        households.current_household(uow, restored["household_id"], field="resident_id")
    identity_changed = any(getattr(resident, k) != restored[k] for k in IDENTITY_ITEMS)
    old_household = resident.household_id
    households.touch(uow, old_household, restored["household_id"])
    for name, value in restored.items():
        if name not in KEPT:
            setattr(resident, name, value)
    if identity_changed:
        record_event(
            uow,
            resident,
            ChangeReason.CORRECTION,
            notice,
            history_reason=CANCELLATION,
            cancels_version=last.version,
        )
    else:
        write_history(uow, resident, CANCELLATION, notice, cancels_version=last.version)
    households.check_households(uow, {old_household, resident.household_id})
    return resident.version
