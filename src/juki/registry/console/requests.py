"""Console pages for 届出 that take more than one step: 特例転入 (ask the former
municipality for the 転出証明書情報, then record the 転入) and 職権修正 under two-person
control (enter, confirm, approve)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from juki.core.errors import InvalidInput, NotFound
from juki.core.ids import mask_individual_number
from juki.core.messaging.node import UnitOfWork
from juki.core.places import municipality
from juki.core.wareki import wareki
from juki.duties.operators.accounts import Actor
from juki.registry.certificates import wide_area
from juki.registry.certificates.schemas import WideAreaAsk
from juki.registry.console import forms
from juki.registry.console.events.common import (
    Taken,
    codes,
    notice_of,
    show_form,
    submit_form,
    to_person,
)
from juki.registry.console.forms import Field, FormPage, Group
from juki.registry.console.notice_checks import next_page, take
from juki.registry.console.render import base_of, page
from juki.registry.console.session import Clerk, Form
from juki.registry.console.views import perform, redirect, resident_or_404
from juki.registry.notices import corrections, identity_confirmations, number_checks, schemas
from juki.registry.notices.schemas import CorrectionProposal, NumberCheckBody
from juki.registry.transfers import service as transfers
from juki.registry.transfers.schemas import CertificateRequestBody, SpecialMoveInNotice
from juki.web.app import RecordId, UoW
from juki.web.rights import needs

router = APIRouter()
CARD_NUMBER = re.compile(r"^[0-9A-F]{16}$")

# --- 特例転入 ---------------------------------------------------------------------------------


def _ask_form(request: Request) -> FormPage:
    return FormPage(
        "特例転入（転出証明書情報の請求）",
        f"{base_of(request)}/special-move-in",
        [
            Group(
                "マイナンバーカードによる本人確認",
                [
                    Field(
                        "identity_confirmation_id",
                        "本人確認の照会番号",
                        required=True,
                        hint="「カードによる本人確認」で提示されたカードを読み取った照会の番号",
                    ),
                ],
            ),
        ],
        submit="転出証明書情報を請求する",
        note="カードの住民票コードで転出元を全国サーバに確認した照会です。請求には個人番号を含めません。転出元の市区町村からCSを経由して届きます。",
    )


@router.get("/special-move-in", response_class=HTMLResponse)
@needs("resident_records", "read")
def ask_form(
    request: Request, clerk: Clerk, identity_confirmation_id: str | None = None
) -> HTMLResponse:
    # Reached from the 本人確認 page's link: the confirmation's number filled in (an id,
    # never the code or anything personal, goes in the URL)
    values = {"identity_confirmation_id": identity_confirmation_id or ""}
    return show_form(request, clerk, _ask_form(request), values)


@router.post("/special-move-in")
@needs("resident_records", "update")
def ask(request: Request, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> str:
        body = CertificateRequestBody.model_validate(
            forms.blank_to_none(fields, ["identity_confirmation_id"]) | {"clerk_login": clerk.login}
        )
        return transfers.request_certificate(uow, body.identity_confirmation_id, clerk.login)

    return submit_form(
        request, clerk, _ask_form(request), fields, action,
        lambda request_id: redirect(request, f"/special-move-in/{request_id}"),
    )  # fmt: skip


def _move_in_form(request: Request, request_id: str) -> FormPage:
    return FormPage(
        "特例転入（転入の記録）",
        f"{base_of(request)}/special-move-in/{request_id}",
        [
            Group("届出", forms.notice_fields("転入日")),
            Group("届出人・本人確認", forms.intake_fields()),
            Group("新しい住所", forms.address_fields()),
            Group(
                "世帯",
                [
                    *forms.placement_fields(),
                ],
            ),
        ],
        submit="転入を記録する",
    )


STATUS_LABELS = {
    "waiting": "転出元からの返信を待っています",
    "received": "転出証明書情報を受信しました",
    "refused": "転出元が送付できませんでした",
    "used": "この転出証明書情報で転入を記録済みです",
}
REFUSALS = {"not_moved_out": "転出の記録がありません", "already_moved_in": "既に他で転入済みです"}


@router.get("/special-move-in/{request_id}", response_class=HTMLResponse)
@needs("resident_records", "read")
def received(request: Request, request_id: str, clerk: Clerk, uow: UoW) -> HTMLResponse:
    record = transfers.request_status(uow, request_id)
    context: dict[str, Any] = {
        "status": STATUS_LABELS[record.status],
        "refusal": REFUSALS.get(record.error_code or "", record.error_code),
    }
    if record.status == "received":
        cert = transfers.certificate_of(uow, request_id)
        context["certificate"] = cert.model_dump() | {
            "individual_number": mask_individual_number(cert.individual_number)
        }
        form = _move_in_form(request, request_id)
        context |= {"page": form, "errors": {}}
    return page(request, "special_move_in.html", "特例転入", clerk, record=record, **context)


@router.post("/special-move-in/{request_id}")
@needs("resident_records", "update")
def special_move_in(request: Request, request_id: str, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> Taken:
        notice = SpecialMoveInNotice.model_validate(
            notice_of(fields, clerk) | forms.intake_of(fields) | codes(fields)
            | forms.blank_to_none(fields, ["address", "household_id", "relationship"])
            | {"request_id": request_id}
        )  # fmt: skip
        return take(uow, clerk, transfers.record_special_move_in, notice)

    return submit_form(
        request, clerk, _move_in_form(request, request_id), fields, action,
        lambda taken: next_page(request, taken, lambda event: to_person(request, event)),
    )  # fmt: skip


# --- 職権修正 (two-person) ----------------------------------------------------------------------


def _correction_form(request: Request, resident_id: int) -> FormPage:
    return FormPage(
        "職権修正の入力",
        f"{base_of(request)}/residents/{resident_id}/correction",
        [
            Group(
                "修正する項目（変える項目だけ入力）",
                [
                    Field("name_kanji", "氏名"),
                    Field("name_kana", "ふりがな"),
                    Field("birth_date", "生年月日", "date"),
                    Field("sex", "性別", "select", forms.SEX_OPTIONS),
                    Field("address", "住所"),
                ],
            ),
            Group(
                "根拠",
                [
                    *forms.notice_fields("修正日"),
                    Field("reason", "修正の理由と確認した資料", "textarea", required=True),
                ],
            ),
        ],
        submit="修正を申請する（別の職員の確認と監督者の承認の後に反映）",
    )


@router.get("/residents/{resident_id}/correction", response_class=HTMLResponse)
@needs("resident_records", "read")
def correction_form(request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW) -> Response:
    resident_or_404(uow, resident_id)
    return show_form(request, clerk, _correction_form(request, resident_id))


@router.post("/residents/{resident_id}/correction")
@needs("resident_records", "update")
def propose(request: Request, resident_id: RecordId, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> int:
        correction = schemas.CorrectionNotice.model_validate(
            notice_of(fields, clerk)
            | forms.blank_to_none(
                fields, ["name_kanji", "name_kana", "birth_date", "sex", "address"]
            )
        )
        proposal = CorrectionProposal(
            correction=correction, reason=fields.get("reason", "").strip()
        )
        return corrections.propose(uow, resident_id, proposal, clerk.login)

    names = {f"correction.{k}": k for k in corrections.ITEMS}
    return submit_form(
        request, clerk, _correction_form(request, resident_id), fields, action,
        lambda _id: redirect(request, "/corrections", "proposed"), names,
    )  # fmt: skip


@router.get("/corrections", response_class=HTMLResponse)
@needs(("resident_records", "correction_approval"), "read")
def pending(request: Request, clerk: Clerk, uow: UoW) -> HTMLResponse:
    rows = [
        {"r": r, "changes": corrections.proposed_changes(r),
         "name": resident_or_404(uow, r.resident_id).name_kanji}
        for r in corrections.pending(uow)
    ]  # fmt: skip
    return page(request, "corrections.html", "職権修正の確認・承認", clerk, rows=rows)


@router.post("/corrections/{request_id}/{step}")
@needs(
    ("resident_records", "correction_approval"), "read",
    read_by_post="each step's own right is checked by registry/corrections.py",
)  # fmt: skip
def decide(request: Request, request_id: RecordId, step: str, clerk: Clerk, _f: Form) -> Response:
    steps = {"confirm": corrections.confirm, "approve": corrections.approve}
    if step not in steps:
        raise NotFound("ページが見つかりません", field="step")
    _result, errors = perform(request, lambda uow: steps[step](uow, request_id, clerk.login))
    if errors:
        return page(
            request, "message.html", "処理できません", clerk, 403,
            message=next(iter(errors.values())), css="refused", role="alert",
            links=[("職権修正の一覧へ", f"{base_of(request)}/corrections")],
        )  # fmt: skip
    return redirect(request, "/corrections", "confirmed" if step == "confirm" else "approved")


# --- 個人番号の真正性確認 (001a ACQ-3-2) ---------------------------------------------------------


def _number_check_form(request: Request) -> FormPage:
    return FormPage(
        "個人番号の真正性確認（CS）",
        f"{base_of(request)}/number-check",
        [
            Group(
                "転出証明書・通知カード等の記載",
                [
                    Field("resident_code", "住民票コード", required=True, inputmode="numeric"),
                    Field("individual_number", "個人番号", required=True, inputmode="numeric"),
                ],
            )
        ],
        submit="CSで確認する",
        note=(
            "マイナンバーカードの提示がない転入では、記録の前に個人番号と住民票コードの"
            "対応をCSで確認します。結果の確認番号を転入届に入力します。"
        ),
    )


@router.get("/number-check", response_class=HTMLResponse)
@needs("resident_records", "read")
def number_check_form(request: Request, clerk: Clerk) -> HTMLResponse:
    return show_form(request, clerk, _number_check_form(request))


@router.post("/number-check")
@needs("resident_records", "update")
def number_check(request: Request, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> str:
        body = NumberCheckBody.model_validate(
            forms.blank_to_none(fields, ["resident_code", "individual_number"])
        )
        return number_checks.request(uow, body, clerk.login)

    return submit_form(
        request, clerk, _number_check_form(request), fields, action,
        lambda check_id: redirect(request, f"/number-check/{check_id}"),
    )  # fmt: skip


def _identity_form(request: Request) -> FormPage:
    return FormPage(
        "カードによる本人確認（全国サーバ）",
        f"{base_of(request)}/identity-confirmation",
        [
            Group(
                "マイナンバーカードから読み取った住民票コード",
                [
                    Field("resident_code", "住民票コード", required=True, inputmode="numeric"),
                    Field(
                        "card_issue_number",
                        "カード発行番号",
                        hint="読み取れたとき（16桁）。機構にカードの利用状況を照会します",
                    ),
                ],
            )
        ],
        submit="全国サーバに照会する",
        note=(
            "提示されたカードの住民票コードをCS経由で全国サーバに照会し、本人確認情報を"
            "表示します（001a §3.5）。表示された内容と本人・申請書を照合してください。"
        ),
    )


@router.get("/identity-confirmation", response_class=HTMLResponse)
@needs("resident_records", "read")
def identity_form(request: Request, clerk: Clerk) -> HTMLResponse:
    return show_form(request, clerk, _identity_form(request))


@router.post("/identity-confirmation")
@needs("resident_records", "read", read_by_post="a read at the national server, asked in a form")
def identity_confirmation(request: Request, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> str:
        code = str(fields.get("resident_code", ""))
        card = str(fields.get("card_issue_number", "")).strip().upper() or None
        if card is not None and not CARD_NUMBER.match(card):
            raise InvalidInput("カード発行番号は16桁の英数字です", field="card_issue_number")
        actor = Actor(clerk.login, clerk.terminal)
        return identity_confirmations.request(uow, code, actor, card)

    return submit_form(
        request, clerk, _identity_form(request), fields, action,
        lambda check_id: redirect(request, f"/identity-confirmation/{check_id}"),
    )  # fmt: skip


@router.get("/identity-confirmation/{check_id}", response_class=HTMLResponse)
@needs("resident_records", "read")
def identity_result(request: Request, check_id: str, clerk: Clerk, uow: UoW) -> HTMLResponse:
    record, items = identity_confirmations.status(uow, check_id)
    request.state.audit_targets = (f"resident_code={record.resident_code}",)
    birth = items.get("birth_date")
    holder = items.get("holder_lg_code")
    return page(
        request, "identity_confirmation.html", "カードによる本人確認", clerk,
        message=identity_confirmations.LABELS[record.status],
        css="refused" if record.status in {"removed", "unknown_code"} else "",
        items=items, resident_code=record.resident_code,
        birth=wareki(dt.date.fromisoformat(birth)) if birth else "",
        municipality=_place(holder) if holder else "",
        card_state=identity_confirmations.CARD_LABELS.get(record.card_status or "", ""),
        card_ok=record.card_status == "in_use",
        links=[
            ("最新の状態を表示する", f"{base_of(request)}/identity-confirmation/{check_id}"),
            *_special_move_in_link(request, record.status, check_id, record.card_status),
        ],
    )  # fmt: skip


def _special_move_in_link(
    request: Request, status: str, check_id: str, card_status: str | None = None
) -> list[tuple[str, str]]:
    """A card in use whose code the national server lists as moved out: the 特例転入 may go
    on (001a §3.3 3-①→3-②)."""
    if status != "removed" or card_status != "in_use":
        return []
    target = f"{base_of(request)}/special-move-in?identity_confirmation_id={check_id}"
    return [("この本人確認で特例転入の転出証明書情報を請求する", target)]


def _place(lg: str) -> str:
    found = municipality(lg)
    return f"{found.prefecture}{found.name}"


NUMBER_CHECK_LABELS = {
    "waiting": "CSからの回答を待っています",
    "match": "一致しました。転入届の「個人番号の確認番号」に次の確認番号を入力します",
    "mismatch": "一致しません。個人番号と住民票コードを確かめてください（転入は記録できません）",
    "unknown_code": "住民票コードが全国の本人確認情報にありません（転入は記録できません）",
}


@router.get("/number-check/{check_id}", response_class=HTMLResponse)
@needs("resident_records", "read")
def number_check_result(request: Request, check_id: str, clerk: Clerk, uow: UoW) -> HTMLResponse:
    record = number_checks.status(uow, check_id)
    used = "（転入届で使用済み）" if record.used_by else ""
    return page(
        request, "message.html", "個人番号の真正性確認", clerk,
        message=f"{NUMBER_CHECK_LABELS[record.status]}{used}　確認番号：{record.check_id}",
        css="refused" if record.status in {"mismatch", "unknown_code"} else "",
        role="status",
        links=[("最新の状態を表示する", f"{base_of(request)}/number-check/{check_id}"),
               ("転入届へ", f"{base_of(request)}/move-in")],
    )  # fmt: skip


# --- 広域交付 -------------------------------------------------------------------------------------


def _wide_area_form(request: Request) -> FormPage:
    return FormPage(
        "住民票の写しの広域交付",
        f"{base_of(request)}/wide-area",
        [
            Group("請求者（本人確認書類で確認）", [
                Field("requester_kind", "請求者", "select",
                      [("self", "本人"), ("household", "同一世帯の者")], required=True,
                      value="self"),
                Field("scope", "記載する範囲", "select",
                      [("person", "本人のみ"), ("household", "世帯全員")], required=True,
                      value="person"),
            ]),
            Group("住所地", [
                Field("home_lg_code", "住所地の地方公共団体コード", required=True,
                      inputmode="numeric"),
                Field("resident_code", "住民票コード", required=True, inputmode="numeric"),
            ]),
        ],
        submit="住所地へ請求する",
        note="広域交付の写しには本籍・筆頭者、個人番号、住民票コードは記載されません。",
    )  # fmt: skip


@router.get("/wide-area", response_class=HTMLResponse)
@needs("certificates", "read")
def wide_area_form(request: Request, clerk: Clerk) -> HTMLResponse:
    return show_form(request, clerk, _wide_area_form(request))


@router.post("/wide-area")
@needs("certificates", "update")
def wide_area_ask(request: Request, clerk: Clerk, fields: Form) -> Response:
    def action(uow: UnitOfWork) -> str:
        body = WideAreaAsk.model_validate(
            forms.blank_to_none(
                fields, ["requester_kind", "scope", "home_lg_code", "resident_code"]
            )
            | {"clerk_login": clerk.login}
        )
        return wide_area.ask(uow, body)

    return submit_form(
        request, clerk, _wide_area_form(request), fields, action,
        lambda request_id: redirect(request, f"/wide-area/{request_id}"),
    )  # fmt: skip


WIDE_AREA_STATUS = {
    "waiting": "住所地からの返信を待っています",
    "received": "住所地から住民票の情報を受信しました",
    "refused": "住所地が送付しませんでした",
    "issued": "交付済みです",
}
WIDE_AREA_REFUSALS = {
    "not_resident": "住所地に該当する住民がいません",
    "support_measure": "支援措置の対象者が含まれます",
}


@router.get("/wide-area/{request_id}", response_class=HTMLResponse)
@needs("certificates", "read")
def wide_area_status(request: Request, request_id: str, clerk: Clerk, uow: UoW) -> HTMLResponse:
    record = wide_area.status(uow, request_id)
    return page(
        request, "wide_area.html", "広域交付", clerk, record=record,
        status=WIDE_AREA_STATUS[record.status],
        refusal=WIDE_AREA_REFUSALS.get(record.error_code or "", record.error_code),
    )  # fmt: skip


@router.post("/wide-area/{request_id}")
@needs("certificates", "update")
def wide_area_issue(request: Request, request_id: str, clerk: Clerk, _f: Form) -> Response:
    issued, errors = perform(
        request, lambda uow: wide_area.issue(uow, request_id, clerk.login, clerk.terminal)
    )
    if errors or issued is None:
        return page(
            request, "message.html", "交付できません", clerk, 409,
            message=next(iter(errors.values()), ""), css="refused", role="alert", links=[],
        )  # fmt: skip
    return page(request, "issued.html", "交付しました", clerk, issue_no=issued.issue_no)
