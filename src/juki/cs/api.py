"""CS API: start 本人確認情報整合 and read its results (001a §3.8); bulk output of the CS
file under prior approval and witness (001a USE-5-4, XFER-2-4)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import Query, Request
from fastapi.responses import Response

from juki.core.messaging.paths import code_of
from juki.cs import bulk_output, handlers, reports, service
from juki.web.app import ApiCaller, RecordId, UoW, current_node, guarded
from juki.web.rights import needs

router = guarded(tags=["市町村CS"])


@router.post("/reconcile", status_code=202, summary="本人確認情報整合を開始")
@needs("consistency_check", "update")
def start_reconcile(uow: UoW) -> dict[str, str]:
    return {"check_id": handlers.start_reconcile(uow)}


@router.get("/reconcile/{check_id}", summary="整合結果")
@needs("consistency_check", "read")
def reconcile_result(check_id: str, uow: UoW) -> dict[str, Any]:
    reports = service.consistency_reports(uow.session, check_id)
    return {
        "check_id": check_id,
        "reports": [
            {"checker": r.checker, "compared": r.compared, "differences": r.differences}
            for r in reports
        ],
    }


@router.post("/bulk-outputs", status_code=201, summary="本人確認情報の一括出力の依頼")
@needs("bulk_output", "update")
def ask_bulk_output(
    request: Request, body: bulk_output.BulkOutputAsk, uow: UoW, caller: ApiCaller
) -> dict[str, Any]:
    lg_code = code_of(current_node(request).node_id)
    output = bulk_output.ask(uow.session, lg_code, caller, body)
    return {"id": output.id, "status": output.status, "records": output.records,
            "threshold": bulk_output.threshold()}  # fmt: skip


@router.post("/bulk-outputs/{output_id}/approval", summary="一括出力の事前承認（管理責任者）")
@needs("bulk_output_approval", "update")
def approve_bulk_output(output_id: RecordId, uow: UoW, caller: ApiCaller) -> dict[str, Any]:
    output = bulk_output.approve(uow.session, output_id, caller)
    return {"id": output.id, "status": output.status, "approved_by": output.approved_by}


@router.post(
    "/bulk-outputs/{output_id}/write-out",
    summary="登録媒体への書出し（当日のウイルスチェック済み、職員の立会い）",
    response_class=Response,
)
@needs("bulk_output", "update")
def write_bulk_output(
    request: Request,
    output_id: RecordId,
    body: bulk_output.BulkWriteOut,
    uow: UoW,
    caller: ApiCaller,
) -> Response:
    node = current_node(request)
    try:
        output, content = bulk_output.write_out(
            uow.session, node.keys, code_of(node.node_id), output_id, caller, body
        )
    except bulk_output.WitnessCodeRefused as refused:
        # The wrong code counts though the write-out fails (issue #14): apart from it.
        uow.session.rollback()
        with node.unit_of_work() as record:
            bulk_output.count_witness_failure(record.session, refused.witness_login)
        raise
    request.state.audit_targets = (f"records={output.written_records}",)
    return Response(
        content, media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="cs-output-{output.id}.csv"'},
    )  # fmt: skip


@router.get("/reports/corrections", summary="手作業による修正の一覧（定期確認用）")
@needs("audit_review", "read")
def corrections_report(
    request: Request,
    uow: UoW,
    since: Annotated[dt.date, Query(alias="from")],
    until: Annotated[dt.date, Query(alias="to")],
) -> list[dict[str, Any]]:
    """001a ACQ-3-7 / 001b C-05: who, when, which record (住民票コード only), which reason."""
    lg_code = code_of(current_node(request).node_id)
    lines = reports.manual_corrections(uow.session, lg_code, since, until)
    request.state.audit_targets = tuple(f"code={line.resident_code}" for line in lines)
    return [
        {"at": line.at.isoformat(), "operator": line.operator, "terminal": line.terminal,
         "resident_code": line.resident_code, "reason": line.reason,
         "change_date": line.change_date.isoformat(), "update_id": line.update_id}
        for line in lines
    ]  # fmt: skip
