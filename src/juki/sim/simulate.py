"""Life on the network through the real registry APIs (`juki simulate`).

Each simulated day brings births, deaths, moves within a municipality, moves to another
municipality (in or across prefectures: 転出 at one registry, 転入 with the 転出証明書 at
the other) and marriages (氏名の変更). Rates are annual rates compressed by `speed`.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from juki.sim.people import PersonFactory

ANNUAL_RATES = {
    "birth": 0.008,
    "death": 0.011,
    "move_within": 0.04,
    "move_away": 0.05,
    "marriage": 0.01,
}


@dataclass
class Simulation:
    client: httpx.Client
    municipalities: list[str]
    seed: int | None = None
    speed: float = 30.0
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.people = PersonFactory(self.seed)
        self.random = random.Random(self.seed)  # noqa: S311 - synthetic data
        self.residents: dict[str, list[int]] = {lg: [] for lg in self.municipalities}

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body)
        if response.status_code >= 400:
            self.counts["rejected"] += 1
            return {}
        self.counts["accepted"] += 1
        result: dict[str, Any] = response.json()
        return result

    def refresh(self) -> None:
        for lg in self.municipalities:
            ids: list[int] = []
            after = 0
            while True:
                page = self.client.get(
                    f"/registry/{lg}/residents", params={"after_id": after, "limit": 10000}
                ).json()
                ids += page
                if len(page) < 10000:
                    break
                after = page[-1]
            self.residents[lg] = ids

    def populate(self, count: int, progress: Callable[[int], None]) -> None:
        for i in range(count):
            lg = self.municipalities[i % len(self.municipalities)]
            person = self.people.person(lg)
            self._post(f"/registry/{lg}/births", person | {"change_date": person["birth_date"]})
            self.counts["birth"] += 1
            progress(1)

    def day(self, today: dt.date) -> None:
        date = today.isoformat()
        for lg in self.municipalities:
            population = max(len(self.residents[lg]), 1)
            for kind, rate in ANNUAL_RATES.items():
                expected = population * rate * self.speed / 365
                for _ in range(self._poisson(expected)):
                    self._event(kind, lg, date)

    def _poisson(self, mean: float) -> int:
        count, threshold = 0, self.random.random()
        probability = cumulative = pow(2.718281828, -mean)
        while threshold > cumulative and count < 1000:
            count += 1
            probability *= mean / count
            cumulative += probability
        return count

    def _pick(self, lg: str) -> int | None:
        ids = self.residents[lg]
        return ids.pop(self.random.randrange(len(ids))) if ids else None

    def _event(self, kind: str, lg: str, date: str) -> None:
        if kind == "birth":
            self._post(
                f"/registry/{lg}/births",
                self.people.person(lg, dt.date.fromisoformat(date)) | {"change_date": date},
            )
        else:
            resident = self._pick(lg)
            if resident is None:
                return
            base = f"/registry/{lg}/residents/{resident}"
            if kind == "death":
                self._post(f"{base}/death", {"change_date": date})
            elif kind == "move_within":
                self._post(f"{base}/move-within", self.people.address(lg) | {"change_date": date})
                self.residents[lg].append(resident)
            elif kind == "marriage":
                surname, kana = self.people.surname()
                current = self.client.get(base).json()
                given = current["name_kanji"].split("\u3000")[-1]
                given_kana = current["name_kana"].split("\u3000")[-1]
                self._post(
                    f"{base}/name-change",
                    {
                        "change_date": date,
                        "name_kanji": f"{surname}\u3000{given}",
                        "name_kana": f"{kana}\u3000{given_kana}",
                        "former_surname_kanji": current["name_kanji"].split("\u3000")[0],
                        "former_surname_kana": current["name_kana"].split("\u3000")[0],
                    },
                )
                self.residents[lg].append(resident)
            else:
                self._move_away(lg, resident, date)
        self.counts[kind] += 1

    def _move_away(self, lg: str, resident: int, date: str) -> None:
        destination = self.random.choice([m for m in self.municipalities if m != lg])
        address = self.people.address(destination)
        out = self._post(
            f"/registry/{lg}/residents/{resident}/move-out",
            {"change_date": date, "destination_address": address["address"]},
        )
        if not out:
            return
        cert = out["certificate"]
        self._post(
            f"/registry/{destination}/move-ins",
            address
            | {
                "change_date": date,
                "origin": "municipality",
                "resident_code": cert["resident_code"],
                "individual_number": cert["individual_number"],
                "previous_lg_code": cert["lg_code"],
                "previous_address": cert["address"],
                "name_kanji": cert["name_kanji"],
                "name_kana": cert["name_kana"],
                "birth_date": cert["birth_date"],
                "sex": cert["sex"],
            },
        )
