"""The legal tables as data: which body may receive which items for which duty, under
which article, found by which keys. Shipped as CSV files beside each tier's code
(`national/legal_table.csv`, `prefecture/legal_table.csv`); more rows are loaded from the
files named in `JUKI_LEGAL_TABLES` (os.pathsep-separated). Every row is checked on load and
a bad one is refused with its file, line and column."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from juki.core.errors import InvalidInput

# The 8 items a tier may provide (000 §4.2; 002 §7.1) and the keys a request may use.
ITEMS = (
    "resident_code", "name_kanji", "name_kana", "birth_date", "sex", "address",
    "individual_number", "reason", "change_date",
)  # fmt: skip
KEYS = ("resident_code", "individual_number", "four_items")
KINDS = ("provision", "transfer")  # 提供 (another body) / 移転 (another department)
METHODS = ("online", "media")  # 住基ネット online / a result file (一括提供, 媒体連携)
COLUMNS = (
    "tier", "body_code", "body_name", "kind", "table", "article", "duty_code", "duty_name",
    "items", "keys", "methods", "source",
)  # fmt: skip


@dataclass(frozen=True)
class LegalRow:
    tier: str  # national | prefecture | prefecture:<code>
    body_code: str
    body_name: str
    kind: str
    table: str  # e.g. 別表第一
    article: str  # e.g. 住基法第30条の9
    duty_code: str
    duty_name: str
    items: tuple[str, ...]
    keys: tuple[str, ...]
    methods: tuple[str, ...]  # online, and media where the body may have a batch result file
    source: str  # where the row comes from (the seed, or "[Inference]")

    @property
    def legal_basis(self) -> str:
        return f"{self.article}（{self.table}）"

    def applies_to(self, node_id: str) -> bool:
        return self.tier == node_id or self.tier == node_id.split(":")[0]


def _split(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in text.split(";") if part.strip())


def parse(path: Path) -> list[LegalRow]:
    rows = []
    with path.open(encoding="utf-8", newline="") as handle:
        reader = csv.DictReader(line for line in handle if not line.startswith("#"))
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise InvalidInput(
                f"{path}: 列がありません: {', '.join(sorted(missing))}", field="columns"
            )
        for number, raw in enumerate(reader, start=2):
            row = LegalRow(
                **{k: raw[k].strip() for k in COLUMNS if k not in ("items", "keys", "methods")},
                items=_split(raw["items"]), keys=_split(raw["keys"]),
                methods=_split(raw["methods"]),
            )  # fmt: skip
            _check(row, f"{path}:{number}")
            rows.append(row)
    return rows


def _check(row: LegalRow, where: str) -> None:
    def bad(column: str, message: str) -> InvalidInput:
        return InvalidInput(f"{where}: {column}: {message}", field=column)

    if row.tier != "national" and not row.tier.startswith("prefecture"):
        raise bad("tier", "national か prefecture[:コード] です")
    for column in ("body_code", "body_name", "table", "article", "duty_code", "duty_name"):
        if not getattr(row, column):
            raise bad(column, "空です")
    if row.kind not in KINDS:
        raise bad("kind", "provision か transfer です")
    unknown = set(row.items) - set(ITEMS)
    if not row.items or unknown:
        raise bad("items", f"提供できない項目です: {', '.join(sorted(unknown)) or '(なし)'}")
    unknown = set(row.keys) - set(KEYS)
    if not row.keys or unknown:
        raise bad("keys", f"使えない検索キーです: {', '.join(sorted(unknown)) or '(なし)'}")
    unknown = set(row.methods) - set(METHODS)
    if not row.methods or unknown:
        raise bad("methods", f"使えない提供方法です: {', '.join(sorted(unknown)) or '(なし)'}")


def shipped_paths() -> list[Path]:
    here = Path(__file__).resolve().parents[2]  # src/juki
    return [here / "national" / "legal_table.csv", here / "prefecture" / "legal_table.csv"]


def extra_paths() -> list[Path]:
    return [Path(p) for p in os.environ.get("JUKI_LEGAL_TABLES", "").split(os.pathsep) if p]


@cache
def _load(paths: tuple[Path, ...]) -> tuple[LegalRow, ...]:
    rows: list[LegalRow] = []
    seen: set[tuple[str, str, str]] = set()
    for path in paths:
        for row in parse(path):
            key = (row.tier, row.body_code, row.duty_code)
            if key in seen:
                raise InvalidInput(f"{path}: 重複した行です: {'/'.join(key)}", field="duty_code")
            seen.add(key)
            rows.append(row)
    return tuple(rows)


def rows_for(node_id: str) -> list[LegalRow]:
    paths = tuple(shipped_paths() + extra_paths())
    return [row for row in _load(paths) if row.applies_to(node_id)]


def find(node_id: str, body_code: str | None, duty_code: str) -> LegalRow | None:
    """The row permitting `body_code` to receive for `duty_code` at this node; None means
    refused (deny by default)."""
    for row in rows_for(node_id):
        if row.body_code == body_code and row.duty_code == duty_code:
            return row
    return None
