"""The 中間サーバー's 符号管理 (001a §2.4 ①; 001b 5-①/④): a 処理通番 for each person the
統合宛名 names, the 符号 the network sends bound against it once, and re-keying when the
network says the person's 符号 changed (000 P2.3b)."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from sqlalchemy import select

from juki.core.clock import as_utc
from juki.core.infonet_messages import (
    FugoAcquire,
    FugoIssued,
    FugoRekey,
    FugoSamePerson,
    FugoSerial,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.intermediate.models import FugoEvent, FugoHeld, FugoRequest, Fukuhon

log = logging.getLogger(__name__)
# How long a 処理通番 waits for its 符号: the request travels 既存住基 → CS → J-LIS →
# network, each of which may be down for a day [juki's choice].
SERIAL_LIFETIME = dt.timedelta(days=7)


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def _event(uow: UnitOfWork, kind: str, serial: str | None, reason: str | None = None) -> None:
    uow.session.add(FugoEvent(at=now(), kind=kind, serial=serial, reason=reason))


def give_serial(uow: UnitOfWork, acquire: FugoAcquire) -> None:
    """5-①: a fresh 処理通番 for the person, to the 統合宛名 (which sends it on to J-LIS
    with the 個人番号). A person who holds a 符号 already is given none."""
    if uow.session.get(FugoHeld, acquire.atena_id) is not None:
        _event(uow, "refused", None, "already_held")
        return
    serial = secrets.token_hex(16)
    asked = now()
    uow.session.add(
        FugoRequest(
            serial=serial,
            atena_id=acquire.atena_id,
            asked_at=asked,
            expires_at=asked + SERIAL_LIFETIME,
        )
    )
    _event(uow, "serial_given", serial)
    answer = FugoSerial(atena_id=acquire.atena_id, serial=serial)
    uow.send(f"atena:{code_of(uow.node.node_id)}", MessageType.FUGO_SERIAL, answer.model_dump())


def renew_expired(uow: UnitOfWork) -> int:
    """A 処理通番 that expired unanswered (J-LIS refused it, the network did not know the
    institution yet, a node was down for a week) is replaced: the person still without a
    符号 is given a fresh one, and the 統合宛名 asks again with the 個人番号 it has now.
    Run by the network's housekeeping; returns how many were renewed."""
    expired = uow.session.scalars(
        select(FugoRequest).where(FugoRequest.expires_at <= now()).limit(500)
    ).all()
    renewed = 0
    for request in expired:
        uow.session.delete(request)
        _event(uow, "expired", request.serial)
        if uow.session.get(FugoHeld, request.atena_id) is None:
            give_serial(uow, FugoAcquire(atena_id=request.atena_id))
            renewed += 1
    return renewed


def bind(uow: UnitOfWork, issued: FugoIssued) -> None:
    """5-④: the 符号 is taken only against an outstanding, unexpired 処理通番, which is then
    deleted, so a replayed or made-up answer binds nothing (004 R-ACQ-03/07)."""
    request = uow.session.get(FugoRequest, issued.serial)
    if request is None:
        log.warning("中間サーバー: 符号 for an unknown or used 処理通番, refused")
        _event(uow, "refused", issued.serial, "unknown_serial")
        return
    uow.session.delete(request)
    if as_utc(request.expires_at) <= now():
        _event(uow, "refused", issued.serial, "expired_serial")
        return
    holder = uow.session.scalars(select(FugoHeld).where(FugoHeld.fugo == issued.fugo)).first()
    if holder is not None and holder.atena_id != request.atena_id:
        _same_person(uow, request.atena_id, holder.atena_id)
        _event(uow, "merged", issued.serial)
        return
    held = uow.session.get(FugoHeld, request.atena_id)
    if held is None:
        uow.session.add(FugoHeld(atena_id=request.atena_id, fugo=issued.fugo, bound_at=now()))
    elif held.fugo != issued.fugo:
        _event(uow, "refused", issued.serial, "another_fugo_held")
        return
    _event(uow, "bound", issued.serial)


def rekey(uow: UnitOfWork, change: FugoRekey) -> None:
    """P2.3b: the person held under the old 符号 is held under the new one from now on."""
    held = uow.session.scalars(select(FugoHeld).where(FugoHeld.fugo == change.old_fugo)).first()
    if held is None:
        _event(uow, "refused", None, "unknown_fugo")
        return
    held.fugo, held.rekeyed_at = change.new_fugo, now()
    _event(uow, "rekeyed", None)


def _same_person(uow: UnitOfWork, atena_id: str, same_as: str) -> None:
    """One 符号, two 統合宛名番号: one person (名寄せ). The 副本 registered under the newer
    number moves to the one that holds the 符号 (it is the latest data), and the 統合宛名
    is told to merge the two."""
    for copy in uow.session.scalars(select(Fukuhon).where(Fukuhon.atena_id == atena_id)).all():
        kept = uow.session.get(Fukuhon, (same_as, copy.kind))
        if kept is not None:
            uow.session.delete(kept)
            uow.session.flush()
        copy.atena_id = same_as
    for waiting in uow.session.scalars(
        select(FugoRequest).where(FugoRequest.atena_id == atena_id)
    ).all():
        uow.session.delete(waiting)
    merge = FugoSamePerson(atena_id=atena_id, same_as=same_as)
    uow.send(f"atena:{code_of(uow.node.node_id)}", MessageType.FUGO_SAME_PERSON, merge.model_dump())
