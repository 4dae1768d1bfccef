"""The legal table (命令 第二条の表) and its loader (issue #16): the shipped rows are exactly
墨田区's 60 as provider of 住民票関係情報 (001a §4.4); a bad file is refused whole, naming
its line and column."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from juki.infonet.legal_table import (
    COLUMNS,
    RESIDENT_RECORD_ITEMS,
    SHIPPED,
    InvalidTable,
    load,
)

SUMIDA_ROWS = [
    1, 2, 3, 5, 7, 11, 13, 15, 20, 28, 37, 39, 48, 53, 57, 58, 59, 63, 65, 66, 69, 73, 75,
    76, 81, 83, 84, 86, 87, 91, 92, 96, 106, 108, 110, 112, 115, 118, 124, 129, 130, 132,
    136, 137, 138, 141, 142, 144, 149, 150, 151, 152, 155, 156, 158, 160, 163, 164, 165, 166,
]  # fmt: skip


def test_the_shipped_table_is_sumida_s_sixty_rows() -> None:
    """As the seed's 別紙2 words them. Two rows name no 住民票関係情報 there (48: the
    障害者関係情報 for local tax; 65: pension items for a mutual-aid association's short-term
    benefits); they are kept as the seed has them (docs/infonet.md)."""
    table = load()
    assert sorted(table.rows) == SUMIDA_ROWS
    for row in table.rows.values():
        assert row.provider == "市町村長"
        assert row.ordinance_article == row.row + 2  # the 命令's articles follow the rows
        assert "行政手続における" not in row.task + "".join(row.items)  # boilerplate cut
    providing = {r.row for r in table.rows_providing("市町村長", RESIDENT_RECORD_ITEMS)}
    assert providing == set(SUMIDA_ROWS) - {48, 65}
    assert table.rows[48].items == ("障害者関係情報",)
    # row 106: 児童手当 — the demo's other municipality asks for these two
    assert table.rows[106].items == ("地方税関係情報", RESIDENT_RECORD_ITEMS)
    assert table.permits(106, "市町村長", RESIDENT_RECORD_ITEMS)
    assert not table.permits(106, "厚生労働大臣", RESIDENT_RECORD_ITEMS)  # not the provider
    assert not table.permits(4, "市町村長", RESIDENT_RECORD_ITEMS)  # not a row of 墨田区's
    assert not table.permits(106, "市町村長", "雇用保険関係情報")  # not an item of the row


def write(path: Path, rows: list[dict[str, str]], columns: tuple[str, ...] = COLUMNS) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)
    return path


GOOD = {
    "row": "900", "requester": "市町村長", "task": "試験の事務", "ordinance_article": "99",
    "provider": "市町村長", "items": "地方税関係情報|住民票関係情報",
}  # fmt: skip


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"row": "0"}, "row"),
        ({"row": "x"}, "row"),
        ({"ordinance_article": ""}, "ordinance_article"),
        ({"requester": " "}, "requester"),
        ({"items": "住民票関係情報||地方税関係情報"}, "items"),
        ({"items": "住民票関係情報|住民票関係情報"}, "items"),
    ],
)
def test_a_bad_row_refuses_the_whole_file_naming_line_and_column(
    tmp_path: Path, change: dict[str, str], field: str
) -> None:
    path = write(tmp_path / "more.csv", [GOOD | {"row": "901"}, GOOD | change])
    with pytest.raises(InvalidTable) as refused:
        load([path])
    assert refused.value.field == field
    assert "3行目" in refused.value.message  # the header is line 1


def test_more_rows_load_beside_the_shipped_ones_and_no_row_twice(tmp_path: Path) -> None:
    table = load([SHIPPED, write(tmp_path / "more.csv", [GOOD])])
    assert len(table.rows) == 61
    assert table.permits(900, "市町村長", "地方税関係情報")
    with pytest.raises(InvalidTable) as twice:
        load([SHIPPED, write(tmp_path / "again.csv", [GOOD | {"row": "106"}])])
    assert twice.value.field == "row"
    wrong = write(tmp_path / "cols.csv", [], columns=("row", "requester"))
    with pytest.raises(InvalidTable) as columns:
        load([wrong])
    assert columns.value.field == "columns"
