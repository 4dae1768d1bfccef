"""The `juki` command. With no flags every command acts on the network that `juki up`
started from this directory (its address is in .juki/network.json)."""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from pathlib import Path
from typing import Annotated, Any

import httpx
import typer
from rich.progress import Progress
from rich.table import Table

from juki.cli_common import HOME, Home, audited_nodes, console, one_node

app = typer.Typer(help="juki: Japan's resident registry network, runnable.", no_args_is_help=True)
pki_app = typer.Typer(help="The network's own certificate authority.", no_args_is_help=True)
bench_app = typer.Typer(help="Benchmarks (bench/).", no_args_is_help=True)
app.add_typer(pki_app, name="pki")
node_app_cli = typer.Typer(help="Run nodes as their own process.", no_args_is_help=True)
app.add_typer(bench_app, name="bench")
app.add_typer(node_app_cli, name="node")
audit_app = typer.Typer(help="The nodes' tamper-evident audit logs.", no_args_is_help=True)
app.add_typer(audit_app, name="audit")


def _network_file(home: Path) -> Path:
    return home / "network.json"


def _client(home: Path) -> httpx.Client:
    path = _network_file(home)
    if not path.exists():
        console.print("[red]ネットワークが起動していません: run `juki up` first (make up)[/]")
        raise typer.Exit(2)
    from juki.network.accounts import local_auth

    base_url = json.loads(path.read_text())["base_url"]
    return httpx.Client(base_url=base_url, timeout=60, auth=local_auth(home))


@app.command()
def up(
    demo: Annotated[int, typer.Option(help="Seed a synthetic population of N residents.")] = 0,
    port: Annotated[int, typer.Option(help="Port for the network's HTTP APIs.")] = 8700,
    home: Home = HOME,
    database_url: Annotated[
        str | None, typer.Option(help="PostgreSQL server URL; SQLite files when omitted.")
    ] = None,
) -> None:
    """Start a Japan-shaped network (J-LIS, 3 prefectures, 6 municipalities) until Ctrl-C."""
    import uvicorn

    from juki.network.accounts import ensure_console_accounts, ensure_local_client
    from juki.network.embedded import INITIAL_POOL, EmbeddedNetwork
    from juki.network.server import network_app
    from juki.sim.population import load_population

    logging.basicConfig(level=logging.WARNING)
    started = time.perf_counter()
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
    _network_file(home).write_text(json.dumps({"base_url": base_url}))
    network.start_dispatcher()
    console.print("Ctrl-C で停止します (press Ctrl-C to stop)")
    try:
        uvicorn.run(
            network_app(network),
            host="127.0.0.1",
            port=port,
            log_level="warning",
            timeout_graceful_shutdown=3,
        )
    finally:
        _network_file(home).unlink(missing_ok=True)
        _checkpoint_all(network)
        network.close()


@app.command()
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


@app.command()
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


@app.command()
def simulate(
    residents: Annotated[int, typer.Option(help="Residents to register first.")] = 1000,
    days: Annotated[int, typer.Option(help="Days of life to simulate.")] = 30,
    speed: Annotated[float, typer.Option(help="Compression of annual event rates.")] = 30.0,
    seed: Annotated[int | None, typer.Option()] = None,
    home: Home = HOME,
) -> None:
    """Births, deaths, moves and marriages through the real registry APIs. Each 届出 is
    checked by a second operator (届出点検, C-01): the seed account with that right."""
    from juki.network.accounts import NOTICE_CHECKER, local_auth
    from juki.sim.simulate import Simulation

    client = _client(home)
    municipalities = [
        n.split(":")[1] for n in client.get("/").json()["nodes"] if n.startswith("registry:")
    ]
    checker = _client(home)
    checker.auth = local_auth(home, NOTICE_CHECKER)
    sim = Simulation(client, municipalities, seed=seed, speed=speed, checker=checker)
    with Progress(console=console) as progress:
        task = progress.add_task("住民登録", total=residents)
        sim.populate(residents, lambda n: progress.advance(task, n))
        sim.refresh()
        task = progress.add_task("異動", total=days)
        start = dt.date.today() - dt.timedelta(days=days)
        for offset in range(days):
            sim.day(start + dt.timedelta(days=offset))
            if offset % 10 == 9:
                sim.refresh()
            progress.advance(task)
    console.print(dict(sim.counts))


@node_app_cli.command("serve")
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
    import uvicorn

    from juki.network.accounts import ensure_local_client
    from juki.network.serve import NodeProcess, load_routes

    logging.basicConfig(level=logging.WARNING)
    node_ids = [n.strip() for n in nodes.split(",") if n.strip()]
    tls_name = name or node_ids[0]
    process = NodeProcess(home, node_ids, load_routes(routes), tls_name, database_url)
    ensure_local_client(list(process.nodes.values()), home)
    process.thread.start()
    process.request_pools()
    console.print(f"serving {', '.join(node_ids)} on https://127.0.0.1:{port} (mutual TLS)")
    try:
        uvicorn.run(
            process.app(),
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
        process.thread.stop()


@pki_app.command("init")
def pki_init(home: Home = HOME) -> None:
    """Create the network CA (once)."""
    from juki.core.pki import PkiDirectory

    directory = PkiDirectory(home / "pki")
    if directory.exists():
        console.print(f"CA already at {directory.ca_cert_path}")
        return
    directory.init()
    console.print(f"CA created at {directory.ca_cert_path}")


@pki_app.command("issue")
def pki_issue(
    name: str,
    kind: Annotated[str, typer.Option(help="node (envelope signing) or tls")] = "node",
    home: Home = HOME,
) -> None:
    """Issue a node signing certificate (e.g. cs:131075) or a TLS certificate."""
    from juki.core.pki import PkiDirectory

    directory = PkiDirectory(home / "pki")
    if not directory.exists():
        directory.init()
    if kind == "tls":
        directory.ensure_tls(name)
        console.print(f"TLS certificate: {directory.tls_paths(name)[0]}")
    else:
        directory.ensure_node(name)
        console.print(f"node certificate: {directory.node_paths(name)[0]}")


def _checkpoint_all(network: Any) -> None:
    """Sign every node's audit chain head (on start and on stop of `juki up`)."""
    from juki.core.audit import log as audit

    for node in network.nodes.values():
        with node.db.session() as session:
            audit.checkpoint(session, node.node_id, node.sign)


@audit_app.command("verify")
def audit_verify(
    home: Home = HOME,
    node: Annotated[str | None, typer.Option(help="One node, e.g. registry:131075.")] = None,
) -> None:
    """Walk each node's audit chain and check its signed checkpoints; exit 1 on any finding."""
    from juki.core.audit import log as audit

    table = Table(title="監査ログの検証 (audit log)")
    for column in ("node", "entries", "checkpoints", "result"):
        table.add_column(column)
    failed = False
    for found in audited_nodes(home, node):
        with found.db.session() as session:
            report = audit.verify(session, found.node_id, found.check_own_signature)
        failed |= not report.ok
        result = "ok" if report.ok else "; ".join(report.problems[:5])
        table.add_row(found.node_id, str(report.entries), str(report.checkpoints), result)
    console.print(table)
    if failed:
        raise typer.Exit(1)


@audit_app.command("anomalies")
def audit_anomalies(
    home: Home = HOME,
    node: Annotated[str | None, typer.Option(help="One node, e.g. registry:131075.")] = None,
    days: Annotated[int, typer.Option(help="How many days back.")] = 30,
) -> None:
    """Night and closed-day access, failed log-ins, many searches (standard spec 10.2)."""
    from juki.duties.audit_review import anomalies

    today = dt.date.today()
    table = Table(title="監査ログの異常検知 (anomalies)")
    for column in ("node", "kind", "operator", "day (JST)", "count", "first seq"):
        table.add_column(column)
    for found in audited_nodes(home, node):
        with found.db.session() as session:
            for f in anomalies.report(session, today - dt.timedelta(days=days), today):
                table.add_row(
                    found.node_id, f.kind, f.operator, str(f.day), str(f.count), str(f.first_seq)
                )
    console.print(table)


@audit_app.command("monthly")
def audit_monthly(
    home: Home = HOME,
    node: Annotated[str | None, typer.Option(help="One node, e.g. registry:131075.")] = None,
    month: Annotated[str, typer.Option(help="YYYY-MM; this month when omitted")] = "",
) -> None:
    """The monthly access report per operator and function (000 LOG-02)."""
    from juki.duties.audit_review import reports

    first = dt.date.fromisoformat(f"{month}-01") if month else dt.date.today().replace(day=1)
    table = Table(title=f"月次アクセス報告 {first:%Y-%m}")
    for column in ("node", "operator", "function", "accesses", "refused", "個人番号"):
        table.add_column(column)
    for found in audited_nodes(home, node):
        with found.db.session() as session:
            for line in reports.monthly_access(session, first):
                table.add_row(
                    found.node_id, line.operator, line.function, str(line.accesses),
                    str(line.refused), str(line.number_touched),
                )  # fmt: skip
    console.print(table)


@audit_app.command("checkpoint")
def audit_checkpoint(
    home: Home = HOME,
    node: Annotated[str | None, typer.Option(help="One node, e.g. registry:131075.")] = None,
) -> None:
    """Sign the head of each node's audit chain (run it regularly, e.g. from cron)."""
    from juki.core.audit import log as audit

    for found in audited_nodes(home, node):
        with found.db.session() as session:
            seq = audit.checkpoint(session, found.node_id, found.sign)
        console.print(f"{found.node_id}: {'empty' if seq is None else f'signed up to {seq}'}")


operator_app = typer.Typer(
    help="Operators: personal accounts and their rights.", no_args_is_help=True
)
app.add_typer(operator_app, name="operator")


@operator_app.command("code")
def operator_code(
    node: Annotated[str, typer.Argument(help="e.g. registry:131075")],
    login: Annotated[str, typer.Argument(help="the operator's login")],
    home: Home = HOME,
) -> None:
    """The current TOTP code of an operator with a TOTP grant — for this local network's
    own accounts only; real operators read it from their authenticator app."""
    from juki.core.errors import JukiError
    from juki.duties.operators import second_factor

    found = one_node(home, node)
    try:
        with found.db.session() as session:
            console.print(second_factor.current_code(session, found.keys, login))
    except JukiError as refused:
        console.print(f"[red]{refused.message}[/red]")
        raise typer.Exit(1) from None


@operator_app.command("bootstrap")
def operator_bootstrap(
    node: Annotated[str, typer.Argument(help="e.g. prefecture:13")],
    login: Annotated[str, typer.Option(help="the administrator's personal login")],
    name: Annotated[str, typer.Option(help="the administrator's name (氏名)")],
    employee_no: Annotated[str, typer.Option(help="職員番号")],
    home: Home = HOME,
) -> None:
    """The first administrator of a node (account administration and audit review), when
    it has none yet: created by the installer (`accounts.SETUP`), the one actor besides an
    administrator that `create_operator` accepts. Asks for the password; prints the
    one-time enrolment code. Every later account is created by an administrator."""
    from sqlalchemy import select

    from juki.core.errors import JukiError
    from juki.duties.operators import accounts, rights
    from juki.duties.operators.tables import Operator

    found = one_node(home, node)
    password = typer.prompt("初期パスワード (12+)", hide_input=True, confirmation_prompt=True)
    try:
        with found.db.session() as session:  # commits at the end of the block
            if session.scalars(select(Operator.id).limit(1)).first() is not None:
                console.print("[red]この node には既に利用者がいます: use the console[/red]")
                raise typer.Exit(1)
            operator, code = accounts.create_operator(
                session, accounts.SETUP, login=login, person_name=name,
                employee_no=employee_no, password=password,
            )  # fmt: skip
            rights.grant_at_setup(session, operator, "account_admin", "update")
            rights.grant_at_setup(session, operator, "audit_review", "read")
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{login}: 登録コード {code} (24 h)")


@operator_app.command("enrolment")
def operator_enrolment(
    node: Annotated[str, typer.Argument(help="e.g. prefecture:13")],
    login: Annotated[str, typer.Argument(help="the operator who gets a new code")],
    admin: Annotated[str, typer.Option(help="the account administrator's personal login")],
    home: Home = HOME,
) -> None:
    """A new one-time enrolment code (24 h) for an operator's authenticator — a lost
    device, a new one — issued by an account administrator of that node, never for their
    own ID (the service checks; 000 AUTH-01/02). The issue, or its refusal, is in the
    node's audit log with this host as the terminal."""
    import socket

    from juki.core.audit import log as audit
    from juki.core.errors import JukiError
    from juki.duties.operators import accounts

    found = one_node(home, node)
    actor = accounts.Actor(admin.strip().lower(), socket.gethostname()[:40])
    try:
        with found.unit_of_work() as uow:
            code = accounts.issue_enrolment(uow.session, actor, login.strip().lower())
    except JukiError as refused:
        if isinstance(refused, accounts.NotAdministrator):  # rolled back with the step
            with found.unit_of_work() as uow:
                audit.record(uow.session, refused.access)
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{login}: 登録コード {code} (24 h、本人に手渡し)")


@operator_app.command("users")
def operator_users(
    node: Annotated[str, typer.Argument(help="e.g. registry:131075")],
    home: Home = HOME,
) -> None:
    """The user list (semi-annual reconciliation, 000 ACL-05) as CSV on stdout."""
    from juki.duties.operators import reports

    found = one_node(home, node)
    with found.db.session() as session:
        typer.echo(reports.user_list_csv(session), nl=False)


@operator_app.command("privileged")
def operator_privileged(
    node: Annotated[str, typer.Argument(help="e.g. registry:131075")],
    month: Annotated[str, typer.Option(help="YYYY-MM; this month when omitted")] = "",
    home: Home = HOME,
) -> None:
    """The monthly privileged-activity report (000 ACL-04)."""
    from juki.duties.operators import reports

    first = dt.date.fromisoformat(f"{month}-01") if month else dt.date.today().replace(day=1)
    found = one_node(home, node)
    table = Table(title=f"特権操作の報告 {first:%Y-%m} ({node})")
    for column in ("at (JST)", "operator", "terminal", "function", "targets", "result"):
        table.add_column(column)
    with found.db.session() as session:
        for line in reports.privileged_activity(session, first):
            table.add_row(
                f"{line.at:%Y-%m-%d %H:%M}", line.operator, line.terminal, line.function,
                " ".join(line.targets), line.result,
            )  # fmt: skip
    console.print(table)


@app.command()
def pia(
    node: Annotated[str, typer.Argument(help="The node to assess, e.g. prefecture:13")],
    home: Home = HOME,
    out: Annotated[Path, typer.Option(help="Directory for pia-<node>.md and .html")] = Path("pia"),
) -> None:
    """Write a node's privacy impact assessment (特定個人情報保護評価書) from the code, the
    configuration and the running node: files, flows, requirements with their enforcing
    tests, live evidence. Markdown and HTML."""
    from juki.pia import catalogue, render
    from juki.pia.report import collect

    found = one_node(home, node)
    report = collect(found, catalogue.load())
    out.mkdir(parents=True, exist_ok=True)
    stem = out / f"pia-{node.replace(':', '-')}"
    text = render.to_markdown(report)
    stem.with_suffix(".md").write_text(text, encoding="utf-8")
    stem.with_suffix(".html").write_text(render.to_html(report, text), encoding="utf-8")
    console.print(
        f"{stem}.md / .html — of {len(report.requirements)} requirements: "
        f"{report.counted('enforced')} enforced, {report.counted('partial')} partly, "
        f"{report.counted('platform')} by the platform, {report.unmapped} 未対応; "
        f"{len(report.not_built)} on components not built"
    )


retention_app = typer.Typer(help="Retention: rules and the purge job.", no_args_is_help=True)
app.add_typer(retention_app, name="retention")


@retention_app.command("rules")
def retention_rules() -> None:
    """Each file's retention rule (rules.toml), with its legal source."""
    from juki.duties.retention import engine

    table = Table(title="保存期間 (retention rules)")
    for column in ("role", "file", "table", "kept", "source"):
        table.add_column(column)
    for rule in engine.rules():
        kept = "never erased" if rule.never else f"{rule.period_en} ({rule.select})"
        table.add_row(rule.role, rule.name, rule.table, kept, rule.source)
    console.print(table)


@retention_app.command("purge")
def retention_purge(
    home: Home = HOME,
    node: Annotated[str | None, typer.Option(help="One node, e.g. national.")] = None,
    at: Annotated[
        str | None, typer.Option(help="The clock, YYYY-MM-DD (default now): for drills only.")
    ] = None,
) -> None:
    """Erase what is past its retention on every node (or one), recording what was erased."""
    import importlib

    from juki.duties.retention import engine

    moment = (
        dt.datetime.combine(dt.date.fromisoformat(at), dt.time(12), dt.UTC)
        if at
        else dt.datetime.now(dt.UTC)
    )
    table = Table(title=f"消去 (purge) at {moment:%Y-%m-%d}")
    for column in ("node", "rule", "cutoff", "erased"):
        table.add_column(column)
    for found in audited_nodes(home, node):
        schema = importlib.import_module(f"juki.{found.role}.models").SCHEMA
        with found.unit_of_work() as uow:
            for done in engine.purge(uow.session, found.role, schema, moment):
                table.add_row(found.node_id, done.rule, done.cutoff[:10], str(done.erased))
    console.print(table)


@bench_app.command("chain")
def bench_chain(
    events: Annotated[int, typer.Option(help="Events to push through the chain.")] = 20000,
    population: Annotated[int, typer.Option(help="Residents loaded first.")] = 6000,
    batch: Annotated[int, typer.Option(help="Events per registry transaction.")] = 200,
) -> None:
    """End-to-end 異動 throughput and latency, beside a raw SQLite baseline (bench/chain.py)."""
    import runpy
    import sys

    script = Path(__file__).resolve().parents[2] / "bench" / "chain.py"
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
    import runpy
    import sys

    script = Path(__file__).resolve().parents[2] / "bench" / "register.py"
    sys.argv = [str(script), "--residents", str(residents), "--queries", str(queries)]
    if database_url:
        sys.argv += ["--database-url", database_url]
    runpy.run_path(str(script), run_name="__main__")


if __name__ == "__main__":
    app()


def _sub_commands() -> None:
    from juki.cli_registers import audit_export, backup_app, ledger_app
    from juki.cli_registry import registry_app
    from juki.cli_reports import report_app

    app.add_typer(ledger_app, name="ledger")
    app.add_typer(backup_app, name="backup")
    app.add_typer(report_app, name="report")
    app.add_typer(registry_app, name="registry")
    audit_app.command("export")(audit_export)


_sub_commands()
