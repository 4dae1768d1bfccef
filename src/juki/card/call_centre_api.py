"""The call centre's routes (000 P3.2, P3.3; C24–C26): enquiries and 一時停止 by the
caller's 4情報; the rules are in `card/call_centre.py`; the right is `card_call_centre`
(a contractor's, checked against its roster). Included by the card system's guarded
router (`card/api.py`). The 4情報 travel in the body, never the URL."""

from __future__ import annotations

from fastapi import APIRouter, Request

from juki.card import call_centre
from juki.card.call_centre import CallerIdentity, CardStatusView, SuspensionCreate
from juki.web.app import ApiCaller, UoW
from juki.web.rights import needs

router = APIRouter()


@router.post("/call-centre/enquiries", summary="問合せ対応: 4情報による本人確認とカードの状況")
@needs("card_call_centre", "read", read_by_post="the 4情報 are sent in the body, not the URL")
def enquire(
    request: Request, body: CallerIdentity, uow: UoW, caller: ApiCaller
) -> list[CardStatusView]:
    found = call_centre.enquire(uow, caller, body)
    request.state.audit_targets = tuple(f"申請書ID={c.application_id}" for c in found)
    return found


@router.post(
    "/call-centre/suspensions", status_code=201, summary="紛失・盗難によるカードの一時停止"
)
@needs("card_call_centre", "update")
def suspend(
    request: Request, body: SuspensionCreate, uow: UoW, caller: ApiCaller
) -> CardStatusView:
    request.state.audit_targets = (f"カード発行番号={body.card_issue_number}",)
    return call_centre.suspend(uow, caller, body)
