"""The card's electronic certificates at the counter (公的個人認証法 第3条, 第22条): the mayor
sends the holder's application to JPKI through the CS, with the public keys the card made
and the 4情報 as this register holds them today; JPKI's answer is kept for loading onto the
card. And when J-LIS's card system has answered `00` to a suspension, its lifting or an
abolition reported here, the mayor asks JPKI to hold, release or revoke the card's
certificates (a release only after the card system agreed, so certificates never come
back while the card is still suspended)."""

from __future__ import annotations

import datetime as dt
import logging
import uuid

from sqlalchemy import select

from juki.core.errors import Conflict, NotFound
from juki.core.jpki_messages import (
    ISSUED,
    CardStatusAction,
    JpkiCardStatus,
    JpkiIssued,
    JpkiIssueRequest,
)
from juki.core.messages import CardInfo, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.duties.operators.accounts import Actor
from juki.registry.cards.models import CardHandover, CertificateApplication, MyNumberCard
from juki.registry.residents.models import Resident

log = logging.getLogger(__name__)
NOTICE_FROM_JLIS = "(機構からの通知)"
# J-LIS's answers that the mayor passes on to JPKI.
JPKI_ACTION: dict[str, CardStatusAction] = {
    "suspended": "hold", "resumed": "release", "abolished": "revoke", "returned": "revoke",
    "expired": "revoke",  # the card past its expiry: its certificates end with it
}  # fmt: skip


def apply(
    uow: UnitOfWork,
    card_issue_number: str,
    sign_key: str | None,
    auth_key: str | None,
    id_document: str,
    actor: Actor,
) -> CertificateApplication:
    """The application, made with the applicant's identity confirmed (法 第3条第3項): for a
    card handed over, or one being handed over in the same transaction (its 交付 recorded
    with the identity check, J-LIS's answer still to come)."""
    card = _card(uow, card_issue_number)
    handed = uow.session.scalar(select(CardHandover.id).where(CardHandover.card_id == card.id))
    if not (card.status == "active" or (card.status == "ready" and handed is not None)):
        raise Conflict("交付済のカードではありません", field="card_issue_number")
    holder = uow.session.get(Resident, card.resident_id)
    if holder is None or holder.status != "resident":
        raise Conflict("住民ではない方のカードです", field="card_issue_number")
    request = JpkiIssueRequest(
        request_id=str(uuid.uuid4()), lg_code=code_of(uow.node.node_id),
        card_issue_number=card_issue_number, resident_code=holder.resident_code,
        name_kanji=holder.name_kanji, birth_date=holder.birth_date, sex=holder.sex,  # type: ignore[arg-type]
        address=holder.address, sign_public_key=sign_key, auth_public_key=auth_key,
        operator_id=actor.login, terminal_id=actor.terminal,
    )  # fmt: skip
    application = CertificateApplication(
        request_id=request.request_id, card_id=card.id, status="sent",
        requested_at=dt.datetime.now(dt.UTC), operator_id=actor.login, terminal_id=actor.terminal,
        id_document=id_document,
    )  # fmt: skip
    uow.session.add(application)
    uow.send(_cs(uow), MessageType.JPKI_ISSUE, request.model_dump(mode="json"))
    return application


def receive(uow: UnitOfWork, answer: JpkiIssued) -> None:
    application = uow.session.get(CertificateApplication, answer.request_id)
    if application is None or application.status != "sent":
        log.warning("jpki answer %s matches no application awaiting one", answer.request_id)
        return
    application.answered_at = dt.datetime.now(dt.UTC)
    if answer.result_code == ISSUED:
        application.status = "issued"
        application.sign_certificate = answer.sign_certificate
        application.auth_certificate = answer.auth_certificate
    else:
        application.status = "refused"
        application.refused_field, application.refused_reason = (
            answer.refused_field, answer.refused_reason,
        )  # fmt: skip


def latest_by_card(uow: UnitOfWork, resident_id: int) -> dict[int, CertificateApplication]:
    """Each of the person's cards' latest application (for the person's page)."""
    stmt = (
        select(CertificateApplication)
        .join(MyNumberCard, MyNumberCard.id == CertificateApplication.card_id)
        .where(MyNumberCard.resident_id == resident_id)
        .order_by(CertificateApplication.requested_at)
    )
    return {application.card_id: application for application in uow.session.scalars(stmt)}


def applications_of(uow: UnitOfWork, card_issue_number: str) -> list[CertificateApplication]:
    card = _card(uow, card_issue_number)
    stmt = select(CertificateApplication).where(CertificateApplication.card_id == card.id)
    return list(uow.session.scalars(stmt.order_by(CertificateApplication.requested_at)))


def after_card_answer(uow: UnitOfWork, card: MyNumberCard, info: CardInfo) -> None:
    """J-LIS's card system agreed (`00`; the caller passes no other answer) to a
    suspension, its lifting or an abolition: the certificates follow, asked for in the name
    of who reported it."""
    action = JPKI_ACTION.get(info.kind)
    if action is None:
        return
    # In the name of the clerk whose report this answers; a change J-LIS made itself (the
    # call centre's suspension, C26) is asked for as J-LIS's notice, not a clerk's.
    status = JpkiCardStatus(
        request_id=str(uuid.uuid4()), lg_code=code_of(uow.node.node_id),
        card_issue_number=card.card_issue_number, action=action,
        operator_id=card.reported_by or NOTICE_FROM_JLIS,
        terminal_id=card.reported_at_terminal or NOTICE_FROM_JLIS,
    )  # fmt: skip
    uow.send(_cs(uow), MessageType.JPKI_CARD_STATUS, status.model_dump(mode="json"))


def _card(uow: UnitOfWork, card_issue_number: str) -> MyNumberCard:
    card = uow.session.scalar(
        select(MyNumberCard).where(MyNumberCard.card_issue_number == card_issue_number)
    )
    if card is None:
        raise NotFound("このカード発行番号のカードはありません", field="card_issue_number")
    return card


def _cs(uow: UnitOfWork) -> str:
    return f"cs:{code_of(uow.node.node_id)}"
