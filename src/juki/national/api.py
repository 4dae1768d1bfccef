"""住基全国サーバ API: 本人確認情報検索 for J-LIS's own operators, and provision to the bodies
of 住基法 別表 by the legal table (`legal_table.csv`), deny by default; 開示 to the person."""

from __future__ import annotations

from juki.national import statistics
from juki.web import disclosure, provision, search
from juki.web.app import UoW, guarded
from juki.web.rights import needs

# The routes every tier serves over its own file (the app's IdentityFile), then its own.
router = guarded(tags=["本人確認情報"])
router.include_router(search.router)
router.include_router(provision.router)
router.include_router(disclosure.router)


@router.get(
    "/statistics", summary="提供件数・更新件数の統計（官報公示・知事報告との照合用、件数のみ）"
)
@needs("statistics", "read")
def monthly_statistics(month: str, uow: UoW) -> statistics.NationalStatistics:
    """000 P2.6: counts only, nothing per person."""
    return statistics.monthly(uow.session, month)
