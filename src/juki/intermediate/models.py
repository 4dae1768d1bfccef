"""The 中間サーバー's tables for 符号 (001a §2.4 ①): the 符号 against the 団体内統合宛名番号
(used for linkage only, shown on no screen and by no API: NWS-8-2), the 処理通番 still
waiting for their 符号, and a record of what happened to each (no personal data)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, DateTime, Integer, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.core.sealed import SealedText
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class FugoHeld(Base):
    """A person's 符号 at this institution (符号管理: 統合宛名番号 ↔ 符号)."""

    __tablename__ = "intermediate_fugo"

    atena_id: Mapped[str] = mapped_column(String(16), primary_key=True)  # 団体内統合宛名番号
    fugo: Mapped[str] = mapped_column(String(32), unique=True)
    bound_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    rekeyed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FugoRequest(Base):
    """A 処理通番 given out and not yet answered (004 R-ACQ-03: a 符号 is taken only against
    an outstanding one, which is deleted once bound)."""

    __tablename__ = "intermediate_fugo_requests"

    serial: Mapped[str] = mapped_column(String(32), primary_key=True)  # 処理通番
    atena_id: Mapped[str] = mapped_column(String(16), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class FugoEvent(Base):
    """What happened: serial_given, bound, refused (and why), rekeyed."""

    __tablename__ = "intermediate_fugo_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    kind: Mapped[str] = mapped_column(String(16))
    serial: Mapped[str | None] = mapped_column(String(32))
    reason: Mapped[str | None] = mapped_column(String(40))


class Fukuhon(Base):
    """副本 (001a §2.4 ⑥, §3.13): the providable data of one person, by 統合宛名番号 and
    kind, removed persons included; sealed. `hold`: 自動応答不可 (a 支援措置: NWS-5-3)."""

    __tablename__ = "intermediate_fukuhon"

    atena_id: Mapped[str] = mapped_column(String(16), primary_key=True)
    kind: Mapped[str] = mapped_column(String(40), primary_key=True)  # 住民票関係情報 …
    data: Mapped[str] = mapped_column("data_cipher", SealedText("fukuhon_data"), key="data")
    removed: Mapped[bool] = mapped_column(Boolean)
    hold: Mapped[bool] = mapped_column(Boolean)
    registered_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PermitListEntry(Base):
    """照会許可用照合リスト (NWS-5-1): a legal-table row under which this institution
    provides, as the network sent it; every permit is checked against it too."""

    __tablename__ = "intermediate_permit_list"

    row: Mapped[int] = mapped_column(Integer, primary_key=True)  # 項番
    requester: Mapped[str] = mapped_column(String(200))
    task: Mapped[str] = mapped_column(Text)
    items: Mapped[str] = mapped_column(Text)  # JSON list
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class ProvisionLog(Base):
    """情報提供等記録 at this institution (番号法 第23条): its own queries (`asking`) and the
    permits it answered (`providing`), with row, 事務, items, the other institution, the
    person by 統合宛名番号, times and outcome, refusals included. A query's answer is
    kept sealed to this institution's key (`sealed`) until read. Kept 7 years."""

    __tablename__ = "intermediate_provision_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    side: Mapped[str] = mapped_column(String(10))  # asking | providing
    query_id: Mapped[str | None] = mapped_column(String(32), unique=True)  # asking
    permit_id: Mapped[str | None] = mapped_column(String(32), index=True)
    other: Mapped[str] = mapped_column(String(64))  # the provider, or the requester
    row: Mapped[int] = mapped_column(Integer)
    task: Mapped[str] = mapped_column(Text)
    items: Mapped[str] = mapped_column(Text)  # JSON list
    atena_id: Mapped[str | None] = mapped_column(String(16), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # asking: asked → provided | not_provided | refused; providing: core Outcome
    outcome: Mapped[str] = mapped_column(String(12))
    reason: Mapped[str | None] = mapped_column(String(40))
    sealed: Mapped[str | None] = mapped_column(Text)  # HPKE to this institution's key
    asked_by: Mapped[str | None] = mapped_column(String(120))  # the system/operator that asked


class HeldAnswer(Base):
    """An answer held for staff review (自動応答不可: 001a NWS-5-3, 001b C-13): the signed
    request of the permit (to answer it later, sealed to the key the requester signed; the
    符号 is not kept here, NWS-8-2), the person, and the deadline; then who decided, when,
    what and why. `decision` is empty while it waits: provided | withheld | expired."""

    __tablename__ = "intermediate_held_answers"

    permit_id: Mapped[str] = mapped_column(String(32), primary_key=True)
    request: Mapped[str] = mapped_column(Text)  # QueryRequest, JSON (no personal data)
    atena_id: Mapped[str] = mapped_column(String(16))
    held_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    review_by: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    decision: Mapped[str | None] = mapped_column(String(12), index=True)
    decided_by: Mapped[str | None] = mapped_column(String(120))
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    note: Mapped[str | None] = mapped_column(
        "note_cipher", SealedText("held_answer_note"), key="note"
    )  # the reviewer's reason, which may name the person's circumstances


class FukuhonCheckRun(Base):
    """副本の突合 (NWS-7-3): one comparison of the 副本 with the business system's originals,
    asked by a member of staff; `done_at` once the register said it sent them all."""

    __tablename__ = "intermediate_fukuhon_checks"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    asked_by: Mapped[str] = mapped_column(String(120))
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    originals: Mapped[int | None] = mapped_column(Integer)  # as the register counted them
    done_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class FukuhonCheckItem(Base):
    """One person's result in a check: same, differs (the 副本 is not the original),
    missing (an original with no 副本), unlinked (an original the 統合宛名 has no
    統合宛名番号 for), extra (a 副本 with no original; written when the check is done)."""

    __tablename__ = "intermediate_fukuhon_check_items"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    check_id: Mapped[str] = mapped_column(String(32), index=True)
    atena_id: Mapped[str | None] = mapped_column(String(16))
    result: Mapped[str] = mapped_column(String(12))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
