"""`juki pki …`: the network's own certificate authority — node signing certificates
(envelope signatures) and TLS certificates (mutual TLS between node processes)."""

from __future__ import annotations

from typing import Annotated

import typer

from juki.cli.common import HOME, Home, console
from juki.core.errors import JukiError
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


Kind = Annotated[str, typer.Option(help="node (envelope signing) or tls")]


@pki_app.command("revoke")
def pki_revoke(
    name: str,
    kind: Kind = "node",
    reason: Annotated[
        str,
        typer.Option(help="RFC 5280 reason: key_compromise, superseded, cessation_of_operation"),
    ] = "key_compromise",
    home: Home = HOME,
) -> None:
    """Put a certificate on the CA's revocation list: every node refuses it from its next
    envelope (TLS from each process's next start)."""
    directory = PkiDirectory(home / "pki")
    if reason not in ("key_compromise", "superseded", "cessation_of_operation", "unspecified"):
        console.print(f"[red]reason: {reason}[/red]")
        raise typer.Exit(2)
    try:
        serial = directory.revoke(name, kind, reason)
    except JukiError as refused:
        console.print(f"[red]{refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"revoked {name} (serial {serial:x}) — {directory.crl_path}")


@pki_app.command("renew")
def pki_renew(name: str, kind: Kind = "node", home: Home = HOME) -> None:
    """A new key and certificate (a year) for a node or a TLS name; a running process uses
    it from its next start. Revoke the old one with `juki pki revoke` if its key leaked."""
    directory = PkiDirectory(home / "pki")
    paths = directory.node_paths(name) if kind == "node" else directory.tls_paths(name)
    if not paths[0].exists():
        console.print(f"[red]証明書がありません: {name}[/red]")
        raise typer.Exit(1)
    cert = directory.renew(name, kind)
    console.print(f"renewed {name}: valid until {cert.not_valid_after_utc:%Y-%m-%d}")
