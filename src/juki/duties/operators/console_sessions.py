"""Console sessions kept in the node's database (issue #14).

The browser's cookie carries only a random id (256 bits); the row, keyed by the id's
SHA-256, carries what the session knows. So log-out deletes the row and a cookie copied
before it opens nothing; the idle lock and the session's age are judged here; and a
WebAuthn challenge is taken out of the row in one compare-and-set write, so it can be
answered once, however many copies of the cookie or concurrent requests carry it.

Writes are compare-and-set on `version`: two requests of one session that ran at the same
time each apply only the keys they changed onto the row as it is now, and a row that was
deleted meanwhile (log-out, expiry) is not written back to life.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from juki.core.clock import as_utc
from juki.duties.operators.tables import ConsoleSession

MAX_AGE = dt.timedelta(hours=12)  # a session ends 12 hours after log-in, however active
ANONYMOUS_IDLE = dt.timedelta(hours=1)  # a log-in form left open: its row goes after 1 h
_RETRIES = 20


@dataclass(frozen=True)
class Stored:
    data: dict[str, Any]
    version: int


def new_token() -> str:
    return secrets.token_urlsafe(32)


def _key(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _expired(row: ConsoleSession, now: dt.datetime) -> bool:
    if now - as_utc(row.created_at) > MAX_AGE:
        return True
    return row.login is None and now - as_utc(row.seen_at) > ANONYMOUS_IDLE


def load(db: Session, token: str, now: dt.datetime) -> Stored | None:
    """The session the token opens, or None (unknown, ended or expired: an expired row is
    deleted)."""
    if not token:
        return None
    row = db.get(ConsoleSession, _key(token), populate_existing=True)
    if row is None:
        return None
    if _expired(row, now):
        db.delete(row)
        return None
    return Stored(json.loads(row.data), row.version)


def create(db: Session, data: dict[str, Any], now: dt.datetime) -> str:
    """A new session holding `data`; its token (the cookie's value). Rows past their age
    are cleared out on the way, so the table holds only live sessions."""
    purge(db, now)
    token = new_token()
    row = ConsoleSession(
        id_hash=_key(token), data=json.dumps(data), login=_login_of(data), version=0,
        created_at=now, seen_at=now,
    )  # fmt: skip
    db.add(row)
    db.flush()
    return token


_GONE = object()  # the row is not there (ended meanwhile): nothing is written back


def _update(
    db: Session, token: str, now: dt.datetime, change: Callable[[dict[str, Any]], Any]
) -> Any:
    """Read the row, let `change` edit its data (returning what the caller gets; `_GONE`
    to write nothing), and write it back only if nobody wrote in between — else again.
    Returns `_GONE` when the row is not there."""
    key = _key(token)
    for _ in range(_RETRIES):
        row = db.execute(
            select(ConsoleSession.data, ConsoleSession.version).where(ConsoleSession.id_hash == key)
        ).first()
        if row is None:
            return _GONE
        data = json.loads(row.data)
        answer = change(data)
        if answer is _GONE or _write(db, key, row.version, data, now):
            return answer
    raise RuntimeError("console session: too many concurrent writes")  # pragma: no cover


def merge(
    db: Session, token: str, changed: dict[str, Any], removed: set[str], now: dt.datetime
) -> bool:
    """Apply the keys one request set and removed onto the row as it is now; False when
    the row is gone (ended meanwhile: it stays ended)."""

    def apply(data: dict[str, Any]) -> bool:
        for name in removed:
            data.pop(name, None)
        data.update(changed)
        return True

    return _update(db, token, now, apply) is True


def take(db: Session, token: str, name: str, now: dt.datetime) -> Any:
    """Remove `name` from the session and return it, to exactly one caller: a second
    request with the same value (a copied cookie, a replayed form) finds it gone."""
    taken = _update(db, token, now, lambda data: data.pop(name) if name in data else _GONE)
    return None if taken is _GONE else taken


def end(db: Session, token: str) -> None:
    db.execute(delete(ConsoleSession).where(ConsoleSession.id_hash == _key(token)))


def end_all_of(db: Session, login: str) -> int:
    """Every session of one operator (suspension, retirement): the rows go at once."""
    result = db.execute(delete(ConsoleSession).where(ConsoleSession.login == login))
    return int(getattr(result, "rowcount", 0) or 0)


def purge(db: Session, now: dt.datetime) -> None:
    db.execute(
        delete(ConsoleSession).where(
            or_(
                ConsoleSession.created_at < now - MAX_AGE,
                (ConsoleSession.login.is_(None)) & (ConsoleSession.seen_at < now - ANONYMOUS_IDLE),
            )
        )
    )


def _write(db: Session, key: str, version: int, data: dict[str, Any], now: dt.datetime) -> bool:
    result = db.execute(
        update(ConsoleSession)
        .where(ConsoleSession.id_hash == key, ConsoleSession.version == version)
        .values(data=json.dumps(data), login=_login_of(data), version=version + 1, seen_at=now)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _login_of(data: dict[str, Any]) -> str | None:
    login = data.get("login")
    return str(login) if login else None
