"""The CS is never connected to the 宛名管理システム (001a USE-1-3), as far as software can
show it: the network's permitted paths give a CS links only to its own registry, its own
prefecture, the national server (number requests, 整合) and other municipalities' CS
(特例転入, 転入通知, 広域交付); a receiver refuses anything else. The ward's internal systems
(宛名管理 and the other 庁内連携 recipients) are API clients of the registry alone: the
linkage duty exists only at the registry, so no such client can be given a right at the CS.
The physical separation of the networks is the municipality's (ORG/PLAT)."""

from __future__ import annotations

import itertools

import pytest

from juki.core.errors import InvalidInput
from juki.core.messages import MessageType
from juki.core.messaging.paths import PERMITTED, is_permitted
from juki.cs import api as cs_api
from juki.duties.operators import clients
from juki.duties.operators.accounts import SETUP
from juki.duties.operators.duties import DUTIES
from juki.network.embedded import EmbeddedNetwork
from juki.network.topology import DEFAULT_TOPOLOGY, node_ids
from juki.web.rights import route_rights

NODES = node_ids(DEFAULT_TOPOLOGY)


def linked(a: str, b: str) -> bool:
    return any(is_permitted(a, b, t) or is_permitted(b, a, t) for t in MessageType)


def test_the_cs_roles_links_are_registry_prefecture_national_and_other_cs() -> None:
    partners = {other for pair in PERMITTED for other in pair if "cs" in pair and other != "cs"}
    # … and J-LIS's card management system, for 送付先情報 only (000 §3.3 1-①), and JPKI
    # for the mayor's applications for a card's certificates and requests on them
    # (公的個人認証法 第3条, 第22条: through the mayor; docs/jpki.md)
    assert partners == {"registry", "prefecture", "national", "card", "jpki"}
    assert ("cs", "cs") in PERMITTED  # CS to CS, between municipalities only


@pytest.mark.parametrize("cs", [n for n in NODES if n.startswith("cs:")])
def test_each_cs_is_linked_only_to_its_own_registry_and_prefecture_the_nation_and_cs(
    cs: str,
) -> None:
    code = cs.split(":")[1]
    own = {f"registry:{code}", f"prefecture:{code[:2]}", "national", "card", "jpki"}
    others = {n for n in NODES if n.startswith("cs:") and n != cs}
    assert {n for n in NODES if n != cs and linked(cs, n)} == own | others
    assert not linked(cs, "numbering")
    foreign = [n for n in NODES if n.startswith("registry:") and n != f"registry:{code}"]
    assert foreign
    assert not any(linked(cs, n) for n in foreign)


def test_no_node_of_another_kind_can_reach_a_cs() -> None:
    """Whatever a 宛名管理システム would be called on the network, the receiver refuses it."""
    for sender, t in itertools.product(("atena:131075", "linkage:131075", "x"), MessageType):
        assert not is_permitted(sender, "cs:131075", t)
        assert not is_permitted("cs:131075", sender, t)


def test_an_internal_system_gets_no_right_at_the_cs(sqlite_network: EmbeddedNetwork) -> None:
    assert DUTIES["internal_linkage"].roles == {"registry"}
    declared = [line.declared for line in route_rights(cs_api.router)]
    assert declared  # the routes are read (this test can fail)
    assert None not in declared
    assert "internal_linkage" not in {duty for found in declared if found for duty in found.duties}
    node = sqlite_network.node("cs:131075")
    with node.unit_of_work() as uow, pytest.raises(InvalidInput) as refused:
        clients.register_client(
            uow.session, SETUP, node.role, client_id="system:atena", name="宛名管理システム",
            public_key_pem=clients.ClientKey.generate("system:atena").public_pem(),
            rights={"internal_linkage": "read"},
        )  # fmt: skip
    assert refused.value.field == "rights"
