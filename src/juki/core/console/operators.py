"""利用者・権限の管理 for the consoles of the tiers (prefecture, national server): the node's
administrators see its users with their rights and second factors (000 ACL-05), register a
person's account (AUTH-01: one named person, one ID) with a one-time enrolment code for
their authenticator, and request a right for one of the node's duties — approved or
refused by a different administrator (ACL-02; 002 REQ-AUTH-03: on the written
application, whose reference is recorded with the right), revoked with a reason (ACL-03).
The semi-annual user list is exported as CSV (ACL-05, in the output log).

The rules live in `core/operators` (who may request, approve and revoke is checked there
too, and every step is written to the audit log in the same transaction). The registry's
own page (`registry/console/operators.py`) has more steps (suspension, resumption,
retirement, unlock, TOTP grants, contractors' pledges); the tiers have no screen for those
yet.
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
from juki.core.console.render import base_of, page
from juki.core.console.session import ClerkSession, Form, PageRule
from juki.core.console.site import SiteClerk
from juki.core.errors import InvalidInput, JukiError
from juki.core.messaging.node import UnitOfWork
from juki.core.operators import accounts, reports, rights, second_factor
from juki.core.operators.accounts import Actor, Policy
from juki.core.operators.duties import ACCESS_NAMES, duties_for
from juki.core.operators.tables import Operator, OperatorRight
from juki.core.web import RecordId

OPERATORS_PAGE_RIGHTS: list[PageRule] = [
    ("GET", "/operators*", ("account_admin",), "read"),
    ("POST", "/operators*", ("account_admin",), "update"),
]
TITLE = "利用者・権限の管理"
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
def operators_page(request: Request, clerk: SiteClerk) -> HTMLResponse:
    with request.app.state.node.unit_of_work() as uow:
        audit.record(uow.session, access_of(request))
        return _page(request, clerk, uow)


def _run(
    request: Request,
    clerk: ClerkSession,
    fields: dict[str, str],
    action: Callable[[UnitOfWork], str | None],
    field_names: dict[str, str] | None = None,
) -> Response:
    """One administrative step in its own unit of work. On success the page shows the
    step's notice (an enrolment code is shown once); on a broken rule nothing is stored,
    the refusal is logged and its message is shown by the field at fault (`field_names`:
    the service's name for a field → the form's, where they differ)."""
    node = request.app.state.node
    try:
        with node.unit_of_work() as uow:
            notice = action(uow)
    except JukiError as refused:
        field = (field_names or {}).get(refused.field or "_form", refused.field or "_form")
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
            if isinstance(refused, accounts.NotAdministrator):
                # The service's own entry (operators.*, in the privileged-activity report)
                # went with the rolled-back transaction: keep it.
                audit.record(uow.session, refused.access)
            # Not shown again: the password, and the field at fault (it may hold what must
            # not be shown back, e.g. a 個人番号 typed as an application's reference).
            values = {k: v[:100] for k, v in fields.items() if k not in ("password", "csrf", field)}
            errors = {field: refused.message}
            return _page(request, clerk, uow, refused.status, errors, values=values)
    if notice is None:
        return RedirectResponse(f"{base_of(request)}/operators", status_code=303)
    with node.unit_of_work() as uow:
        return _page(request, clerk, uow, notice=notice)


@router.post("/operators", response_class=HTMLResponse)
def create(request: Request, clerk: SiteClerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> str:
        operator, code = accounts.create_operator(
            uow.session, _actor(clerk), login=fields.get("login", ""),
            person_name=fields.get("person_name", ""),
            employee_no=fields.get("employee_no", "").strip(),
            password=fields.get("password", ""), section=fields.get("section", ""),
            policy=Policy.from_env(),
        )  # fmt: skip
        return f"{operator.login} を登録しました。登録コード（本人に手渡し、24時間有効）: {code}"

    return _run(request, clerk, fields, action)


@router.post("/operators/{login}/enrolment", response_class=HTMLResponse)
def enrolment(request: Request, login: str, clerk: SiteClerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> str:
        # The service refuses one's own account and an actor without the right (logged).
        code = accounts.issue_enrolment(uow.session, _actor(clerk), login)
        return f"{login} の登録コード（本人に手渡し、24時間有効）: {code}"

    return _run(request, clerk, fields, action)


@router.post("/operators-rights", response_class=HTMLResponse)
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


@router.get("/operators-report/users.csv")
def user_list(request: Request, clerk: SiteClerk) -> Response:
    """The semi-annual user-list export (000 ACL-05); the export itself is logged."""
    with request.app.state.node.unit_of_work() as uow:
        audit.record(uow.session, access_of(request))
        outputs.record_output(
            uow.session, operator=clerk.login, terminal=clerk.terminal,
            form="利用者一覧（CSV）", targets=(), purpose="利用者の定期確認",
        )  # fmt: skip
        body = "\ufeff" + reports.user_list_csv(uow.session)  # BOM: Excel reads it as UTF-8
    today = dt.date.today().isoformat()
    return Response(
        body.encode(),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="users-{today}.csv"'},
    )
