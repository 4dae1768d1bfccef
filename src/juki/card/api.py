"""個人番号カード管理システム API: the application-receipt contractor's channel for
交付申請 (000 §3.3 1-⑥, dedicated line in the assessment; here a registered API client
with the `card_applications` right; each application is commissioned at once from the
issuance contractor's node, `commission.py`), J-LIS's 券面事項 signer certificate for
card readers (`card_face_verify`), the statistics (F3-USE-04) and the quarterly report on
the exchanges with the contractors (OUT-05); the print contractor's channel (1-②/③: the
sealed print file, its receipt and erasure, the contractors' staff roster and contract end;
OUT-02/03/06). Deny by default."""

from __future__ import annotations

import datetime as dt

from fastapi import Request, Response

from juki.card import (
    applications,
    call_centre_api,
    commission,
    media_api,
    printing,
    renewal,
    reports,
    signer,
    staff,
)
from juki.card.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ContractEnd,
    ContractorErasure,
    ExchangeReport,
    PrintBatchCreate,
    PrintBatchRead,
    PrintReceipt,
    PrintRetentionLine,
    PrintStop,
    PrintStopAck,
    PrintStopLine,
    StaffCreate,
    StaffRead,
    Statistics,
)
from juki.core.clock import japan_today
from juki.web.app import ApiCaller, RecordId, UoW, guarded
from juki.web.rights import needs

router = guarded(tags=["個人番号カード管理システム"])
router.include_router(media_api.router)
router.include_router(call_centre_api.router)


@router.post("/applications", status_code=201, summary="交付申請書の登録（申請書受付事業者から）")
@needs("card_applications", "update")
def receive_application(
    request: Request, body: ApplicationCreate, uow: UoW, caller: ApiCaller
) -> ApplicationRead:
    entry = applications.receive(uow, caller, body)
    request.state.audit_targets = (f"申請書ID={entry.application_id}",)
    # the commission sent at once carries the 個人番号 to the issuance contractor (C20)
    request.state.number_touched = entry.commission_number is not None
    return ApplicationRead(application_id=entry.application_id, status=entry.status)


@router.get("/signer-certificate", summary="券面事項入力補助の署名者証明書（読取りソフトウェア用）")
@needs("card_face_verify", "read")
def signer_certificate(uow: UoW) -> Response:
    """J-LIS's certificate for the card face's signature (`signer.py`), PEM: what a reader
    checks the 券面事項入力補助 application's data with (not the copy the card offers)."""
    return Response(signer.certificate(uow.session), media_type="application/x-pem-file")


@router.post("/commissions/outstanding", summary="未委託の交付申請の発行委託（移行・再送）")
@needs("card_contracts", "update")
def commission_outstanding(request: Request, uow: UoW) -> dict[str, int]:
    request.state.number_touched = True  # each commission carries a 個人番号 (C20)
    return {"commissioned": commission.commission_outstanding(uow)}


@router.post("/expiry-notices", summary="有効期限通知（更新の交付申請書）と有効期限切れの処理")
@needs("card_contracts", "update")
def expiry_notices(request: Request, uow: UoW) -> dict[str, int]:
    """Run on Japan's today: a renewal entry (a new 交付申請書, mailed by the print channel)
    for each card in use expiring within 90 days, and 有効期限切れ for each one past."""
    request.state.number_touched = True  # an expiry tells the mayor, with the 個人番号
    return renewal.run(uow, japan_today())


@router.get("/statistics", summary="処理状況の件数（統計）")
@needs("statistics", "read")
def statistics(uow: UoW) -> Statistics:
    return applications.statistics(uow.session)


@router.get("/reports/contractor-exchanges", summary="委託先とのやり取りの四半期報告（件数のみ）")
@needs("audit_review", "read")
def contractor_exchanges(quarter: str, uow: UoW) -> ExchangeReport:
    return reports.contractor_exchanges(uow.session, quarter)


# --- the print contractor's channel (000 §3.3 1-②/③; OUT-02, OUT-03, OUT-06) --------------


@router.post(
    "/print-batches", status_code=201, summary="印刷ファイルの作成（印刷事業者あて、暗号化）"
)
@needs("card_contracts", "update")
def make_print_batch(
    request: Request, body: PrintBatchCreate, uow: UoW, caller: ApiCaller
) -> PrintBatchRead:
    batch = printing.make_batch(uow, caller, body)
    request.state.audit_targets = (f"印刷ファイル={batch.id}", f"件数={batch.record_count}")
    request.state.number_touched = True
    return printing.read(uow.session, batch)


@router.get(
    "/print-batches/{batch_id}/file", summary="印刷ファイルの取得（印刷事業者）",
    response_class=Response,
)  # fmt: skip
@needs("card_print", "read")
def fetch_print_file(request: Request, batch_id: RecordId, uow: UoW, caller: ApiCaller) -> Response:
    sealed = printing.fetch(uow, caller, batch_id)
    request.state.number_touched = True  # sealed, but it carries 個人番号 (1-③)
    return Response(
        sealed, media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="print-{batch_id}.hpke"'},
    )  # fmt: skip


@router.post("/print-batches/{batch_id}/receipt", summary="印刷ファイルの受領確認（ハッシュ値）")
@needs("card_print", "update")
def confirm_print_receipt(
    batch_id: RecordId, body: PrintReceipt, uow: UoW, caller: ApiCaller
) -> PrintBatchRead:
    return printing.read(uow.session, printing.confirm_receipt(uow, caller, batch_id, body))


@router.post("/print-batches/{batch_id}/contractor-erasure", summary="印刷事業者による消去の報告")
@needs("card_print", "update")
def report_contractor_erasure(
    batch_id: RecordId, body: ContractorErasure, uow: UoW, caller: ApiCaller
) -> PrintBatchRead:
    return printing.read(uow.session, printing.report_erasure(uow, caller, batch_id, body))


@router.get("/reports/print-retention", summary="保管期間を過ぎた印刷ファイル（委託先）")
@needs("card_contracts", "read")
def print_retention(as_of: dt.date, uow: UoW) -> list[PrintRetentionLine]:
    return printing.past_retention(uow.session, as_of)


@router.get("/print-stops", summary="印刷停止の一覧（印刷事業者）")
@needs("card_print", "read")
def print_stops(uow: UoW, caller: ApiCaller, pending_only: bool = True) -> list[PrintStop]:
    return printing.stops(uow, caller, pending_only=pending_only)


@router.post("/print-stops/acknowledgements", summary="印刷停止の確認（印刷事業者）")
@needs("card_print", "update")
def acknowledge_print_stops(body: PrintStopAck, uow: UoW, caller: ApiCaller) -> list[PrintStop]:
    return printing.acknowledge_stops(uow, caller, body)


@router.get("/reports/print-stops", summary="確認されていない印刷停止（委託先）")
@needs("card_contracts", "read")
def unacknowledged_print_stops(as_of: dt.date, uow: UoW) -> list[PrintStopLine]:
    return printing.unacknowledged_stops(uow.session, as_of)


@router.post("/contractor-staff", status_code=201, summary="委託先従事者名簿への登録")
@needs("card_contracts", "update")
def add_contractor_staff(body: StaffCreate, uow: UoW, caller: ApiCaller) -> StaffRead:
    person = staff.add(uow.session, caller.audit_name, body)
    return StaffRead.model_validate(person, from_attributes=True)


@router.delete("/contractor-staff/{staff_id}", summary="委託先従事者名簿からの削除")
@needs("card_contracts", "update")
def remove_contractor_staff(staff_id: RecordId, uow: UoW, caller: ApiCaller) -> StaffRead:
    person = staff.remove(uow.session, caller.audit_name, staff_id)
    return StaffRead.model_validate(person, from_attributes=True)


@router.get("/contractor-staff", summary="委託先従事者名簿")
@needs("card_contracts", "read")
def contractor_staff(client_id: str, uow: UoW) -> list[StaffRead]:
    return [
        StaffRead.model_validate(p, from_attributes=True)
        for p in staff.roster(uow.session, client_id)
    ]


@router.post("/contracts/{client_id}/end", summary="委託契約の終了（回線切断・全消去）")
@needs("card_contracts", "update")
def end_contract(client_id: str, uow: UoW, caller: ApiCaller) -> ContractEnd:
    return printing.end_contract(uow, caller, client_id)
