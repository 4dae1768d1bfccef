"""Foreign residents (外国人住民, 住基法 第4章の3):

- 法30条の46: a 中長期在留者等 arriving from abroad records a 転入 within 14 days, with the
  items of their 在留カード (国籍・地域, 在留資格, 在留期間 and its expiry, the card's number)
  and the 30条の45 category;
- 法30条の47: someone already living here becomes a 中長期在留者等 (e.g. 在留資格の取得) and a
  住民票 is made for them;
- 法30条の50: 法務大臣 (出入国在留管理庁) notifies a change — 在留期間更新, 在留資格変更,
  在留カードの再交付 — and the clerk enters it; it is register-only (not 本人確認情報);
- 通称 (施行令 第30条の26): recorded or removed on request, with its history (item 80);
- 帰化: the person becomes a national; the foreign items end, 本籍 and 筆頭者 begin; the same
  住民票コード continues (住基ネット sees 異動事由 帰化).

Every 記載, 消除 or change of a foreign resident's items also prepares the mayor's notice to
法務大臣 (入管法 第61条の8の2), kept in `ImmigrationNotice`.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from juki.core.clock import japan_today
from juki.core.errors import Conflict, InvalidInput
from juki.core.messages import ChangeReason
from juki.core.messaging.node import UnitOfWork
from juki.registry.foreign.schemas import (
    AliasNotice,
    ForeignEntryNotice,
    ForeignMoveInNotice,
    ImmigrationNoticeEntry,
    NaturalizationNotice,
)
from juki.registry.notices import arrivals, intake
from juki.registry.residents import service as residents
from juki.registry.residents.models import Resident
from juki.registry.residents.pool import take_resident_code

IMMIGRATION_NOTICE = "immigration_notice"  # 法30条の50 通知 entered (register only)
ALIAS = "alias"  # 通称の記載・削除 (register only)


def _foreign_items(notice: ForeignMoveInNotice) -> dict[str, Any]:
    residence = notice.residence.checked()
    return residence.model_dump() | {
        "foreign_category": residence.foreign_category.value,
        "foreign_true_name": notice.name_kanji,
        "foreign_true_name_kana": notice.name_kana,
        "foreign_birth_date": notice.birth_date,
        "foreign_change_date": notice.change_date,
        "foreign_notified_on": notice.notified_on or japan_today(),
        "residence_notified": True,
        "alias": notice.alias,
        "alias_kana": notice.alias_kana,
        "alias_history": _alias_entry("", notice.alias, notice.change_date),
    }


def record_move_in(uow: UnitOfWork, notice: ForeignMoveInNotice) -> residents.EventRecord:
    """法30条の46: like a 転入 from abroad, with the foreign items."""
    intake.record(uow, notice, "転入届（法30条の46）")
    return _new_foreign_resident(uow, notice, ChangeReason.MOVE_IN_FROM_ABROAD)


def record_entry(uow: UnitOfWork, notice: ForeignEntryNotice) -> residents.EventRecord:
    """法30条の47: a 住民票 for someone already living here."""
    intake.record(uow, notice, "法30条の47の届出")
    return _new_foreign_resident(uow, notice, ChangeReason.FOREIGN_ENTRY)


def _new_foreign_resident(
    uow: UnitOfWork, notice: ForeignMoveInNotice, reason: ChangeReason
) -> residents.EventRecord:
    items = _foreign_items(notice)
    resident = arrivals.new_resident(
        uow, notice, take_resident_code(uow), notice, notice, reason,
        awaiting_number=True, became_resident_on=notice.change_date, **items,
    )  # fmt: skip
    residents.request_number(uow, resident, notice.operator_id)
    return residents.record_event(uow, resident, reason, notice)  # prepares the 入管 notice


def enter_immigration_notice(
    uow: UnitOfWork, resident_id: int, notice: ImmigrationNoticeEntry
) -> None:
    resident = _foreign_resident(uow, resident_id)
    changes = notice.model_dump(
        include={"residence_card_no", "residence_status", "period_of_stay", "stay_expires_on"},
        exclude_none=True,
    )
    if not changes:
        raise InvalidInput("通知された変更がありません", field="stay_expires_on")
    for key, value in changes.items():
        setattr(resident, key, value)
    residents.write_history(uow, resident, IMMIGRATION_NOTICE, notice)


def record_alias(uow: UnitOfWork, resident_id: int, notice: AliasNotice) -> None:
    resident = _foreign_resident(uow, resident_id)
    if notice.alias == resident.alias:
        raise InvalidInput("通称が変わっていません", field="alias")
    resident.alias_history = _alias_entry(resident.alias_history, notice.alias, notice.change_date)
    resident.alias, resident.alias_kana = notice.alias, notice.alias_kana
    residents.write_history(uow, resident, ALIAS, notice)
    prepare_notice(uow, resident, ALIAS, notice.change_date)


def naturalize(
    uow: UnitOfWork, resident_id: int, notice: NaturalizationNotice
) -> residents.EventRecord:
    resident = _foreign_resident(uow, resident_id)
    card = resident.residence_card_no
    for name in _FOREIGN_ITEMS:
        setattr(resident, name, None)
    resident.residence_notified = False
    resident.domicile, resident.family_head_name = notice.domicile, notice.family_head_name
    if notice.name_kanji:
        resident.name_kanji = notice.name_kanji
    if notice.name_kana:
        resident.name_kana = notice.name_kana
    event = residents.record_event(uow, resident, ChangeReason.NATURALIZATION, notice)
    prepare_notice(uow, resident, ChangeReason.NATURALIZATION.value, notice.change_date, card)
    return event


_FOREIGN_ITEMS = (
    "foreign_true_name_kana", "foreign_true_name", "alias_kana", "alias", "combined_name",
    "combined_name_kana", "nationality_code", "nationality", "residence_card_no",
    "residence_status_code", "residence_status", "foreign_category", "period_of_stay",
    "stay_expires_on", "foreign_birth_date", "foreign_change_date", "foreign_notified_on",
    "foreign_settled_on", "foreign_settled_reason", "foreign_settled_notified_on",
    "foreign_settled_notice_reason",
)  # fmt: skip


def prepare_notice(
    uow: UnitOfWork, resident: Resident, kind: str, day: dt.date, card: str | None = None
) -> None:
    residents.prepare_immigration_notice(uow, resident, kind, day, card)


def is_foreign(resident: Resident) -> bool:
    return resident.foreign_category is not None


def _foreign_resident(uow: UnitOfWork, resident_id: int) -> Resident:
    resident = residents.current_resident(uow, resident_id)
    if not is_foreign(resident):
        raise Conflict("外国人住民ではありません", field="resident_id", code="not_foreign")
    return resident


def _alias_entry(history: str, alias: str | None, day: dt.date) -> str:
    """通称履歴 (item 80): every alias with the date it was recorded or removed."""
    entries: list[dict[str, str | None]] = json.loads(history) if history else []
    if alias is None and not entries:
        return ""
    entries.append({"alias": alias, "on": day.isoformat()})
    return json.dumps(entries, ensure_ascii=False)
