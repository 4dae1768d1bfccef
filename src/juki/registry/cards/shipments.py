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
from juki.core.errors import Conflict, NotFound
from juki.core.issuance_messages import CardShipment, ChipRewrite, ChipRewriteRequest
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.duties.operators.accounts import Actor
from juki.duties.retention.engine import Purge, record_erasure
from juki.registry.cards import service
from juki.registry.cards.models import CardShipmentRow, ChipRewriteRecord, MyNumberCard
from juki.registry.residents import service as residents
from juki.registry.residents.models import Resident

log = logging.getLogger(__name__)
ERASED_ON_HANDOVER = "カードのチップの内容（交付による消去）"
ERASED_ON_REWRITE = "カードのチップの内容（再書込みの引渡しによる消去）"


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


def _holder_here(uow: UnitOfWork, card: MyNumberCard) -> Resident:
    """The card's holder, living here (not moved out, not dead): else refused."""
    holder = uow.session.get(Resident, card.resident_id)
    if holder is None or holder.status != "resident":
        raise Conflict(
            "この市区町村に住む方のカードではありません", field="card_issue_number",
            code="card_not_active",
        )  # fmt: skip
    return holder


def arrived(uow: UnitOfWork, card_issue_number: str) -> bool:
    return uow.session.get(CardShipmentRow, card_issue_number) is not None


def give(uow: UnitOfWork, card_issue_number: str, actor: Actor) -> ChipImage:
    """The chip's contents for the holder's card, once, after the 交付 took effect."""
    card = service.card_of(uow, card_issue_number)
    if card.status != "active":
        raise Conflict(
            "交付の済んだカードではありません", field="card_issue_number", code="not_handed_over"
        )
    _holder_here(uow, card)
    row = uow.session.scalar(
        select(CardShipmentRow)
        .where(CardShipmentRow.card_issue_number == card_issue_number)
        .with_for_update()
    )
    rewrite = _rewrite_to_give(uow, card_issue_number)
    if rewrite is not None and (row is None or row.chip is None):
        return _give_rewrite(uow, card, rewrite, actor)
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

STALE = "機構のファイルにこの住民の最新の異動がまだ届いていません。しばらくして再度依頼してください"


def request_rewrite(
    uow: UnitOfWork, card_issue_number: str, reason: str, actor: Actor
) -> ChipRewriteRecord:
    """Ask J-LIS, through the CS, for the chip's contents of a card in use here, for a
    holder living here. The holder's identity was confirmed at the counter (the card's
    photo against the person: the route requires it). One request waits at a time."""
    card = service.card_of(uow, card_issue_number)
    if card.status != "active":
        raise Conflict(
            "この市区町村で利用中のカードではありません", field="card_issue_number",
            code="card_not_active",
        )  # fmt: skip
    holder = _holder_here(uow, card)
    earlier = uow.session.scalars(
        select(ChipRewriteRecord)
        .where(
            ChipRewriteRecord.card_issue_number == card_issue_number,
            ChipRewriteRecord.status.in_(("sent", "received")),
        )
        .with_for_update()
    ).all()
    if any(r.status == "sent" for r in earlier):
        raise Conflict(
            "このカードの再書込みは機構の回答を待っています", field="card_issue_number",
            code="rewrite_waiting",
        )  # fmt: skip
    for old in earlier:  # received, never given: replaced by the new one
        old.status, old.chip = "superseded", None
    request = ChipRewriteRequest(
        request_id=str(uuid.uuid4()), lg_code=code_of(uow.node.node_id),
        card_issue_number=card_issue_number, reason=reason,  # type: ignore[arg-type]
        operator_id=actor.login, terminal_id=actor.terminal,
    )  # fmt: skip
    record = ChipRewriteRecord(
        request_id=request.request_id, card_issue_number=card_issue_number,
        resident_id=holder.id, reason=reason, requested_by=actor.login,
        terminal_id=actor.terminal, requested_at=dt.datetime.now(dt.UTC), status="sent",
    )  # fmt: skip
    uow.session.add(record)
    own_cs = f"cs:{code_of(uow.node.node_id)}"
    uow.send(own_cs, MessageType.CARD_CHIP_REQUEST, request.model_dump(mode="json"))
    return record


def receive_rewrite(uow: UnitOfWork, answer: ChipRewrite) -> None:
    """J-LIS's answer to a request of ours still waiting: kept sealed to be given once —
    only if the chip is this card's and holder's and carries the card face as this
    register has it now. J-LIS's file follows the register through the national server's
    relay, which can come after the answer (attack review): such a chip is `stale`, and
    the clerk asks again. Never raises (the CS's channel)."""
    record = uow.session.get(ChipRewriteRecord, answer.request_id, with_for_update=True)
    if (
        record is None
        or record.status != "sent"
        or record.card_issue_number != answer.card_issue_number
    ):
        log.warning("chip rewrite %s: not a request waiting here", answer.request_id)
        return
    record.answered_at = dt.datetime.now(dt.UTC)
    if answer.chip is None:
        record.status, record.refused_reason = "refused", (answer.refused_reason or "")[:100]
        return
    holder = uow.session.get(Resident, record.resident_id)
    chip = answer.chip
    if (
        holder is None
        or chip.card_issue_number != record.card_issue_number
        or (chip.resident_code != holder.resident_code)
    ):
        record.status, record.refused_reason = "refused", "カードまたは住民が一致しません"
        log.warning("chip rewrite %s names another card or holder", answer.request_id)
        return
    if not _face_as_registered(uow, holder, chip):
        record.status, record.refused_reason = "stale", STALE[:100]
        return
    record.status, record.chip = "received", chip.model_dump_json()


def _face_as_registered(uow: UnitOfWork, holder: Resident, chip: ChipImage) -> bool:
    """The chip's card face is the register's record now: the 個人番号, 生年月日 and 性別
    exactly, the name, and the 住所 (J-LIS's may carry the 方書 the 送付先情報 appended
    after a full-width space)."""
    text = chip.text
    address = holder.address
    return (
        text.individual_number == residents.number_of(uow, holder)
        and text.birth_date == holder.birth_date
        and text.sex == holder.sex
        and text.name == holder.name_kanji
        and (text.address == address or text.address.startswith(address + "\u3000"))
    )


def _rewrite_to_give(uow: UnitOfWork, card_issue_number: str) -> ChipRewriteRecord | None:
    return uow.session.scalars(
        select(ChipRewriteRecord)
        .where(
            ChipRewriteRecord.card_issue_number == card_issue_number,
            ChipRewriteRecord.status == "received",
        )
        .with_for_update()
    ).first()


def _give_rewrite(
    uow: UnitOfWork, card: MyNumberCard, record: ChipRewriteRecord, actor: Actor
) -> ChipImage:
    """A chip written again, once, to its holder living here; then erased here."""
    if card.resident_id != record.resident_id:
        raise Conflict(
            "この市区町村で利用中のカードではありません", field="card_issue_number",
            code="card_not_active",
        )  # fmt: skip
    assert record.chip is not None  # `received` always holds one
    chip = ChipImage.model_validate_json(record.chip)
    now = dt.datetime.now(dt.UTC)
    record.status, record.chip, record.given_at, record.given_by = "given", None, now, actor.login
    purge = Purge(ERASED_ON_REWRITE, "chip_rewrite_requests", now.isoformat(), 1,
                  [record.card_issue_number])  # fmt: skip
    record_erasure(uow.session, purge, now)
    return chip


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
    rewritten = uow.session.scalars(
        select(ChipRewriteRecord.card_issue_number).where(
            ChipRewriteRecord.card_issue_number.in_(card_issue_numbers),
            ChipRewriteRecord.status == "received",
        )
    ).all()
    return set(rows) | set(rewritten)


def rewrites_of(uow: UnitOfWork, card_issue_numbers: list[str]) -> list[ChipRewriteRecord]:
    """The chip rewrites asked for these cards, newest first (for the person's page)."""
    if not card_issue_numbers:
        return []
    return list(
        uow.session.scalars(
            select(ChipRewriteRecord)
            .where(ChipRewriteRecord.card_issue_number.in_(card_issue_numbers))
            .order_by(ChipRewriteRecord.requested_at.desc())
        )
    )
