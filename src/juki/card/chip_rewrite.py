"""The chip's contents again, for the counter (番号法施行規則 and J-LIS's published rules
on 暗証番号の再設定 and 券面記載事項の変更 — not in the seeds; docs/card.md): the
券面事項入力補助 and 住基 applications keep their data sealed under their PINs on the
holder's card, so a locked or forgotten PIN is reset by writing the data again under a
new one, and a card face changed at the counter (a 転居, a new name) needs the
券面事項入力補助 data written again too. The municipality that has the card (所管) asks by
the card's number; J-LIS signs the contents as File 3 now holds them and answers that
municipality alone, through its CS. A card not in use, or another municipality's, is
refused; each answer carrying the contents is in the provision record (7 years)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy import select

from juki.card.commission import chip_contents
from juki.card.issuance import provision_record
from juki.card.lifecycle import CardState
from juki.card.models import CardFileEntry, ExchangeLog
from juki.core.card_chip import ChipImage
from juki.core.errors import JukiError
from juki.core.issuance_messages import ChipRewrite, ChipRewriteRequest
from juki.core.messages import CARD_DONE, CARD_REFUSED, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.duties.search import ProvisionLog

log = logging.getLogger(__name__)
KIND = "chip_rewrite"


def on_request(uow: UnitOfWork, sender: str, request: ChipRewriteRequest) -> None:
    entry = uow.session.scalar(
        select(CardFileEntry)
        .where(CardFileEntry.card_issue_number == request.card_issue_number)
        .with_for_update()
    )
    if entry is None or entry.lg_code != request.lg_code or code_of(sender) != entry.lg_code:
        # not this municipality's card: nothing is answered (an answer would carry the
        # holder's 個人番号 to a municipality that has no business with them)
        _exchange(uow, sender, request, "refused:not_in_jurisdiction")
        log.warning("chip rewrite %s: no such card in that municipality", request.request_id)
        return
    recipient = f"cs:{entry.lg_code}"
    made = (entry.juki_ap_id, entry.crypto_id, entry.manufacturer_id, entry.card_image_number)
    if entry.status != CardState.ACTIVE or not all(made):  # 112–115 unknown: made before
        _exchange(uow, sender, request, "refused:card_state")
        _answer(uow, recipient, request, None, "利用中のカードではありません")
        return
    try:  # nothing here may raise: a raise would hold up every later request of that CS
        chip = ChipImage(
            card_issue_number=request.card_issue_number, juki_ap_id=entry.juki_ap_id or "",
            crypto_id=entry.crypto_id or "", manufacturer_id=entry.manufacturer_id or "",
            card_image_number=entry.card_image_number or "",
            **chip_contents(uow, entry).model_dump(),
        )  # fmt: skip
    except (JukiError, ValueError):
        log.error("chip rewrite %s: card entry %s cannot be read", request.request_id, entry.id)
        _exchange(uow, sender, request, "refused:unreadable")
        _answer(uow, recipient, request, None, "機構のファイルの記録を読めません")
        return
    _exchange(uow, sender, request, request.reason)
    _answer(uow, recipient, request, chip, None)
    record = provision_record(
        f"{uow.node.node_id} ({recipient})", request.operator_id, request.terminal_id,
        recipient, entry.resident_code,
    )  # fmt: skip
    uow.session.add(ProvisionLog(**record | {"duty_code": MessageType.CARD_CHIP}))


def _answer(
    uow: UnitOfWork,
    recipient: str,
    request: ChipRewriteRequest,
    chip: ChipImage | None,
    refused: str | None,
) -> None:
    answer = ChipRewrite(
        request_id=request.request_id, lg_code=request.lg_code,
        card_issue_number=request.card_issue_number,
        result_code=CARD_REFUSED if chip is None else CARD_DONE, refused_reason=refused,
        chip=chip,
    )  # fmt: skip
    uow.send(recipient, MessageType.CARD_CHIP, answer.model_dump(mode="json"))


def _exchange(uow: UnitOfWork, sender: str, request: ChipRewriteRequest, result: str) -> None:
    """The exchange record (F3-ACQ-03): by the card's number, never the person's."""
    uow.session.add(
        ExchangeLog(
            at=dt.datetime.now(dt.UTC), kind=KIND, counterpart=sender[:64],
            operator=request.operator_id[:64], terminal=request.terminal_id[:64],
            key=request.card_issue_number, result=result[:40],
        )
    )  # fmt: skip
