"""File 3 at J-LIS: 個人番号カード用管理ファイル (000 §4.3), the part this system builds —
the 送付先情報 each mayor sends (items 1-61 of 別添2-(3), held as received), the
申請書ID printed on the form (65) and the 交付申請 registered against it (68-72) — and
the record of what was exchanged with the CSs and the contractor."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import (
    Boolean,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from juki.core.consistency import consistency_metadata
from juki.core.migrate import CORE_METADATA
from juki.core.sealed import SealedText
from juki.duties.provision.tables import media_ledger_metadata
from juki.duties.search import provision_log_metadata
from juki.duties.tables import DUTY_METADATA


class Base(DeclarativeBase):
    pass


# Every table of this role's database: the infrastructure's, the duties', the provision
# record (`duties/search.py`) and the media ledger (`duties/provision/tables.py`), and its own.
SCHEMA: tuple[MetaData, ...] = (
    *CORE_METADATA, *DUTY_METADATA, provision_log_metadata, media_ledger_metadata,
    consistency_metadata, Base.metadata,
)  # fmt: skip


class CardFileEntry(Base):
    """One person's 送付先情報 as registered (000 §3.3 1-①), and where its card stands.

    The 67-item record is kept encrypted whole (the print contractor needs it, 1-②); the
    個人番号 is found by its blind index only. Status: `registered` (1-①), then
    `application_received` (1-⑦), then `issued` when the issuance contractor reports the
    card made (1-⑨), or `invalidated` when the 4情報 changed or the person was removed
    before the card was made (000 §3.3 P3.4, F3-ACQ-06). A form reissued at the counter
    is an entry of its own, with a new 申請書ID and `reissue_of` naming the one it replaces."""

    __tablename__ = "card_file"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    destination_id: Mapped[str] = mapped_column(String(36), unique=True)  # 1 送付先管理番号
    lg_code: Mapped[str] = mapped_column(String(6), index=True)  # 9 市町村コード
    resident_code: Mapped[str] = mapped_column(String(11), index=True)  # 38 住民票コード
    individual_number_index: Mapped[str] = mapped_column(String(64), index=True)  # 50
    record_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # 1-61, encrypted
    digest: Mapped[str] = mapped_column(String(64))  # the registry's SHA-256 of the record
    status: Mapped[str] = mapped_column(String(24))
    application_id: Mapped[str] = mapped_column(String(23), unique=True)  # 65 申請書ID
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    changed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    invalidated_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # 死亡・失踪宣告・職権消除: kept for a set period, then erased (000 F3-STO-03).
    removed_on: Mapped[dt.date | None] = mapped_column(Date)
    # The 交付申請 (000 §3.3 1-⑥/⑦; items 68-72): what the applicant wrote, nothing else.
    applied_on: Mapped[dt.date | None] = mapped_column(Date)  # 71 申請年月日
    application_received_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True)
    )  # 68 処理年月日
    photo_sha256: Mapped[str | None] = mapped_column(String(64))  # 69 顔写真 (its digest)
    braille: Mapped[bool | None] = mapped_column(Boolean)  # 72 点字有無
    # 73–74 点字カナ氏名 (its length is the text's), sealed: the name's reading
    braille_kana: Mapped[str | None] = mapped_column(
        "braille_kana_cipher", SealedText("card_braille_kana"), key="braille_kana"
    )
    linkage_number: Mapped[str | None] = mapped_column(String(20))  # 66 申請書情報連携管理番号
    receipt_contractor: Mapped[str | None] = mapped_column(String(64))  # 67 申請書受付事業者
    # The issuance result (000 §3.3 1-⑨), as provided to the mayor (1-⑪).
    card_issue_number: Mapped[str | None] = mapped_column(
        String(16), unique=True, index=True
    )  # カード発行番号
    expires_on: Mapped[dt.date | None] = mapped_column(Date)  # カード有効期限
    issued_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The print batch that carried the entry to the print contractor (000 §3.3 1-②).
    print_batch_id: Mapped[int | None] = mapped_column(Integer, index=True)
    # A form invalidated after it went to the print contractor must not be mailed: the
    # contractor is told (印刷停止) and acknowledges it (printing.stops).
    print_stop_acknowledged_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # 交付申請書の再発行 (000 P3.4, F3-ACQ-06): the 申請書ID this form replaces, when the
    # municipality reissued it after the 4情報 changed. Each invalid form is replaced once.
    reissue_of: Mapped[str | None] = mapped_column(String(23), unique=True, index=True)
    # 更新 (`renewal.py`): the day J-LIS told the mayor this card expires soon, and, on a
    # renewal form's entry, the 申請書ID of the card it renews (a form invalidated by a
    # change and reissued names the same card)
    renewal_notified_on: Mapped[dt.date | None] = mapped_column(Date)
    renewal_of: Mapped[str | None] = mapped_column(String(23), index=True)
    # The card ledger (000 §4.3 items 96–102), kept by `lifecycle.move`: 96 カード運用状況 is
    # `status`, 97 カード有効期限 `expires_on`.
    suspended_on: Mapped[dt.date | None] = mapped_column(Date)  # 98 一時停止日
    suspension_reason: Mapped[str | None] = mapped_column(String(200))  # 99 一時停止理由
    abolished_on: Mapped[dt.date | None] = mapped_column(Date)  # 100 カード廃止日
    abolition_reason: Mapped[str | None] = mapped_column(String(200))  # 101 カード廃止理由
    collected_on: Mapped[dt.date | None] = mapped_column(Date)  # 102 カード回収日
    # The 4情報 as one keyed digest (`identity.py`): how the call centre finds a caller's card.
    four_items_index: Mapped[str | None] = mapped_column(String(64), index=True)
    # The issuance commission (000 §3.3 1-⑧, C20; items 90–95, `commission.py`). Item 95,
    # what went on the chip, is not kept: it is the record's own items signed.
    commission_number: Mapped[str | None] = mapped_column(String(16), unique=True)  # 90
    contractor_code: Mapped[str | None] = mapped_column(String(40))  # 91 事業者コード
    commission_command: Mapped[str | None] = mapped_column(String(8))  # 93 コマンド
    commissioned_expiry: Mapped[dt.date | None] = mapped_column(Date)  # 94 有効期限
    commissioned_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The contractor's result (C21; items 75–79 and the chip's 112–115, `issuance.py`)
    request_id: Mapped[str | None] = mapped_column(String(40))  # 75 依頼管理番号
    made_operator: Mapped[str | None] = mapped_column(String(40))  # 76 操作者ID
    made_terminal: Mapped[str | None] = mapped_column(String(40))  # 77 操作端末ID
    result_code: Mapped[str | None] = mapped_column(String(2))  # 79 処理結果コード
    juki_ap_id: Mapped[str | None] = mapped_column(String(32))  # 112 住基AP識別情報
    crypto_id: Mapped[str | None] = mapped_column(String(32))  # 113 暗号識別情報
    manufacturer_id: Mapped[str | None] = mapped_column(String(32))  # 114 カード製造者識別情報
    card_image_number: Mapped[str | None] = mapped_column(String(32))  # 115 カードイメージ番号
    # 80 提供元市町村コード: the municipality whose CS sent the 送付先情報
    source_lg_code: Mapped[str | None] = mapped_column(String(6))
    change_reason: Mapped[str | None] = mapped_column(String(20))  # 81 異動事由 (the last)
    change_date: Mapped[dt.date | None] = mapped_column(Date)  # 82 異動年月日
    moved_in_on: Mapped[dt.date | None] = mapped_column(Date)  # 108 転入処理日 (継続利用)
    previous_lg_code: Mapped[str | None] = mapped_column(String(6))  # 111 前住地市町村コード


class CardApplicationImage(Base):
    """File 3 items 69 顔写真 and 70 申請書イメージ of one application (`images.py`): each
    base64 text sealed under the node's field key; erased with the entry."""

    __tablename__ = "card_application_images"

    entry_id: Mapped[int] = mapped_column(
        ForeignKey("card_file.id", ondelete="CASCADE"), primary_key=True
    )
    face_photo: Mapped[str | None] = mapped_column(
        "face_photo_cipher", SealedText("card_face_photo"), key="face_photo"
    )
    form_image: Mapped[str | None] = mapped_column(
        "form_image_cipher", SealedText("card_form_image"), key="form_image"
    )
    stored_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CardSigner(Base):
    """J-LIS's key for the 券面事項入力補助 application (`signer.py`): it signs each card's
    個人番号 and 4情報 so that software reading them from the chip can trust them. Its key
    is sealed under the node's field key; its certificate is public."""

    __tablename__ = "card_signers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    private_key_pem: Mapped[str] = mapped_column(
        "private_key_cipher", SealedText("card_signer_key"), key="private_key_pem"
    )
    certificate_pem: Mapped[str] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class CardEvent(Base):
    """One change of a card entry's state: from, to, when, why and who (`lifecycle.move`).
    Never updated or deleted; the entry's history as File 3 must show it."""

    __tablename__ = "card_events"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    # Erased with its entry when File 3's retention erases the entry (F3-STO-03).
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("card_file.id", ondelete="CASCADE"), index=True
    )
    from_state: Mapped[str] = mapped_column(String(24))
    to_state: Mapped[str] = mapped_column(String(24))
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    reason: Mapped[str] = mapped_column(String(200), default="")
    actor: Mapped[str] = mapped_column(String(64))


class ExchangeLog(Base):
    """What was received from each CS and from the application-receipt contractor, and
    the answer, refusals included (000 F3-ACQ-03: 更新の記録; OUT-05: the exchanges with
    the contractor, kept 7 years). Keys only: 送付先管理番号, 申請書ID or update id."""

    __tablename__ = "exchange_log"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    # destination_info | card_change | reissue | application | issuance_result
    kind: Mapped[str] = mapped_column(String(24))
    counterpart: Mapped[str] = mapped_column(String(64))  # the CS, national, or API client
    operator: Mapped[str] = mapped_column(String(64))
    terminal: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(40), index=True)  # 申請書ID lookups (console)
    result: Mapped[str] = mapped_column(String(40))  # registered | refused:<code> | …


class MediaProvision(Base):
    """個人番号カード管理情報 for one municipality on electronic media (000 F3-PRV-03/04):
    asked for by one J-LIS operator, approved by a second (who then witnesses the write),
    sealed to the municipality's key so that only it can open the file."""

    __tablename__ = "media_provisions"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    lg_code: Mapped[str] = mapped_column(String(6))
    issued_from: Mapped[dt.date] = mapped_column(Date)
    issued_until: Mapped[dt.date] = mapped_column(Date)
    reason: Mapped[str] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(16))  # requested | sealed | written | handed_over
    requested_by: Mapped[str] = mapped_column(String(40))
    requested_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    approved_by: Mapped[str | None] = mapped_column(String(40))
    approved_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    sealed: Mapped[bytes | None] = mapped_column(LargeBinary)  # HPKE to the municipality
    sealed_sha256: Mapped[str | None] = mapped_column(String(64))
    records_out: Mapped[int | None] = mapped_column(Integer)


class MediaHandover(Base):
    """媒体の受渡し (000 F3-PRV-04): who handed the medium over, who received it for the
    municipality, and the witnesses (two or more, none of them either party)."""

    __tablename__ = "media_handovers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    ledger_id: Mapped[int] = mapped_column(Integer, index=True)
    at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    handed_by: Mapped[str] = mapped_column(String(40))
    received_by: Mapped[str] = mapped_column(String(80))
    witnesses: Mapped[str] = mapped_column(Text)  # JSON list of names


class ContractorStaff(Base):
    """委託先従事者名簿: one named operator of a contractor's system (its API client) allowed
    one duty (000 OUT-02: rights per terminal operator; OUT-03: the staff who handle
    specific personal information are limited). Added and removed by a J-LIS operator; a
    removed row stays, with who removed it and when."""

    __tablename__ = "contractor_staff"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    client_id: Mapped[str] = mapped_column(String(60), index=True)
    operator: Mapped[str] = mapped_column(String(40))  # the JWT's `op` (操作者)
    person_name: Mapped[str] = mapped_column(String(100))  # the named person
    duty: Mapped[str] = mapped_column(String(40))  # card_print | card_applications | …
    added_by: Mapped[str] = mapped_column(String(40))
    added_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    removed_by: Mapped[str | None] = mapped_column(String(40))
    removed_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))


class PrintBatch(Base):
    """One file of print information for the print contractor (000 §3.3 1-②/③, C16): what
    was sent to whom, when and by whom, the sealed file's digest, and its life at the
    contractor — fetched, receipt confirmed (J-LIS then erases its sealed copy), erased by
    the contractor after printing (OUT-06). The sealed bytes are in `print_files`."""

    __tablename__ = "print_batches"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    contractor: Mapped[str] = mapped_column(String(60), index=True)  # its API client_id
    record_count: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))  # of the sealed file
    size: Mapped[int] = mapped_column(Integer)
    created_by: Mapped[str] = mapped_column(String(40))
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    fetched_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    received_by: Mapped[str | None] = mapped_column(String(40))
    received_at: Mapped[dt.datetime | None] = mapped_column(DateTime(timezone=True))
    # The contractor's report of its own erasure (OUT-06): when it says it erased, who
    # reported it and when.
    contractor_erased_on: Mapped[dt.date | None] = mapped_column(Date)
    contractor_erased_by: Mapped[str | None] = mapped_column(String(40))
    contractor_erasure_reported_at: Mapped[dt.datetime | None] = mapped_column(
        DateTime(timezone=True)
    )


class PrintFile(Base):
    """The sealed print file J-LIS holds until the contractor confirms its receipt (its id
    is the batch's). Erased on receipt, at contract end, or by the purge job when left
    unreceived past its period (OUT-06); each erasure is in the erasure history."""

    __tablename__ = "print_files"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    sealed: Mapped[bytes] = mapped_column(LargeBinary)  # HPKE to the contractor's X25519 key
    created_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))


class PendingCardChange(Base):
    """A change relayed by the national server for a person File 3 does not hold yet (000
    P3.4): their 送付先情報 comes on another channel (register → CS → card) and can arrive
    after it. Kept sealed (it carries the 4情報 and the 個人番号) and applied, in order, when
    the person's 送付先情報 is registered (`pending.py`); erased after 30 days if they never
    arrive (`duties/retention/rules.toml`)."""

    __tablename__ = "card_pending_changes"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    update_id: Mapped[str] = mapped_column(String(36), unique=True)
    resident_code: Mapped[str] = mapped_column(String(11), index=True)
    record_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # the CardChange, sealed
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)


class WaitingContinuation(Base):
    """A 継続利用 (001a §3.3 3-⑥) reported before the national server's relay of the
    holder's 転入 reached File 3 — the report comes register → CS → card, the relay
    national → card, on two channels. Kept sealed (the report names the 住民票コード) and
    taken up when the relay arrives (`counter.retry_continuations`); it used to be refused
    without an answer, so the new municipality waited for good. Erased after 90 days, the
    card's own limit for 継続利用 (`duties/retention/rules.toml`)."""

    __tablename__ = "card_waiting_continuations"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    report_id: Mapped[str] = mapped_column(String(36), unique=True)
    card_issue_number: Mapped[str] = mapped_column(String(16), index=True)
    sender: Mapped[str] = mapped_column(String(64))
    report_cipher: Mapped[bytes] = mapped_column(LargeBinary)  # the CardReport, sealed
    received_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True), index=True)
