"""本人確認情報検索 over a tier's API (prefecture, national: 002 §6.5; 000 P2.2), included by
each tier's guarded router: the node's own file (`IdentityFile`), searched and recorded in
its provision record by `duties/search.py`. The answer never carries the 個人番号. POST, so
that no search key (a 個人番号 least of all) ever appears in a URL or an access log."""

from __future__ import annotations

from fastapi import APIRouter, Request

from juki.duties.search import IdentitySearch, IdentityView, logged_search
from juki.web.app import ApiCaller, IdentityFile, UoW
from juki.web.rights import POSTED_KEYS, needs

router = APIRouter()


@router.post("/search", summary="住民票コード・個人番号・4情報による検索")
@needs("identity_inquiry", "read", read_by_post=POSTED_KEYS)
def search_identity(
    request: Request, query: IdentitySearch, uow: UoW, caller: ApiCaller, file: IdentityFile
) -> list[IdentityView]:
    """A search answers who matched, never with the 個人番号 (issue #14): the number goes
    to another body only as a provision by the legal table (`POST /provision`: the row's
    items and keys, 提供停止, the record the person can see in 開示). The audit entry says
    a number was touched when the search was by number."""
    found = logged_search(
        uow.session, file, uow.node.keys, query, caller.audit_name, with_number=False
    )
    request.state.number_touched = query.individual_number is not None
    request.state.audit_targets = tuple(f"code={view.resident_code}" for view in found)
    return found
