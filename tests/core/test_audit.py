"""The audit log finds any altered, removed or reordered entry, and a cut-off tail once a
checkpoint was signed; a console action that cannot be logged does not happen."""

from __future__ import annotations

import datetime as dt
import json
import logging
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text

from juki.core.audit import log as audit
from juki.core.audit.tables import audit_log
from juki.duties.audit_review import anomalies
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.models import Resident
from tests.registry.helpers import FAMILY, move_in_family
from tests.staff import CLERK, console_log_in, staff_on

LG = "131075"


def fill(network: EmbeddedNetwork, count: int = 5) -> None:
    node = network.node(f"registry:{LG}")
    with node.db.session() as session:
        for i in range(count):
            access = audit.Access("kakari", "counter-01", "GET /residents/{id}", (f"id={i}",))
            audit.record(session, access)
        node.checkpoint_audit(session)


def check(network: EmbeddedNetwork) -> audit.Verification:
    node = network.node(f"registry:{LG}")
    with node.db.session() as session:
        return node.verify_audit(session)


def tamper(network: EmbeddedNetwork, sql: str) -> None:
    with network.node(f"registry:{LG}").db.session() as session:
        session.execute(text(sql))


def test_an_untouched_log_verifies(network: EmbeddedNetwork) -> None:
    fill(network)
    report = check(network)
    assert report.ok, report.problems
    assert (report.entries, report.checkpoints) == (5, 1)


@pytest.mark.parametrize(
    ("sql", "finding"),
    [
        ("UPDATE audit_log SET operator = 'someone' WHERE seq = 3", "seq 3: altered"),
        ("UPDATE audit_log SET targets = '[]' WHERE seq = 2", "seq 2: altered"),
        ("DELETE FROM audit_log WHERE seq = 2", "seq 2: missing"),
        ("UPDATE audit_log SET seq = seq + 10 WHERE seq = 5", "seq 5: missing"),
        ("DELETE FROM audit_log WHERE seq >= 4", "checkpoint 5: the signed rows are not there"),
        ("UPDATE audit_checkpoints SET hash = 'x'", "checkpoint 5: signature does not verify"),
    ],
)
def test_tampering_is_found(network: EmbeddedNetwork, sql: str, finding: str) -> None:
    fill(network)
    tamper(network, sql)
    report = check(network)
    assert not report.ok
    assert any(p.startswith(finding) for p in report.problems), report.problems


def test_reordered_rows_are_found(sqlite_network: EmbeddedNetwork) -> None:
    fill(sqlite_network)
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        rows = {r.seq: r for r in session.execute(select(audit_log))}
        for a, b in ((2, 3), (3, 2)):
            values = {k: v for k, v in rows[b]._mapping.items() if k != "seq"}
            session.execute(audit_log.update().where(audit_log.c.seq == a).values(**values))
    problems = check(sqlite_network).problems
    assert any("seq 2" in p for p in problems)


@pytest.fixture
def console(sqlite_network: EmbeddedNetwork) -> Iterator[TestClient]:
    secrets = staff_on(sqlite_network.node(f"registry:{LG}"), (CLERK,))
    with TestClient(network_app(sqlite_network)) as client:
        base = f"/registry/{LG}/console"
        console_log_in(client, base, CLERK, secrets[CLERK.login])
        yield client


def test_console_reads_and_writes_are_logged(
    sqlite_network: EmbeddedNetwork, console: TestClient
) -> None:
    (rid,) = move_in_family(sqlite_network, FAMILY[:1])
    base = f"/registry/{LG}/console"
    assert console.get(f"{base}/residents/{rid}").status_code == 200
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        last = audit.entries(session, 1)[0]
    assert (last.operator, last.function) == (CLERK.login, "GET /residents/{resident_id}")
    assert f"resident_id={rid}" in last.targets
    assert check(sqlite_network).ok


def test_no_log_no_operation(
    sqlite_network: EmbeddedNetwork, console: TestClient, caplog: pytest.LogCaptureFixture
) -> None:
    (rid,) = move_in_family(sqlite_network, FAMILY[:1])
    base = f"/registry/{LG}/console"
    form = console.get(f"{base}/residents/{rid}/move-within").text
    token = form.split('name="csrf" value="')[1].split('"')[0]
    tamper(sqlite_network, "ALTER TABLE audit_log RENAME TO audit_log_gone")
    with caplog.at_level(logging.CRITICAL, logger="juki.alarm"):
        refused = console.post(
            f"{base}/residents/{rid}/move-within",
            data={
                "csrf": token,
                "change_date": "2026-11-20",
                "address": "東京都墨田区押上1-1-1",
                "intake.notifier": "本人",
                "intake.id_document": "個人番号カード",
            },
        )
    assert refused.status_code == 503
    assert refused.json()["field"] == "audit_log"
    assert any("audit log unavailable" in r.getMessage() for r in caplog.records)  # the alarm
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        assert session.get(Resident, rid).address == "東京都墨田区向島一丁目5番8号"
    page = console.get(f"{base}/residents/{rid}")  # nor is a page shown unlogged
    assert page.status_code == 503
    assert "向島" not in page.text


def test_anomalies_on_a_moved_clock(sqlite_network: EmbeddedNetwork) -> None:
    """A night-time view, a holiday, failed log-ins and a day of many searches are found;
    an ordinary working day is not."""
    jst = dt.timezone(dt.timedelta(hours=9))
    node = sqlite_network.node(f"registry:{LG}")
    working = dt.datetime(2026, 11, 24, 10, 0, tzinfo=jst)  # Tuesday
    holiday = dt.datetime(2026, 11, 23, 11, 0, tzinfo=jst)  # 勤労感謝の日
    night = dt.datetime(2026, 11, 25, 23, 30, tzinfo=jst)
    view = audit.Access("kakari", "t1", "GET /residents/{resident_id}", ("resident_id=1",))
    search = audit.Access("kakari2", "t2", "POST /search")
    failed = audit.Access("kanri", "t3", "login.password", result="auth_refused")
    with node.db.session() as session:
        audit.record(session, view, at=working)
        audit.record(session, view, at=holiday)
        audit.record(session, view, at=night)
        for minute in range(5):
            audit.record(session, search, at=working + dt.timedelta(minutes=minute))
        for minute in range(3):
            audit.record(session, failed, at=working + dt.timedelta(minutes=minute))
        found = anomalies.report(
            session, dt.date(2026, 11, 20), dt.date(2026, 11, 30), searches_per_day=5
        )
    kinds = {(f.kind, f.operator, f.day) for f in found}
    assert kinds == {
        ("closed_day", "kakari", dt.date(2026, 11, 23)),
        ("night", "kakari", dt.date(2026, 11, 25)),
        ("many_searches", "kakari2", dt.date(2026, 11, 24)),
        ("login_failures", "kanri", dt.date(2026, 11, 24)),
    }
    assert check(sqlite_network).ok  # moved clock or not, the chain holds


def test_searches_without_a_matching_application(sqlite_network: EmbeddedNetwork) -> None:
    """The standard specification's 10.2: a search whose persons were the subject of no 届出
    or issue by the same operator that day is reported; one followed by an issue is not."""
    jst = dt.timezone(dt.timedelta(hours=9))
    day = dt.datetime(2026, 11, 24, 10, 0, tzinfo=jst)
    node = sqlite_network.node(f"registry:{LG}")
    with node.db.session() as session:
        for n in range(3):  # looked up three people, acted for one of them
            found = audit.Access("sato", "t1", "POST /search", (f"id={n + 1}",))
            audit.record(session, found, at=day + dt.timedelta(minutes=n))
        issued = audit.Access(
            "sato", "t1", "POST /households/{household_id}/certificate",
            ("household_id=9", "id=1"),
        )  # fmt: skip
        audit.record(session, issued, at=day + dt.timedelta(minutes=5))
        empty = audit.Access("ito", "t2", "POST /search")  # found nobody: not counted
        audit.record(session, empty, at=day)
        found = anomalies.report(session, day.date(), day.date(), unmatched_per_day=2)
    unmatched = [f for f in found if f.kind == "search_without_application"]
    assert [(f.operator, f.count) for f in unmatched] == [("sato", 2)]


def test_log_in_attempts_are_logged(sqlite_network: EmbeddedNetwork, console: TestClient) -> None:
    base = f"/registry/{LG}/console"
    page = console.get(f"{base}/login").text
    token = page.split('name="csrf" value="')[1].split('"')[0]
    wrong = {"login": CLERK.login, "password": "wrong", "csrf": token}
    assert console.post(f"{base}/login", data=wrong).status_code == 401
    with sqlite_network.node(f"registry:{LG}").db.session() as session:
        last = audit.entries(session, 3)
    assert [(e.function, e.result) for e in last] == [
        ("login.password", "bad_password"),  # why, for the audit log only
        ("login.totp", "ok"),  # the fixture's log-in: the second factor ...
        ("login.password", "ok"),  # ... after the password
    ]


def test_concurrent_writers_keep_one_chain(network: EmbeddedNetwork) -> None:
    """Requests served at the same time append in turns (an advisory lock on PostgreSQL,
    SQLite's single writer): no duplicate numbers, no fork in the chain."""
    import threading

    node = network.node("national")
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for i in range(15):
                with node.unit_of_work() as uow:
                    audit.record(
                        uow.session, audit.Access(f"op{n}", "t", "POST /search", (f"{i}",))
                    )
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with node.db.session() as session:
        report = audit.verify(session, node.node_id, node.check_own_signature)
    assert report.ok, report.problems
    assert report.entries >= 90


def test_the_monthly_access_report_per_operator_and_task(sqlite_network: EmbeddedNetwork) -> None:
    """000 LOG-02: accesses per operator and function in the month, refused ones and those
    that touched a 個人番号 counted; the month before and after are not included."""
    from juki.duties.audit_review import reports

    jst = dt.timezone(dt.timedelta(hours=9))
    node = sqlite_network.node(f"registry:{LG}")
    with node.db.session() as session:
        view = audit.Access("sato", "t1", "GET /residents/{resident_id}", number_touched=True)
        audit.record(session, view, at=dt.datetime(2026, 11, 1, 0, 30, tzinfo=jst))
        audit.record(session, view, at=dt.datetime(2026, 11, 30, 23, 0, tzinfo=jst))
        refused = audit.Access("sato", "t1", "GET /audit", result="refused")
        audit.record(session, refused, at=dt.datetime(2026, 11, 2, 9, 0, tzinfo=jst))
        audit.record(session, view, at=dt.datetime(2026, 12, 1, 0, 0, tzinfo=jst))
        audit.record(session, view, at=dt.datetime(2026, 10, 31, 23, 59, tzinfo=jst))
        lines = reports.monthly_access(session, dt.date(2026, 11, 1))
    assert [(x.operator, x.function, x.accesses, x.refused, x.number_touched) for x in lines] == [
        ("sato", "GET /audit", 1, 1, 0),
        ("sato", "GET /residents/{resident_id}", 2, 0, 2),
    ]


def test_a_batch_appends_one_entry_each_in_one_chain(network: EmbeddedNetwork) -> None:
    """`uow.audit` defers a transaction's accesses to one turn at commit (`record_all`):
    each access still gets its own numbered entry, chained as if appended one by one,
    interleaved safely with entries written directly."""
    fill(network, 2)
    node = network.node(f"registry:{LG}")
    with node.unit_of_work() as uow:
        for i in range(40):
            uow.audit(audit.Access("(cs)", "t", "cs.destination.receive", (f"送付先管理番号={i}",)))
        audit.record(uow.session, audit.Access("kakari", "t", "GET /residents/{id}", ("id=1",)))
    with node.db.session() as session:
        rows = session.execute(select(audit_log).order_by(audit_log.c.seq)).all()
        audit.checkpoint(session, node.node_id, node.sign)
    assert [r.seq for r in rows] == list(range(1, 44))
    assert rows[2].function == "GET /residents/{id}"  # written at once; the batch at commit
    assert [json.loads(r.targets) for r in rows[3:]] == [[f"送付先管理番号={i}"] for i in range(40)]
    report = check(network)
    assert report.ok, report.problems
    assert report.entries == 43


def test_a_batch_that_cannot_be_logged_is_not_done(
    sqlite_network: EmbeddedNetwork, caplog: pytest.LogCaptureFixture
) -> None:
    """Fail-safe holds for deferred entries: the log fails at commit, so does the work."""
    node = sqlite_network.node(f"registry:{LG}")
    tamper(sqlite_network, "ALTER TABLE audit_log RENAME TO audit_log_gone")

    def work() -> None:
        with node.unit_of_work() as uow:
            uow.session.execute(text("INSERT INTO msg_channel_in VALUES ('done-unlogged', 7)"))
            uow.audit(audit.Access("(cs)", "t", "cs.destination.receive", ("k=1",)))

    with (
        caplog.at_level(logging.CRITICAL, logger="juki.alarm"),
        pytest.raises(audit.AuditUnavailable),
    ):
        work()
    assert any("audit log unavailable" in r.getMessage() for r in caplog.records)
    with node.db.session() as session:
        senders = session.execute(text("SELECT sender FROM msg_channel_in")).scalars().all()
    assert "done-unlogged" not in senders


@pytest.mark.parametrize(
    ("sql", "finding"),
    [
        ("UPDATE audit_log SET operator = 'someone' WHERE seq = 2", "seq 2: altered"),
        ("DELETE FROM audit_log WHERE seq = 3", "seq 3: missing"),
        ("DELETE FROM audit_log WHERE seq >= 3", "checkpoint 4: the signed rows are not there"),
        ("UPDATE audit_checkpoints SET hash = 'x'", "checkpoint 4: signature does not verify"),
    ],
)
def test_tampering_with_the_cs_log_is_found(
    network: EmbeddedNetwork, sql: str, finding: str
) -> None:
    """001a USE-2-8/USE-2-10 at the CS: its own log is chained and checkpointed with the
    CS's key, and `verify` finds a change made in its database."""
    cs = network.node(f"cs:{LG}")
    with cs.db.session() as session:
        for i in range(4):
            audit.record(
                session, audit.Access("kimura.shiro", "cs-01", "POST /identity", (f"n={i}",))
            )
        assert audit.checkpoint(session, cs.node_id, cs.sign) == 4
        clean = audit.verify(session, cs.node_id, cs.check_own_signature)
        registry = network.node(f"registry:{LG}")  # another node's key does not pass it
        foreign = audit.verify(session, registry.node_id, registry.check_own_signature)
    assert clean.ok, clean.problems
    assert (clean.entries, clean.checkpoints) == (4, 1)
    assert foreign.problems == ["checkpoint 4: signature does not verify"]
    with cs.db.session() as session:
        session.execute(text(sql))
    with cs.db.session() as session:
        report = audit.verify(session, cs.node_id, cs.check_own_signature)
    assert not report.ok
    assert any(p.startswith(finding) for p in report.problems), report.problems
