"""What the mayor records ex officio (職権) and what the 戸籍 side notifies:

- 職権記載 (住基法施行令 第12条第1項): a person found living here unregistered gets a 住民票
  (a new 住民票コード from the pool, a 個人番号 from J-LIS); or a 除票 made in error is
  restored with its own code and number (職権回復).
- 職権消除 (施行令 第12条第3項): a person found not living here; 失踪宣告 from the 戸籍 side.
- 戸籍通知 (住基法 第9条第2項): the 本籍地 tells of a change in the 戸籍 — a new name, a new
  本籍 or 筆頭者 — and the 住民票 follows; a new name is 本人確認情報 and goes to the CS.
"""

from __future__ import annotations

from pydantic import Field

from juki.core.errors import Conflict, InvalidInput
from juki.core.messages import ChangeReason
from juki.core.messaging.node import UnitOfWork
from juki.registry import households, schemas, service
from juki.registry.pool import take_resident_code

KOSEKI_NOTICE = "koseki_notice"  # 戸籍通知 that changed only register items (本籍, 筆頭者)


class ExOfficioEntryNotice(schemas.Notice, schemas.PersonItems, schemas.HouseholdPlacement):
    """職権記載 of a person found living here without a 住民票."""

    evidence: str = Field(min_length=1, max_length=200)  # 実態調査の結果など


class RestoreNotice(schemas.Notice, schemas.HouseholdPlacement):
    """職権記載 restoring a 除票 made in error (職権回復)."""

    evidence: str = Field(min_length=1, max_length=200)


class KosekiNotice(schemas.Notice):
    """戸籍に関する届出に基づく通知 from the 本籍地 (住基法 第9条第2項)."""

    name_kanji: str | None = Field(default=None, min_length=1, max_length=100)
    name_kana: schemas.KanaText | None = Field(default=None, min_length=1, max_length=100)
    domicile_lg_code: schemas.LgCodeText | None = None
    domicile: str | None = Field(default=None, min_length=1, max_length=200)
    family_head_name: str | None = Field(default=None, min_length=1, max_length=100)


def record_entry(uow: UnitOfWork, notice: ExOfficioEntryNotice) -> service.EventRecord:
    if notice.birth_date > notice.change_date:
        raise InvalidInput("生年月日が記載日より後です", field="birth_date")
    reason = ChangeReason.EX_OFFICIO_ENTRY
    resident = service.new_resident(
        uow, notice, take_resident_code(uow), notice, notice, reason,
        awaiting_number=True, became_resident_on=notice.change_date,
        remarks=f"職権記載：{notice.evidence}",
    )  # fmt: skip
    service.request_number(uow, resident, notice.operator_id)
    return service.record_event(uow, resident, reason, notice)


def restore(uow: UnitOfWork, resident_id: int, notice: RestoreNotice) -> service.EventRecord:
    resident = service.get_resident(uow, resident_id)
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
    service.ensure_not_current(uow, resident.resident_code)
    for item in ("destination", "confirmed"):
        for part in ("lg_code", "postal_code", "address", "annex", "head_name"):
            setattr(resident, f"{item}_{part}", None)
    households.touch(uow, resident.household_id)
    resident.household_id = service.place_in_household(
        uow, notice, resident.address, notice.change_date
    )
    households.touch(uow, resident.household_id)
    resident.relationship = notice.relationship.value
    resident.status, resident.removal_kind, resident.removed_on = "resident", None, None
    resident.removal_notified_on = resident.removal_processed_on = None
    resident.removal_reason = None
    resident.remarks = f"職権回復：{notice.evidence}"
    return service.record_event(uow, resident, ChangeReason.EX_OFFICIO_ENTRY, notice)


def record_koseki_notice(
    uow: UnitOfWork, resident_id: int, notice: KosekiNotice
) -> service.EventRecord | None:
    """The 住民票 follows the 戸籍. Returns the event when the name (本人確認情報) changed."""
    resident = service.current_resident(uow, resident_id)
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
        service.write_history(uow, resident, KOSEKI_NOTICE, notice)
        return None
    for key, value in name.items():
        setattr(resident, key, value)
    return service.record_event(uow, resident, ChangeReason.NAME_CHANGE, notice)


def record_removal(
    uow: UnitOfWork, resident_id: int, notice: schemas.DeathNotice, *, disappearance: bool
) -> service.EventRecord:
    if disappearance:
        return service.record_removal(
            uow, resident_id, notice, ChangeReason.DISAPPEARANCE, "disappearance"
        )
    return service.record_removal(
        uow, resident_id, notice, ChangeReason.EX_OFFICIO_REMOVAL, "ex_officio"
    )
