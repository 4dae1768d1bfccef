"""特例転入 (住基法 24条の2): ask the former municipality for the 転出証明書情報, then
record the 転入 from it."""

from __future__ import annotations

from fastapi import APIRouter, Response

from juki.core.ids import mask_individual_number
from juki.registry.api.reads import CHECKED, Pending, event_read, take
from juki.registry.residents.schemas import EventRead
from juki.registry.transfers import service as transfers
from juki.registry.transfers.schemas import CertificateRequestBody, SpecialMoveInNotice
from juki.web.app import ApiCaller, UoW
from juki.web.rights import needs

router = APIRouter()


@router.post(
    "/move-out-certificate-requests", status_code=201, summary="転出証明書情報の送信依頼 (特例転入)"
)
@needs("resident_records", "update")
def request_certificate(body: CertificateRequestBody, uow: UoW) -> dict[str, str]:
    request_id = transfers.request_certificate(uow, body.identity_confirmation_id, body.clerk_login)
    return {"request_id": request_id}


@router.get("/move-out-certificate-requests/{request_id}", summary="転出証明書情報の受信状況")
@needs("resident_records", "read")
def certificate_request(request_id: str, uow: UoW) -> dict[str, object]:
    record = transfers.request_status(uow, request_id)
    body: dict[str, object] = {"status": record.status, "error_code": record.error_code}
    if record.status == "received":
        certificate = transfers.certificate_of(uow, request_id)
        masked = mask_individual_number(certificate.individual_number)
        body["certificate"] = certificate.model_dump(mode="json") | {"individual_number": masked}
    return body


@router.post(
    "/move-ins/special", status_code=201, summary="特例転入 (転出証明書情報による転入)" + CHECKED
)
@needs("resident_records", "update")
def special_move_in(
    notice: SpecialMoveInNotice, uow: UoW, caller: ApiCaller, response: Response
) -> EventRead | Pending:
    return take(uow, caller, response, transfers.record_special_move_in, notice, event_read)
