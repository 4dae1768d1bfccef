"""The prefecture's own staff calling its API through a registered system."""

from __future__ import annotations

from fastapi.testclient import TestClient

from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app

PREF = "13"


def staff(
    network: EmbeddedNetwork, client_id: str, operator: str, rights: dict[str, str]
) -> TestClient:
    """A system of the 東京都 office registered with `rights`, acting for `operator`."""
    node = network.node(f"prefecture:{PREF}")
    key = clients.ClientKey.generate(client_id)
    with node.unit_of_work() as uow:
        clients.register_client(
            uow.session, SETUP, node.role, client_id=client_id, name="東京都 業務端末",
            public_key_pem=key.public_pem(), rights=rights, operators=[operator],
        )  # fmt: skip
    client = TestClient(network_app(network))
    client.auth = ClientAuth(key, operator, "pref-terminal-1")
    return client
