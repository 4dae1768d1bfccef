"""カードの発行結果 and its provision to the mayor (000 §3.3 1-⑨..⑪, C21/C23).

The issuance contractor's カード発行システム (`issuance/`, a node on J-LIS's dedicated line)
reports each card it made against the commission (`commission.py`) and its 申請書ID. A
result is accepted only for an application received, commissioned with that number and not
yet issued; the entry becomes `issued`, keeps the result's items (75–79, 92, 112–115), and
the card management system provides 個人番号カード管理情報 (`CardInfo`, exactly the items
of 1-⑪) to the mayor of the destination municipality through its CS, so that the card can
be set up and handed over at the counter. A result whose 処理結果コード is not 正常 ("00")
is recorded and changes nothing: no card, nothing to provide. Every result is answered
(`CardMadeAnswer`): only a card J-LIS accepted is shipped (C22), so a card made for an
application invalidated in the meantime never reaches a counter.

Every result, refusals included, is in the exchange record with the contractor (OUT-05);
every provision, refusals included, is in the provision record (F3-PRV-01) — both by key
and 住民票コード only, never by 個人番号. The line is the contractor's system's, known by its
node certificate; the persons who ran it are in the result (76 操作者ID, 77 操作端末ID).
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select

from juki.card import commission, lifecycle
from juki.card.lifecycle import CardState, card_expiry
from juki.card.models import CardFileEntry, ExchangeLog
from juki.card.service import held_info
from juki.core.clock import JST
from juki.core.errors import Conflict, InvalidInput, JukiError, NotFound
from juki.core.issuance_messages import MADE, CardMade, CardMadeAnswer
from juki.core.messages import CardInfo, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.clients import Caller
from juki.duties.search import ProvisionLog

KIND = "issuance_result"
NORMAL = MADE  # 処理結果コード: 正常
# 000 §3.3 1-⑪: the basis is "to be written in a 総務省令" [the article is not named].
LEGAL_BASIS = "総務省令（個人番号カード関係; 000 §3.3 1-⑪「総務省令で規定」）"
PURPOSE = "個人番号カードの交付前設定・交付等の窓口事務（送付先住所地市町村長への提供）"
ITEMS = ";".join(CardInfo.model_fields)


def on_made(uow: UnitOfWork, sender: str, made: CardMade) -> None:
    """Record the result, provide a card made to the mayor, and answer the contractor. A
    refused result changes nothing (every check comes before any change) but its records."""
    entry = uow.session.scalar(
        select(CardFileEntry)
        .where(CardFileEntry.application_id == made.application_id)
        .with_for_update()
    )
    try:
        accepted = _receive(uow, sender, made, entry)
    except JukiError as refused:
        _record_refusal(uow, sender, made, entry, refused)
        answer = CardMadeAnswer(
            commission_number=made.commission_number, accepted=False, refused_code=refused.code
        )
    else:
        answer = CardMadeAnswer(
            commission_number=made.commission_number, accepted=accepted,
            refused_code=None if accepted else "not_made",
        )  # fmt: skip
    uow.send(sender, MessageType.CARD_MADE_ANSWER, answer.model_dump(mode="json"))
    if entry is not None and _to_make_again(entry, made, answer):
        commission.commission(uow, entry)


# A result refused for the contractor's own fault: the card is to be made again.
MAKE_AGAIN = frozenset({"not_made", "invalid_input", "card_number_used"})


def _to_make_again(entry: CardFileEntry, made: CardMade, answer: CardMadeAnswer) -> bool:
    """Only for the entry's current commission, still waiting for its card."""
    return (
        not answer.accepted
        and answer.refused_code in MAKE_AGAIN
        and entry.commission_number == made.commission_number
        and entry.status == "application_received"
    )


def _receive(uow: UnitOfWork, sender: str, made: CardMade, entry: CardFileEntry | None) -> bool:
    session = uow.session
    if entry is None or entry.commission_number != made.commission_number:
        raise NotFound("発行委託番号と申請書IDの組が見つかりません", field="commission_number")
    _check_state(entry)
    if made.result_code != NORMAL:  # not made: recorded, nothing changes
        session.add(_exchange(sender, made, f"not_issued:{made.result_code}"))
        return False
    if made.card_issue_number is None or made.expires_on is None:
        raise InvalidInput("カード発行番号と有効期限がありません", field="card_issue_number")
    today = dt.datetime.now(JST).date()
    if made.expires_on <= today:
        raise InvalidInput("カード有効期限が過去の日付です", field="expires_on")
    # The rules fix it from the holder's birthday and the day of issue; the commission
    # fixed that day (item 94), so a line run past midnight or a birthday does not
    # change it (attack review). A card printed otherwise is wrong.
    expected = entry.commissioned_expiry or card_expiry(held_info(uow, entry).birth_date, today)
    if made.expires_on != expected:
        raise InvalidInput(
            f"カード有効期限が発行日と生年月日から定まる日（{expected.isoformat()}）と違います",
            field="expires_on",
        )
    used = session.scalar(
        select(CardFileEntry.id).where(CardFileEntry.card_issue_number == made.card_issue_number)
    )
    if used is not None:
        raise Conflict(
            "このカード発行番号は発行済みです", field="card_issue_number", code="card_number_used"
        )
    actor = f"{made.operator_id}@{sender}"[:64]
    entry.issued_at = dt.datetime.now(dt.UTC)
    lifecycle.move(session, entry, CardState.ISSUED, at=entry.issued_at, actor=actor)
    entry.card_issue_number, entry.expires_on = made.card_issue_number, made.expires_on
    entry.request_id, entry.result_code = made.request_id, made.result_code
    entry.made_operator, entry.made_terminal = made.operator_id, made.terminal_id
    entry.juki_ap_id, entry.crypto_id = made.juki_ap_id, made.crypto_id
    entry.manufacturer_id, entry.card_image_number = made.manufacturer_id, made.card_image_number
    session.add(_exchange(sender, made, "issued"))
    info = CardInfo(
        info_id=str(uuid.uuid4()), kind="issued",
        individual_number=held_info(uow, entry).individual_number,
        resident_code=entry.resident_code, lg_code=entry.lg_code,
        application_id=entry.application_id, card_issue_number=made.card_issue_number,
        expires_on=made.expires_on, result_code=made.result_code,
    )  # fmt: skip
    recipient = recipient_of(entry)
    uow.send(recipient, MessageType.CARD_INFO, info.model_dump(mode="json"))
    session.add(ProvisionLog(**_provision(uow, sender, made, recipient, entry.resident_code)))
    return True


def _check_state(entry: CardFileEntry) -> None:
    if entry.status == "invalidated":
        raise Conflict(
            "この申請書は4情報等の変更により無効です。カードは提供できません",
            field="application_id", code="application_invalidated",
        )  # fmt: skip
    if entry.status == "registered":
        raise Conflict(
            "この申請書IDの交付申請は受け付けていません", field="application_id",
            code="not_applied",
        )  # fmt: skip
    if entry.status != "application_received":
        raise Conflict(
            "この申請書IDのカードは発行済みです", field="application_id", code="already_issued"
        )


def _exchange(sender: str, made: CardMade, result: str) -> ExchangeLog:
    """The result in the exchange record with the contractor (OUT-05), by key only."""
    return ExchangeLog(
        at=dt.datetime.now(dt.UTC), kind=KIND, counterpart=sender[:64],
        operator=made.operator_id[:64], terminal=made.terminal_id[:64],
        key=made.application_id, result=result[:40],
    )  # fmt: skip


def _provision(
    uow: UnitOfWork,
    sender: str,
    made: CardMade,
    recipient: str,
    resident_code: str,
    refused_reason: str | None = None,
) -> dict[str, Any]:
    """The provision record of a result: the contractor's line as the one who caused it."""
    line = Caller(sender, "カード発行システム", made.operator_id, made.terminal_id, None)
    return provision(uow, line, recipient, resident_code, refused_reason)


def _record_refusal(
    uow: UnitOfWork,
    sender: str,
    made: CardMade,
    entry: CardFileEntry | None,
    refused: JukiError,
) -> None:
    """The refused result in the exchange record; for a known entry, the refused provision."""
    uow.session.add(_exchange(sender, made, f"refused:{refused.code}"))
    if entry is not None:
        reason = f"{refused.code}: {refused.message}"
        row = _provision(uow, sender, made, recipient_of(entry), entry.resident_code, reason)
        uow.session.add(ProvisionLog(**row))


def recipient_of(entry: CardFileEntry) -> str:
    """The mayor of the destination municipality (送付先住所地市町村長, 1-⑩), through its CS."""
    return f"cs:{entry.lg_code}"


def provision(
    uow: UnitOfWork,
    caller: Caller,
    recipient: str,
    resident_code: str,
    refused_reason: str | None = None,
) -> dict[str, Any]:
    """One provision record (F3-PRV-01) for a provision a caller caused (the call centre's
    client, the contractor's line): see `provision_record`."""
    requester = f"{uow.node.node_id} ({caller.client_id})"
    return provision_record(
        requester, caller.operator, caller.terminal, recipient, resident_code, refused_reason
    )


def provision_record(
    requester: str,
    operator: str,
    terminal: str,
    recipient: str,
    resident_code: str,
    refused_reason: str | None = None,
) -> dict[str, Any]:
    """One provision record of 個人番号カード管理情報 (F3-PRV-01): when; the provider (this
    node and who caused it, with the operator and terminal); to whom, why, under which
    ordinance; which items; for whom (住民票コード only); and the refusal, if refused."""
    return {
        "at": dt.datetime.now(dt.UTC), "requester": requester[:64],
        "operator": operator[:40], "terminal": terminal[:40],
        "purpose": PURPOSE[:200], "key_kind": "message", "kind": "provision",
        "method": "online", "body_code": recipient[:40], "duty_code": MessageType.CARD_INFO,
        "legal_basis": LEGAL_BASIS[:100], "items": ITEMS,
        "result_count": 0 if refused_reason else 1, "targets": json.dumps([resident_code]),
        "refused_reason": refused_reason,
    }  # fmt: skip
