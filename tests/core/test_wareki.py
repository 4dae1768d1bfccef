import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from juki.core.wareki import era_of, wareki


@pytest.mark.parametrize(
    ("day", "text"),
    [
        (dt.date(2026, 11, 23), "令和8年11月23日"),
        (dt.date(2019, 5, 1), "令和元年5月1日"),
        (dt.date(2019, 4, 30), "平成31年4月30日"),
        (dt.date(1989, 1, 8), "平成元年1月8日"),
        (dt.date(1989, 1, 7), "昭和64年1月7日"),
        (dt.date(1926, 12, 25), "昭和元年12月25日"),
        (dt.date(1926, 12, 24), "大正15年12月24日"),
        (dt.date(1912, 7, 30), "大正元年7月30日"),
        (dt.date(1912, 7, 29), "明治45年7月29日"),
    ],
)
def test_known_dates(day: dt.date, text: str) -> None:
    assert wareki(day) == text


@given(st.dates(min_value=dt.date(1868, 1, 25), max_value=dt.date(2100, 12, 31)))
def test_era_year_is_positive_and_round_trips(day: dt.date) -> None:
    name, year = era_of(day)
    assert year >= 1
    start = {"令和": 2019, "平成": 1989, "昭和": 1926, "大正": 1912, "明治": 1868}[name]
    assert start + year - 1 == day.year


def test_before_meiji_is_refused() -> None:
    with pytest.raises(ValueError, match="明治"):
        wareki(dt.date(1800, 1, 1))
