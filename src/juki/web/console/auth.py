"""Log-in: a password, then a second factor (000 AUTH-01/02).

1. POST /login checks the password (argon2id; failures count towards the lockout).
2. /login/second offers what the account has: WebAuthn with user verification (the
   authenticator's fingerprint, face or PIN stands for the PIAs' 生体認証), or a TOTP code
   where an administrator granted that fallback. A new operator registers an authenticator
   here with the one-time enrolment code the administrator handed over.
3. Only then is the session started. Every step, failed ones too, is in the audit log
   (認証履歴). Wrong second factors count towards the lockout on a counter of their own,
   and a locked account's codes are not checked at all (issue #14). Failed steps from one
   client address are throttled whatever the login (`throttle.py`).
4. POST /logout ends it (the form's CSRF token proves the session's own page sent it).

The same routes serve every node's console (registry, CS …): each node's templates and
audit purpose come from its `ConsoleSite` (`request.app.state.console`). The log-in pages
are public (`web/rights.py`): no operator is known before them.

WebAuthn needs a little JavaScript (the browser API has no form equivalent): the page
carries the options as JSON, `static/webauthn.js` calls the authenticator and posts its
answer in an ordinary form. Routes are sync: argon2 takes tens of milliseconds.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.errors import JukiError
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators import accounts, second_factor
from juki.duties.operators.accounts import AuthRefused, Policy
from juki.duties.operators.tables import Operator
from juki.web.console import relying_party, session
from juki.web.console.render import base_of, page
from juki.web.console.site import SiteClerk
from juki.web.console.throttle import LoginThrottle
from juki.web.rights import logged_in, public

router = APIRouter()
LOG_IN = "the log-in itself: no operator is known before it"


async def _posted(request: Request) -> dict[str, str]:
    return {k: v for k, v in (await request.form()).items() if isinstance(v, str)}


Posted = Annotated[dict[str, str], Depends(_posted)]


def _policy(request: Request) -> Policy:
    policy: Policy = getattr(request.app.state, "login_policy", None) or Policy.from_env()
    return policy


THROTTLED = "この端末からの失敗が続いたため、しばらくログインできません。時間をおいてください"


def _throttle(request: Request) -> LoginThrottle:
    throttle: LoginThrottle = request.app.state.login_throttle
    return throttle


def _client(request: Request) -> str:
    return request.client.host if request.client else "-"


def _relying_party(request: Request) -> tuple[str, str]:
    """WebAuthn's RP ID and expected origin: where the node's console is configured to be
    served (`relying_party.py`), never what the request's Host says."""
    configured = relying_party.of_request(request)
    return configured.rp_id, configured.origin


def _log(db: Session, login: str, terminal: str, function: str, result: str) -> None:
    attempt = audit.Access(
        operator=login[:40] or "-", terminal=terminal[:40] or "-", function=function,
        purpose="認証", result=result,
    )  # fmt: skip
    audit.record(db, attempt)


def _redirect(request: Request, path: str) -> RedirectResponse:
    return RedirectResponse(f"{base_of(request)}{path}", status_code=303)


# --- step 1: password -------------------------------------------------------------------------


@router.get("/login", response_class=HTMLResponse)
@public(LOG_IN)
def login_form(request: Request) -> HTMLResponse:
    return _login_page(request, 200, {}, "")


def _login_page(
    request: Request, status: int, errors: dict[str, str], login_id: str, terminal: str = ""
) -> HTMLResponse:
    return page(
        request, "login.html", "ログイン", None, status, errors=errors, login=login_id,
        terminal=terminal or "counter-01", token=session.login_token(request),
    )  # fmt: skip


@router.post("/login", response_class=HTMLResponse)
@public(LOG_IN)
def login(request: Request, fields: Posted) -> Response:
    session.check_login_token(request, fields.get("csrf", ""))
    login_id = fields.get("login", "").strip().lower()
    terminal = (fields.get("terminal", "") or "counter-01")[:40]
    if not _throttle(request).allows(_client(request)):
        with request.app.state.node.unit_of_work() as uow:
            _log(uow.session, login_id, terminal, "login.password", "throttled")
        return _login_page(request, 429, {"login": THROTTLED}, login_id, terminal)
    error: AuthRefused | None = None
    with request.app.state.node.unit_of_work() as uow:
        try:
            operator = accounts.check_password(
                uow.session, login_id, fields.get("password", ""), _policy(request)
            )
            epoch = operator.session_epoch
            _log(uow.session, login_id, terminal, "login.password", "ok")
        except AuthRefused as refused:
            _log(uow.session, login_id, terminal, "login.password", refused.code)
            error = refused
    if error is not None:  # the failure count above is committed
        _throttle(request).failed(_client(request))
        field = error.field if error.field in ("login", "password") else "password"
        return _login_page(request, 401, {field: error.message}, login_id, terminal)
    session.begin_second_step(request, login_id, epoch, terminal)
    return _redirect(request, "/login/second")


# --- step 2: second factor --------------------------------------------------------------------


def _pending(request: Request) -> tuple[str, int]:
    pending = session.pending_login(request)
    if pending is None:
        raise session.LoginRequired
    return pending


def _pending_operator(request: Request, db: Session) -> Operator:
    login_id, epoch = _pending(request)
    operator = accounts.still_valid(db, login_id, epoch)
    if operator is None:
        raise session.LoginRequired
    return operator


@router.get("/login/second", response_class=HTMLResponse)
@public(LOG_IN)
def second_form(request: Request) -> HTMLResponse:
    return _second_page(request, 200, {})


def _second_page(request: Request, status: int, errors: dict[str, str]) -> HTMLResponse:
    rp_id, _origin = _relying_party(request)
    with request.app.state.node.unit_of_work() as uow:
        operator = _pending_operator(request, uow.session)
        credentials = second_factor.credential_ids(uow.session, operator)
        totp = second_factor.active_grant(uow.session, operator) is not None
        name = operator.person_name
    options = None
    if credentials:
        options, challenge = second_factor.authentication_options(rp_id, credentials)
        request.session["challenge"] = challenge
    return page(
        request, "login_second.html", "本人確認（第二要素）", None, status, errors=errors,
        options=options, totp=totp, person=name, token=session.login_token(request),
    )  # fmt: skip


Check = Callable[[UnitOfWork, Operator], None]


def _second_step(request: Request, fields: dict[str, str], function: str, check: Check) -> Response:
    """Run one second-factor check; on success the session starts, on failure the
    lockout count grows and the page is shown again with the message."""
    session.check_login_token(request, fields.get("csrf", ""))
    terminal = str(request.session.get("terminal", "-"))
    if not _throttle(request).allows(_client(request)):
        with request.app.state.node.unit_of_work() as uow:
            _log(uow.session, _pending(request)[0], terminal, function, "throttled")
        return _second_page(request, 429, {"credential": THROTTLED})
    with request.app.state.node.unit_of_work() as uow:
        operator = _pending_operator(request, uow.session)
        try:
            accounts.refuse_if_locked(operator, field="credential")  # before any check
            check(uow, operator)
        except JukiError as refused:
            if refused.code != "locked":
                accounts.count_second_factor_failure(operator, _policy(request), accounts.now())
            result = "locked" if refused.code == "locked" else "refused"
            _log(uow.session, operator.login, terminal, function, result)
            error: JukiError | None = refused
        else:
            accounts.logged_in(operator)
            _log(uow.session, operator.login, terminal, function, "ok")
            error = None
        started = (operator.login, operator.session_epoch, operator.person_name)
    if error is not None:
        _throttle(request).failed(_client(request))
        return _second_page(request, 401, {error.field or "credential": error.message})
    session.start(request, *started, terminal=terminal)
    return _redirect(request, "/")


@router.post("/login/webauthn")
@public(LOG_IN)
def login_webauthn(request: Request, fields: Posted) -> Response:
    rp_id, origin = _relying_party(request)
    challenge = session.take(request, "challenge")

    def check(uow: UnitOfWork, operator: Operator) -> None:
        answer = fields.get("credential", "")
        second_factor.verify_assertion(uow.session, operator, answer, challenge, rp_id, origin)

    return _second_step(request, fields, "login.webauthn", check)


@router.post("/login/totp")
@public(LOG_IN)
def login_totp(request: Request, fields: Posted) -> Response:
    keys = request.app.state.node.keys

    def check(uow: UnitOfWork, operator: Operator) -> None:
        second_factor.verify_totp(uow.session, keys, operator, fields.get("totp", ""))

    return _second_step(request, fields, "login.totp", check)


# --- enrolment of an authenticator ------------------------------------------------------------


@router.post("/login/enrol", response_class=HTMLResponse)
@public(LOG_IN)
def enrol(request: Request, fields: Posted) -> Response:
    """With the one-time enrolment code: show the registration ceremony. The code is spent
    only when an authenticator is registered with it."""
    session.check_login_token(request, fields.get("csrf", ""))
    rp_id, _origin = _relying_party(request)
    terminal = str(request.session.get("terminal", "-"))
    with request.app.state.node.unit_of_work() as uow:
        operator = _pending_operator(request, uow.session)
        try:
            code = fields.get("enrolment_code", "")
            code_id = accounts.check_enrolment(uow.session, operator, code)
        except AuthRefused as refused:
            accounts.count_failure(operator, _policy(request), accounts.now())
            _log(uow.session, operator.login, terminal, "login.enrol", "refused")
            error: AuthRefused | None = refused
        else:
            error = None
            existing = second_factor.credential_ids(uow.session, operator)
            options, challenge = second_factor.registration_options(operator, rp_id, existing)
    if error is not None:
        return _second_page(request, 401, {"enrolment_code": error.message})
    request.session["challenge"], request.session["enrolment"] = challenge, code_id
    return page(
        request, "login_enrol.html", "認証器の登録", None, 200, errors={},
        options=options, token=session.login_token(request),
    )  # fmt: skip


@router.post("/login/enrol/finish")
@public(LOG_IN)
def enrol_finish(request: Request, fields: Posted) -> Response:
    rp_id, origin = _relying_party(request)
    challenge = session.take(request, "challenge")
    code_id = int(session.take(request, "enrolment") or 0)

    def check(uow: UnitOfWork, operator: Operator) -> None:
        second_factor.verify_registration(
            uow.session, operator, code_id, fields.get("credential", ""), challenge, rp_id, origin
        )

    return _second_step(request, fields, "login.enrol", check)


# --- log-out ----------------------------------------------------------------------------------


@router.post("/logout")
@logged_in
def logout(request: Request, clerk: SiteClerk, _form: session.Form) -> RedirectResponse:
    with request.app.state.node.unit_of_work() as uow:
        _log(uow.session, clerk.login, clerk.terminal, "logout", "ok")
    session.end(request)
    return _redirect(request, "/login")
