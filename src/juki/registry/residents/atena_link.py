"""The register's link to its institution's 団体内統合宛名システム (001a §2.3; 001b 1-④):
every change of a person is told to it by 宛名番号 with the 個人番号, and its 符号 requests
go up through the register's CS to J-LIS (001b 5-②). Off until the installer connects an
統合宛名 (`connect`): a register with none sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import weakref

from sqlalchemy import DateTime, Integer, String, select
from sqlalchemy.orm import Mapped, mapped_column

from juki.core.identity import NUMBER_COLUMN
from juki.core.infonet_messages import AtenaUpdate, FugoRequest
from juki.core.messages import MessageType
from juki.core.messaging.node import Node, UnitOfWork
from juki.core.messaging.paths import code_of
from juki.duties.operators.accounts import SETUP
from juki.registry.residents.models import Base, Resident


class AtenaConnection(Base):
    """When the register was connected to its 統合宛名 (one row; none: not connected)."""

    __tablename__ = "atena_connection"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    connected_at: Mapped[dt.datetime] = mapped_column(DateTime(timezone=True))
    connected_by: Mapped[str] = mapped_column(String(40))
    persons_sent: Mapped[int] = mapped_column(Integer)  # the first full send


log = logging.getLogger(__name__)
# Whether each node's register is connected, read once per node: it is asked for every
# change the register records, and a connection is never undone.
_CONNECTED: weakref.WeakKeyDictionary[Node, bool] = weakref.WeakKeyDictionary()
BATCH = 500


def atena_of(uow: UnitOfWork) -> str:
    return f"atena:{code_of(uow.node.node_id)}"


def is_connected(uow: UnitOfWork) -> bool:
    known = _CONNECTED.get(uow.node)
    if known is None:
        known = uow.session.scalars(select(AtenaConnection.id).limit(1)).first() is not None
        _CONNECTED[uow.node] = known
    return known


def connect(uow: UnitOfWork) -> int:
    """Connect the register to its 統合宛名 (the installer's act, as for 届出点検's
    setting): every person with a 個人番号, resident or removed, is sent once now (004
    P1(a): the first bulk registration); every change after is sent as it is recorded.
    Returns how many were sent; 0 and nothing done if connected already."""
    if is_connected(uow):
        return 0
    sent = 0
    after = 0
    while True:
        rows = uow.session.execute(
            select(Resident.id, Resident.individual_number_cipher, Resident.status)
            .where(Resident.id > after, Resident.individual_number_cipher.is_not(None))
            .order_by(Resident.id)
            .limit(BATCH)
        ).all()
        for rid, cipher, status in rows:
            if cipher is not None:  # (the query takes only numbered persons)
                _send(uow, rid, uow.node.keys.decrypt(cipher, column=NUMBER_COLUMN), status)
        sent += len(rows)
        if len(rows) < BATCH:
            break
        after = rows[-1][0]
    uow.session.add(
        AtenaConnection(
            connected_at=dt.datetime.now(dt.UTC), connected_by=SETUP.login, persons_sent=sent
        )
    )
    _CONNECTED[uow.node] = True
    return sent


def notify(uow: UnitOfWork, addressee_id: int, individual_number: str, status: str) -> None:
    """1-④: a change of the person, by 宛名番号, if the register is connected."""
    if is_connected(uow):
        _send(uow, addressee_id, individual_number, status)


def _send(uow: UnitOfWork, addressee_id: int, individual_number: str, status: str) -> None:
    update = AtenaUpdate.model_construct(
        addressee_id=addressee_id,
        individual_number=individual_number,
        status="removed" if status == "removed" else "resident",
    )
    uow.send(atena_of(uow), MessageType.ATENA_UPDATE, update.model_dump())


def relay_fugo_request(uow: UnitOfWork, request: FugoRequest) -> None:
    """5-②: the 統合宛名's 符号 request to the CS, for this institution only."""
    if request.institution != code_of(uow.node.node_id):
        log.warning("符号 request for another institution dropped")
        return
    uow.send(f"cs:{code_of(uow.node.node_id)}", MessageType.FUGO_REQUEST, request.model_dump())
