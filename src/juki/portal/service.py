"""The portal's rules, over a unit of work (no HTTP).

**Log-in** (利用者証明: 公的個人認証法 第22条; never the 個人番号). A browser opens a log-in
and shows its number; the holder's app (`portal_app/`) fetches the challenge, has the card
sign it after the holder typed the PIN into the card, and presents the certificate and the
signature. The portal checks the signature itself (the card is there, not a copy of its
certificate) and asks JPKI whether the certificate is good now; J-LIS then has the network
send the portal its own 符号 for the holder against the log-in's number (as against a
処理通番). The browser that opened the log-in, and only it, then holds a session for that
holder. Each log-in is answered once and lives 5 minutes.

**情報提供等記録表示** (番号法 第23条第3項): a logged-in holder's request goes to the
network under the portal's 符号; the answer is kept sealed and shown to that holder only.
"""

from __future__ import annotations

import datetime as dt
import secrets

from sqlalchemy import select, update

from juki.core import card_auth
from juki.core.audit import log as audit
from juki.core.clock import as_utc
from juki.core.errors import Conflict, NotFound
from juki.core.infonet_messages import FugoIssued, FugoRekey
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.portal_messages import (
    PortalIdentified,
    PortalIdentify,
    RecordsAnswer,
    RecordsAsk,
)
from juki.portal.models import PortalHolder, PortalLogin, RecordsRequest

LOGIN_LIFETIME = dt.timedelta(minutes=5)  # [juki's choice]
NETWORK, JPKI = "infonet", "jpki"
WAITING = ("awaiting_card", "checking")
REFUSALS = {
    "signature": "カードの署名を確認できません。",
    "on_hold": "このカードの電子証明書は一時保留中です（カードの一時停止中）。",
    "revoked": "このカードの電子証明書は失効しています。",
    "expired": "このカードの電子証明書は有効期間が過ぎています。",
    "unknown": "このカードの電子証明書を確認できません。",
    "not_auth": "利用者証明用電子証明書をお使いください。",
}


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _log(uow: UnitOfWork, function: str, login_id: str, result: str = "ok") -> None:
    audit.record(
        uow.session,
        audit.Access(
            operator="holder", terminal="app", function=function,
            targets=(f"login={login_id}",), purpose="マイナポータルへのログイン", result=result,
        ),
    )  # fmt: skip


# --- log-in ---------------------------------------------------------------------------------


def open_login(uow: UnitOfWork) -> PortalLogin:
    opened = now()
    login = PortalLogin(
        id=secrets.token_hex(16), challenge=secrets.token_bytes(32), status="awaiting_card",
        opened_at=opened, expires_at=opened + LOGIN_LIFETIME,
    )  # fmt: skip
    uow.session.add(login)
    return login


def signed_message(login: PortalLogin) -> bytes:
    """What the card signs: the challenge bound to its log-in."""
    return f"juki portal login {login.id} ".encode() + login.challenge


def to_sign(login: PortalLogin) -> bytes:
    """The DigestInfo the app's reader sends the card (COMPUTE DIGITAL SIGNATURE)."""
    return card_auth.digest_info(signed_message(login))


def login_of(uow: UnitOfWork, login_id: str, locked: bool = False) -> PortalLogin:
    """The log-in, ended first if its time is up."""
    stmt = select(PortalLogin).where(PortalLogin.id == login_id)
    found = uow.session.scalar(stmt.with_for_update() if locked else stmt)
    if found is None:
        raise NotFound("ログインの受付が見つかりません", field="login_id")
    if found.status in (*WAITING, "ready") and as_utc(found.expires_at) <= now():
        found.status = "expired"
    return found


def present(uow: UnitOfWork, login_id: str, certificate: str, signature: str) -> PortalLogin:
    """The holder's app: the card's certificate and its signature over the challenge. Once
    per log-in: a signature that does not verify ends it."""
    login = login_of(uow, login_id, locked=True)
    if login.status != "awaiting_card":
        _log(uow, "present", login_id, "refused")
        raise Conflict("このログインの受付は使えません。画面を開き直してください", field="login_id")
    presented = card_auth.certificate_of(certificate)
    if not card_auth.signed_by(presented, signature, signed_message(login)):
        login.status, login.verdict = "refused", "signature"
        _log(uow, "present", login_id, "signature")
        return login
    login.status = "checking"
    ask = PortalIdentify(login_id=login.id, certificate=card_auth.der_text(presented))
    uow.send(JPKI, MessageType.PORTAL_IDENTIFY, ask.model_dump())
    _log(uow, "present", login_id)
    return login


def on_identified(uow: UnitOfWork, answer: PortalIdentified) -> None:
    login = uow.session.get(PortalLogin, answer.login_id, with_for_update=True)
    if login is None or login.status not in ("checking", "ready"):
        return
    login.verdict = answer.verdict
    if answer.verdict != "good" and login.status == "checking":
        login.status = "refused"


def on_fugo(uow: UnitOfWork, issued: FugoIssued) -> None:
    """The network's 符号 for the holder of a log-in being checked: the log-in is ready."""
    login = uow.session.get(PortalLogin, issued.serial, with_for_update=True)
    if login is None or login.status != "checking" or login.verdict not in (None, "good"):
        return  # not asked, refused meanwhile, or answered before
    if as_utc(login.expires_at) <= now():
        login.status = "expired"
        return
    holder = uow.session.scalars(
        select(PortalHolder).where(PortalHolder.fugo == issued.fugo)
    ).first()
    if holder is None:
        holder = PortalHolder(fugo=issued.fugo, first_at=now(), last_login_at=now())
        uow.session.add(holder)
        uow.session.flush()
    login.holder_id, login.status = holder.id, "ready"


def on_rekey(uow: UnitOfWork, rekey: FugoRekey) -> None:
    """000 P2.3b: the holder's 住民票コード changed, and with it the portal's 符号. If a
    holder under the new 符号 exists already (logged in after the change, before this
    message came), the two are one person: the old one's requests and log-ins move to it
    (never a second holder with one 符号: the handler must not fail and stall the channel)."""
    old = uow.session.scalars(
        select(PortalHolder).where(PortalHolder.fugo == rekey.old_fugo)
    ).first()
    if old is None:
        return
    new = uow.session.scalars(
        select(PortalHolder).where(PortalHolder.fugo == rekey.new_fugo)
    ).first()
    if new is None:
        old.fugo = rekey.new_fugo
        return
    for model in (RecordsRequest, PortalLogin):
        uow.session.execute(
            update(model)
            .where(model.holder_id == old.id)
            .values(holder_id=new.id)
            .execution_options(synchronize_session=False)
        )
    uow.session.delete(old)


def finish(uow: UnitOfWork, login_id: str) -> tuple[PortalLogin, bool]:
    """The browser that opened the log-in takes it, once, when it is ready: true only for
    the request that took it (a second request with the same session gets nothing)."""
    login = login_of(uow, login_id, locked=True)
    if login.status != "ready" or login.holder_id is None:
        return login, False
    taken = uow.session.execute(
        update(PortalLogin)
        .where(PortalLogin.id == login_id, PortalLogin.status == "ready")
        .values(status="used")
        .execution_options(synchronize_session=False)
    )
    if taken.rowcount != 1:  # type: ignore[attr-defined]
        return login, False
    login.status = "used"
    holder = uow.session.get(PortalHolder, login.holder_id)
    assert holder is not None
    holder.last_login_at = now()
    _log(uow, "login", login_id)
    return login, True


# --- 情報提供等記録表示 -------------------------------------------------------------------------


def ask_records(uow: UnitOfWork, holder_id: int) -> RecordsRequest:
    holder = uow.session.get(PortalHolder, holder_id)
    if holder is None:
        raise NotFound("利用者が見つかりません", field="holder")
    request = RecordsRequest(id=secrets.token_hex(16), holder_id=holder_id, asked_at=now())
    uow.session.add(request)
    ask = RecordsAsk(ask_id=request.id, fugo=holder.fugo)
    uow.send(NETWORK, MessageType.PORTAL_RECORDS_ASK, ask.model_dump())
    return request


def on_records(uow: UnitOfWork, answer: RecordsAnswer) -> None:
    request = uow.session.get(RecordsRequest, answer.ask_id)
    if request is None or request.answered_at is not None:
        return
    request.answer, request.answered_at = answer.model_dump_json(), now()


def records_of(uow: UnitOfWork, holder_id: int, ask_id: str) -> RecordsAnswer | None:
    """The answer to the holder's own request (None while it is on its way); another
    holder's request is "not found", as one that never existed."""
    request = uow.session.get(RecordsRequest, ask_id)
    if request is None or request.holder_id != holder_id:
        raise NotFound("照会が見つかりません", field="ask_id")
    if request.answer is None:
        return None
    return RecordsAnswer.model_validate_json(request.answer)
