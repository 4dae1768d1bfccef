"""Routes for 個人番号カード管理情報 on electronic media (000 F3-PRV-03/04): ask, approve
(second person), write out (witnessed, to a registered and checked medium), hand over
(several witnesses). The rules are in `card/media.py`; the right is `bulk_output`. Included
by the card system's guarded router (`card/api.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel

from juki.card import media
from juki.core.audit import outputs
from juki.web.app import ApiCaller, RecordId, UoW
from juki.web.rights import needs

router = APIRouter()


class MediaProvisionRead(BaseModel):
    id: int
    status: str
    records: int | None = None
    sha256: str | None = None


@router.post("/media-provisions", status_code=201, summary="個人番号カード管理情報の媒体提供の依頼")
@needs("bulk_output", "update")
def ask(
    request: Request, body: media.MediaProvisionCreate, uow: UoW, caller: ApiCaller
) -> MediaProvisionRead:
    made = media.request(uow, caller, body)
    request.state.audit_targets = (f"媒体提供={made.id}", f"市町村={made.lg_code}")
    return MediaProvisionRead(id=made.id, status=made.status)


@router.post("/media-provisions/{provision_id}/approve", summary="媒体提供の承認と暗号化（二人目）")
@needs("bulk_output", "update")
def approve(
    request: Request, provision_id: RecordId, uow: UoW, caller: ApiCaller
) -> MediaProvisionRead:
    made = media.approve(uow, caller, provision_id)
    request.state.audit_targets = (f"媒体提供={made.id}",)
    request.state.number_touched = bool(made.records_out)
    return MediaProvisionRead(
        id=made.id, status=made.status, records=made.records_out, sha256=made.sealed_sha256
    )


@router.post(
    "/media-provisions/{provision_id}/write-out",
    summary="媒体への書出し（承認者の立会い、外部媒体使用簿に記録）",
    response_class=Response,
)
@needs("bulk_output", "update")
def write_out(
    request: Request,
    provision_id: RecordId,
    uow: UoW,
    caller: ApiCaller,
    media_id: Annotated[str, Query(pattern=r"^[A-Za-z0-9-]{3,40}$")],
) -> Response:
    sealed = media.write_out(uow, caller, provision_id, media_id)
    request.state.audit_targets = (f"媒体提供={provision_id}", f"媒体={media_id}")
    outputs.record_output(
        uow.session, operator=caller.audit_name, terminal=caller.terminal,
        form=f"個人番号カード管理情報ファイル（媒体 {media_id}）",
        targets=(f"媒体提供={provision_id}",), purpose="個人番号カード管理情報の媒体提供",
    )  # fmt: skip
    return Response(
        sealed, media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="card-{provision_id}.hpke"'},
    )  # fmt: skip


@router.post("/media-provisions/{provision_id}/handover", summary="媒体の受渡し（複数人の立会い）")
@needs("bulk_output", "update")
def hand_over(
    request: Request, provision_id: RecordId, body: media.Handover, uow: UoW, caller: ApiCaller
) -> MediaProvisionRead:
    media.hand_over(uow, caller, provision_id, body)
    request.state.audit_targets = (f"媒体提供={provision_id}",)
    return MediaProvisionRead(id=provision_id, status="handed_over")
