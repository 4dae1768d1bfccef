"""CS API: start 本人確認情報整合 and read its results (001a §3.8)."""

from __future__ import annotations

from typing import Any

from juki.core.web import ApiRule, UoW, guarded
from juki.cs import handlers, service

API_RIGHTS: list[ApiRule] = [
    ("POST", "/reconcile", "consistency_check", "update"),
    ("GET", "/reconcile/*", "consistency_check", "read"),
]
router = guarded(API_RIGHTS, tags=["市町村CS"])


@router.post("/reconcile", status_code=202, summary="本人確認情報整合を開始")
def start_reconcile(uow: UoW) -> dict[str, str]:
    return {"check_id": handlers.start_reconcile(uow)}


@router.get("/reconcile/{check_id}", summary="整合結果")
def reconcile_result(check_id: str, uow: UoW) -> dict[str, Any]:
    reports = service.consistency_reports(uow.session, check_id)
    return {
        "check_id": check_id,
        "reports": [
            {"checker": r.checker, "compared": r.compared, "differences": r.differences}
            for r in reports
        ],
    }
