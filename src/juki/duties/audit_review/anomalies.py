"""Anomalies in the audit log, for the supervisor's regular review (住民記録システム標準仕様書
10.2; the PIAs' アクセスログの定期的な確認): access at night or on days the office is shut
(weekends and national holidays, `holidays.Japan`), failed log-ins, an operator who
searches far more than a day's work needs, envelopes delivered again after they were
applied (each one, by sender and day), and searches that match no application: the
persons a search found were not the subject of any 届出 or issue by the same operator that
day (検索に対応する申請がない照会)."""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter, defaultdict
from dataclasses import dataclass

import holidays
from sqlalchemy import select
from sqlalchemy.orm import Session

from juki.core.audit.tables import audit_log
from juki.core.clock import JST, in_japan
from juki.core.messaging.tables import REPLAYED_FUNCTION

OFFICE_HOURS = (dt.time(6, 0), dt.time(22, 0))  # outside these, an access is "at night"


@dataclass(frozen=True)
class Finding:
    # night | closed_day | login_failures | many_searches | search_without_application |
    # replayed_envelopes (an envelope applied before, delivered again: issue #14)
    kind: str
    operator: str
    day: dt.date
    count: int
    first_seq: int


def report(
    session: Session,
    since: dt.date,
    until: dt.date,
    *,
    searches_per_day: int = 100,
    failures_per_day: int = 3,
    unmatched_per_day: int = 5,
) -> list[Finding]:
    """Findings per operator and day (Japan time) between `since` and `until` inclusive."""
    # In UTC: SQLite keeps the times as UTC text and drops a bound's +09:00, which moved
    # the window nine hours (the day's first nine hours JST fell out of "today").
    start = dt.datetime.combine(since, dt.time(0), JST).astimezone(dt.UTC)
    end = dt.datetime.combine(until + dt.timedelta(days=1), dt.time(0), JST).astimezone(dt.UTC)
    rows = session.execute(
        select(audit_log.c.seq, audit_log.c.at, audit_log.c.operator, audit_log.c.function,
               audit_log.c.result, audit_log.c.targets)
        .where(audit_log.c.at >= start, audit_log.c.at < end)
        .order_by(audit_log.c.seq)
    )  # fmt: skip
    closed = holidays.Japan(years=range(since.year, until.year + 1))
    subjects: Subjects = defaultdict(lambda: ([], set()))
    counts: Counter[tuple[str, str, dt.date]] = Counter()
    first: dict[tuple[str, str, dt.date], int] = {}
    for seq, at, operator, function, result, targets in rows:
        local = in_japan(at)
        day = local.date()
        kinds = []
        if function == REPLAYED_FUNCTION:  # a node's, not a person's: no office hours
            kinds.append("replayed_envelopes")
        elif not OFFICE_HOURS[0] <= local.time() < OFFICE_HOURS[1]:
            kinds.append("night")
        if function != REPLAYED_FUNCTION and (day.weekday() >= 5 or day in closed):
            kinds.append("closed_day")
        if function.startswith("login.") and result != "ok":  # any step of the log-in
            kinds.append("login_failures")
        if function.endswith("/search"):
            kinds.append("many_searches")
        _note_subjects(subjects, seq, operator, day, function, result, targets)
        for kind in kinds:
            key = (kind, operator, day)
            counts[key] += 1
            first.setdefault(key, seq)
    for (operator, day), (searches, acted) in subjects.items():
        unmatched = [seq for seq, found in searches if found and not found & acted]
        if unmatched:
            key = ("search_without_application", operator, day)
            counts[key] = len(unmatched)
            first[key] = unmatched[0]
    limits = {
        "login_failures": failures_per_day, "many_searches": searches_per_day,
        "search_without_application": unmatched_per_day,
    }  # fmt: skip
    return [
        Finding(kind, operator, day, count, first[(kind, operator, day)])
        for (kind, operator, day), count in sorted(counts.items(), key=lambda kv: first[kv[0]])
        if count >= limits.get(kind, 1)
    ]


# Per (operator, day): the searches with the persons each found, and the persons acted on.
Subjects = defaultdict[tuple[str, dt.date], tuple[list[tuple[int, set[str]]], set[str]]]


def _note_subjects(
    subjects: Subjects,
    seq: int,
    operator: str,
    day: dt.date,
    function: str,
    result: str,
    targets: str,
) -> None:
    """A search's subjects are the 宛名番号 it found (`id=`); an application's are the
    宛名番号 of its 届出 or issue (`resident_id=` or `id=`)."""
    people = {
        t.split("=", 1)[1] for t in json.loads(targets or "[]")
        if t.startswith(("id=", "resident_id="))
    }  # fmt: skip
    searches, acted = subjects[(operator, day)]
    if function.endswith("/search"):
        searches.append((seq, people))
    elif function.startswith("POST ") and result == "ok":
        acted.update(people)
