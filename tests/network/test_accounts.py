"""`juki up`'s console accounts (network/accounts.py): every node with a console — each
registry and CS, each prefecture and the national server — gets named personal accounts
whose password and TOTP secret are in `.juki/secrets/console-accounts.txt` (mode 0600),
and they log in to their own node's console with them; a second start adds nothing."""

from __future__ import annotations

from pathlib import Path

import pyotp
from fastapi.testclient import TestClient

from juki.network.accounts import (
    NATIONAL_SEED_ACCOUNTS,
    PREFECTURE_SEED_ACCOUNTS,
    ensure_console_accounts,
)
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from tests.staff import csrf_of


def log_in(client: TestClient, base: str, login: str, password: str, uri: str) -> int:
    token = csrf_of(client.get(f"{base}/login").text)
    first = client.post(f"{base}/login", data={"login": login, "password": password, "csrf": token})
    assert first.status_code == 303, first.status_code
    second = client.get(first.headers["location"])
    code = pyotp.parse_uri(uri).now()
    done = client.post(f"{base}/login/totp", data={"totp": code, "csrf": csrf_of(second.text)})
    return done.status_code


def test_juki_up_gives_the_prefecture_and_jlis_consoles_their_own_accounts(
    sqlite_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    path = ensure_console_accounts(sqlite_network, tmp_path)
    assert path.stat().st_mode & 0o777 == 0o600
    lines = [line.split("\t") for line in path.read_text().splitlines()]
    by_key = {(key, login): (password, uri) for key, login, password, _code, uri in lines}
    expected = {("national", seed.login) for seed in NATIONAL_SEED_ACCOUNTS} | {
        (f"prefecture:{pref}", seed.login)
        for pref in sqlite_network.topology
        for seed in PREFECTURE_SEED_ACCOUNTS
    }
    assert expected <= set(by_key)
    assert ("131075", "tanaka.ichiro") in by_key  # the municipalities' lines as before
    # … in the order they always had: every register's accounts first (a register and its
    # CS share the code at the start of their lines; the README's first screen and the
    # readers of this file take the first 131075 line as the counter clerk's).
    first = next(login for key, login, *_rest in lines if key == "131075")
    assert first == "tanaka.ichiro"
    for key, base in (
        ("prefecture:13", "/prefecture/13/console"),
        ("national", "/national/console"),
    ):
        login = next(login for k, login in expected if k == key)
        with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
            assert log_in(client, base, login, *by_key[(key, login)]) == 303
            assert client.get(f"{base}/").status_code == 200
        with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
            other = "/prefecture/11/console" if key == "national" else "/national/console"
            token = csrf_of(client.get(f"{other}/login").text)
            password = by_key[(key, login)][0]
            data = {"login": login, "password": password, "csrf": token}
            assert client.post(f"{other}/login", data=data).status_code == 401  # not theirs
    # The CS's administrator reaches the shared 利用者・権限の管理 page; its terminal
    # operator does not (yamada.jiro holds identity_inquiry only).
    for login, status in (("sasaki.akira", 200), ("yamada.jiro", 403)):
        with TestClient(network_app(sqlite_network), follow_redirects=False) as client:
            base = "/cs/131075/console"
            assert log_in(client, base, login, *by_key[("131075", login)]) == 303
            assert client.get(f"{base}/operators").status_code == status
    ensure_console_accounts(sqlite_network, tmp_path)
    assert len(path.read_text().splitlines()) == len(lines)  # a second start adds nothing
