"""`juki pki …`: the network's own certificate authority — node signing certificates
(envelope signatures) and TLS certificates (mutual TLS between node processes)."""

from __future__ import annotations

from typing import Annotated

import typer

from juki.cli.common import HOME, Home, console
from juki.core.pki import PkiDirectory

pki_app = typer.Typer(help="The network's own certificate authority.", no_args_is_help=True)


@pki_app.command("init")
def pki_init(home: Home = HOME) -> None:
    """Create the network CA (once)."""
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
    directory = PkiDirectory(home / "pki")
    if not directory.exists():
        directory.init()
    if kind == "tls":
        directory.ensure_tls(name)
        console.print(f"TLS certificate: {directory.tls_paths(name)[0]}")
    else:
        directory.ensure_node(name)
        console.print(f"node certificate: {directory.node_paths(name)[0]}")
