"""届出 that change a resident's record (001a ACQ, jyuki-standard 1-1): births, moves,
deaths, name and code changes, cancellations, and the 個人番号 checks before a 転入."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from juki.duties.operators.accounts import Actor
from juki.registry.api.reads import CHECKED, Pending, event_read, take
from juki.registry.notices import (
    arrivals,
    changes,
    corrections,
    identity_confirmations,
    moves,
    number_checks,
    schemas,
)
from juki.registry.notices.schemas import CorrectionProposal, NumberCheckBody
from juki.registry.residents import service as residents
from juki.registry.residents.schemas import EventRead
from juki.registry.residents.service import EventRecord
from juki.web.app import ApiCaller, RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


@router.post("/births", status_code=201, summary="出生届" + CHECKED)
@needs("resident_records", "update")
def birth(
    notice: schemas.BirthNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return take(uow, caller, response, arrivals.record_birth, notice, event_read)


@router.post("/move-ins", status_code=201, summary="転入届 (他市町村・国外)" + CHECKED)
@needs("resident_records", "update")
def move_in(
    notice: schemas.MoveInNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return take(uow, caller, response, arrivals.record_move_in, notice, event_read)


@router.post("/residents/{resident_id}/move-within", status_code=201, summary="転居届" + CHECKED)
@needs("resident_records", "update")
def move_within(
    resident_id: RecordId,
    notice: schemas.MoveWithinNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return take(uow, caller, response, moves.record_move_within, notice, event_read, resident_id)


def _move_out_read(uow: UoW, resident_id: int, event: EventRecord) -> schemas.MoveOutRead:
    certificate = moves.move_out_certificate(uow, residents.get_resident(uow, resident_id))
    return schemas.MoveOutRead(**event_read(event).model_dump(), certificate=certificate)


@router.post(
    "/residents/{resident_id}/move-out",
    status_code=201,
    summary="転出届 (転出証明書を返す。点検を要する市町村では点検の後に返す)",
)
@needs("resident_records", "update")
def move_out(
    resident_id: RecordId,
    notice: schemas.MoveOutNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> schemas.MoveOutRead | Pending:
    def answer(event: EventRecord) -> schemas.MoveOutRead:
        return _move_out_read(uow, resident_id, event)

    return take(uow, caller, response, moves.record_move_out, notice, answer, resident_id)


@router.post("/residents/{resident_id}/death", status_code=201, summary="死亡届" + CHECKED)
@needs("resident_records", "update")
def death(
    resident_id: RecordId,
    notice: schemas.DeathNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return take(uow, caller, response, moves.record_death, notice, event_read, resident_id)


@router.post(
    "/residents/{resident_id}/name-change", status_code=201, summary="氏名の変更" + CHECKED
)
@needs("resident_records", "update")
def name_change(
    resident_id: RecordId,
    notice: schemas.NameChangeNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return take(uow, caller, response, changes.record_name_change, notice, event_read, resident_id)


@router.post(
    "/residents/{resident_id}/correction-requests",
    status_code=201,
    summary="職権修正の入力 (確認・承認の後に反映)",
)
@needs("resident_records", "update")
def propose_correction(
    resident_id: RecordId, body: CorrectionProposal, uow: UoW, caller: ApiCaller
) -> dict[str, int]:
    """Entered by the caller's end operator, who must be an operator of this node with the
    update right; confirmation and approval are done in the console by two other people."""
    return {"request_id": corrections.propose(uow, resident_id, body, caller.operator)}


@router.post(
    "/residents/{resident_id}/resident-code-change",
    status_code=201,
    summary="住民票コードの変更" + CHECKED,
)
@needs("resident_records", "update")
def code_change(
    resident_id: RecordId,
    notice: schemas.ResidentCodeChangeNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return take(
        uow, caller, response, changes.change_resident_code, notice, event_read, resident_id
    )


@router.post(
    "/residents/{resident_id}/number-change", status_code=201, summary="個人番号の変更" + CHECKED
)
@needs("resident_records", "update")
def number_change(
    resident_id: RecordId,
    notice: schemas.NumberChangeNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> EventRead | Pending:
    return take(
        uow, caller, response, changes.request_number_change, notice, event_read, resident_id
    )


@router.post(
    "/residents/{resident_id}/cancellation", status_code=201, summary="異動の取消し" + CHECKED
)
@needs("resident_records", "update")
def cancel(
    resident_id: RecordId,
    notice: schemas.CancellationNotice,
    uow: UoW,
    caller: ApiCaller,
    response: Response,
) -> dict[str, int] | Pending:
    def answer(history_no: int) -> dict[str, int]:
        return {"history_no": history_no}

    return take(uow, caller, response, changes.cancel_last_change, notice, answer, resident_id)


@router.post(
    "/number-checks", status_code=201, summary="個人番号の真正性確認 (CS経由で全国サーバに照会)"
)
@needs("resident_records", "update")
def request_number_check(body: NumberCheckBody, uow: UoW, caller: ApiCaller) -> dict[str, str]:
    """001a ACQ-3-2: before a 転入 whose number was entered from paper. The answer arrives
    through the CS; the 転入 names the check (`number_check_id`)."""
    return {"check_id": number_checks.request(uow, body, caller.operator)}


class IdentityConfirmBody(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resident_code: str = Field(pattern=r"^\d{11}$", description="カードから読み取った住民票コード")
    card_issue_number: str | None = Field(
        default=None,
        pattern=r"^[0-9A-F]{16}$",
        description="カードから読み取ったカード発行番号 (あれば機構にカードの利用状況を照会)",
    )


@router.post(
    "/identity-confirmations", status_code=202,
    summary="カードによる本人確認 (住民票コードを CS 経由で全国サーバに照会)",
)  # fmt: skip
@needs("resident_records", "read", read_by_post="a read at the national server, asked in the body")
def request_identity_confirmation(
    body: IdentityConfirmBody, uow: UoW, caller: ApiCaller
) -> dict[str, str]:
    """001a §3.5 2-②/③; the answer arrives through the CS (2-④)."""
    actor = Actor(caller.operator, caller.terminal)
    check_id = identity_confirmations.request(
        uow, body.resident_code, actor, body.card_issue_number
    )
    return {"check_id": check_id}


@router.get("/identity-confirmations/{check_id}", summary="カードによる本人確認の結果")
@needs("resident_records", "read")
def identity_confirmation(check_id: str, uow: UoW, request: Request) -> dict[str, Any]:
    record, items = identity_confirmations.status(uow, check_id)
    request.state.audit_targets = (f"resident_code={record.resident_code}",)
    card = {"card_status": record.card_status} if record.card_status else {}
    return {"check_id": check_id, "status": record.status, **items, **card}


@router.get("/number-checks/{check_id}", summary="個人番号の真正性確認の結果")
@needs("resident_records", "read")
def number_check_status(check_id: str, uow: UoW) -> dict[str, str]:
    return {"check_id": check_id, "status": number_checks.status(uow, check_id).status}
