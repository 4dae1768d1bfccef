"""The `juki` command: the Typer app, with every command group registered here, at import,
before any entry point runs (`juki` from pyproject's console script, `python -m juki.cli`).
One module per group; the help lists the top-level commands first, then the groups, in the
order they are registered."""

from __future__ import annotations

import typer

from juki.cli import (
    audit,
    backup,
    bench,
    card,
    keys,
    kiosk,
    ledger,
    network,
    operator,
    pia,
    pki,
    portal,
    registry,
    report,
    retention,
)

app = typer.Typer(help="juki: Japan's resident registry network, runnable.", no_args_is_help=True)

app.command()(network.up)
app.command()(network.reconcile)
app.command()(network.search)
app.command()(network.simulate)
app.command()(pia.pia)

app.add_typer(pki.pki_app, name="pki")
app.add_typer(bench.bench_app, name="bench")
app.add_typer(network.node_app, name="node")
app.add_typer(audit.audit_app, name="audit")
app.add_typer(operator.operator_app, name="operator")
app.add_typer(retention.retention_app, name="retention")
app.add_typer(ledger.ledger_app, name="ledger")
app.add_typer(backup.backup_app, name="backup")
app.add_typer(report.report_app, name="report")
app.add_typer(registry.registry_app, name="registry")
app.add_typer(keys.keys_app, name="keys")
app.add_typer(card.card_app, name="card")
app.add_typer(kiosk.kiosk_app, name="kiosk")
app.add_typer(portal.portal_app, name="portal")
