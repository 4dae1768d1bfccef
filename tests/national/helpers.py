"""Number requests sent the way a registry sends them (through its CS), and what the
national server did with them: its notice record and what it forwarded to the generator."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

from sqlalchemy import select

from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.national.models import NumberNotice
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import changes, schemas
from juki.registry.residents import service as residents
from tests.conftest import born, record, resident

LG = "131075"


def number_of(network: EmbeddedNetwork, resident_id: int, lg: str = LG) -> str:
    with network.node(f"registry:{lg}").unit_of_work() as uow:
        return residents.number_of(uow, residents.get_resident(uow, resident_id))


def numbered_person(network: EmbeddedNetwork) -> tuple[int, str]:
    """A person born in 墨田区 with a 個人番号: (resident id, 住民票コード)."""
    rid = born(network)
    return rid, resident(network, LG, rid).resident_code


def change_number(network: EmbeddedNetwork, resident_id: int) -> None:
    notice = schemas.NumberChangeNotice(ground="request", change_date=dt.date(2026, 11, 20))
    record(network, LG, changes.request_number_change, resident_id, notice)


def number_request(resident_code: str, lg: str = LG, **fields: Any) -> dict[str, Any]:
    return {
        "request_id": str(uuid.uuid4()),
        "lg_code": lg,
        "resident_code": resident_code,
        "kind": "generate",
        "operator_id": "clerk-0001",
    } | fields


def send_requests(
    network: EmbeddedNetwork, requests: list[dict[str, Any]], registry: str = LG
) -> None:
    """Sent from `registry` through its own CS, in one envelope, then delivered."""
    with network.node(f"registry:{registry}").unit_of_work() as uow:
        for request in requests:
            uow.send(f"cs:{registry}", MessageType.NUMBER_REQUEST, request)
    network.pump()


def notices(network: EmbeddedNetwork, request_id: str) -> list[NumberNotice]:
    with network.node("national").db.session() as session:
        rows = list(
            session.scalars(select(NumberNotice).where(NumberNotice.request_id == request_id))
        )
        session.expunge_all()
        return rows


def forwarded_to_generator(network: EmbeddedNetwork) -> set[str]:
    """Request ids in every envelope the national server ever sent to the generator."""
    node = network.node("national")
    outbox = tables.outbox
    with node.db.session() as session:
        stored = session.scalars(
            select(outbox.c.envelope).where(
                outbox.c.recipient == "numbering", outbox.c.type == MessageType.NUMBER_REQUEST
            )
        ).all()
    ids: set[str] = set()
    for envelope in stored:
        body = json.loads(node.open_at_rest(envelope))["body"]
        ids |= {r["request_id"] for r in body["records"]}
    return ids
