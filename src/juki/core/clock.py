"""Times: stored in UTC, shown and reckoned (days, months, nights) in Japan time."""

from __future__ import annotations

import datetime as dt

JST = dt.timezone(dt.timedelta(hours=9), "JST")


def as_utc(moment: dt.datetime) -> dt.datetime:
    """SQLite returns naive UTC; PostgreSQL returns an aware time in the session's zone."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=dt.UTC)
    return moment.astimezone(dt.UTC)


def in_japan(moment: dt.datetime) -> dt.datetime:
    return as_utc(moment).astimezone(JST)


def japan_today() -> dt.date:
    """Today as the register reckons it: the date in Japan, whatever the machine's zone
    (a UTC machine is still on yesterday until 09:00 JST)."""
    return dt.datetime.now(JST).date()
