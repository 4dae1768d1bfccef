"""開示請求 (001a DISC-2): one's own 住民票, history and provision records as a PDF."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response

from juki.registry.disclosure import service as disclosure
from juki.registry.disclosure.schemas import DisclosureRequest
from juki.web.app import ApiCaller, UoW
from juki.web.rights import needs

router = APIRouter()


@router.post(
    "/disclosures",
    summary="開示請求: 自己の住民票・異動の履歴・提供の記録（PDF）",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
@needs("disclosure", "update")  # 開示 (001a DISC-2)
def disclose(request: Request, body: DisclosureRequest, uow: UoW, caller: ApiCaller) -> Response:
    answer = disclosure.disclose(uow, caller, body)
    request.state.number_touched = answer.number_touched
    request.state.audit_targets = answer.targets
    return Response(
        answer.pdf, media_type="application/pdf",
        headers={"X-Disclosure-No": answer.disclosure_no, "Cache-Control": "no-store"},
    )  # fmt: skip
