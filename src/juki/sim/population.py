"""初期導入: bulk-load a synthetic population through the same tiers (`juki up --demo N`)."""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor

from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import arrivals, schemas
from juki.sim.people import make_people

BATCH = 500


def _batches(municipalities: list[str], count: int) -> list[tuple[str, int]]:
    shares = [count // len(municipalities)] * len(municipalities)
    for i in range(count % len(municipalities)):
        shares[i] += 1
    return [
        (lg, min(BATCH, share - start))
        for lg, share in zip(municipalities, shares, strict=True)
        for start in range(0, share, BATCH)
    ]


def load_population(
    network: EmbeddedNetwork,
    count: int,
    *,
    seed: int | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Register `count` residents spread over the municipalities, as births on record.

    Each batch is one transaction at the registry; the chain carries it as batched
    envelopes (one signature per batch per hop). The synthetic people are made in a worker
    process, a batch ahead, so that the second core does that while this one runs the chain.
    """
    plan = _batches(network.municipalities(), count)
    context = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(max_workers=1, mp_context=context) as workers:
        futures = [
            workers.submit(make_people, lg, size, None if seed is None else seed + number)
            for number, (lg, size) in enumerate(plan)
        ]
        for (lg, _size), future in zip(plan, futures, strict=True):
            notices = [
                schemas.BirthNotice(**person, change_date=person["birth_date"])
                for person in future.result()
            ]
            with network.node(f"registry:{lg}").unit_of_work() as uow:
                arrivals.record_births(uow, notices)
            network.pump()
            if progress:
                progress(len(notices))
