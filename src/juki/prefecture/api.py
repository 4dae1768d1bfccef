"""都道府県サーバ API: 本人確認情報検索 for the prefecture's own operators, and provision
(別表第六) or transfer (別表第五) by the legal table (`legal_table.csv`), deny by default;
開示 to the person; the two-person 手動修正 (002 REQ-ACQ-09) and statistics jobs with their
purpose (002 REQ-STAT-01)."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query, Request

from juki.prefecture import corrections, statistics
from juki.prefecture.schemas import (
    ManualCorrectionCreate,
    ManualCorrectionRead,
    StatisticsJobCreate,
    StatisticsResult,
)
from juki.web import disclosure, provision, search
from juki.web.app import ApiCaller, RecordId, UoW, guarded
from juki.web.rights import needs

# The routes every tier serves over its own file (the app's IdentityFile), then its own.
router = guarded(tags=["本人確認情報"])
router.include_router(search.router)
router.include_router(provision.router)
router.include_router(disclosure.router)


# 002 REQ-ACQ-09: privileged, two holders; the report is for the periodic review.
@router.post("/manual-corrections", status_code=201, summary="本人確認情報の手動修正の入力（特権）")
@needs("manual_correction", "update")
def request_manual_correction(
    request: Request, body: ManualCorrectionCreate, uow: UoW, caller: ApiCaller
) -> ManualCorrectionRead:
    correction = corrections.request(uow.session, uow.node.keys, body, caller)
    request.state.audit_targets = (f"code={body.resident_code}", f"correction={correction.id}")
    return corrections.view(correction)


@router.post(
    "/manual-corrections/{correction_id}/approval",
    summary="手動修正の承認と反映（入力者とは別の特権保持者）",
)
@needs("manual_correction", "update")
def approve_manual_correction(
    request: Request, correction_id: RecordId, uow: UoW, caller: ApiCaller
) -> ManualCorrectionRead:
    correction = corrections.approve(uow.session, uow.node.keys, correction_id, caller)
    request.state.audit_targets = (f"code={correction.resident_code}",)
    return corrections.view(correction)


@router.get("/manual-corrections/report", summary="手動修正の月次報告")
@needs("audit_review", "read")
def manual_correction_report(
    uow: UoW,
    year: Annotated[int, Query(ge=2000, le=2999)],
    month: Annotated[int, Query(ge=1, le=12)],
) -> list[ManualCorrectionRead]:
    return corrections.monthly_report(uow.session, year, month)


@router.post(
    "/statistics/residents-by-municipality", summary="統計: 市町村別の住民数（目的を記録）"
)
@needs(  # 002 REQ-STAT-01
    "statistics", "read", read_by_post="a statistics job: counts only; its purpose is recorded"
)
def residents_by_municipality(
    body: StatisticsJobCreate, uow: UoW, caller: ApiCaller
) -> StatisticsResult:
    return statistics.residents_by_municipality(uow.session, body, caller)
