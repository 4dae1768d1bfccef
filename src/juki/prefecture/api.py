"""都道府県サーバ API: 本人確認情報検索 for the prefecture's own operators, and provision
(別表第六) or transfer (別表第五) by the legal table (`legal_table.csv`), deny by default."""

from __future__ import annotations

from juki.core.provision.api import PROVISION_RIGHTS, add_provision_routes
from juki.core.web import SEARCH_RIGHTS, search_router
from juki.prefecture import service
from juki.prefecture.models import PrefectureIdentityRow, ProvisionLog

router = search_router(service.search_identity, SEARCH_RIGHTS + PROVISION_RIGHTS)
add_provision_routes(router, PrefectureIdentityRow, ProvisionLog)
