"""The CS console's pages: the menu (CSメニュー) and 本人確認情報の照会 by 住民票コード.

The 住民票コード is posted, never put in a URL. Every inquiry is in the audit log with the
operator, the terminal and the code asked for, in the page's own transaction (no log, no
page); a malformed code is refused naming the field, and that attempt is logged too.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from juki.core.audit import log as audit
from juki.core.errors import JukiError
from juki.core.ids import mask_individual_number
from juki.core.messages import CHANGE_REASON_LABELS, ChangeReason
from juki.core.messaging.paths import code_of
from juki.cs import inquiry
from juki.web.console import access_of
from juki.web.console import session as shared
from juki.web.console.render import page
from juki.web.console.session import ClerkSession, Form
from juki.web.rights import POSTED_KEYS, checks_declaration, logged_in, needs

FLASHES: dict[str, str] = {}


@checks_declaration
def current_clerk(request: Request) -> ClerkSession:
    """The logged-in operator, checked against the right the page declares."""
    return shared.current_clerk(request)


Clerk = Annotated[ClerkSession, Depends(current_clerk)]
router = APIRouter()


@router.get("/", response_class=HTMLResponse)
@logged_in  # the menu shows only what the rights allow
def home(request: Request, clerk: Clerk) -> HTMLResponse:
    return page(request, "home.html", "CSメニュー", clerk)


@router.get("/identity", response_class=HTMLResponse)
@needs("identity_inquiry", "read")  # 001a §3.6, USE-2-7: reading the CS's 本人確認情報ファイル
def identity_form(request: Request, clerk: Clerk) -> HTMLResponse:
    return page(request, "identity.html", "本人確認情報の照会", clerk, resident_code="")


@router.post("/identity", response_class=HTMLResponse)
@needs("identity_inquiry", "read", read_by_post=POSTED_KEYS)
def identity_inquiry(request: Request, clerk: Clerk, fields: Form) -> HTMLResponse:
    given = fields.get("resident_code", "")
    code = given.strip()
    node = request.app.state.node
    try:
        with node.unit_of_work() as uow:
            found = inquiry.by_resident_code(uow.session, code_of(node.node_id), code)
            result = "ok" if found else "not_found"
            read = access_of(request, (f"resident_code={code}",), result=result)
            audit.record(uow.session, read)
            shown = _shown(found)
    except JukiError as refused:  # what was typed is not logged: it may be anything
        with node.unit_of_work() as uow:
            audit.record(uow.session, access_of(request, result="refused"))
        errors = {refused.field or "resident_code": refused.message}
        return page(
            request, "identity.html", "本人確認情報の照会", clerk, 422,
            errors=errors, resident_code=given[:20],
        )  # fmt: skip
    return page(
        request, "identity.html", "本人確認情報の照会", clerk,
        resident_code=code, found=shown, cap=inquiry.HISTORY_CAP,
    )  # fmt: skip


def _label(reason: str) -> str:
    try:
        return CHANGE_REASON_LABELS[ChangeReason(reason)]
    except ValueError:
        return reason


def _shown(found: inquiry.IdentityInquiry | None) -> dict[str, object] | None:
    """What the screen shows, read inside the transaction (the 個人番号 only masked)."""
    if found is None:
        return None
    row = found.latest
    return {
        "resident_code": row.resident_code,
        "name_kanji": row.name_kanji,
        "name_kana": row.name_kana,
        "birth_date": row.birth_date,
        "sex": row.sex,
        "address": row.address,
        "postal_code": row.postal_code,
        "former_surname": row.former_surname_kanji or "",
        "number": mask_individual_number("on file" if row.individual_number_cipher else None),
        "removed": row.removed,
        "history": [
            {
                "seq": r.update_seq,
                "reason": _label(r.change_reason),
                "date": r.change_date,
                "address": r.address,
                "at": r.timestamp,
            }
            for r in found.history
        ],
        "more": found.more,
    }
