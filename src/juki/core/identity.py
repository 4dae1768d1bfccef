"""本人確認情報 files kept by the CS, the prefectural server and the national server.

Each tier keeps its own file with full history (CS 40 items: 001a §4.2.3; prefecture 28
items: 002 §5.2; national 24 items: 000 §4.2). The shared items live in IdentityRowMixin;
each tier's models.py adds its own. Rows are never updated in place except to clear
`is_current` on the row a change supersedes: a change appends a row with the next
更新順番号 (update_seq).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Boolean, Date, DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from juki.core.crypto import sealed_label
from juki.core.errors import Conflict
from juki.core.messages import (
    CHANGE_REASON_LABELS,
    ENTRY_REASONS,
    REMOVAL_REASONS,
    ChangeReason,
    IdentityRecord,
)
from juki.core.sealed import BlindIndex, SealedText

NUMBER_COLUMN = sealed_label("individual_number")


class IdentityRowMixin:
    """Items common to the three tiers' files (names from the glossary)."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)  # 住民票コード
    # Names and addresses are sealed (core/sealed.py, 002 REQ-CON-03): the attributes hold
    # clear text, the columns (named *_cipher) hold AES-GCM ciphertext. The 4情報 search
    # uses the blind indexes; birth date and sex stay clear as range/equality keys.
    name_kanji: Mapped[str] = mapped_column(
        "name_kanji_cipher", SealedText("name_kanji"), key="name_kanji"
    )  # 漢字氏名
    name_kanji_index: Mapped[str] = mapped_column(BlindIndex("name_kanji"), index=True)
    name_gaiji_count: Mapped[int] = mapped_column(Integer, default=0)  # 外字数（氏名）
    name_kana: Mapped[str] = mapped_column(
        "name_kana_cipher", SealedText("name_kana"), key="name_kana"
    )  # ふりがな氏名
    name_seion_index: Mapped[str] = mapped_column(
        BlindIndex("name_seion"), index=True
    )  # 清音化かな氏名
    birth_date: Mapped[dt.date] = mapped_column(Date, index=True)  # 生年月日
    sex: Mapped[str] = mapped_column(String(1))  # 性別
    address: Mapped[str] = mapped_column(
        "address_cipher", SealedText("address"), key="address"
    )  # 住所
    address_gaiji_count: Mapped[int] = mapped_column(Integer, default=0)  # 外字数（住所）
    individual_number_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # 個人番号 (AES-GCM)
    individual_number_index: Mapped[str] = mapped_column(String(64), index=True)  # blind index
    change_reason: Mapped[str] = mapped_column(String(32))  # 異動事由
    change_date: Mapped[dt.date] = mapped_column(Date)  # 異動年月日
    lg_code: Mapped[str] = mapped_column(String(6), index=True)  # 市町村コード
    town_code: Mapped[str] = mapped_column(String(12), default="")  # 大字・字コード
    operator_id: Mapped[str] = mapped_column(String(40))  # 操作者ID
    terminal_id: Mapped[str] = mapped_column(String(40))  # 操作端末ID
    timestamp: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))  # タイムスタンプ
    gaiji_flag: Mapped[bool] = mapped_column(Boolean, default=False)  # 外字フラグ
    update_seq: Mapped[int] = mapped_column(Integer)  # 更新順番号
    is_current: Mapped[bool] = mapped_column(Boolean)  # latest row for the code
    removed: Mapped[bool] = mapped_column(Boolean, default=False)  # 消除 (転出・死亡)
    update_id: Mapped[str] = mapped_column(String(36))  # 依頼管理番号 of the registry event


Row = TypeVar("Row", bound=IdentityRowMixin)

# Items a 転居 may change (000 Appendix B, DOC: anything else is an error).
ADDRESS_ITEMS = frozenset({"address", "town_code", "postal_code"})
NAME_ITEMS = frozenset({"name_kanji", "name_kana", "former_surname_kanji", "former_surname_kana"})
COMPARED_ITEMS = ("name_kanji", "name_kana", "birth_date", "sex", "address", "town_code")


@dataclass(frozen=True)
class Verdict:
    """What a tier does with an update that passed the logic checks."""

    supersede: Any  # the current state to supersede, or None for a new person
    history_only: bool = False  # a late 転出 from a municipality the person already left


class CurrentState(Protocol):
    """What the checks read of a person's current row (a stored row or one pending in the
    same batch)."""

    removed: bool
    lg_code: str
    individual_number_index: str
    update_seq: int
    name_kanji: str
    name_kana: str
    birth_date: dt.date
    sex: str
    address: str
    town_code: str


def changed_items(row: CurrentState, update: IdentityRecord, number_index: str) -> set[str]:
    changed = {item for item in COMPARED_ITEMS if getattr(row, item) != getattr(update, item)}
    if row.individual_number_index != number_index:
        changed.add("individual_number")
    if row.lg_code != update.lg_code:
        changed.add("lg_code")
    return changed


def check_update(
    current: CurrentState | None, update: IdentityRecord, number_index: str
) -> Verdict:
    """The logic checks of 000 Appendix B and 002 §6.1 1-②d. Raises Conflict naming the field.

    The checks look only at what must hold before the change; nothing is written here.
    A 転入 is refused when the person is already a current resident of the same
    municipality. Because updates from two municipalities travel on different channels, a
    person's 転入 at B can reach a tier before their 転出 from A: the 転入 is accepted, and
    the late 転出 from A is kept as history without touching the current row.
    `number_index` is the blind index of the notified 個人番号.
    """
    reason = update.reason
    if reason in ENTRY_REASONS:
        if current is None or current.removed:
            return Verdict(current)
        if reason == ChangeReason.BIRTH:
            raise Conflict("既に住民票コードが存在します", field="resident_code", code="exists")
        if current.lg_code == update.lg_code:
            raise Conflict(
                "既に住民として記録されています", field="reason", code="already_resident"
            )
        _check_number(current, number_index)
        return Verdict(current)
    if current is None:
        raise Conflict("対象の本人確認情報がありません", field="resident_code", code="unknown")
    if current.removed or current.lg_code != update.lg_code:
        if reason in REMOVAL_REASONS and current.lg_code != update.lg_code:
            return Verdict(current, history_only=True)
        raise Conflict("現に住民ではありません", field="reason", code="not_resident")
    if reason != ChangeReason.NUMBER_CHANGE:
        _check_number(current, number_index)
    allowed = _allowed_items(reason)
    if allowed is not None:
        extra = changed_items(current, update, number_index) - allowed
        if extra:
            field = sorted(extra)[0]
            raise Conflict(
                f"{_label(reason)}では変更できない項目です", field=field, code="not_allowed"
            )
    return Verdict(current)


def _check_number(current: CurrentState, number_index: str) -> None:
    """The 個人番号 must be the one on record for the 住民票コード (000 P2.1 authenticity)."""
    if current.individual_number_index != number_index:
        raise Conflict(
            "個人番号が住民票コードに対応しません",
            field="individual_number",
            code="number_mismatch",
        )


def _allowed_items(reason: ChangeReason) -> frozenset[str] | None:
    if reason == ChangeReason.MOVE_WITHIN:
        return ADDRESS_ITEMS
    if reason in (ChangeReason.NAME_CHANGE, ChangeReason.NATURALIZATION):
        return NAME_ITEMS
    if reason == ChangeReason.NUMBER_CHANGE:
        return frozenset({"individual_number"})
    if reason in REMOVAL_REASONS or reason == ChangeReason.RESIDENT_CODE_CHANGE:
        return frozenset()
    return None  # 職権修正: any item (the number and code change by their own reasons)


def _label(reason: ChangeReason) -> str:
    return CHANGE_REASON_LABELS[reason]
