"""`juki backup …`: encrypted backups of the nodes' databases, each entered in the backup
register (duties/backup.py); restored only into a new database."""

from __future__ import annotations

import datetime as dt
import socket
from pathlib import Path
from typing import Annotated

import typer
from rich.table import Table

from juki.cli.common import HOME, Home, Node, Operator, audited_nodes, console, network_home
from juki.core.clock import japan_today
from juki.core.errors import JukiError
from juki.duties import backup

backup_app = typer.Typer(help="Encrypted backups of the nodes' databases.", no_args_is_help=True)


@backup_app.command("create")
def backup_create(
    operator: Operator,
    node: Annotated[str | None, typer.Option(help="One node; every node when omitted")] = None,
    keep_days: Annotated[int, typer.Option(help="days until the backup is erased")] = 30,
    home: Home = HOME,
) -> None:
    """Back up (encrypted with the node's backup key) and enter it in the backup register."""
    keys = network_home(home)
    table = Table(title="バックアップ (backups)")
    for column in ("node", "file", "bytes", "keep until"):
        table.add_column(column)
    for found in audited_nodes(home, node):
        try:
            done = backup.create(
                found, keys.backup_key_for(found.node_id), keys.backup_dir(found.node_id),
                keep_days=keep_days, operator=operator, terminal=socket.gethostname(),
            )  # fmt: skip
        except JukiError as refused:
            console.print(f"[red]{found.node_id}: {refused.field}: {refused.message}[/red]")
            raise typer.Exit(1) from None
        table.add_row(found.node_id, done.path.name, str(done.size), str(done.keep_until))
    console.print(table)


@backup_app.command("purge")
def backup_purge(
    operator: Operator,
    at: Annotated[str, typer.Option(help="YYYY-MM-DD (default today): for drills")] = "",
    home: Home = HOME,
) -> None:
    """Erase every backup past its keep-until day, closing its register entry."""
    day = dt.date.fromisoformat(at) if at else japan_today()
    keys = network_home(home)
    for found in audited_nodes(home, None):
        erased = backup.purge(
            found, keys.backup_dir(found.node_id), day, operator=operator,
            terminal=socket.gethostname(),
        )  # fmt: skip
        for name in erased:
            console.print(f"{found.node_id}: 消去 {name}")


@backup_app.command("restore")
def backup_restore(
    node: Node,
    file: Annotated[str, typer.Argument(help="the .jbak file")],
    to: Annotated[str, typer.Option(help="a new SQLite file, or an empty PostgreSQL URL")],
    home: Home = HOME,
) -> None:
    """Restore a backup into a new database (never over the running node's)."""
    key = network_home(home).backup_key_for(node)
    try:
        if to.startswith("postgresql"):
            backup.restore_postgres(node, key, Path(file), to)
        else:
            backup.restore_sqlite(node, key, Path(file), Path(to))
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"復元しました: {to}")
