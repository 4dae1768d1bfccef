"""利用者・権限の管理, the one page every console that mounts `router` shares (the registry,
the prefecture, the national server and the card system; 000 AUTH-01/02, ACL-01..05):

- the node's users with their rights and second factors, and the semi-annual user list as
  CSV (ACL-05, in the output log);
- a person's account (AUTH-01: one named person, one ID) — a contractor's staff member's
  usable only once their written pledge is received (001a USE-3-3) — with a one-time
  enrolment code for their authenticator, issued again on request;
- suspension and resumption, retirement on transfer or retirement (ACL-03, 002 REQ-AUTH-04:
  the ID invalidated and every right revoked; a running session ends at its next request),
  unlock after failed log-ins;
- the TOTP fallback, granted with a reason and an expiry, and its revocation (AUTH-02,
  002 REQ-AUTH-01: the recorded exemption);
- rights per duty requested by one administrator and approved or refused by another
  (ACL-01/02; 002 REQ-AUTH-03: on the written application, whose reference is kept with
  the right), revoked with a reason (ACL-03);
- the monthly privileged-activity report (ACL-04);
- and, for every logged-in operator, the change of their own password (`/account`).

Routes are thin: the rules live in `duties/operators` — who may act (an active holder of
account_admin with update at this node, never on their own ID) is checked there whatever
the entry point, and every step is written to the audit log in the same transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.clock import as_utc, japan_today
from juki.core.crypto import FieldKeys
from juki.core.errors import InvalidInput, JukiError
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators import accounts, reports, rights, second_factor
from juki.duties.operators.accounts import Actor, Policy
from juki.duties.operators.duties import ACCESS_NAMES, duties_for
from juki.duties.operators.tables import Operator, OperatorRight
from juki.web.app import RecordId
from juki.web.console import access_of
from juki.web.console.render import base_of, page
from juki.web.console.session import ClerkSession, Form
from juki.web.console.site import SiteClerk
from juki.web.rights import logged_in, needs

# The list, the CSV and the privileged report need account_admin read (an auditor may look);
# every change account_admin update, checked again by the service (ACL-02). One's own
# password: anyone logged in to this console (the service checks the old one).
TITLE = "利用者・権限の管理"
TITLE_PRIVILEGED = "特権操作の報告（月次）"
TITLE_ACCOUNT = "パスワードの変更"
router = APIRouter()


def _actor(clerk: ClerkSession) -> Actor:
    return Actor(clerk.login, clerk.terminal)


def _people(uow: UnitOfWork) -> list[dict[str, Any]]:
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
    return people


def _page(
    request: Request,
    clerk: ClerkSession,
    uow: UnitOfWork,
    status: int = 200,
    errors: dict[str, str] | None = None,
    notice: str | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    return page(
        request, "operator_admin.html", TITLE, clerk, status, errors=errors or {},
        notice=notice, values=values or {}, duties=duties_for(request.app.state.node.role),
        access_names=ACCESS_NAMES, statuses=reports.STATUS_NAMES,
        affiliation_of=reports.affiliation_of, people=_people(uow),
        pending=rights.pending(uow.session),
        application_ref_required=rights.application_ref_required(request.app.state.node.role),
    )  # fmt: skip


@router.get("/operators", response_class=HTMLResponse)
@needs("account_admin", "read")
def operators_page(request: Request, clerk: SiteClerk) -> HTMLResponse:
    with request.app.state.node.unit_of_work() as uow:
        audit.record(uow.session, access_of(request))
        return _page(request, clerk, uow)


def _run(
    request: Request,
    clerk: ClerkSession,
    fields: dict[str, str],
    action: Callable[[UnitOfWork], str | None],
    field_names: Mapping[str, str] | None = None,
    *,
    from_row: bool = False,
) -> Response:
    """One administrative step in its own unit of work. On success the page shows the
    step's notice (an enrolment code is shown once) or, with none, the list again; on a
    broken rule nothing is stored, the refusal is logged and its message is shown by the
    field at fault (`field_names`: the service's name for a field → the form's, where they
    differ) or, for a step posted from a person's row (`from_row`), above the page."""
    node = request.app.state.node
    try:
        with node.unit_of_work() as uow:
            notice = action(uow)
    except JukiError as refused:
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
            if isinstance(refused, accounts.NotAdministrator):
                # The service's own entry (operators.*, in the privileged-activity report)
                # went with the rolled-back transaction: keep it.
                audit.record(uow.session, refused.access)
            errors, values = _refusal_shown(refused, fields, field_names, from_row)
            return _page(request, clerk, uow, refused.status, errors, values=values)
    if notice is None:
        return RedirectResponse(f"{base_of(request)}/operators", status_code=303)
    with node.unit_of_work() as uow:
        return _page(request, clerk, uow, notice=notice)


def _refusal_shown(
    refused: JukiError,
    fields: dict[str, str],
    field_names: Mapping[str, str] | None,
    from_row: bool,
) -> tuple[dict[str, str], dict[str, str]]:
    """The message by the form's field at fault, and what is filled in again."""
    if from_row:  # a row's reason or days are not the forms' fields: pointing there misleads
        return {"_form": refused.message}, {}
    field = (field_names or {}).get(refused.field or "_form", refused.field or "_form")
    # Not shown again: the password, and the field at fault (it may hold what must not be
    # shown back, e.g. a 個人番号 typed as an application's reference).
    values = {k: v[:100] for k, v in fields.items() if k not in ("password", "csrf", field)}
    return {field: refused.message}, values


@router.post("/operators", response_class=HTMLResponse)
@needs("account_admin", "update")
def create(request: Request, clerk: SiteClerk, fields: Form) -> Response:
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


def _contractor(fields: Mapping[str, str]) -> accounts.Contractor | None:
    """A contractor's staff member (委託先, 001a USE-3-3): the contractor, and the day the
    pledge was received if it was (until then the account is not usable)."""
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


# --- steps on one person's account ------------------------------------------------------------


@dataclass(frozen=True)
class Step:
    """One step an administrator posts from a person's row of the list."""

    db: Session
    keys: FieldKeys
    actor: Actor
    login: str
    fields: Mapping[str, str]

    @property
    def reason(self) -> str:
        return self.fields.get("reason", "")


def _enrolment(step: Step) -> str:
    code = accounts.issue_enrolment(step.db, step.actor, step.login)
    return f"{step.login} の登録コード（本人に手渡し、24時間有効）: {code}"


def _totp_grant(step: Step) -> str:
    """The TOTP fallback, with the reason biometrics cannot be used and an expiry (000
    AUTH-02, 002 REQ-AUTH-01); the provisioning URI is shown once."""
    days = step.fields.get("days", "30").strip()
    if not days.isdigit():
        raise InvalidInput("有効期間は日数で入力してください", field="days")
    _grant, uri = second_factor.grant_totp(
        step.db, step.keys, step.actor, login=step.login, reason=step.reason, days=int(days)
    )
    return f"{step.login} にワンタイムパスワードを許可しました。認証アプリに登録: {uri}"


def _totp_revoke(step: Step) -> None:
    second_factor.revoke_totp(step.db, step.actor, step.login)


def _suspend(step: Step) -> None:
    accounts.suspend(step.db, step.actor, step.login, step.reason)  # sessions end (ACL-03)


def _resume(step: Step) -> None:
    accounts.resume(step.db, step.actor, step.login)


def _retire(step: Step) -> None:
    accounts.retire(step.db, step.actor, step.login, step.reason)  # every right revoked


def _unlock(step: Step) -> None:
    accounts.unlock(step.db, step.actor, step.login)


def _pledge(step: Step) -> None:
    """誓約書の受領 (001a USE-3-3): the contractor's staff member's account becomes usable."""
    received = _date(step.fields.get("pledge_on", ""), "pledge_on")
    if received is None:
        raise InvalidInput("誓約書の受領日を入力してください", field="pledge_on")
    accounts.record_pledge(step.db, step.actor, step.login, received)


ACCOUNT_STEPS: dict[str, Callable[[Step], str | None]] = {
    "enrolment": _enrolment,
    "totp": _totp_grant,
    "totp-revoke": _totp_revoke,
    "suspend": _suspend,
    "resume": _resume,
    "retire": _retire,
    "unlock": _unlock,
    "pledge": _pledge,
}


@router.post("/operators/{login}/{step}", response_class=HTMLResponse)
@needs("account_admin", "update")
def account_step(
    request: Request, login: str, step: str, clerk: SiteClerk, fields: Form
) -> Response:
    keys = request.app.state.node.keys

    def action(uow: UnitOfWork) -> str | None:
        if step not in ACCOUNT_STEPS:
            raise InvalidInput("操作が正しくありません", field="step")
        return ACCOUNT_STEPS[step](Step(uow.session, keys, _actor(clerk), login, fields))

    return _run(request, clerk, fields, action, from_row=True)


# --- rights -------------------------------------------------------------------------------------


@router.post("/operators-rights", response_class=HTMLResponse)
@needs("account_admin", "update")
def request_right(request: Request, clerk: SiteClerk, fields: Form) -> Response:
    role = request.app.state.node.role

    def action(uow: UnitOfWork) -> None:
        rights.request_right(
            uow.session, _actor(clerk), role, login=fields.get("right_login", ""),
            duty=fields.get("duty", ""), access=fields.get("access", ""),
            reason=fields.get("reason", ""), application_ref=fields.get("application_ref", ""),
        )  # fmt: skip

    return _run(request, clerk, fields, action, {"login": "right_login"})


@router.post("/operators-rights/{right_id}/{step}", response_class=HTMLResponse)
@needs("account_admin", "update")
def decide_right(
    request: Request, right_id: RecordId, step: str, clerk: SiteClerk, fields: Form
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


# --- reports ------------------------------------------------------------------------------------


@router.get("/operators-report/users.csv")
@needs("account_admin", "read")
def user_list(request: Request, clerk: SiteClerk) -> Response:
    """The semi-annual user-list export (000 ACL-05); the export itself is logged."""
    with request.app.state.node.unit_of_work() as uow:
        audit.record(uow.session, access_of(request))
        outputs.record_output(
            uow.session, operator=clerk.login, terminal=clerk.terminal,
            form="利用者一覧（CSV）", targets=(), purpose="利用者の定期確認",
        )  # fmt: skip
        body = "\ufeff" + reports.user_list_csv(uow.session)  # BOM: Excel reads it as UTF-8
    today = japan_today().isoformat()
    return Response(
        body.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="users-{today}.csv"'},
    )


@router.get("/operators-report/privileged", response_class=HTMLResponse)
@needs("account_admin", "read")
def privileged_report(request: Request, clerk: SiteClerk, month: str = "") -> HTMLResponse:
    """The monthly privileged-activity report, checked by eye against the usage records
    (000 ACL-04); this month unless `month` (YYYY-MM) names another."""
    try:
        first = dt.date.fromisoformat(f"{month}-01") if month else japan_today().replace(day=1)
    except ValueError:
        first = japan_today().replace(day=1)
    with request.app.state.node.unit_of_work() as uow:
        audit.record(uow.session, access_of(request))
        lines = reports.privileged_activity(uow.session, first)
    return page(
        request, "privileged.html", TITLE_PRIVILEGED, clerk,
        lines=lines, month=first.strftime("%Y-%m"),
    )  # fmt: skip


# --- one's own account --------------------------------------------------------------------------


@router.get("/account", response_class=HTMLResponse)
@logged_in
def account_page(request: Request, clerk: SiteClerk) -> HTMLResponse:
    return page(request, "account.html", TITLE_ACCOUNT, clerk, errors={})


@router.post("/account", response_class=HTMLResponse)
@logged_in
def change_password(request: Request, clerk: SiteClerk, fields: Form) -> Response:
    """The operator's own password, on the current one (the service logs the change); the
    account's other sessions end, this one goes on."""
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
        return page(request, "account.html", TITLE_ACCOUNT, clerk, refused.status, errors=errors)
    request.session["epoch"] = epoch
    return RedirectResponse(f"{base_of(request)}/", status_code=303)
