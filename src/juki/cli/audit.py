"""`juki audit …`: the nodes' tamper-evident audit logs — verify the chains, sign their
heads, review them (anomalies, the monthly report) and export records for the audit."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Annotated

import typer
from rich.table import Table

from juki.cli.common import HOME, Home, Node, audited_nodes, console, one_node
from juki.core.clock import JST, japan_today
from juki.core.errors import JukiError
from juki.duties.audit_review import anomalies, exports, reports

audit_app = typer.Typer(help="The nodes' tamper-evident audit logs.", no_args_is_help=True)


@audit_app.command("verify")
def audit_verify(
    home: Home = HOME,
    node: Annotated[str | None, typer.Option(help="One node, e.g. registry:131075.")] = None,
) -> None:
    """Walk each node's audit chain and check its signed checkpoints, in the database and
    anchored outside it (.juki/audit-anchors); exit 1 on any finding."""
    table = Table(title="監査ログの検証 (audit log)")
    for column in ("node", "entries", "checkpoints", "anchors", "result"):
        table.add_column(column)
    failed = False
    for found in audited_nodes(home, node):
        with found.db.session() as session:
            report = found.verify_audit(session)
        failed |= not report.ok
        result = "ok" if report.ok else "; ".join(report.problems[:5])
        counts = (str(report.entries), str(report.checkpoints), str(report.anchors))
        table.add_row(found.node_id, *counts, result)
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
    today = japan_today()
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
    first = dt.date.fromisoformat(f"{month}-01") if month else japan_today().replace(day=1)
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
    for found in audited_nodes(home, node):
        with found.db.session() as session:
            seq = found.checkpoint_audit(session)
        console.print(f"{found.node_id}: {'empty' if seq is None else f'signed up to {seq}'}")


@audit_app.command("export")
def audit_export(
    node: Node,
    what: Annotated[str, typer.Argument(help="log | outputs | provisions | media | linkage")],
    since: Annotated[str, typer.Option("--from", help="YYYY-MM-DD (Japan time)")],
    until: Annotated[str, typer.Option("--to", help="YYYY-MM-DD, exclusive")],
    section: Annotated[str | None, typer.Option(help="only operators of this 所属")] = None,
    home: Home = HOME,
) -> None:
    """A record as CSV on stdout, for the audit (002 REQ-AUD-06): by period and section."""
    found = one_node(home, node)
    start = dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), JST)
    end = dt.datetime.combine(dt.date.fromisoformat(until), dt.time(), JST)
    schema = importlib.import_module(f"juki.{found.role}.models").SCHEMA
    try:
        with found.db.session() as session:
            typer.echo(exports.export(session, schema, what, start, end, section), nl=False)
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
