"""End-to-end 異動 throughput and latency on the embedded SQLite network (`juki bench chain`).

Measures registry commit → national applied for a stream of 転居 (address changes), in
batches as a busy counter would produce them, and in the same run a raw baseline: plain
batched inserts of the same rows into the same SQLite files (registry, CS, prefecture,
national). Prints a human summary and one JSON line.
"""

from __future__ import annotations

import argparse
import json
import sqlite3
import statistics
import tempfile
import time
from pathlib import Path

from sqlalchemy import func, select

from juki.national.models import NationalIdentityRow
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import moves, schemas
from juki.registry.residents import service as residents
from juki.sim.population import load_population

# The person notified and showed a driving licence (001a ACQ-2-1).
INTAKE = schemas.Intake(
    notifier=schemas.NotifierType.SELF, id_document=schemas.IdDocument.DRIVERS_LICENCE
)

BATCH = 200
TOPOLOGY = {"13": ["131075"], "11": ["112011"], "43": ["432024"]}


def national_rows(network: EmbeddedNetwork) -> int:
    with network.node("national").db.session() as session:
        return session.scalar(select(func.count()).select_from(NationalIdentityRow)) or 0


def run_chain(network: EmbeddedNetwork, events: int, batch: int) -> tuple[float, list[float]]:
    lgs = network.municipalities()
    ids = {}
    for lg in lgs:
        with network.node(f"registry:{lg}").unit_of_work() as uow:
            ids[lg] = residents.resident_ids(uow, after_id=0, limit=10**9)
    latencies: list[float] = []
    done = 0
    started = time.perf_counter()
    step = 0
    while done < events:
        lg = lgs[step % len(lgs)]
        size = min(batch, events - done)
        before = national_rows(network)
        t0 = time.perf_counter()
        with network.node(f"registry:{lg}").unit_of_work() as uow:
            batch_ids = [ids[lg][(done + i) % len(ids[lg])] for i in range(size)]
            loaded = moves.preload_residents(uow, batch_ids)
            for i in range(size):
                rid = ids[lg][(done + i) % len(ids[lg])]
                notice = schemas.MoveWithinNotice(
                    intake=INTAKE,
                    address=f"東京都墨田区業平{step}丁目{i}番",
                    change_date="2026-11-01",
                )
                moves.record_move_within(uow, rid, notice)
            del loaded
        network.pump()
        assert national_rows(network) == before + size
        latencies.append(time.perf_counter() - t0)
        done += size
        step += 1
    return time.perf_counter() - started, latencies


def run_baseline(root: Path, events: int, batch: int) -> float:
    """The same number of rows written to four SQLite files, batched, nothing else."""
    files = [root / f"raw_{tier}.db" for tier in ("registry", "cs", "prefecture", "national")]
    connections = [sqlite3.connect(f) for f in files]
    for conn in connections:
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("CREATE TABLE t (code TEXT, name TEXT, address TEXT, number BLOB, ts TEXT)")
    row = ("12345678901", "墨田\u3000花子", "東京都墨田区業平1丁目1番", b"x" * 40, "2026-11-01")
    started = time.perf_counter()
    for _ in range(0, events, batch):
        for conn in connections:
            with conn:
                conn.executemany("INSERT INTO t VALUES (?,?,?,?,?)", [row] * batch)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--population", type=int, default=6000)
    parser.add_argument("--batch", type=int, default=BATCH, help="events per registry transaction")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        network = EmbeddedNetwork(root / ".juki", topology=TOPOLOGY)
        network.bootstrap(pool=args.population // 3 + 500)
        load_started = time.perf_counter()
        load_population(network, args.population, seed=1)
        load_s = time.perf_counter() - load_started
        chain_s, latencies = run_chain(network, args.events, args.batch)
        network.close()
        raw_s = run_baseline(root, args.events, args.batch)
    per_event_ms = sorted(1000 * lat / args.batch for lat in latencies)
    result = {
        "events": args.events,
        "batch": args.batch,
        "chain_events_per_s": round(args.events / chain_s, 1),
        "raw_rows_per_s_per_tier": round(args.events / raw_s, 1),
        "ratio_to_raw": round((args.events / chain_s) / (args.events / raw_s), 4),
        "batch_latency_p50_ms": round(1000 * statistics.median(latencies), 1),
        "batch_latency_p99_ms": round(1000 * statistics.quantiles(latencies, n=100)[98], 1)
        if len(latencies) >= 2
        else None,
        "per_event_p50_ms": round(statistics.median(per_event_ms), 3),
        "initial_load_residents_per_s": round(args.population / load_s, 1),
    }
    print(
        f"chain: {result['chain_events_per_s']} events/s end to end "
        f"(registry commit → national applied), batch {args.batch}; "
        f"latency per batch p50 {result['batch_latency_p50_ms']} ms, "
        f"p99 {result['batch_latency_p99_ms']} ms"
    )
    print(
        f"raw baseline: {result['raw_rows_per_s_per_tier']} rows/s into each of 4 SQLite files; "
        f"ratio {result['ratio_to_raw']}"
    )
    print(json.dumps(result))


if __name__ == "__main__":
    main()
