"""継続利用 (001a §3.3 3-⑥): after a 転入 with the card (特例転入, 住基法 第24条の2) the new
municipality keeps the holder's card in use here. The clerk reports it to J-LIS's card
system through the CS, naming the card and the holder's 住民票コード; the card system
checks them against File 3 and that the national server's relay of the 転入 has come, moves
the card's 所管 here and answers with its 管理情報. Then this register holds the card (in
use, as it was), and asks JPKI, through the CS, to answer for its live certificates here
(`transfer`), whose answer is kept as for an application at this counter.

The card must be brought within 90 days of the 転入 [public rule: a card not continued in
use within 90 days of the 転入届 loses its effect (番号法施行令), outside the seeds]."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.jpki_messages import JpkiCardStatus
from juki.core.messages import CARD_DONE, CardInfo, CardReport, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.duties.operators.accounts import Actor
from juki.registry.cards.models import CardContinuation, CertificateApplication, MyNumberCard
from juki.registry.cards.schemas import ContinuationCreate
from juki.registry.residents.models import Resident

log = logging.getLogger(__name__)
CONTINUE_WITHIN = dt.timedelta(days=90)
CARD_CHECKED = "個人番号カード"  # the identity document of a 継続利用: the card itself


def ask(uow: UnitOfWork, body: ContinuationCreate, actor: Actor) -> CardContinuation:
    here = code_of(uow.node.node_id)
    person = uow.session.get(Resident, body.resident_id)
    if person is None or person.status != "resident":
        raise NotFound("住民が見つかりません", field="resident_id")
    if not person.previous_lg_code or person.previous_lg_code == here:
        raise InvalidInput("他の市町村から転入した方ではありません", field="resident_id")
    if japan_today() - person.notified_on > CONTINUE_WITHIN:  # from the 転入届
        raise Conflict("転入の届出から90日を過ぎたため継続利用できません", field="resident_id")
    if _held_here(uow, body.card_issue_number):
        raise Conflict("このカードは既にこの市町村で管理しています", field="card_issue_number")
    waiting = select(CardContinuation.report_id).where(
        CardContinuation.card_issue_number == body.card_issue_number,
        CardContinuation.status == "sent",
    )
    if uow.session.scalar(waiting) is not None:
        raise Conflict("このカードの継続利用は機構の回答を待っています", field="card_issue_number")
    report = CardReport(
        report_id=str(uuid.uuid4()), kind="continued_use", lg_code=here,
        card_issue_number=body.card_issue_number, done_on=japan_today(),
        operator_id=actor.login, terminal_id=actor.terminal, resident_code=person.resident_code,
    )  # fmt: skip
    record = CardContinuation(
        report_id=report.report_id, resident_id=person.id,
        card_issue_number=body.card_issue_number, status="sent",
        requested_at=dt.datetime.now(dt.UTC), operator_id=actor.login,
        terminal_id=actor.terminal,
    )  # fmt: skip
    uow.session.add(record)
    uow.send(f"cs:{here}", MessageType.CARD_REPORT, report.model_dump(mode="json"))
    return record


def _held_here(uow: UnitOfWork, card_issue_number: str) -> bool:
    """The card is this register's now (a row of a holder who left and came back is not)."""
    card = uow.session.scalar(
        select(MyNumberCard).where(MyNumberCard.card_issue_number == card_issue_number)
    )
    if card is None:
        return False
    holder = uow.session.get(Resident, card.resident_id)
    return holder is not None and holder.status == "resident"


def receive(uow: UnitOfWork, info: CardInfo) -> MyNumberCard | None:
    """J-LIS's answer to a 継続利用: the card held here from now on (J-LIS has moved it
    here: a `00` is never refused here, or the card would be nobody's), its certificates
    asked of JPKI; or the refusal, for the clerk to see. Never raises (the CS's channel)."""
    asked = uow.session.scalars(
        select(CardContinuation)
        .where(
            CardContinuation.card_issue_number == info.card_issue_number,
            CardContinuation.status == "sent",
        )
        .order_by(CardContinuation.requested_at.desc())
    ).first()
    if asked is None:
        return None
    asked.answered_at = dt.datetime.now(dt.UTC)
    if info.result_code != CARD_DONE:
        asked.status = "refused"
        asked.refused_reason = "カード管理システムが継続利用を受け付けませんでした"
        return None
    person = uow.session.scalar(
        select(Resident).where(
            Resident.resident_code == info.resident_code, Resident.status == "resident"
        )
    )
    if person is None:  # the person J-LIS names is not (or no longer) a resident here
        asked.status, asked.refused_reason = "refused", "住民が見つかりません"
        log.warning("continued use %s: no current resident with that code", asked.report_id)
        return None
    asked.status, asked.resident_id = "done", person.id
    card = uow.session.scalar(
        select(MyNumberCard).where(MyNumberCard.card_issue_number == info.card_issue_number)
    )
    if card is None:
        card = MyNumberCard(card_issue_number=info.card_issue_number)
        uow.session.add(card)
    # a row of this card from an earlier stay here is taken up again, not duplicated
    card.info_id, card.resident_id = info.info_id, person.id
    card.application_id, card.expires_on = info.application_id, info.expires_on
    card.status, card.received_at = "active", asked.answered_at
    card.reported_by, card.reported_at_terminal = asked.operator_id, asked.terminal_id
    uow.session.flush()
    _take_over_certificates(uow, card, asked.operator_id, asked.terminal_id)
    return card


def transfer_again(uow: UnitOfWork, card_issue_number: str, actor: Actor) -> str:
    """Ask JPKI again for the card's certificates (it refused: the 転入's relay had not
    reached it yet)."""
    card = uow.session.scalar(
        select(MyNumberCard).where(MyNumberCard.card_issue_number == card_issue_number)
    )
    if card is None or not _held_here(uow, card_issue_number):
        raise NotFound("この市町村で管理しているカードではありません", field="card_issue_number")
    return _take_over_certificates(uow, card, actor.login, actor.terminal)


def _take_over_certificates(
    uow: UnitOfWork, card: MyNumberCard, operator: str, terminal: str
) -> str:
    here = code_of(uow.node.node_id)
    status = JpkiCardStatus(
        request_id=str(uuid.uuid4()), lg_code=here, card_issue_number=card.card_issue_number,
        action="transfer", reason="継続利用", operator_id=operator, terminal_id=terminal,
    )  # fmt: skip
    uow.session.add(
        CertificateApplication(
            request_id=status.request_id, card_id=card.id, status="sent",
            requested_at=dt.datetime.now(dt.UTC), operator_id=operator,
            terminal_id=terminal, id_document=CARD_CHECKED,
        )
    )  # fmt: skip
    uow.send(f"cs:{here}", MessageType.JPKI_CARD_STATUS, status.model_dump(mode="json"))
    return status.request_id


def continuations_of(uow: UnitOfWork, resident_id: int) -> list[CardContinuation]:
    return list(
        uow.session.scalars(
            select(CardContinuation)
            .where(CardContinuation.resident_id == resident_id)
            .order_by(CardContinuation.requested_at)
        )
    )
