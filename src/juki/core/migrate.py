"""Alembic per node role: each role package has `migrations/` whose env.py calls run_env."""

from __future__ import annotations

import logging
from collections.abc import Iterable

from alembic import command, context
from alembic.config import Config
from sqlalchemy import Engine, MetaData, Table

from juki.core.audit.tables import audit_metadata
from juki.core.messaging.tables import messaging_metadata

# The infrastructure's tables every node has (created by each role's migrations from the
# frozen helpers in core). A role's whole schema is declared in its models (`SCHEMA`).
CORE_METADATA: tuple[MetaData, ...] = (messaging_metadata, audit_metadata)


def tables_of(schema: Iterable[MetaData]) -> dict[str, Table]:
    """Every table of a role's schema by name: its own and the shared ones, each of which
    its owner defines in a metadata of its own (a name is in one of them only)."""
    return {name: table for metadata in schema for name, table in metadata.tables.items()}


def alembic_config(role_package: str, engine: Engine | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", f"{role_package}:migrations")
    config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine, role_package: str) -> None:
    """Bring a node's database to the latest revision of its role's migrations."""
    logging.getLogger("alembic").setLevel(logging.WARNING)
    command.upgrade(alembic_config(role_package, engine), "head")


def run_env(schema: tuple[MetaData, ...]) -> None:
    """Body of every role's env.py: `schema` is every table of the role's database, the
    shared ones (core's, the duties') and its own (`<role>.models.SCHEMA`)."""
    engine: Engine = context.config.attributes["engine"]
    with engine.begin() as connection:
        context.configure(
            connection=connection,
            target_metadata=list(schema),
            render_as_batch=True,  # SQLite needs batch mode for ALTER
            compare_type=True,
        )
        with context.begin_transaction():
            context.run_migrations()
