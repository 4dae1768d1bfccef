"""The disclosure routes a tier serves (national, prefecture), for its own staff at the
disclosure desk (duty `disclosure`), included by each tier's guarded router: 開示 from the
node's own file (`IdentityFile`), 訂正請求 and 利用停止請求 in the shared tables."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict, Field

from juki.core.audit import outputs
from juki.duties.disclosure import service
from juki.web.app import ApiCaller, IdentityFile, RecordId, UoW, current_node
from juki.web.rights import needs

router = APIRouter()


class MunicipalAnswer(BaseModel):
    model_config = ConfigDict(extra="forbid")

    answer: str = Field(min_length=1, max_length=500)


@router.post(
    "/disclosures",
    summary="本人確認情報の開示（PDF）",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@needs("disclosure", "update")
def disclose(
    request: Request,
    body: service.DisclosureRequest,
    uow: UoW,
    caller: ApiCaller,
    file: IdentityFile,
) -> Response:
    node = current_node(request)
    record, pdf = service.disclose(uow.session, node.keys, node.node_id, file, body, caller)
    request.state.number_touched = record.found > 0
    request.state.audit_targets = (f"code={body.resident_code}",)
    outputs.record_output(
        uow.session, operator=caller.audit_name, terminal=caller.terminal,
        form="本人確認情報開示決定通知書（PDF）", targets=(f"code={body.resident_code}",),
        purpose="開示請求", number_touched=record.found > 0,
    )  # fmt: skip
    return Response(
        pdf, media_type="application/pdf",
        headers={"X-Disclosure-Id": str(record.id), "Cache-Control": "no-store"},
    )  # fmt: skip


@router.post("/disclosures/{disclosure_id}/corrections", status_code=201, summary="訂正請求")
@needs("disclosure", "update")
def claim(
    disclosure_id: RecordId,
    body: service.CorrectionClaim,
    uow: UoW,
    caller: ApiCaller,
    file: IdentityFile,
) -> dict[str, Any]:
    found = service.request_correction(uow.session, file, disclosure_id, body, caller)
    return service.view(found)


@router.get("/disclosure-corrections/{correction_id}", summary="訂正請求の状況")
@needs("disclosure", "read")
def track(correction_id: RecordId, uow: UoW, file: IdentityFile) -> dict[str, Any]:
    return service.view(service.track(uow.session, file, correction_id))


@router.post("/disclosure-corrections/{correction_id}/close", summary="市町村の回答（訂正不要）")
@needs("disclosure", "update")
def close(correction_id: RecordId, body: MunicipalAnswer, uow: UoW) -> dict[str, Any]:
    return service.view(service.close(uow.session, correction_id, body.answer))


@router.post("/disclosures/{disclosure_id}/suspensions", status_code=201, summary="利用停止請求")
@needs("disclosure", "update")
def ask_suspension(
    disclosure_id: RecordId, body: service.SuspensionClaim, uow: UoW, caller: ApiCaller
) -> dict[str, Any]:
    found = service.request_suspension(uow.session, disclosure_id, body, caller)
    return service.suspension_view(found)


@router.get("/use-suspensions/{suspension_id}", summary="利用停止請求の状況")
@needs("disclosure", "read")
def suspension_state(suspension_id: RecordId, uow: UoW) -> dict[str, Any]:
    return service.suspension_view(service.get_suspension(uow.session, suspension_id))


@router.post("/use-suspensions/{suspension_id}/decision", summary="利用停止請求の決定")
@needs("disclosure", "update")
def decide(
    suspension_id: RecordId, body: service.SuspensionDecision, uow: UoW, caller: ApiCaller
) -> dict[str, Any]:
    found = service.decide_suspension(uow.session, suspension_id, body, caller)
    return service.suspension_view(found)


@router.get("/reports/overdue-suspensions", summary="期限を過ぎた未決定の利用停止請求")
@needs("disclosure", "read")
def overdue(as_of: dt.date, uow: UoW) -> list[dict[str, Any]]:
    found = service.overdue_suspensions(uow.session, as_of)
    return [service.suspension_view(s) for s in found]
