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

from juki.cli_common import HOME, Home, console, one_node
from juki.duties.ledgers.service import Entry

ledger_app = typer.Typer(help="Registers (台帳) a node keeps.", no_args_is_help=True)

Node = Annotated[str, typer.Argument(help="e.g. registry:131075")]
Operator = Annotated[str, typer.Option(help="who records it (a personal login)")]
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
    from juki.duties.ledgers.kinds import KINDS

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
    from juki.core.errors import JukiError
    from juki.duties.ledgers import service

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
    from juki.core.errors import JukiError
    from juki.duties.ledgers import service

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
    from juki.core.errors import JukiError
    from juki.duties.ledgers import service

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
    from juki.duties.ledgers import service

    day = dt.date.fromisoformat(on) if on else dt.date.today()
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
    from juki.pia import catalogue

    found = one_node(home, node)
    items = catalogue.load().for_role(found.role)
    template = {
        "fiscal_year": dt.date.today().year,
        "answers": {requirement.id: "適" for requirement in items},
        "findings": "",
    }
    typer.echo(json.dumps(template, ensure_ascii=False, indent=1))


def _check_checklist(role: str, values: dict[str, object]) -> None:
    """Answers name requirements of this node's assessment, and every one is answered."""
    from juki.core.errors import InvalidInput
    from juki.pia import catalogue

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
    from juki.duties.ledgers.kinds import KINDS

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


def audit_export(
    node: Node,
    what: Annotated[str, typer.Argument(help="log | outputs | provisions | media | linkage")],
    since: Annotated[str, typer.Option("--from", help="YYYY-MM-DD (Japan time)")],
    until: Annotated[str, typer.Option("--to", help="YYYY-MM-DD, exclusive")],
    section: Annotated[str | None, typer.Option(help="only operators of this 所属")] = None,
    home: Home = HOME,
) -> None:
    """A record as CSV on stdout, for the audit (002 REQ-AUD-06): by period and section."""
    import importlib

    from juki.core.clock import JST
    from juki.core.errors import JukiError
    from juki.duties.audit_review import exports

    found = one_node(home, node)
    start = dt.datetime.combine(dt.date.fromisoformat(since), dt.time(), JST)
    end = dt.datetime.combine(dt.date.fromisoformat(until), dt.time(), JST)
    schema = importlib.import_module(f"juki.{found.role}.models").SCHEMA
    try:
        with found.db.session() as session:
            typer.echo(exports.export(session, schema, what, start, end, section), nl=False)
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None


backup_app = typer.Typer(help="Encrypted backups of the nodes' databases.", no_args_is_help=True)


@backup_app.command("create")
def backup_create(
    operator: Operator,
    node: Annotated[str | None, typer.Option(help="One node; every node when omitted")] = None,
    keep_days: Annotated[int, typer.Option(help="days until the backup is erased")] = 30,
    home: Home = HOME,
) -> None:
    """Back up (encrypted with the node's backup key) and enter it in the backup register."""
    from juki.cli_common import audited_nodes
    from juki.core.errors import JukiError
    from juki.duties import backup
    from juki.network.embedded import NetworkHome

    keys = NetworkHome(home)
    table = Table(title="バックアップ (backups)")
    for column in ("node", "file", "bytes", "keep until"):
        table.add_column(column)
    for found in audited_nodes(home, node):
        try:
            done = backup.create(
                found, keys.backup_key_for(found.node_id), keys.backup_dir(found.node_id),
                keep_days=keep_days, operator=operator, terminal=socket.gethostname(),
            )  # fmt: skip
        except JukiError as refused:
            console.print(f"[red]{found.node_id}: {refused.field}: {refused.message}[/red]")
            raise typer.Exit(1) from None
        table.add_row(found.node_id, done.path.name, str(done.size), str(done.keep_until))
    console.print(table)


@backup_app.command("purge")
def backup_purge(
    operator: Operator,
    at: Annotated[str, typer.Option(help="YYYY-MM-DD (default today): for drills")] = "",
    home: Home = HOME,
) -> None:
    """Erase every backup past its keep-until day, closing its register entry."""
    from juki.cli_common import audited_nodes
    from juki.duties import backup
    from juki.network.embedded import NetworkHome

    day = dt.date.fromisoformat(at) if at else dt.date.today()
    keys = NetworkHome(home)
    for found in audited_nodes(home, None):
        erased = backup.purge(
            found, keys.backup_dir(found.node_id), day, operator=operator,
            terminal=socket.gethostname(),
        )  # fmt: skip
        for name in erased:
            console.print(f"{found.node_id}: 消去 {name}")


@backup_app.command("restore")
def backup_restore(
    node: Node,
    file: Annotated[str, typer.Argument(help="the .jbak file")],
    to: Annotated[str, typer.Option(help="a new SQLite file, or an empty PostgreSQL URL")],
    home: Home = HOME,
) -> None:
    """Restore a backup into a new database (never over the running node's)."""
    from pathlib import Path

    from juki.core.errors import JukiError
    from juki.duties import backup
    from juki.network.embedded import NetworkHome

    key = NetworkHome(home).backup_key_for(node)
    try:
        if to.startswith("postgresql"):
            backup.restore_postgres(node, key, Path(file), to)
        else:
            backup.restore_sqlite(node, key, Path(file), Path(to))
    except JukiError as refused:
        console.print(f"[red]{refused.field}: {refused.message}[/red]")
        raise typer.Exit(1) from None
    console.print(f"復元しました: {to}")
