"""The cards the issuance contractor ships to this municipality (000 C22) and their chips'
contents given to the holder at 交付.

A shipment is kept only if it is for this municipality; it waits, sealed, for the card
system's 個人番号カード管理情報 (1-⑪, another channel: either may come first). 交付前設定
needs the card to have arrived (`service.report`). After the 交付 (the card active), the
counter gives the chip's contents to the holder's card once (`give`), and they are erased
here at once, the erasure in the erasure history: the card, and what is on it, has left.
"""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import select

from juki.core.card_chip import ChipImage
from juki.core.clock import japan_today
from juki.core.errors import Conflict, NotFound
from juki.core.issuance_messages import CardShipment, ChipRewrite, ChipRewriteRequest
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.duties.operators.accounts import Actor
from juki.duties.retention.engine import Purge, record_erasure
from juki.registry.cards import service
from juki.registry.cards.models import CardShipmentRow, MyNumberCard
from juki.registry.residents.models import Resident

log = logging.getLogger(__name__)
ERASED_ON_HANDOVER = "カードのチップの内容（交付による消去）"


def receive(uow: UnitOfWork, shipment: CardShipment) -> None:
    """Keep a card shipped here; anything else is logged by key and dropped."""
    own = code_of(uow.node.node_id)
    number = shipment.chip.card_issue_number
    if shipment.lg_code != own:
        log.warning("card %s shipped for %s arrived at %s: dropped", number, shipment.lg_code, own)
        return
    if uow.session.get(CardShipmentRow, number) is not None:
        log.warning("card %s shipped twice: the second dropped", number)
        return
    uow.session.add(
        CardShipmentRow(
            card_issue_number=number, application_id=shipment.application_id,
            commission_number=shipment.commission_number, chip=shipment.chip.model_dump_json(),
            shipped_on=shipment.shipped_on, received_at=dt.datetime.now(dt.UTC),
        )
    )  # fmt: skip


def arrived(uow: UnitOfWork, card_issue_number: str) -> bool:
    return uow.session.get(CardShipmentRow, card_issue_number) is not None


def give(uow: UnitOfWork, card_issue_number: str, actor: Actor) -> ChipImage:
    """The chip's contents for the holder's card, once, after the 交付 took effect."""
    card = service.card_of(uow, card_issue_number)
    if card.status != "active":
        raise Conflict(
            "交付の済んだカードではありません", field="card_issue_number", code="not_handed_over"
        )
    row = uow.session.scalar(
        select(CardShipmentRow)
        .where(CardShipmentRow.card_issue_number == card_issue_number)
        .with_for_update()
    )
    if row is None:
        raise NotFound("このカードは届いていません", field="card_issue_number")
    if row.chip is None and row.given_at is None:  # held before chips were recorded
        raise NotFound(
            "このカードのチップの内容は記録されていません（以前の版で登録されたカード）",
            field="card_issue_number",
        )
    if row.chip is None:
        raise Conflict(
            "このカードのチップの内容は引渡し済みです", field="card_issue_number",
            code="already_given",
        )  # fmt: skip
    chip = ChipImage.model_validate_json(row.chip)
    holder = uow.session.get(Resident, card.resident_id)
    if row.application_id != card.application_id or (
        holder is None or chip.resident_code != holder.resident_code
    ):  # a box mixed up, or a chip for someone else: never onto this holder's card
        raise Conflict(
            "届いたカードの内容がこのカードの記録と一致しません。機構に照会してください",
            field="card_issue_number", code="chip_mismatch",
        )  # fmt: skip
    now = dt.datetime.now(dt.UTC)
    row.chip, row.given_at, row.given_by = None, now, actor.login
    purge = Purge(ERASED_ON_HANDOVER, "card_shipments", now.isoformat(), 1, [card_issue_number])
    record_erasure(uow.session, purge, now)
    return chip


# --- the chip written again (a PIN of the 券面事項入力補助 or 住基 application reset, or
# the card face changed): asked of J-LIS, kept sealed, given once as at the 交付 -----------


def request_rewrite(
    uow: UnitOfWork, card_issue_number: str, reason: str, actor: Actor
) -> ChipRewriteRequest:
    """Ask J-LIS, through the CS, for the chip's contents of a card in use here. The
    holder's identity was confirmed at the counter (the card's photo against the person:
    the route requires it)."""
    card = service.card_of(uow, card_issue_number)
    if card.status != "active":
        raise Conflict(
            "利用中のカードではありません", field="card_issue_number", code="card_not_active"
        )
    request = ChipRewriteRequest(
        request_id=str(uuid.uuid4()), lg_code=code_of(uow.node.node_id),
        card_issue_number=card_issue_number, reason=reason,  # type: ignore[arg-type]
        operator_id=actor.login, terminal_id=actor.terminal,
    )  # fmt: skip
    own_cs = f"cs:{code_of(uow.node.node_id)}"
    uow.send(own_cs, MessageType.CARD_CHIP_REQUEST, request.model_dump(mode="json"))
    return request


def receive_rewrite(uow: UnitOfWork, answer: ChipRewrite) -> None:
    """J-LIS's answer: the contents wait, sealed, to be given once (`give`), only for a
    card in use here whose holder the chip names; anything else is logged and dropped."""
    number = answer.card_issue_number
    card = uow.session.scalar(select(MyNumberCard).where(MyNumberCard.card_issue_number == number))
    if answer.chip is None or card is None or card.status != "active":
        log.warning("chip rewrite %s not kept (%s)", answer.request_id, answer.result_code)
        return
    holder = uow.session.get(Resident, card.resident_id)
    chip = answer.chip
    if (
        chip.card_issue_number != number
        or holder is None
        or (chip.resident_code != holder.resident_code)
    ):
        log.warning("chip rewrite %s names another card or holder: dropped", answer.request_id)
        return
    row = uow.session.scalar(
        select(CardShipmentRow).where(CardShipmentRow.card_issue_number == number).with_for_update()
    )
    if row is None:  # a card held before shipments were recorded
        row = CardShipmentRow(
            card_issue_number=number, application_id=card.application_id, commission_number="",
            shipped_on=japan_today(), received_at=dt.datetime.now(dt.UTC),
        )  # fmt: skip
        uow.session.add(row)
    row.chip, row.given_at, row.given_by = chip.model_dump_json(), None, None


def waiting(uow: UnitOfWork, card_issue_numbers: list[str]) -> set[str]:
    """Which of these cards have a chip here still to give."""
    if not card_issue_numbers:
        return set()
    rows = uow.session.scalars(
        select(CardShipmentRow.card_issue_number).where(
            CardShipmentRow.card_issue_number.in_(card_issue_numbers),
            CardShipmentRow.given_at.is_(None),
            CardShipmentRow.chip.is_not(None),
        )
    ).all()
    return set(rows)
