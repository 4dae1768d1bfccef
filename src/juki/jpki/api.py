"""JPKI's API for relying parties (署名検証者・利用者証明検証者, 公的個人認証法 第17条,
第36条: only those J-LIS has agreed with may ask, so each is a registered API client with
the `jpki_verify` right): the two CA certificates, each CA's CRL, and the OCSP responder
(RFC 6960 over HTTP POST, Appendix A.1). J-LIS's own use: a serial to the holder's latest
住民票コード (000 §6.4, `jpki_serial_index`). Deny by default."""

from __future__ import annotations

from typing import Annotated, Literal

from cryptography.hazmat.primitives.serialization import Encoding
from fastapi import Depends, Path, Request, Response
from pydantic import BaseModel, ConfigDict, Field

from juki.jpki import service, status
from juki.jpki.authority import authority
from juki.web.app import ApiCaller, UoW, guarded
from juki.web.rights import needs

router = guarded(tags=["公的個人認証サービス"])
Kind = Annotated[Literal["sign", "auth"], Path(description="sign: 署名用, auth: 利用者証明用")]
Serial = Annotated[str, Path(pattern=r"^[0-9a-fA-F]{1,40}$", description="シリアル番号 (16進)")]
OCSP_BODY_LIMIT = 10_000


class SerialHolder(BaseModel):
    serial: str
    resident_code: str


@router.get("/authorities/{kind}", summary="認証局の自己署名証明書 (PEM)")
@needs("jpki_verify", "read")
def ca_certificate(kind: Kind, uow: UoW) -> Response:
    pem = authority(uow.session, kind).certificate.public_bytes(Encoding.PEM)
    return Response(pem, media_type="application/x-pem-file")


@router.get("/crl/{kind}", summary="失効情報ファイル (CRL, DER)")
@needs("jpki_verify", "read")
def revocation_list(kind: Kind, uow: UoW) -> Response:
    return Response(status.crl(uow.session, kind), media_type="application/pkix-crl")


async def _request_body(request: Request) -> bytes:
    """The raw DER body (read here so that the route itself runs in the thread pool, as
    every route does that touches the database)."""
    return await request.body()


@router.post("/ocsp", summary="失効情報の提供 (OCSP, RFC 6960)")
@needs("jpki_verify", "read", read_by_post="RFC 6960 A.1: an OCSP request is POSTed")
def ocsp(body: Annotated[bytes, Depends(_request_body)], uow: UoW) -> Response:
    answer = status.ocsp_answer(uow.session, body[:OCSP_BODY_LIMIT])
    return Response(answer, media_type="application/ocsp-response")


class HoldCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    card_issue_number: str = Field(pattern=r"^[0-9A-F]{16}$")
    reason: str = Field(min_length=1, max_length=200)


class HoldRead(BaseModel):
    card_issue_number: str
    held: int  # certificates put on hold now


@router.post("/holds", status_code=201, summary="電子証明書の一時保留（コールセンターから）")
@needs("jpki_hold", "update")
def hold(body: HoldCreate, uow: UoW, caller: ApiCaller, request: Request) -> HoldRead:
    request.state.audit_targets = (f"カード発行番号={body.card_issue_number}",)
    who = f"{caller.operator}@{caller.client_id}"
    held = service.hold_for_call_centre(uow.session, body.card_issue_number, body.reason, who)
    return HoldRead(card_issue_number=body.card_issue_number, held=held)


@router.get("/certificates/{serial}/resident", summary="シリアル番号から最新の住民票コード")
@needs("jpki_serial_index", "read")
def resident_of(serial: Serial, uow: UoW, request: Request) -> SerialHolder:
    request.state.audit_targets = (f"シリアル番号={serial.lower()}",)
    return SerialHolder(
        serial=serial.lower(), resident_code=service.resident_of(uow.session, serial)
    )
