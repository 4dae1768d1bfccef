"""副本の突合 (001a NWS-7-3: the 副本 "can be exported so that it can be compared with the
original in the business system"): besides the CSV export, the 中間サーバー asks its
register, through the 統合宛名, for a digest of every person's original (`copy_digest`:
items, 消除, 自動応答不可 — nothing personal travels) and compares each with the digest of
its own 副本; what differs, what is missing and what has no original are listed by
統合宛名番号 for staff to follow up (the register's next change of the person sends the
副本 again)."""

from __future__ import annotations

import json
import secrets

from sqlalchemy import func, select

from juki.core.errors import NotFound
from juki.core.infonet_messages import (
    RESIDENT_RECORD,
    FukuhonCheck,
    FukuhonCheckDone,
    FukuhonOriginal,
    copy_digest,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of
from juki.intermediate.exchange import now
from juki.intermediate.models import Fukuhon, FukuhonCheckItem, FukuhonCheckRun

RESULTS = ("same", "differs", "missing", "unlinked", "extra")


def start(uow: UnitOfWork, asked_by: str) -> FukuhonCheckRun:
    run = FukuhonCheckRun(id=secrets.token_hex(16), asked_by=asked_by[:120], asked_at=now())
    uow.session.add(run)
    atena = f"atena:{code_of(uow.node.node_id)}"
    uow.send(atena, MessageType.FUKUHON_CHECK, FukuhonCheck(check_id=run.id).model_dump())
    return run


def compare(uow: UnitOfWork, original: FukuhonOriginal) -> None:
    run = uow.session.get(FukuhonCheckRun, original.check_id)
    if run is None or run.done_at is not None:
        return
    if original.atena_id is None:
        result = "unlinked"
    else:
        copy = uow.session.get(Fukuhon, (original.atena_id, RESIDENT_RECORD))
        if copy is None:
            result = "missing"
        else:
            mine = copy_digest(json.loads(copy.data), copy.removed, copy.hold)
            result = "same" if mine == original.digest else "differs"
    uow.session.add(
        FukuhonCheckItem(check_id=run.id, atena_id=original.atena_id, result=result, at=now())
    )


def finish(uow: UnitOfWork, done: FukuhonCheckDone) -> None:
    """All originals came (channel order): every 副本 no original named is `extra`."""
    run = uow.session.get(FukuhonCheckRun, done.check_id)
    if run is None or run.done_at is not None:
        return
    seen = select(FukuhonCheckItem.atena_id).where(
        FukuhonCheckItem.check_id == run.id, FukuhonCheckItem.atena_id.is_not(None)
    )
    extra = uow.session.scalars(
        select(Fukuhon.atena_id).where(
            Fukuhon.kind == RESIDENT_RECORD, Fukuhon.atena_id.not_in(seen)
        )
    ).all()
    for atena_id in extra:
        uow.session.add(
            FukuhonCheckItem(check_id=run.id, atena_id=atena_id, result="extra", at=now())
        )
    run.originals, run.done_at = done.total, now()


def report(
    uow: UnitOfWork, check_id: str
) -> tuple[FukuhonCheckRun, dict[str, int], list[FukuhonCheckItem]]:
    """A check's counts by result and the persons that are not `same`."""
    run = uow.session.get(FukuhonCheckRun, check_id)
    if run is None:
        raise NotFound("突合が見つかりません", field="check_id")
    counts = dict.fromkeys(RESULTS, 0) | {
        row[0]: int(row[1])
        for row in uow.session.execute(
            select(FukuhonCheckItem.result, func.count())
            .where(FukuhonCheckItem.check_id == check_id)
            .group_by(FukuhonCheckItem.result)
        )
    }
    off = list(
        uow.session.scalars(
            select(FukuhonCheckItem)
            .where(FukuhonCheckItem.check_id == check_id, FukuhonCheckItem.result != "same")
            .order_by(FukuhonCheckItem.id)
            .limit(1000)
        )
    )
    return run, counts, off


def recent(uow: UnitOfWork) -> list[FukuhonCheckRun]:
    return list(
        uow.session.scalars(
            select(FukuhonCheckRun).order_by(FukuhonCheckRun.asked_at.desc()).limit(20)
        )
    )
