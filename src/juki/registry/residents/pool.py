"""The 住民票コード pool of one municipality: codes J-LIS handed out, each used at most once
(住基法施行規則 第1条), refilled through the CS before it runs dry."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, insert, select, update

from juki.core.errors import Conflict
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.registry.residents.models import PoolRequestRecord, ResidentCodePoolEntry

POOL_LOW_WATER = 200
POOL_REFILL = 1000


def lg_code(uow: UnitOfWork) -> str:
    return code_of(uow.node.node_id)


def cs_of(uow: UnitOfWork) -> str:
    return f"cs:{lg_code(uow)}"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


# --- 住民票コード pool ----------------------------------------------------------------------


def take_resident_codes(uow: UnitOfWork, count: int) -> list[str]:
    """Take `count` unused codes from the pool J-LIS granted (each used at most once)."""
    codes = list(
        uow.session.scalars(
            select(ResidentCodePoolEntry.resident_code)
            .where(ResidentCodePoolEntry.used_at.is_(None))
            .limit(count)
        )
    )
    if len(codes) < count:
        raise Conflict("住民票コードの在庫がありません", field="resident_code", code="pool_empty")
    for start in range(0, count, 500):
        uow.session.execute(
            update(ResidentCodePoolEntry)
            .where(ResidentCodePoolEntry.resident_code.in_(codes[start : start + 500]))
            .values(used_at=now())
        )
    request_pool_if_low(uow)
    return codes


def take_resident_code(uow: UnitOfWork) -> str:
    return take_resident_codes(uow, 1)[0]


def free_codes(uow: UnitOfWork) -> int:
    return (
        uow.session.scalar(select(func.count()).where(ResidentCodePoolEntry.used_at.is_(None))) or 0
    )


def request_pool_if_low(uow: UnitOfWork, count: int = POOL_REFILL) -> None:
    outstanding = uow.session.scalar(
        select(func.count()).where(PoolRequestRecord.granted_at.is_(None))
    )
    if outstanding or free_codes(uow) >= POOL_LOW_WATER:
        return
    uow.session.add(PoolRequestRecord(count=count, requested_at=now()))
    uow.send(cs_of(uow), MessageType.POOL_REQUEST, {"lg_code": lg_code(uow), "count": count})


def receive_pool_grant(uow: UnitOfWork, codes: list[str]) -> None:
    granted = now()
    uow.session.execute(
        insert(ResidentCodePoolEntry.__table__),  # type: ignore[arg-type]
        [{"resident_code": code, "granted_at": granted, "used_at": None} for code in codes],
    )
    uow.session.execute(
        update(PoolRequestRecord)
        .where(PoolRequestRecord.granted_at.is_(None))
        .values(granted_at=granted)
    )
