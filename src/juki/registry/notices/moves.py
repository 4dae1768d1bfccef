"""届出 that move people within or out of the register, or remove them (001a §3.1):
転居届 (住基法 第23条), 転出届 (第24条; the record becomes a 除票 and the 転出証明書 is
issued from it), 死亡 and the other 消除. Whoever moves takes the members moving with them;
the household left behind keeps, or names, its 世帯主 (`households`).
"""

from __future__ import annotations

import datetime as dt

from juki.core.clock import japan_today
from juki.core.errors import InvalidInput
from juki.core.messages import ChangeReason
from juki.core.messaging.node import UnitOfWork
from juki.registry.households import service as households
from juki.registry.households.schemas import HouseholdEffects
from juki.registry.notices import intake, schemas
from juki.registry.residents import service as residents
from juki.registry.residents.models import Resident
from juki.registry.residents.pool import lg_code
from juki.registry.residents.schemas import Notice
from juki.registry.residents.service import EventRecord


def preload_residents(uow: UnitOfWork, resident_ids: list[int]) -> list[Resident]:
    """Load a batch's residents in one query, so recording each event reads from memory
    (a batch of counter notices committed together, e.g. the benchmark's). The session's
    identity map holds objects weakly: keep the returned list while recording."""
    loaded: list[Resident] = residents.in_chunks(uow, Resident, Resident.id, resident_ids)
    households.preload_members(uow, {r.household_id for r in loaded})
    return loaded


def _regroup(
    uow: UnitOfWork,
    group: list[Resident],
    effects: HouseholdEffects,
    *,
    leaving: bool,
    join: int | None = None,
    day: dt.date,
) -> tuple[set[int], list[Resident]]:
    """Move `group` out of its household: to nowhere (転出, 死亡: `leaving`), to the household
    `join`, or to a new household when only part of the old one moves. Returns the
    households to check and the people whose 続柄 alone changed."""
    old = group[0].household_id
    staying = households.member_ids(uow, old) - {p.id for p in group}
    households.touch(uow, old, join)
    affected = {old}
    concerned = {p.id for p in group} | staying
    if join is not None:
        households.current_household(uow, join)
        if join == old:
            raise InvalidInput("同じ世帯です", field="household_id")
        concerned |= households.member_ids(uow, join)
        for person in group:
            person.household_id = join
        affected.add(join)
    elif staying and not leaving:
        new_id = households.create_household(uow, day)
        households.touch(uow, new_id)
        for person in group:
            person.household_id = new_id
        affected.add(new_id)
    group_ids = {p.id for p in group}
    changed = households.apply_relationships(uow, effects.relationships, concerned)
    if not changed and join is None and _unchanged_heads(group, staying, leaving):
        # The common case (a whole household moves, or a member who is not its head
        # leaves): who heads which household cannot have changed, so there is nothing to
        # check, only an emptied household to close.
        if leaving and not staying:
            households.dissolve(uow, old)
        affected = set()
    return affected, [p for p in changed if p.id not in group_ids]


def _unchanged_heads(group: list[Resident], staying: set[int], leaving: bool) -> bool:
    head_moves = any(p.relationship == households.HEAD for p in group)
    if not staying:  # the whole household moves (or leaves) together
        return True
    return leaving and not head_moves


def _finish(
    uow: UnitOfWork,
    affected: set[int],
    relatives: list[Resident],
    notice: Notice,
) -> None:
    for person in relatives:
        residents.write_history(uow, person, residents.HOUSEHOLD_CHANGE, notice)
    households.check_households(uow, affected)


def record_move_within(
    uow: UnitOfWork, resident_id: int, notice: schemas.MoveWithinNotice
) -> EventRecord:
    """転居: the person and the members moving with them get the new address."""
    resident = residents.current_resident(uow, resident_id)
    if notice.address == resident.address:
        raise InvalidInput("住所が変わっていません", field="address")
    intake.record(uow, notice, "転居届")
    group = households.movers(uow, resident, notice.members)
    if notice.household_id is not None:
        head = households.head_of(uow, notice.household_id)
        if head is not None and head.address != notice.address:
            raise InvalidInput("転居先の世帯の住所と異なります", field="address")
    affected, relatives = _regroup(
        uow, group, notice, leaving=False, join=notice.household_id, day=notice.change_date
    )
    events = []
    for person in group:
        if person is not resident:
            residents.current_resident(uow, person.id)
        person.previous_address = person.address
        person.address, person.town_code = notice.address, notice.town_code
        person.postal_code = notice.postal_code
        person.settled_on, person.settled_reason = notice.change_date, "move_within"
        events.append(residents.record_event(uow, person, ChangeReason.MOVE_WITHIN, notice))
    _finish(uow, affected, relatives, notice)
    return events[0]


def record_move_out(
    uow: UnitOfWork, resident_id: int, notice: schemas.MoveOutNotice
) -> EventRecord:
    """転出: the record becomes a 除票; the remaining household keeps (or names) its head."""
    resident = residents.current_resident(uow, resident_id)
    intake.record(uow, notice, "転出届")
    group = households.movers(uow, resident, notice.members)
    affected, relatives = _regroup(uow, group, notice, leaving=True, day=notice.change_date)
    events = []
    for person in group:
        _remove(person, "move_out", notice)
        person.destination_address = notice.destination_address
        person.destination_lg_code = notice.destination_lg_code
        events.append(residents.record_event(uow, person, ChangeReason.MOVE_OUT, notice))
    _finish(uow, affected, relatives, notice)
    return events[0]


def _remove(person: Resident, kind: str, notice: Notice) -> None:
    """消除: the record stays as a 除票 (kept 150 years, 施行令 第34条第1項)."""
    person.status, person.removal_kind = "removed", kind
    person.removed_on = notice.change_date
    person.removal_notified_on = notice.notified_on or japan_today()
    person.removal_processed_on = japan_today()
    person.removal_reason = kind


def move_out_certificate(uow: UnitOfWork, resident: Resident) -> schemas.MoveOutCertificate:
    return schemas.MoveOutCertificate(
        resident_code=resident.resident_code,
        individual_number=residents.number_of(uow, resident),
        name_kanji=resident.name_kanji,
        name_kana=resident.name_kana,
        birth_date=resident.birth_date,
        sex=resident.sex,  # type: ignore[arg-type]
        lg_code=lg_code(uow),
        address=resident.address,
        destination_address=resident.destination_address or "",
    )


def record_death(uow: UnitOfWork, resident_id: int, notice: schemas.DeathNotice) -> EventRecord:
    return record_removal(uow, resident_id, notice, ChangeReason.DEATH, "death")


def record_removal(
    uow: UnitOfWork,
    resident_id: int,
    notice: schemas.DeathNotice,
    reason: ChangeReason,
    kind: str,
) -> EventRecord:
    """消除 of one person: 死亡, 失踪宣告 or 職権消除; the household names its new head."""
    resident = residents.current_resident(uow, resident_id)
    if notice.members:
        raise InvalidInput("消除は一人ずつ記録します", field="members")
    affected, relatives = _regroup(uow, [resident], notice, leaving=True, day=notice.change_date)
    _remove(resident, kind, notice)
    event = residents.record_event(uow, resident, reason, notice)
    _finish(uow, affected, relatives, notice)
    return event
