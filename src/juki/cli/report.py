"""`juki report …`: reports a node produces for its periodic checks. `corrections`: the 市町村
CS's manual corrections of a period (001a ACQ-3-7; 001b C-05), as CSV on stdout; producing
it is in the node's output log (it leaves the system)."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Annotated

import typer

from juki.cli.common import HOME, Home, console, one_node
from juki.core.audit import outputs
from juki.core.errors import JukiError
from juki.core.messaging.paths import code_of

report_app = typer.Typer(help="Reports for a node's periodic checks.", no_args_is_help=True)


@report_app.command("corrections")
def corrections(
    node: Annotated[str, typer.Argument(help="a 市町村CS, e.g. cs:131075")],
    since: Annotated[str, typer.Option("--from", help="YYYY-MM-DD (Japan time)")],
    until: Annotated[str, typer.Option("--to", help="YYYY-MM-DD, exclusive")],
    operator: Annotated[str, typer.Option(help="who asks for it (a personal login)")],
    home: Home = HOME,
) -> None:
    """手作業による修正の一覧: 職権修正・職権記載・職権消除 that reached the CS."""
    # Deferred: a node package's modules load its models and more (why: juki/cli/__init__.py).
    from juki.cs import reports

    found = one_node(home, node)
    if found.role != "cs":
        console.print("[red]node: 市町村CS（cs:<コード>）を指定してください[/red]")
        raise typer.Exit(2)
    try:
        start, end = dt.date.fromisoformat(since), dt.date.fromisoformat(until)
    except ValueError:
        console.print("[red]--from/--to: YYYY-MM-DD で指定してください[/red]")
        raise typer.Exit(2) from None
    try:
        with found.unit_of_work() as uow:
            lines = reports.manual_corrections(uow.session, code_of(found.node_id), start, end)
            outputs.record_output(
                uow.session, operator=operator, terminal=socket.gethostname(),
                form=f"手作業による修正の一覧（{since}〜{until}）",
                targets=tuple(f"code={line.resident_code}" for line in lines),
                purpose="住基ネットのマニュアルに沿った処理かの定期確認",
            )  # fmt: skip
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    typer.echo(reports.corrections_csv(lines), nl=False)
