"""Statistics a municipality reports: population and households by 町丁目, sex and age
(住民基本台帳に基づく人口・世帯数), and monthly counts of 異動 by kind."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import func, select

from juki.core.birthdays import age_on
from juki.core.clock import japan_today
from juki.core.messaging.node import UnitOfWork
from juki.registry.residents.models import Resident, ResidentHistory

AGE_BANDS = ((0, 14, "0〜14歳"), (15, 64, "15〜64歳"), (65, 200, "65歳以上"))


@dataclass
class TownRow:
    town: str
    male: int = 0
    female: int = 0
    households: set[int] = field(default_factory=set)

    @property
    def total(self) -> int:
        return self.male + self.female


@dataclass
class Population:
    on: dt.date
    towns: list[TownRow]
    age_bands: dict[str, dict[str, int]]

    @property
    def total(self) -> int:
        return sum(t.total for t in self.towns)

    @property
    def households(self) -> int:
        return len(set().union(*(t.households for t in self.towns))) if self.towns else 0


def town_of(address: str) -> str:
    """The 町丁目 part of an address: up to and including 丁目, else before the 番地."""
    for mark in ("丁目",):
        if mark in address:
            return address[: address.index(mark) + len(mark)]
    return address.rstrip("0123456789０１２３４５６７８９-－番地号 ")


def population(uow: UnitOfWork, on: dt.date | None = None) -> Population:
    on = on or japan_today()
    rows = uow.session.execute(
        select(Resident.address, Resident.sex, Resident.birth_date, Resident.household_id).where(
            Resident.status == "resident"
        )
    )
    towns: dict[str, TownRow] = {}
    bands = {label: {"1": 0, "2": 0} for _, _, label in AGE_BANDS}
    for address, sex, birth, household_id in rows:
        row = towns.setdefault(town_of(address), TownRow(town_of(address)))
        if sex == "1":
            row.male += 1
        else:
            row.female += 1
        row.households.add(household_id)
        age = age_on(birth, on)
        label = next(lab for low, high, lab in AGE_BANDS if low <= age <= high)
        bands[label][sex] += 1
    return Population(on, sorted(towns.values(), key=lambda t: t.town), bands)


def monthly_changes(uow: UnitOfWork, months: int = 12) -> dict[str, Counter[str]]:
    """{'2026-11': Counter({'birth': 3, 'move_in': 10, …}), …} for the last `months` months,
    by the month the change happened (異動日)."""
    since = (japan_today().replace(day=1) - dt.timedelta(days=31 * (months - 1))).replace(day=1)
    rows = uow.session.execute(
        select(ResidentHistory.change_date, ResidentHistory.change_reason, func.count())
        .where(ResidentHistory.change_date >= since)
        .group_by(ResidentHistory.change_date, ResidentHistory.change_reason)
    )
    result: dict[str, Counter[str]] = {}
    for day, reason, count in rows:
        result.setdefault(f"{day:%Y-%m}", Counter())[reason] += count
    return dict(sorted(result.items(), reverse=True))
