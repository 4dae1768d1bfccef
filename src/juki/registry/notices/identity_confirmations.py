"""本人確認 with the card (001a §3.5, 別紙1(2) step 2): a person presents their My Number
card at the counter for a request that needs their identity confirmed; the clerk's
terminal sends the 住民票コード read from the card through the CS to the national server
(2-②/③), and shows what comes back (2-④): the 4情報 on record, current or removed, and
the municipality — to compare with the person and the form. The 個人番号 never travels.
The answer is kept sealed; every look at it is in the audit log (the route's)."""

from __future__ import annotations

import json
import uuid
from typing import Any

from juki.core import ids
from juki.core.errors import NotFound
from juki.core.messages import (
    CardStatusAnswer,
    CardStatusQuery,
    IdentityConfirm,
    IdentityConfirmed,
    MessageType,
)
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.accounts import Actor
from juki.registry.notices.models import IdentityConfirmation
from juki.registry.residents.pool import cs_of, lg_code, now

LABELS = {
    "waiting": "CSからの回答を待っています",
    "current": "全国サーバの本人確認情報です。本人と申請書の記載を照合してください",
    "removed": "この住民票コードの住民票は消除されています（除票）",
    "unknown_code": "この住民票コードは全国サーバの本人確認情報にありません",
}


def request(
    uow: UnitOfWork, resident_code: str, actor: Actor, card_issue_number: str | None = None
) -> str:
    """Ask the national server for the code's 本人確認情報 — and, when the reader gives the
    card's カード発行番号, J-LIS's card system whether the card is in use (a suspended or
    ended card is not an identity document: issue #15's must-hold)."""
    code = ids.validate_resident_code(resident_code.strip(), field="resident_code")
    check = IdentityConfirm(check_id=str(uuid.uuid4()), lg_code=lg_code(uow), resident_code=code)
    uow.session.add(
        IdentityConfirmation(
            check_id=check.check_id, resident_code=code, requested_by=actor.login,
            terminal_id=actor.terminal, requested_at=now(), status="waiting",
            card_issue_number=card_issue_number,
            card_status="waiting" if card_issue_number else None,
        )
    )  # fmt: skip
    uow.send(cs_of(uow), MessageType.IDENTITY_CONFIRM, check.model_dump(mode="json"))
    if card_issue_number is not None:
        query = CardStatusQuery(
            check_id=check.check_id, lg_code=check.lg_code,
            card_issue_number=card_issue_number, resident_code=code,
        )  # fmt: skip
        uow.send(cs_of(uow), MessageType.CARD_STATUS_QUERY, query.model_dump(mode="json"))
    return check.check_id


CARD_LABELS = {
    "waiting": "カードの利用状況を機構に照会しています",
    "in_use": "カードは利用中です",
    "suspended": "このカードは一時停止中です。本人確認書類として扱えません",
    "ended": "このカードは廃止・失効しています。本人確認書類として扱えません",
    "not_handed_over": "このカードはまだ交付されていません。本人確認書類として扱えません",
    "unknown": "このカードはこの住民票コードの方のカードとして確認できません",
}


def receive_card_status(uow: UnitOfWork, answer: CardStatusAnswer) -> None:
    record = uow.session.get(IdentityConfirmation, answer.check_id)
    if record is None or record.card_status != "waiting" or answer.lg_code != lg_code(uow):
        return  # not ours, or answered already
    if record.card_issue_number != answer.card_issue_number:
        return
    record.card_status = answer.status


def receive(uow: UnitOfWork, answer: IdentityConfirmed) -> None:
    record = uow.session.get(IdentityConfirmation, answer.check_id)
    if record is None or record.status != "waiting" or answer.lg_code != lg_code(uow):
        return  # not ours, or answered already
    record.status, record.answered_at = answer.result, now()
    if answer.result != "unknown_code":
        items = answer.model_dump(
            mode="json",
            include={"name_kanji", "name_kana", "birth_date", "sex", "address", "holder_lg_code"},
        )
        record.answer = json.dumps(items, ensure_ascii=False)


def status(uow: UnitOfWork, check_id: str) -> tuple[IdentityConfirmation, dict[str, Any]]:
    record = uow.session.get(IdentityConfirmation, check_id)
    if record is None:
        raise NotFound("本人確認の照会が見つかりません", field="check_id")
    return record, json.loads(record.answer) if record.answer else {}
