"""The portal's tables: the log-ins in progress, the people it knows (by its own 符号 only,
used for nothing but asking the network: 001a NWS-8-2), and their requests for their
情報提供等記録 with the answer kept sealed until shown. No 4情報, 住民票コード or 個人番号."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, ForeignKey, Integer, LargeBinary, MetaData, String
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.migrate import CORE_METADATA
from juki.core.sealed import SealedText
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


SCHEMA: tuple[MetaData, ...] = (*CORE_METADATA, *DUTY_METADATA, Base.metadata)


class PortalHolder(Base):
    """A person who has logged in, known by the portal's 符号 (the network's, institution
    `portal`); re-keyed when the network says their 符号 changed (000 P2.3b)."""

    __tablename__ = "portal_holders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    fugo: Mapped[str] = mapped_column(String(32), unique=True)
    first_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    last_login_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PortalLogin(Base):
    """One log-in: opened by a browser, answered by the holder's app with the card's
    signature over `challenge`, checked by JPKI, and done when the network's 符号 for the
    holder arrives against its id (the portal's 処理通番). Used once, within minutes.

    status: awaiting_card → checking → ready (→ used) | refused | expired."""

    __tablename__ = "portal_logins"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # also the 処理通番
    challenge: Mapped[bytes] = mapped_column(LargeBinary)
    status: Mapped[str] = mapped_column(String(16), index=True)
    verdict: Mapped[str | None] = mapped_column(String(16))  # JPKI's
    holder_id: Mapped[int | None] = mapped_column(ForeignKey("portal_holders.id"))
    opened_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    expires_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class RecordsRequest(Base):
    """A holder's request for their 情報提供等記録, and the network's answer (sealed at
    rest: it says which bodies asked about the person)."""

    __tablename__ = "portal_records_requests"

    id: Mapped[str] = mapped_column(String(32), primary_key=True)  # the ask id
    holder_id: Mapped[int] = mapped_column(ForeignKey("portal_holders.id"), index=True)
    asked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    answer: Mapped[str | None] = mapped_column(
        "answer_cipher", SealedText("portal_records"), key="answer"
    )
