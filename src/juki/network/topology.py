"""The Japan-shaped network `juki up` starts: J-LIS (national server, number generator, card
management system, 公的個人認証サービス), three prefectures, two municipalities each (real
地方公共団体コード, 墨田区 131075 among them)."""

from __future__ import annotations

from types import ModuleType

from juki import (
    atena,
    card,
    cs,
    infonet,
    intermediate,
    issuance,
    jpki,
    kiosk,
    national,
    numbering,
    portal,
    prefecture,
    registry,
)
from juki.atena import api as atena_api
from juki.atena import handlers as atena_handlers
from juki.card import api as card_api
from juki.card import console as card_console
from juki.card import handlers as card_handlers
from juki.core.identity import IdentityRowMixin
from juki.cs import api as cs_api
from juki.cs import console as cs_console
from juki.cs import handlers as cs_handlers
from juki.cs.models import CsIdentityRow
from juki.infonet import handlers as infonet_handlers
from juki.intermediate import api as intermediate_api
from juki.intermediate import console as intermediate_console
from juki.intermediate import handlers as intermediate_handlers
from juki.issuance import api as issuance_api
from juki.issuance import handlers as issuance_handlers
from juki.jpki import api as jpki_api
from juki.jpki import handlers as jpki_handlers
from juki.kiosk import api as kiosk_api
from juki.kiosk import handlers as kiosk_handlers
from juki.national import api as national_api
from juki.national import console as national_console
from juki.national import handlers as national_handlers
from juki.national.models import NationalIdentityRow
from juki.numbering import handlers as numbering_handlers
from juki.portal import handlers as portal_handlers
from juki.portal import pages as portal_pages
from juki.prefecture import api as prefecture_api
from juki.prefecture import console as prefecture_console
from juki.prefecture import handlers as prefecture_handlers
from juki.prefecture.models import PrefectureIdentityRow
from juki.registry import api as registry_api
from juki.registry import console as registry_console
from juki.registry import handlers as registry_handlers

DEFAULT_TOPOLOGY: dict[str, list[str]] = {
    "13": ["131016", "131075"],  # 東京都: 千代田区, 墨田区
    "11": ["112011", "112038"],  # 埼玉県: 川越市, 川口市
    "43": ["432024", "432032"],  # 熊本県: 八代市, 人吉市
}
# The institutions on the information-provision network `juki up` starts (issue #16): 墨田区
# (provider of 住民票関係情報) and 千代田区 (whose 児童手当 asks about a family that moved
# in). A network built with another topology has none unless it names them: the tests
# that need the network opt in, so the others stay as cheap as before.
DEFAULT_INSTITUTIONS: tuple[str, ...] = ("131075", "131016")

ROLE_PACKAGES: dict[str, ModuleType] = {
    "registry": registry,
    "cs": cs,
    "prefecture": prefecture,
    "national": national,
    "numbering": numbering,
    "card": card,
    "jpki": jpki,
    "kiosk": kiosk,
    "issuance": issuance,
    "infonet": infonet,
    "atena": atena,
    "intermediate": intermediate,
    "portal": portal,
}
ROLE_HANDLERS = {
    "registry": registry_handlers.HANDLERS,
    "cs": cs_handlers.HANDLERS,
    "prefecture": prefecture_handlers.HANDLERS,
    "national": national_handlers.HANDLERS,
    "numbering": numbering_handlers.HANDLERS,
    "card": card_handlers.HANDLERS,
    "jpki": jpki_handlers.HANDLERS,
    "kiosk": kiosk_handlers.HANDLERS,
    "issuance": issuance_handlers.HANDLERS,
    "infonet": infonet_handlers.HANDLERS,
    "atena": atena_handlers.HANDLERS,
    "intermediate": intermediate_handlers.HANDLERS,
    "portal": portal_handlers.HANDLERS,
}
ROLE_INSTALLS = {  # pages besides the API
    "registry": registry_console.install,
    "cs": cs_console.install,
    "prefecture": prefecture_console.install,
    "national": national_console.install,
    "card": card_console.install,
    "intermediate": intermediate_console.install,
    "portal": portal_pages.install,  # the holder's pages and the app's API
}
ROLE_ROUTERS = {
    "registry": registry_api.router,
    "cs": cs_api.router,
    "prefecture": prefecture_api.router,
    "national": national_api.router,
    "numbering": None,
    "card": card_api.router,
    "jpki": jpki_api.router,
    "kiosk": kiosk_api.router,
    "issuance": issuance_api.router,
    "infonet": None,
    "atena": atena_api.router,
    "intermediate": intermediate_api.router,
    "portal": None,
}
# Each tier's 本人確認情報 file (its items differ: the prefecture's 旧氏, the national
# server's 保存期間フラグ …), which the routes the tiers share read (web/app.IdentityFile).
ROLE_IDENTITY_FILES: dict[str, type[IdentityRowMixin]] = {
    "cs": CsIdentityRow,
    "prefecture": PrefectureIdentityRow,
    "national": NationalIdentityRow,
}


def node_ids(topology: dict[str, list[str]], institutions: tuple[str, ...] = ()) -> list[str]:
    """Every node: J-LIS's, each prefecture's, each municipality's register and CS; and,
    when institutions take part in the information-provision network, the network and
    each institution's 統合宛名 and 中間サーバー."""
    ids = ["national", "numbering", "card", "jpki", "kiosk", "issuance"]
    for pref, municipalities in topology.items():
        ids.append(f"prefecture:{pref}")
        for lg in municipalities:
            ids += [f"cs:{lg}", f"registry:{lg}"]
    if institutions:  # the network, and マイナポータル on it
        ids += ["infonet", "portal"]
    for institution in institutions:
        ids += [f"atena:{institution}", f"intermediate:{institution}"]
    return ids


def url_path(node_id: str) -> str:
    """Where a node's API is mounted: /national, /prefecture/13, /registry/131075 …"""
    return "/" + node_id.replace(":", "/")
