"""Keys (issue #14, item 10): ciphertext names its key's version, `juki keys rotate` seals a
node's data again under a new key (SQLite and PostgreSQL), secret files are private from
their first byte, password hashes follow the current parameters, and no node runs on an
empty key."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from argon2 import PasswordHasher
from cryptography.exceptions import InvalidTag
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import select
from typer.testing import CliRunner

from juki.cli.app import app as cli
from juki.core.crypto import FieldKeys
from juki.core.identity import NUMBER_COLUMN
from juki.core.key_rotation import reseal
from juki.core.messaging.node import Node
from juki.core.sealed import attach_field_keys
from juki.duties.operators import accounts
from juki.national.models import SCHEMA as NATIONAL_SCHEMA
from juki.national.models import NationalIdentityRow
from juki.network.embedded import EmbeddedNetwork, NetworkHome
from juki.network.running import serving
from juki.registry.models import SCHEMA as REGISTRY_SCHEMA
from tests.conftest import born
from tests.staff import CLERK, staff_on


@given(st.text(max_size=200), st.text(min_size=1, max_size=40))
def test_every_version_opens_what_it_sealed(value: str, label: str) -> None:
    first = FieldKeys.generate()
    legacy = first.encrypt(value, column=label)[3:]  # as sealed before versions: nonce + sealed
    second = first.rotated()
    sealed = second.encrypt(value, column=label)
    assert sealed[:3] == b"JK\x02"
    assert second.open(sealed, column=label) == (2, value)
    assert second.open(first.encrypt(value, column=label), column=label) == (1, value)
    assert second.open(legacy, column=label) == (1, value)
    assert FieldKeys.from_text(second.to_text()) == second
    with pytest.raises(InvalidTag):
        first.decrypt(sealed, column=label)  # the old key alone cannot open the new
    with pytest.raises(InvalidTag):
        second.decrypt(sealed, column=label + "x")  # nor another column's label


def rotate(network: EmbeddedNetwork, node_id: str, schema: tuple) -> FieldKeys:  # type: ignore[type-arg]
    node = network.node(node_id)
    rotated = network.home.rotate_keys(node_id)
    node.keys = rotated
    attach_field_keys(node.db.engine, rotated)
    report = reseal(node.db.engine, schema, rotated)
    assert report.total > 0  # there was something to seal again
    again = reseal(node.db.engine, schema, rotated)
    assert again.total == 0  # everything is under the current key now
    return rotated


def new_key_only(keys: FieldKeys) -> FieldKeys:
    return FieldKeys(keys.encryption_key, keys.index_key, keys.version)


def test_a_rotation_seals_every_value_again_and_the_node_reads_on(
    network: EmbeddedNetwork,
) -> None:
    born(network)
    staff_on(network.node("registry:131075"), (CLERK,))  # a TOTP secret, sealed too
    for node_id, schema in (("registry:131075", REGISTRY_SCHEMA), ("national", NATIONAL_SCHEMA)):
        rotated = rotate(network, node_id, schema)
        assert rotated.version == 2
        # Only the new key: every value must open with it, none needs the old one.
        node = network.node(node_id)
        attach_field_keys(node.db.engine, new_key_only(rotated))
        assert reseal(node.db.engine, schema, new_key_only(rotated)).total == 0
    national = network.node("national")
    with national.db.session() as db:
        row = db.scalars(select(NationalIdentityRow)).first()
        assert row is not None
        assert row.name_kanji  # a sealed name, opened with the new key
        number = national.keys.decrypt(row.individual_number_cipher, column=NUMBER_COLUMN)
        assert len(number) == 12
    # The keys file holds both versions; read again, it opens what each sealed.
    keys, _secret = network.home.secrets_for("national")
    assert (keys.version, [v for v, _k in keys.older]) == (2, [1])


def test_juki_keys_rotate_refuses_a_running_network_and_rotates_a_stopped_one(
    sqlite_network: EmbeddedNetwork,
) -> None:
    born(sqlite_network)
    home = sqlite_network.home.root
    with serving(home):  # as `juki up` or `juki node serve` holds it while it runs
        running = CliRunner().invoke(cli, ["keys", "rotate", "national", "--home", str(home)])
    assert running.exit_code == 2
    assert NetworkHome(home).secrets_for("national")[0].version == 1
    done = CliRunner().invoke(cli, ["keys", "rotate", "national", "--home", str(home)])
    assert done.exit_code == 0, done.output
    assert "values sealed again" in done.output
    reopened = EmbeddedNetwork(home)
    try:
        node = reopened.node("national")
        assert node.keys.version == 2
        assert reseal(node.db.engine, NATIONAL_SCHEMA, new_key_only(node.keys)).total == 0
    finally:
        reopened.close()


def test_secret_files_are_private_from_their_first_byte(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With a umask that would leave files readable by all, keys are still 0600 in 0700
    folders: created so, not narrowed afterwards (a chmod after the write fails here)."""

    def narrowed_afterwards(*_args: object, **_kwargs: object) -> None:
        raise AssertionError("a secret file was written first and narrowed afterwards")

    monkeypatch.setattr(os, "chmod", narrowed_afterwards)
    monkeypatch.setattr(Path, "chmod", narrowed_afterwards)
    before = os.umask(0)
    try:
        home = NetworkHome(tmp_path / ".juki")
        home.secrets_for("registry:131075")
        home.backup_key_for("registry:131075")
        home.pki.init()
        home.pki.ensure_node("registry:131075")
    finally:
        os.umask(before)
    secrets_dir = tmp_path / ".juki" / "secrets"
    for path in (
        secrets_dir / "registry_131075.key",
        secrets_dir / "registry_131075.backup.key",
        tmp_path / ".juki" / "pki" / "ca.key",
        home.pki.node_paths("registry:131075")[1],
    ):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert stat.S_IMODE(secrets_dir.stat().st_mode) == 0o700
    assert stat.S_IMODE((tmp_path / ".juki" / "pki" / "nodes").stat().st_mode) == 0o700


def test_a_password_hashed_under_old_parameters_is_hashed_again_at_log_in(
    network: EmbeddedNetwork,
) -> None:
    staff_on(network.node("registry:131075"), (CLERK,))
    older = PasswordHasher(time_cost=2, memory_cost=16, parallelism=1)
    with network.node("registry:131075").unit_of_work() as uow:
        accounts.require(uow.session, CLERK.login).password_hash = older.hash(CLERK.password)
    with network.node("registry:131075").unit_of_work() as uow:
        accounts.check_password(uow.session, CLERK.login, CLERK.password, accounts.Policy())
    with network.node("registry:131075").db.session() as db:
        stored = accounts.require(db, CLERK.login).password_hash
    assert not accounts._hasher.check_needs_rehash(stored)
    assert "t=2" not in stored


def test_no_node_runs_on_an_empty_key(sqlite_network: EmbeddedNetwork) -> None:
    node = sqlite_network.node("numbering")
    with pytest.raises(ValueError, match="secret"):
        Node(
            "numbering", node.db, node.keys, node._signing_key, node._certificate_pem.encode(),
            node._ca, node.handlers, secret=b"",
        )  # fmt: skip
