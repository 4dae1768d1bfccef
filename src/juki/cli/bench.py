"""`juki bench …`: run the benchmark scripts of the source tree's bench/ directory."""

from __future__ import annotations

import runpy
import sys
from pathlib import Path
from typing import Annotated

import typer

bench_app = typer.Typer(help="Benchmarks (bench/).", no_args_is_help=True)

# src/juki/cli/bench.py -> the checkout's bench/ (the scripts are not in the wheel).
BENCH = Path(__file__).resolve().parents[3] / "bench"


@bench_app.command("chain")
def bench_chain(
    events: Annotated[int, typer.Option(help="Events to push through the chain.")] = 20000,
    population: Annotated[int, typer.Option(help="Residents loaded first.")] = 6000,
    batch: Annotated[int, typer.Option(help="Events per registry transaction.")] = 200,
) -> None:
    """End-to-end 異動 throughput and latency, beside a raw SQLite baseline (bench/chain.py)."""
    script = BENCH / "chain.py"
    sys.argv = [
        str(script),
        "--events",
        str(events),
        "--population",
        str(population),
        "--batch",
        str(batch),
    ]
    runpy.run_path(str(script), run_name="__main__")


@bench_app.command("register")
def bench_register(
    residents: Annotated[int, typer.Option(help="Residents in the municipality.")] = 1_000_000,
    queries: Annotated[int, typer.Option(help="Searches timed.")] = 1000,
    database_url: Annotated[
        str | None,
        typer.Option(help="PostgreSQL database URL; a temporary SQLite file if omitted."),
    ] = None,
) -> None:
    """Counter search (kana + 生年月日) over a large register beside raw SQL, and PDF
    rendering time (bench/register.py)."""
    script = BENCH / "register.py"
    sys.argv = [str(script), "--residents", str(residents), "--queries", str(queries)]
    if database_url:
        sys.argv += ["--database-url", database_url]
    runpy.run_path(str(script), run_name="__main__")


@bench_app.command("card")
def bench_card(
    authentications: Annotated[int, typer.Option(help="Authentications timed.")] = 300,
) -> None:
    """Card authentications per second end to end (APDU signature, verification, OCSP),
    beside raw RSA and OCSP signing in the same run (bench/card.py)."""
    script = BENCH / "card.py"
    sys.argv = [str(script), "--authentications", str(authentications)]
    runpy.run_path(str(script), run_name="__main__")


@bench_app.command("exchange")
def bench_exchange(
    queries: Annotated[int, typer.Option(help="Queries timed.")] = 400,
    people: Annotated[int, typer.Option(help="Persons asked about (set up, not timed).")] = 100,
    batch: Annotated[int, typer.Option(help="Queries per unit of work.")] = 20,
) -> None:
    """Brokered queries per second on the information-provision network, end to end,
    beside the raw cryptography (Ed25519 per hop, HPKE) in the same run (bench/exchange.py)."""
    script = BENCH / "exchange.py"
    sys.argv = [str(script), "--queries", str(queries), "--people", str(people),
                "--batch", str(batch)]  # fmt: skip
    runpy.run_path(str(script), run_name="__main__")
