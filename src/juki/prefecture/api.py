"""Search API (本人確認情報検索). POST, so no key ever appears in a URL."""

from __future__ import annotations

from fastapi import APIRouter

from juki.core.search import IdentitySearch, IdentityView
from juki.core.web import UoW
from juki.prefecture import service

router = APIRouter(tags=["本人確認情報"])


@router.post("/search", summary="住民票コード・個人番号・4情報による検索")
def search(query: IdentitySearch, uow: UoW) -> list[IdentityView]:
    return service.search_identity(uow.session, uow.node.keys, query, requester="api")
