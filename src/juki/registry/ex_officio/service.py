"""What the mayor records ex officio (職権) and what the 戸籍 side notifies:

- 職権記載 (住基法施行令 第12条第1項): a person found living here unregistered gets a 住民票
  (a new 住民票コード from the pool, a 個人番号 from J-LIS); or a 除票 made in error is
  restored with its own code and number (職権回復).
- 職権消除 (施行令 第12条第3項): a person found not living here; 失踪宣告 from the 戸籍 side.
- 戸籍通知 (住基法 第9条第2項): the 本籍地 tells of a change in the 戸籍 — a new name, a new
  本籍 or 筆頭者 — and the 住民票 follows; a new name is 本人確認情報 and goes to the CS.
"""

from __future__ import annotations

from juki.core.errors import Conflict, InvalidInput
from juki.core.messages import ChangeReason
from juki.core.messaging.node import UnitOfWork
from juki.registry.ex_officio.schemas import ExOfficioEntryNotice, KosekiNotice, RestoreNotice
from juki.registry.households import service as households
from juki.registry.notices import arrivals, moves
from juki.registry.notices.schemas import DeathNotice
from juki.registry.residents import service as residents
from juki.registry.residents.pool import take_resident_code

KOSEKI_NOTICE = "koseki_notice"  # 戸籍通知 that changed only register items (本籍, 筆頭者)


def record_entry(uow: UnitOfWork, notice: ExOfficioEntryNotice) -> residents.EventRecord:
    if notice.birth_date > notice.change_date:
        raise InvalidInput("生年月日が記載日より後です", field="birth_date")
    reason = ChangeReason.EX_OFFICIO_ENTRY
    resident = arrivals.new_resident(
        uow, notice, take_resident_code(uow), notice, notice, reason,
        awaiting_number=True, became_resident_on=notice.change_date,
        remarks=f"職権記載：{notice.evidence}",
    )  # fmt: skip
    residents.request_number(uow, resident, notice.operator_id)
    return residents.record_event(uow, resident, reason, notice)


def restore(uow: UnitOfWork, resident_id: int, notice: RestoreNotice) -> residents.EventRecord:
    resident = residents.get_resident(uow, resident_id)
    if resident.status != "removed" or resident.removal_kind not in ("ex_officio", "move_out"):
        raise Conflict(
            "職権で回復できるのは職権消除又は転出の除票です", field="resident_id",
            code="not_restorable",
        )  # fmt: skip
    if resident.confirmed_lg_code:
        raise Conflict(
            "転入通知を受けています（他の市町村の住民です）", field="resident_id",
            code="moved_in_elsewhere",
        )  # fmt: skip
    residents.ensure_not_current(uow, resident.resident_code)
    for item in ("destination", "confirmed"):
        for part in ("lg_code", "postal_code", "address", "annex", "head_name"):
            setattr(resident, f"{item}_{part}", None)
    households.touch(uow, resident.household_id)
    resident.household_id = arrivals.place_in_household(
        uow, notice, resident.address, notice.change_date
    )
    households.touch(uow, resident.household_id)
    resident.relationship = notice.relationship.value
    resident.status, resident.removal_kind, resident.removed_on = "resident", None, None
    resident.removal_notified_on = resident.removal_processed_on = None
    resident.removal_reason = None
    resident.remarks = f"職権回復：{notice.evidence}"
    return residents.record_event(uow, resident, ChangeReason.EX_OFFICIO_ENTRY, notice)


def record_koseki_notice(
    uow: UnitOfWork, resident_id: int, notice: KosekiNotice
) -> residents.EventRecord | None:
    """The 住民票 follows the 戸籍. Returns the event when the name (本人確認情報) changed."""
    resident = residents.current_resident(uow, resident_id)
    register_only = {
        k: v
        for k, v in notice.model_dump(
            include={"domicile_lg_code", "domicile", "family_head_name"}
        ).items()
        if v is not None
    }
    name = {
        k: v
        for k, v in notice.model_dump(include={"name_kanji", "name_kana"}).items()
        if v is not None and v != getattr(resident, k)
    }
    if not register_only and not name:
        raise InvalidInput("通知に変更がありません", field="name_kanji")
    for key, value in register_only.items():
        setattr(resident, key, value)
    if not name:
        residents.write_history(uow, resident, KOSEKI_NOTICE, notice)
        return None
    for key, value in name.items():
        setattr(resident, key, value)
    return residents.record_event(uow, resident, ChangeReason.NAME_CHANGE, notice)


def record_ex_officio_removal(
    uow: UnitOfWork, resident_id: int, notice: DeathNotice
) -> residents.EventRecord:
    """職権消除 (施行令 第12条第3項): a person found not living here."""
    return moves.record_removal(
        uow, resident_id, notice, ChangeReason.EX_OFFICIO_REMOVAL, "ex_officio"
    )


def record_disappearance(
    uow: UnitOfWork, resident_id: int, notice: DeathNotice
) -> residents.EventRecord:
    """失踪宣告, notified from the 戸籍 side: the record is removed (消除)."""
    return moves.record_removal(
        uow, resident_id, notice, ChangeReason.DISAPPEARANCE, "disappearance"
    )
