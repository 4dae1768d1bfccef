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


def test_the_cs_never_talks_to_the_addressee_systems_or_the_information_network() -> None:
    """001a USE-1-3: the CS connects to no 宛名管理 or 統合宛名; the 統合宛名 reaches J-LIS
    only through its register (既存住基 → CS), and the network and the 中間サーバー talk
    to no CS, register or 統合宛名 of another kind than the paths name."""
    roles = {
        "registry", "cs", "prefecture", "national", "numbering", "card", "jpki", "kiosk",
        "issuance", "infonet", "atena", "intermediate", "portal",
    }  # fmt: skip
    assert set(ROLE_PACKAGES) == roles
    assert {role for pair in PERMITTED for role in pair} == roles
    linked = {pair for pair in PERMITTED if PERMITTED[pair]}
    for other in ("atena", "intermediate", "infonet"):
        assert ("cs", other) not in linked
        assert (other, "cs") not in linked
    # The network hears from J-LIS, the 中間サーバー and マイナポータル and speaks to those
    # two only; J-LIS hears nothing from it (000 F2-NW-other).
    assert {pair for pair in linked if "infonet" in pair} == {
        ("national", "infonet"), ("infonet", "intermediate"), ("intermediate", "infonet"),
        ("infonet", "portal"), ("portal", "infonet"),
    }  # fmt: skip
    # マイナポータル talks to JPKI (the log-in's certificate) and the network only: never to
    # a register, a CS or an institution's systems.
    assert {pair for pair in linked if "portal" in pair} == {
        ("portal", "jpki"), ("jpki", "portal"), ("infonet", "portal"), ("portal", "infonet"),
    }  # fmt: skip
    # The 中間サーバー never talks to the register or J-LIS.
    assert {pair for pair in linked if "intermediate" in pair} == {
        ("atena", "intermediate"), ("intermediate", "atena"), ("infonet", "intermediate"),
        ("intermediate", "infonet"),
    }  # fmt: skip


def test_one_institution_s_addressee_systems_talk_only_among_themselves() -> None:
    """A register feeds its own 統合宛名 only, which talks to its own 中間サーバー only."""
    assert is_permitted("registry:131075", "atena:131075", MessageType.ATENA_UPDATE)
    assert not is_permitted("registry:131016", "atena:131075", MessageType.ATENA_UPDATE)
    assert is_permitted("atena:131075", "intermediate:131075", MessageType.FUGO_ACQUIRE)
    assert not is_permitted("atena:131016", "intermediate:131075", MessageType.FUGO_ACQUIRE)
    assert not is_permitted("atena:131016", "registry:131075", MessageType.FUGO_REQUEST)
    # Only the network gives a 符号; only J-LIS gives the network a 住民票コード.
    assert is_permitted("infonet", "intermediate:131075", MessageType.FUGO_ISSUED)
    for sender in ("national", "atena:131075", "registry:131075", "cs:131075"):
        assert not is_permitted(sender, "intermediate:131075", MessageType.FUGO_ISSUED)
    for sender in ("cs:131075", "registry:131075", "intermediate:131075", "atena:131075"):
        assert not is_permitted(sender, "infonet", MessageType.FUGO_RESIDENT_CODE)


def test_api_callers_at_the_prefecture_serve_only_legal_table_duties() -> None:
    duties = {d.code for d in duties_for("prefecture")}
    assert "identity_inquiry" in duties
    assert "internal_linkage" not in duties  # the municipal 庁内連携 has no counterpart here
    rows = legal_table.rows_for("prefecture:13")
    assert rows
    assert {row.table for row in rows} <= {"別表第五", "別表第六"}
