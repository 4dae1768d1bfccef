"""住基全国サーバ API: 本人確認情報検索 for J-LIS's own operators, and provision to the bodies
of 住基法 別表 by the legal table (`legal_table.csv`), deny by default; 開示 to the person."""

from __future__ import annotations

from juki.national import service, statistics
from juki.national.models import (
    BatchProvision,
    Disclosure,
    DisclosureCorrection,
    MediaLedger,
    NationalIdentityRow,
    ProvisionLog,
    UseSuspension,
)
from juki.web.app import UoW, search_router
from juki.web.disclosure import add_disclosure_routes
from juki.web.provision import add_batch_routes, add_provision_routes
from juki.web.rights import needs

router = search_router(service.search_identity)
add_provision_routes(router, (NationalIdentityRow, ProvisionLog, UseSuspension))
add_batch_routes(
    router, (BatchProvision, MediaLedger, NationalIdentityRow, ProvisionLog, UseSuspension)
)
add_disclosure_routes(
    router,
    (NationalIdentityRow, ProvisionLog, Disclosure, DisclosureCorrection, UseSuspension),
    lambda _node_id: "地方公共団体情報システム機構",
)


@router.get(
    "/statistics", summary="提供件数・更新件数の統計（官報公示・知事報告との照合用、件数のみ）"
)
@needs("statistics", "read")
def monthly_statistics(month: str, uow: UoW) -> statistics.NationalStatistics:
    """000 P2.6: counts only, nothing per person."""
    return statistics.monthly(uow.session, month)
