"""送付先情報 extracted for J-LIS's card system and the 個人番号カード it reported."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, Date, DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from juki.core.sealed import SealedText
from juki.registry.residents.models import Base


class DestinationExtract(Base):
    """送付先情報 extracted for a person newly to be notified of a 個人番号 and sent to the
    CS (001a §3.7 7-①), and what came back: J-LIS's card management system registered it,
    or the CS or the card system refused it (then the clerk sees why and extracts again).
    Holds no personal item: the person by 宛名番号, the record by its digest.

    `kind` is `notice` (個人番号通知書と交付申請書, extracted when a number is recorded) or
    `reissue` (交付申請書の再発行 asked for at the counter after the 4情報 changed, 000
    P3.4); a reissue the card system registered comes back with its new 申請書ID."""

    __tablename__ = "destination_extracts"

    destination_id: Mapped[str] = mapped_column(String(36), primary_key=True)  # 送付先管理番号
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    digest: Mapped[str] = mapped_column(String(64))  # SHA-256 of the record sent
    status: Mapped[str] = mapped_column(String(16), index=True)  # sent | registered | refused
    refused_by: Mapped[str | None] = mapped_column(String(8))  # cs | card
    error_code: Mapped[str | None] = mapped_column(String(60))
    error_field: Mapped[str | None] = mapped_column(String(60))
    extracted_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    operator_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    kind: Mapped[str] = mapped_column(String(16), default="notice", server_default="notice")
    application_id: Mapped[str | None] = mapped_column(String(23))  # 申請書ID of a reissue


class MyNumberCard(Base):
    """個人番号カード as J-LIS's card management system reported it to the mayor (000 §3.3
    1-⑩/⑪): produced and sent to this municipality, to be handed to the person at the
    counter after a strict identity check (000 F3-ACQ-04). Holds no number: the card by its
    カード発行番号, the person by 宛名番号."""

    __tablename__ = "my_number_cards"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    info_id: Mapped[str] = mapped_column(String(36), unique=True)  # the card system's notice
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    application_id: Mapped[str] = mapped_column(String(23))  # 申請書ID
    card_issue_number: Mapped[str] = mapped_column(String(16), unique=True)  # カード発行番号
    expires_on: Mapped[dt.date] = mapped_column(Date)  # カード有効期限
    status: Mapped[str] = mapped_column(String(20))  # awaiting_handover
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # Who made the last counter report on it: J-LIS's answer `00` to a suspension, its
    # lifting or an abolition is passed on to JPKI in their name (`certificates.py`).
    reported_by: Mapped[str | None] = mapped_column(String(40))
    reported_at_terminal: Mapped[str | None] = mapped_column(String(40))


class CardHandover(Base):
    """交付: the strict identity check the mayor makes when handing the card over (000
    F3-ACQ-04: an application may have been made without the person's knowledge, and J-LIS
    cannot tell), as the counter recorded it — which document was seen, that its photo was
    matched to the person and the 交付通知書 presented — and who did it, where, when."""

    __tablename__ = "card_handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey("my_number_cards.id", ondelete="CASCADE"), index=True
    )
    id_document: Mapped[str] = mapped_column(String(40))  # 本人確認書類 (IdDocument)
    face_matched: Mapped[bool] = mapped_column(Boolean)
    notice_presented: Mapped[bool] = mapped_column(Boolean)  # 交付通知書
    checked_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    operator_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))


class CertificateApplication(Base):
    """電子証明書の発行申請 made at the counter for a card (公的個人認証法 第3条, 第22条),
    sent to JPKI through the CS, and JPKI's answer: the certificates to load onto the card
    (the 署名用 one carries the 4情報, so it is sealed), or why not."""

    __tablename__ = "certificate_applications"

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    card_id: Mapped[int] = mapped_column(
        ForeignKey("my_number_cards.id", ondelete="CASCADE"), index=True
    )
    status: Mapped[str] = mapped_column(String(8))  # sent | issued | refused
    sign_certificate: Mapped[str | None] = mapped_column(
        "sign_certificate_cipher", SealedText("sign_certificate"), key="sign_certificate"
    )
    auth_certificate: Mapped[str | None] = mapped_column(Text)
    refused_field: Mapped[str | None] = mapped_column(String(40))
    refused_reason: Mapped[str | None] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    operator_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    id_document: Mapped[str] = mapped_column(String(40))  # 本人確認書類, as checked


class CardContinuation(Base):
    """継続利用 (001a §3.3 3-⑥): a card brought here by a holder who moved in with it
    (特例転入), reported to J-LIS's card system to be kept in use here, and its answer. The
    card by its number, the holder by 宛名番号; who checked the card, where, when."""

    __tablename__ = "card_continuations"

    report_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    resident_id: Mapped[int] = mapped_column(ForeignKey("residents.id"), index=True)
    card_issue_number: Mapped[str] = mapped_column(String(16), index=True)
    status: Mapped[str] = mapped_column(String(8))  # sent | done | refused
    refused_reason: Mapped[str | None] = mapped_column(String(200))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    operator_id: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))


class CardShipmentRow(Base):
    """A card the issuance contractor shipped to this municipality (000 C22), kept until it
    is handed over: the chip's contents as written (they carry the 個人番号 and the 4情報),
    sealed under the node's field key. 交付前設定 waits for it; at 交付 the contents go to
    the holder's card and are erased here (the card has left the counter)."""

    __tablename__ = "card_shipments"

    card_issue_number: Mapped[str] = mapped_column(String(16), primary_key=True)
    application_id: Mapped[str] = mapped_column(String(23))
    commission_number: Mapped[str] = mapped_column(String(16))
    chip: Mapped[str | None] = mapped_column(
        "chip_cipher", SealedText("card_chip"), key="chip"
    )  # the ChipImage, JSON; erased once given to the holder
    shipped_on: Mapped[dt.date] = mapped_column(Date)
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    given_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    given_by: Mapped[str | None] = mapped_column(String(40))


class ChipRewriteRecord(Base):
    """A request to J-LIS for the chip's contents again (a 券面事項入力補助 or 住基 PIN to
    reset, a card face changed) and what came of it: the answer kept sealed until given to
    the holder's card once, then erased (`shipments.give`). One waiting request per card."""

    __tablename__ = "chip_rewrite_requests"

    request_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    card_issue_number: Mapped[str] = mapped_column(String(16), index=True)
    resident_id: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(16))  # pin_reset | face_change
    requested_by: Mapped[str] = mapped_column(String(40))
    terminal_id: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
    # sent | received | stale | refused | given | superseded
    status: Mapped[str] = mapped_column(String(16))
    answered_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    refused_reason: Mapped[str | None] = mapped_column(String(100))
    chip: Mapped[str | None] = mapped_column(
        "chip_cipher", SealedText("card_chip_rewrite"), key="chip"
    )  # the ChipImage, JSON; erased once given (or superseded)
    given_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    given_by: Mapped[str | None] = mapped_column(String(40))
