"""Birthdays and ages, as the expiry rules of the card and of its certificates count them
(番号法施行令 第13条; 公的個人認証法施行規則), and as statistics count ages."""

from __future__ import annotations

import datetime as dt


def birthday_in(year: int, birth: dt.date) -> dt.date:
    """The birthday in `year`; 29 February falls on 28 February in other years
    ([Inference]: the published rules do not say; 年齢計算ニ関スル法律 counts age by the day
    before the birthday, which is the 28th either way)."""
    try:
        return birth.replace(year=year)
    except ValueError:
        return dt.date(year, 2, 28)


def nth_birthday_after(birth: dt.date, day: dt.date, n: int) -> dt.date:
    """The `n`th birthday strictly after `day` (発行の日後の n 回目の誕生日)."""
    first = birthday_in(day.year, birth)
    year = day.year if first > day else day.year + 1
    return birthday_in(year + n - 1, birth)


def age_on(birth: dt.date, day: dt.date) -> int:
    return day.year - birth.year - ((day.month, day.day) < (birth.month, birth.day))


def certificate_expiry(birth: dt.date, issued: dt.date) -> dt.date:
    """電子証明書の有効期限: the 5th birthday after issue (公的個人認証法施行規則: 発行の日後
    5回目の誕生日), for the 署名用 and the 利用者証明用 certificate alike."""
    return nth_birthday_after(birth, issued, 5)
