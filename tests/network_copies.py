"""Networks built once per test process and copied for each test.

Building a network makes its PKI and every node's keys, runs every node's Alembic
migrations and hands each registry its first pool of 住民票コード: 3–7 s, most of what a
network test costs. So each test process (each xdist worker) builds a *template* once per
backend and recipe (topology, pool size, 届出点検), the first time a test asks for one, and
every test gets a copy of it:

- the home `.juki/` is copied whole: the PKI, each node's signing key, field keys and
  secret (the sealed columns are encrypted under the node's field keys: a database copied
  without them could not be read), and on SQLite the database files;
- on PostgreSQL each node's database is created from the template's (`CREATE DATABASE …
  TEMPLATE`, which is refused while anyone is connected to the template: the template
  network is closed as soon as it is built and never opened again), under the copy's own
  prefix, so that `EmbeddedNetwork.destroy` drops the copy's databases and no others.

A copy differs from a network built for the test only in the times written while the
template was built (the first pools, their messages and audit entries, the 届出点検
setting): they are earlier, by at most the length of the run.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Callable, Hashable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import Connection, Engine, create_engine, text

from juki.network.embedded import EmbeddedNetwork, drop_postgres_databases

# Builds a fresh network: (home, PostgreSQL server URL or None for SQLite, database prefix).
Build = Callable[[Path, str | None, str], EmbeddedNetwork]


def new_prefix(kind: str = "t") -> str:
    """A database prefix of its own (lower-case letters and digits, as postgres_database
    requires); templates' start with "tpl", which no copy's "t" + hex can."""
    return f"{kind}{uuid.uuid4().hex[:10]}"


@dataclass(frozen=True)
class Template:
    home: Path
    topology: dict[str, list[str]]
    institutions: tuple[str, ...]
    server_url: str | None
    prefix: str
    databases: tuple[str, ...]  # on PostgreSQL, each node's database, by name


class NetworkTemplates:
    """The templates of this test process, by backend and recipe; `remove` drops them."""

    def __init__(self) -> None:
        self._root: Path | None = None
        self._templates: dict[tuple[str | None, Hashable], Template] = {}
        self._admin: dict[str, Engine] = {}

    def copy(
        self, home: Path, server_url: str | None, recipe: Hashable, build: Build
    ) -> EmbeddedNetwork:
        """A copy at `home` of the template for `recipe` on this backend, built by `build`
        the first time."""
        template = self._templates.get((server_url, recipe))
        if template is None:
            template = self._templates[(server_url, recipe)] = self._build(server_url, build)
        shutil.copytree(template.home, home)
        prefix = new_prefix()
        if server_url is not None:
            self._copy_databases(server_url, template, prefix)
        return EmbeddedNetwork(
            home,
            topology=template.topology,
            institutions=template.institutions,
            server_url=server_url,
            db_prefix=prefix,
            existing=True,  # copies of the template's, migrated
        )

    def remove(self) -> None:
        """Drop the templates' PostgreSQL databases (CI's disk is small) and their homes."""
        for template in self._templates.values():
            if template.server_url is not None:
                drop_postgres_databases(template.server_url, template.prefix)
        for engine in self._admin.values():
            engine.dispose()
        if self._root is not None:
            shutil.rmtree(self._root, ignore_errors=True)
        self._templates.clear()
        self._admin.clear()
        self._root = None

    def _build(self, server_url: str | None, build: Build) -> Template:
        if self._root is None:
            self._root = Path(tempfile.mkdtemp(prefix="juki-templates-"))
        prefix = new_prefix("tpl")
        home = self._root / prefix / ".juki"
        network = build(home, server_url, prefix)
        network.close()  # no connection may stay open on a template database
        databases: tuple[str, ...] = ()
        if server_url is not None:
            databases = tuple(node.db.engine.url.database or "" for node in network.nodes.values())
        return Template(home, network.topology, network.institutions, server_url, prefix, databases)

    def _copy_databases(self, server_url: str, template: Template, prefix: str) -> None:
        with self._admin_engine(server_url).connect() as conn:
            strategy = _file_copy(conn)
            for name in template.databases:
                copy = prefix + name.removeprefix(template.prefix)
                conn.execute(text(f'CREATE DATABASE "{copy}" TEMPLATE "{name}"{strategy}'))

    def _admin_engine(self, server_url: str) -> Engine:
        """One connection to the server's `postgres` database, kept for the run."""
        if server_url not in self._admin:
            base = server_url.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://")
            self._admin[server_url] = create_engine(
                base + "/postgres", isolation_level="AUTOCOMMIT", pool_size=1
            )
        return self._admin[server_url]


def _file_copy(conn: Connection) -> str:
    """FILE_COPY copies the files (the only way before PostgreSQL 15, which made WAL_LOG
    the default: every page of the copy written to the WAL). For these small databases it
    takes half the time, to create and then to drop (measured on PostgreSQL 15)."""
    version = int(conn.scalar(text("SHOW server_version_num")) or 0)
    return " STRATEGY FILE_COPY" if version >= 150000 else ""
