"""特例転入's request to the former municipality and what came back."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import DateTime, Integer, LargeBinary, String
from sqlalchemy.orm import Mapped, mapped_column

from juki.registry.residents.models import Base


class MoveOutCertRequestRecord(Base):
    """A 転出証明書情報 asked of a former municipality for a 特例転入, and what came back:
    the certificate is kept encrypted (it holds the 個人番号) until the 転入 uses it."""

    __tablename__ = "move_out_cert_requests"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(36), unique=True)
    former_lg_code: Mapped[str] = mapped_column(String(6))
    resident_code: Mapped[str] = mapped_column(String(11))
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    status: Mapped[str] = mapped_column(String(16))  # waiting | received | refused | used
    certificate_cipher: Mapped[bytes | None] = mapped_column(LargeBinary)
    error_code: Mapped[str | None] = mapped_column(String(40))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
