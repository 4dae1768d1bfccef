"""交付 with its identity check (issue #15; 000 F3-ACQ-04), on SQLite and PostgreSQL: only a
card set up for it, only with a photo ID other than the card itself, the photo matched and
the 交付通知書 seen; a 交付 reported any other way is refused; a refusal keeps nothing."""

from __future__ import annotations

from sqlalchemy import func, select

from juki.network.embedded import EmbeddedNetwork
from juki.registry.cards.models import CardHandover
from tests.e2e.test_card_counter import CHECKED, LG, at_jlis, card_made, report
from tests.e2e.test_reissue import card_desk


def handovers(network: EmbeddedNetwork) -> int:
    with network.node(f"registry:{LG}").db.session() as session:
        return int(session.scalar(select(func.count()).select_from(CardHandover)) or 0)


def test_a_card_is_handed_over_only_with_the_identity_check(network: EmbeddedNetwork) -> None:
    _rid, entry = card_made(network)
    desk = card_desk(network)
    number = entry.card_issue_number
    url = f"/registry/{LG}/cards/{number}/handover"
    not_ready = desk.post(url, json=CHECKED)
    assert (not_ready.status_code, not_ready.json()["field"]) == (409, "card_issue_number")
    report(network, desk, number or "", "ready")
    refused = [
        (CHECKED | {"id_document": "個人番号カード"}, "id_document"),
        (CHECKED | {"face_matched": False}, "face_matched"),
        (CHECKED | {"notice_presented": False}, "notice_presented"),
        ({k: v for k, v in CHECKED.items() if k != "id_document"}, "id_document"),
    ]
    for body, field in refused:
        answer = desk.post(url, json=body)
        assert answer.status_code == 422, body
        assert field in answer.text
    bypass = desk.post(f"/registry/{LG}/cards/{number}/reports", json={"kind": "handed_over"})
    assert (bypass.status_code, bypass.json()["field"]) == (422, "kind")
    assert handovers(network) == 0
    network.pump()
    assert at_jlis(network, entry.id) == "ready"  # nothing reported
    assert desk.post(url, json=CHECKED).status_code == 202
    network.pump()
    assert (handovers(network), at_jlis(network, entry.id)) == (1, "active")
