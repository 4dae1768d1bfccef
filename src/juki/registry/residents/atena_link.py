"""The register's link to its institution's 団体内統合宛名システム (001a §2.3; 001b 1-④):
every change of a person is told to it by 宛名番号 with the 個人番号, and its 符号 requests
go up through the register's CS to J-LIS (001b 5-②). Off until the installer connects an
統合宛名 (`connect`): a register with none sends nothing.
"""

from __future__ import annotations

import datetime as dt
import logging
import time
import weakref
from collections.abc import Callable, Iterator
from typing import Any

from sqlalchemy import DateTime, Integer, String, column, select, table
from sqlalchemy.orm import Mapped, mapped_column

from juki.core.clock import japan_today
from juki.core.identity import NUMBER_COLUMN
from juki.core.infonet_messages import (
    AtenaUpdate,
    FugoRequest,
    FukuhonCheck,
    FukuhonCheckDone,
    FukuhonOriginal,
    ResidentRecordCopy,
    copy_digest,
)
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
# Whether each node's register is connected: asked for every change the register records.
# "Connected" is kept for good (a connection is never undone); "not connected" is read
# again after NOT_CONNECTED_S, so a connection made by another process (the installer's
# command beside a running network) is seen within that time, not at the next restart.
_CONNECTED: weakref.WeakKeyDictionary[Node, bool] = weakref.WeakKeyDictionary()
_NOT_CONNECTED_UNTIL: weakref.WeakKeyDictionary[Node, float] = weakref.WeakKeyDictionary()
NOT_CONNECTED_S = 30.0
BATCH = 500


def atena_of(uow: UnitOfWork) -> str:
    return f"atena:{code_of(uow.node.node_id)}"


def is_connected(uow: UnitOfWork, clock: Callable[[], float] = time.monotonic) -> bool:
    if _CONNECTED.get(uow.node):
        return True
    if clock() < _NOT_CONNECTED_UNTIL.get(uow.node, float("-inf")):
        return False
    known = uow.session.scalars(select(AtenaConnection.id).limit(1)).first() is not None
    if known:
        _CONNECTED[uow.node] = True
    else:
        _NOT_CONNECTED_UNTIL[uow.node] = clock() + NOT_CONNECTED_S
    return known


def connect(uow: UnitOfWork) -> int:
    """Connect the register to its 統合宛名 (the installer's act, as for 届出点検's
    setting): every person with a 個人番号, resident or removed, is sent once now (004
    P1(a): the first bulk registration); every change after is sent as it is recorded.
    Returns how many were sent; 0 and nothing done if connected already."""
    if is_connected(uow):
        return 0
    sent = 0
    for resident, hold in _numbered(uow):
        number = _number(uow, resident)
        if number is not None:  # (the query takes only numbered persons)
            _send(uow, resident, number, hold)
        sent += 1
    uow.session.add(
        AtenaConnection(
            connected_at=dt.datetime.now(dt.UTC), connected_by=SETUP.login, persons_sent=sent
        )
    )
    _CONNECTED[uow.node] = True
    return sent


def notify(uow: UnitOfWork, resident: Any, individual_number: str | None = None) -> None:
    """1-④: a change of the person (or of their 支援措置), if the register is connected."""
    if not is_connected(uow):
        return
    number = individual_number or _number(uow, resident)
    if number is not None:
        _send(uow, resident, number, bool(_held(uow, [resident.id])))


def _number(uow: UnitOfWork, resident: Any) -> str | None:
    cipher = resident.individual_number_cipher
    return None if cipher is None else uow.node.keys.decrypt(cipher, column=NUMBER_COLUMN)


# 支援措置 (read here as a table, not through registry.support, which builds on the
# residents' package): a measure running or still to come holds every answer about the
# person for staff review (001a NWS-5-3, 001b C-13) — erring on the side of the person
# it protects until the next change of the record sends the flag again.
_SUPPORT = table("support_measures", column("resident_id"), column("ends_on"))


def _held(uow: UnitOfWork, resident_ids: list[int]) -> set[int]:
    if not resident_ids:
        return set()
    rows = uow.session.execute(
        select(_SUPPORT.c.resident_id).where(
            _SUPPORT.c.resident_id.in_(resident_ids), _SUPPORT.c.ends_on >= japan_today()
        )
    )
    return {row[0] for row in rows}


def send_originals(uow: UnitOfWork, check: FukuhonCheck) -> None:
    """副本の突合 (NWS-7-3): the digest of every person's original as the 統合宛名 was sent
    it (items, 消除, 支援措置), by 宛名番号; then how many. Nothing personal travels."""
    if not is_connected(uow):
        return
    sent = 0
    for resident, hold in _numbered(uow):
        status, copy = _copy(resident)
        digest = copy_digest(copy.model_dump(mode="json"), status == "removed", hold)
        original = FukuhonOriginal(check_id=check.check_id, addressee_id=resident.id, digest=digest)
        uow.send(atena_of(uow), MessageType.FUKUHON_ORIGINAL, original.model_dump())
        sent += 1
    done = FukuhonCheckDone(check_id=check.check_id, total=sent)
    uow.send(atena_of(uow), MessageType.FUKUHON_CHECK_DONE, done.model_dump())


def _numbered(uow: UnitOfWork) -> Iterator[tuple[Resident, bool]]:
    """Every person with a 個人番号, resident or removed, in 宛名番号 order, in batches,
    with whether a 支援措置 holds answers about them."""
    after = 0
    while True:
        rows = uow.session.scalars(
            select(Resident)
            .where(Resident.id > after, Resident.individual_number_cipher.is_not(None))
            .order_by(Resident.id)
            .limit(BATCH)
        ).all()
        held = _held(uow, [r.id for r in rows])
        yield from ((resident, resident.id in held) for resident in rows)
        if len(rows) < BATCH:
            return
        after = rows[-1].id


def _copy(resident: Any) -> tuple[str, ResidentRecordCopy]:
    status = "removed" if resident.status == "removed" else "resident"
    return status, ResidentRecordCopy.model_construct(
        name_kanji=resident.name_kanji, name_kana=resident.name_kana,
        birth_date=resident.birth_date, sex=resident.sex, address=resident.address,
        became_resident_on=resident.became_resident_on, status=status,
        change_reason=resident.change_reason, change_date=resident.change_date,
    )  # fmt: skip


def _send(uow: UnitOfWork, resident: Any, individual_number: str, hold: bool) -> None:
    status, copy = _copy(resident)
    update = AtenaUpdate.model_construct(
        addressee_id=resident.id, individual_number=individual_number, status=status,
        record_copy=copy, support_measure=hold,
    )  # fmt: skip
    uow.send(atena_of(uow), MessageType.ATENA_UPDATE, update.model_dump(mode="json"))


def relay_fugo_request(uow: UnitOfWork, request: FugoRequest) -> None:
    """5-②: the 統合宛名's 符号 request to the CS, for this institution only."""
    if request.institution != code_of(uow.node.node_id):
        log.warning("符号 request for another institution dropped")
        return
    uow.send(f"cs:{code_of(uow.node.node_id)}", MessageType.FUGO_REQUEST, request.model_dump())
