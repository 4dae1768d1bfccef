"""Events reach the CS in the order they happened, across a restart of the registry's
process (the outbox is in the registry's database) and of the CS (its inbox keeps the
last applied sequence): after restarting, delivery resumes where it stopped."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import select

from juki.core.clock import japan_today
from juki.cs.models import CsIdentityRow
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import ResidentEvent
from juki.registry.notices import moves, schemas
from tests.conftest import PG_URL, SMALL_TOPOLOGY, born
from tests.e2e.test_chain import reconcile_differences
from tests.registry.helpers import INTAKE

LG = "131075"


def reopen(root: Path, prefix: str, backend: str) -> EmbeddedNetwork:
    return EmbeddedNetwork(
        root,
        topology=SMALL_TOPOLOGY,
        server_url=PG_URL if backend == "postgresql" else None,
        db_prefix=prefix,
    )


def test_order_survives_restarts(tmp_path: Path, network: EmbeddedNetwork) -> None:
    backend = "postgresql" if network.node("national").db.dialect == "postgresql" else "sqlite"
    prefix = network.db_prefix
    people = [born(network, LG, name_kanji=f"墨田　{n}") for n in ("一", "二", "三")]
    for round_ in range(10):  # 30 changes, recorded while nothing is delivered
        for rid in people:
            with network.node(f"registry:{LG}").unit_of_work() as uow:
                notice = schemas.MoveWithinNotice(
                    intake=INTAKE,
                    change_date=japan_today(),
                    address=f"東京都墨田区押上一丁目{round_ + 1}番{rid}号",
                )
                moves.record_move_within(uow, rid, notice)
    root = network.home.root
    network.close()  # the registry (and everyone) stops with 30 envelopes' worth unsent

    restarted = reopen(root, prefix, backend)
    restarted.dispatcher.deliver(restarted.node(f"registry:{LG}"))  # the registry sends
    restarted.close()  # ... and now the CS stops before sending anything on

    again = reopen(root, prefix, backend)
    again.pump()
    with again.node(f"registry:{LG}").db.session() as session:
        registry_order = list(
            session.scalars(select(ResidentEvent.update_id).order_by(ResidentEvent.id))
        )
        statuses = set(session.scalars(select(ResidentEvent.status)))
    with again.node(f"cs:{LG}").db.session() as session:
        cs_order = list(session.scalars(select(CsIdentityRow.update_id).order_by(CsIdentityRow.id)))
    assert statuses == {"applied"}
    assert [u for u in cs_order if u in set(registry_order)] == registry_order
    assert reconcile_differences(again) == 0
    again.close()
