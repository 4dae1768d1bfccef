"""届出点検 (001a ACQ-1-3, ACQ-3-4; 001b C-01): more than one person checks a 届出 before it
is registered.

While the municipality requires it (`required`), a 届出 entered at the counter or through
the API is kept as pending (入力済・点検待ち) with its 届出受付記録, and nothing reaches the
register, the CS or any other node until a second operator — not the one who entered it,
holding the 届出の点検 right — checks it (`confirm`). The check rebuilds the notice from
what was entered, so the schema validates it again, and applies it through the same
service function a one-step 届出 uses: the business rules live in one place. The checker
may instead send it back with a reason (差戻し, `send_back`); the clerk who entered it may
withdraw it (取下げ, `withdraw`). Each step keeps operator, terminal and time and goes to
the audit log with the transaction.

An entry is rehearsed when it is entered: the service runs in a transaction of its own
that is rolled back, so a broken rule is refused at once, naming its field, and nothing is
stored. What was entered is kept encrypted with the node's field key: it holds 4情報, and
a 個人番号 for a 転入 (as `Resident.individual_number_cipher` is kept).

職権修正 has its own, stricter, two-person control (`corrections`) and does not pass here.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select, update

from juki.core.audit import log as audit
from juki.core.crypto import sealed_label
from juki.core.errors import Conflict, InvalidInput, NotFound, Refused
from juki.core.ids import mask_individual_number
from juki.core.messaging.node import UnitOfWork
from juki.duties.operators import accounts, rights
from juki.duties.operators.accounts import SETUP, Actor
from juki.registry.notice_checks.kinds import KINDS, Kind, Record, kind_of, name_of
from juki.registry.notice_checks.models import NoticeCheckSetting, PendingNotice
from juki.registry.notices import intake
from juki.registry.notices.schemas import Received
from juki.registry.residents.pool import now
from juki.registry.residents.schemas import Notice
from juki.registry.residents.service import EventRecord

DUTY = "notice_check"  # 届出の点検 (duties/operators/duties.py)
PAYLOAD_COLUMN = sealed_label("pending_notices.payload")
REASON_COLUMN = sealed_label("pending_notices.reason")
STATUS_LABELS = {
    "entered": "入力済・点検待ち",
    "applied": "点検済・反映",
    "sent_back": "差戻し",
    "withdrawn": "取下げ",
}


@dataclass(frozen=True)
class Applied:
    """A 届出 recorded in the register; `result` is what its service function returned."""

    kind: str
    result: Any

    @property
    def events(self) -> list[EventRecord]:
        found = self.result if isinstance(self.result, list) else [self.result]
        return [e for e in found if isinstance(e, EventRecord)]


@dataclass(frozen=True)
class Entered:
    """A 届出 kept for its check (点検番号 `entry_id`): nothing reached the register."""

    entry_id: int


# --- the municipality's setting ------------------------------------------------------------


def required(uow: UnitOfWork) -> bool:
    """Whether 届出 wait for a second person's check here. On unless the municipality
    recorded otherwise: a fresh node (`juki up`) checks."""
    latest = uow.session.scalars(
        select(NoticeCheckSetting.required).order_by(NoticeCheckSetting.id.desc()).limit(1)
    ).first()
    return True if latest is None else bool(latest)


def settings(uow: UnitOfWork) -> list[NoticeCheckSetting]:
    """The setting's history, newest first."""
    stmt = select(NoticeCheckSetting).order_by(NoticeCheckSetting.id.desc())
    return list(uow.session.scalars(stmt))


def set_at_setup(uow: UnitOfWork, *, required: bool, reason: str) -> None:
    """The installer's setting, before any administrator exists; recorded as made by
    (初期設定), as the installer's first rights are (`rights.grant_at_setup`)."""
    uow.session.add(
        NoticeCheckSetting(
            required=required, reason=reason[:200], changed_by=SETUP.login,
            terminal_id=SETUP.terminal, changed_at=now(),
        )
    )  # fmt: skip


def change_setting(uow: UnitOfWork, *, required: bool, actor: Actor, reason: str) -> None:
    """An account administrator (a privileged right) changes the setting, giving the
    reason: switching the check off weakens a countermeasure of the PIA. Anyone else is
    refused, and the refusal is in the audit log."""
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise InvalidInput("設定を変える理由を200文字以内で入力してください", field="reason")
    accounts.administrator(uow.session, actor, "settings.notice_check", "-")
    uow.session.add(
        NoticeCheckSetting(
            required=required, reason=reason, changed_by=actor.login[:40],
            terminal_id=actor.terminal[:40], changed_at=now(),
        )
    )  # fmt: skip
    uow.audit(
        audit.Access(
            operator=actor.login[:40], terminal=actor.terminal[:40],
            function="settings.notice_check", targets=(f"required={required}",),
            purpose="届出の点検の設定",
        )
    )  # fmt: skip


# --- entering ------------------------------------------------------------------------------


def submit(
    uow: UnitOfWork,
    record: Record,
    notice: Notice,
    *,
    target: int | None = None,
    operator: str,
    terminal: str,
) -> Applied | Entered:
    """A 届出 from the counter or the API, recorded by the service function `record` (one
    of `kinds.KINDS`): at once where the municipality does not require a check, else
    entered for one. The one door every 届出 surface goes through."""
    if not required(uow):
        name, spec = _kind(record, notice, target)
        return Applied(name, spec.apply(uow, target, notice))
    return Entered(enter(uow, record, notice, target=target, operator=operator, terminal=terminal))


def enter(
    uow: UnitOfWork,
    record: Record,
    notice: Notice,
    *,
    target: int | None = None,
    operator: str,
    terminal: str,
) -> int:
    """Keep `notice` for its check, entered by `operator` at `terminal`; returns its 点検番号.
    The entry keeps the name of its kind, by which the check applies it with `record`.
    The notice carries the operator and terminal who entered it, so the register's
    history names them once it is applied. Must be the first write of its transaction
    (see `_rehearse`)."""
    name, spec = _kind(record, notice, target)
    who = {"operator_id": operator[:40], "terminal_id": terminal[:40]}
    entered = notice.model_copy(update=who)
    payload = entered.model_dump(mode="json")
    _rehearse(uow, spec, target, payload)
    entry = PendingNotice(
        kind=name,
        resident_id=target if spec.target == "resident" else None,
        household_id=target if spec.target == "household" else None,
        payload_cipher=uow.node.keys.encrypt(
            json.dumps(payload, ensure_ascii=False), column=PAYLOAD_COLUMN
        ),
        number_entered=_holds_number(payload),
        status="entered",
        entered_by=operator[:40],
        entered_terminal=terminal[:40],
        entered_at=now(),
    )
    if isinstance(entered, Received):
        # The counter received it now: the 届出受付記録 is written at entry, and the
        # check applies the 届出 under it (intake.record keeps an id already given).
        entry.intake_id = intake.record(uow, entered, spec.label)
    uow.session.add(entry)
    uow.session.flush()
    uow.audit(_access(entry, "enter", operator, terminal))
    return entry.id


def _kind(record: Record, notice: Notice, target: int | None) -> tuple[str, Kind]:
    """The name and kind of the 届出 `record` records, for a notice and target that fit."""
    name = name_of(record)
    spec = KINDS[name]
    if type(notice) is not spec.schema:
        raise InvalidInput("届出の種類と内容が合いません", field="kind")
    if (target is None) != (spec.target is None):
        raise InvalidInput("届出の対象が指定されていません", field="resident_id")
    return name, spec


def _rehearse(uow: UnitOfWork, spec: Kind, target: int | None, payload: dict[str, Any]) -> None:
    """Run the 届出 as the check will, in a transaction of its own that is rolled back
    whatever happens: a broken rule (住所が変わっていません, a resident who is not current …)
    is refused now with its field, and nothing of it stays — no code taken from the pool,
    no message. It runs before the entry's own transaction writes anything: SQLite has one
    writer, and this second connection would otherwise wait for the first."""
    with uow.node.db.sessions() as session:
        session.begin()
        try:
            spec.apply(UnitOfWork(uow.node, session), target, spec.schema.model_validate(payload))
        finally:
            session.rollback()


def _holds_number(payload: dict[str, Any]) -> bool:
    members = payload.get("members") or []
    people = [payload, *(m for m in members if isinstance(m, dict))]
    return any(person.get("individual_number") for person in people)


# --- checking ------------------------------------------------------------------------------


def confirm(uow: UnitOfWork, entry_id: int, *, operator: str, terminal: str) -> Applied:
    """点検: a second operator, holding the 届出の点検 right, confirms the entry; it is then
    validated again and applied by its service function, in this transaction."""
    entry = _claim(uow, entry_id)
    _checker(uow, entry, operator)
    spec = kind_of(entry.kind)
    notice = notice_of(uow, entry)
    notice._intake_id = entry.intake_id
    result = spec.apply(uow, target_of(entry), notice)
    applied = Applied(entry.kind, result)
    entry.update_ids = json.dumps([e.update_id for e in applied.events])
    entry.resident_ids = json.dumps(_resident_ids(entry, result))
    _decide(entry, "applied", operator, terminal)
    uow.audit(_access(entry, "confirm", operator, terminal))
    return applied


def send_back(uow: UnitOfWork, entry_id: int, *, operator: str, terminal: str, reason: str) -> None:
    """差戻し: the checker returns the entry to the clerk with the reason; nothing of it is
    applied. The clerk enters the 届出 again, corrected."""
    reason = reason.strip()
    if not reason or len(reason) > 200:
        raise InvalidInput("差戻しの理由を200文字以内で入力してください", field="reason")
    entry = _claim(uow, entry_id)
    _checker(uow, entry, operator)
    entry.reason_cipher = uow.node.keys.encrypt(reason, column=REASON_COLUMN)
    _decide(entry, "sent_back", operator, terminal)
    uow.audit(_access(entry, "send_back", operator, terminal))


def withdraw(uow: UnitOfWork, entry_id: int, *, operator: str, terminal: str) -> None:
    """取下げ: the clerk who entered it takes it back before it is checked."""
    entry = _claim(uow, entry_id)
    if not _same(operator, entry.entered_by):
        raise Refused(
            "取り下げられるのは入力した職員だけです", field="operator", code="not_entrant"
        )
    _decide(entry, "withdrawn", operator, terminal)
    uow.audit(_access(entry, "withdraw", operator, terminal))


def _claim(uow: UnitOfWork, entry_id: int) -> PendingNotice:
    """Take the entry for this transaction: a compare-and-set on its status, so that two
    checkers cannot both apply it (on SQLite it also takes the write lock first)."""
    taken = uow.session.execute(
        update(PendingNotice)
        .where(PendingNotice.id == entry_id, PendingNotice.status == "entered")
        .values(status="checking")
    )
    entry = uow.session.get(PendingNotice, entry_id, populate_existing=True)
    if entry is None:
        raise NotFound("点検待ちの届出が見つかりません", field="entry_id")
    if getattr(taken, "rowcount", 0) != 1:
        raise Conflict(
            f"この届出は既に処理されています（{STATUS_LABELS.get(entry.status, entry.status)}）",
            field="entry_id", code="wrong_state",
        )  # fmt: skip
    return entry


def _checker(uow: UnitOfWork, entry: PendingNotice, login: str) -> None:
    """Someone other than the clerk who entered it, active, with the right (000 ACL-01)."""
    if _same(login, entry.entered_by):
        raise Refused(
            "自分が入力した届出は点検できません（入力した職員とは別の職員が点検します）",
            field="checker", code="own_entry",
        )  # fmt: skip
    operator = accounts.by_login(uow.session, login)
    if (
        operator is None
        or operator.status != "active"
        or not rights.has_right(uow.session, operator.id, DUTY, "update")
    ):
        raise Refused("届出の点検の権限がありません", field="checker", code="no_right")


def _same(login: str, other: str) -> bool:
    return login.strip().lower() == other.strip().lower()


def _decide(entry: PendingNotice, status: str, operator: str, terminal: str) -> None:
    entry.status, entry.decided_at = status, now()
    entry.decided_by, entry.decided_terminal = operator[:40], terminal[:40]


def _access(entry: PendingNotice, step: str, operator: str, terminal: str) -> audit.Access:
    targets = [f"entry={entry.id}", f"kind={entry.kind}"]
    if entry.resident_id is not None:
        targets.append(f"addressee={entry.resident_id}")
    if entry.household_id is not None:
        targets.append(f"household={entry.household_id}")
    targets += [f"addressee={i}" for i in json.loads(entry.resident_ids or "[]")]
    return audit.Access(
        operator=operator[:40], terminal=terminal[:40], function=f"notice_check:{step}",
        targets=tuple(dict.fromkeys(targets)), purpose="届出の点検",
        number_touched=entry.number_entered,
    )  # fmt: skip


def _resident_ids(entry: PendingNotice, result: Any) -> list[int]:
    """The people the applied 届出 recorded (宛名番号), for the screens and the audit log."""
    found = result if isinstance(result, list) else [result]
    ids = [r.resident_id if isinstance(r, EventRecord) else r for r in found]
    ids = [i for i in ids if isinstance(i, int) and not isinstance(i, bool)]
    if entry.kind == "cancellation":  # its service returns the 履歴番号, not a person
        ids = []
    if not ids and entry.resident_id is not None:
        ids = [entry.resident_id]
    return ids


# --- reading -------------------------------------------------------------------------------


def get(uow: UnitOfWork, entry_id: int) -> PendingNotice:
    entry = uow.session.get(PendingNotice, entry_id)
    if entry is None:
        raise NotFound("点検待ちの届出が見つかりません", field="entry_id")
    return entry


def target_of(entry: PendingNotice) -> int | None:
    return entry.resident_id if entry.resident_id is not None else entry.household_id


def notice_of(uow: UnitOfWork, entry: PendingNotice) -> Notice:
    """The notice as entered, validated again by its schema."""
    return kind_of(entry.kind).schema.model_validate(_payload(uow, entry))


def content(uow: UnitOfWork, entry: PendingNotice) -> dict[str, Any]:
    """What was entered, for the checker's screen: the 個人番号 masked (the CS has checked
    it against the 住民票コード, or the card was shown: 001a ACQ-3-2)."""
    payload = _payload(uow, entry)
    for person in [payload, *(payload.get("members") or [])]:
        if isinstance(person, dict) and person.get("individual_number"):
            person["individual_number"] = mask_individual_number(person["individual_number"])
    return payload


def reason_of(uow: UnitOfWork, entry: PendingNotice) -> str | None:
    if entry.reason_cipher is None:
        return None
    return uow.node.keys.decrypt(entry.reason_cipher, column=REASON_COLUMN)


def waiting(uow: UnitOfWork) -> list[PendingNotice]:
    """Entries waiting for their check, oldest first."""
    stmt = select(PendingNotice).where(PendingNotice.status == "entered")
    return list(uow.session.scalars(stmt.order_by(PendingNotice.id)))


def sent_back_to(uow: UnitOfWork, login: str, *, days: int = 30) -> list[PendingNotice]:
    """What the checkers sent back to `login` lately, newest first (to be entered again)."""
    since = now() - dt.timedelta(days=days)
    stmt = select(PendingNotice).where(
        PendingNotice.status == "sent_back",
        PendingNotice.entered_by == login,
        PendingNotice.decided_at >= since,
    )
    return list(uow.session.scalars(stmt.order_by(PendingNotice.id.desc()).limit(50)))


def _payload(uow: UnitOfWork, entry: PendingNotice) -> dict[str, Any]:
    payload: dict[str, Any] = json.loads(
        uow.node.keys.decrypt(entry.payload_cipher, column=PAYLOAD_COLUMN)
    )
    return payload
