"""The contractor's one table: an order (one commission, one card), from J-LIS's
commission to the card's shipment. The commission itself — it carries the 個人番号 and the
4情報 — is kept sealed under the node's field key, and only until the card is shipped or
the order is void; then it is erased and the erasure written in the erasure history
(OUT-06: the contractor erases what it was given once the work is done)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, MetaData, String, Text
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.core.sealed import SealedText
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class IssuanceOrder(Base):
    __tablename__ = "issuance_orders"

    commission_number: Mapped[str] = mapped_column(String(16), primary_key=True)  # 90
    application_id: Mapped[str] = mapped_column(String(23), index=True)
    lg_code: Mapped[str] = mapped_column(String(6))  # where the card goes (C22)
    commission: Mapped[str | None] = mapped_column(
        "commission_cipher", SealedText("issuance_commission"), key="commission"
    )  # the CardCommission, JSON; erased once the card left or the order is void
    # received → made → shipped; or not_made, or void (J-LIS refused the result)
    status: Mapped[str] = mapped_column(String(12), index=True)
    request_id: Mapped[str | None] = mapped_column(String(40))  # 75 依頼管理番号
    card_issue_number: Mapped[str | None] = mapped_column(String(16), unique=True)  # 92
    refused_code: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    made_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    shipped_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PinnedSigner(Base):
    """J-LIS's card-face signer as the line first saw it (000 §2.4 (ii): the "key
    information that does not depend on the user" J-LIS gives the issuance system). A
    commission signed under any other certificate is not made: one that carries its own
    certificate proves nothing by it."""

    __tablename__ = "issuance_signers"

    fingerprint: Mapped[str] = mapped_column(String(64), primary_key=True)  # SHA-256 (DER)
    certificate_pem: Mapped[str] = mapped_column(Text)
    pinned_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
