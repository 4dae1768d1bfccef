"""JPKI's links (000 §2.3, §2.4, F3-USE-01; 公的個人認証法 第3条, 第22条): the mayor's
applications and requests come through the municipality's CS and are answered to it; the
national server sends 異動等失効情報 without the 個人番号; nothing passes between the card
management system and JPKI; JPKI sends to no one but the CS that asked, and J-LIS's
証明書交付センター its verdict on a kiosk's certificate."""

from __future__ import annotations

from juki.core.jpki_messages import JpkiCardStatus, JpkiChange, JpkiIssued, JpkiIssueRequest
from juki.core.messages import MessageType as T
from juki.core.messaging.paths import PERMITTED, is_permitted
from juki.network.topology import DEFAULT_TOPOLOGY, node_ids

JPKI = "jpki"


def test_jpki_is_reached_only_by_the_cs_the_national_server_and_the_relying_parties() -> None:
    """The kiosk centre and マイナポータル ask about a 利用者証明用 certificate; JPKI's one
    message out of its own world is the portal holder's code, to J-LIS's national server."""
    into = {pair[0]: types for pair, types in PERMITTED.items() if pair[1] == JPKI}
    assert into == {
        "cs": frozenset({T.JPKI_ISSUE, T.JPKI_CARD_STATUS}),
        "national": frozenset({T.JPKI_CHANGE}),
        "kiosk": frozenset({T.KIOSK_IDENTIFY}),
        "portal": frozenset({T.PORTAL_IDENTIFY}),
    }
    out = {pair[1]: types for pair, types in PERMITTED.items() if pair[0] == JPKI}
    assert out == {
        "cs": frozenset({T.JPKI_ISSUED}), "kiosk": frozenset({T.KIOSK_IDENTIFIED}),
        "portal": frozenset({T.PORTAL_IDENTIFIED}), "national": frozenset({T.PORTAL_CODE}),
    }  # fmt: skip
    for node in node_ids(DEFAULT_TOPOLOGY):
        if node.startswith(("card", "registry", "prefecture", "numbering")):
            assert not any(is_permitted(node, JPKI, t) for t in T), node
            assert not any(is_permitted(JPKI, node, t) for t in T), node


def test_no_record_to_or_from_jpki_has_a_place_for_the_individual_number() -> None:
    for model in (JpkiIssueRequest, JpkiIssued, JpkiCardStatus, JpkiChange):
        assert not [f for f in model.model_fields if "number" in f and "card" not in f], model
    # and the card system's data never goes there (F3-USE-01): its one relay is to the CS
    assert not any(is_permitted("card", JPKI, t) for t in T)
