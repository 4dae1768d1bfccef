"""届出点検 (001b C-01): the entries waiting for a second person's check."""

from __future__ import annotations

from fastapi import APIRouter, Request

from juki.registry.api.reads import Pending, event_read, pending_items, pending_read
from juki.registry.notice_checks import service as notice_checks
from juki.registry.notice_checks.schemas import CheckedRead, PendingNoticeDetail, SendBack
from juki.registry.notices import moves
from juki.registry.residents import service as residents
from juki.web.app import ApiCaller, RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


@router.get("/pending-notices", summary="届出点検: 点検待ちの一覧 (個人情報を含まない)")
@needs("resident_records", "read")
def pending_notices(uow: UoW) -> list[Pending]:
    return [pending_read(entry) for entry in notice_checks.waiting(uow)]


@router.get("/pending-notices/{entry_id}", summary="届出点検: 入力内容 (個人番号は伏せ字)")
@needs("resident_records", "read")
def pending_notice(entry_id: RecordId, uow: UoW, request: Request) -> PendingNoticeDetail:
    entry = notice_checks.get(uow, entry_id)
    if entry.resident_id is not None:
        request.state.audit_targets = (f"addressee={entry.resident_id}",)
    return PendingNoticeDetail(
        **pending_items(entry),
        notice=notice_checks.content(uow, entry),
        reason=notice_checks.reason_of(uow, entry),
    )


@router.post(
    "/pending-notices/{entry_id}/confirm",
    summary="届出点検: 点検して住民票に反映 (入力した者以外、届出の点検の権限)",
)
@needs("notice_check", "update")
def confirm_notice(
    entry_id: RecordId, uow: UoW, caller: ApiCaller, request: Request
) -> CheckedRead:
    applied = notice_checks.confirm(
        uow, entry_id, operator=caller.operator, terminal=caller.terminal
    )
    entry = notice_checks.get(uow, entry_id)
    request.state.number_touched = entry.number_entered
    certificate = None
    if applied.kind == "move_out" and entry.resident_id is not None:
        resident = residents.get_resident(uow, entry.resident_id)
        certificate = moves.move_out_certificate(uow, resident)
        request.state.number_touched = True
    return CheckedRead(
        **pending_items(entry),
        events=[event_read(e) for e in applied.events],
        certificate=certificate,
    )


@router.post("/pending-notices/{entry_id}/send-back", summary="届出点検: 差戻し (理由を付けて)")
@needs("notice_check", "update")
def send_back_notice(entry_id: RecordId, body: SendBack, uow: UoW, caller: ApiCaller) -> Pending:
    notice_checks.send_back(
        uow, entry_id, operator=caller.operator, terminal=caller.terminal, reason=body.reason
    )
    return pending_read(notice_checks.get(uow, entry_id))


@router.post("/pending-notices/{entry_id}/withdraw", summary="届出点検: 取下げ (入力した者)")
@needs("resident_records", "update")
def withdraw_notice(entry_id: RecordId, uow: UoW, caller: ApiCaller) -> Pending:
    notice_checks.withdraw(uow, entry_id, operator=caller.operator, terminal=caller.terminal)
    return pending_read(notice_checks.get(uow, entry_id))
