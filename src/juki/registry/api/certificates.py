"""住民票の写しの広域交付 (住基法 12条の4): ask the 住所地 and issue the copy."""

from __future__ import annotations

from fastapi import APIRouter

from juki.registry.certificates import wide_area
from juki.registry.certificates.schemas import WideAreaAsk
from juki.web.app import ApiCaller, UoW
from juki.web.rights import needs

router = APIRouter()


@router.post("/wide-area-requests", status_code=201, summary="住民票の写しの広域交付: 住所地へ請求")
@needs("resident_records", "update")
def wide_area_ask(body: WideAreaAsk, uow: UoW) -> dict[str, str]:
    return {"request_id": wide_area.ask(uow, body)}


@router.get("/wide-area-requests/{request_id}", summary="広域交付: 受信状況")
@needs("resident_records", "read")
def wide_area_status(request_id: str, uow: UoW) -> dict[str, str | None]:
    record = wide_area.status(uow, request_id)
    return {"status": record.status, "error_code": record.error_code}


@router.post(
    "/wide-area-requests/{request_id}/issue", status_code=201, summary="広域交付: 写しの交付"
)
@needs("certificates", "update")
def wide_area_issue(request_id: str, uow: UoW, caller: ApiCaller) -> dict[str, str]:
    issued = wide_area.issue(uow, request_id, caller.operator, caller.terminal)
    return {"issue_no": issued.issue_no}
