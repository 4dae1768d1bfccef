"""職権修正 of 本人確認情報 under two-person control (001a §5.1, §5.2): one clerk enters the
correction with its reason, a second clerk confirms it against the evidence, and a named
supervisor approves it; only then is the register changed and 住基ネット told. Each step
records who did it and when, and no one may take two of the steps."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import select

from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators import accounts, rights
from juki.duties.operators.tables import Operator
from juki.registry.notices import changes, schemas
from juki.registry.notices.models import CorrectionRequest
from juki.registry.notices.schemas import CorrectionProposal
from juki.registry.residents import service as residents
from juki.registry.residents.pool import now

ITEMS = ("name_kanji", "name_kana", "birth_date", "sex", "address")


def propose(
    uow: UnitOfWork, resident_id: int, proposal: CorrectionProposal, clerk_login: str
) -> int:
    residents.current_resident(uow, resident_id)
    _operator(uow, clerk_login, "clerk_login", "resident_records")
    changes = proposal.correction.model_dump(mode="json", include=set(ITEMS), exclude_none=True)
    if not changes:
        raise InvalidInput("修正する項目がありません", field="name_kanji")
    request = CorrectionRequest(
        resident_id=resident_id,
        changes=json.dumps(proposal.correction.model_dump(mode="json"), ensure_ascii=False),
        reason=proposal.reason,
        requested_by=clerk_login,
        requested_at=now(),
        status="requested",
    )
    uow.session.add(request)
    uow.session.flush()
    return request.id


def confirm(uow: UnitOfWork, request_id: int, clerk_login: str) -> None:
    request = _request(uow, request_id, "requested")
    _operator(uow, clerk_login, "clerk_login", "resident_records")
    if clerk_login == request.requested_by:
        raise Refused("入力した職員とは別の職員が確認します", field="clerk_login")
    request.confirmed_by, request.confirmed_at, request.status = clerk_login, now(), "confirmed"


def approve(uow: UnitOfWork, request_id: int, supervisor_login: str) -> residents.EventRecord:
    request = _request(uow, request_id, "confirmed")
    _operator(uow, supervisor_login, "supervisor_login", "correction_approval")
    if supervisor_login in (request.requested_by, request.confirmed_by):
        raise Refused("入力・確認した職員は承認できません", field="supervisor_login")
    notice = schemas.CorrectionNotice.model_validate(json.loads(request.changes))
    notice = notice.model_copy(update={"operator_id": request.requested_by})
    event = changes.record_correction(uow, request.resident_id, notice)
    request.approved_by, request.approved_at = supervisor_login, now()
    request.status, request.update_id = "applied", event.update_id
    return event


def pending(uow: UnitOfWork) -> list[CorrectionRequest]:
    stmt = select(CorrectionRequest).where(CorrectionRequest.status.in_(("requested", "confirmed")))
    return list(uow.session.scalars(stmt.order_by(CorrectionRequest.id)))


def proposed_changes(request: CorrectionRequest) -> dict[str, Any]:
    body: dict[str, Any] = json.loads(request.changes)
    return {k: v for k, v in body.items() if k in ITEMS and v is not None}


def _request(uow: UnitOfWork, request_id: int, status: str) -> CorrectionRequest:
    request = uow.session.get(CorrectionRequest, request_id)
    if request is None:
        raise NotFound("修正の申請が見つかりません", field="request_id")
    if request.status != status:
        raise Conflict("この申請は既に処理されています", field="request_id", code="wrong_state")
    return request


def _operator(uow: UnitOfWork, login: str, field: str, duty: str) -> Operator:
    """The step's operator, active and holding the duty's update right (000 ACL-01)."""
    operator = accounts.by_login(uow.session, login)
    if operator is None or operator.status != "active":
        raise Refused("職員として登録されていません", field=field)
    if not rights.has_right(uow.session, operator.id, duty, "update"):
        message = (
            "承認の権限がありません" if duty == "correction_approval" else "更新の権限がありません"
        )
        raise Refused(message, field=field)
    return operator
