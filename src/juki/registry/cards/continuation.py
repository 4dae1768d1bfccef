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

CONTINUE_WITHIN = dt.timedelta(days=90)
CARD_CHECKED = "個人番号カード"  # the identity document of a 継続利用: the card itself


def ask(uow: UnitOfWork, body: ContinuationCreate, actor: Actor) -> CardContinuation:
    here = code_of(uow.node.node_id)
    person = uow.session.get(Resident, body.resident_id)
    if person is None or person.status != "resident":
        raise NotFound("住民が見つかりません", field="resident_id")
    if not person.previous_lg_code or person.previous_lg_code == here:
        raise InvalidInput("他の市町村から転入した方ではありません", field="resident_id")
    if japan_today() - person.became_resident_on > CONTINUE_WITHIN:
        raise Conflict("転入から90日を過ぎたため継続利用できません", field="resident_id")
    held = select(MyNumberCard.id).where(MyNumberCard.card_issue_number == body.card_issue_number)
    if uow.session.scalar(held) is not None:
        raise Conflict("このカードは既にこの市町村で管理しています", field="card_issue_number")
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


def receive(uow: UnitOfWork, info: CardInfo) -> MyNumberCard | None:
    """J-LIS's answer to a 継続利用: the card held here from now on, its certificates
    asked of JPKI; or the refusal, for the clerk to see."""
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
    person = uow.session.get(Resident, asked.resident_id)
    asked.answered_at = dt.datetime.now(dt.UTC)
    if info.result_code != CARD_DONE or person is None:
        asked.status, asked.refused_reason = (
            "refused",
            "カード管理システムが継続利用を受け付けませんでした",
        )
        return None
    if person.resident_code != info.resident_code:
        asked.status, asked.refused_reason = "refused", "カードの住民票コードが一致しません"
        return None
    asked.status = "done"
    card = MyNumberCard(
        info_id=info.info_id, resident_id=person.id, application_id=info.application_id,
        card_issue_number=info.card_issue_number, expires_on=info.expires_on, status="active",
        received_at=asked.answered_at, reported_by=asked.operator_id,
        reported_at_terminal=asked.terminal_id,
    )  # fmt: skip
    uow.session.add(card)
    uow.session.flush()
    _take_over_certificates(uow, card, asked)
    return card


def _take_over_certificates(uow: UnitOfWork, card: MyNumberCard, asked: CardContinuation) -> None:
    here = code_of(uow.node.node_id)
    status = JpkiCardStatus(
        request_id=str(uuid.uuid4()), lg_code=here, card_issue_number=card.card_issue_number,
        action="transfer", reason="継続利用", operator_id=asked.operator_id,
        terminal_id=asked.terminal_id,
    )  # fmt: skip
    uow.session.add(
        CertificateApplication(
            request_id=status.request_id, card_id=card.id, status="sent",
            requested_at=dt.datetime.now(dt.UTC), operator_id=asked.operator_id,
            terminal_id=asked.terminal_id, id_document=CARD_CHECKED,
        )
    )  # fmt: skip
    uow.send(f"cs:{here}", MessageType.JPKI_CARD_STATUS, status.model_dump(mode="json"))


def continuations_of(uow: UnitOfWork, resident_id: int) -> list[CardContinuation]:
    return list(
        uow.session.scalars(
            select(CardContinuation)
            .where(CardContinuation.resident_id == resident_id)
            .order_by(CardContinuation.requested_at)
        )
    )
