"""The audit log's tail cannot be rewritten by whoever writes to the node's database
(issue #14, item 9), on SQLite and PostgreSQL.

The attack, with nothing but write access to the database: change a row, recompute the
chain after it, delete the last signed checkpoint. The database's own checkpoints then
verify (shown first: the attack works against them), but the checkpoint anchored outside
the database no longer matches, and `juki audit verify` says so. Cutting rows off the
end is found the same way.
"""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import text
from typer.testing import CliRunner

from juki.cli.app import app as cli
from juki.core.audit import log as audit
from juki.core.messaging.node import Node
from juki.network.embedded import EmbeddedNetwork, build_node

NODE = "cs:131075"


def logged(node: Node, count: int, start: int = 0) -> None:
    with node.db.session() as session:
        for i in range(start, start + count):
            access = audit.Access("yamada.jiro", "cs-01", "POST /search", (f"code={i:011d}",))
            audit.record(session, access)


def with_checkpoints(node: Node) -> int:
    """Eight entries, a checkpoint after the fifth and one after the eighth."""
    logged(node, 5)
    with node.db.session() as session:
        node.checkpoint_audit(session)
    logged(node, 3, start=5)
    with node.db.session() as session:
        last = node.checkpoint_audit(session)
    assert last is not None
    return last


def rewrite_from(node: Node, seq: int) -> None:
    """The attacker's SQL: alter row `seq`, recompute every hash from it on, and delete the
    checkpoints that would show it."""
    with node.db.engine.begin() as db:
        db.execute(text("UPDATE audit_log SET operator = 'someone' WHERE seq = :s"), {"s": seq})
        prev = db.execute(
            text("SELECT hash FROM audit_log WHERE seq = :s"), {"s": seq - 1}
        ).scalar_one()
        rows = db.execute(text("SELECT * FROM audit_log WHERE seq >= :s ORDER BY seq"), {"s": seq})
        for row in rows.mappings().all():
            access = audit.Access(
                row["operator"], row["terminal"], row["function"],
                tuple(json.loads(row["targets"])), row["purpose"], row["result"],
                bool(row["number_touched"]),
            )  # fmt: skip
            at = row["at"]  # SQLite's driver hands raw SQL the stored text
            at = dt.datetime.fromisoformat(at) if isinstance(at, str) else at
            digest = audit.entry_hash(prev, row["seq"], at, access)
            db.execute(
                text("UPDATE audit_log SET prev_hash = :p, hash = :h WHERE seq = :s"),
                {"p": prev, "h": digest, "s": row["seq"]},
            )
            prev = digest
        db.execute(text("DELETE FROM audit_checkpoints WHERE seq >= :s"), {"s": seq})


def database_only(node: Node) -> audit.Verification:
    """What verification found before the anchors: the database's checkpoints only."""
    with node.db.session() as session:
        return audit.verify(session, node.node_id, node.check_own_signature)


def anchored(node: Node) -> audit.Verification:
    with node.db.session() as session:
        return node.verify_audit(session)


def anchored_on_restart(network: EmbeddedNetwork) -> audit.Verification:
    """Verification by the node as a restart builds it (its keys and certificates read
    again), its database connections closed after."""
    reopened = build_node(network.home, NODE, network.node(NODE).db.url, migrate=False)
    try:
        return anchored(reopened)
    finally:
        reopened.db.engine.dispose()


def test_an_untouched_log_verifies_with_its_anchors(network: EmbeddedNetwork) -> None:
    node = network.node(NODE)
    with_checkpoints(node)
    report = anchored(node)
    assert report.ok, report.problems
    assert (report.checkpoints, report.anchors) == (2, 2)


def test_a_rewritten_tail_is_found_by_its_anchor(network: EmbeddedNetwork) -> None:
    node = network.node(NODE)
    last = with_checkpoints(node)
    rewrite_from(node, 7)
    assert database_only(node).ok  # the attack defeats checkpoints kept in the database
    report = anchored(node)
    assert report.problems == [f"anchor {last}: the rows up to it were rewritten"]


def test_a_cut_off_tail_is_found_by_its_anchor(network: EmbeddedNetwork) -> None:
    node = network.node(NODE)
    last = with_checkpoints(node)
    with node.db.engine.begin() as db:
        db.execute(text("DELETE FROM audit_log WHERE seq > 5"))
        db.execute(text("DELETE FROM audit_checkpoints WHERE seq > 5"))
    assert database_only(node).ok
    assert anchored(node).problems == [f"anchor {last}: the anchored rows are gone"]


def test_juki_audit_verify_reports_the_rewrite(sqlite_network: EmbeddedNetwork) -> None:
    node = sqlite_network.node(NODE)
    with_checkpoints(node)
    rewrite_from(node, 7)
    home = str(sqlite_network.home.root)
    answer = CliRunner().invoke(cli, ["audit", "verify", "--node", NODE, "--home", home])
    assert answer.exit_code == 1, answer.output
    assert "rewritten" in answer.output


def test_checkpoint_rows_planted_in_the_database_do_not_stop_the_anchoring(
    network: EmbeddedNetwork,
) -> None:
    """Found by an attack review: a head was anchored only if the database had no
    checkpoint row for it, so rows planted ahead (with any signature) stopped the anchors,
    and the tail written after them could later be rewritten unseen."""
    node = network.node(NODE)
    with_checkpoints(node)
    with node.db.engine.begin() as db:
        for seq in range(9, 20):
            db.execute(
                text("INSERT INTO audit_checkpoints (seq, hash, signature, at) "
                     "VALUES (:s, 'x', 'x', CURRENT_TIMESTAMP)"),
                {"s": seq},
            )  # fmt: skip
    logged(node, 3, start=8)
    with node.db.session() as session:
        assert node.checkpoint_audit(session) == 11
    assert node.audit_anchors is not None
    assert node.audit_anchors.last_seq() == 11  # anchored all the same
    with node.db.engine.begin() as db:
        db.execute(text("DELETE FROM audit_checkpoints WHERE seq > 8"))
    rewrite_from(node, 10)
    assert anchored(node).problems == ["anchor 11: the rows up to it were rewritten"]


def test_checkpoints_signed_before_a_renewal_still_verify(network: EmbeddedNetwork) -> None:
    """Found by an attack review: `juki up` renews a certificate within a month of its
    expiry, after which every checkpoint the old key signed failed to verify."""
    with_checkpoints(network.node(NODE))
    network.home.pki.renew(NODE)
    report = anchored_on_restart(network)
    assert report.ok, report.problems
    assert report.anchors == 2
    assert len(network.home.pki.past_node_certificates(NODE)) == 1


def test_a_key_revoked_since_no_longer_vouches_for_its_checkpoints(
    network: EmbeddedNetwork,
) -> None:
    with_checkpoints(network.node(NODE))
    directory = network.home.pki
    directory.revoke(NODE)  # the key that signed them, revoked (say, it leaked)
    directory.renew(NODE)
    problems = anchored_on_restart(network).problems
    assert "checkpoint 5: signature does not verify" in problems
    assert "anchor 8: signature does not verify" in problems
