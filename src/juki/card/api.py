"""個人番号カード管理システム API: the application-receipt contractor's channel for
交付申請 (000 §3.3 1-⑥, dedicated line in the assessment; here a registered API client
with the `card_applications` right), the issuance contractor's for issuance results (1-⑨,
`card_issuance`), the statistics (F3-USE-04) and the quarterly report on the exchanges with
the contractors (OUT-05). Deny by default."""

from __future__ import annotations

from fastapi import Request

from juki.card import applications, issuance, reports
from juki.card.schemas import (
    ApplicationCreate,
    ApplicationRead,
    ExchangeReport,
    IssuanceResult,
    Statistics,
)
from juki.core.web import ApiCaller, ApiRule, UoW, guarded

API_RIGHTS: list[ApiRule] = [
    ("POST", "/applications", "card_applications", "update"),
    ("POST", "/issuance-results", "card_issuance", "update"),
    ("GET", "/statistics", "statistics", "read"),
    ("GET", "/reports/contractor-exchanges", "audit_review", "read"),
]
router = guarded(API_RIGHTS, tags=["個人番号カード管理システム"])


@router.post("/applications", status_code=201, summary="交付申請書の登録（申請書受付事業者から）")
def receive_application(
    request: Request, body: ApplicationCreate, uow: UoW, caller: ApiCaller
) -> ApplicationRead:
    entry = applications.receive(uow, caller, body)
    request.state.audit_targets = (f"申請書ID={entry.application_id}",)
    return ApplicationRead(application_id=entry.application_id, status=entry.status)


@router.post(
    "/issuance-results", status_code=201, summary="カードの発行結果の登録（カード発行事業者から）"
)
def receive_issuance_result(
    request: Request, body: IssuanceResult, uow: UoW, caller: ApiCaller
) -> ApplicationRead:
    """A card made is provided to the mayor as 個人番号カード管理情報 (000 §3.3 1-⑪)."""
    request.state.audit_targets = (f"申請書ID={body.application_id}",)
    entry = issuance.receive_result(uow, caller, body)
    request.state.number_touched = entry.status == "issued"
    return ApplicationRead(application_id=entry.application_id, status=entry.status)


@router.get("/statistics", summary="処理状況の件数（統計）")
def statistics(uow: UoW) -> Statistics:
    return applications.statistics(uow.session)


@router.get("/reports/contractor-exchanges", summary="委託先とのやり取りの四半期報告（件数のみ）")
def contractor_exchanges(quarter: str, uow: UoW) -> ExchangeReport:
    return reports.contractor_exchanges(uow.session, quarter)
