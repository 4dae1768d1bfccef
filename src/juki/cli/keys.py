"""`juki keys …`: a node's field keys (AES-256-GCM for personal data at rest) — rotation."""

from __future__ import annotations

import importlib

import typer
from rich.table import Table

from juki.cli.common import HOME, Home, Node, console, network_home, one_node
from juki.core.key_rotation import reseal
from juki.core.messaging.paths import role_of
from juki.core.sealed import attach_field_keys

keys_app = typer.Typer(help="A node's keys for personal data at rest.", no_args_is_help=True)


@keys_app.command("rotate")
def keys_rotate(node: Node, home: Home = HOME) -> None:
    """A new field key for NODE, and every value sealed under an older one sealed again
    under it. Run it with the network stopped (a running node knows only the keys it
    started with). Safe to run again after an interruption."""
    from juki.network.running import is_running  # deferred (juki/cli/__init__.py)

    if is_running(home):
        console.print(
            "[red]ネットワークが起動中です: stop `juki up` / `juki node serve` first[/red]"
        )
        raise typer.Exit(2)
    found = one_node(home, node)
    rotated = network_home(home).rotate_keys(node)
    found.keys = rotated
    attach_field_keys(found.db.engine, rotated)
    schema = importlib.import_module(f"juki.{role_of(node)}.models").SCHEMA
    report = reseal(found.db.engine, schema, rotated)
    table = Table(title=f"{node}: 鍵の更新 (key version {rotated.version})")
    for column in ("column", "sealed again"):
        table.add_column(column)
    for name, count in sorted(report.resealed.items()):
        table.add_row(name, str(count))
    console.print(table)
    console.print(f"{report.total} values sealed again; {report.current} already current")
