"""Backups of a node's database (000 BCK-01; 002 REQ-BAK-01, REQ-CON-04; 001a STO-1-8):
taken as one consistent copy (SQLite's online backup, or pg_dump), encrypted at once with
the node's backup key (AES-256-GCM) so that whoever keeps the medium — the operating
consignee — cannot read it, written to the backup directory, and entered in the backup
register (バックアップ管理簿) with its SHA-256 and the day it must be erased. Expired
backups are erased by `purge`, which closes their register entry: the erasure history.

The key is not in the database and not beside the backups: `network/embedded` keeps it
with the node's other secrets."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy.engine import make_url

from juki.core.clock import JST
from juki.core.errors import Conflict, InvalidInput
from juki.core.files import write_private
from juki.core.messaging.node import Node
from juki.duties.ledgers import service as ledgers

MAGIC = b"JUKIBAK1"
# Files whose rows no backup holds: 送付先情報 lives only until J-LIS confirms receipt
# (001a §4.3.5: このファイルのバックアップは取得しない). The table itself is kept, empty.
NOT_BACKED_UP = ("destination_file",)
NONCE = 12


@dataclass(frozen=True)
class BackupFile:
    path: Path
    sha256: str
    size: int
    entry_id: int
    keep_until: dt.date


def create(
    node: Node, key: bytes, directory: Path, *, keep_days: int, operator: str, terminal: str
) -> BackupFile:
    if not 1 <= keep_days <= 3650:
        raise InvalidInput("保存日数は1〜3650日です", field="keep_days")
    plain = _dump(node.db.url)
    stamp = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%S%fZ")
    name = f"{node.node_id.replace(':', '-')}-{stamp}.jbak"
    nonce = os.urandom(NONCE)
    sealed = MAGIC + nonce + AESGCM(key).encrypt(nonce, plain, _aad(node.node_id, name))
    path = directory / name
    write_private(path, sealed)
    digest = hashlib.sha256(sealed).hexdigest()
    keep_until = dt.datetime.now(JST).date() + dt.timedelta(days=keep_days)
    with node.unit_of_work() as uow:
        entry = ledgers.add(
            uow.session, "backup",
            {"file": name, "sha256": digest, "size_bytes": len(sealed), "encrypted": True,
             "keep_until": keep_until.isoformat()},
            actor=operator, terminal=terminal, subject=f"バックアップ {name}",
        )  # fmt: skip
    return BackupFile(path, digest, len(sealed), entry.id, keep_until)


def open_backup(node_id: str, key: bytes, path: Path) -> bytes:
    """The database copy inside a backup file (for a restore); refuses a foreign or
    altered file."""
    sealed = path.read_bytes()
    if not sealed.startswith(MAGIC):
        raise InvalidInput("バックアップファイルではありません", field="file")
    nonce, body = sealed[len(MAGIC) : len(MAGIC) + NONCE], sealed[len(MAGIC) + NONCE :]
    try:
        return AESGCM(key).decrypt(nonce, body, _aad(node_id, path.name))
    except InvalidTag:
        raise InvalidInput(
            "このノードのバックアップではないか、改ざんされています", field="file"
        ) from None


def restore_sqlite(node_id: str, key: bytes, path: Path, target: Path) -> None:
    if target.exists():
        raise Conflict("復元先のファイルが既にあります", field="target")
    target.write_bytes(open_backup(node_id, key, path))


def restore_postgres(node_id: str, key: bytes, path: Path, target_url: str) -> None:
    """pg_restore into an empty database (the copy is pg_dump's custom format)."""
    tool = shutil.which("pg_restore")
    if tool is None:
        raise Conflict("pg_restore がありません (postgresql-client)", field="pg_restore")
    with tempfile.TemporaryDirectory() as scratch:
        dump = Path(scratch) / "node.dump"
        dump.write_bytes(open_backup(node_id, key, path))
        done = subprocess.run(  # noqa: S603 - fixed tool and arguments
            [tool, "--no-owner", f"--dbname={target_url}", str(dump)],
            capture_output=True, check=False,
        )  # fmt: skip
    if done.returncode != 0:
        raise Conflict("pg_restore が失敗しました", field="pg_restore")


def purge(node: Node, directory: Path, on: dt.date, *, operator: str, terminal: str) -> list[str]:
    """Erase the backups whose keep-until day has passed, closing their register entries."""
    erased = []
    with node.unit_of_work() as uow:
        for entry in ledgers.entries(uow.session, "backup", status="open"):
            if dt.date.fromisoformat(entry.fields["keep_until"]) >= on:
                continue
            (directory / entry.fields["file"]).unlink(missing_ok=True)
            ledgers.close(
                uow.session, entry.id, {"reason": "保存期間満了による消去"}, actor=operator,
                terminal=terminal,
            )  # fmt: skip
            erased.append(entry.fields["file"])
    return erased


def _aad(node_id: str, name: str) -> bytes:
    """Bound to its node and file name: a backup cannot pass for another node's."""
    return f"juki-backup\x00{node_id}\x00{name}".encode()


def _dump(url: str) -> bytes:
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return _sqlite_copy(Path(str(parsed.database)))
    return _pg_dump(url)


def _sqlite_copy(database: Path) -> bytes:
    """SQLite's online backup: a consistent copy while the node keeps writing."""
    with tempfile.TemporaryDirectory() as scratch:
        copy = Path(scratch) / "copy.db"
        source, target = sqlite3.connect(database), sqlite3.connect(copy)
        try:
            source.backup(target)
            _empty_unbacked(target)
        finally:
            target.close()
            source.close()
        return copy.read_bytes()


def _empty_unbacked(copy: sqlite3.Connection) -> None:
    """Empty the files no backup may hold, and VACUUM so their pages keep nothing."""
    present = {row[0] for row in copy.execute("SELECT name FROM sqlite_master WHERE type='table'")}
    for table in NOT_BACKED_UP:
        if table in present:
            copy.execute(f'DELETE FROM "{table}"')  # noqa: S608 - fixed table names above
    copy.commit()
    copy.execute("VACUUM")


def _pg_dump(url: str) -> bytes:
    tool = shutil.which("pg_dump")
    if tool is None:
        raise Conflict("pg_dump がありません (postgresql-client)", field="pg_dump")
    plain_url = url.replace("postgresql+psycopg://", "postgresql://")
    done = subprocess.run(  # noqa: S603 - fixed tool, URL from our own configuration
        [tool, "--format=custom", "--no-owner", f"--dbname={plain_url}",
         *(f"--exclude-table-data={table}" for table in NOT_BACKED_UP)],
        capture_output=True, check=False,
    )  # fmt: skip
    if done.returncode != 0:
        raise Conflict("pg_dump が失敗しました", field="pg_dump")
    return done.stdout
