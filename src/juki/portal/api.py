"""The portal's API for the holder's app (マイナポータルアプリ, `portal_app/`): read a
log-in's challenge, and present the card's certificate and signature over it. Public: no
account stands behind the app — the card's signature, made after its PIN, is the
credential, and the log-in's number a one-time bearer that lives 5 minutes."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from pydantic import BaseModel, Field

from juki.core.infonet_messages import SERIAL
from juki.portal import service
from juki.portal.models import PortalLogin
from juki.web.app import UoW
from juki.web.rights import public

router = APIRouter(prefix="/app", tags=["マイナポータルアプリ"])
LoginId = Annotated[str, Path(pattern=SERIAL, description="ログイン番号")]
WHY = "the holder's app: the card's signature over the log-in's challenge is the credential"


class LoginView(BaseModel):
    login_id: str
    status: str
    to_sign: str | None = None  # hex DigestInfo, while the card is awaited
    refused: str | None = None


class Presentation(BaseModel):
    certificate: str = Field(min_length=100, max_length=4000)  # DER, base64
    signature: str = Field(min_length=100, max_length=1000)  # base64


def _view(login: PortalLogin) -> LoginView:
    return LoginView(
        login_id=login.id, status=login.status,
        to_sign=service.to_sign(login).hex() if login.status == "awaiting_card" else None,
        refused=service.REFUSALS.get(login.verdict or "") if login.status == "refused" else None,
    )  # fmt: skip


@router.get("/logins/{login_id}", summary="ログインの受付（カードに署名させる値）")
@public(WHY)
def login(login_id: LoginId, uow: UoW) -> LoginView:
    return _view(service.login_of(uow, login_id))


@router.post("/logins/{login_id}/presentation", summary="カードの利用者証明用電子証明書と署名")
@public(WHY)
def present(login_id: LoginId, body: Presentation, uow: UoW) -> LoginView:
    return _view(service.present(uow, login_id, body.certificate, body.signature))
