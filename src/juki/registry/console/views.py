"""Console pages that read: log-in, menu, search, resident, household, CS queue, refusals,
statistics, and the issued PDFs."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.clock import japan_today
from juki.core.errors import JukiError, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.ids import mask_individual_number
from juki.core.messaging import queue
from juki.core.messaging.node import UnitOfWork
from juki.registry.cards import certificates as card_certificates
from juki.registry.cards import destination_info, shipments
from juki.registry.cards import service as cards
from juki.registry.certificates import service as certificates
from juki.registry.console import forms
from juki.registry.console.render import EVENT_STATES, base_of, page
from juki.registry.console.session import Clerk, Form
from juki.registry.households import service as households
from juki.registry.models import (
    CertificateIssue,
    Household,
    Resident,
    ResidentEvent,
    ResidentHistory,
)
from juki.registry.notice_checks import service as notice_checks
from juki.registry.residents.schemas import ResidentQuery
from juki.registry.residents.search import RESULT_CAP, search_residents
from juki.registry.support import service as support
from juki.web.app import RecordId, UoW
from juki.web.console import access_of
from juki.web.rights import POSTED_KEYS, logged_in, needs

router = APIRouter()
T = TypeVar("T")
# Why printing a page needs only the right to read it: it prints what the operator already
# sees, and the print is recorded in the output log (001a USE-5-1, 002 REQ-PRN-01).
PRINTED = "prints a page the operator may read; recorded in the output log"


def perform(
    request: Request,
    action: Callable[[UnitOfWork], T],
    names: dict[str, str] | None = None,
    *,
    number_touched: bool = False,
    targets: tuple[str, ...] = (),
    found: Callable[[Any], tuple[str, ...]] | None = None,
) -> tuple[T | None, dict[str, str]]:
    """Run a 届出 in its own unit of work: all of it commits, or (on a broken rule) none of
    it, and the errors come back by form field. Either way the attempt is in the audit log:
    with the change when it succeeds (if the log cannot be written, neither is the change),
    alone as `refused` when it does not."""
    node = request.app.state.node
    try:
        with node.unit_of_work() as uow:
            result = action(uow)
            keys = targets + (found(result) if found else ())
            audit.record(uow.session, access_of(request, keys, number_touched=number_touched))
            return result, {}
    except (ValidationError, JukiError) as exc:
        with node.unit_of_work() as uow:
            refused = access_of(request, targets, result="refused")
            audit.record(uow.session, refused)
        return None, forms.errors_of(exc, names)


def audited_read(request: Request, clerk: Clerk, uow: UoW) -> None:
    """For pages that show personal information: the read is logged in the page's own
    transaction, which commits before the page is sent (no log, no page)."""
    audit.record(uow.session, access_of(request))


AuditedRead = Depends(audited_read)


def redirect(request: Request, path: str, done: str | None = None) -> RedirectResponse:
    suffix = f"?done={done}" if done else ""
    return RedirectResponse(f"{base_of(request)}{path}{suffix}", status_code=303)


@router.get("/", response_class=HTMLResponse)
@logged_in  # the menu shows only what the rights allow
def home(request: Request, clerk: Clerk, uow: UoW) -> HTMLResponse:
    unseen = len(support.refusals(uow, unseen_only=True))
    counts = queue.queue_counts(uow.session)
    waiting = len(notice_checks.waiting(uow))
    return page(
        request, "home.html", "メニュー", clerk, counts=counts, unseen=unseen,
        pending_notices=waiting,
    )  # fmt: skip


# --- search ---------------------------------------------------------------------------------


def _search_fields(values: dict[str, str]) -> list[forms.Field]:
    fields = [
        forms.Field("name_kana", "ふりがな（前方一致・濁点等は区別しません）"),
        forms.Field("birth_date", "生年月日", "date"),
        forms.Field("address", "住所（前方一致）"),
        forms.Field("addressee_id", "宛名番号", inputmode="numeric"),
        forms.Field("include_removed", "除票も検索する", "checkbox"),
    ]
    return forms.fill([forms.Group("", fields)], values)[0].fields


@router.get("/search", response_class=HTMLResponse)
@needs("resident_records", "read")
def search_form(request: Request, clerk: Clerk) -> HTMLResponse:
    return page(request, "search.html", "住民検索", clerk, fields=_search_fields({}), results=None)


@router.post("/search", response_class=HTMLResponse)
@needs("resident_records", "read", read_by_post=POSTED_KEYS)
def search(request: Request, clerk: Clerk, fields: Form) -> HTMLResponse:
    """POST, so that no name or date of birth appears in a URL or an access log."""
    query = forms.blank_to_none(fields, ["name_kana", "birth_date", "address", "addressee_id"])
    query["include_removed"] = fields.get("include_removed") == "on"

    def run(uow: UnitOfWork) -> tuple[list[dict[str, Any]], bool, set[int]]:
        found, capped = search_residents(uow, ResidentQuery(**query))
        ids = [r.id for r in found]
        supported = support.active_measures(uow, ids, japan_today())
        return [_summary(r) for r in found], capped, supported

    def shown(found: tuple[list[dict[str, Any]], bool, set[int]]) -> tuple[str, ...]:
        return tuple(f"id={row['id']}" for row in found[0])

    result, errors = perform(request, run, found=shown)
    results, capped, supported = result or (None, False, set())
    return page(
        request,
        "search.html",
        "住民検索",
        clerk,
        200 if result else 422,
        fields=_search_fields(fields),
        results=results,
        capped=capped,
        cap=RESULT_CAP,
        supported=supported,
        errors=errors,
    )


def _summary(r: Resident) -> dict[str, Any]:
    keys = ("id", "name_kanji", "name_kana", "birth_date", "sex", "address", "status")
    return {k: getattr(r, k) for k in keys}


# --- resident and household ------------------------------------------------------------------


def resident_or_404(uow: UnitOfWork, resident_id: int) -> Resident:
    resident = uow.session.get(Resident, resident_id)
    if resident is None:
        raise NotFound("住民が見つかりません", field="resident_id")
    return resident


# The card as the clerk sees it (its state at J-LIS follows each answer, 000 8-①).
REWRITE_STATES = {
    "sent": "機構の回答待ち", "received": "受信済（本人のカードへ渡す）", "given": "引渡し済",
    "refused": "機構が受け付けませんでした", "stale": "機構のファイルが最新でないため再依頼が必要",
    "superseded": "新しい依頼に置換え",
}  # fmt: skip
CARD_STATES = {
    "awaiting_handover": "機構から到着（交付前設定を行ってください）",
    "ready": "交付前設定済（本人確認のうえ交付）", "active": "交付済", "suspended": "一時停止中",
    "abolished": "廃止", "collected": "回収済", "expired": "有効期限切れ",
    "moved_away": "転出先で継続利用（所管は転入先）",
}  # fmt: skip
# 個人番号通知書の送付先情報 as the clerk sees it (001a §3.7 7-①/②).
LETTER_STATES = {
    "sent": "送付中（CS経由で機構へ）",
    "registered": "機構の個人番号カード管理システムが受付済",
    "refused": "返戻",
}
LETTER_KINDS = {"notice": "個人番号通知書と交付申請書", "reissue": "交付申請書の再発行"}
# Why the CS or the card system refused a record, in the clerk's words (codes of
# cs/destination_file.py and card/service.py; others are shown as they came).
REFUSAL_REASONS = {
    "not_current_resident": "現在の住民ではありません",
    "number_mismatch": "個人番号が最新の住民票コードのものと一致しません",
    "form_still_valid": "有効な交付申請書があります（再発行は不要です）",
    "already_applied": "この交付申請書で申請済みです（再発行は不要です）",
    "card_issued": "個人番号カードを発行済みです",
    "no_invalid_form": "無効になった交付申請書がありません（再発行の対象外）",
}


def _issues_showing(uow: UnitOfWork, resident_id: int) -> list[CertificateIssue]:
    """The certificates that showed this person, whatever household they were in."""
    found = uow.session.scalars(
        select(CertificateIssue)
        .where(CertificateIssue.resident_ids.contains(str(resident_id)))
        .order_by(CertificateIssue.issued_at.desc())
    )
    return [i for i in found if resident_id in json.loads(i.resident_ids)]


@router.get("/residents/{resident_id}", response_class=HTMLResponse, dependencies=[AuditedRead])
@needs("resident_records", "read")
def resident_page(request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW) -> HTMLResponse:
    r = resident_or_404(uow, resident_id)
    number = ""
    if r.individual_number_cipher is not None:
        clear = uow.node.keys.decrypt(r.individual_number_cipher, column=NUMBER_COLUMN)
        number = mask_individual_number(clear)  # shown masked; printed only on certificates
    today = japan_today()
    measures = [m for m in support.measures_of(uow, r.id) if m.starts_on <= today <= m.ends_on]
    supported = "、".join(f"{support.KIND_LABELS[m.kind]} {m.ends_on}まで" for m in measures)
    removal = {"move_out": "転出", "death": "死亡"}.get(r.removal_kind or "", "職権消除")
    return page(
        request,
        "resident.html",
        f"住民票　{r.name_kanji}",
        clerk,
        r=r,
        number=number,
        history=uow.session.scalars(
            select(ResidentHistory)
            .where(ResidentHistory.resident_id == r.id)
            .order_by(ResidentHistory.version.desc())
        ).all(),
        events=uow.session.scalars(
            select(ResidentEvent)
            .where(ResidentEvent.resident_id == r.id)
            .order_by(ResidentEvent.id)
        ).all(),
        issues=_issues_showing(uow, r.id),
        letters=destination_info.extracts_of(uow, r.id),
        cards=cards.cards_of(uow, r.id),
        card_state=CARD_STATES,
        card_certificates=card_certificates.latest_by_card(uow, r.id),
        chips_waiting=shipments.waiting(
            uow, [c.card_issue_number for c in cards.cards_of(uow, r.id)]
        ),
        chip_rewrites=shipments.rewrites_of(
            uow, [c.card_issue_number for c in cards.cards_of(uow, r.id)]
        ),
        rewrite_reason={"pin_reset": "暗証番号の再設定", "face_change": "券面記載事項の変更"},
        rewrite_state=REWRITE_STATES,
        letter_state=LETTER_STATES,
        letter_kind=LETTER_KINDS,
        refusal_reason=REFUSAL_REASONS,
        supported=supported,
        removal=removal,
        event_state=EVENT_STATES,
        kinds=certificates.KIND_LABELS,
        requesters=certificates.REQUESTER_LABELS,
        printing=request.query_params.get("printing") == "1",
    )


@router.post("/residents/{resident_id}/print")
@needs("resident_records", "read", read_by_post=PRINTED)
def print_resident(
    request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW, _form: Form
) -> Response:
    """The console's print function: the print is in the output log (001a USE-5-1, 002
    REQ-PRN-01) before the page opens the browser's print dialogue."""
    resident_or_404(uow, resident_id)
    audit.record(uow.session, access_of(request))
    outputs.record_output(
        uow.session, operator=clerk.login, terminal=clerk.terminal, form="画面印刷: 住民票",
        targets=(f"addressee={resident_id}",),
    )  # fmt: skip
    return RedirectResponse(
        f"{base_of(request)}/residents/{resident_id}?printing=1", status_code=303
    )


@router.get("/households/{household_id}", response_class=HTMLResponse, dependencies=[AuditedRead])
@needs("resident_records", "read")
def household_page(
    request: Request, household_id: RecordId, clerk: Clerk, uow: UoW
) -> HTMLResponse:
    household = uow.session.get(Household, household_id)
    if household is None:
        raise NotFound("世帯が見つかりません", field="household_id")
    members = households.members(uow, household_id)
    head = households.head_of(uow, household_id)
    return page(
        request,
        "household.html",
        f"世帯　{household_id}",
        clerk,
        household=household,
        members=members,
        head=head,
    )


@router.get("/certificates/{issue_no}.pdf")
@needs("certificates", "read")
def certificate_pdf(request: Request, issue_no: str, clerk: Clerk, uow: UoW) -> Response:
    record = certificates.read_issue(uow, issue_no)
    shows_number = bool(json.loads(record.options).get("include_individual_number"))
    audit.record(uow.session, access_of(request, number_touched=shows_number))
    return Response(
        record.pdf,
        media_type="application/pdf",
        headers={
            "Content-Disposition": f'inline; filename="{record.issue_no}.pdf"',
            "Cache-Control": "no-store",
        },
    )
