"""`juki ledger …`: the registers (台帳) a node keeps beside its files — inquiries,
incidents, disks, registered media and their virus checks, self-inspection, training,
postal receipts, backups (duties/ledgers)."""

from __future__ import annotations

import datetime as dt
import json
import socket
from typing import Annotated

import typer
from rich.table import Table

from juki.cli.common import HOME, Home, Node, Operator, console, one_node
from juki.core.clock import japan_today
from juki.core.errors import InvalidInput, JukiError
from juki.duties.ledgers import service
from juki.duties.ledgers.kinds import KINDS
from juki.duties.ledgers.service import Entry
from juki.pia import catalogue

ledger_app = typer.Typer(help="Registers (台帳) a node keeps.", no_args_is_help=True)

Fields = Annotated[str, typer.Option("--json", help="the entry's fields as a JSON object")]


def _fields(text: str) -> dict[str, object]:
    try:
        fields = json.loads(text)
    except json.JSONDecodeError:
        console.print("[red]--json: JSON object ではありません[/red]")
        raise typer.Exit(2) from None
    if not isinstance(fields, dict):
        console.print("[red]--json: JSON object ではありません[/red]")
        raise typer.Exit(2)
    return fields


@ledger_app.command("kinds")
def ledger_kinds() -> None:
    """The kinds of register and what each records."""
    table = Table(title="台帳の種類 (registers)")
    for column in ("kind", "name", "fields", "closed with"):
        table.add_column(column)
    for kind in KINDS.values():
        closing = ", ".join(kind.closing.model_fields) if kind.closing else "-"
        table.add_row(kind.code, kind.name, ", ".join(kind.schema.model_fields), closing)
    console.print(table)


@ledger_app.command("add")
def ledger_add(
    node: Node,
    kind: Annotated[str, typer.Argument(help="see `juki ledger kinds`")],
    fields: Fields,
    operator: Operator,
    subject: Annotated[str, typer.Option(help="a line for lists (no personal data)")] = "",
    home: Home = HOME,
) -> None:
    """Record an entry."""
    found = one_node(home, node)
    values = _fields(fields)
    try:
        if kind == "self_inspection":
            _check_checklist(found.role, values)
        with found.unit_of_work() as uow:
            entry = service.add(
                uow.session, kind, values, actor=operator, terminal=socket.gethostname(),
                subject=subject,
            )  # fmt: skip
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    due = f" (期限 {entry.due_on})" if entry.due_on else ""
    console.print(f"記録しました: {entry.id}{due}")


@ledger_app.command("close")
def ledger_close(
    node: Node, entry_id: int, fields: Fields, operator: Operator, home: Home = HOME
) -> None:
    """Close an open entry (an answered inquiry, a resolved incident, …)."""
    found = one_node(home, node)
    try:
        with found.unit_of_work() as uow:
            service.close(
                uow.session, entry_id, _fields(fields), actor=operator,
                terminal=socket.gethostname(),
            )  # fmt: skip
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"完結しました: {entry_id}")


@ledger_app.command("list")
def ledger_list(
    node: Node,
    kind: Annotated[str, typer.Argument(help="see `juki ledger kinds`")],
    open_only: Annotated[bool, typer.Option("--open", help="only entries not closed")] = False,
    as_csv: Annotated[bool, typer.Option("--csv", help="CSV on stdout (for the audit)")] = False,
    home: Home = HOME,
) -> None:
    """The entries of one register."""
    found = one_node(home, node)
    try:
        with found.db.session() as session:
            entries = service.entries(session, kind, status="open" if open_only else None)
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    if as_csv:
        typer.echo(service.to_csv(entries), nl=False)
        return
    _print(f"{kind} ({node})", entries)


@ledger_app.command("overdue")
def ledger_overdue(
    node: Node,
    on: Annotated[str, typer.Option(help="YYYY-MM-DD; today when omitted")] = "",
    home: Home = HOME,
) -> None:
    """Open entries past their 処理期限 (inquiries, postal receipts, incidents)."""
    day = dt.date.fromisoformat(on) if on else japan_today()
    found = one_node(home, node)
    with found.db.session() as session:
        late = service.overdue(session, day)
    _print(f"期限を過ぎた未完結の記録 {day} ({node})", late)
    if late:
        raise typer.Exit(1)


@ledger_app.command("checklist")
def ledger_checklist(node: Node, home: Home = HOME) -> None:
    """The self-inspection checklist of the node's assessment, as the JSON template that
    `juki ledger add <node> self_inspection --json …` takes."""
    found = one_node(home, node)
    items = catalogue.load().for_role(found.role)
    template = {
        "fiscal_year": japan_today().year,
        "answers": {requirement.id: "適" for requirement in items},
        "findings": "",
    }
    typer.echo(json.dumps(template, ensure_ascii=False, indent=1))


def _check_checklist(role: str, values: dict[str, object]) -> None:
    """Answers name requirements of this node's assessment, and every one is answered."""
    wanted = {requirement.id for requirement in catalogue.load().for_role(role)}
    answers = values.get("answers")
    given = set(answers) if isinstance(answers, dict) else set()
    if given - wanted:
        raise InvalidInput(
            f"この評価書にない項目です: {sorted(given - wanted)[:5]}", field="answers"
        )
    if wanted - given:
        raise InvalidInput(f"未回答の項目があります: {len(wanted - given)} 件", field="answers")


def _print(title: str, entries: list[Entry]) -> None:
    table = Table(title=title)
    for column in ("no", "register", "recorded", "by", "subject", "due", "status"):
        table.add_column(column)
    for entry in entries:
        table.add_row(
            str(entry.id), KINDS[entry.kind].name, f"{entry.recorded_at:%Y-%m-%d %H:%M}",
            entry.recorded_by, entry.subject, str(entry.due_on or ""),
            "完結" if entry.status == "closed" else "未完結",
        )  # fmt: skip
    console.print(table)
