"""`juki registry …`: a municipality's settings of its register. `notice-check`: whether a
届出 waits for a second person's check before it is registered (届出点検, 001b C-01)."""

from __future__ import annotations

import socket
from typing import Annotated

import typer
from rich.table import Table

from juki.cli.common import HOME, Home, console, one_node
from juki.core.audit import log as audit
from juki.core.errors import JukiError
from juki.duties.operators.accounts import Actor, NotAdministrator

registry_app = typer.Typer(help="A municipality's register settings.", no_args_is_help=True)


@registry_app.command("notice-check")
def notice_check(
    node: Annotated[str, typer.Argument(help="a registry, e.g. registry:131075")],
    set_to: Annotated[str | None, typer.Option("--set", help="on | off")] = None,
    reason: Annotated[str, typer.Option(help="why the setting changes (with --set)")] = "",
    operator: Annotated[
        str, typer.Option(help="the account administrator's personal login (with --set)")
    ] = "",
    home: Home = HOME,
) -> None:
    """届出点検: whether 届出 wait for a second operator's check (on unless changed), and
    the setting's history. With --set an account administrator changes it, giving a
    reason; the change is in the audit log."""
    # Deferred: a node package's modules load its models and more (why: juki/cli/__init__.py).
    from juki.registry.notice_checks import service as notice_checks

    found = one_node(home, node)
    if found.role != "registry":
        console.print("[red]node: 既存住基（registry:<コード>）を指定してください[/red]")
        raise typer.Exit(2)
    if set_to not in (None, "on", "off"):
        console.print("[red]--set: on か off を指定してください[/red]")
        raise typer.Exit(2)
    try:
        with found.unit_of_work() as uow:
            if set_to is not None:
                actor = Actor(operator.strip().lower(), socket.gethostname()[:40])
                notice_checks.change_setting(
                    uow, required=set_to == "on", actor=actor, reason=reason
                )
                uow.session.flush()
            required = notice_checks.required(uow)
            history = notice_checks.settings(uow)
    except JukiError as refused:
        if isinstance(refused, NotAdministrator):  # its transaction rolled back: log it again
            with found.unit_of_work() as uow:
                audit.record(uow.session, refused.access)
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{node}: 届出点検 {'要（入力者以外が点検）' if required else '不要'}")
    table = Table(title="設定の履歴")
    for column in ("changed at (UTC)", "required", "by", "terminal", "reason"):
        table.add_column(column)
    for row in history:
        table.add_row(
            f"{row.changed_at:%Y-%m-%d %H:%M}", "on" if row.required else "off",
            row.changed_by, row.terminal_id, row.reason,
        )  # fmt: skip
    console.print(table)
