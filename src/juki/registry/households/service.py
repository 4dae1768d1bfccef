"""世帯 (households): forming, joining and leaving them, and the rule that holds after every
届出: each current household has exactly one 世帯主 among its members (住基法 第7条第4号),
and a household left with no members is dissolved.

The rule is checked after the change is applied, inside the same unit of work: a 届出 that
breaks it raises and the whole transaction rolls back, so nothing is half-written.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import bindparam, func, insert, select

from juki.core.errors import Conflict, InvalidInput, NotFound
from juki.core.messaging.node import UnitOfWork
from juki.registry.households.models import Household
from juki.registry.households.schemas import Relationship
from juki.registry.residents.models import Resident

HEAD = Relationship.HEAD.value


def create_households(uow: UnitOfWork, formed_on: list[dt.date]) -> list[int]:
    if not formed_on:
        return []
    ids = uow.session.scalars(
        insert(Household).returning(Household.id, sort_by_parameter_order=True),
        [{"formed_on": day, "status": "current"} for day in formed_on],
    ).all()
    return list(ids)


def create_household(uow: UnitOfWork, formed_on: dt.date) -> int:
    return create_households(uow, [formed_on])[0]


def current_household(uow: UnitOfWork, household_id: int, field: str = "household_id") -> Household:
    household = uow.session.get(Household, household_id)
    if household is None:
        raise NotFound("世帯が見つかりません", field=field)
    if household.status != "current":
        raise Conflict("この世帯は現存しません", field=field, code="household_dissolved")
    return household


def members(uow: UnitOfWork, household_id: int) -> list[Resident]:
    """The household's current members, 世帯主 first, then by 宛名番号."""
    rows = uow.session.scalars(
        select(Resident)
        .where(Resident.household_id == household_id, Resident.status == "resident")
        .order_by(Resident.id)
    ).all()
    return sorted(rows, key=lambda r: r.relationship != HEAD)


def head_of(uow: UnitOfWork, household_id: int) -> Resident | None:
    return next((m for m in members(uow, household_id) if m.relationship == HEAD), None)


def existing_households(uow: UnitOfWork, household_ids: set[int]) -> set[int]:
    rows = uow.session.scalars(
        select(Household.id).where(Household.id.in_(household_ids), Household.status == "current")
    )
    return set(rows)


def check_households(uow: UnitOfWork, household_ids: set[int]) -> None:
    """Each household given: one 世帯主 if it has members; dissolved if it has none."""
    if not household_ids:
        return
    uow.session.flush()
    for household_id in sorted(set(household_ids)):
        heads = uow.session.scalar(
            select(func.count()).where(
                Resident.household_id == household_id,
                Resident.status == "resident",
                Resident.relationship == HEAD,
            )
        )
        count = uow.session.scalar(
            select(func.count()).where(
                Resident.household_id == household_id, Resident.status == "resident"
            )
        )
        household = uow.session.get(Household, household_id)
        assert household is not None
        heads, count = heads or 0, count or 0
        if not count:
            household.status = "dissolved"
        elif heads == 0:
            raise InvalidInput(
                f"世帯（世帯番号 {household_id}）に世帯主がいません。"
                "続柄で新しい世帯主を指定してください",
                field="relationships",
            )
        elif heads > 1:
            raise InvalidInput(
                f"世帯（世帯番号 {household_id}）に世帯主が複数います", field="relationships"
            )


def movers(uow: UnitOfWork, resident: Resident, others: list[int]) -> list[Resident]:
    """The person and the members moving with them: all current, all of one household."""
    group = [resident]
    for addressee_id in dict.fromkeys(others):
        if addressee_id == resident.id:
            continue
        member = uow.session.get(Resident, addressee_id)
        if member is None or member.status != "resident":
            raise InvalidInput("同時に異動する世帯員が住民ではありません", field="members")
        if member.household_id != resident.household_id:
            raise InvalidInput("同時に異動できるのは同じ世帯の世帯員だけです", field="members")
        group.append(member)
    return group


def apply_relationships(
    uow: UnitOfWork, relationships: dict[int, Relationship], allowed: set[int]
) -> list[Resident]:
    """Set the 続柄 the 届出 gives; only for people the 届出 concerns. Returns those whose
    続柄 changed."""
    changed = []
    for addressee_id, relationship in relationships.items():
        if addressee_id not in allowed:
            raise InvalidInput(
                "この届出に関係しない人の続柄は変更できません", field="relationships"
            )
        person = uow.session.get(Resident, addressee_id)
        assert person is not None
        if person.relationship != relationship.value:
            person.relationship = relationship.value
            changed.append(person)
    return changed


def member_ids(uow: UnitOfWork, household_id: int) -> set[int]:
    """Current members' 宛名番号. A household this transaction already changed is flushed
    first; any other is read as stored, so a batch of 届出 still flushes once."""
    if household_id in touched(uow):
        uow.session.flush()
    else:
        known: dict[int, set[int]] = uow.memo.get("household_members", {})
        if household_id in known:
            return set(known[household_id])
    rows = uow.session.connection().execute(_MEMBERS, {"household": household_id})
    return {rid for rid, status in rows if status == "resident"}


def preload_members(uow: UnitOfWork, household_ids: set[int]) -> None:
    """For a batch of 届出: every household's members in one query, so `member_ids` reads
    them from memory until the transaction changes that household."""
    known: dict[int, set[int]] = uow.memo.setdefault("household_members", {})
    wanted = sorted(household_ids - known.keys())
    for start in range(0, len(wanted), 500):
        chunk = wanted[start : start + 500]
        known.update({h: set() for h in chunk})
        rows = uow.session.connection().execute(
            select(_residents.c.id, _residents.c.household_id).where(
                _residents.c.household_id.in_(chunk), _residents.c.status == "resident"
            )
        )
        for rid, household_id in rows:
            known[household_id].add(rid)


_residents = Resident.__table__
# By household only, so the planner takes the household index (status is not selective).
_MEMBERS = select(_residents.c.id, _residents.c.status).where(
    _residents.c.household_id == bindparam("household")
)


def touched(uow: UnitOfWork) -> set[int]:
    """Households whose membership this transaction changed (see `member_ids`)."""
    found: set[int] = uow.memo.setdefault("households_touched", set())
    return found


def touch(uow: UnitOfWork, *household_ids: int | None) -> None:
    touched(uow).update(h for h in household_ids if h is not None)


def dissolve(uow: UnitOfWork, household_id: int) -> None:
    touch(uow, household_id)
    household = uow.session.get(Household, household_id)
    assert household is not None
    household.status = "dissolved"
