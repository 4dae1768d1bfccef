"""`juki operator …`: operators' personal accounts and their rights — the first
administrator of a node, enrolment codes, and the reports on who may do what."""

from __future__ import annotations

import datetime as dt
import socket
from typing import Annotated

import typer
from rich.table import Table
from sqlalchemy import select

from juki.cli.common import HOME, Home, console, one_node
from juki.core.audit import log as audit
from juki.core.clock import japan_today
from juki.core.errors import JukiError
from juki.duties.operators import accounts, reports, rights, second_factor
from juki.duties.operators.tables import Operator

operator_app = typer.Typer(
    help="Operators: personal accounts and their rights.", no_args_is_help=True
)


@operator_app.command("code")
def operator_code(
    node: Annotated[str, typer.Argument(help="e.g. registry:131075")],
    login: Annotated[str, typer.Argument(help="the operator's login")],
    home: Home = HOME,
) -> None:
    """The current TOTP code of an operator with a TOTP grant — for this local network's
    own accounts only; real operators read it from their authenticator app."""
    found = one_node(home, node)
    try:
        with found.db.session() as session:
            console.print(second_factor.current_code(session, found.keys, login))
    except JukiError as refused:
        console.print(f"[red]{refused.message}[/red]")
        raise typer.Exit(1) from None


@operator_app.command("bootstrap")
def operator_bootstrap(
    node: Annotated[str, typer.Argument(help="e.g. prefecture:13")],
    login: Annotated[str, typer.Option(help="the administrator's personal login")],
    name: Annotated[str, typer.Option(help="the administrator's name (氏名)")],
    employee_no: Annotated[str, typer.Option(help="職員番号")],
    home: Home = HOME,
) -> None:
    """The first administrator of a node (account administration and audit review), when
    it has none yet: created by the installer (`accounts.SETUP`), the one actor besides an
    administrator that `create_operator` accepts. Asks for the password; prints the
    one-time enrolment code. Every later account is created by an administrator."""
    found = one_node(home, node)
    password = typer.prompt("初期パスワード (12+)", hide_input=True, confirmation_prompt=True)
    try:
        with found.db.session() as session:  # commits at the end of the block
            if session.scalars(select(Operator.id).limit(1)).first() is not None:
                console.print("[red]この node には既に利用者がいます: use the console[/red]")
                raise typer.Exit(1)
            operator, code = accounts.create_operator(
                session, accounts.SETUP, login=login, person_name=name,
                employee_no=employee_no, password=password,
            )  # fmt: skip
            rights.grant_at_setup(session, operator, "account_admin", "update")
            rights.grant_at_setup(session, operator, "audit_review", "read")
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{login}: 登録コード {code} (24 h)")


@operator_app.command("enrolment")
def operator_enrolment(
    node: Annotated[str, typer.Argument(help="e.g. prefecture:13")],
    login: Annotated[str, typer.Argument(help="the operator who gets a new code")],
    admin: Annotated[str, typer.Option(help="the account administrator's personal login")],
    home: Home = HOME,
) -> None:
    """A new one-time enrolment code (24 h) for an operator's authenticator — a lost
    device, a new one — issued by an account administrator of that node, never for their
    own ID (the service checks; 000 AUTH-01/02). The issue, or its refusal, is in the
    node's audit log with this host as the terminal."""
    found = one_node(home, node)
    actor = accounts.Actor(admin.strip().lower(), socket.gethostname()[:40])
    try:
        with found.unit_of_work() as uow:
            code = accounts.issue_enrolment(uow.session, actor, login.strip().lower())
    except JukiError as refused:
        if isinstance(refused, accounts.NotAdministrator):  # rolled back with the step
            with found.unit_of_work() as uow:
                audit.record(uow.session, refused.access)
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"{login}: 登録コード {code} (24 h、本人に手渡し)")


@operator_app.command("users")
def operator_users(
    node: Annotated[str, typer.Argument(help="e.g. registry:131075")],
    home: Home = HOME,
) -> None:
    """The user list (semi-annual reconciliation, 000 ACL-05) as CSV on stdout."""
    found = one_node(home, node)
    with found.db.session() as session:
        typer.echo(reports.user_list_csv(session), nl=False)


@operator_app.command("privileged")
def operator_privileged(
    node: Annotated[str, typer.Argument(help="e.g. registry:131075")],
    month: Annotated[str, typer.Option(help="YYYY-MM; this month when omitted")] = "",
    home: Home = HOME,
) -> None:
    """The monthly privileged-activity report (000 ACL-04)."""
    first = dt.date.fromisoformat(f"{month}-01") if month else japan_today().replace(day=1)
    found = one_node(home, node)
    table = Table(title=f"特権操作の報告 {first:%Y-%m} ({node})")
    for column in ("at (JST)", "operator", "terminal", "function", "targets", "result"):
        table.add_column(column)
    with found.db.session() as session:
        for line in reports.privileged_activity(session, first):
            table.add_row(
                f"{line.at:%Y-%m-%d %H:%M}", line.operator, line.terminal, line.function,
                " ".join(line.targets), line.result,
            )  # fmt: skip
    console.print(table)
