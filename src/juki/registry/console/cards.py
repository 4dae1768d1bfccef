"""Console pages for the 個人番号カード事務 at the counter: 交付 with its strict identity
check and, at once, the application for the card's electronic certificates (000
F3-ACQ-04; 公的個人認証法 第3条, 第22条); 交付申請書の再発行 (000 P3.4, F3-ACQ-06): the
form sent to a person is invalid once their 4情報 changed; at the counter of the
municipality where the change was notified a clerk with the `card_counter` right asks
J-LIS's card management system for a new one. The answers (the card's status, the
certificates, the new 申請書ID, or why not) come back through the CS and show on the
person's page."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.errors import InvalidInput, NotFound
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators.accounts import Actor
from juki.registry.cards import certificates, continuation, destination_info, handover, shipments
from juki.registry.cards import service as cards
from juki.registry.cards.handover import HandoverCheck
from juki.registry.cards.schemas import (
    CardReportCreate,
    CertificateApplicationCreate,
    ChipRewriteCreate,
    ContinuationCreate,
)
from juki.registry.console import forms
from juki.registry.console.events.common import show_form
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.render import base_of
from juki.registry.console.session import Clerk, Form
from juki.registry.console.views import perform, redirect, resident_or_404
from juki.registry.notices.schemas import IdDocument
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


# --- 交付 (000 F3-ACQ-04), and the application for the card's certificates at the same time

HANDOVER = "/residents/{resident_id}/cards/{card_issue_number}/handover"
PHOTO_IDS = [(d.value, d.value) for d in IdDocument if d is not IdDocument.MY_NUMBER_CARD]
# The form's names of the model's fields, so a message comes back beside its field.
HANDOVER_NAMES = {
    "id_document": "id_document", "face_matched": "face_matched",
    "notice_presented": "notice_presented", "sign_public_key": "sign_public_key",
    "auth_public_key": "auth_public_key", "card_issue_number": "_form",
}  # fmt: skip


def _handover_form(request: Request, resident_id: int, number: str) -> FormPage:
    return FormPage(
        f"個人番号カードの交付　{number}",
        f"{base_of(request)}/residents/{resident_id}/cards/{number}/handover",
        [
            Group("本人確認（厳格に）", [
                Field("id_document", "本人確認書類（顔写真付き）", "select",
                      [forms.CHOOSE, *PHOTO_IDS], required=True),
                Field("face_matched", "書類の顔写真と来庁した本人を照合した", "checkbox"),
                Field("notice_presented", "交付通知書（はがき）の提示を受けた", "checkbox"),
            ]),
            Group("電子証明書（カードが作成した公開鍵、任意）", [
                Field("sign_public_key", "署名用電子証明書の公開鍵 (PEM)", "textarea",
                      hint="15歳未満・希望しない方は空欄"),
                Field("auth_public_key", "利用者証明用電子証明書の公開鍵 (PEM)", "textarea"),
            ]),
        ],
        submit="交付して機構に報告する",
        note=(
            "交付前設定の済んだカードを、本人確認のうえ交付します。確認した書類と照合の結果を"
            "記録し、交付をCS経由で地方公共団体情報システム機構に報告します。公開鍵を入力すると、"
            "電子証明書の発行申請も同時に行います（暗証番号はカードの中で設定され、送られません）。"
        ),
    )  # fmt: skip


@router.get(HANDOVER, response_class=HTMLResponse)
@needs("card_counter", "update")
def handover_form(
    request: Request, resident_id: RecordId, card_issue_number: str, clerk: Clerk, uow: UoW
) -> HTMLResponse:
    resident_or_404(uow, resident_id)
    return show_form(request, clerk, _handover_form(request, resident_id, card_issue_number))


@router.post(HANDOVER)
@needs("card_counter", "update")
def hand_over(
    request: Request, resident_id: RecordId, card_issue_number: str, clerk: Clerk, fields: Form
) -> Response:
    def act(uow: UnitOfWork) -> str:
        _card_of(uow, resident_id, card_issue_number)
        check = HandoverCheck.model_validate(
            {"id_document": fields.get("id_document") or None,
             "face_matched": fields.get("face_matched") == "on",
             "notice_presented": fields.get("notice_presented") == "on"}
        )  # fmt: skip
        actor = Actor(clerk.login, clerk.terminal)
        keys = {k: _pem(fields.get(f"{k}_public_key", "")) for k in ("sign", "auth")}
        handover.hand_over(uow, card_issue_number, check, actor)
        if keys["sign"] or keys["auth"]:
            asked = CertificateApplicationCreate.model_validate(
                {f"{k}_public_key": v for k, v in keys.items() if v}
                | {"id_document": check.id_document, "face_matched": True}
            )
            certificates.apply(
                uow, card_issue_number, asked.sign_public_key, asked.auth_public_key,
                check.id_document.value, actor,
            )  # fmt: skip
        return card_issue_number

    done, errors = perform(
        request, act, HANDOVER_NAMES, targets=(f"カード発行番号={card_issue_number}",)
    )
    if done is None:
        form = _handover_form(request, resident_id, card_issue_number)
        return show_form(request, clerk, form, dict(fields), errors)
    return redirect(request, f"/residents/{resident_id}", "card_handed_over")


CHIP = "/residents/{resident_id}/cards/{card_issue_number}/chip"


def _chip_form(request: Request, resident_id: int, number: str) -> FormPage:
    return FormPage(
        f"カードのチップの内容の引渡し　{number}",
        f"{base_of(request)}/residents/{resident_id}/cards/{number}/chip",
        [Group("確認", [Field("confirmed", "交付したカードの本人に渡す", "checkbox")])],
        submit="チップの内容を渡す（ファイル）",
        note=(
            "カード発行事業者が書き込んだチップの内容（券面事項入力補助・住基）を、本人のカード"
            "（juki card load-chip）に格納するためのファイルとして一度だけ渡します。個人番号を"
            "含むため、渡した時点でこの市区町村の写しは消去されます。"
        ),
    )  # fmt: skip


@router.get(CHIP, response_class=HTMLResponse)
@needs("card_counter", "update")
def chip_form(
    request: Request, resident_id: RecordId, card_issue_number: str, clerk: Clerk, uow: UoW
) -> HTMLResponse:
    resident_or_404(uow, resident_id)
    return show_form(request, clerk, _chip_form(request, resident_id, card_issue_number))


@router.post(CHIP)
@needs("card_counter", "update")
def give_chip(
    request: Request, resident_id: RecordId, card_issue_number: str, clerk: Clerk, fields: Form
) -> Response:
    """The chip as a file the holder's card takes (the API's `…/chip`, for a clerk)."""

    def act(uow: UnitOfWork) -> str:
        _card_of(uow, resident_id, card_issue_number)
        if fields.get("confirmed") != "on":
            raise InvalidInput("本人に渡すことを確認してください", field="confirmed")
        chip = shipments.give(uow, card_issue_number, Actor(clerk.login, clerk.terminal))
        return chip.model_dump_json()

    given, errors = perform(
        request, act, {"confirmed": "confirmed", "card_issue_number": "_form"},
        number_touched=True, targets=(f"カード発行番号={card_issue_number}",),
    )  # fmt: skip
    if given is None:
        form = _chip_form(request, resident_id, card_issue_number)
        return show_form(request, clerk, form, dict(fields), errors)
    return Response(
        given, media_type="application/json",
        headers={
            "Content-Disposition": f'attachment; filename="chip-{card_issue_number}.json"',
            "Cache-Control": "no-store",
        },
    )  # fmt: skip


REPORT = "/residents/{resident_id}/cards/{card_issue_number}/report"
REPORT_KINDS = [
    ("suspended", "一時停止（紛失・盗難など）"), ("resumed", "一時停止の解除"),
    ("returned", "返還（本人からの返納・国外転出など：廃止と回収）"),
    ("abolished", "廃止"), ("collected", "回収（廃止・失効したカードの回収）"),
]  # fmt: skip


def _report_form(request: Request, resident_id: int, number: str) -> FormPage:
    return FormPage(
        f"個人番号カードの一時停止・解除・返還・廃止・回収　{number}",
        f"{base_of(request)}/residents/{resident_id}/cards/{number}/report",
        [Group("報告", [
            Field("kind", "処理", "select", [forms.CHOOSE, *REPORT_KINDS], required=True),
            Field("reason", "理由", hint="一時停止・返還・廃止のとき"),
        ])],
        submit="機構に報告する",
        note=(
            "カードの状態をCS経由で地方公共団体情報システム機構に報告します。機構の回答に応じて"
            "カードの状況と電子証明書（一時保留・失効）が変わります。"
        ),
    )  # fmt: skip


@router.get(REPORT, response_class=HTMLResponse)
@needs("card_counter", "update")
def report_form(
    request: Request, resident_id: RecordId, card_issue_number: str, clerk: Clerk, uow: UoW
) -> HTMLResponse:
    resident_or_404(uow, resident_id)
    return show_form(request, clerk, _report_form(request, resident_id, card_issue_number))


@router.post(REPORT)
@needs("card_counter", "update")
def report(
    request: Request, resident_id: RecordId, card_issue_number: str, clerk: Clerk, fields: Form
) -> Response:
    def act(uow: UnitOfWork) -> str:
        _card_of(uow, resident_id, card_issue_number)
        body = CardReportCreate.model_validate(
            {"kind": fields.get("kind") or None, "reason": fields.get("reason", "")}
        )
        if body.kind in {"suspended", "returned", "abolished"} and not body.reason.strip():
            raise InvalidInput("理由を入力してください", field="reason")
        actor = Actor(clerk.login, clerk.terminal)
        return cards.report(uow, card_issue_number, body.kind, body.reason, actor).report_id

    sent, errors = perform(
        request, act, {"kind": "kind", "reason": "reason", "card_issue_number": "_form"},
        targets=(f"カード発行番号={card_issue_number}",),
    )  # fmt: skip
    if sent is None:
        form = _report_form(request, resident_id, card_issue_number)
        return show_form(request, clerk, form, dict(fields), errors)
    return redirect(request, f"/residents/{resident_id}", "card_reported")


CHIP_REWRITE = "/residents/{resident_id}/cards/{card_issue_number}/chip-request"
REWRITE_REASONS = [("pin_reset", "暗証番号の再設定（券面事項入力補助用・住民基本台帳用）"),
                   ("face_change", "券面記載事項の変更（転居・氏名の変更など）")]  # fmt: skip


def _rewrite_form(request: Request, resident_id: int, number: str) -> FormPage:
    return FormPage(
        f"チップの内容の再書込みの依頼　{number}",
        f"{base_of(request)}/residents/{resident_id}/cards/{number}/chip-request",
        [Group("依頼", [
            Field("reason", "理由", "select", [forms.CHOOSE, *REWRITE_REASONS], required=True),
            Field("face_matched", "カードの顔写真と来庁した本人を照合した", "checkbox"),
        ])],
        submit="機構に依頼する",
        note=(
            "券面事項入力補助用・住民基本台帳用の暗証番号はカードの中のデータを守っているため、"
            "再設定はデータを書き込み直して行います。機構が現在の記録から署名し直した内容がCS経由で"
            "届いたら、「チップの内容を渡す」で本人のカードに一度だけ渡します"
            "（juki card load-chip --rewrite）。"
        ),
    )  # fmt: skip


@router.get(CHIP_REWRITE, response_class=HTMLResponse)
@needs("card_counter", "update")
def rewrite_form(
    request: Request, resident_id: RecordId, card_issue_number: str, clerk: Clerk, uow: UoW
) -> HTMLResponse:
    resident_or_404(uow, resident_id)
    return show_form(request, clerk, _rewrite_form(request, resident_id, card_issue_number))


@router.post(CHIP_REWRITE)
@needs("card_counter", "update")
def request_rewrite(
    request: Request, resident_id: RecordId, card_issue_number: str, clerk: Clerk, fields: Form
) -> Response:
    def act(uow: UnitOfWork) -> str:
        _card_of(uow, resident_id, card_issue_number)
        body = ChipRewriteCreate.model_validate(
            {"reason": fields.get("reason") or None,
             "face_matched": fields.get("face_matched") == "on"}
        )  # fmt: skip
        actor = Actor(clerk.login, clerk.terminal)
        return shipments.request_rewrite(uow, card_issue_number, body.reason, actor).request_id

    sent, errors = perform(
        request, act, {"reason": "reason", "face_matched": "face_matched",
                       "card_issue_number": "_form"},
        targets=(f"カード発行番号={card_issue_number}",),
    )  # fmt: skip
    if sent is None:
        form = _rewrite_form(request, resident_id, card_issue_number)
        return show_form(request, clerk, form, dict(fields), errors)
    return redirect(request, f"/residents/{resident_id}", "chip_requested")


def _card_of(uow: UnitOfWork, resident_id: int, card_issue_number: str) -> None:
    """The card named in the URL must be the person's whose page it is."""
    if cards.card_of(uow, card_issue_number).resident_id != resident_id:
        raise NotFound("この住民のカードではありません", field="card_issue_number")


def _pem(text: str) -> str:
    """A pasted PEM as the schema takes it: Unix line ends, one final newline."""
    cleaned = text.replace("\r\n", "\n").strip()
    return cleaned + "\n" if cleaned else ""


CONTINUATION = "/residents/{resident_id}/card-continuation"


def _continuation_form(request: Request, resident_id: int) -> FormPage:
    return FormPage(
        "個人番号カードの継続利用",
        f"{base_of(request)}/residents/{resident_id}/card-continuation",
        [
            Group("転入時に提示されたカード", [
                Field("card_issue_number", "カード発行番号（カードから読み取り）", required=True),
            ]),
        ],
        submit="継続利用を機構に報告する",
        note=(
            "カードを持って転入した方のカードを、この市区町村で引き続き使えるようにします"
            "（転入の届出から90日以内）。機構がカードの管理を移し、電子証明書も引き継ぎます。"
        ),
    )  # fmt: skip


@router.get(CONTINUATION, response_class=HTMLResponse)
@needs("card_counter", "update")
def continuation_form(
    request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW
) -> HTMLResponse:
    resident_or_404(uow, resident_id)
    return show_form(request, clerk, _continuation_form(request, resident_id))


@router.post(CONTINUATION)
@needs("card_counter", "update")
def continue_use(request: Request, resident_id: RecordId, clerk: Clerk, fields: Form) -> Response:
    def act(uow: UnitOfWork) -> str:
        body = ContinuationCreate.model_validate(
            {"resident_id": resident_id,
             "card_issue_number": str(fields.get("card_issue_number", "")).strip().upper()}
        )  # fmt: skip
        return continuation.ask(uow, body, Actor(clerk.login, clerk.terminal)).report_id

    names = {"card_issue_number": "card_issue_number", "resident_id": "_form"}
    done, errors = perform(request, act, names, targets=(f"addressee={resident_id}",))
    if done is None:
        form = _continuation_form(request, resident_id)
        return show_form(request, clerk, form, dict(fields), errors)
    return redirect(request, f"/residents/{resident_id}", "card_continued")
