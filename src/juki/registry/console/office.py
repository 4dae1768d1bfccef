"""Console pages of the office behind the counter: the CS queue and its refusals, the
statistics, the 法務大臣's notices and their export, the audit log and its anomalies."""

from __future__ import annotations

import csv
import datetime as dt
import io

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from juki.core.audit import log as audit
from juki.core.audit import outputs
from juki.core.clock import japan_today
from juki.core.messages import MessageType
from juki.core.messaging import queue
from juki.core.messaging.node import UnitOfWork
from juki.duties.audit_review import anomalies
from juki.registry.certificates import service as certificates
from juki.registry.console.render import page
from juki.registry.console.session import Clerk, Form
from juki.registry.console.views import AuditedRead, perform, redirect, resident_or_404
from juki.registry.models import (
    ImmigrationNotice,
)
from juki.registry.residents import statistics
from juki.registry.support import service as support
from juki.web.app import RecordId, UoW
from juki.web.console import access_of
from juki.web.rights import needs

router = APIRouter()


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
        actions={"issue": "証明書交付", "view": "閲覧", "search": "検索", "kiosk": "コンビニ交付"},
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
    report = node.verify_audit(uow.session)
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
    today = japan_today()
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
    "replayed_envelopes": "適用済みの電文の再受信（再送または再生）",
}
