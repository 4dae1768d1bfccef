"""The 中間サーバー's API for the institution's business systems and staff (001a §2.4 ②④⑥):
ask under a row of the legal table, read the answer, view a person's 副本. Thin: the rules
are in `exchange.py`."""

from __future__ import annotations

import json
from typing import Annotated

from fastapi import Path

from juki.core.infonet_messages import ATENA_ID, QUERY_ID
from juki.duties.operators.clients import Caller
from juki.intermediate import exchange
from juki.intermediate.schemas import CopyView, QueryAsk, QueryView
from juki.web.app import ApiCaller, UoW, guarded
from juki.web.rights import needs

router = guarded(tags=["中間サーバー"])
QueryId = Annotated[str, Path(pattern=QUERY_ID, description="照会番号")]
AtenaId = Annotated[str, Path(pattern=ATENA_ID, description="団体内統合宛名番号")]


@router.post("/queries", status_code=202, summary="情報照会（情報提供ネットワークシステムへ）")
@needs("info_query", "update")
def ask(body: QueryAsk, uow: UoW, caller: ApiCaller) -> QueryView:
    query_id = exchange.ask(
        uow, body.atena_id, body.row, body.task, body.items, body.provider, asker(caller)
    )
    return QueryView(query_id=query_id, outcome="asked")


@router.get("/queries/{query_id}", summary="照会の結果（提供された情報は復号して示す）")
@needs("info_query", "read")
def result(query_id: QueryId, uow: UoW, caller: ApiCaller) -> QueryView:
    """Only the system and operator that asked may read the answer."""
    return QueryView(query_id=query_id, **exchange.read_answer(uow, query_id, asker(caller)))


@router.get("/fukuhon/{atena_id}", summary="副本の照会（団体内統合宛名番号で）")
@needs("fukuhon_view", "read")
def copies(atena_id: AtenaId, uow: UoW, caller: ApiCaller) -> list[CopyView]:
    return [
        CopyView(
            kind=copy.kind, data=json.loads(copy.data), removed=copy.removed, hold=copy.hold,
            registered_at=copy.registered_at,
        )
        for copy in exchange.copies_of(uow, atena_id)
    ]  # fmt: skip


def asker(caller: Caller) -> str:
    return f"{caller.client_id}/{caller.operator}"
