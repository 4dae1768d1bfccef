"""Shared fixtures. Networks run on SQLite always and on PostgreSQL when JUKI_TEST_PG_URL
names a server (CI starts one: .ci/run). Each test's network is a copy of one built once
per test process (tests/network_copies.py)."""

from __future__ import annotations

import datetime as dt
import hashlib
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from argon2 import PasswordHasher
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.messaging.node import Node
from juki.duties.operators import accounts
from juki.network.accounts import ensure_local_client, local_auth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.registry.models import Resident, ResidentEvent
from juki.registry.notice_checks import service as notice_checks
from juki.registry.notices import arrivals, schemas
from tests.network_copies import NetworkTemplates

# The consoles are served where the test client sends its requests (a test that serves
# them elsewhere says so: `network_app(network, console_origin=…)`).
os.environ["JUKI_CONSOLE_ORIGIN"] = "http://testserver"
PG_URL = os.environ.get("JUKI_TEST_PG_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
SMALL_TOPOLOGY = {"13": ["131016", "131075"], "11": ["112011"]}


TEMPLATES = NetworkTemplates()


def pytest_sessionfinish() -> None:
    TEMPLATES.remove()  # this process's templates (each xdist worker has its own)


@pytest.fixture(scope="session", autouse=True)
def cheap_password_hashes() -> Iterator[None]:
    """argon2id at the least cost in the tests. The product's (64 MiB, 3 passes, 4 lanes,
    argon2-cffi's default) is right for a log-in, and takes 0.1–1 s a hash on a loaded CI
    machine, paid for every account a test makes and every log-in. The tests check what
    is done with the hash (mismatch, lockout, an unknown login hashed all the same), not
    its cost; the hash stays argon2id with its usual salt and length."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(
            accounts, "_hasher", PasswordHasher(time_cost=1, memory_cost=8, parallelism=1)
        )
        yield


def make_network(
    tmp_path: Path,
    backend: str,
    topology: dict[str, list[str]] | None = None,
    *,
    pool: int = 300,
    notice_check: bool = False,
    institutions: tuple[str, ...] = (),
) -> EmbeddedNetwork:
    """A network of its own at `tmp_path/.juki`: registries given a first pool of `pool`
    住民票コード, 届出点検 off unless `notice_check` (then at its default, on), the
    `institutions` on the information-provision network (none by default). A copy of
    the process's template for these settings (built on first use)."""
    topology = topology or SMALL_TOPOLOGY
    recipe = (
        tuple((pref, tuple(lgs)) for pref, lgs in topology.items()),
        pool,
        notice_check,
        institutions,
    )

    def build(home: Path, server_url: str | None, prefix: str) -> EmbeddedNetwork:
        network = EmbeddedNetwork(
            home, topology=topology, server_url=server_url, db_prefix=prefix,
            institutions=institutions,
        )  # fmt: skip
        network.bootstrap(pool=pool)
        if not notice_check:
            without_notice_check(network)
        return network

    server_url = PG_URL if backend == "postgresql" else None
    return TEMPLATES.copy(tmp_path / ".juki", server_url, recipe, build)


def without_notice_check(network: EmbeddedNetwork) -> None:
    """届出点検 (001b C-01) is on by default, as `juki up` runs it: each 届出 waits for a
    second operator. Most tests record 届出 through the API or the console in one step, so
    their networks switch it off here (as the installer would, `set_at_setup`); the
    check's own tests switch it on again (`with_notice_check`)."""
    _notice_check(network, required=False, reason="テスト: 届出を一人で記録する")


def with_notice_check(network: EmbeddedNetwork) -> None:
    _notice_check(network, required=True, reason="テスト: 届出点検")


def _notice_check(network: EmbeddedNetwork, *, required: bool, reason: str) -> None:
    for lg in network.municipalities():
        with network.node(f"registry:{lg}").unit_of_work() as uow:
            notice_checks.set_at_setup(uow, required=required, reason=reason)


def api_client(network: EmbeddedNetwork, operator: str = "test-operator") -> TestClient:
    """The network's HTTP face, every request signed as the local `juki` command acting
    for `operator` at this host (the API refuses unauthenticated calls). `operator` is
    made an account of every node first: the local command may act only for a node's own
    accounts (issue #14)."""
    ensure_local_client(list(network.nodes.values()), network.home.root)
    for node in network.nodes.values():
        an_account(node, operator)
    client = TestClient(network_app(network))
    client.auth = local_auth(network.home.root, operator)
    return client


def an_account(node: Node, login: str) -> None:
    """`login` as an active operator account of `node` (no rights: the local command's
    rights are its own), unless it is one already."""
    with node.unit_of_work() as uow:
        if accounts.by_login(uow.session, login) is None:
            accounts.create_operator(
                uow.session, accounts.SETUP, login=login, person_name=f"試験　{login}"[:100],
                employee_no=hashlib.sha256(login.encode()).hexdigest()[:20],
                password="test-operator-password",
            )  # fmt: skip


@pytest.fixture(params=BACKENDS)
def network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, request.param)
    yield net
    net.destroy()  # PostgreSQL databases are dropped: CI's disk is small


@pytest.fixture
def sqlite_network(tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, "sqlite")
    yield net
    net.close()


def person(**overrides: Any) -> dict[str, Any]:
    base = {
        "name_kanji": "墨田\u3000花子",
        "name_kana": "スミダ\u3000ハナコ",
        "birth_date": dt.date(1990, 4, 1),
        "sex": "2",
        "address": "東京都墨田区吾妻橋一丁目2番3号",
        "change_date": dt.date(2026, 11, 2),
    }
    return base | overrides


def record(network: EmbeddedNetwork, lg: str, action: Any, *args: Any) -> str:
    """Run a registry service call in its own unit of work, deliver, return the event id."""
    with network.node(f"registry:{lg}").unit_of_work() as uow:
        event = action(uow, *args)
        event_id: str = event.update_id
    network.pump()
    return event_id


def stored_event(network: EmbeddedNetwork, lg: str, event_id: str) -> ResidentEvent:
    with network.node(f"registry:{lg}").db.session() as session:
        event = session.scalars(
            select(ResidentEvent).where(ResidentEvent.update_id == event_id)
        ).one()
        session.expunge(event)
        return event


def event_status(network: EmbeddedNetwork, lg: str, event_id: str) -> tuple[str, str | None]:
    event = stored_event(network, lg, event_id)
    return event.status, event.error_field


def born(network: EmbeddedNetwork, lg: str = "131075", **overrides: Any) -> int:
    """A birth recorded and carried to the national server; returns the resident id."""
    event_id = record(
        network,
        lg,
        arrivals.record_birth,
        schemas.BirthNotice(**person(birth_date=dt.date(2026, 11, 1), **overrides)),
    )
    # A served network's dispatcher thread may hold a message in flight while `pump` finds
    # nothing to do (browser tests record births after serving): look again, bounded.
    for _ in range(200):
        if event_status(network, lg, event_id)[0] != "awaiting_number":
            break
        time.sleep(0.05)
        network.pump()
    assert event_status(network, lg, event_id) == ("applied", None)
    return stored_event(network, lg, event_id).resident_id


def resident(network: EmbeddedNetwork, lg: str, resident_id: int) -> Resident:
    with network.node(f"registry:{lg}").db.session() as session:
        found = session.get(Resident, resident_id)
        assert found is not None
        session.expunge(found)
        return found
