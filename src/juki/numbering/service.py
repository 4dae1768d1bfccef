"""Generation, change and re-pairing of 個人番号 (000 P1.1-P1.3).

The number is a keyed transformation of the 住民票コード: an HMAC-SHA-256 PRF under the
generator's secret key, reduced to 11 digits, plus the 総務省令第85号 第5条 check digit.
Without the key the 住民票コード cannot be recovered (番号法 第8条第2項第3号). The tweak
(how many numbers this code has had, plus collision retries) makes every re-generation new,
and the ledger refuses any number generated before.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from juki.core.crypto import FieldKeys, keyed_digits, sealed_label
from juki.core.errors import Conflict, NotFound
from juki.core.ids import individual_number_from_body
from juki.numbering.models import GeneratedNumber, IndividualNumberEntry

COLUMN = sealed_label("individual_number")


class NumberGenerator:
    def __init__(self, session: Session, keys: FieldKeys, transform_key: bytes):
        self.session = session
        self.keys = keys
        self.transform_key = transform_key
        self._indexes: dict[str, str] = {}

    def latest(self, resident_code: str) -> IndividualNumberEntry | None:
        stmt = select(IndividualNumberEntry).where(
            IndividualNumberEntry.resident_code == resident_code,
            IndividualNumberEntry.is_latest.is_(True),
        )
        return self.session.scalars(stmt).first()

    def generate(self, resident_code: str) -> tuple[str, dt.datetime]:
        """個人番号生成要求: a first number for a code that has none."""
        outcome = self.generate_many([resident_code])[resident_code]
        if isinstance(outcome, str):
            raise Conflict("既に個人番号が生成されています", field="resident_code", code="exists")
        return outcome

    def change(self, resident_code: str, old_number: str) -> tuple[str, dt.datetime]:
        """個人番号変更要求: the old number becomes history and is never issued again."""
        entry = self.latest(resident_code)
        if entry is None:
            raise NotFound("個人番号がありません", field="resident_code")
        if entry.individual_number_index != self.keys.blind_index(old_number, column=COLUMN):
            raise Conflict(
                "変更前の個人番号が一致しません",
                field="old_individual_number",
                code="number_mismatch",
            )
        entry.is_latest = False
        return self._new_number(resident_code)

    def change_resident_code(self, old_code: str, new_code: str, number: str) -> None:
        """住民票コードの変更通知: re-pair the same number with the new code (P1.3 3-④)."""
        entry = self.latest(old_code)
        if entry is None or entry.individual_number_index != self.keys.blind_index(
            number, column=COLUMN
        ):
            raise Conflict(
                "変更前の住民票コードと個人番号が一致しません",
                field="old_resident_code",
                code="number_mismatch",
            )
        entry.is_latest = False
        self.session.add(
            IndividualNumberEntry(
                resident_code=new_code,
                individual_number_cipher=entry.individual_number_cipher,
                individual_number_index=entry.individual_number_index,
                is_latest=True,
                generated_at=entry.generated_at,
                issued_on=entry.issued_on,
            )
        )

    def generate_many(self, resident_codes: list[str]) -> dict[str, tuple[str, dt.datetime] | str]:
        """個人番号生成要求 for a batch (初期導入 and busy days): one query for existing
        entries, one for ledger collisions, one executemany each for ledger and File 1.
        Returns per code the number and time, or an error code."""
        existing = self._codes_with_entries(resident_codes)
        now = dt.datetime.now(dt.UTC)
        wanted = [c for c in dict.fromkeys(resident_codes) if c not in existing]
        tweaks = dict.fromkeys(wanted, 0)
        numbers: dict[str, str] = {}
        while len(numbers) < len(wanted):
            candidates = {
                code: individual_number_from_body(
                    keyed_digits(self.transform_key, f"{code}:{tweaks[code]}", 11)
                )
                for code in wanted
                if code not in numbers
            }
            taken = self._indexes_in_ledger(candidates.values()) | {
                self._index(n) for n in numbers.values()
            }
            for code, number in candidates.items():
                if self._index(number) in taken:
                    tweaks[code] += 1  # collision: take the next tweak
                else:
                    numbers[code] = number
                    taken.add(self._index(number))
        self._store(numbers, now)
        result: dict[str, tuple[str, dt.datetime] | str] = dict.fromkeys(existing, "exists")
        result.update({code: (number, now) for code, number in numbers.items()})
        return result

    def _index(self, number: str) -> str:
        """Blind index, computed once per number for the life of this generator (one
        transaction): a batch looks each number up several times."""
        index = self._indexes.get(number)
        if index is None:
            index = self._indexes[number] = self.keys.blind_index(number, column=COLUMN)
        return index

    def _codes_with_entries(self, codes: list[str]) -> set[str]:
        found: set[str] = set()
        for start in range(0, len(codes), 500):
            stmt = select(IndividualNumberEntry.resident_code).where(
                IndividualNumberEntry.resident_code.in_(codes[start : start + 500])
            )
            found.update(self.session.scalars(stmt))
        return found

    def _indexes_in_ledger(self, numbers: Iterable[str]) -> set[str]:
        indexes = [self._index(n) for n in numbers]
        found: set[str] = set()
        for start in range(0, len(indexes), 500):
            stmt = select(GeneratedNumber.individual_number_index).where(
                GeneratedNumber.individual_number_index.in_(indexes[start : start + 500])
            )
            found.update(self.session.scalars(stmt))
        return found

    def _store(self, numbers: dict[str, str], now: dt.datetime) -> None:
        if not numbers:
            return
        self.session.execute(
            insert(GeneratedNumber),
            [
                {"individual_number_index": self._index(n), "generated_at": now}
                for n in numbers.values()
            ],
        )
        self.session.execute(
            insert(IndividualNumberEntry),
            [
                {
                    "resident_code": code,
                    "individual_number_cipher": self.keys.encrypt(number, column=COLUMN),
                    "individual_number_index": self._index(number),
                    "is_latest": True,
                    "generated_at": now,
                    "issued_on": now.date(),  # notified at once over 住基ネット (払出日付)
                }
                for code, number in numbers.items()
            ],
        )

    def _new_number(self, resident_code: str) -> tuple[str, dt.datetime]:
        tweak = (
            self.session.scalar(
                select(func.count()).where(IndividualNumberEntry.resident_code == resident_code)
            )
            or 0
        )
        now = dt.datetime.now(dt.UTC)
        while True:
            body = keyed_digits(self.transform_key, f"{resident_code}:{tweak}", 11)
            number = individual_number_from_body(body)
            index = self.keys.blind_index(number, column=COLUMN)
            if self.session.get(GeneratedNumber, index) is None:
                break
            tweak += 1  # collision with any number ever generated: take the next tweak
        self.session.add(GeneratedNumber(individual_number_index=index, generated_at=now))
        self.session.add(
            IndividualNumberEntry(
                resident_code=resident_code,
                individual_number_cipher=self.keys.encrypt(number, column=COLUMN),
                individual_number_index=index,
                is_latest=True,
                generated_at=now,
                issued_on=now.date(),  # notified at once over 住基ネット (払出日付)
            )
        )
        self.session.flush()
        return number, now
