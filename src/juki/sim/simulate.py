"""Life on the network through the real registry APIs (`juki simulate`).

Each simulated day brings every kind of 届出 the register takes: births into households,
deaths (naming a new 世帯主 when the head dies), households moving within a municipality,
moves to another municipality (in or across prefectures: 転出 at one registry, then 転入
with the paper 転出証明書; a 特例転入 needs a card in use, which simulated people do not hold),
families arriving from abroad, marriages (氏名の変更), 世帯変更 and 異動の取消し.
Rates are annual rates compressed by `speed`.

Where a municipality requires a second person's check of each 届出 (届出点検, 001b C-01;
`juki up` does), a 届出 is answered 202 and applied only when `checker` — a client acting
for another operator, one with the 届出の点検 right — confirms it.
"""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx

from juki.infonet.legal_table import shipped
from juki.sim.people import PersonFactory

CHILD_ALLOWANCE = 106  # 児童手当法による児童手当又は旧特例給付の支給に関する事務
ANNUAL_RATES = {
    "birth": 0.008,
    "death": 0.011,
    "move_within": 0.04,
    # 特例転入 needs a card in use, checked at J-LIS (issue #15); the simulated people hold
    # none, so every 転出 here is followed by a 転入 with the 転出証明書 (tests/e2e run the
    # 特例転入 with real cards)
    "move_away": 0.05,
    "family_from_abroad": 0.004,
    "marriage": 0.01,
    "head_change": 0.004,
    "cancellation": 0.002,
}


@dataclass
class Simulation:
    client: httpx.Client
    municipalities: list[str]
    checker: httpx.Client | None = None  # the second operator (届出点検)
    # Municipalities on the information-provision network: when a family moves between
    # two of them, the new one's 児童手当 asks the old one for its 住民票関係情報 (row 106).
    institutions: list[str] = field(default_factory=list)
    seed: int | None = None
    speed: float = 30.0
    counts: Counter[str] = field(default_factory=Counter)

    def __post_init__(self) -> None:
        self.people = PersonFactory(self.seed)
        self.random = random.Random(self.seed)  # noqa: S311 - synthetic data
        self.residents: dict[str, list[int]] = {lg: [] for lg in self.municipalities}
        self.to_ask: list[tuple[str, int, str]] = []  # (new municipality, 宛名番号, old one)
        self.asked: list[tuple[str, str]] = []  # (municipality, query id) awaiting answers

    def _post(self, path: str, body: dict[str, Any]) -> dict[str, Any]:
        response = self.client.post(path, json=body)
        if response.status_code == 202:  # entered; waits for its check
            if self.checker is None:
                self.counts["unchecked"] += 1
                return {}
            lg = path.split("/")[2]
            entry = response.json()["id"]
            response = self.checker.post(f"/registry/{lg}/pending-notices/{entry}/confirm")
        if response.status_code >= 400:
            self.counts["rejected"] += 1
            code = response.json().get("code", response.status_code)
            self.counts[f"rejected: {code}"] += 1
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

    def _answered(self, path: str) -> str | None:
        """Poll an answer that comes back through the CS; None (counted) if it never does."""
        deadline = time.monotonic() + 30
        while (status := str(self.client.get(path).json()["status"])) == "waiting":
            if time.monotonic() > deadline:
                self.counts["rejected"] += 1
                return None
            time.sleep(0.02)
        return status

    def _number_check(self, lg: str, cert: dict[str, Any]) -> dict[str, Any] | None:
        """001a ACQ-3-2: a number entered from the paper 転出証明書 is checked through the CS
        first. Returns the 転入's `number_check_id`, or None if the check did not answer."""
        pair = {k: cert[k] for k in ("resident_code", "individual_number")}
        asked = self._post(f"/registry/{lg}/number-checks", pair)
        if not asked or self._answered(f"/registry/{lg}/number-checks/{asked['check_id']}") is None:
            return None
        return {"number_check_id": asked["check_id"]}

    def _intake(self) -> dict[str, Any]:
        """What the counter checked (001a ACQ-2-1, ACQ-3-1): mostly the person with their
        My Number card or driving licence; sometimes a household member, or an agent with a
        power of attorney."""
        notifier = self.random.choices(["本人", "世帯員", "代理人"], [85, 10, 5])[0]
        documents = ["個人番号カード", "運転免許証", "旅券", "在留カード"]
        document = self.random.choices(documents, [60, 30, 5, 5])[0]
        intake = {"notifier": notifier, "id_document": document}
        return {"intake": intake | {"proxy_letter_checked": notifier == "代理人"}}

    def _pick(self, lg: str) -> int | None:
        ids = self.residents[lg]
        return ids.pop(self.random.randrange(len(ids))) if ids else None

    def _event(self, kind: str, lg: str, date: str) -> None:
        if kind == "family_from_abroad":
            self._family_from_abroad(lg, date)
        elif kind == "birth":
            self._birth(lg, date)
        else:
            resident = self._pick(lg)
            if resident is None:
                return
            base = f"/registry/{lg}/residents/{resident}"
            if kind == "death":
                self._post(f"{base}/death", {"change_date": date} | self._successor(lg, resident))
            elif kind == "move_within":
                members = [m for m, _ in self._household(lg, resident)[1] if m != resident]
                self._post(
                    f"{base}/move-within",
                    self.people.address(lg)
                    | {"change_date": date, "members": members}
                    | self._intake(),
                )
                self.residents[lg].append(resident)
            elif kind == "head_change":
                self._head_change(lg, resident, date)
                self.residents[lg].append(resident)
            elif kind == "cancellation":
                # A 転居 recorded in error, then cancelled (異動の取消し).
                self._post(
                    f"{base}/move-within",
                    self.people.address(lg) | {"change_date": date} | self._intake(),
                )
                self._post(f"{base}/cancellation", {"change_date": date, "reason": "誤記録"})
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

    def _household(self, lg: str, resident: int) -> tuple[int, list[tuple[int, str]]]:
        person = self.client.get(f"/registry/{lg}/residents/{resident}").json()
        found = self.client.get(f"/registry/{lg}/households/{person['household_id']}")
        if found.status_code != 200:  # moved out or died meanwhile: nothing to do
            return person["household_id"], []
        return person["household_id"], [
            (m["id"], m["relationship"]) for m in found.json()["members"]
        ]

    def _successor(self, lg: str, resident: int) -> dict[str, Any]:
        """When the 世帯主 leaves, the eldest remaining member (lowest 宛名番号) heads."""
        _household_id, members = self._household(lg, resident)
        if dict(members).get(resident) != "世帯主":
            return {}
        others = [m for m, _ in members if m != resident]
        return {"relationships": {str(others[0]): "世帯主"}} if others else {}

    def _birth(self, lg: str, date: str) -> None:
        parent = self._pick(lg)
        person = self.people.person(lg, dt.date.fromisoformat(date)) | {"change_date": date}
        if parent is None:
            self._post(f"/registry/{lg}/births", person)
            return
        self.residents[lg].append(parent)
        current = self.client.get(f"/registry/{lg}/residents/{parent}").json()
        self._post(
            f"/registry/{lg}/births",
            person
            | {
                "address": current["address"],
                "town_code": "",
                "postal_code": "",
                "household_id": current["household_id"],
                "relationship": "子",
            },
        )

    def _family_from_abroad(self, lg: str, date: str) -> None:
        head, spouse = self.people.person(lg), self.people.person(lg)
        address = self.people.address(lg)
        members = [
            {k: head[k] for k in ("name_kanji", "name_kana", "birth_date", "sex")}
            | {"relationship": "世帯主"},
            {k: spouse[k] for k in ("name_kanji", "name_kana", "birth_date", "sex")}
            | {"relationship": "同居人"},
        ]
        self._post(
            f"/registry/{lg}/move-ins/household",
            address
            | {"change_date": date, "origin": "abroad", "members": members}
            | self._intake(),
        )

    def _head_change(self, lg: str, resident: int, date: str) -> None:
        household_id, members = self._household(lg, resident)
        if len(members) < 2:
            return
        head = next(m for m, rel in members if rel == "世帯主")
        successor = next(m for m, _ in members if m != head)
        self._post(
            f"/registry/{lg}/households/{household_id}/changes",
            {
                "change_date": date,
                "kind": "head_change",
                "relationships": {str(head): "同居人", str(successor): "世帯主"},
            }
            | self._intake(),
        )

    def _move_away(self, lg: str, resident: int, date: str) -> None:
        destination = self.random.choice([m for m in self.municipalities if m != lg])
        address = self.people.address(destination)
        out = self._post(
            f"/registry/{lg}/residents/{resident}/move-out",
            {"change_date": date, "destination_address": address["address"]}
            | self._successor(lg, resident)
            | self._intake(),
        )
        if not out:
            return
        cert = out["certificate"]
        intake = self._intake()
        card = intake["intake"]["notifier"] == "本人" and intake["intake"]["id_document"] == (
            "個人番号カード"
        )
        checked = {} if card else self._number_check(destination, cert)
        if checked is None:
            return
        moved = self._post(
            f"/registry/{destination}/move-ins",
            address
            | intake
            | checked
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
        events = moved.get("events") or ([moved] if "resident_id" in moved else [])
        if events and {lg, destination} <= set(self.institutions):
            self.to_ask.append((destination, int(events[0]["resident_id"]), lg))

    def ask_about_moves(self) -> None:
        """情報照会 for the families that moved between institutions: the new municipality
        finds the person's 統合宛名番号 (once its 統合宛名 has them) and asks the old one
        (児童手当, row 106). Answers are collected at the next call."""
        for lg, query_id in list(self.asked):
            answer = self.client.get(f"/intermediate/{lg}/queries/{query_id}")
            if answer.status_code == 200 and answer.json()["outcome"] != "asked":
                self.counts[f"情報照会: {answer.json()['outcome']}"] += 1
                self.asked.remove((lg, query_id))
        waiting = []
        for destination, resident, source in self.to_ask:
            found = self.client.get(f"/atena/{destination}/addressees/registry/{resident}")
            if found.status_code != 200:
                waiting.append((destination, resident, source))
                continue
            query = self.client.post(
                f"/intermediate/{destination}/queries",
                json={"atena_id": found.json()["atena_id"], "row": CHILD_ALLOWANCE,
                      "task": shipped().rows[CHILD_ALLOWANCE].task,
                      "items": ["住民票関係情報"], "provider": source},
            )  # fmt: skip
            if query.status_code == 404:  # no 符号 yet: ask at the next call
                waiting.append((destination, resident, source))
            elif query.status_code == 202:
                self.counts["情報照会"] += 1
                self.asked.append((destination, query.json()["query_id"]))
            else:
                self.counts[f"情報照会 rejected: {query.status_code}"] += 1
        self.to_ask = waiting
