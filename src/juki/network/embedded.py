"""A whole network in one process: each node with its own database and keys."""

from __future__ import annotations

import re
import secrets
from pathlib import Path

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import create_engine, text

from juki.core.audit.anchors import AnchorFile
from juki.core.crypto import FieldKeys, b64, unb64
from juki.core.db import Database, sqlite_url
from juki.core.files import write_private
from juki.core.messaging.dispatch import Dispatcher, DispatcherThread
from juki.core.messaging.node import Node
from juki.core.messaging.paths import role_of
from juki.core.messaging.transport import InProcessTransport, Transport
from juki.core.migrate import upgrade
from juki.core.pki import PkiDirectory
from juki.core.places import municipality
from juki.core.portal_messages import PORTAL
from juki.core.sealed import attach_field_keys
from juki.infonet import service as infonet_service
from juki.intermediate import exchange as intermediate_exchange
from juki.network.topology import DEFAULT_INSTITUTIONS, DEFAULT_TOPOLOGY, ROLE_HANDLERS, node_ids
from juki.registry.residents import atena_link
from juki.registry.residents import pool as registry_pool

INITIAL_POOL = 2000
MAYOR = "市町村長"  # the office the legal table names a municipality by
PORTAL_OFFICE = "内閣総理大臣"  # マイナポータル: 番号法 附則第6条第3項 (デジタル庁)


def _safe(node_id: str) -> str:
    return node_id.replace(":", "_")


class NetworkHome:
    """The `.juki/` directory: PKI, node secrets, SQLite files, the running network's address."""

    def __init__(self, root: Path):
        self.root = root
        self.pki = PkiDirectory(root / "pki")

    def secrets_for(self, node_id: str) -> tuple[FieldKeys, bytes]:
        path = self.root / "secrets" / f"{_safe(node_id)}.key"
        if not path.exists():
            text = f"{FieldKeys.generate().to_text()}\n{b64(secrets.token_bytes(32))}\n"
            write_private(path, text.encode())
        keys_line, secret_line = path.read_text().splitlines()[:2]
        return FieldKeys.from_text(keys_line), unb64(secret_line)

    def rotate_keys(self, node_id: str) -> FieldKeys:
        """A new current field key for the node, written beside the older ones (which
        still open what they sealed); the node's data is sealed again by the caller
        (`core/key_rotation.reseal`). The file is replaced whole, 0600."""
        keys, secret = self.secrets_for(node_id)
        rotated = keys.rotated()
        path = self.root / "secrets" / f"{_safe(node_id)}.key"
        temporary = path.with_suffix(".key.new")
        write_private(temporary, f"{rotated.to_text()}\n{b64(secret)}\n".encode())
        temporary.replace(path)
        return rotated

    def backup_key_for(self, node_id: str) -> bytes:
        """The key a node's backups are sealed with: kept with its secrets, never beside
        the backups (002 REQ-CON-04: the consignee keeping the media cannot read them)."""
        path = self.root / "secrets" / f"{_safe(node_id)}.backup.key"
        if not path.exists():
            write_private(path, (b64(AESGCM.generate_key(bit_length=256)) + "\n").encode())
        return unb64(path.read_text().strip())

    def backup_dir(self, node_id: str) -> Path:
        return self.root / "backups" / _safe(node_id)

    def database_url(
        self, node_id: str, server_url: str | None, prefix: str, *, create: bool = True
    ) -> str:
        """Where the node's database is; made (an empty PostgreSQL database, the SQLite
        files' folder) when missing, unless `create` is False."""
        if server_url is None:
            if create:
                (self.root / "data").mkdir(parents=True, exist_ok=True)
            return sqlite_url(self.root / "data" / f"{_safe(node_id)}.db")
        name = f"{prefix}_{_safe(node_id)}"
        if create:
            return postgres_database(server_url, name)
        return f"{server_url.rsplit('/', 1)[0]}/{name}"


def postgres_database(server_url: str, name: str) -> str:
    """Create (if missing) one PostgreSQL database per node and return its URL."""
    if not re.fullmatch(r"[a-z0-9_]+", name):
        raise ValueError("database name must be lower-case letters, digits and _")
    base = server_url.rsplit("/", 1)[0]
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        exists = conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name})
        if exists.first() is None:
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return f"{base}/{name}"


def drop_postgres_databases(server_url: str, prefix: str) -> int:
    """Drop every database named ``<prefix>_*`` (a throwaway network's); returns how many."""
    if not re.fullmatch(r"[a-z0-9_]+", prefix):
        raise ValueError("database prefix must be lower-case letters, digits and _")
    base = server_url.rsplit("/", 1)[0]
    admin = create_engine(
        base.replace("postgresql://", "postgresql+psycopg://") + "/postgres",
        isolation_level="AUTOCOMMIT",
    )
    with admin.connect() as conn:
        names = conn.scalars(
            text("SELECT datname FROM pg_database WHERE datname LIKE :p"),
            {"p": prefix + "\\_%"},
        ).all()
        for name in names:
            conn.execute(text(f'DROP DATABASE "{name}" WITH (FORCE)'))
    admin.dispose()
    return len(names)


def build_node(home: NetworkHome, node_id: str, url: str, *, migrate: bool = True) -> Node:
    """A node on its database, migrated to the latest revision unless `migrate` is False
    (a database known to be there already: a copy of a migrated one, in the tests)."""
    home.pki.ensure_node(node_id)
    database = Database(url)
    keys, secret = home.secrets_for(node_id)
    attach_field_keys(database.engine, keys)  # before the migrations: they may seal rows
    if migrate:
        upgrade(database.engine, f"juki.{role_of(node_id)}")
    signing_key, cert_pem = home.pki.node_identity(node_id)
    return Node(
        node_id,
        database,
        keys,
        signing_key,
        cert_pem,
        home.pki.ca_cert(),
        ROLE_HANDLERS[role_of(node_id)],
        secret=secret,
        revocations=home.pki.crl,
        audit_anchors=AnchorFile(home.root / "audit-anchors" / f"{_safe(node_id)}.jsonl"),
        past_certificates=tuple(home.pki.past_node_certificates(node_id)),
    )


class EmbeddedNetwork:
    """All nodes of a topology in this process, talking through the in-process transport."""

    def __init__(
        self,
        root: Path,
        *,
        topology: dict[str, list[str]] | None = None,
        server_url: str | None = None,
        db_prefix: str = "juki",
        transport: Transport | None = None,
        existing: bool = False,
        institutions: tuple[str, ...] | None = None,
    ):
        """`institutions`: those on the information-provision network (each a municipality
        of the topology); by default the demo set with the default topology, none with
        another. `existing=True` opens databases that exist already at the latest revision as they
        are, neither created nor migrated (Alembic takes 0.2 s a node even with nothing to
        do): the tests' copies of a network built once (tests/network_copies.py)."""
        self.home = NetworkHome(root)
        self.db_prefix = db_prefix
        self.server_url = server_url
        self.topology = topology or DEFAULT_TOPOLOGY
        if institutions is None:
            institutions = DEFAULT_INSTITUTIONS if topology is None else ()
        unknown = set(institutions) - set(self.municipalities())
        if unknown:
            raise ValueError(f"institutions not in the topology: {sorted(unknown)}")
        self.institutions = institutions
        if not self.home.pki.exists():
            self.home.pki.init()
        self.home.pki.refresh_crl()  # a network made before CRLs gets one; an old one is re-signed
        self.nodes: dict[str, Node] = {}
        for node_id in node_ids(self.topology, self.institutions):
            url = self.home.database_url(node_id, server_url, db_prefix, create=not existing)
            self.nodes[node_id] = build_node(self.home, node_id, url, migrate=not existing)
        self.local = InProcessTransport()
        for node in self.nodes.values():
            self.local.register(node)
        self.dispatcher = Dispatcher(list(self.nodes.values()), transport or self.local)
        self._thread: DispatcherThread | None = None

    def node(self, node_id: str) -> Node:
        return self.nodes[node_id]

    def municipalities(self) -> list[str]:
        return [lg for lgs in self.topology.values() for lg in lgs]

    def bootstrap(self, pool: int = INITIAL_POOL) -> None:
        """Give every registry a first pool of 住民票コード from J-LIS, through the network."""
        for lg in self.municipalities():
            with self.node(f"registry:{lg}").unit_of_work() as uow:
                registry_pool.request_pool_if_low(uow, count=pool)
        self.pump()
        self.connect_institutions()

    def connect_institutions(self) -> None:
        """Register each institution on the network and connect its register to its
        統合宛名 (each once: a network started again finds them done), then let every
        person present get their 符号 (004 P1(a): the first bulk acquisition)."""
        names = {lg: municipality(lg).name for lg in self.institutions}
        for lg in self.institutions:
            key = intermediate_exchange.reply_public_key(self.node(f"intermediate:{lg}"))
            with self.node("infonet").unit_of_work() as uow:
                infonet_service.register_institution(uow, lg, names[lg], "municipality", MAYOR, key)
                infonet_service.send_permit_list(uow, lg)  # the table may have changed
            with self.node(f"registry:{lg}").unit_of_work() as uow:
                atena_link.connect(uow)
        if self.institutions:  # マイナポータル, to be given 符号 for the holders who log in
            key = intermediate_exchange.reply_public_key(self.node(PORTAL))
            with self.node("infonet").unit_of_work() as uow:
                infonet_service.register_institution(
                    uow, PORTAL, "マイナポータル", "portal", PORTAL_OFFICE, key
                )
            self.pump()

    def pump(self) -> int:
        return self.dispatcher.pump()

    def start_dispatcher(self) -> None:
        self._thread = DispatcherThread(self.dispatcher)
        self._thread.start()

    def stop_dispatcher(self) -> None:
        if self._thread is not None:
            self._thread.stop()
            self._thread = None

    def close(self) -> None:
        self.stop_dispatcher()
        for node in self.nodes.values():
            node.db.dispose()

    def destroy(self) -> None:
        """Close, then drop this network's PostgreSQL databases (tests and benchmarks)."""
        self.close()
        if self.server_url is not None:
            drop_postgres_databases(self.server_url, self.db_prefix)
