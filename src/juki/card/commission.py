"""カード発行の委託 (000 §2.4 "Commission card issuance", §3.3 1-⑧, C20; File 3 items
90–95): each application received is commissioned at once from the issuance contractor's
カード発行システム, with what goes on the chip — the 住民票コード for the 住基 application,
and the card face (the 個人番号 and the 4情報 as printed, in substitute characters where the
record has them) for the 券面事項入力補助 application, signed by J-LIS (`signer.py`).

The commission carries the 個人番号: it goes on J-LIS's dedicated line to the contractor
only (000 §2.4: specific personal information may flow to the issuance system), and File 3
keeps of it only the items 90–94 and when it was sent, beside the record it came from.
A card the contractor could not make, or whose result J-LIS refused for the contractor's
own fault (a wrong expiry, a number already used), is commissioned again under a new
number (`issuance.on_made`); the old order is void at the contractor.
"""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Final

from sqlalchemy import select

from juki.card import signer
from juki.card.lifecycle import card_expiry
from juki.card.models import CardApplicationImage, CardFileEntry, ExchangeLog
from juki.card.service import held_info
from juki.core.card_chip import TextItems, sign_resident_code, sign_text
from juki.core.clock import JST
from juki.core.issuance_messages import CardCommission, ChipContents
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork

CONTRACTOR = "issuance"  # the issuance contractor's node (000 §2.4 (ii))
COMMAND_ISSUE: Final = "issue"  # 93 コマンド: 発行


def _new_number(uow: UnitOfWork, today: dt.date) -> str:
    """発行委託番号 (item 90): the day and eight random digits, never one used before."""
    while True:
        number = f"{today:%Y%m%d}{secrets.randbelow(10**8):08d}"
        used = select(CardFileEntry.id).where(CardFileEntry.commission_number == number)
        if uow.session.scalar(used) is None:
            return number


def chip_contents(uow: UnitOfWork, entry: CardFileEntry) -> ChipContents:
    """Item 95 as File 3 holds the person now: the 住民票コード and the card face (in
    substitute characters where the record has them), each signed by J-LIS."""
    info = held_info(uow, entry)
    substituted = info.substitute_result == "1"
    text = TextItems(
        individual_number=info.individual_number,
        name=info.substitute_name if substituted and info.substitute_name else info.name_kanji,
        address=(
            info.substitute_address if substituted and info.substitute_address else info.address
        ),
        birth_date=info.birth_date, sex=info.sex,
    )  # fmt: skip
    key, certificate = signer.signer(uow.session)
    return ChipContents(
        resident_code=entry.resident_code,
        resident_code_signature=sign_resident_code(key, entry.resident_code).hex(),
        text=text, text_signature=sign_text(key, text).hex(), signer_certificate=certificate,
    )  # fmt: skip


def _photo(uow: UnitOfWork, entry: CardFileEntry) -> str | None:
    """The face photo to print (File 3 item 69, kept sealed beside the entry)."""
    images = uow.session.get(CardApplicationImage, entry.id)
    return images.face_photo if images is not None else None


def commission(uow: UnitOfWork, entry: CardFileEntry) -> CardCommission:
    """Commission the card of `entry` (an application just received) and record it."""
    info = held_info(uow, entry)
    now = dt.datetime.now(dt.UTC)
    today = now.astimezone(JST).date()
    sent = CardCommission(
        commission_number=_new_number(uow, today),
        contractor_code=CONTRACTOR, command=COMMAND_ISSUE,
        expires_on=card_expiry(info.birth_date, today), application_id=entry.application_id,
        lg_code=entry.lg_code, braille=bool(entry.braille), chip=chip_contents(uow, entry),
        face_photo=_photo(uow, entry), photo_sha256=entry.photo_sha256,
    )  # fmt: skip
    entry.commission_number, entry.contractor_code = sent.commission_number, CONTRACTOR
    entry.commission_command, entry.commissioned_expiry = COMMAND_ISSUE, sent.expires_on
    entry.commissioned_at = now
    uow.session.add(
        ExchangeLog(
            at=now, kind="commission", counterpart=CONTRACTOR, operator=f"({uow.node.node_id})",
            terminal=uow.node.node_id, key=entry.application_id,
            result="sent",
        )
    )  # fmt: skip
    uow.send(CONTRACTOR, MessageType.CARD_COMMISSION, sent.model_dump(mode="json"))
    return sent


def commission_outstanding(uow: UnitOfWork) -> int:
    """Every application received and never commissioned (entries registered before the
    contractor was a node, or left behind): commissioned now. Returns how many."""
    entries = uow.session.scalars(
        select(CardFileEntry)
        .where(
            CardFileEntry.status == "application_received",
            CardFileEntry.commission_number.is_(None),
        )
        .order_by(CardFileEntry.id)
        .with_for_update()
    ).all()
    for entry in entries:
        commission(uow, entry)
    return len(entries)
