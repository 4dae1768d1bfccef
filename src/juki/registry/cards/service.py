"""個人番号カード as J-LIS reports them to the mayor (000 §3.3 1-⑩/⑪, C23): each card
produced for a person of this municipality arrives as 個人番号カード管理情報 through the CS
and waits here to be handed over at the counter. The report is kept only if it names a
current resident by the 住民票コード and the 個人番号 this register holds for them; any
other report is dropped and logged by its id (never by number)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.messages import CARD_DONE, CardInfo, CardReport, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.duties.operators.accounts import Actor
from juki.registry.cards import certificates
from juki.registry.cards.models import CardShipmentRow, MyNumberCard
from juki.registry.residents.models import Resident

log = logging.getLogger(__name__)
AWAITING_HANDOVER = "awaiting_handover"


# The register's view of a card after each answer J-LIS gave to its report (8-①).
STATUS_AFTER = {
    "ready": "ready", "handed_over": "active", "suspended": "suspended",
    "resumed": "active", "abolished": "abolished", "collected": "collected",
    "returned": "collected",  # 返還: 廃止 and 回収 at once
    "expired": "expired",  # カード有効期限切れ (J-LIS's run)
    "moved_away": "moved_away",  # 継続利用 at the new municipality: no longer this one's
}  # fmt: skip


def receive(uow: UnitOfWork, info: CardInfo) -> MyNumberCard | None:
    if info.kind != "issued":
        return _answered(uow, info)
    if uow.session.scalar(select(MyNumberCard.id).where(MyNumberCard.info_id == info.info_id)):
        return None  # the same report again: already kept
    index = uow.node.keys.blind_index(info.individual_number, column=NUMBER_COLUMN)
    person = uow.session.scalar(
        select(Resident).where(
            Resident.resident_code == info.resident_code,
            Resident.status == "resident",
            Resident.individual_number_index == index,
        )
    )
    if person is None:
        log.warning("card report %s names no current resident with that number", info.info_id)
        return None
    card = MyNumberCard(
        info_id=info.info_id, resident_id=person.id, application_id=info.application_id,
        card_issue_number=info.card_issue_number, expires_on=info.expires_on,
        status=AWAITING_HANDOVER, received_at=dt.datetime.now(dt.UTC),
    )  # fmt: skip
    uow.session.add(card)
    return card


def cards_of(uow: UnitOfWork, resident_id: int) -> list[MyNumberCard]:
    return list(
        uow.session.scalars(
            select(MyNumberCard)
            .where(MyNumberCard.resident_id == resident_id)
            .order_by(MyNumberCard.received_at)
        )
    )


def _answered(uow: UnitOfWork, info: CardInfo) -> MyNumberCard | None:
    """J-LIS's answer to a counter report, or its own notice (a suspension the call centre
    took, C26): the card's status follows when it was done."""
    card = uow.session.scalar(
        select(MyNumberCard).where(MyNumberCard.card_issue_number == info.card_issue_number)
    )
    if card is None:
        log.warning("card answer %s names no card of this register", info.info_id)
        return None
    if info.result_code == CARD_DONE:
        card.status = STATUS_AFTER[info.kind]
        certificates.after_card_answer(uow, card, info)
    else:
        log.warning("card report refused by J-LIS (%s, %s)", info.kind, info.result_code)
    card.reported_by = card.reported_at_terminal = None  # answered: whoever asks next is new
    return card


def card_of(uow: UnitOfWork, card_issue_number: str) -> MyNumberCard:
    card = uow.session.scalar(
        select(MyNumberCard).where(MyNumberCard.card_issue_number == card_issue_number)
    )
    if card is None:
        raise NotFound("このカード発行番号のカードはありません", field="card_issue_number")
    return card


def report(
    uow: UnitOfWork,
    card_issue_number: str,
    kind: str,
    reason: str,
    actor: Actor,
    *,
    checked: bool = False,
) -> CardReport:
    """A counter operation on a card this municipality holds, reported to J-LIS through
    the CS (000 8-①); the card's status here follows J-LIS's answer. A 交付 only with the
    identity check recorded (`handover.hand_over` passes `checked`)."""
    if kind == "handed_over" and not checked:
        raise InvalidInput("交付は本人確認の記録とともに行います（…/handover）", field="kind")
    card = card_of(uow, card_issue_number)
    if kind == "ready" and uow.session.get(CardShipmentRow, card_issue_number) is None:
        # 交付前設定 is done on the card itself: it must have come from the contractor (C22)
        raise Conflict(
            "このカードはまだ届いていません（カード発行事業者からの送付待ち）",
            field="card_issue_number", code="card_not_arrived",
        )  # fmt: skip
    sent = CardReport(
        report_id=str(uuid.uuid4()), kind=kind, lg_code=code_of(uow.node.node_id),  # type: ignore[arg-type]
        card_issue_number=card_issue_number, done_on=japan_today(), reason=reason,
        operator_id=actor.login, terminal_id=actor.terminal,
    )  # fmt: skip
    card.reported_by, card.reported_at_terminal = actor.login, actor.terminal
    uow.send(
        f"cs:{code_of(uow.node.node_id)}", MessageType.CARD_REPORT, sent.model_dump(mode="json")
    )
    return sent
