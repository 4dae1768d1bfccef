"""The legal table of the information-provision network: 利用特定個人情報の提供に関する命令
（令和６年デジタル庁令・総務省令第９号）第二条の表 (番号法 第19条第8号), row by row — who
may ask (情報照会者), for which 事務, of whom (情報提供者), for which 特定個人情報 — which the
network checks every request against, and which each 中間サーバー holds as its
照会許可用照合リスト (NWS-5-1).

Shipped: the 60 rows for which 墨田区's mayor provides 住民票関係情報 (001a §4.4, 別紙2 of
the seed: `provision_table_sumida.csv`). More rows come in files of the same columns; a
file is taken whole or not at all — every problem is reported with its line and column,
and nothing of a bad file is used.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from juki.core.errors import InvalidInput

SHIPPED = Path(__file__).with_name("provision_table_sumida.csv")
COLUMNS = ("row", "requester", "task", "ordinance_article", "provider", "items")
RESIDENT_RECORD_ITEMS = "住民票関係情報"


class ProvisionRow(BaseModel):
    """One row of the table (項番, 情報照会者, 事務, 情報提供者, 特定個人情報); the 事務 as the
    table words it, with the 命令's article that fixes its details."""

    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)

    row: int = Field(ge=1, le=9999)  # 項番
    requester: str = Field(min_length=1, max_length=200)  # 情報照会者
    task: str = Field(min_length=1, max_length=2000)  # 事務
    ordinance_article: int = Field(ge=1, le=999)  # 命令 第○条 (the 事務's details)
    provider: str = Field(min_length=1, max_length=200)  # 情報提供者
    items: tuple[str, ...] = Field(min_length=1, max_length=30)  # 特定個人情報

    @field_validator("items", mode="before")
    @classmethod
    def _split(cls, value: object) -> object:
        if isinstance(value, str):
            return tuple(item.strip() for item in value.split("|"))
        return value

    @field_validator("items")
    @classmethod
    def _named(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if any(not item or len(item) > 100 for item in value):
            raise ValueError("特定個人情報の名前が空か長すぎます")
        if len(set(value)) != len(value):
            raise ValueError("同じ特定個人情報が重複しています")
        return value


_ASIDE = re.compile(r"[（(][^（）()]*[）)]")


def offices_named(text: str) -> frozenset[str]:
    """The offices a row's 情報照会者 or 情報提供者 names, each whole: asides in brackets
    dropped, split on 又は and 、 (「市町村長(児童手当法…を含む。)」 → 市町村長; 「…施行者である
    都道府県知事又は市町村長」 → the two). An institution acts under a row only if its office
    is one of these exactly [juki's choice: the seeds list no body ↔ office mapping]."""
    while _ASIDE.search(text):
        text = _ASIDE.sub("", text)
    return frozenset(part.strip() for part in re.split(r"又は|、", text) if part.strip())


class InvalidTable(InvalidInput):
    code = "invalid_table"


@dataclass(frozen=True)
class LegalTable:
    rows: dict[int, ProvisionRow]

    def permits(self, row: int, provider: str, item: str) -> bool:
        """Whether the table's row `row` lets `provider` provide `item` (the requester and
        the 事務 are the row's own)."""
        found = self.rows.get(row)
        return found is not None and found.provider == provider and item in found.items

    def rows_providing(self, provider: str, item: str) -> list[ProvisionRow]:
        return [r for r in self.rows.values() if r.provider == provider and item in r.items]


def load(paths: Iterable[Path] = (SHIPPED,)) -> LegalTable:
    """The rows of every file, each checked; a row number in two places is refused."""
    rows: dict[int, ProvisionRow] = {}
    for path in paths:
        for row in _read(path):
            if row.row in rows:
                raise InvalidTable(f"{path.name}: 項番 {row.row} が重複しています", field="row")
            rows[row.row] = row
    return LegalTable(rows)


def _read(path: Path) -> list[ProvisionRow]:
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(handle)
        if tuple(reader.fieldnames or ()) != COLUMNS:
            raise InvalidTable(
                f"{path.name}: 列は {','.join(COLUMNS)} の順で指定してください", field="columns"
            )
        found: list[ProvisionRow] = []
        for record in reader:
            try:
                found.append(ProvisionRow.model_validate(record))
            except ValidationError as error:
                first = error.errors()[0]
                column = str(first["loc"][0]) if first["loc"] else "row"
                line = reader.line_num
                raise InvalidTable(
                    f"{path.name} {line}行目 {column}: {first['msg']}", field=column
                ) from None
    return found


@lru_cache(maxsize=1)
def shipped() -> LegalTable:
    """The shipped rows, read once per process (the network checks every query against them)."""
    return load()
