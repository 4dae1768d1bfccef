"""002 REQ-USE-01, REQ-USE-02: the prefectural server is connected to its own CSs and the
national server only — no 宛名管理システム, no 庁内システム. Besides those links, only
registered API clients reach it, for the duties of the legal table (別表第五・第六).
The physical network (dedicated line, no other cabling) is the platform's to show."""

from __future__ import annotations

from juki.core.messages import MessageType
from juki.core.messaging.paths import PERMITTED, is_permitted
from juki.duties.operators.duties import duties_for
from juki.duties.provision import legal_table
from juki.network.topology import DEFAULT_TOPOLOGY, ROLE_PACKAGES, node_ids


def links_of(node_id: str, nodes: list[str]) -> set[str]:
    """Every node that may send a message to `node_id` or receive one from it."""
    return {
        other
        for other in nodes
        if other != node_id
        and any(
            is_permitted(node_id, other, t) or is_permitted(other, node_id, t) for t in MessageType
        )
    }


def test_prefectural_servers_link_only_to_their_cs_and_the_national_server() -> None:
    nodes = node_ids(DEFAULT_TOPOLOGY)
    for pref, municipalities in DEFAULT_TOPOLOGY.items():
        expected = {f"cs:{lg}" for lg in municipalities} | {"national"}
        assert links_of(f"prefecture:{pref}", nodes) == expected
    # The registry (where 宛名 and 庁内連携 live, 001a §3.12) never reaches a prefecture.
    assert not [pair for pair in PERMITTED if set(pair) == {"registry", "prefecture"}]


def test_the_card_system_links_only_to_the_cs_the_national_server_and_the_contractor() -> None:
    """000 §2.4: 送付先情報 from each 市町村CS (receipt back), 異動情報 from the national
    server, the issuance contractor's system (commission, result); no prefecture, registry
    or generator reaches it."""
    nodes = node_ids(DEFAULT_TOPOLOGY)
    cs = {f"cs:{lg}" for lgs in DEFAULT_TOPOLOGY.values() for lg in lgs}
    assert links_of("card", nodes) == cs | {"national", "issuance"}


def test_the_network_has_no_addressee_or_internal_system_role() -> None:
    roles = {
        "registry",
        "cs",
        "prefecture",
        "national",
        "numbering",
        "card",
        "jpki",
        "kiosk",
        "issuance",
    }
    assert set(ROLE_PACKAGES) == roles
    assert {role for pair in PERMITTED for role in pair} == roles


def test_api_callers_at_the_prefecture_serve_only_legal_table_duties() -> None:
    duties = {d.code for d in duties_for("prefecture")}
    assert "identity_inquiry" in duties
    assert "internal_linkage" not in duties  # the municipal 庁内連携 has no counterpart here
    rows = legal_table.rows_for("prefecture:13")
    assert rows
    assert {row.table for row in rows} <= {"別表第五", "別表第六"}
