"""`juki retention …`: each file's retention rule (保存期間) and the purge job that erases
what is past it (duties/retention)."""

from __future__ import annotations

import datetime as dt
import importlib
from typing import Annotated

import typer
from rich.table import Table

from juki.cli.common import HOME, Home, audited_nodes, console
from juki.duties.retention import engine

retention_app = typer.Typer(help="Retention: rules and the purge job.", no_args_is_help=True)


@retention_app.command("rules")
def retention_rules() -> None:
    """Each file's retention rule (rules.toml), with its legal source."""
    table = Table(title="保存期間 (retention rules)")
    for column in ("role", "file", "table", "kept", "source"):
        table.add_column(column)
    for rule in engine.rules():
        kept = "never erased" if rule.never else f"{rule.period_en} ({rule.select})"
        table.add_row(rule.role, rule.name, rule.table, kept, rule.source)
    console.print(table)


@retention_app.command("purge")
def retention_purge(
    home: Home = HOME,
    node: Annotated[str | None, typer.Option(help="One node, e.g. national.")] = None,
    at: Annotated[
        str | None, typer.Option(help="The clock, YYYY-MM-DD (default now): for drills only.")
    ] = None,
) -> None:
    """Erase what is past its retention on every node (or one), recording what was erased."""
    moment = (
        dt.datetime.combine(dt.date.fromisoformat(at), dt.time(12), dt.UTC)
        if at
        else dt.datetime.now(dt.UTC)
    )
    table = Table(title=f"消去 (purge) at {moment:%Y-%m-%d}")
    for column in ("node", "rule", "cutoff", "erased"):
        table.add_column(column)
    for found in audited_nodes(home, node):
        schema = importlib.import_module(f"juki.{found.role}.models").SCHEMA
        with found.unit_of_work() as uow:
            for done in engine.purge(uow.session, found.role, schema, moment):
                table.add_row(found.node_id, done.rule, done.cutoff[:10], str(done.erased))
    console.print(table)
