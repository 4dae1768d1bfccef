"""Disclosure records, as mixins: each tier (prefecture, national) has its own tables."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Date, DateTime, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column


class DisclosureMixin:
    """One disclosure (開示) answered: to whom, by whom, what was found, the PDF's digest."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    requester_name: Mapped[str] = mapped_column(String(100))  # as on the request form
    identity_document: Mapped[str] = mapped_column(String(40))  # how 本人確認 was done
    operator: Mapped[str] = mapped_column(String(40))
    terminal: Mapped[str] = mapped_column(String(40))
    found: Mapped[int] = mapped_column(Integer)  # rows disclosed (0: 記録なし)
    pdf_sha256: Mapped[str] = mapped_column(String(64))


class DisclosureCorrectionMixin:
    """A request to correct what was disclosed (訂正請求). The municipality keeps the source
    record, so the request goes there; it is resolved when the municipality's correction
    (職権修正) of this person reaches this tier, or closed with the municipality's answer."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    disclosure_id: Mapped[int] = mapped_column(Integer, index=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    requested: Mapped[str] = mapped_column(Text)  # JSON {item: the value the person asks for}
    reason: Mapped[str] = mapped_column(Text)
    lg_code: Mapped[str] = mapped_column(String(6))  # the municipality that decides
    status: Mapped[str] = mapped_column(String(16))  # forwarded | corrected | closed
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(40))
    resolved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    resolution: Mapped[str | None] = mapped_column(Text)


class UseSuspensionMixin:
    """A request to stop using, erase, or stop providing what was disclosed (利用停止請求;
    個人情報保護法 第98条, 番号法 第30条; 000 DSC-02). Taken at the disclosure desk, decided
    within 30 days (第102条) by someone other than the operator who took it, with reasons."""

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    disclosure_id: Mapped[int] = mapped_column(Integer, index=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    measure: Mapped[str] = mapped_column(String(16))  # use_stop | erasure | provision_stop
    grounds: Mapped[str] = mapped_column(Text)  # why the person says the handling is unlawful
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    operator: Mapped[str] = mapped_column(String(40))  # who took the request
    due_on: Mapped[dt.date] = mapped_column(Date)  # the decision's deadline
    status: Mapped[str] = mapped_column(String(16))  # pending | granted | refused
    decided_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    decided_by: Mapped[str | None] = mapped_column(String(40))
    decision_reason: Mapped[str | None] = mapped_column(Text)
