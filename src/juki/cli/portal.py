"""`juki portal app-login`: the holder's app (マイナポータルアプリ) beside a running network.
The browser at /portal/ shows a log-in number; this reads it, has the virtual card sign the
portal's challenge after the 利用者証明用 PIN (asked, not echoed; it goes to the card only),
and presents the certificate and signature. The browser then follows the log-in."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import typer

from juki.cli.common import HOME, Home, console

portal_app = typer.Typer(help="マイナポータル: the holder's app.", no_args_is_help=True)
Pin = Annotated[str, typer.Option(prompt="利用者証明用の暗証番号", hide_input=True,
                                  envvar="JUKI_CARD_PIN")]  # fmt: skip


@portal_app.command("app-login")
def app_login(
    number: Annotated[str, typer.Argument(help="ブラウザに表示されたログイン番号")],
    card: Annotated[Path, typer.Option(help="仮想カードのファイル")],
    pin: Pin,
    home: Home = HOME,
) -> None:
    """Log the browser showing NUMBER in with the card."""
    network_file = home / "network.json"
    if not network_file.exists():
        console.print("[red]ネットワークが起動していません: run `juki up` first (make up)[/]")
        raise typer.Exit(2)
    # Deferred: these load every node package (why: juki/cli/__init__.py).
    import httpx

    from juki.holder.apdu import CardSession
    from juki.holder.virtual_card import VirtualCard
    from juki.portal_app.client import PortalApp, PortalRefused
    from juki.reader.commands import CardError

    base_url = json.loads(network_file.read_text())["base_url"]
    try:
        with httpx.Client(base_url=base_url, timeout=30) as http:
            view = PortalApp(http).log_in(number, CardSession(VirtualCard.load(card)).transmit, pin)
    except (PortalRefused, CardError) as refused:
        console.print(f"[red]{getattr(refused, 'message', refused)}[/red]")
        raise typer.Exit(2) from None
    if view["status"] == "refused":
        console.print(f"[red]{view.get('refused') or 'ログインできませんでした'}[/red]")
        raise typer.Exit(1)
    console.print("カードを確認しています。ブラウザの画面をご覧ください。")
