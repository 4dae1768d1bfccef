"""Backups (000 BCK-01; 002 REQ-BAK-01, REQ-CON-04): a consistent copy, encrypted with the
node's backup key (nothing readable in the file), in the backup register with its SHA-256,
restorable with the key only, and erased with an erasure entry once its period ends."""

from __future__ import annotations

import datetime as dt
import hashlib
import sqlite3
from pathlib import Path

import pytest
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session

from juki.core.audit import log as audit
from juki.core.errors import InvalidInput
from juki.duties import backup
from juki.duties.ledgers import service as ledgers
from juki.network.embedded import EmbeddedNetwork, postgres_database
from juki.registry.models import Resident
from tests.conftest import born, resident

NODE = "registry:131075"


def residents(url: str) -> int:
    engine = create_engine(url.replace("postgresql://", "postgresql+psycopg://"))
    with engine.connect() as connection:
        found = int(connection.execute(text("SELECT count(*) FROM residents")).scalar_one())
    engine.dispose()
    return found


def test_a_backup_is_sealed_registered_and_restorable(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    code = resident(network, "131075", born(network)).resident_code
    node = network.node(NODE)
    key, directory = network.home.backup_key_for(NODE), network.home.backup_dir(NODE)
    done = backup.create(node, key, directory, keep_days=30, operator="ito.jiro", terminal="t")
    sealed = done.path.read_bytes()
    assert code.encode() not in sealed
    assert "墨田".encode() not in sealed
    with node.db.session() as session:
        (entry,) = ledgers.entries(session, "backup")
        kept = int(session.scalar(select(func.count()).select_from(Resident)) or 0)
    assert entry.fields["sha256"] == hashlib.sha256(sealed).hexdigest()
    assert entry.status == "open"
    if network.server_url is None:
        target = tmp_path / "restored.db"
        backup.restore_sqlite(NODE, key, done.path, target)
        with sqlite3.connect(target) as restored:
            assert restored.execute("SELECT count(*) FROM residents").fetchone()[0] == kept
    else:
        url = postgres_database(network.server_url, f"{network.db_prefix}_restored")
        backup.restore_postgres(NODE, key, done.path, url)
        assert residents(url) == kept
    other = network.home.backup_key_for("prefecture:13")
    with pytest.raises(InvalidInput) as refused:
        backup.open_backup(NODE, other, done.path)  # another node's key opens nothing
    assert refused.value.field == "file"
    renamed = done.path.with_name("registry-131075-other.jbak")
    renamed.write_bytes(sealed)
    with pytest.raises(InvalidInput):
        backup.open_backup(NODE, key, renamed)  # bound to its own name


def test_expired_backups_are_erased_with_an_erasure_entry(
    sqlite_network: EmbeddedNetwork,
) -> None:
    node = sqlite_network.node(NODE)
    key, directory = sqlite_network.home.backup_key_for(NODE), sqlite_network.home.backup_dir(NODE)
    done = backup.create(node, key, directory, keep_days=7, operator="ito.jiro", terminal="t")
    assert backup.purge(node, directory, done.keep_until, operator="ito.jiro", terminal="t") == []
    assert done.path.exists()
    later = done.keep_until + dt.timedelta(days=1)
    erased = backup.purge(node, directory, later, operator="ito.jiro", terminal="t")
    assert erased == [done.path.name]
    assert not done.path.exists()
    with node.db.session() as session:
        (entry,) = ledgers.entries(session, "backup")
    assert entry.status == "closed"
    assert entry.closing == {"reason": "保存期間満了による消去"}
    with pytest.raises(InvalidInput) as refused:
        backup.create(node, key, directory, keep_days=0, operator="x", terminal="t")
    assert refused.value.field == "keep_days"


def test_the_cs_audit_log_is_backed_up_locked_and_verifies_when_restored(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """001a USE-2-10: the CS's log is in its backup, which is sealed with the CS's backup
    key and readable by its owner only (kept locked); restored, the log verifies against
    the CS's key, and a change to the restored copy is found."""
    cs_id = "cs:131075"
    cs = network.node(cs_id)
    with cs.db.session() as session:
        for i in range(3):
            access = audit.Access("kimura.shiro", "cs-01", "POST /identity", (f"code={i}",))
            audit.record(session, access)
        audit.checkpoint(session, cs.node_id, cs.sign)
        logged = len(audit.entries(session, 10_000))
    key, directory = network.home.backup_key_for(cs_id), network.home.backup_dir(cs_id)
    done = backup.create(cs, key, directory, keep_days=365, operator="ito.jiro", terminal="t")
    assert done.path.stat().st_mode & 0o777 == 0o600
    assert b"kimura.shiro" not in done.path.read_bytes()
    if network.server_url is None:
        target = tmp_path / "cs-restored.db"
        backup.restore_sqlite(cs_id, key, done.path, target)
        url = f"sqlite:///{target}"
    else:
        url = postgres_database(network.server_url, f"{network.db_prefix}_cs_restored")
        backup.restore_postgres(cs_id, key, done.path, url)
        url = url.replace("postgresql://", "postgresql+psycopg://")
    engine = create_engine(url)
    try:
        with Session(engine) as session:
            report = audit.verify(session, cs.node_id, cs.check_own_signature)
            assert report.ok, report.problems
            assert (report.entries, report.checkpoints) == (logged, 1)
            session.execute(text("UPDATE audit_log SET operator = 'someone' WHERE seq = 2"))
            altered = audit.verify(session, cs.node_id, cs.check_own_signature)
            session.rollback()
    finally:
        engine.dispose()
    assert altered.problems == ["seq 2: altered"]
