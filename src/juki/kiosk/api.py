"""The 証明書交付センター's API for kiosk terminals (001b I-26: S13 → S12), each a registered
API client with the `kiosk_terminal` right. Thin: the rules are in `service.py`. Deny by
default; a session is visible only to the terminal system that opened it."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path, Request

from juki.kiosk import service
from juki.kiosk.models import KioskSession
from juki.kiosk.schemas import Collected, Presentation, SessionOpen, SessionView
from juki.web.app import ApiCaller, UoW, guarded
from juki.web.rights import needs

router = guarded(tags=["証明書交付センター"])
SessionId = Annotated[str, Path(pattern=r"^[0-9a-f]{32}$", description="受付番号")]


def _view(kiosk_session: KioskSession, *, with_challenge: bool = False) -> SessionView:
    return SessionView(
        session_id=kiosk_session.id, status=kiosk_session.status,
        to_sign=service.digest_info(kiosk_session).hex() if with_challenge else None,
        expires_at=kiosk_session.expires_at, refused_reason=kiosk_session.refused_reason,
        issue_no=kiosk_session.issue_no, fee_yen=kiosk_session.fee_yen,
    )  # fmt: skip


@router.post("/sessions", status_code=201, summary="受付の開始（カードに署名させる値）")
@needs("kiosk_terminal", "update")
def open_session(body: SessionOpen, uow: UoW, caller: ApiCaller) -> SessionView:
    return _view(service.open_session(uow, caller, body), with_challenge=True)


@router.post("/sessions/{session_id}/presentation", status_code=202,
             summary="利用者証明用電子証明書と署名、交付を求める証明書")  # fmt: skip
@needs("kiosk_terminal", "update")
def present(session_id: SessionId, body: Presentation, uow: UoW, caller: ApiCaller) -> SessionView:
    return _view(service.present(uow, caller, session_id, body))


@router.get("/sessions/{session_id}", summary="受付の状況")
@needs("kiosk_terminal", "read")
def status(session_id: SessionId, uow: UoW, caller: ApiCaller) -> SessionView:
    return _view(service.status(uow, caller, session_id))


@router.post("/sessions/{session_id}/collection", summary="証明書（暗号化PDF）の受取り（一度だけ）")
@needs("kiosk_terminal", "update")
def collect(session_id: SessionId, uow: UoW, caller: ApiCaller, request: Request) -> Collected:
    kiosk_session, sealed = service.collect(uow, caller, session_id)
    return Collected(
        session_id=kiosk_session.id, issue_no=kiosk_session.issue_no or "",
        fee_yen=kiosk_session.fee_yen or 0, sealed_pdf=sealed,
    )  # fmt: skip
