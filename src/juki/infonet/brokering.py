"""情報照会・情報提供 through the network (番号法 第19条第8号, 第21条; 001a §2.4, §3.13,
NWS-5/6): each query is checked against the legal table (命令 第二条の表) — the row, its
情報照会者 and 事務, its 情報提供者, its items —, the requester's signed request and
registered key, and its 符号; the 符号 is converted into the provider's, and a 提供許可証
goes to the provider's 中間サーバー; its answer, sealed to the requester's key, is passed
back unread. Every query and its outcome, refusals included, is in the 情報提供等記録
(`ProvisionRecord`) with its detail; the requester is told only provided, not provided
or refused (core/infonet_messages.Result)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets

from sqlalchemy import select

from juki.core.clock import as_utc
from juki.core.crypto import verify
from juki.core.errors import JukiError
from juki.core.infonet_messages import (
    REVIEW_PERIOD,
    InfonetAnswer,
    InfonetQuery,
    InfonetResult,
    Outcome,
    ProvisionPermit,
    Reason,
    Result,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.infonet import legal_table
from juki.infonet.models import FugoLink, Institution, ProvisionRecord
from juki.infonet.service import intermediate_of, now

log = logging.getLogger(__name__)
# How long a provider has to answer a permit [juki's choice: the seeds give no time].
PERMIT_LIFETIME = dt.timedelta(hours=24)
TOLD: dict[Outcome, Result] = {
    "provided": "provided", "not_held": "not_provided", "held": "not_provided",
    "withheld": "not_provided", "refused": "refused",
}  # fmt: skip
# A permit still open: waiting for the provider's answer, or for its staff's review of an
# answer it held (自動応答不可, NWS-5-3).
OPEN = ("permitted", "reviewing")


def broker(uow: UnitOfWork, requester: str, query: InfonetQuery) -> None:
    """Check the query; refuse it (recorded, the requester told why) or permit it."""
    request = query.request
    record = ProvisionRecord(
        query_id=request.query_id, requester=requester, provider=request.provider,
        row=request.row, task=request.task,
        items=json.dumps(list(request.items), ensure_ascii=False), asked_at=now(),
        outcome="refused",
    )  # fmt: skip
    uow.session.add(record)
    # The person, whenever the 符号 is the requester's own: a refusal is theirs to see too
    # (マイナポータル's 情報提供等記録表示 finds records by this).
    record.link_code = uow.session.scalars(
        select(FugoLink.link_code).where(
            FugoLink.institution == requester, FugoLink.fugo == query.fugo
        )
    ).first()
    reason, link = _check(uow, requester, query)
    if reason is not None:
        _conclude(uow, record, "refused", reason)
        log.warning("情報照会 refused (%s)", reason)
        return
    assert link is not None
    record.link_code = link.link_code
    held = uow.session.scalars(
        select(FugoLink).where(
            FugoLink.link_code == link.link_code, FugoLink.institution == request.provider
        )
    ).first()
    if held is None:  # the provider holds no 符号 for the person: nothing to ask it
        _conclude(uow, record, "not_held", "provider_holds_no_fugo")
        return
    record.permit_id = secrets.token_hex(16)
    record.expires_at = now() + PERMIT_LIFETIME
    record.outcome = "permitted"
    permit = ProvisionPermit(
        permit_id=record.permit_id, request=request, signature=query.signature,
        certificate=query.certificate, fugo=held.fugo, expires_at=record.expires_at,
    )  # fmt: skip
    uow.send(
        intermediate_of(request.provider),
        MessageType.PROVISION_PERMIT,
        permit.model_dump(mode="json"),
    )


def _check(
    uow: UnitOfWork, requester: str, query: InfonetQuery
) -> tuple[Reason | None, FugoLink | None]:
    """The reason to refuse, or the requester's link for the person."""
    request = query.request
    asking = uow.session.get(Institution, requester)
    if asking is None:
        return "unregistered_institution", None
    if request.reply_key != asking.reply_key:
        return "unregistered_key", None
    if request.requester != requester or not _signed_by(uow, requester, query):
        return "bad_request_signature", None
    row = legal_table.shipped().rows.get(request.row)
    if row is None:
        return "no_such_row", None
    if asking.office not in legal_table.offices_named(row.requester):
        return "not_the_rows_requester", None
    if request.task != row.task:
        return "wrong_task", None
    provider = uow.session.get(Institution, request.provider)
    if provider is None or provider.office not in legal_table.offices_named(row.provider):
        return "not_the_rows_provider", None
    if not set(request.items) <= set(row.items):
        return "item_not_in_row", None
    link = uow.session.scalars(
        select(FugoLink).where(FugoLink.institution == requester, FugoLink.fugo == query.fugo)
    ).first()
    if link is None:  # another institution's, made up, or from before a re-keying
        return "unknown_fugo", None
    return None, link


def _signed_by(uow: UnitOfWork, requester: str, query: InfonetQuery) -> bool:
    """The request is signed by the requester's own 中間サーバー (the provider checks it
    again: the network's word is not enough for where an answer goes)."""
    try:
        node_id, key = uow.node.certified(query.certificate)
    except JukiError:
        return False
    return node_id == intermediate_of(requester) and verify(
        key, query.request.signed_bytes(), query.signature
    )


def relay_answer(uow: UnitOfWork, provider: str, answer: InfonetAnswer) -> None:
    """The provider's answer, to the requester as it came (sealed); only for a permit this
    provider holds, once, before it expired.

    A held answer (自動応答不可) is told to the requester at once as `not_provided` — the
    same answer, at the same moment, as for a person the provider does not hold, so
    neither what nor when says that a 支援措置 protects someone there — while the permit
    stays open (`reviewing`) for the provider's staff (REVIEW_PERIOD). If they provide,
    the answer follows late; if they withhold, or the period ends, nothing more is sent."""
    record = uow.session.scalars(
        select(ProvisionRecord).where(ProvisionRecord.permit_id == answer.permit_id)
    ).first()
    if record is None or record.provider != provider or record.outcome not in OPEN:
        log.warning("情報提供: answer to no open permit of this provider, dropped")
        return
    reviewing = record.outcome == "reviewing"
    if record.expires_at is not None and as_utc(record.expires_at) <= now():
        _end_expired(uow, record)
        return
    if answer.outcome == "held":
        if not reviewing:
            _tell(uow, record, "not_provided")
            record.outcome, record.reason = "reviewing", answer.reason
            record.expires_at = now() + REVIEW_PERIOD
        return
    _conclude(uow, record, answer.outcome, answer.reason, sealed=answer.sealed, told=reviewing)


def expire_open(uow: UnitOfWork) -> int:
    """A permit its provider did not answer in time ends as refused (`permit_expired`), and
    the requester, which waits no longer, is told; one its staff did not review in time
    ends as withheld (`review_expired`): its requester was told `not_provided` already.
    Run by the network's housekeeping; returns how many ended."""
    open_past = uow.session.scalars(
        select(ProvisionRecord)
        .where(ProvisionRecord.outcome.in_(OPEN), ProvisionRecord.expires_at <= now())
        .limit(500)
    ).all()
    for record in open_past:
        _end_expired(uow, record)
    return len(open_past)


def _end_expired(uow: UnitOfWork, record: ProvisionRecord) -> None:
    if record.outcome == "reviewing":
        _conclude(uow, record, "withheld", "review_expired", told=True)
    else:
        _conclude(uow, record, "refused", "permit_expired")


def _conclude(
    uow: UnitOfWork, record: ProvisionRecord, outcome: Outcome, reason: Reason | None,
    sealed: str | None = None, told: bool = False,
) -> None:  # fmt: skip
    """Record the outcome in full; tell the requester only what it may know — after a
    review (`told`: it heard `not_provided` already) only a provision, late."""
    record.outcome, record.reason, record.answered_at = outcome, reason, now()
    if told and outcome != "provided":
        return
    _tell(uow, record, TOLD[outcome], reason, sealed)


def _tell(
    uow: UnitOfWork, record: ProvisionRecord, told: Result, reason: Reason | None = None,
    sealed: str | None = None,
) -> None:  # fmt: skip
    result = InfonetResult(
        query_id=record.query_id, permit_id=record.permit_id if told == "provided" else None,
        outcome=told, sealed=sealed if told == "provided" else None,
        reason=reason if told == "refused" else None,
    )  # fmt: skip
    uow.send(intermediate_of(record.requester), MessageType.INFONET_RESULT, result.model_dump())
