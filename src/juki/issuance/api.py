"""The カード発行システム's API for its own staff (`card_manufacture`): the orders, by key and
state only — nothing of the person. Thin; deny by default."""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel
from sqlalchemy import select

from juki.issuance import service
from juki.issuance.models import IssuanceOrder
from juki.web.app import UoW, guarded
from juki.web.rights import needs

router = guarded(tags=["カード発行システム"])
OrderStatus = Literal["received", "made", "not_made", "shipped", "void"]


class OrderRead(BaseModel):
    commission_number: str
    application_id: str
    lg_code: str
    status: str
    card_issue_number: str | None
    refused_code: str | None
    holds_personal_data: bool  # the commission not yet erased
    received_at: dt.datetime
    shipped_at: dt.datetime | None


class RunRead(BaseModel):
    made: int
    not_made: int


@router.post(
    "/production-runs", status_code=201, summary="製造ラインの実行（受付済みの委託を製造）"
)
@needs("card_manufacture", "update")
def run_line(uow: UoW) -> RunRead:
    return RunRead(**service.run_line(uow))


@router.get("/orders", summary="発行委託の一覧（状態のみ）")
@needs("card_manufacture", "read")
def orders(uow: UoW, status: OrderStatus | None = None) -> list[OrderRead]:
    query = select(IssuanceOrder).order_by(IssuanceOrder.received_at)
    if status is not None:
        query = query.where(IssuanceOrder.status == status)
    return [
        OrderRead(
            commission_number=o.commission_number,
            application_id=o.application_id,
            lg_code=o.lg_code,
            status=o.status,
            card_issue_number=o.card_issue_number,
            refused_code=o.refused_code,
            holds_personal_data=o.commission is not None,
            received_at=o.received_at,
            shipped_at=o.shipped_at,
        )
        for o in uow.session.scalars(query.limit(1000))
    ]
