"""The provision routes a tier serves (national, prefecture), included by each tier's
guarded router: provision by the legal table, the list of provisions of one person's
information (for 開示), and 一括提供 under two-person control with its media write-out. The
node's own file comes from `IdentityFile`; the provision tables are the shared ones."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response
from pydantic import BaseModel, ConfigDict

from juki.core.audit import outputs
from juki.core.errors import JukiError
from juki.core.ids import validate_resident_code
from juki.duties.provision import batch, service
from juki.web.app import ApiCaller, IdentityFile, RecordId, UoW, current_node
from juki.web.rights import POSTED_KEYS, needs

router = APIRouter()


class PersonKey(BaseModel):
    model_config = ConfigDict(extra="forbid")

    resident_code: str


@router.post("/provision", summary="法令（別表）に基づく本人確認情報の提供・移転")
@needs("identity_inquiry", "read", read_by_post=POSTED_KEYS)
def provide(
    request: Request,
    body: service.ProvisionRequest,
    uow: UoW,
    caller: ApiCaller,
    file: IdentityFile,
) -> service.ProvisionAnswer:
    node = current_node(request)
    try:
        answer = service.provide(uow.session, node.keys, file, node.node_id, caller, body)
    except JukiError as refused:
        # The refusal is recorded in a transaction of its own (this one rolls back).
        uow.session.rollback()
        with node.unit_of_work() as record:
            service.record_refusal(record.session, caller, body, refused.message)
        raise
    request.state.number_touched = "individual_number" in answer.items and bool(answer.records)
    request.state.audit_targets = tuple(
        f"code={r['resident_code']}" for r in answer.records if "resident_code" in r
    )
    return answer


@router.post(
    "/provision-records/of-person",
    summary="本人の情報の提供状況（開示請求への回答用）",
)
@needs("disclosure", "read", read_by_post=POSTED_KEYS)
def provisions_of_person(
    request: Request, body: PersonKey, uow: UoW
) -> list[service.ProvisionRecordView]:
    validate_resident_code(body.resident_code)
    request.state.audit_targets = (f"code={body.resident_code}",)
    return service.provisions_of(uow.session, body.resident_code)


@router.post("/batch-provisions", status_code=201, summary="一括提供の依頼（条件ファイル）")
@needs("bulk_output", "update")
def ask(
    request: Request, body: batch.BatchRequest, uow: UoW, caller: ApiCaller
) -> dict[str, object]:
    node = current_node(request)
    made = batch.request(uow.session, node.keys, node.node_id, body, caller)
    return {"id": made.id, "status": made.status, "rows": made.row_count}


@router.post("/batch-provisions/{batch_id}/approve", summary="一括提供の承認と実行（二人目）")
@needs("bulk_output", "update")
def approve(
    request: Request, batch_id: RecordId, uow: UoW, caller: ApiCaller, file: IdentityFile
) -> dict[str, object]:
    node = current_node(request)
    done = batch.approve_and_run(uow.session, node.keys, node.node_id, file, batch_id, caller)
    request.state.number_touched = True  # the condition list may carry 個人番号
    return {"id": done.id, "status": done.status, "records": done.records_out,
            "sha256": done.result_sha256}  # fmt: skip


@router.post(
    "/batch-provisions/{batch_id}/write-out",
    summary="結果ファイルの書出し（受領機関の鍵で暗号化済み、媒体使用簿に記録）",
    response_class=Response,
)
@needs("bulk_output", "update")
def write_out(
    batch_id: RecordId,
    uow: UoW,
    caller: ApiCaller,
    media_id: Annotated[str, Query(pattern=r"^[A-Za-z0-9-]{3,40}$")],
) -> Response:
    sealed = batch.write_out(uow.session, batch_id, caller, media_id)
    outputs.record_output(
        uow.session, operator=caller.audit_name, terminal=caller.terminal,
        form=f"一括提供結果ファイル（媒体 {media_id}）", targets=(f"batch={batch_id}",),
        purpose="一括提供",
    )  # fmt: skip
    return Response(
        sealed, media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.hpke"'},
    )  # fmt: skip
