"""情報照会・情報提供 through the network (番号法 第19条第8号, 第21条; 001a §2.4, §3.13,
NWS-5/6): each query is checked against the legal table (命令 第二条の表) — the row, its
情報照会者 and 事務, its 情報提供者, its items —, the requester's 符号 is converted into the
provider's, and a 提供許可証 goes to the provider's 中間サーバー; its answer, sealed to the
requester's key, is passed back unread. Every query and its outcome, refusals included,
is in the 情報提供等記録 (`ProvisionRecord`)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import secrets

from sqlalchemy import select

from juki.core.clock import as_utc
from juki.core.infonet_messages import (
    InfonetAnswer,
    InfonetQuery,
    InfonetResult,
    Outcome,
    ProvisionPermit,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.infonet import legal_table
from juki.infonet.models import FugoLink, Institution, ProvisionRecord
from juki.infonet.service import intermediate_of, now

log = logging.getLogger(__name__)
# How long a provider has to answer a permit [juki's choice: the seeds give no time].
PERMIT_LIFETIME = dt.timedelta(hours=24)


def broker(uow: UnitOfWork, requester: str, query: InfonetQuery) -> None:
    """Check the query; refuse it (recorded, the requester told why) or permit it."""
    record = ProvisionRecord(
        query_id=query.query_id, requester=requester, provider=query.provider, row=query.row,
        task=query.task[:2000], items=json.dumps(list(query.items), ensure_ascii=False),
        asked_at=now(), outcome="refused",
    )  # fmt: skip
    uow.session.add(record)
    reason, link = _check(uow, requester, query)
    if reason is not None:
        _conclude(uow, record, "refused", reason)
        log.warning("情報照会 refused (%s)", reason)
        return
    assert link is not None
    record.link_code = link.link_code
    held = uow.session.scalars(
        select(FugoLink).where(
            FugoLink.link_code == link.link_code, FugoLink.institution == query.provider
        )
    ).first()
    if held is None:  # the provider holds no 符号 for the person: nothing to ask it
        _conclude(uow, record, "not_held", "provider_holds_no_fugo")
        return
    asking = uow.session.get_one(Institution, requester)
    record.permit_id = secrets.token_hex(16)
    record.expires_at = now() + PERMIT_LIFETIME
    record.outcome = "permitted"
    permit = ProvisionPermit(
        permit_id=record.permit_id, row=query.row, task=query.task, items=query.items,
        requester=requester, fugo=held.fugo, reply_key=asking.reply_key,
        expires_at=record.expires_at,
    )  # fmt: skip
    uow.send(
        intermediate_of(query.provider),
        MessageType.PROVISION_PERMIT,
        permit.model_dump(mode="json"),
    )


def _check(
    uow: UnitOfWork, requester: str, query: InfonetQuery
) -> tuple[str | None, FugoLink | None]:
    """The reason to refuse, or the requester's link for the person."""
    asking = uow.session.get(Institution, requester)
    if asking is None:
        return "unregistered_institution", None
    row = legal_table.shipped().rows.get(query.row)
    if row is None:
        return "no_such_row", None
    if asking.office not in row.requester:
        return "not_the_rows_requester", None
    if query.task != row.task:
        return "wrong_task", None
    provider = uow.session.get(Institution, query.provider)
    if provider is None or provider.office not in row.provider:
        return "not_the_rows_provider", None
    if not set(query.items) <= set(row.items):
        return "item_not_in_row", None
    link = uow.session.scalars(
        select(FugoLink).where(FugoLink.institution == requester, FugoLink.fugo == query.fugo)
    ).first()
    if link is None:  # another institution's, made up, or from before a re-keying
        return "unknown_fugo", None
    return None, link


def relay_answer(uow: UnitOfWork, provider: str, answer: InfonetAnswer) -> None:
    """The provider's answer, to the requester as it came (sealed); only for a permit this
    provider holds, once, before it expired."""
    record = uow.session.scalars(
        select(ProvisionRecord).where(ProvisionRecord.permit_id == answer.permit_id)
    ).first()
    if record is None or record.provider != provider or record.outcome != "permitted":
        log.warning("情報提供: answer to no open permit of this provider, dropped")
        return
    if record.expires_at is not None and as_utc(record.expires_at) <= now():
        _conclude(uow, record, "refused", "permit_expired")
        return
    _conclude(uow, record, answer.outcome, answer.reason, sealed=answer.sealed)


def _conclude(
    uow: UnitOfWork, record: ProvisionRecord, outcome: Outcome, reason: str | None,
    sealed: str | None = None,
) -> None:  # fmt: skip
    record.outcome, record.reason, record.answered_at = outcome, reason, now()
    result = InfonetResult(
        query_id=record.query_id, permit_id=record.permit_id, outcome=outcome,
        sealed=sealed, reason=reason,
    )  # fmt: skip
    uow.send(intermediate_of(record.requester), MessageType.INFONET_RESULT, result.model_dump())
