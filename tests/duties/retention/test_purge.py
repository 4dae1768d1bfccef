"""Retention on a moved clock: each file's rule erases exactly what has expired, keeps the
rest, records what it erased (消去履歴) and writes the run to the audit log; File 1 (the
generator's) and the audit log are never erased."""

from __future__ import annotations

import datetime as dt
import importlib
import json

from sqlalchemy import MetaData, func, select

from juki.core.audit import log as audit
from juki.core.clock import japan_today
from juki.core.migrate import tables_of
from juki.duties.retention import engine
from juki.duties.retention.tables import retention_purges
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import moves, schemas
from juki.registry.residents import service as residents
from tests.conftest import born, record, resident
from tests.registry.helpers import INTAKE

LG = "131075"
NOW = dt.datetime.now(dt.UTC)


def schema_of(node_id: str) -> tuple[MetaData, ...]:
    """Every table of the node's database: its role's own and the shared ones."""
    role = node_id.split(":")[0]
    schema: tuple[MetaData, ...] = importlib.import_module(f"juki.{role}.models").SCHEMA
    return schema


def run_purge(network: EmbeddedNetwork, node_id: str, years: float) -> dict[str, engine.Purge]:
    node = network.node(node_id)
    at = NOW + dt.timedelta(days=365.25 * years)
    with node.unit_of_work() as uow:
        done = engine.purge(uow.session, node.role, schema_of(node_id), at)
    return {p.rule: p for p in done}


def rows_of(network: EmbeddedNetwork, node_id: str, table: str, code: str) -> int:
    node = network.node(node_id)
    identity = tables_of(schema_of(node_id))[table]
    with node.db.session() as session:
        query = select(func.count()).where(identity.c.resident_code == code)
        return int(session.scalar(query) or 0)


def moved(network: EmbeddedNetwork, rid: int) -> None:
    notice = schemas.MoveWithinNotice(
        intake=INTAKE, change_date=japan_today(), address="東京都墨田区押上一丁目1番1号"
    )
    record(network, LG, moves.record_move_within, rid, notice)


def test_history_is_erased_after_its_period_and_not_before(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    moved(network, rid)
    assert rows_of(network, "national", "identity_file", code) == 2  # current + history
    assert run_purge(network, "national", 4.9)["本人確認情報の履歴（修正前の情報）"].erased == 0
    done = run_purge(network, "national", 5.1)["本人確認情報の履歴（修正前の情報）"]
    assert (done.erased, done.keys) == (1, [code])
    assert rows_of(network, "national", "identity_file", code) == 1  # the current row stays
    # The prefecture keeps history 150 years.
    assert run_purge(network, "prefecture:13", 6)["本人確認情報の履歴"].erased == 0
    assert run_purge(network, "prefecture:13", 151)["本人確認情報の履歴"].erased == 1
    with network.node("national").db.session() as session:
        purges = session.execute(select(retention_purges)).all()
        last = audit.entries(session, 1)[0]
    assert any(json.loads(p.keys) == [code] for p in purges)  # 消去履歴
    assert (last.function, last.operator) == ("retention.purge", "(retention)")


def test_removed_persons_and_the_register_s_joshohyo(network: EmbeddedNetwork) -> None:
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    death = schemas.DeathNotice(change_date=japan_today())
    record(network, LG, moves.record_death, rid, death)
    assert run_purge(network, "national", 4)["消除者の本人確認情報"].erased == 0
    assert run_purge(network, "national", 6)["消除者の本人確認情報"].keys == [code]
    assert rows_of(network, "national", "identity_file", code) == 0
    assert rows_of(network, "prefecture:13", "identity_file", code) > 0  # 150 years there
    # The register's 除票: 150 years from removal, with the rows that name it.
    assert run_purge(network, "registry:131075", 149)["除票（消除された住民票）"].erased == 0
    done = run_purge(network, "registry:131075", 151)["除票（消除された住民票）"]
    assert done.keys == [str(rid)]
    assert done.erased >= 3  # the 住民票, its history rows, its events
    with network.node(f"registry:{LG}").db.session() as session:
        tables = tables_of(schema_of("registry"))
        assert session.scalar(select(func.count()).select_from(tables["residents"])) == 0
        left = select(func.count()).where(tables["resident_history"].c.resident_id == rid)
        assert session.scalar(left) == 0


def test_the_cs_keeps_history_and_removed_persons_150_years(network: EmbeddedNetwork) -> None:
    """001b C-16, 001a §4.2.5: the CS's File 2 keeps superseded rows and removed persons 150
    years (not 149), then the purge job erases them and records it."""
    cs = f"cs:{LG}"
    rid = born(network)
    code = resident(network, LG, rid).resident_code
    moved(network, rid)
    death = schemas.DeathNotice(change_date=japan_today())
    record(network, LG, moves.record_death, rid, death)
    rows = rows_of(network, cs, "identity_file", code)
    assert rows >= 2  # current (removed) + history
    kept = run_purge(network, cs, 149)
    assert kept["本人確認情報の履歴"].erased == kept["消除者の本人確認情報"].erased == 0
    assert rows_of(network, cs, "identity_file", code) == rows
    done = run_purge(network, cs, 151)
    assert done["本人確認情報の履歴"].erased + done["消除者の本人確認情報"].erased == rows
    assert rows_of(network, cs, "identity_file", code) == 0
    with network.node(cs).db.session() as session:
        purges = session.execute(select(retention_purges)).all()
    assert any(code in json.loads(p.keys) for p in purges)  # 消去履歴


def test_the_number_file_and_the_audit_log_are_never_erased(network: EmbeddedNetwork) -> None:
    born(network)
    numbering = tables_of(schema_of("numbering"))["individual_number_file"]
    with network.node("numbering").db.session() as session:
        before = session.scalar(select(func.count()).select_from(numbering))
    assert before
    assert run_purge(network, "numbering", 500) == {}
    with network.node("numbering").db.session() as session:
        assert session.scalar(select(func.count()).select_from(numbering)) == before
    never = {r.table for r in engine.rules() if r.never}
    # and, until their erasure is built with the 副本 (issue #16), what links a person on
    # the information-provision network: the codes J-LIS gave it (Appendix C 7), the
    # network's 符号 links, the 統合宛名 and the 中間サーバー's 符号, and マイナポータル's
    # holders (by its 符号: leaving the portal is not built); and the network's register of
    # institutions (nothing personal).
    linkage = {
        "fugo_notified_codes", "infonet_fugo_links", "atena_persons", "intermediate_fugo",
        "portal_holders", "infonet_institutions", "atena_system_links",
        "infonet_permit_lists_sent",
    }  # fmt: skip
    assert never == {"individual_number_file", "audit_log"} | linkage


def test_the_audit_log_outlives_every_node_s_purge(network: EmbeddedNetwork) -> None:
    """500 years on, at every node: each node's audit log still holds every entry it had,
    unchanged (the chain verifies), and the purge's own entry after them (issue #14: the
    rule was checked on one node's flag only)."""
    born(network)
    for node_id, node in network.nodes.items():
        with node.db.session() as session:
            audit.record(session, audit.Access("kensa.ichiro", "t-01", "GET /residents/{id}"))
        with node.db.session() as session:
            had = [row.hash for row in reversed(audit.entries(session, 10_000))]
        assert had, node_id  # each node has logged something (so the check can fail)
        run_purge(network, node_id, 500)
        with node.db.session() as session:
            kept = [row.hash for row in reversed(audit.entries(session, 10_000))]
            report = audit.verify(session, node_id, node.check_own_signature)
        assert kept[: len(had)] == had, node_id
        assert len(kept) > len(had), node_id  # the purge run is logged too
        assert report.ok, (node_id, report.problems)


def test_every_rule_names_a_file_of_its_role() -> None:
    for rule in engine.rules():
        if rule.role == "*":
            continue
        tables = tables_of(schema_of(rule.role))
        assert rule.table in tables, rule
        if not rule.never and rule.select != "superseded":
            assert rule.clock in tables[rule.table].c, rule
        assert rule.source


def test_a_period_is_years_and_days_and_short_files_say_so() -> None:
    now = dt.datetime(2028, 2, 29, 12, tzinfo=dt.UTC)
    short = engine.Rule(role="cs", name="x", table="t", source="s", days=30, select="stamped")
    assert engine.cutoff_of(short, now) == now - dt.timedelta(days=30)
    assert (short.period_ja, short.period_en) == ("30日", "30 days")
    long = engine.Rule(role="cs", name="y", table="t", source="s", years=5)
    assert engine.cutoff_of(long, now) == dt.datetime(2023, 2, 28, 12, tzinfo=dt.UTC)
    assert long.period_ja == "5年"
    for rule in engine.rules():  # every rule has a period, or says it is never erased
        assert rule.never or rule.years or rule.days, rule


def test_a_dead_person_s_number_stays_in_file_one_after_every_purge(
    network: EmbeddedNetwork,
) -> None:
    """000 DEAD-01: death is no condition for erasing File 1. The person dies, every node's
    purge job runs 500 years on, and the generator still holds the number and its ledger
    entry, while the other tiers have erased the removed person's record."""
    rid = born(network)
    person = resident(network, LG, rid)
    code = person.resident_code
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        number = residents.number_of(uow, residents.get_resident(uow, rid))
    death = schemas.DeathNotice(change_date=japan_today())
    record(network, LG, moves.record_death, rid, death)
    assert rows_of(network, "national", "identity_file", code) > 0
    for node_id in list(network.nodes):
        run_purge(network, node_id, 500)
    assert rows_of(network, "national", "identity_file", code) == 0  # the clock did move
    numbering = network.node("numbering")
    tables = tables_of(schema_of("numbering"))
    file_one, ledger = tables["individual_number_file"], tables["generated_numbers"]
    index = numbering.keys.blind_index(number, column="individual_number")
    with numbering.db.session() as session:
        kept = session.execute(
            select(file_one.c.individual_number_cipher, file_one.c.is_latest).where(
                file_one.c.resident_code == code
            )
        ).all()
        in_ledger = session.scalar(
            select(func.count()).where(ledger.c.individual_number_index == index)
        )
    assert [
        (numbering.keys.decrypt(cipher, column="individual_number"), bool(latest))
        for cipher, latest in kept
    ] == [(number, True)]
    assert in_ledger == 1
