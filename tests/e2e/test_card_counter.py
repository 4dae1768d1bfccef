"""The card counter end to end (issue #15; 000 §3.3 1-⑪ and 8-①, C23), on SQLite and
PostgreSQL: a card made by the issuance contractor reaches 墨田区's register as awaiting
handover; the counter's 交付前設定, 交付, 一時停止, 解除, 廃止 and 回収 go register → CS →
J-LIS's card system, move the card through its lifecycle there, and come back as
個人番号カード管理情報 with a result code; what the lifecycle does not allow is refused and
changes nothing on either side; another municipality cannot report on the card, and is
sent nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.card.models import CardEvent, CardFileEntry, ExchangeLog
from juki.card.service import held_info
from juki.core.clock import japan_today
from juki.core.messages import MessageType
from juki.core.messaging import tables
from juki.duties.search import ProvisionLog
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import changes, moves, schemas
from tests.card.helpers import CARD, application, contractor, held_person, jlis, run_line
from tests.conftest import record, resident
from tests.core.messaging.test_node import envelope_from, next_seq
from tests.e2e.test_reissue import card_desk
from tests.registry.helpers import INTAKE

LG = "131075"
CHECKED = {"id_document": "運転免許証", "face_matched": True, "notice_presented": True}


def card_made(network: EmbeddedNetwork, **overrides: Any) -> tuple[int, CardFileEntry]:
    rid, entry = held_person(network, **overrides)
    assert contractor(network).post("/card/applications", json=application(entry.application_id))
    run_line(network)  # commissioned, made by the contractor, accepted, shipped (C20–C22)
    with network.node(CARD).db.session() as session:
        stored = session.get(CardFileEntry, entry.id)
        assert stored is not None
        session.expunge(stored)
    return rid, stored


def at_register(desk: TestClient, rid: int) -> dict[str, Any]:
    (card,) = desk.get(f"/registry/{LG}/residents/{rid}/cards").json()
    return dict(card)


def at_jlis(network: EmbeddedNetwork, entry_id: int) -> str:
    with network.node(CARD).db.session() as session:
        stored = session.get(CardFileEntry, entry_id)
        assert stored is not None
        return stored.status


def report(
    network: EmbeddedNetwork, desk: TestClient, number: str, kind: str, reason: str = ""
) -> None:
    if kind == "handed_over":  # 交付: with the identity check (F3-ACQ-04)
        sent = desk.post(f"/registry/{LG}/cards/{number}/handover", json=CHECKED)
    else:
        sent = desk.post(
            f"/registry/{LG}/cards/{number}/reports", json={"kind": kind, "reason": reason}
        )
    assert sent.status_code == 202, sent.text
    network.pump()


def test_a_card_goes_through_the_counter_and_both_sides_agree(network: EmbeddedNetwork) -> None:
    rid, entry = card_made(network)
    desk = card_desk(network)
    number = entry.card_issue_number
    assert number is not None
    assert at_register(desk, rid)["status"] == "awaiting_handover"
    steps = [
        ("ready", "", "ready", "ready"),
        ("handed_over", "", "active", "active"),
        ("suspended", "", "active", "active"),  # no reason: refused, nothing changes
        ("suspended", "紛失の届出", "suspended", "suspended"),
        ("collected", "", "suspended", "suspended"),  # not from a suspension: refused
        ("resumed", "", "active", "active"),
        ("resumed", "", "active", "active"),  # not suspended: refused
        ("abolished", "転出（国外）", "abolished", "abolished"),
        ("collected", "", "collected", "collected"),
    ]
    for kind, reason, register_status, jlis_status in steps:
        report(network, desk, number, kind, reason)
        assert at_register(desk, rid)["status"] == register_status, kind
        assert at_jlis(network, entry.id) == jlis_status, kind
    with network.node(CARD).db.session() as session:
        moves = session.scalars(
            select(CardEvent).where(CardEvent.entry_id == entry.id).order_by(CardEvent.id)
        ).all()
        stored = session.get(CardFileEntry, entry.id)
        assert stored is not None
        assert (stored.abolition_reason, stored.collected_on) == ("転出（国外）", japan_today())
        results = [
            r.result for r in session.scalars(select(ExchangeLog).where(ExchangeLog.key == number))
        ]
    assert [m.to_state for m in moves][-6:] == [
        "ready", "active", "suspended", "active", "abolished", "collected",
    ]  # fmt: skip
    assert all("@cs:131075" in m.actor for m in moves[-6:])  # the operator, via the CS
    assert results.count("refused:card_state") == 2
    assert results.count("refused:invalid_input") == 1


def test_another_municipality_cannot_report_on_the_card_and_is_sent_nothing(
    network: EmbeddedNetwork,
) -> None:
    _rid, entry = card_made(network)
    number = entry.card_issue_number
    other = "cs:131016"  # 千代田区's CS, with a valid certificate of the network
    forged = {
        "report_id": "r-0000001", "kind": "abolished", "lg_code": "131016",
        "card_issue_number": number, "done_on": "2026-12-07", "reason": "なりすまし",
        "operator_id": "someone", "terminal_id": "t-1",
    }  # fmt: skip
    raw = envelope_from(
        network, other, CARD, next_seq(network, other, CARD), MessageType.CARD_REPORT,
        {"records": [forged]},
    )  # fmt: skip
    [ack] = network.node(CARD).receive([raw])
    assert ack.status == "applied"  # taken, and refused inside
    assert at_jlis(network, entry.id) == "issued"  # unchanged
    with network.node(CARD).db.session() as session:
        (refused,) = session.scalars(
            select(ExchangeLog).where(
                ExchangeLog.key == number, ExchangeLog.kind == "counter_report"
            )
        ).all()
        to_other = session.execute(
            select(tables.outbox.c.envelope).where(tables.outbox.c.recipient == other)
        ).all()
    assert refused.result == "refused:not_in_jurisdiction"
    assert to_other == []  # no 個人番号 goes to a municipality without the card


def card_in_use(network: EmbeddedNetwork) -> tuple[int, CardFileEntry, TestClient, str]:
    """A card made, set up and handed over at 墨田区's counter."""
    rid, entry = card_made(network)
    desk = card_desk(network)
    number = entry.card_issue_number
    assert number is not None
    report(network, desk, number, "ready")
    report(network, desk, number, "handed_over")
    return rid, entry, desk, number


def test_a_death_lapses_the_card_and_the_family_returns_it(network: EmbeddedNetwork) -> None:
    """番号法施行令 第14条: the card lapses with its holder's death. J-LIS's card system
    learns it from the national server's relay (P3.4) and records 廃止 with the cause; the
    register is told (1-⑪); the card returned by the family is then 回収."""
    rid, entry, desk, number = card_in_use(network)
    record(network, LG, moves.record_death, rid, schemas.DeathNotice(change_date=japan_today()))
    network.pump()
    assert at_jlis(network, entry.id) == "abolished"
    assert at_register(desk, rid)["status"] == "abolished"
    with network.node(CARD).db.session() as session:
        stored = session.get(CardFileEntry, entry.id)
        assert stored is not None
        assert (stored.abolition_reason, stored.abolished_on) == ("死亡による失効", japan_today())
        told = session.scalars(
            select(ProvisionLog).where(ProvisionLog.duty_code == "card.info")
        ).all()
    assert told
    assert told[-1].operator.startswith("(住基全国サーバ")
    report(network, desk, number, "collected")  # 返納 by the family
    assert (at_jlis(network, entry.id), at_register(desk, rid)["status"]) == ("collected",) * 2


def test_a_move_does_not_lapse_the_card(network: EmbeddedNetwork) -> None:
    rid, entry, desk, _number = card_in_use(network)
    notice = schemas.MoveWithinNotice(
        intake=INTAKE, change_date=japan_today(), address="東京都墨田区押上一丁目1番1号"
    )
    record(network, LG, moves.record_move_within, rid, notice)
    network.pump()
    assert (at_jlis(network, entry.id), at_register(desk, rid)["status"]) == ("active",) * 2


def test_a_card_handed_back_is_abolished_and_collected_in_one_report(
    network: EmbeddedNetwork,
) -> None:
    """返還 (001a 8-①): at a 国外転出, or whenever the holder chooses, the card handed back
    is reported once — J-LIS records 廃止 with the reason, then 回収."""
    rid, entry, desk, number = card_in_use(network)
    report(network, desk, number, "returned", "国外転出")
    assert (at_jlis(network, entry.id), at_register(desk, rid)["status"]) == ("collected",) * 2
    with network.node(CARD).db.session() as session:
        stored = session.get(CardFileEntry, entry.id)
        assert stored is not None
        assert (stored.abolition_reason, stored.collected_on) == ("返還：国外転出", japan_today())
    report(network, desk, number, "returned", "二度目")  # nothing left to hand back
    assert results_for(network, number)[-1] == "refused:card_state"
    assert at_jlis(network, entry.id) == "collected"


def expiring(network: EmbeddedNetwork, entry_id: int, days: int) -> None:
    """The card's expiry moved to `days` from today (as if issued years ago)."""
    with network.node(CARD).db.session() as session:
        stored = session.get(CardFileEntry, entry_id)
        assert stored is not None
        stored.expires_on = japan_today() + dt.timedelta(days=days)


def register_cards(desk: TestClient, rid: int) -> dict[str, str]:
    cards = desk.get(f"/registry/{LG}/residents/{rid}/cards").json()
    return {card["card_issue_number"]: card["status"] for card in cards}


def results_for(network: EmbeddedNetwork, number: str) -> list[str]:
    """What J-LIS's card system did with each counter report on the card, in order."""
    with network.node(CARD).db.session() as session:
        return list(
            session.scalars(
                select(ExchangeLog.result)
                .where(ExchangeLog.key == number, ExchangeLog.kind == "counter_report")
                .order_by(ExchangeLog.id)
            )
        )


def renewal_forms(network: EmbeddedNetwork, card: CardFileEntry) -> list[CardFileEntry]:
    with network.node(CARD).db.session() as session:
        found = list(
            session.scalars(
                select(CardFileEntry)
                .where(CardFileEntry.renewal_of == card.application_id)
                .order_by(CardFileEntry.id)
            )
        )
        session.expunge_all()
        return found


def made_and_handed_over(
    network: EmbeddedNetwork, desk: TestClient, rid: int, form: str, old: str
) -> str:
    """The renewal form applied for, the card made, set up and handed over: its number."""
    assert contractor(network).post("/card/applications", json=application(form))
    run_line(network)
    new = next(n for n in register_cards(desk, rid) if n != old)
    report(network, desk, new, "ready")
    report(network, desk, new, "handed_over")
    return new


def test_a_renewed_card_is_made_and_its_handover_ends_the_old_one(
    network: EmbeddedNetwork,
) -> None:
    """更新: J-LIS's run tells the mayor of a card expiring within 90 days, once; the
    register sends the holder's 送付先情報 as it stands now (form only), from which the card
    system registers the renewal form; its card's 交付 ends the old card (one valid card at
    a time, 個人番号カード省令 第24条), which the counter then takes back."""
    rid, entry, desk, old = card_in_use(network)
    expiring(network, entry.id, 30)
    staff = jlis(network)
    assert staff.post("/card/expiry-notices").json() == {"renewal_notices": 1, "expired": 0}
    assert staff.post("/card/expiry-notices").json() == {"renewal_notices": 0, "expired": 0}
    network.pump()  # renewal_due → the register's 送付先情報 → the renewal form
    (renewal,) = renewal_forms(network, entry)
    assert (renewal.status, renewal.resident_code) == ("registered", entry.resident_code)
    with network.node(CARD).unit_of_work() as uow:  # the register's record, form only
        stored = uow.session.get(CardFileEntry, renewal.id)
        assert stored is not None
        assert held_info(uow, stored).print_category == "2"
    new = made_and_handed_over(network, desk, rid, renewal.application_id, old)
    assert register_cards(desk, rid) == {old: "abolished", new: "active"}
    assert at_jlis(network, entry.id) == "abolished"
    with network.node(CARD).db.session() as session:
        ended = session.get(CardFileEntry, entry.id)
        assert ended is not None
        assert ended.abolition_reason == "更新（新しいカードの交付）"
    report(network, desk, old, "collected")
    assert register_cards(desk, rid) == {old: "collected", new: "active"}


def test_a_renewal_form_reissued_after_a_change_still_leaves_one_card(
    network: EmbeddedNetwork,
) -> None:
    """Attack review: a name change invalidates the renewal form; the form reissued at the
    counter renews the same card, and its 交付 ends it — never two cards in use."""
    rid, entry, desk, old = card_in_use(network)
    expiring(network, entry.id, 30)
    jlis(network).post("/card/expiry-notices")
    network.pump()
    rename = schemas.NameChangeNotice(
        change_date=japan_today(), name_kanji="墨田\u3000改名",
        name_kana="スミダ\u3000カイメイ",
    )  # fmt: skip
    record(network, LG, changes.record_name_change, rid, rename)
    network.pump()
    assert [f.status for f in renewal_forms(network, entry)] == ["invalidated"]
    asked = desk.post(f"/registry/{LG}/residents/{rid}/application-form-reissue")
    assert asked.status_code == 202, asked.text
    network.pump()
    forms = renewal_forms(network, entry)
    assert [f.status for f in forms] == ["invalidated", "registered"]
    new = made_and_handed_over(network, desk, rid, forms[-1].application_id, old)
    assert register_cards(desk, rid) == {old: "abolished", new: "active"}


def test_a_card_past_its_expiry_is_no_longer_in_use(network: EmbeddedNetwork) -> None:
    rid, entry, desk, number = card_in_use(network)
    report(network, desk, number, "suspended", "紛失")
    expiring(network, entry.id, -1)
    report(network, desk, number, "resumed")  # past its expiry: not in use again
    assert results_for(network, number)[-1] == "refused:card_state"
    assert jlis(network).post("/card/expiry-notices").json() == {
        "renewal_notices": 0, "expired": 1,
    }  # fmt: skip
    network.pump()
    assert (at_jlis(network, entry.id), at_register(desk, rid)["status"]) == ("expired",) * 2
    report(network, desk, number, "returned", "本人から")  # an expired card: straight to 回収
    assert at_jlis(network, entry.id) == "collected"


def test_returned_only_for_a_card_the_holder_had(network: EmbeddedNetwork) -> None:
    _rid, entry = card_made(network)
    desk = card_desk(network)
    number = entry.card_issue_number
    assert number is not None
    report(network, desk, number, "ready")
    report(network, desk, number, "returned", "交付前")
    assert results_for(network, number)[-1] == "refused:card_state"
    assert at_jlis(network, entry.id) == "ready"


def card_for(network: EmbeddedNetwork, lg: str, rid: int) -> str:
    """The person's card from the form mailed at 付番: applied for, made, set up and
    handed over at `lg`'s counter. Its カード発行番号."""
    network.pump()
    code = resident(network, lg, rid).resident_code
    with network.node(CARD).db.session() as session:
        entry = session.scalars(
            select(CardFileEntry)
            .where(CardFileEntry.resident_code == code, CardFileEntry.status == "registered")
            .order_by(CardFileEntry.id.desc())
        ).first()
        assert entry is not None, "no form for the person at J-LIS"
        form = entry.application_id
    assert contractor(network).post("/card/applications", json=application(form))
    run_line(network)
    desk = card_desk(network, lg)
    (card,) = desk.get(f"/registry/{lg}/residents/{rid}/cards").json()
    number = str(card["card_issue_number"])
    sent = desk.post(f"/registry/{lg}/cards/{number}/reports", json={"kind": "ready"})
    assert sent.status_code == 202, sent.text
    network.pump()
    handed = desk.post(f"/registry/{lg}/cards/{number}/handover", json=CHECKED)
    assert handed.status_code == 202, handed.text
    network.pump()
    return number
