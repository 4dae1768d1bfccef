"""Synthetic people: consistent kanji/kana names (Faker ja_JP pairs) and real towns."""

from __future__ import annotations

import datetime as dt
import random
from typing import Any

from faker import Faker

from juki.core.clock import japan_today
from juki.core.places import municipality, towns


class PersonFactory:
    def __init__(self, seed: int | None = None):
        self.faker = Faker("ja_JP")
        if seed is not None:
            self.faker.seed_instance(seed)
        self.random = random.Random(seed)  # noqa: S311 - synthetic data, not security

    def name(self, sex: str) -> tuple[str, str, str, str]:
        """(surname kanji, given kanji, surname kana, given kana), a consistent pair."""
        last_kanji, last_kana, _ = self.faker.last_name_pair()
        pair = (
            self.faker.first_name_male_pair()
            if sex == "1"
            else (self.faker.first_name_female_pair())
        )
        return last_kanji, pair[0], last_kana, pair[1]

    def address(self, lg_code: str) -> dict[str, str]:
        place = municipality(lg_code)
        town = self.random.choice(towns(lg_code))
        r = self.random
        block = f"{r.randint(1, 5)}丁目{r.randint(1, 30)}番{r.randint(1, 20)}号"
        return {
            "address": f"{place.prefecture}{place.name}{town.name}{block}",
            "town_code": town.town_code,
            "postal_code": town.postal_code,
        }

    def person(self, lg_code: str, birth_date: dt.date | None = None) -> dict[str, Any]:
        sex = self.random.choice("12")
        last, first, last_kana, first_kana = self.name(sex)
        if birth_date is None:
            birth_date = japan_today() - dt.timedelta(days=self.random.randint(0, 95 * 365))
        return {
            "name_kanji": f"{last}\u3000{first}",
            "name_kana": f"{last_kana}\u3000{first_kana}",
            "birth_date": birth_date.isoformat(),
            "sex": sex,
            **self.address(lg_code),
        }

    def surname(self) -> tuple[str, str]:
        kanji, kana, _ = self.faker.last_name_pair()
        return kanji, kana


def make_people(lg_code: str, count: int, seed: int | None) -> list[dict[str, Any]]:
    """`count` synthetic people of one municipality (run in a worker process by the loader)."""
    factory = PersonFactory(seed)
    return [factory.person(lg_code) for _ in range(count)]
