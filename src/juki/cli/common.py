"""What every `juki` sub-command shares: the console, the network's home directory, the
arguments many commands take, and opening the nodes of the network `juki up` started
from it."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console

if TYPE_CHECKING:
    from juki.network.embedded import NetworkHome

console = Console()

HOME = Path(".juki")
Home = Annotated[Path, typer.Option(help="Where keys, databases and state live.")]
Node = Annotated[str, typer.Argument(help="e.g. registry:131075")]
Operator = Annotated[str, typer.Option(help="who records it (a personal login)")]


def network_home(home: Path) -> NetworkHome:
    """The home directory's keys and paths, without opening any node."""
    # Deferred: juki.network loads every node package (why: juki/cli/__init__.py).
    from juki.network.embedded import NetworkHome

    return NetworkHome(home)


def audited_nodes(home: Path, node: str | None) -> list[Any]:
    # Deferred: juki.network loads every node package (why: juki/cli/__init__.py).
    from juki.network.embedded import EmbeddedNetwork

    network = EmbeddedNetwork(home)
    if node is not None and node not in network.nodes:
        console.print(f"[red]no node {node}[/red]")
        raise typer.Exit(2)
    return [network.nodes[node]] if node else list(network.nodes.values())


def one_node(home: Path, node: str) -> Any:
    (found,) = audited_nodes(home, node)
    return found
