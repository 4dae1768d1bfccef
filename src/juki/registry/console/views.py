"""Console pages that read: log-in, menu, search, resident, household, CS queue, refusals,
statistics, and the issued PDFs."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
from collections.abc import Callable
from typing import Any, TypeVar

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.errors import JukiError, NotFound
from juki.core.identity import NUMBER_COLUMN
from juki.core.ids import mask_individual_number
from juki.core.messages import MessageType
from juki.core.messaging import queue
from juki.core.messaging.node import UnitOfWork
from juki.duties.audit_review import anomalies
from juki.registry.cards import destination_info
from juki.registry.cards import service as cards
from juki.registry.certificates import service as certificates
from juki.registry.console import forms
from juki.registry.console.render import EVENT_STATES, base_of, page
from juki.registry.console.session import Clerk, Form
from juki.registry.households import service as households
from juki.registry.models import (
    CertificateIssue,
    Household,
    ImmigrationNotice,
    Resident,
    ResidentEvent,
    ResidentHistory,
)
from juki.registry.notice_checks import service as notice_checks
from juki.registry.residents import statistics
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
        supported = support.active_measures(uow, ids, dt.date.today())
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


@router.get("/residents/{resident_id}", response_class=HTMLResponse, dependencies=[AuditedRead])
@needs("resident_records", "read")
def resident_page(request: Request, resident_id: RecordId, clerk: Clerk, uow: UoW) -> HTMLResponse:
    r = resident_or_404(uow, resident_id)
    number = ""
    if r.individual_number_cipher is not None:
        clear = uow.node.keys.decrypt(r.individual_number_cipher, column=NUMBER_COLUMN)
        number = mask_individual_number(clear)  # shown masked; printed only on certificates
    history = uow.session.scalars(
        select(ResidentHistory)
        .where(ResidentHistory.resident_id == r.id)
        .order_by(ResidentHistory.version.desc())
    ).all()
    events = uow.session.scalars(
        select(ResidentEvent).where(ResidentEvent.resident_id == r.id).order_by(ResidentEvent.id)
    ).all()
    issues = [  # by the people each certificate showed, whatever household they were in
        i
        for i in uow.session.scalars(
            select(CertificateIssue)
            .where(CertificateIssue.resident_ids.contains(str(r.id)))
            .order_by(CertificateIssue.issued_at.desc())
        )
        if r.id in json.loads(i.resident_ids)
    ]
    today = dt.date.today()
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
        history=history,
        events=events,
        issues=issues,
        letters=destination_info.extracts_of(uow, r.id),
        cards=cards.cards_of(uow, r.id),
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


# --- CS queue, refusals, statistics ------------------------------------------------------------

MESSAGE_TYPES = {
    MessageType.IDENTITY_UPDATE: "本人確認情報の更新",
    MessageType.NUMBER_REQUEST: "個人番号の生成要求",
    MessageType.POOL_REQUEST: "住民票コードの払出し要求",
}
QUEUE_STATES = {"sent": "送信済", "waiting": "送信待ち", "failed": "失敗（再送待ち）"}


@router.get("/queue", response_class=HTMLResponse)
@needs("resident_records", "read")
def queue_page(request: Request, clerk: Clerk, uow: UoW, state: str | None = None) -> HTMLResponse:
    state = state if state in QUEUE_STATES else None
    return page(
        request,
        "queue.html",
        "CSへの送信状況",
        clerk,
        counts=queue.queue_counts(uow.session),
        messages=queue.queued_messages(uow.session, state),
        types=MESSAGE_TYPES,
        states=QUEUE_STATES,
    )


@router.post("/queue/{message_id}/resend")
@needs("resident_records", "update")
def resend(request: Request, message_id: str, clerk: Clerk, _form: Form) -> RedirectResponse:
    resent, _errors = perform(request, lambda uow: queue.resend(uow.session, message_id))
    return redirect(request, "/queue", "resent" if resent else "not_resent")


@router.get("/refusals", response_class=HTMLResponse, dependencies=[AuditedRead])
@needs("support_measures", "read")
def refusals_page(request: Request, clerk: Clerk, uow: UoW) -> HTMLResponse:
    return page(
        request,
        "refusals.html",
        "支援措置等による拒否記録",
        clerk,
        refusals=support.refusals(uow),
        requesters=certificates.REQUESTER_LABELS,
        actions={"issue": "証明書交付", "view": "閲覧", "search": "検索"},
        reasons={"support_measure": "支援措置"},
    )


@router.post("/refusals/{refusal_id}/seen")
@needs("support_measures", "update")
def refusal_seen(request: Request, refusal_id: RecordId, clerk: Clerk, _form: Form) -> Response:
    perform(request, lambda uow: support.mark_seen(uow, refusal_id, clerk.login))
    return redirect(request, "/refusals")


@router.get("/statistics", response_class=HTMLResponse)
@needs("resident_records", "read")
def statistics_page(request: Request, clerk: Clerk, uow: UoW) -> HTMLResponse:
    monthly = statistics.monthly_changes(uow)
    shown = sorted({r for counts in monthly.values() for r in counts})
    return page(
        request,
        "statistics.html",
        "人口・世帯数と異動件数",
        clerk,
        pop=statistics.population(uow),
        monthly=monthly,
        reasons_shown=shown,
    )


@router.get("/immigration-notices", response_class=HTMLResponse, dependencies=[AuditedRead])
@needs("resident_records", "read")
def immigration_notices(request: Request, clerk: Clerk, uow: UoW) -> HTMLResponse:
    """法務大臣への通知 prepared for 出入国在留管理庁 (入管法 第61条の8の2)."""
    notices = uow.session.scalars(
        select(ImmigrationNotice).order_by(ImmigrationNotice.id.desc()).limit(200)
    ).all()
    return page(
        request, "immigration_notices.html", "法務大臣への通知（外国人住民）", clerk,
        notices=notices,
    )  # fmt: skip


@router.post("/immigration-notices/export")
@needs("data_export", "update")  # copying data out of the system: administrators (001a USE-4-2)
def export_immigration_notices(request: Request, clerk: Clerk, _form: Form) -> Response:
    """The prepared notices as a CSV file for 出入国在留管理庁, marked exported. No 個人番号:
    the notice identifies the person by 在留カード番号 (入管法 第61条の8の2)."""

    def export(uow: UnitOfWork) -> str:
        notices = uow.session.scalars(
            select(ImmigrationNotice).where(ImmigrationNotice.status == "prepared")
        ).all()
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["通知番号", "在留カード番号", "事由", "異動日", "氏名", "住所"])
        for notice in notices:
            person = resident_or_404(uow, notice.resident_id)
            writer.writerow(
                [
                    notice.id,
                    notice.residence_card_no or "",
                    notice.kind,
                    notice.change_date.isoformat(),
                    person.name_kanji,
                    person.address,
                ]
            )
            notice.status = "exported"
        outputs.record_output(
            uow.session, operator=clerk.login, terminal=clerk.terminal,
            form="法務大臣への通知（CSV）", purpose="住基法第30条の50の通知",
            targets=tuple(f"addressee={n.resident_id}" for n in notices),
        )  # fmt: skip
        return out.getvalue()

    body, _errors = perform(request, export)
    return Response(
        (body or "").encode("utf-8-sig"),
        media_type="text/csv; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="immigration-notices.csv"',
                 "Cache-Control": "no-store"},
    )  # fmt: skip


@router.get("/audit", response_class=HTMLResponse)
@needs("audit_review", "read")
def audit_page(request: Request, clerk: Clerk, uow: UoW) -> HTMLResponse:
    """The node's audit log for the supervisor: the latest entries and the chain's check."""
    audit.record(uow.session, access_of(request))
    node = request.app.state.node
    report = audit.verify(uow.session, node.node_id, node.check_own_signature)
    return page(
        request, "audit.html", "監査ログ", clerk,
        entries=audit.entries(uow.session), report=report,
    )  # fmt: skip


@router.get("/anomalies", response_class=HTMLResponse)
@needs("audit_review", "read")
def anomalies_page(request: Request, clerk: Clerk, uow: UoW, days: int = 30) -> HTMLResponse:
    """The anomaly report over the audit log (night, closed days, failed log-ins, many
    searches), for the supervisor's regular review."""
    audit.record(uow.session, access_of(request))
    today = dt.date.today()
    since = today - dt.timedelta(days=max(1, min(days, 366)))
    findings = anomalies.report(uow.session, since, today)
    return page(
        request, "anomalies.html", "監査ログの異常検知", clerk,
        findings=findings, since=since, until=today, kinds=ANOMALY_KINDS,
    )  # fmt: skip


ANOMALY_KINDS = {
    "night": "夜間（22時〜6時）の操作",
    "closed_day": "閉庁日（土日祝）の操作",
    "login_failures": "ログイン失敗",
    "many_searches": "一日の検索が多い",
    "search_without_application": "申請（届出・交付）に対応しない検索",
}
