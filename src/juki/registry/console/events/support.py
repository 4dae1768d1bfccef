"""支援措置 (DV等支援措置): registered by a supervisor for one resident."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.messaging.node import UnitOfWork
from juki.registry.console import forms
from juki.registry.console.events.common import show_form, submit_form
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.render import base_of
from juki.registry.console.session import Clerk, Form
from juki.registry.console.views import redirect, resident_or_404
from juki.registry.support import service as support
from juki.registry.support.schemas import SupportRequest
from juki.web.app import RecordId
from juki.web.rights import needs

router = APIRouter()


# --- 支援措置 (supervisor) ----------------------------------------------------------------------


def _support_form(request: Request, resident_id: int) -> FormPage:
    kinds = list(support.KIND_LABELS.items())
    return FormPage(
        "支援措置の登録",
        f"{base_of(request)}/residents/{resident_id}/support",
        [
            Group(
                "支援措置",
                [
                    Field("kind", "種別", "select", kinds, required=True, value="dv"),
                    Field("starts_on", "開始日", "date", required=True, value=forms.today()),
                    Field("ends_on", "終了日（空欄なら1年）", "date"),
                ],
            ),
        ],
    )


@router.get("/residents/{resident_id}/support", response_class=HTMLResponse)
@needs("support_measures", "read")
def support_form(request: Request, resident_id: RecordId, clerk: Clerk) -> Response:
    return show_form(request, clerk, _support_form(request, resident_id))


@router.post("/residents/{resident_id}/support")
@needs("support_measures", "update")
def register_support(
    request: Request, resident_id: RecordId, clerk: Clerk, fields: Form
) -> Response:
    def action(uow: UnitOfWork) -> int:
        resident_or_404(uow, resident_id)
        body = SupportRequest(
            **forms.blank_to_none(fields, ["kind", "starts_on", "ends_on"]),
            registered_by=clerk.login,
        )
        return support.register_measure(uow, resident_id, body)

    return submit_form(
        request,
        clerk,
        _support_form(request, resident_id),
        fields,
        action,
        lambda _id: redirect(request, f"/residents/{resident_id}", "support"),
    )
