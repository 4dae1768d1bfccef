"""届出点検 (001a ACQ-1-3, ACQ-3-4; 001b C-01): with the check on, one clerk alone cannot
register a 届出 — it waits, entered and encrypted, until a second operator with the right
confirms it; only then does it reach the register, the CS and J-LIS. A checker may send
it back, the clerk may withdraw it; nobody checks their own entry."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select, text

from juki.core.audit.tables import audit_log
from juki.core.db import sqlite_url
from juki.core.errors import Conflict, InvalidInput, JukiError, Refused
from juki.core.messaging import tables
from juki.duties.operators.accounts import Actor, NotAdministrator
from juki.national.models import NationalIdentityRow
from juki.network.embedded import EmbeddedNetwork, NetworkHome, build_node
from juki.registry.models import (
    IntakeRecord,
    NoticeCheckSetting,
    PendingNotice,
    Resident,
    ResidentEvent,
    ResidentHistory,
)
from juki.registry.notice_checks import kinds
from juki.registry.notice_checks import service as notice_checks
from juki.registry.notices import arrivals, moves, schemas
from juki.registry.residents import schemas as resident_schemas
from tests.conftest import born, event_status, person, resident, with_notice_check
from tests.registry.helpers import INTAKE, TODAY, run
from tests.staff import CLERK, CLERK2, SUPERVISOR, Staff, staff_on

LG = "131075"
NAME, KANA = "両国\u3000花子", "リョウゴク\u3000ハナコ"
NUMBER, CODE = "123456789018", "24727059608"  # valid check digits, nobody's


@pytest.fixture
def checked(network: EmbeddedNetwork) -> EmbeddedNetwork:
    """The check on (as `juki up` has it) and the counter's staff at the registry."""
    with_notice_check(network)
    staff_on(network.node(f"registry:{LG}"), (CLERK, CLERK2, SUPERVISOR))
    return network


def birth(**overrides: Any) -> schemas.BirthNotice:
    return schemas.BirthNotice(
        **person(name_kanji=NAME, name_kana=KANA, birth_date=TODAY, change_date=TODAY) | overrides
    )


def paper_move_in() -> schemas.MoveInNotice:
    """A 転入 with the 転出証明書's 住民票コード and 個人番号 (the card shown)."""
    return schemas.MoveInNotice(
        intake=INTAKE, change_date=TODAY, name_kanji=NAME, name_kana=KANA,
        birth_date=dt.date(1990, 4, 1), sex="2", address="東京都墨田区吾妻橋一丁目2番3号",
        resident_code=CODE, individual_number=NUMBER, previous_lg_code="131016",
    )  # fmt: skip


def submit(
    network: EmbeddedNetwork,
    record: kinds.Record,
    notice: resident_schemas.Notice,
    target: int | None = None,
    who: Staff = CLERK,
) -> notice_checks.Applied | notice_checks.Entered:
    return run(
        network,
        lambda uow: notice_checks.submit(
            uow, record, notice, target=target, operator=who.login, terminal=f"{who.login}-t"
        ),
    )


def enter(
    network: EmbeddedNetwork, record: kinds.Record, notice: resident_schemas.Notice, **kw: Any
) -> int:
    entered = submit(network, record, notice, **kw)
    assert isinstance(entered, notice_checks.Entered)
    return entered.entry_id


def step(network: EmbeddedNetwork, action: Any, entry_id: int, who: Staff, **kw: Any) -> Any:
    return run(
        network,
        lambda uow: action(uow, entry_id, operator=who.login, terminal=f"{who.login}-t", **kw),
    )


def register(network: EmbeddedNetwork) -> tuple[int, int, int, int]:
    """Residents, history rows, events and outbox envelopes of the registry."""
    with network.node(f"registry:{LG}").db.session() as session:
        return tuple(  # type: ignore[return-value]
            session.scalar(select(func.count()).select_from(table)) or 0
            for table in (Resident, ResidentHistory, ResidentEvent, tables.outbox)
        )


def entry_of(network: EmbeddedNetwork, entry_id: int) -> PendingNotice:
    return run(network, lambda uow: notice_checks.get(uow, entry_id))


def at_national(network: EmbeddedNetwork, name: str) -> int:
    with network.node("national").db.session() as session:
        rows = session.scalars(select(NationalIdentityRow.name_kanji)).all()
    return sum(1 for row in rows if row == name)


def test_one_clerk_alone_cannot_register_a_notice(checked: EmbeddedNetwork) -> None:
    before = register(checked)
    entry_id = enter(checked, arrivals.record_birth, birth())
    checked.pump()
    assert register(checked) == before  # no record, history, event or message
    assert at_national(checked, NAME) == 0
    entry = entry_of(checked, entry_id)
    assert (entry.status, entry.entered_by, entry.entered_terminal) == (
        "entered", CLERK.login, f"{CLERK.login}-t"
    )  # fmt: skip
    assert [e.id for e in run(checked, notice_checks.waiting)] == [entry_id]


def test_a_second_clerk_confirms_and_the_event_reaches_the_national_server(
    checked: EmbeddedNetwork,
) -> None:
    entry_id = enter(checked, arrivals.record_birth, birth())
    applied = step(checked, notice_checks.confirm, entry_id, CLERK2)
    checked.pump()
    (event,) = applied.events
    assert event_status(checked, LG, event.update_id) == ("applied", None)
    assert at_national(checked, NAME) == 1
    entry = entry_of(checked, entry_id)
    assert (entry.status, entry.decided_by, entry.decided_terminal) == (
        "applied", CLERK2.login, f"{CLERK2.login}-t"
    )  # fmt: skip
    assert json.loads(entry.update_ids) == [event.update_id]
    # The register's history names the clerk who entered it; the audit log each step.
    with checked.node(f"registry:{LG}").db.session() as session:
        history = session.scalars(
            select(ResidentHistory)
            .where(ResidentHistory.resident_id == event.resident_id)
            .order_by(ResidentHistory.version)
        ).first()
        steps = session.execute(
            select(audit_log.c.operator, audit_log.c.terminal, audit_log.c.function)
            .where(audit_log.c.function.like("notice_check:%"))
            .order_by(audit_log.c.seq)
        ).all()
    assert history is not None
    assert (history.operator_id, history.terminal_id) == (CLERK.login, f"{CLERK.login}-t")
    assert [tuple(s) for s in steps] == [
        (CLERK.login, f"{CLERK.login}-t", "notice_check:enter"),
        (CLERK2.login, f"{CLERK2.login}-t", "notice_check:confirm"),
    ]


def test_the_intake_is_taken_at_entry_and_the_event_is_recorded_under_it(
    checked: EmbeddedNetwork,
) -> None:
    rid = born(checked, LG)  # the check does not apply to the tests' helper (a service call)
    move = schemas.MoveWithinNotice(
        intake=INTAKE, change_date=TODAY, address="東京都墨田区業平一丁目1番1号"
    )
    entry_id = enter(checked, moves.record_move_within, move, target=rid)
    entry = entry_of(checked, entry_id)
    assert entry.intake_id is not None
    assert resident(checked, LG, rid).address != move.address
    (event,) = step(checked, notice_checks.confirm, entry_id, CLERK2).events
    checked.pump()
    assert resident(checked, LG, rid).address == move.address
    with checked.node(f"registry:{LG}").db.session() as session:
        intakes = session.scalars(select(IntakeRecord)).all()
        stored = session.scalars(
            select(ResidentEvent).where(ResidentEvent.update_id == event.update_id)
        ).one()
    assert [i.intake_id for i in intakes] == [entry.intake_id]  # one, taken at entry
    assert (intakes[0].kind, intakes[0].operator_id) == ("転居届", CLERK.login)
    assert stored.intake_id == entry.intake_id


def test_nobody_checks_their_own_entry_and_a_check_needs_the_right(
    checked: EmbeddedNetwork,
) -> None:
    before = register(checked)
    entry_id = enter(checked, arrivals.record_birth, birth(), who=CLERK2)
    with pytest.raises(Refused) as own:
        step(checked, notice_checks.confirm, entry_id, CLERK2)
    assert (own.value.field, own.value.code) == ("checker", "own_entry")
    assert "別の職員" in own.value.message
    with pytest.raises(Refused) as send_own:
        step(checked, notice_checks.send_back, entry_id, CLERK2, reason="誤り")
    assert send_own.value.field == "checker"
    for without_right in (CLERK, SUPERVISOR):  # counter work or approval is not the check
        with pytest.raises(Refused) as refused:
            step(checked, notice_checks.confirm, entry_id, without_right)
        assert (refused.value.field, refused.value.code) == ("checker", "no_right")
    assert entry_of(checked, entry_id).status == "entered"
    checked.pump()
    assert register(checked) == before


def test_a_sent_back_entry_is_not_applied(checked: EmbeddedNetwork) -> None:
    before = register(checked)
    entry_id = enter(checked, arrivals.record_birth, birth())
    with pytest.raises(InvalidInput) as no_reason:
        step(checked, notice_checks.send_back, entry_id, CLERK2, reason="  ")
    assert no_reason.value.field == "reason"
    assert entry_of(checked, entry_id).status == "entered"  # nothing stored
    step(checked, notice_checks.send_back, entry_id, CLERK2, reason="ふりがなが届書と違う")
    with pytest.raises(Conflict) as again:
        step(checked, notice_checks.confirm, entry_id, CLERK2)
    assert (again.value.field, again.value.code) == ("entry_id", "wrong_state")
    checked.pump()
    assert register(checked) == before
    assert at_national(checked, NAME) == 0
    entry = entry_of(checked, entry_id)
    assert (entry.status, entry.decided_by) == ("sent_back", CLERK2.login)
    reason = run(checked, lambda uow: notice_checks.reason_of(uow, entry))
    assert reason == "ふりがなが届書と違う"
    assert [e.id for e in run(checked, notice_checks.sent_back_to, CLERK.login)] == [entry_id]


def test_only_the_entering_clerk_withdraws(checked: EmbeddedNetwork) -> None:
    entry_id = enter(checked, arrivals.record_birth, birth())
    with pytest.raises(Refused) as other:
        step(checked, notice_checks.withdraw, entry_id, CLERK2)
    assert other.value.field == "operator"
    step(checked, notice_checks.withdraw, entry_id, CLERK)
    with pytest.raises(Conflict):
        step(checked, notice_checks.confirm, entry_id, CLERK2)
    entry = entry_of(checked, entry_id)
    assert (entry.status, entry.decided_by) == ("withdrawn", CLERK.login)
    assert register(checked)[0] == 0


@pytest.mark.parametrize(
    ("record", "make", "field"),
    [
        # a broken rule, found by rehearsing the 届出 at entry: the address did not change
        (moves.record_move_within, lambda rid: schemas.MoveWithinNotice(
            intake=INTAKE, change_date=TODAY, address=person()["address"]), "address"),
        # the resident is not there
        (moves.record_death, lambda rid: schemas.DeathNotice(change_date=TODAY), "resident_id"),
        # the notice is not the kind's
        (arrivals.record_birth, lambda rid: schemas.DeathNotice(change_date=TODAY), "kind"),
    ],
)  # fmt: skip
def test_bad_input_is_refused_by_field_and_nothing_is_stored(
    checked: EmbeddedNetwork, record: kinds.Record, make: Any, field: str
) -> None:
    rid = born(checked, LG)
    target = {moves.record_move_within: rid, moves.record_death: rid + 100}.get(record)
    before = register(checked)
    with pytest.raises(JukiError) as refused:
        submit(checked, record, make(rid), target=target)
    assert refused.value.field == field
    assert register(checked) == before
    with checked.node(f"registry:{LG}").db.session() as session:
        assert session.scalar(select(func.count()).select_from(PendingNotice)) == 0
        assert session.scalar(select(func.count()).select_from(IntakeRecord)) == 0


def test_no_name_or_number_in_clear_in_the_pending_table(checked: EmbeddedNetwork) -> None:
    entry_id = enter(checked, arrivals.record_move_in, paper_move_in())
    step(checked, notice_checks.send_back, entry_id, CLERK2, reason=f"{NAME}の前住所を確認")
    secrets = [NAME, KANA, NUMBER, NAME.split("\u3000")[0]]
    node = checked.node(f"registry:{LG}")
    with node.db.engine.connect() as connection:
        rows = connection.execute(text("SELECT * FROM pending_notices")).all()
    assert len(rows) == 1
    for value in rows[0]:
        raw = bytes(value) if isinstance(value, bytes | memoryview) else str(value).encode()
        for secret in secrets:
            assert secret.encode() not in raw, f"{secret} in clear in pending_notices"
    # … yet it is all there, under the node's key.
    entry = entry_of(checked, entry_id)
    notice = run(checked, lambda uow: notice_checks.notice_of(uow, entry))
    assert isinstance(notice, schemas.MoveInNotice)
    assert (notice.name_kanji, notice.individual_number) == (NAME, NUMBER)
    if checked.server_url is None:  # SQLite: the files on disk, main file and WAL
        checked.close()
        for path in (checked.home.root / "data").glob("registry_131075.db*"):
            data = path.read_bytes()
            assert NUMBER.encode() not in data, path.name
            assert NAME.encode() not in data, path.name


def test_the_checker_sees_the_entry_with_the_number_masked(checked: EmbeddedNetwork) -> None:
    entry_id = enter(checked, arrivals.record_move_in, paper_move_in())
    entry = entry_of(checked, entry_id)
    content = run(checked, lambda uow: notice_checks.content(uow, entry))
    assert content["name_kanji"] == NAME
    assert content["individual_number"] == "************"  # the CS checked it (ACQ-3-2)
    assert entry.number_entered


def test_a_fresh_registry_requires_the_check(tmp_path: Path) -> None:
    home = NetworkHome(tmp_path)
    home.pki.init()
    node = build_node(home, f"registry:{LG}", sqlite_url(tmp_path / "registry.db"))
    with node.unit_of_work() as uow:
        assert notice_checks.settings(uow) == []
        assert notice_checks.required(uow)
    node.db.dispose()


def test_only_an_account_administrator_changes_the_setting_with_a_reason(
    checked: EmbeddedNetwork,
) -> None:
    admin = Actor(SUPERVISOR.login, "admin-t")
    with pytest.raises(NotAdministrator) as clerk:
        run(checked, lambda uow: notice_checks.change_setting(
            uow, required=False, actor=Actor(CLERK.login, "t"), reason="繁忙期"))  # fmt: skip
    assert clerk.value.field == "actor"
    with pytest.raises(InvalidInput) as no_reason:
        run(checked, lambda uow: notice_checks.change_setting(
            uow, required=False, actor=admin, reason=""))  # fmt: skip
    assert no_reason.value.field == "reason"
    assert run(checked, notice_checks.required)
    run(checked, lambda uow: notice_checks.change_setting(
        uow, required=False, actor=admin, reason="システム移行の検証"))  # fmt: skip
    assert not run(checked, notice_checks.required)
    assert isinstance(
        submit(checked, arrivals.record_birth, birth()), notice_checks.Applied
    )  # one step now
    with checked.node(f"registry:{LG}").db.session() as session:
        latest = session.scalars(
            select(NoticeCheckSetting).order_by(NoticeCheckSetting.id.desc())
        ).first()
        logged = session.execute(
            select(audit_log.c.operator, audit_log.c.targets).where(
                audit_log.c.function == "settings.notice_check", audit_log.c.result == "ok"
            )
        ).all()
    assert latest is not None
    assert (latest.changed_by, latest.terminal_id, latest.reason) == (
        SUPERVISOR.login, "admin-t", "システム移行の検証"
    )  # fmt: skip
    assert [tuple(row) for row in logged] == [(SUPERVISOR.login, '["required=False"]')]
