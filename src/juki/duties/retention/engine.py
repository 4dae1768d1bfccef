"""The purge job: for each rule of the node's role, find the rows past their retention on
the given clock, erase them (with the rows that name them), and write what was erased to
the erasure history and the audit log, in one transaction."""

from __future__ import annotations

import datetime as dt
import json
import tomllib
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import Date, MetaData, Table, and_, delete, func, insert, select
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.migrate import tables_of
from juki.duties.retention.tables import retention_purges

RULES_FILE = Path(__file__).with_name("rules.toml")


@dataclass(frozen=True)
class Rule:
    role: str
    name: str
    table: str
    source: str
    select: str = "all"
    clock: str = "timestamp"
    years: int = 0
    days: int = 0  # for files kept under a year (001a §4.3.5: 送付先情報, < 1 year)
    never: bool = False
    dependents: tuple[str, ...] = field(default_factory=tuple)

    def applies_to(self, role: str) -> bool:
        return self.role in ("*", role)

    @property
    def period_ja(self) -> str:
        return "".join(
            (f"{self.years}年" if self.years else "", f"{self.days}日" if self.days else "")
        )

    @property
    def period_en(self) -> str:
        years = f"{self.years} years" if self.years else ""
        parts = (years, f"{self.days} days" if self.days else "")
        return " ".join(p for p in parts if p)


def rules(path: Path = RULES_FILE) -> list[Rule]:
    with path.open("rb") as handle:
        raw = tomllib.load(handle)["rule"]
    return [Rule(**(r | {"dependents": tuple(r.get("dependents", ()))})) for r in raw]


def rules_for(role: str) -> list[Rule]:
    return [rule for rule in rules() if rule.applies_to(role)]


@dataclass(frozen=True)
class Purge:
    rule: str
    table: str
    cutoff: str
    erased: int
    keys: list[str]


def cutoff_of(rule: Rule, now: dt.datetime) -> dt.datetime:
    """`years` and `days` before `now` (29 February falls back to the 28th)."""
    try:
        cutoff = now.replace(year=now.year - rule.years)
    except ValueError:
        cutoff = now.replace(year=now.year - rule.years, day=28)
    return cutoff - dt.timedelta(days=rule.days)


def purge(
    session: Session, role: str, schema: Iterable[MetaData], now: dt.datetime | None = None
) -> list[Purge]:
    """`schema`: every table of the node's database (`<role>.models.SCHEMA`)."""
    now = now or dt.datetime.now(dt.UTC)
    tables = tables_of(schema)
    done = []
    for rule in rules_for(role):
        if rule.never or rule.table not in tables:
            continue
        table = tables[rule.table]
        cutoff = cutoff_of(rule, now)
        keys, erased = _erase(session, rule, table, tables, cutoff)
        record = Purge(rule.name, rule.table, cutoff.isoformat(), erased, keys)
        record_erasure(session, record, now)
        done.append(record)
    audit.record(
        session,
        audit.Access(
            operator="(retention)", terminal="batch", function="retention.purge",
            targets=tuple(f"{p.table}={p.erased}" for p in done), purpose="保管期間経過後の消去",
        ),
        at=now,
    )  # fmt: skip
    return done


def record_erasure(session: Session, erasure: Purge, at: dt.datetime) -> None:
    """One entry of the erasure history (消去履歴): the purge job's, or an erasure a
    service does itself (a file erased once its recipient confirmed receipt, OUT-06)."""
    session.execute(
        insert(retention_purges).values(
            at=at, rule=erasure.rule, table_name=erasure.table, cutoff=erasure.cutoff,
            erased=erasure.erased, keys=json.dumps(erasure.keys),
        )
    )  # fmt: skip


def _clock_value(table: Table, column: str, cutoff: dt.datetime) -> Any:
    return cutoff.date() if isinstance(table.c[column].type, Date) else cutoff


def _erase(
    session: Session, rule: Rule, table: Table, tables: Mapping[str, Table], cutoff: dt.datetime
) -> tuple[list[str], int]:
    if rule.select == "superseded":
        return _erase_superseded(session, table, cutoff)
    if rule.select == "removed" and "is_current" in table.c:  # a tier's identity file
        return _erase_removed_persons(session, table, rule, cutoff)
    limit = _clock_value(table, rule.clock, cutoff)
    condition = table.c[rule.clock] < limit
    if rule.select in ("removed", "stamped"):  # only rows whose clock is set (除票, receipts)
        condition = and_(table.c[rule.clock].is_not(None), condition)
    key = next(iter(table.primary_key.columns))  # `id`, or a table's own key (check_id …)
    ids = [row[0] for row in session.execute(select(key).where(condition))]
    erased = 0
    for name in rule.dependents:
        dependent = tables[name]
        erased += _delete(session, dependent, dependent.c.resident_id.in_(ids))
    erased += _delete(session, table, key.in_(ids))
    return [str(i) for i in ids], erased


def _erase_superseded(session: Session, table: Table, cutoff: dt.datetime) -> tuple[list[str], int]:
    """History rows whose successor (the next row of the same person) is older than the
    cutoff: the row has been history for longer than the period."""
    newer = table.alias("newer")
    replaced_at = (
        select(func.min(newer.c.timestamp))
        .where(newer.c.resident_code == table.c.resident_code)
        .where(newer.c.update_seq > table.c.update_seq)
        .scalar_subquery()
    )
    rows = session.execute(
        select(table.c.id, table.c.resident_code).where(
            table.c.is_current.is_(False), replaced_at < cutoff
        )
    ).all()
    erased = _delete(session, table, table.c.id.in_([row.id for row in rows]))
    return sorted({row.resident_code for row in rows}), erased


def _erase_removed_persons(
    session: Session, table: Table, rule: Rule, cutoff: dt.datetime
) -> tuple[list[str], int]:
    """Persons whose current row is a removal (消除) older than the cutoff: all their rows."""
    limit = _clock_value(table, rule.clock, cutoff)
    codes = list(
        session.scalars(
            select(table.c.resident_code).where(
                table.c.is_current.is_(True), table.c.removed.is_(True),
                table.c[rule.clock] < limit,
            )
        )
    )  # fmt: skip
    return sorted(codes), _delete(session, table, table.c.resident_code.in_(codes))


def _delete(session: Session, table: Table, condition: Any) -> int:
    result = session.execute(delete(table).where(condition))
    return int(getattr(result, "rowcount", 0) or 0)


def history(session: Session, limit: int = 50) -> list[Any]:
    return list(
        session.execute(
            select(retention_purges).order_by(retention_purges.c.id.desc()).limit(limit)
        )
    )
