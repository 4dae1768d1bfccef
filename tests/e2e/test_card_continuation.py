"""継続利用 end to end (issue #15; 001a §3.3 3-⑥), on SQLite and PostgreSQL: a holder of a
card from 墨田区 moves to 千代田区 with it (特例転入). Until 千代田区 reports the card kept
in use, the kiosk sends them to their new counter; after, J-LIS's card system holds the
card under 千代田区, JPKI's 利用者証明用 certificate is answered for there, the kiosk gets
千代田区's copy, and a suspension is 千代田区's to make (墨田区's report is refused)."""

from __future__ import annotations

import uuid
from pathlib import Path

from sqlalchemy import func, select

from juki.card.models import CardFileEntry, ExchangeLog, WaitingContinuation
from juki.core.clock import japan_today
from juki.core.jpki_messages import JpkiCardStatus
from juki.core.messages import CardReport, MessageType
from juki.jpki.models import IssuedCertificate
from juki.network.embedded import EmbeddedNetwork
from juki.registry.notices import moves, schemas
from juki.registry.transfers import service as transfers
from juki.registry.transfers.schemas import SpecialMoveInNotice
from tests.conftest import resident
from tests.e2e.test_reissue import card_desk
from tests.jpki.helpers import IDENTITY, holder_key, public_pem
from tests.kiosk.helpers import Holder, holder, pdf_text, terminal, visit
from tests.registry.helpers import INTAKE, card_read, run

OLD, NEW = "131075", "131016"  # 墨田区 → 千代田区
NEW_ADDRESS = "東京都千代田区麹町一丁目1番1号"


def moved_with_card(network: EmbeddedNetwork, person: Holder) -> int:
    """特例転入 墨田区 → 千代田区 with the card; the new 宛名番号."""
    out = schemas.MoveOutNotice(
        intake=INTAKE, change_date=japan_today(), destination_address=NEW_ADDRESS
    )
    run(network, moves.record_move_out, person.resident_id, out, lg=OLD)
    network.pump()
    code = resident(network, OLD, person.resident_id).resident_code
    check = card_read(network, NEW, code, person.card_issue_number)  # 3-①: the card read
    request_id = run(network, transfers.request_certificate, check, "kakari", lg=NEW)
    network.pump()
    notice = SpecialMoveInNotice(
        intake=INTAKE, change_date=japan_today(), address=NEW_ADDRESS, request_id=request_id
    )
    event = run(network, transfers.record_special_move_in, notice, lg=NEW)
    network.pump()
    return int(event.resident_id)


def jpki_lg(network: EmbeddedNetwork, card: str) -> set[tuple[str, str, str]]:
    with network.node("jpki").db.session() as session:
        rows = session.scalars(
            select(IssuedCertificate).where(IssuedCertificate.card_issue_number == card)
        )
        return {(c.kind, c.status, c.lg_code) for c in rows}


def test_a_card_kept_in_use_after_a_move_serves_at_the_new_municipality(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    person = holder(network, tmp_path)
    new_id = moved_with_card(network, person)
    # The 転入 revoked the 署名用 certificate (the address changed); the 利用者証明用 one
    # lives on, still answered for by 墨田区.
    assert jpki_lg(network, person.card_issue_number) == {
        ("sign", "revoked", OLD), ("auth", "valid", OLD),
    }  # fmt: skip
    before = visit(network, terminal(network), person)
    assert before.status == "refused"
    assert before.reason is not None
    assert "継続利用" in before.reason

    desk = card_desk(network, NEW)
    sent = desk.post(
        f"/registry/{NEW}/card-continuations",
        json={"resident_id": new_id, "card_issue_number": person.card_issue_number},
    )
    assert sent.status_code == 202, sent.text
    network.pump()
    (done,) = desk.get(f"/registry/{NEW}/residents/{new_id}/card-continuations").json()
    assert done["status"] == "done", done
    (card,) = desk.get(f"/registry/{NEW}/residents/{new_id}/cards").json()
    assert (card["card_issue_number"], card["status"]) == (person.card_issue_number, "active")
    # the former municipality's register is told the card has gone (no longer 交付済 there)
    (old_card,) = person.desk.get(f"/registry/{OLD}/residents/{person.resident_id}/cards").json()
    assert old_card["status"] == "moved_away"
    with network.node("card").db.session() as session:
        entry = session.scalar(
            select(CardFileEntry).where(CardFileEntry.card_issue_number == person.card_issue_number)
        )
        assert entry is not None
        assert entry.lg_code == NEW
        # File 3 items 80, 108, 111: who sent it first, when it moved in, from where
        assert (entry.source_lg_code, entry.previous_lg_code) == (OLD, OLD)
        assert entry.moved_in_on == japan_today()
    assert ("auth", "valid", NEW) in jpki_lg(network, person.card_issue_number)

    kiosk = terminal(network)
    after = visit(network, kiosk, person)
    assert after.status == "ready", after.reason
    text = pdf_text(kiosk.collect(after)).replace("\u3000", "")
    assert "千代田区長" in text
    assert NEW_ADDRESS in text

    # The new municipality may apply for a new 署名用 certificate with the new address.
    sign_key = holder_key()
    applied = desk.post(
        f"/registry/{NEW}/cards/{person.card_issue_number}/certificates",
        json={"sign_public_key": public_pem(sign_key), **IDENTITY},
    )
    assert applied.status_code == 202, applied.text
    network.pump()
    assert ("sign", "valid", NEW) in jpki_lg(network, person.card_issue_number)

    # The card is 千代田区's now: its suspension holds the certificate; 墨田区's is refused.
    old_desk = person.desk
    refused = old_desk.post(
        f"/registry/{OLD}/cards/{person.card_issue_number}/reports",
        json={"kind": "suspended", "reason": "紛失の届出"},
    )
    assert refused.status_code == 202
    network.pump()
    assert ("auth", "valid", NEW) in jpki_lg(network, person.card_issue_number)
    held = desk.post(
        f"/registry/{NEW}/cards/{person.card_issue_number}/reports",
        json={"kind": "suspended", "reason": "紛失の届出"},
    )
    assert held.status_code == 202, held.text
    network.pump()
    assert ("auth", "on_hold", NEW) in jpki_lg(network, person.card_issue_number)
    assert visit(network, terminal(network), person).status == "refused"


def test_another_municipality_cannot_take_the_card_over(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """川越市 reports 継続利用 of the card of someone who never moved there, with the right
    住民票コード: J-LIS's card system refuses (the relay puts them in 墨田区) and answers
    nothing; the card stays 墨田区's, and JPKI's certificates too."""
    person = holder(network, tmp_path)
    code = resident(network, OLD, person.resident_id).resident_code
    other = "112011"
    report = CardReport(
        report_id=str(uuid.uuid4()), kind="continued_use", lg_code=other,
        card_issue_number=person.card_issue_number, done_on=japan_today(),
        operator_id="x", terminal_id="y", resident_code=code,
    )  # fmt: skip
    transfer = JpkiCardStatus(
        request_id=str(uuid.uuid4()), lg_code=other,
        card_issue_number=person.card_issue_number, action="transfer", operator_id="x",
        terminal_id="y",
    )  # fmt: skip
    with network.node(f"cs:{other}").unit_of_work() as uow:
        uow.send("card", MessageType.CARD_REPORT, report.model_dump(mode="json"))
        uow.send("jpki", MessageType.JPKI_CARD_STATUS, transfer.model_dump(mode="json"))
    network.pump()
    with network.node("card").db.session() as session:
        entry = session.scalar(
            select(CardFileEntry).where(CardFileEntry.card_issue_number == person.card_issue_number)
        )
        assert entry is not None
        assert entry.lg_code == OLD
    assert jpki_lg(network, person.card_issue_number) == {
        ("sign", "valid", OLD), ("auth", "valid", OLD),
    }  # fmt: skip


def continued_use_from(network: EmbeddedNetwork, lg: str, card: str, code: str) -> None:
    """A 継続利用 report from `lg`'s CS (its own outbox, in its channel's order), delivered
    at once — ahead of anything the 転入 will send later on other channels."""
    report = CardReport(
        report_id=str(uuid.uuid4()), kind="continued_use", lg_code=lg, card_issue_number=card,
        done_on=japan_today(), operator_id="kakari", terminal_id="T1", resident_code=code,
    )  # fmt: skip
    with network.node(f"cs:{lg}").unit_of_work() as uow:
        uow.send("card", MessageType.CARD_REPORT, report.model_dump(mode="json"))
    network.pump()


def card_results(network: EmbeddedNetwork, card: str) -> tuple[str, list[str], int]:
    with network.node("card").db.session() as session:
        entry = session.scalar(select(CardFileEntry).where(CardFileEntry.card_issue_number == card))
        assert entry is not None
        results = session.scalars(
            select(ExchangeLog.result)
            .where(ExchangeLog.key == card, ExchangeLog.kind == "counter_report")
            .order_by(ExchangeLog.id)
        ).all()
        waiting = session.scalar(select(func.count()).select_from(WaitingContinuation))
        after_handover = [r for r in results if r not in ("ready", "handed_over")]
        return entry.lg_code, after_handover, int(waiting or 0)


def test_a_continued_use_reported_before_the_relay_waits_for_it(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """The report (register → CS → card) can beat the national server's relay of the 転入
    (four hops): it used to be refused with no answer, and the new municipality waited for
    good. Now it is kept, and taken up — answered — when the relay arrives."""
    person = holder(network, tmp_path)
    code = resident(network, OLD, person.resident_id).resident_code
    out = schemas.MoveOutNotice(
        intake=INTAKE, change_date=japan_today(), destination_address=NEW_ADDRESS
    )
    run(network, moves.record_move_out, person.resident_id, out, lg=OLD)
    network.pump()  # the 転出 is relayed to File 3
    continued_use_from(network, NEW, person.card_issue_number, code)
    assert card_results(network, person.card_issue_number) == (
        OLD, ["waiting:move_not_relayed"], 1,
    )  # fmt: skip
    check = card_read(network, NEW, code, person.card_issue_number)
    request_id = run(network, transfers.request_certificate, check, "kakari", lg=NEW)
    network.pump()
    notice = SpecialMoveInNotice(
        intake=INTAKE, change_date=japan_today(), address=NEW_ADDRESS, request_id=request_id
    )
    run(network, transfers.record_special_move_in, notice, lg=NEW)
    network.pump()  # the 転入's relay reaches File 3: the waiting report is taken up
    assert card_results(network, person.card_issue_number) == (
        NEW, ["waiting:move_not_relayed", "continued_use"], 0,
    )  # fmt: skip


def test_a_waiting_report_goes_when_the_holder_moved_in_elsewhere(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """川越市 reports the card of a holder who left 墨田区 but then moved in at 千代田区: kept
    while the 転入 was unknown, dropped unanswered when the relay shows it elsewhere."""
    person = holder(network, tmp_path)
    code = resident(network, OLD, person.resident_id).resident_code
    out = schemas.MoveOutNotice(
        intake=INTAKE, change_date=japan_today(), destination_address=NEW_ADDRESS
    )
    run(network, moves.record_move_out, person.resident_id, out, lg=OLD)
    network.pump()
    continued_use_from(network, "112011", person.card_issue_number, code)
    check = card_read(network, NEW, code, person.card_issue_number)
    request_id = run(network, transfers.request_certificate, check, "kakari", lg=NEW)
    network.pump()
    notice = SpecialMoveInNotice(
        intake=INTAKE, change_date=japan_today(), address=NEW_ADDRESS, request_id=request_id
    )
    run(network, transfers.record_special_move_in, notice, lg=NEW)
    network.pump()
    assert card_results(network, person.card_issue_number) == (
        OLD, ["waiting:move_not_relayed", "refused:moved_elsewhere"], 0,
    )  # fmt: skip
