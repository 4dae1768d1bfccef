"""The 中間サーバー's API for the institution's business systems (001a §2.4 ②④): ask under
a row of the legal table, read the answer. Thin: the rules are in `exchange.py`."""

from __future__ import annotations

from typing import Annotated

from fastapi import Path

from juki.core.infonet_messages import QUERY_ID
from juki.duties.operators.clients import Caller
from juki.intermediate import exchange
from juki.intermediate.schemas import QueryAsk, QueryView
from juki.web.app import ApiCaller, UoW, guarded
from juki.web.rights import needs

router = guarded(tags=["中間サーバー"])
QueryId = Annotated[str, Path(pattern=QUERY_ID, description="照会番号")]


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


def asker(caller: Caller) -> str:
    return f"{caller.client_id}/{caller.operator}"
