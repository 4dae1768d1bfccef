"""カードの発行結果 and its provision to the mayor (000 §3.3 1-⑨..⑪, C21/C23).

The card issuance system (the issuance contractor, a registered API client with the
`card_issuance` right) reports each card it made against the 申請書ID. A result is accepted
only for an application received and not yet issued; the entry becomes `issued` and the
card management system provides 個人番号カード管理情報 (`CardInfo`, exactly the items of
1-⑪) to the mayor of the destination municipality through its CS, so that the card can be
set up and handed over at the counter. A result whose 処理結果コード is not 正常 ("00") is
recorded and changes nothing: no card, nothing to provide.

Every result, refusals included, is in the exchange record with the contractor (OUT-05);
every provision, refusals included, is in the provision record (F3-PRV-01) — both by key
and 住民票コード only, never by 個人番号.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select

from juki.card import lifecycle, staff
from juki.card.applications import exchange, refusal_recorded
from juki.card.lifecycle import CardState, card_expiry
from juki.card.models import CardFileEntry
from juki.card.schemas import IssuanceResult
from juki.card.service import held_info
from juki.core.clock import JST
from juki.core.errors import Conflict, InvalidInput, JukiError, NotFound
from juki.core.messages import CardInfo, MessageType
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.clients import Caller
from juki.duties.search import ProvisionLog

KIND = "issuance_result"
NORMAL = "00"  # 処理結果コード: 正常
# 000 §3.3 1-⑪: the basis is "to be written in a 総務省令" [the article is not named].
LEGAL_BASIS = "総務省令（個人番号カード関係; 000 §3.3 1-⑪「総務省令で規定」）"
PURPOSE = "個人番号カードの交付前設定・交付等の窓口事務（送付先住所地市町村長への提供）"
ITEMS = ";".join(CardInfo.model_fields)


def receive_result(uow: UnitOfWork, caller: Caller, result: IssuanceResult) -> CardFileEntry:
    """Record the result and, for a card made, provide it to the mayor. A refused result
    leaves nothing but its record in the exchange and (for a known entry) provision logs."""
    with refusal_recorded(uow, caller, KIND, result.application_id):
        # Only the staff on the contractor's roster may report results (000 OUT-02/03).
        staff.require(uow.session, caller, "card_issuance")
    try:
        return _receive(uow, caller, result)
    except JukiError as refused:
        uow.session.rollback()  # nothing of it stays (and SQLite's write lock is freed)
        with uow.node.unit_of_work() as log_uow:
            _record_refusal(log_uow, caller, result.application_id, refused)
        raise


def _receive(uow: UnitOfWork, caller: Caller, result: IssuanceResult) -> CardFileEntry:
    session = uow.session
    entry = session.scalar(
        select(CardFileEntry).where(CardFileEntry.application_id == result.application_id)
    )
    if entry is None:
        raise NotFound("申請書IDが見つかりません", field="application_id")
    _check_state(entry)
    if result.result_code != NORMAL:  # not made: recorded, nothing changes
        session.add(
            exchange(caller, KIND, result.application_id, f"not_issued:{result.result_code}")
        )
        return entry
    today = dt.datetime.now(JST).date()
    if result.expires_on <= today:
        raise InvalidInput("カード有効期限が過去の日付です", field="expires_on")
    expected = card_expiry(held_info(uow, entry).birth_date, today)
    if result.expires_on != expected:  # the rules fix it; a card printed otherwise is wrong
        raise InvalidInput(
            f"カード有効期限が発行日と生年月日から定まる日（{expected.isoformat()}）と違います",
            field="expires_on",
        )
    used = session.scalar(
        select(CardFileEntry.id).where(CardFileEntry.card_issue_number == result.card_issue_number)
    )
    if used is not None:
        raise Conflict(
            "このカード発行番号は発行済みです", field="card_issue_number", code="card_number_used"
        )
    entry.issued_at = dt.datetime.now(dt.UTC)
    lifecycle.move(session, entry, CardState.ISSUED, at=entry.issued_at, actor=caller.audit_name)
    entry.card_issue_number, entry.expires_on = result.card_issue_number, result.expires_on
    session.add(exchange(caller, KIND, result.application_id, "issued"))
    info = CardInfo(
        info_id=str(uuid.uuid4()), kind="issued",
        individual_number=held_info(uow, entry).individual_number,
        resident_code=entry.resident_code, lg_code=entry.lg_code,
        application_id=entry.application_id, card_issue_number=result.card_issue_number,
        expires_on=result.expires_on, result_code=result.result_code,
    )  # fmt: skip
    recipient = recipient_of(entry)
    uow.send(recipient, MessageType.CARD_INFO, info.model_dump(mode="json"))
    session.add(ProvisionLog(**provision(uow, caller, recipient, entry.resident_code)))
    return entry


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
    """One provision record (F3-PRV-01) for a provision an API client caused (the issuance
    contractor's result): see `provision_record`."""
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


def _record_refusal(
    uow: UnitOfWork, caller: Caller, application_id: str, refused: JukiError
) -> None:
    """The refused result in the exchange record; for a known entry, the refused provision."""
    uow.session.add(exchange(caller, KIND, application_id, f"refused:{refused.code}"))
    entry = uow.session.scalar(
        select(CardFileEntry).where(CardFileEntry.application_id == application_id)
    )
    if entry is not None:
        reason = f"{refused.code}: {refused.message}"
        row = provision(uow, caller, recipient_of(entry), entry.resident_code, reason)
        uow.session.add(ProvisionLog(**row))
