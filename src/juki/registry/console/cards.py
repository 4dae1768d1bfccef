"""Console pages for the 個人番号カード事務 at the counter: 交付申請書の再発行 (000 P3.4,
F3-ACQ-06). The form sent to a person is invalid once their 4情報 changed; at the counter
of the municipality where the change was notified a clerk with the `card_counter` right
asks J-LIS's card management system for a new one. The answer (the new 申請書ID, or why
not) comes back through the CS and shows on the person's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.messaging.node import UnitOfWork
from juki.registry.cards import destination_info
from juki.registry.console.events.common import show_form
from juki.registry.console.forms import FormPage
from juki.registry.console.render import base_of
from juki.registry.console.session import Clerk, Form
from juki.registry.console.views import perform, redirect, resident_or_404
from juki.web.app import RecordId, UoW
from juki.web.rights import needs

router = APIRouter()
REISSUE = "/residents/{resident_id}/application-form-reissue"


def _reissue_form(request: Request, resident_id: int, name: str) -> FormPage:
    return FormPage(
        "交付申請書の再発行" + (f"　{name}" if name else ""),
        f"{base_of(request)}/residents/{resident_id}/application-form-reissue",
        [],
        submit="再発行を機構に依頼する",
        note=(
            "4情報（氏名・生年月日・性別・住所）が変わったため無効になった個人番号カード交付申請書に"
            "代わる申請書を、地方公共団体情報システム機構に依頼します。現在の記載事項で送付先情報"
            "（印刷区分: 交付申請書のみ）を作成し、CS経由で送ります。有効な申請書がある場合は"
            "機構が受け付けず、理由がこの住民の画面に表示されます。"
        ),
    )


@router.get(REISSUE, response_class=HTMLResponse)
@needs("card_counter", "update")  # the form itself is the card counter's (000 P3.4)
def reissue_form(request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW) -> HTMLResponse:
    person = resident_or_404(uow, resident_id)
    return show_form(request, clerk, _reissue_form(request, resident_id, person.name_kanji))


@router.post(REISSUE)
@needs("card_counter", "update")
def reissue(request: Request, resident_id: RecordId, clerk: Clerk, _form: Form) -> Response:
    """Sends the 送付先情報 (個人番号 included, so the audit entry says so); on a refusal
    the form comes back with the reason and nothing is sent or stored."""

    def ask(uow: UnitOfWork) -> str:
        sent = destination_info.request_reissue(uow, resident_id, clerk.login, clerk.terminal)
        return sent.destination_id

    sent, errors = perform(
        request, ask, {"resident_id": "_form"}, number_touched=True,
        targets=(f"id={resident_id}",), found=lambda d: (f"送付先管理番号={d}",),
    )  # fmt: skip
    if sent is None:
        form = _reissue_form(request, resident_id, "")
        return show_form(request, clerk, form, {}, errors)
    return redirect(request, f"/residents/{resident_id}", "reissue_requested")
