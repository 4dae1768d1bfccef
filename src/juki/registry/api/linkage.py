"""庁内連携 (001a XFER): approved items handed to a section by 宛名番号."""

from __future__ import annotations

from fastapi import APIRouter, Request

from juki.core.errors import JukiError
from juki.registry.linkage import service as linkage
from juki.registry.linkage.schemas import LinkageAnswer, LinkageRequest
from juki.web.app import ApiCaller, UoW
from juki.web.rights import POSTED_KEYS, needs

router = APIRouter()


@router.post("/linkage", summary="庁内連携: 承認された項目の移転・提供 (宛名番号で)")
@needs("internal_linkage", "read", read_by_post=POSTED_KEYS)
def linkage_transfer(
    request: Request, body: LinkageRequest, uow: UoW, caller: ApiCaller
) -> LinkageAnswer:
    try:
        answer = linkage.transfer(uow, caller, body)
    except JukiError as refused:
        # Refusals are kept too (XFER-1-4), in a transaction of their own.
        uow.session.rollback()
        with uow.node.unit_of_work() as record:
            linkage.record(record, caller, body, refused=refused.message[:200])
        raise
    request.state.number_touched = "individual_number_cipher" in body.items
    request.state.audit_targets = tuple(f"addressee={r['addressee_id']}" for r in answer.records)
    return answer


@router.get("/linkage/approvals", summary="庁内連携: 自課の承認（目的・項目）")
@needs("internal_linkage", "read")
def linkage_approvals(caller: ApiCaller) -> list[dict[str, object]]:
    return [
        {"approval_no": a.approval_no, "purpose": a.purpose, "legal_basis": a.legal_basis,
         "items": list(a.items), "approved_on": a.approved_on.isoformat()}
        for a in linkage.approvals_of(caller.body_code or "")
    ]  # fmt: skip
