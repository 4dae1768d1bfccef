"""The provision-destination master (提供先マスタ, 001a XFER-2-2) as data: which node the CS
may send which message carrying 本人確認情報 to, for what purpose, under which article,
with which items. Shipped as `provision_destinations.csv` beside this module; more rows come
from the files named in `JUKI_CS_DESTINATIONS` (os.pathsep-separated). Every row is checked
on load and a bad one is refused with its file, line and column."""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from juki.core.errors import InvalidInput
from juki.core.messages import MessageType

SHIPPED = Path(__file__).with_name("provision_destinations.csv")
COLUMNS = ("destination", "destination_name", "message", "purpose", "legal_basis", "items",
           "source")  # fmt: skip
ITEMS = (
    "resident_code", "name_kanji", "name_kana", "birth_date", "sex", "address", "postal_code",
    "individual_number", "reason", "change_date", "head_name", "moved_in_on",
    "destination_info",  # 送付先情報: the 67 items of 001a §4.3.3 as one prescribed record
)  # fmt: skip
# A CS sends nowhere else (001a USE-1-3); `card` is J-LIS's card management system (§4.3.4).
DESTINATION_ROLES = ("national", "prefecture", "cs", "card")
SINGLE_NODES = ("national", "card")  # node ids without a code


@dataclass(frozen=True)
class Destination:
    destination: str  # node id: national, prefecture:13, cs:131016
    destination_name: str
    message: str  # a MessageType value
    purpose: str
    legal_basis: str
    items: tuple[str, ...]
    source: str


def parse(path: Path) -> list[Destination]:
    rows: list[Destination] = []
    with path.open(encoding="utf-8", newline="") as handle:
        lines = [(n, line) for n, line in enumerate(handle, start=1) if not line.startswith("#")]
        reader = csv.DictReader(line for _n, line in lines)
        missing = set(COLUMNS) - set(reader.fieldnames or ())
        if missing:
            raise InvalidInput(
                f"{path}:{lines[0][0] if lines else 1}: 列がありません: "
                f"{', '.join(sorted(missing))}",
                field="columns",
            )
        for raw in reader:
            number = lines[reader.line_num - 1][0]  # the file's own line, comments counted
            where = f"{path}:{number}"
            row = Destination(
                **{k: (raw[k] or "").strip() for k in COLUMNS if k != "items"},
                items=tuple(p.strip() for p in (raw["items"] or "").split(";") if p.strip()),
            )  # fmt: skip
            _check(row, where)
            rows.append(row)
    return rows


def _check(row: Destination, where: str) -> None:
    def bad(column: str, message: str) -> InvalidInput:
        return InvalidInput(f"{where}: {column}: {message}", field=column)

    role, _, code = row.destination.partition(":")
    if role not in DESTINATION_ROLES or (role not in SINGLE_NODES) != bool(code.isdigit()):
        raise bad("destination", "national, card, prefecture:<コード>, cs:<コード> のいずれかです")
    for column in ("destination_name", "purpose", "legal_basis", "source"):
        if not getattr(row, column):
            raise bad(column, "空です")
    if row.message not in {m.value for m in MessageType}:
        raise bad("message", "知らない電文の種類です")
    unknown = set(row.items) - set(ITEMS)
    if not row.items or unknown:
        raise bad("items", f"提供できない項目です: {', '.join(sorted(unknown)) or '(なし)'}")


def extra_paths() -> list[Path]:
    return [Path(p) for p in os.environ.get("JUKI_CS_DESTINATIONS", "").split(os.pathsep) if p]


@cache
def _load(paths: tuple[Path, ...]) -> dict[tuple[str, str], Destination]:
    rows: dict[tuple[str, str], Destination] = {}
    for path in paths:
        for row in parse(path):
            key = (row.destination, row.message)
            if key in rows:
                raise InvalidInput(f"{path}: 重複した行です: {'/'.join(key)}", field="destination")
            rows[key] = row
    return rows


def master() -> dict[tuple[str, str], Destination]:
    return _load((SHIPPED, *extra_paths()))


def find(destination: str, message: str) -> Destination | None:
    """The master's row allowing `message` to `destination`; None means refused."""
    return master().get((destination, message))
