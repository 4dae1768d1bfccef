"""一括提供 in a tier's console (002 §6.2; REQ-USE-06, REQ-OUT-01, REQ-PRV-07): the same
steps as the API's `/batch-provisions` routes (`duties/provision/batch.py` keeps every rule),
for the node's own staff holding the privileged `bulk_output` right.

1. One operator asks for a batch for a body whose legal-table row allows media, with the
   condition list (CSV, one key per row).
2. The list shows the batches awaiting a second person; approval by anyone but the
   requester runs the batch (its result sealed to the body's key) — the requester's own
   approval is refused, whichever way (console or API) the batch was asked for.
3. The sealed result file is written out to a registered medium checked that day: media
   ledger (operator and witness), output log.

Every step is in the audit log, refusals included; a refused step stores nothing else.
"""

from __future__ import annotations

import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.errors import InvalidInput, JukiError
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.clients import Caller
from juki.duties.provision import batch, legal_table
from juki.duties.provision.tables import BatchProvision
from juki.web.app import IdentityFile, RecordId
from juki.web.console import access_of
from juki.web.console.render import base_of, page, site_of
from juki.web.console.session import ClerkSession, Form
from juki.web.console.site import SiteClerk
from juki.web.rights import needs

TITLE = "一括提供（承認・媒体への書出し）"
CONSOLE_CLIENT = "console"  # the `client_id` of what the console does, beside the API's
MEDIA_ID = re.compile(r"[A-Za-z0-9-]{3,40}")
DONE_SHOWN = 20  # finished batches listed below the waiting ones
LISTED = ("id", "body_code", "duty_code", "row_count", "status", "requested_by", "requested_at",
          "approved_by", "approved_at", "records_out", "result_sha256")  # fmt: skip
BATCH_FLASHES = {
    "batch_asked": "一括提供を依頼しました。依頼した人とは別の人が承認すると実行されます。",
    "batch_approved": "承認し、一括提供を実行しました（結果は提供先の鍵で暗号化済み）。",
}

router = APIRouter()


def console_caller(request: Request, clerk: ClerkSession) -> Caller:
    """The logged-in operator as the batch rules know their callers (its audit name is
    `login@console`)."""
    return Caller(
        client_id=CONSOLE_CLIENT, name=site_of(request).system, operator=clerk.login,
        terminal=clerk.terminal, body_code=None, rights=dict(clerk.rights),
    )  # fmt: skip


def _listing(uow: UnitOfWork, caller: Caller) -> list[dict[str, Any]]:
    """The batches awaiting approval, then the latest finished ones; `own` marks those the
    operator asked for (through the console or the API), which someone else approves."""
    model = BatchProvision
    waiting = uow.session.scalars(
        select(model).where(model.status == "requested").order_by(model.id)
    ).all()
    finished = select(model).where(model.status != "requested").order_by(model.id.desc())
    done = uow.session.scalars(finished.limit(DONE_SHOWN)).all()
    names = {(row.body_code, row.duty_code): row for row in legal_table.rows_for(uow.node.node_id)}
    listed = []
    for found in (*waiting, *done):
        row = names.get((found.body_code, found.duty_code))
        listed.append(
            {column: getattr(found, column) for column in LISTED}
            | {"own": batch.same_person(found.requested_by, caller),
               "body": row.body_name if row else found.body_code,
               "duty": row.duty_name if row else found.duty_code}
        )  # fmt: skip
    return listed


def _rows(node_id: str) -> list[legal_table.LegalRow]:
    """The legal-table rows that allow a batch (media) at this node."""
    return [row for row in legal_table.rows_for(node_id) if "media" in row.methods]


def _show(
    request: Request,
    clerk: ClerkSession,
    status: int = 200,
    errors: dict[str, str] | None = None,
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    node = request.app.state.node
    with node.unit_of_work() as uow:
        result = "ok" if status < 400 else "refused"
        audit.record(uow.session, access_of(request, result=result))
        listed = _listing(uow, console_caller(request, clerk))
    return page(
        request, "batches.html", TITLE, clerk, status, errors=errors or {},
        values=values or {}, batches=listed, rows=_rows(node.node_id),
    )  # fmt: skip


def _refused(
    request: Request,
    clerk: ClerkSession,
    error: JukiError,
    where: dict[str, str],
    values: dict[str, str] | None = None,
) -> HTMLResponse:
    """The page again with the refusal by the field at fault (`where`: the service's field
    name → the form's); the refused attempt is in the audit log (`_show`)."""
    field = error.field or "_form"
    return _show(request, clerk, error.status, {where.get(field, field): error.message}, values)


@router.get("/batches", response_class=HTMLResponse)
@needs("bulk_output", "read")
def batches_page(request: Request, clerk: SiteClerk) -> HTMLResponse:
    return _show(request, clerk)


@router.post("/batches", response_class=HTMLResponse)
@needs("bulk_output", "update")  # privileged (特権), as each step below
def ask(request: Request, clerk: SiteClerk, fields: Form) -> Response:
    node = request.app.state.node
    chosen = fields.get("row", "")
    body_code, _, duty = chosen.partition("/")
    values = {"row": chosen[:120], "conditions_csv": fields.get("conditions_csv", "")[:20_000]}
    try:
        if not body_code or not duty:
            raise InvalidInput("提供先と事務を選んでください", field="row")
        if not fields.get("conditions_csv", "").strip():
            raise InvalidInput("条件ファイル（CSV）を入力してください", field="conditions_csv")
        body = batch.BatchRequest(
            body_code=body_code[:40], duty=duty[:60],
            conditions_csv=fields["conditions_csv"][: 5_000_000],
        )  # fmt: skip
        with node.unit_of_work() as uow:
            caller = console_caller(request, clerk)
            made = batch.request(uow.session, node.keys, node.node_id, body, caller)
            audit.record(uow.session, access_of(request, (f"batch={made.id}",)))
    except JukiError as error:
        where = {"duty": "row", "body_code": "row"}
        keys = {"resident_code", "individual_number", "four_items"}
        where |= dict.fromkeys(keys, "conditions_csv")
        return _refused(request, clerk, error, where, values)
    return RedirectResponse(f"{base_of(request)}/batches?done=batch_asked", 303)


@router.post("/batches/{batch_id}/approve", response_class=HTMLResponse)
@needs("bulk_output", "update")
def approve(
    request: Request, batch_id: RecordId, clerk: SiteClerk, _form: Form, file: IdentityFile
) -> Response:
    node = request.app.state.node
    try:
        with node.unit_of_work() as uow:
            done = batch.approve_and_run(
                uow.session, node.keys, node.node_id, file, batch_id,
                console_caller(request, clerk),
            )  # fmt: skip
            # The condition list may carry 個人番号 (as the API's approval route says).
            read = access_of(request, (f"records={done.records_out}",), number_touched=True)
            audit.record(uow.session, read)
    except JukiError as error:
        return _refused(request, clerk, error, {}, {"batch": str(batch_id)})
    return RedirectResponse(f"{base_of(request)}/batches?done=batch_approved", 303)


@router.post("/batches/{batch_id}/write-out", response_class=Response)
@needs("bulk_output", "update")
def write_out(request: Request, batch_id: RecordId, clerk: SiteClerk, fields: Form) -> Response:
    node = request.app.state.node
    media_id = fields.get("media_id", "").strip()
    try:
        if not MEDIA_ID.fullmatch(media_id):
            raise InvalidInput("媒体IDは英数字とハイフンの3〜40文字です", field="media_id")
        with node.unit_of_work() as uow:
            sealed = batch.write_out(
                uow.session, batch_id, console_caller(request, clerk), media_id
            )
            outputs.record_output(
                uow.session, operator=clerk.login, terminal=clerk.terminal,
                form=f"一括提供結果ファイル（媒体 {media_id}）", targets=(f"batch={batch_id}",),
                purpose="一括提供",
            )  # fmt: skip
            audit.record(uow.session, access_of(request, (f"media={media_id}",)))
    except JukiError as error:
        return _refused(request, clerk, error, {}, {"batch": str(batch_id)})
    return Response(
        sealed, media_type="application/octet-stream",
        headers={"Content-Disposition": f'attachment; filename="batch-{batch_id}.hpke"'},
    )  # fmt: skip
