"""`juki up`, `juki node serve` and what acts on the running network through its HTTP
APIs: `reconcile`, `search`, `simulate`. With no flags every command acts on the network
that `juki up` started from this directory (its address is in .juki/network.json)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import httpx
import typer
from rich.progress import Progress
from rich.table import Table

from juki.cli.common import HOME, Home, console
from juki.core.clock import japan_today
from juki.sim.simulate import Simulation

if TYPE_CHECKING:
    from juki.network.embedded import EmbeddedNetwork

node_app = typer.Typer(help="Run nodes as their own process.", no_args_is_help=True)


def _network_file(home: Path) -> Path:
    return home / "network.json"


def _client(home: Path) -> httpx.Client:
    path = _network_file(home)
    if not path.exists():
        console.print("[red]ネットワークが起動していません: run `juki up` first (make up)[/]")
        raise typer.Exit(2)
    # Deferred: juki.network loads every node package (why: juki/cli/__init__.py).
    from juki.network.accounts import local_auth

    base_url = json.loads(path.read_text())["base_url"]
    return httpx.Client(base_url=base_url, timeout=60, auth=local_auth(home))


def up(
    demo: Annotated[int, typer.Option(help="Seed a synthetic population of N residents.")] = 0,
    port: Annotated[int, typer.Option(help="Port for the network's HTTP APIs.")] = 8700,
    home: Home = HOME,
    database_url: Annotated[
        str | None, typer.Option(help="PostgreSQL server URL; SQLite files when omitted.")
    ] = None,
) -> None:
    """Start a Japan-shaped network (J-LIS, 3 prefectures, 6 municipalities) until Ctrl-C."""
    # Deferred: juki.network, and sim.population that opens it, load every node package
    # (why: juki/cli/__init__.py).
    from juki.network import housekeeping
    from juki.network.accounts import ensure_console_accounts, ensure_local_client
    from juki.network.embedded import INITIAL_POOL, EmbeddedNetwork
    from juki.network.running import serving_from_now
    from juki.network.server import network_app, run_http
    from juki.sim.population import load_population

    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
    serving_from_now(home)  # `juki keys rotate` waits for this process to end
    network = EmbeddedNetwork(home, server_url=database_url)
    network.bootstrap(pool=INITIAL_POOL + demo // len(network.municipalities()) + 1)
    if demo:
        with Progress(console=console) as progress:
            task = progress.add_task("初期導入 (住民登録)", total=demo)
            load_population(network, demo, seed=1, progress=lambda n: progress.advance(task, n))
    accounts = ensure_console_accounts(network, home / "secrets")
    ensure_local_client(list(network.nodes.values()), home)
    _checkpoint_all(network)
    # localhost, not 127.0.0.1: WebAuthn accepts a host name as relying party, never an IP.
    base_url = f"http://localhost:{port}"
    console.print(f"juki network ready in {time.perf_counter() - started:.1f} s — {base_url}/")
    _print_addresses(network, base_url, accounts)
    _network_file(home).write_text(json.dumps({"base_url": base_url}))
    network.start_dispatcher()
    anchoring = housekeeping.every(list(network.nodes.values()), network.home.pki)
    console.print("Ctrl-C で停止します (press Ctrl-C to stop)")
    try:
        run_http(
            network_app(network, console_origin=base_url),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=3,
        )
    finally:
        anchoring.set()
        _network_file(home).unlink(missing_ok=True)
        _checkpoint_all(network)
        network.close()


def _print_addresses(network: EmbeddedNetwork, base_url: str, accounts: Path) -> None:
    """Where each node's API and console are, and how to log in to the consoles."""
    for node_id in network.nodes:
        path = "/" + node_id.replace(":", "/")
        console.print(
            f"  {node_id:<17} API {base_url}{path}/docs  OpenAPI {base_url}{path}/openapi.json"
        )
    console.print(
        "窓口 (counter console): log in with a login and password from "
        + str(accounts)
        + ", then the TOTP code from `juki operator code registry:<code> <login>`"
        " (or register a passkey with the enrolment code in the same file);"
        " the CS terminal (yamada.jiro) at cs:<code>; prefecture and J-LIS staff at theirs"
        " (`juki operator code prefecture:<code> <login>`, `… national <login>`,"
        " `… card <login>`):"
    )
    for lg in network.municipalities():
        console.print(f"  registry:{lg}  {base_url}/registry/{lg}/console/")
        console.print(f"  cs:{lg}        {base_url}/cs/{lg}/console/")
    for pref in network.topology:
        console.print(f"  prefecture:{pref}    {base_url}/prefecture/{pref}/console/")
    console.print(f"  national         {base_url}/national/console/")
    console.print(f"  card             {base_url}/card/console/")
    for node_id in network.nodes:
        if node_id.startswith("intermediate:"):  # review of held answers, 副本 (NWS-5-3, 7-2)
            console.print(f"  {node_id}  {base_url}/{node_id.replace(':', '/')}/console/")
    if "portal" in network.nodes:
        console.print(
            f"マイナポータル (the holder's portal): {base_url}/portal/ — log in with a virtual"
            " card: `juki portal app-login <番号> --card holder.card`"
        )


def reconcile(
    home: Home = HOME,
    timeout: Annotated[float, typer.Option(help="Seconds to wait for the results.")] = 120,
) -> None:
    """本人確認情報整合: every CS sends its file; prefecture and national server compare."""
    client = _client(home)
    nodes = client.get("/").json()["nodes"]
    checks = {
        n: client.post(f"{v['api']}/reconcile").json()["check_id"]
        for n, v in nodes.items()
        if n.startswith("cs:")
    }
    deadline = time.monotonic() + timeout
    table = Table(title="本人確認情報整合")
    for column in ("CS", "checker", "compared", "differences"):
        table.add_column(column)
    total = 0
    for cs_node, check_id in checks.items():
        reports: list[dict[str, Any]] = []
        while time.monotonic() < deadline:
            reports = client.get(f"{nodes[cs_node]['api']}/reconcile/{check_id}").json()["reports"]
            if len(reports) >= 2:
                break
            time.sleep(0.2)
        if len(reports) < 2:
            console.print(f"[red]{cs_node}: no result in time[/]")
            raise typer.Exit(1)
        for report in reports:
            total += len(report["differences"])
            table.add_row(
                cs_node, report["checker"], str(report["compared"]), str(len(report["differences"]))
            )
    console.print(table)
    console.print(f"differences: {total}")
    if total:
        raise typer.Exit(1)


def search(
    at: Annotated[str, typer.Option(help="national, or prefecture:13 …")] = "national",
    resident_code: Annotated[str | None, typer.Option()] = None,
    kana: Annotated[str | None, typer.Option(help="ふりがな (清音化して照合)")] = None,
    kanji: Annotated[str | None, typer.Option(help="漢字氏名")] = None,
    birth_date: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    sex: Annotated[str | None, typer.Option(help="1 = 男, 2 = 女")] = None,
    address: Annotated[str | None, typer.Option()] = None,
    purpose: Annotated[str, typer.Option(help="利用目的")] = "照会",
    by_number: Annotated[
        bool, typer.Option("--by-number", help="個人番号で検索 (asked at a hidden prompt)")
    ] = False,
    home: Home = HOME,
) -> None:
    """本人確認情報検索 by 住民票コード or 4情報; with --by-number the 個人番号 is asked at a
    hidden prompt, so it never appears in a shell history or a process list."""
    number = typer.prompt("個人番号", hide_input=True) if by_number else None
    body = {
        k: v
        for k, v in {
            "resident_code": resident_code,
            "name_kana": kana,
            "name_kanji": kanji,
            "birth_date": birth_date,
            "sex": sex,
            "address": address,
            "purpose": purpose,
            "individual_number": number,
        }.items()
        if v
    }
    response = _client(home).post("/" + at.replace(":", "/") + "/search", json=body)
    if response.status_code != 200:
        console.print(response.json())
        raise typer.Exit(1)
    table = Table(title=f"検索結果 ({at})")
    for column in (
        "住民票コード",
        "氏名",
        "ふりがな",
        "生年月日",
        "性別",
        "住所",
        "異動事由",
        "異動年月日",
    ):
        table.add_column(column)
    for row in response.json():
        table.add_row(
            row["resident_code"],
            row["name_kanji"],
            row["name_kana"],
            row["birth_date"],
            row["sex"],
            row["address"],
            row["reason_label"],
            row["change_date"],
        )
    console.print(table)


def simulate(
    residents: Annotated[int, typer.Option(help="Residents to register first.")] = 1000,
    days: Annotated[int, typer.Option(help="Days of life to simulate.")] = 30,
    speed: Annotated[float, typer.Option(help="Compression of annual event rates.")] = 30.0,
    seed: Annotated[int | None, typer.Option()] = None,
    home: Home = HOME,
) -> None:
    """Births, deaths, moves and marriages through the real registry APIs. Each 届出 is
    checked by a second operator (届出点検, C-01): the seed account with that right."""
    # Deferred: juki.network loads every node package (why: juki/cli/__init__.py).
    from juki.network.accounts import NOTICE_CHECKER, local_auth

    client = _client(home)
    nodes = client.get("/").json()["nodes"]
    municipalities = [n.split(":")[1] for n in nodes if n.startswith("registry:")]
    institutions = [n.split(":")[1] for n in nodes if n.startswith("intermediate:")]
    checker = _client(home)
    checker.auth = local_auth(home, NOTICE_CHECKER)
    sim = Simulation(
        client, municipalities, seed=seed, speed=speed, checker=checker,
        institutions=institutions,
    )  # fmt: skip
    with Progress(console=console) as progress:
        task = progress.add_task("住民登録", total=residents)
        sim.populate(residents, lambda n: progress.advance(task, n))
        sim.refresh()
        task = progress.add_task("異動", total=days)
        start = japan_today() - dt.timedelta(days=days)
        for offset in range(days):
            sim.day(start + dt.timedelta(days=offset))
            if offset % 10 == 9:
                sim.refresh()
                sim.ask_about_moves()
            progress.advance(task)
        time.sleep(2)  # the last answers travel through the network
        sim.ask_about_moves()
    console.print(dict(sim.counts))


@node_app.command("serve")
def node_serve(
    nodes: Annotated[
        str, typer.Option(help="Comma-separated node ids, e.g. cs:131075,registry:131075")
    ],
    routes: Annotated[Path, typer.Option(help="JSON: node id -> https://host:port/<role>/<code>")],
    port: Annotated[int, typer.Option(help="HTTPS port (mutual TLS).")],
    name: Annotated[str | None, typer.Option(help="TLS certificate name of this process.")] = None,
    home: Home = HOME,
    database_url: Annotated[str | None, typer.Option(help="PostgreSQL server URL.")] = None,
) -> None:
    """Serve some nodes in this process over HTTPS with mutual TLS until stopped."""
    # Deferred: juki.network loads every node package (why: juki/cli/__init__.py).
    from juki.network import housekeeping
    from juki.network.accounts import ensure_local_client, ensure_seed_accounts
    from juki.network.running import serving_from_now
    from juki.network.serve import NodeProcess, load_routes
    from juki.network.server import run_http
    from juki.web.console.relying_party import configure

    logging.basicConfig(level=logging.WARNING)
    node_ids = [n.strip() for n in nodes.split(",") if n.strip()]
    tls_name = name or node_ids[0]
    serving_from_now(home)
    process = NodeProcess(home, node_ids, load_routes(routes), tls_name, database_url)
    ensure_local_client(list(process.nodes.values()), home)
    # The seed accounts, as `juki up` makes them: the local command acts for them.
    ensure_seed_accounts(list(process.nodes.values()), home / "secrets")
    hosted = list(process.nodes.values())
    housekeeping.once(hosted, process.home.pki)  # anchored and a fresh CRL from the start
    tidying = housekeeping.every(hosted, process.home.pki)
    process.thread.start()
    process.request_pools()
    console.print(f"serving {', '.join(node_ids)} on https://127.0.0.1:{port} (mutual TLS)")
    app = process.app()
    configure(app, f"https://localhost:{port}")  # the consoles' WebAuthn relying party
    try:
        run_http(
            app,
            host="127.0.0.1",
            port=port,
            log_level="warning",
            # TLS is the gate's (it records refused handshakes), so no ssl_* options here.
            http=process.tls_gate(),
            loop="asyncio",  # the gate puts asyncio's TLS protocol on the loop's transports
            # Peers keep connections alive; on SIGTERM close them after 3 s rather than
            # wait for them (the outbox makes any cut-off delivery safe to retry).
            timeout_graceful_shutdown=3,
        )
    finally:
        tidying.set()
        housekeeping.checkpoint_all(hosted)
        process.thread.stop()


def _checkpoint_all(network: EmbeddedNetwork) -> None:
    """Sign every node's audit chain head and anchor it (on start and on stop of `juki up`;
    every minute in between: `network/housekeeping.py`)."""
    from juki.network import housekeeping  # deferred (juki/cli/__init__.py)

    housekeeping.checkpoint_all(network.nodes.values())
