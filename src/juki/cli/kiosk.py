"""`juki kiosk terminal`: a convenience store's kiosk (キオスク端末) beside a running
network (`juki up`), serving its Japanese screen on this machine. It calls J-LIS's
証明書交付センター as the local command's client (the `kiosk_terminal` right); the holder's
PIN goes only to the card on its reader."""

from __future__ import annotations

import json
from typing import Annotated

import typer

from juki.cli.common import HOME, Home, console

kiosk_app = typer.Typer(help="コンビニ交付: a kiosk terminal.", no_args_is_help=True)


@kiosk_app.command()
def terminal(
    home: Home = HOME,
    port: Annotated[int, typer.Option(help="この端末の画面のポート")] = 8610,
) -> None:
    """Serve a kiosk's screen on http://127.0.0.1:PORT/ until interrupted."""
    network_file = home / "network.json"
    if not network_file.exists():
        console.print("[red]ネットワークが起動していません: run `juki up` first (make up)[/]")
        raise typer.Exit(2)
    # Deferred: these load every node package (why: juki/cli/__init__.py).
    import httpx
    import uvicorn

    from juki.kiosk_terminal.app import terminal_app
    from juki.network.accounts import local_auth

    base_url = json.loads(network_file.read_text())["base_url"]
    http = httpx.Client(base_url=base_url, timeout=60, auth=local_auth(home))
    console.print(f"キオスク端末: http://127.0.0.1:{port}/ （センター: {base_url}）")
    uvicorn.run(terminal_app(http), host="127.0.0.1", port=port, log_level="warning")
