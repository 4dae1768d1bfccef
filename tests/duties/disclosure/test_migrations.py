"""The migration that seals the disclosure tables' personal text (prefecture and national
0015, duties/disclosure/migrations.seal_disclosure_text_v1; 002 REQ-CON-03), on a tier's live
database with the node's keys: going down opens every sealed value into its clear column
(NULL stays NULL), coming back up seals them again and the desk reads the same records."""

from __future__ import annotations

from alembic import command
from fastapi.testclient import TestClient
from sqlalchemy import inspect, text

from juki.core.migrate import alembic_config
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import born, resident
from tests.duties.disclosure.test_disclosure import LG, desk
from tests.duties.disclosure.test_tables import (
    ANSWER,
    CLEAR,
    DECISION,
    GROUNDS,
    REASON,
    REQUESTED,
    REQUESTER,
    TABLES,
    TIERS,
    desk_records,
    found_in_clear,
    read_back_in_clear,
)
from tests.duties.disclosure.test_use_suspensions import second_desk

BEFORE = "0014"  # the revision before the disclosure tables were sealed


def test_the_migration_seals_existing_rows_and_the_downgrade_opens_them(
    network: EmbeddedNetwork,
) -> None:
    code = resident(network, LG, born(network)).resident_code
    for node_id, base in TIERS:
        client = desk(network, node_id)
        ids = desk_records(client, second_desk(network, node_id), node_id, base, code)
        _open_requests(client, base, ids[0])
        node = network.node(node_id)
        config = alembic_config(f"juki.{node.role}", node.db.engine)
        command.downgrade(config, BEFORE)
        assert "requester_name_cipher" not in _columns(network, node_id, "disclosures")
        with node.db.engine.connect() as connection:
            requester = connection.execute(text("SELECT requester_name FROM disclosures")).scalar()
            corrections = connection.execute(
                text("SELECT requested, reason, resolution FROM disclosure_corrections ORDER BY id")
            ).all()
            suspensions = connection.execute(
                text("SELECT grounds, decision_reason FROM use_suspensions ORDER BY id")
            ).all()
        assert requester == REQUESTER
        assert REQUESTED in corrections[0].requested
        assert [tuple(row)[1:] for row in corrections] == [(REASON, ANSWER), (REASON, None)]
        assert [tuple(row) for row in suspensions] == [(GROUNDS, DECISION), (GROUNDS, None)]
        command.upgrade(config, "head")
        assert "requester_name" not in _columns(network, node_id, "disclosures")
        with node.db.session() as session:
            read_back_in_clear(session, ids)
            for table in TABLES:
                assert not any(found_in_clear(session, table, clear) for clear in CLEAR), table


def _open_requests(client: TestClient, base: str, disclosure_id: int) -> None:
    """A correction request not yet answered and a 利用停止請求 not yet decided (NULLs)."""
    claim = {"requested": {"name_kanji": REQUESTED}, "reason": REASON}
    made = client.post(f"{base}/disclosures/{disclosure_id}/corrections", json=claim)
    assert made.status_code == 201, made.text
    asked = client.post(
        f"{base}/disclosures/{disclosure_id}/suspensions",
        json={"measure": "use_stop", "grounds": GROUNDS},
    )
    assert asked.status_code == 201, asked.text


def _columns(network: EmbeddedNetwork, node_id: str, table: str) -> set[str]:
    return {c["name"] for c in inspect(network.node(node_id).db.engine).get_columns(table)}
