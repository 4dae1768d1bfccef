"""The 統合宛名's work in 符号 acquisition (001b 1-④ and 5-①/②): keep the person's record
from the register's updates, ask the 中間サーバー for a 処理通番 for each new person, and
send 処理通番 + 個人番号 up the register's path to J-LIS."""

from __future__ import annotations

import datetime as dt
import logging
import secrets

from sqlalchemy import select

from juki.atena.models import AtenaPerson, AtenaSystemLink
from juki.core.errors import NotFound
from juki.core.infonet_messages import (
    RESIDENT_RECORD,
    AtenaUpdate,
    FugoAcquire,
    FugoRequest,
    FugoSamePerson,
    FugoSerial,
    FukuhonCheck,
    FukuhonCheckDone,
    FukuhonOriginal,
    FukuhonRegister,
)
from juki.core.messages import MessageType
from juki.core.messaging.node import UnitOfWork
from juki.core.messaging.paths import code_of

log = logging.getLogger(__name__)
REGISTER = "registry"  # the system name of the 既存住基 in `AtenaSystemLink`


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def institution(uow: UnitOfWork) -> str:
    return code_of(uow.node.node_id)


def new_atena_id() -> str:
    """A 団体内統合宛名番号: 16 random digits, so it is never read as a 12-digit 個人番号
    and says nothing of the person."""
    return f"{secrets.randbelow(9 * 10**15) + 10**15:016d}"


def apply_update(uow: UnitOfWork, update: AtenaUpdate) -> None:
    """1-④: the register's person, linked by its 宛名番号; a person first seen is given a
    団体内統合宛名番号 and the 中間サーバー is asked for a 処理通番 to get the 符号."""
    link = uow.session.get(AtenaSystemLink, (REGISTER, update.addressee_id))
    person = uow.session.get(AtenaPerson, link.atena_id) if link is not None else None
    if person is None:
        person = uow.session.scalars(
            select(AtenaPerson).where(
                AtenaPerson.individual_number_index == update.individual_number
            )
        ).first()
    if person is None:
        person = AtenaPerson(
            atena_id=new_atena_id(),
            individual_number=update.individual_number,
            individual_number_index=update.individual_number,
            status=update.status,
            created_at=now(),
            updated_at=now(),
        )
        uow.session.add(person)
        uow.session.flush()  # a second update for the person in this batch finds it
    elif person.individual_number != update.individual_number and _number_taken(uow, update):
        log.error("統合宛名: 個人番号 already belongs to another person; update left out")
        return
    elif person.individual_number != update.individual_number:  # 個人番号の変更
        person.individual_number = update.individual_number
        person.individual_number_index = update.individual_number
    person.status = update.status
    person.updated_at = now()
    if link is None:
        uow.session.add(
            AtenaSystemLink(
                system=REGISTER, addressee_id=update.addressee_id, atena_id=person.atena_id
            )
        )
        uow.session.flush()
    if person.fugo_asked_at is None:
        person.fugo_asked_at = now()
        acquire = FugoAcquire(atena_id=person.atena_id)
        uow.send(intermediate_of(uow), MessageType.FUGO_ACQUIRE, acquire.model_dump())
    if update.record_copy is not None:  # 副本の登録 (001a §3.13), by 統合宛名番号 only
        copy = FukuhonRegister(
            atena_id=person.atena_id, kind=RESIDENT_RECORD, data=update.record_copy,
            removed=update.status == "removed", hold=update.support_measure,
        )  # fmt: skip
        uow.send(intermediate_of(uow), MessageType.FUKUHON_REGISTER, copy.model_dump(mode="json"))


def intermediate_of(uow: UnitOfWork) -> str:
    return f"intermediate:{institution(uow)}"


def _number_taken(uow: UnitOfWork, update: AtenaUpdate) -> bool:
    found = uow.session.scalars(
        select(AtenaPerson.atena_id).where(
            AtenaPerson.individual_number_index == update.individual_number
        )
    ).first()
    return found is not None


def request_fugo(uow: UnitOfWork, given: FugoSerial) -> None:
    """5-①/②: the 処理通番 the 中間サーバー gave, with the person's 個人番号, to the
    register, which sends it through its CS to J-LIS (C10)."""
    person = uow.session.get(AtenaPerson, given.atena_id)
    if person is None:
        log.error("統合宛名: 処理通番 for an unknown 統合宛名番号, left out")
        return
    request = FugoRequest(
        serial=given.serial,
        institution=institution(uow),
        individual_number=person.individual_number,
    )
    uow.send(f"{REGISTER}:{institution(uow)}", MessageType.FUGO_REQUEST, request.model_dump())


def by_addressee(uow: UnitOfWork, system: str, addressee_id: int) -> AtenaPerson:
    """The person a business system knows by its 宛名番号."""
    link = uow.session.get(AtenaSystemLink, (system, addressee_id))
    person = uow.session.get(AtenaPerson, link.atena_id) if link is not None else None
    if person is None:
        raise NotFound("この宛名番号の団体内統合宛名はありません", field="addressee_id")
    return person


def merge(uow: UnitOfWork, same: FugoSamePerson) -> None:
    """名寄せ: the 中間サーバー found `atena_id` to be the person `same_as` (one 符号). The
    business systems' 宛名番号 move to `same_as`, which takes the newer record's 個人番号 and
    status; `atena_id` is gone."""
    newer = uow.session.get(AtenaPerson, same.atena_id)
    kept = uow.session.get(AtenaPerson, same.same_as)
    if newer is None or kept is None or newer is kept:
        log.error("統合宛名: a merge naming an unknown 統合宛名番号, left out")
        return
    for link in uow.session.scalars(
        select(AtenaSystemLink).where(AtenaSystemLink.atena_id == newer.atena_id)
    ).all():
        link.atena_id = kept.atena_id
    number, status = newer.individual_number, newer.status
    uow.session.delete(newer)
    uow.session.flush()  # the number's index is free before the kept row takes it
    kept.individual_number, kept.individual_number_index = number, number
    kept.status, kept.updated_at = status, now()


# --- 副本の突合 (NWS-7-3): the 統合宛名 passes the check between its 中間サーバー and its
# register, translating the register's 宛名番号 into the 統合宛名番号 (and nothing else).


def relay_check(uow: UnitOfWork, check: FukuhonCheck) -> None:
    uow.send(f"registry:{institution(uow)}", MessageType.FUKUHON_CHECK, check.model_dump())


def relay_original(uow: UnitOfWork, original: FukuhonOriginal) -> None:
    link = (
        uow.session.get(AtenaSystemLink, (REGISTER, original.addressee_id))
        if original.addressee_id is not None
        else None
    )
    forwarded = FukuhonOriginal(
        check_id=original.check_id, atena_id=link.atena_id if link else None,
        digest=original.digest,
    )  # fmt: skip
    uow.send(intermediate_of(uow), MessageType.FUKUHON_ORIGINAL, forwarded.model_dump())


def relay_done(uow: UnitOfWork, done: FukuhonCheckDone) -> None:
    uow.send(intermediate_of(uow), MessageType.FUKUHON_CHECK_DONE, done.model_dump())
