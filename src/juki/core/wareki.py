"""和暦 (Japanese era) dates for certificates, e.g. 令和7年11月23日.

Hand-written rather than a library: certificates need five eras with fixed start dates
(元号法; 明治改元 is counted from 1873-01-01, when the Gregorian calendar was adopted), and
the first year is written 元年 as 住民票 forms write it.
"""

from __future__ import annotations

import datetime as dt

ERAS = (
    ("令和", dt.date(2019, 5, 1)),
    ("平成", dt.date(1989, 1, 8)),
    ("昭和", dt.date(1926, 12, 25)),
    ("大正", dt.date(1912, 7, 30)),
    ("明治", dt.date(1868, 1, 25)),
)
KANJI_DIGITS = "〇一二三四五六七八九"


def era_of(day: dt.date) -> tuple[str, int]:
    for name, start in ERAS:
        if day >= start:
            return name, day.year - start.year + 1
    raise ValueError("明治より前の日付は和暦にできません")


def wareki(day: dt.date) -> str:
    """令和7年11月23日; the first year of an era is 元年."""
    name, year = era_of(day)
    shown = "元" if year == 1 else str(year)
    return f"{name}{shown}年{day.month}月{day.day}日"
