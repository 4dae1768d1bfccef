"""初期導入: bulk-load a synthetic population through the same tiers (`juki up --demo N`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from juki.network.embedded import EmbeddedNetwork
from juki.registry import schemas
from juki.registry import service as registry_service
from juki.sim.people import PersonFactory

BATCH = 500


def load_population(
    network: EmbeddedNetwork,
    count: int,
    *,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Register `count` residents spread over the municipalities, as births on record.

    Each batch is one transaction at the registry; the chain carries it as batched
    envelopes (one signature per batch per hop).
    """
    factory = PersonFactory(seed)
    municipalities = network.municipalities()
    per_lg = [count // len(municipalities)] * len(municipalities)
    for i in range(count % len(municipalities)):
        per_lg[i] += 1
    for lg, target in zip(municipalities, per_lg, strict=True):
        node = network.node(f"registry:{lg}")
        done = 0
        while done < target:
            size = min(BATCH, target - done)
            notices = []
            for _ in range(size):
                person = factory.person(lg)
                born = dt.date.fromisoformat(person["birth_date"])
                notices.append(schemas.BirthNotice(**person, change_date=born))
            with node.unit_of_work() as uow:
                registry_service.record_births(uow, notices)
            done += size
            network.pump()
            if progress:
                progress(size)
