"""Issue #16's first must-hold, over a whole run: every message to or from the information
network, a 中間サーバー or マイナポータル is captured while people are born, move between the
two institutions, get a card, are protected by a 支援措置, are asked about (provided,
refused, held and reviewed), change 住民票コード and log in to the portal to read their
records — and none carries a 個人番号 (by value, and by pattern with check digit) or a
住民票コード other than J-LIS's to the network."""

from __future__ import annotations

from pathlib import Path

from juki.core.messages import MessageType
from juki.intermediate import review
from juki.registry.notices import changes, schemas
from tests.conftest import born, event_status, make_network, record, resident
from tests.e2e.test_exchange import ask, family_that_moved, protect
from tests.e2e.test_fugo import (
    ADDRESSES,
    CHIYODA,
    SUMIDA,
    TODAY,
    assert_no_number_beyond_jlis,
    capture,
    move,
    number_of,
)
from tests.e2e.test_portal import browser, log_in, records_page, sumida_asks_chiyoda
from tests.kiosk.helpers import holder


def test_no_individual_number_crosses_the_network_in_a_whole_run(tmp_path: Path) -> None:
    network = make_network(tmp_path, "sqlite", institutions=(SUMIDA, CHIYODA))
    try:
        seen = capture(network)
        people: list[tuple[str, int]] = []
        # Births at both; a family that moved from 千代田区 to 墨田区, asked about.
        people.append((SUMIDA, born(network, SUMIDA, address=ADDRESSES[SUMIDA])))
        chiyoda_rid, sumida_rid = family_that_moved(network)
        people += [(CHIYODA, chiyoda_rid), (SUMIDA, sumida_rid)]
        assert ask(network, chiyoda_rid)[1]["outcome"] == "provided"
        assert ask(network, chiyoda_rid, task="別の事務")[1]["outcome"] == "refused"
        # Protected by a 支援措置: held, then reviewed and provided.
        protect(network, sumida_rid)
        _query_id, answer = ask(network, chiyoda_rid)
        assert answer["outcome"] == "not_provided"
        with network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
            [held] = review.waiting(uow)
            review.decide(uow, held.permit_id, "provide", "nishi.aki@M-01", "")
        network.pump()
        # A holder with a card, asked about, who moves to 千代田区 and back, changes
        # 住民票コード, and reads the records at the portal.
        person = holder(network, tmp_path)
        people.append((SUMIDA, person.resident_id))
        sumida_asks_chiyoda(network, person.resident_id)
        there = move(network, person.resident_id, SUMIDA, CHIYODA)
        people.append((CHIYODA, there))
        event = record(
            network, CHIYODA, changes.change_resident_code, there,
            schemas.ResidentCodeChangeNotice(change_date=TODAY),
        )  # fmt: skip
        assert event_status(network, CHIYODA, event) == ("applied", None)
        network.pump()
        client = browser(network)
        assert log_in(network, client, person).endswith("/portal/records")
        assert 'id="records"' in records_page(network, client)
        numbers = {number_of(network, lg, rid) for lg, rid in people}
        codes = {resident(network, lg, rid).resident_code for lg, rid in people}
        assert len(numbers) == 3  # three people (a move keeps the number)
        assert_no_number_beyond_jlis(seen, numbers, codes)
        kinds = {e["type"] for e in seen.envelopes}
        for kind in (
            MessageType.INFONET_QUERY, MessageType.PROVISION_PERMIT, MessageType.INFONET_ANSWER,
            MessageType.INFONET_RESULT, MessageType.FUGO_ISSUED, MessageType.FUGO_REKEY,
            MessageType.PORTAL_IDENTIFY, MessageType.PORTAL_RECORDS, MessageType.FUKUHON_REGISTER,
        ):  # fmt: skip
            assert kind in kinds, kind  # the run went through every kind (this can fail)
    finally:
        network.destroy()
