"""都道府県サーバ API: 本人確認情報検索 for the prefecture's own operators, and provision
(別表第六) or transfer (別表第五) by the legal table (`legal_table.csv`), deny by default;
開示 to the person."""

from __future__ import annotations

from juki.core.disclosure.api import DISCLOSURE_RIGHTS, add_disclosure_routes
from juki.core.messaging.paths import code_of
from juki.core.places import prefecture_name
from juki.core.provision.api import PROVISION_RIGHTS, add_batch_routes, add_provision_routes
from juki.core.web import SEARCH_RIGHTS, search_router
from juki.prefecture import service
from juki.prefecture.models import (
    BatchProvision,
    Disclosure,
    DisclosureCorrection,
    MediaLedger,
    PrefectureIdentityRow,
    ProvisionLog,
)

router = search_router(
    service.search_identity, SEARCH_RIGHTS + PROVISION_RIGHTS + DISCLOSURE_RIGHTS
)
add_provision_routes(router, PrefectureIdentityRow, ProvisionLog)
add_batch_routes(router, (BatchProvision, MediaLedger, PrefectureIdentityRow, ProvisionLog))
add_disclosure_routes(
    router,
    (PrefectureIdentityRow, ProvisionLog, Disclosure, DisclosureCorrection),
    lambda node_id: f"{prefecture_name(code_of(node_id))}知事",
)
