"""利用者・権限の管理: the administrator's pages (000 AUTH-01, ACL-01..05).

Accounts for named persons, their suspension, retirement and unlock, the one-time
enrolment code for an authenticator, the TOTP fallback with reason and expiry, rights per
duty requested by one person (with the written application's reference, 002 REQ-AUTH-03)
and approved by another, the semi-annual user-list export and the monthly
privileged-activity report. The rules are in `core/operators`; every
change is written to the audit log there, in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.clock import as_utc
from juki.core.console import access_of
from juki.core.errors import InvalidInput, JukiError
from juki.core.messaging.node import UnitOfWork
from juki.core.operators import accounts, reports, rights, second_factor
from juki.core.operators.accounts import Actor, Policy
from juki.core.operators.duties import ACCESS_NAMES, duties_for
from juki.core.operators.tables import Operator, OperatorRight
from juki.core.web import RecordId, UoW
from juki.registry.console.render import base_of, page
from juki.registry.console.session import Clerk, ClerkSession, Form

router = APIRouter()


def _actor(clerk: ClerkSession) -> Actor:
    return Actor(clerk.login, clerk.terminal)


def _listing(uow: UnitOfWork) -> dict[str, Any]:
    db = uow.session
    people = []
    for operator in db.scalars(select(Operator).order_by(Operator.login)):
        held = db.scalars(
            select(OperatorRight).where(
                OperatorRight.operator_id == operator.id, OperatorRight.status == "granted"
            )
        )
        grant = second_factor.active_grant(db, operator)
        people.append(
            {
                "op": operator,
                "rights": list(held),
                "locked": operator.locked_until is not None
                and as_utc(operator.locked_until) > accounts.now(),
                "totp_until": grant.expires_at if grant else None,
                "webauthn": len(second_factor.credential_ids(db, operator)),
            }
        )
    return {"people": people, "pending": rights.pending(db)}


def _page(
    request: Request,
    clerk: ClerkSession,
    uow: UnitOfWork,
    status: int = 200,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    role = request.app.state.node.role
    return page(
        request, "operators.html", "利用者・権限の管理", clerk, status,
        errors=errors or {}, notice=notice, values=values or {}, duties=duties_for(role),
        access_names=ACCESS_NAMES, statuses=reports.STATUS_NAMES,
        affiliation_of=reports.affiliation_of,
        application_ref_required=rights.application_ref_required(role), **_listing(uow),
    )  # fmt: skip


@router.get("/operators", response_class=HTMLResponse)
def operators_page(request: Request, clerk: Clerk, uow: UoW) -> HTMLResponse:
    return _page(request, clerk, uow)


def _run(
    request: Request,
    clerk: ClerkSession,
    fields: dict[str, str],
    action: Callable[[UnitOfWork], str | None],
) -> Response:
    """Run one administrative action in its own unit of work. On success the page shows
    the action's notice (e.g. an enrolment code, shown once); on a broken rule nothing is
    stored, the refusal is logged and the message is shown by the field at fault."""
    node = request.app.state.node
    try:
        with node.unit_of_work() as uow:
            notice = action(uow)
    except JukiError as refused:
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
            if isinstance(refused, accounts.NotAdministrator):
                # The service's own entry (operators.*, which the privileged-activity
                # report lists) went with the rolled-back transaction: keep it.
                audit.record(uow.session, refused.access)
            # The field at fault is not filled in again: it may hold what must not be
            # shown back (a 個人番号 typed as an application's reference).
            kept = {k: v for k, v in fields.items() if k != refused.field}
            return _page(
                request, clerk, uow, refused.status,
                {refused.field or "_form": refused.message}, values=kept,
            )  # fmt: skip
    if notice is None:
        return RedirectResponse(f"{base_of(request)}/operators", status_code=303)
    with node.unit_of_work() as uow:
        return _page(request, clerk, uow, notice=notice)


@router.post("/operators", response_class=HTMLResponse)
def create(request: Request, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> str:
        operator, code = accounts.create_operator(
            uow.session, _actor(clerk), login=fields.get("login", ""),
            person_name=fields.get("person_name", ""),
            employee_no=fields.get("employee_no", "").strip(),
            password=fields.get("password", ""), section=fields.get("section", ""),
            contractor=_contractor(fields), policy=Policy.from_env(),
        )  # fmt: skip
        return f"{operator.login} を登録しました。登録コード（本人に手渡し、24時間有効）: {code}"

    return _run(request, clerk, fields, action)


def _contractor(fields: dict[str, str]) -> accounts.Contractor | None:
    """A contractor's staff member (委託先): the contractor, and the pledge if received."""
    if fields.get("affiliation") != "contractor":
        return None
    return accounts.Contractor(
        fields.get("contractor_name", ""), _date(fields.get("pledge_on", ""), "pledge_on")
    )


def _date(text: str, field: str) -> dt.date | None:
    if not text.strip():
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidInput("日付は YYYY-MM-DD で入力してください", field=field) from None


def _pledge(db: Any, actor: Actor, login: str, f: dict[str, str]) -> Any:
    received = _date(f.get("pledge_on", ""), "pledge_on")
    if received is None:
        raise InvalidInput("誓約書の受領日を入力してください", field="pledge_on")
    return accounts.record_pledge(db, actor, login, received)


ACCOUNT_ACTIONS: dict[str, Callable[[Any, Actor, str, dict[str, str]], Any]] = {
    "suspend": lambda db, actor, login, f: accounts.suspend(db, actor, login, f.get("reason", "")),
    "resume": lambda db, actor, login, f: accounts.resume(db, actor, login),
    "retire": lambda db, actor, login, f: accounts.retire(db, actor, login, f.get("reason", "")),
    "unlock": lambda db, actor, login, f: accounts.unlock(db, actor, login),
    "pledge": _pledge,
    "totp-revoke": lambda db, actor, login, f: second_factor.revoke_totp(db, actor, login),
}


@router.post("/operators/{login}/{step}", response_class=HTMLResponse)
def account_action(request: Request, login: str, step: str, clerk: Clerk, fields: Form) -> Response:
    keys = request.app.state.node.keys

    def action(uow: UnitOfWork) -> str | None:
        actor = _actor(clerk)
        if step == "enrolment":
            code = accounts.issue_enrolment(uow.session, actor, login)
            return f"{login} の登録コード（本人に手渡し、24時間有効）: {code}"
        if step == "totp":
            days = fields.get("days", "30")
            if not days.isdigit():
                raise InvalidInput("有効期間は日数で入力してください", field="days")
            _grant, uri = second_factor.grant_totp(
                uow.session, keys, actor, login=login, reason=fields.get("reason", ""),
                days=int(days),
            )  # fmt: skip
            return f"{login} にワンタイムパスワードを許可しました。認証アプリに登録: {uri}"
        if step not in ACCOUNT_ACTIONS:
            raise InvalidInput("操作が正しくありません", field="step")
        ACCOUNT_ACTIONS[step](uow.session, actor, login, fields)
        return None

    return _run(request, clerk, fields, action)


@router.post("/operators-rights", response_class=HTMLResponse)
def request_right(request: Request, clerk: Clerk, fields: Form) -> Response:
    role = request.app.state.node.role

    def action(uow: UnitOfWork) -> None:
        rights.request_right(
            uow.session, _actor(clerk), role, login=fields.get("login", ""),
            duty=fields.get("duty", ""), access=fields.get("access", ""),
            reason=fields.get("reason", ""),
            application_ref=fields.get("application_ref", ""),
        )  # fmt: skip

    return _run(request, clerk, fields, action)


@router.post("/operators-rights/{right_id}/{step}", response_class=HTMLResponse)
def decide_right(
    request: Request, right_id: RecordId, step: str, clerk: Clerk, fields: Form
) -> Response:
    def action(uow: UnitOfWork) -> None:
        actor = _actor(clerk)
        if step in ("approve", "refuse"):
            role = request.app.state.node.role
            rights.decide(uow.session, actor, role, right_id, approve=step == "approve")
        elif step == "revoke":
            rights.revoke(uow.session, actor, right_id, fields.get("reason", ""))
        else:
            raise InvalidInput("操作が正しくありません", field="step")

    return _run(request, clerk, fields, action)


@router.get("/operators-report/users.csv")
def user_list(request: Request, clerk: Clerk, uow: UoW) -> Response:
    """The semi-annual user-list export (000 ACL-05); the export itself is logged."""
    audit.record(uow.session, access_of(request))
    outputs.record_output(
        uow.session, operator=clerk.login, terminal=clerk.terminal, form="利用者一覧（CSV）",
        targets=(), purpose="利用者の定期確認",
    )  # fmt: skip
    body = "\ufeff" + reports.user_list_csv(uow.session)  # BOM: opens in Excel as UTF-8
    today = dt.date.today().isoformat()
    return Response(
        body.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="users-{today}.csv"'},
    )


@router.get("/operators-report/privileged", response_class=HTMLResponse)
def privileged_report(request: Request, clerk: Clerk, uow: UoW, month: str = "") -> HTMLResponse:
    """The monthly privileged-activity report (000 ACL-04)."""
    try:
        first = dt.date.fromisoformat(f"{month}-01") if month else dt.date.today().replace(day=1)
    except ValueError:
        first = dt.date.today().replace(day=1)
    audit.record(uow.session, access_of(request))
    lines = reports.privileged_activity(uow.session, first)
    return page(
        request, "privileged.html", "特権操作の報告（月次）", clerk,
        lines=lines, month=first.strftime("%Y-%m"),
    )  # fmt: skip


# --- one's own account ------------------------------------------------------------------------


@router.get("/account", response_class=HTMLResponse)
def account_page(request: Request, clerk: Clerk) -> HTMLResponse:
    return page(request, "account.html", "パスワードの変更", clerk, errors={})


@router.post("/account", response_class=HTMLResponse)
def change_password(request: Request, clerk: Clerk, fields: Form) -> Response:
    try:
        with request.app.state.node.unit_of_work() as uow:
            operator = accounts.require(uow.session, clerk.login)
            accounts.change_password(
                uow.session, operator, fields.get("old_password", ""),
                fields.get("new_password", ""), Policy.from_env(),
            )  # fmt: skip
            epoch = operator.session_epoch
    except JukiError as refused:
        errors = {refused.field or "_form": refused.message}
        return page(
            request, "account.html", "パスワードの変更", clerk, refused.status, errors=errors
        )
    request.session["epoch"] = epoch  # this session goes on; the others end
    return RedirectResponse(f"{base_of(request)}/", status_code=303)
