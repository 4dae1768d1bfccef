"""都道府県サーバ API: 本人確認情報検索 (the shared search route over this tier's file)."""

from __future__ import annotations

from juki.core.web import search_router
from juki.prefecture import service

router = search_router(service.search_identity)
