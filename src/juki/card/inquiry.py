"""申請状況照会 (000 F3-ACQ-03: only specific authorised persons query File 3, and each query
is recorded): where one application stands, found by its 申請書ID only — its processing
state, its dates and its history in the exchange record (the 送付先情報 received from the
CS, the print file it went in, a print stop's acknowledgement, the form handed over, the
card's issuance result). Read-only.

Nothing of the sealed 送付先情報 is opened: no name, no address and no 個人番号 reaches the
screen (the card system never stores the number written on the form, F3-ACQ-05; the one
in the 送付先情報 stays sealed). The caller (the console) writes the audit entry, with the
申請書ID as its key (LOG-01)."""

from __future__ import annotations

import re
import unicodedata

from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.card.models import CardFileEntry, ExchangeLog
from juki.card.schemas import ApplicationStatusRead, ExchangeLine
from juki.core.errors import InvalidInput, NotFound

APPLICATION_ID = re.compile(r"\d{23}")  # 000 §6.5: 23 digits, printed on the form
SEPARATORS = str.maketrans("", "", " -\u3000")  # as a reader may copy it off the form

STATUS_NAMES = {
    "registered": "申請書送付済み（交付申請待ち）",
    "application_received": "交付申請受付済み（カード作成中）",
    "issued": "カード発行済み",
    "invalidated": "無効（4情報等の変更・消除）",
}
KIND_NAMES = {
    "destination_info": "送付先情報の受付（市町村CS）",
    "print_info": "印刷ファイルへの収録（印刷事業者あて）",
    "print_stop": "印刷停止の確認（印刷事業者）",
    "application": "交付申請書の受付（申請書受付事業者）",
    "commission": "カード発行の委託（カード発行事業者へ）",
    "issuance_result": "発行結果の受付（カード発行事業者）",
}

RESULT_NAMES = {
    "registered": "登録",
    "application_received": "受付",
    "issued": "発行",
    "sent": "送付",
    "acknowledged": "確認済み",
}
RESULT_PREFIXES = {"sent": "送付（印刷ファイル第{}号）", "refused": "拒否（{}）",
                   "not_issued": "未発行（処理結果コード {}）"}  # fmt: skip


def result_name(result: str) -> str:
    """An exchange's result as the screen shows it (`sent:12` → 送付（印刷ファイル第12号）)."""
    kind, _, detail = result.partition(":")
    if detail and kind in RESULT_PREFIXES:
        return RESULT_PREFIXES[kind].format(detail)
    return RESULT_NAMES.get(result, result)


def application_id_of(typed: str) -> str:
    """The 申請書ID as typed (full-width digits, spaces and hyphens allowed), checked. The
    message never repeats what was typed: it may be anything, a 個人番号 too."""
    application_id = unicodedata.normalize("NFKC", typed).translate(SEPARATORS)
    if not application_id:
        raise InvalidInput("申請書IDを入力してください", field="application_id")
    if not APPLICATION_ID.fullmatch(application_id):
        raise InvalidInput("申請書IDは23桁の数字で入力してください", field="application_id")
    return application_id


def application_status(session: Session, application_id: str) -> ApplicationStatusRead:
    """One application's state and history; NotFound (field `application_id`) if no form
    with that 申請書ID was ever issued (or its person was erased)."""
    entry = session.scalar(
        select(CardFileEntry).where(CardFileEntry.application_id == application_id)
    )
    if entry is None:
        raise NotFound("この申請書IDの申請書はありません", field="application_id")
    # Keyed by 申請書ID (the forms and results) or by 送付先管理番号 (the 送付先情報, the print
    # file, a print stop): both are this entry's own keys.
    rows = session.scalars(
        select(ExchangeLog)
        .where(ExchangeLog.key.in_((entry.application_id, entry.destination_id)))
        .order_by(ExchangeLog.at, ExchangeLog.id)
    )
    history = [
        ExchangeLine(at=row.at, kind=row.kind, counterpart=row.counterpart,
                     operator=row.operator, result=row.result)
        for row in rows
    ]  # fmt: skip
    derived = ("history", "reissued_as")
    held = {n: getattr(entry, n) for n in ApplicationStatusRead.model_fields if n not in derived}
    reissued_as = session.scalar(  # F3-ACQ-06: the link, both ways
        select(CardFileEntry.application_id).where(CardFileEntry.reissue_of == entry.application_id)
    )
    return ApplicationStatusRead.model_validate(
        held | {"history": history, "reissued_as": reissued_as}
    )
