"""000 §2.4, F3-USE-01: the card management system takes 送付先情報 only from a 市町村CS and
the residents' changes only from the national server; it answers the CS, and sends nothing
to the national server (no reading or updating there). Anything else is refused and logged."""

from __future__ import annotations

import pytest

from juki.core.messages import MessageType
from juki.core.messaging.paths import PERMITTED, is_permitted
from juki.network.embedded import EmbeddedNetwork
from tests.core.messaging.test_node import envelope_from, next_seq, refusals

CARD = "card"


@pytest.mark.parametrize(
    ("sender", "message_type"),
    [
        ("registry:131075", MessageType.DESTINATION_INFO),  # the registry goes through its CS
        ("prefecture:13", MessageType.CARD_CHANGE),
        ("national", MessageType.DESTINATION_INFO),
        ("cs:131075", MessageType.CARD_CHANGE),
        ("numbering", MessageType.CARD_CHANGE),
        ("cs:131075", MessageType.IDENTITY_UPDATE),
    ],
)
def test_the_card_system_refuses_anything_off_its_paths(
    sqlite_network: EmbeddedNetwork, sender: str, message_type: str
) -> None:
    raw = envelope_from(
        sqlite_network, sender, CARD, next_seq(sqlite_network, sender, CARD), message_type,
        {"records": []},
    )  # fmt: skip
    [ack] = sqlite_network.node(CARD).receive([raw])
    assert ack.status == "refused"
    assert refusals(sqlite_network, CARD) == 1


@pytest.mark.parametrize(
    ("sender", "message_type"),
    [("cs:131075", MessageType.DESTINATION_INFO), ("national", MessageType.CARD_CHANGE)],
)
def test_the_card_system_accepts_its_two_inputs(
    sqlite_network: EmbeddedNetwork, sender: str, message_type: str
) -> None:
    raw = envelope_from(
        sqlite_network, sender, CARD, next_seq(sqlite_network, sender, CARD), message_type,
        {"records": []},
    )  # fmt: skip
    [ack] = sqlite_network.node(CARD).receive([raw])
    assert ack.status == "applied"


def test_personal_data_leaves_the_card_system_for_no_one() -> None:
    """What it sends: the receipt (keys, no personal item), 個人番号カード管理情報 (the
    1-⑪ whitelist, `CardInfo`), File 3's 整合 differences (codes and item names) and the
    chip's contents written again for the counter (`ChipRewrite`: a PIN reset, a card face
    changed) and a card's use for the counter's check (`CardStatusAnswer`: its state
    only), to a CS only; the commission (C20) and its answers, to the
    issuance contractor only (000 §2.4 (ii)). Nothing goes to the national server, the
    generator, a prefecture or straight to a registry (F3-USE-01, F3-PRV-05)."""
    sent = {pair: types for pair, types in PERMITTED.items() if pair[0] == CARD}
    assert sent == {
        (CARD, "cs"): frozenset(
            {
                MessageType.DESTINATION_RECEIPT,
                MessageType.CARD_INFO,
                MessageType.CONSISTENCY_RESULT,
                MessageType.CARD_CHIP,
                MessageType.CARD_STATUS,
            }
        ),
        (CARD, "issuance"): frozenset({MessageType.CARD_COMMISSION, MessageType.CARD_MADE_ANSWER}),
    }
    for other in ("national", "numbering", "prefecture:13", "registry:131075"):
        assert not any(is_permitted(CARD, other, t) for t in MessageType)
