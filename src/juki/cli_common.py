"""What every `juki` sub-command shares: the console, the network's home directory, and
opening the nodes of the network `juki up` started from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

console = Console()

HOME = Path(".juki")
Home = Annotated[Path, typer.Option(help="Where keys, databases and state live.")]


def audited_nodes(home: Path, node: str | None) -> list[Any]:
    from juki.network.embedded import EmbeddedNetwork

    network = EmbeddedNetwork(home)
    if node is not None and node not in network.nodes:
        console.print(f"[red]no node {node}[/red]")
        raise typer.Exit(2)
    return [network.nodes[node]] if node else list(network.nodes.values())


def one_node(home: Path, node: str) -> Any:
    (found,) = audited_nodes(home, node)
    return found
