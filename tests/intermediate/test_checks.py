"""副本の突合 (001a NWS-7-3): the 中間サーバー compares its 副本 with the register's originals
(as digests, through the 統合宛名), and reports by 統合宛名番号 what differs, what has no
副本 and what has no original — none on a healthy network; each kind when made so. Nothing
personal travels."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.messages import MessageType
from juki.intermediate import checks
from juki.intermediate.models import Fukuhon
from juki.network.embedded import EmbeddedNetwork
from tests.conftest import BACKENDS, born, make_network
from tests.e2e.test_exchange import family_that_moved
from tests.e2e.test_fugo import ADDRESSES, CHIYODA, SUMIDA, capture, number_of
from tests.intermediate.test_console import BASE, NODE, REVIEWER
from tests.staff import csrf_of, logged_in


@pytest.fixture(params=BACKENDS)
def checks_network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, request.param, institutions=(SUMIDA, CHIYODA))
    yield net
    net.destroy()


def check(network: EmbeddedNetwork) -> tuple[dict[str, int], dict[str, str], int | None]:
    with network.node(NODE).unit_of_work() as uow:
        check_id = checks.start(uow, "kudo.rie").id
    network.pump()
    with network.node(NODE).unit_of_work() as uow:
        run, counts, off = checks.report(uow, check_id)
        return counts, {str(item.atena_id): item.result for item in off}, run.originals


def test_the_copies_match_the_originals_and_each_difference_is_found(
    checks_network: EmbeddedNetwork,
) -> None:
    people = [born(checks_network, SUMIDA, address=ADDRESSES[SUMIDA]) for _ in range(3)]
    family_that_moved(checks_network)
    seen = capture(checks_network)
    counts, off, originals = check(checks_network)
    assert originals is not None
    assert originals >= 4
    assert counts["same"] == originals
    assert off == {}
    # Only digests and ids travelled: no name, no address, no 個人番号.
    digests = [e for e in seen.envelopes if e["type"] == MessageType.FUKUHON_ORIGINAL]
    carried = sum(len(e["body"]["records"]) for e in digests)
    assert carried == 2 * originals  # register → 統合宛名 → 中間サーバー
    text = json.dumps(digests, ensure_ascii=False)
    assert ADDRESSES[SUMIDA] not in text
    assert not any(number_of(checks_network, SUMIDA, rid) in text for rid in people)
    # Now make the 副本 wrong three ways.
    with checks_network.node(NODE).unit_of_work() as uow:
        copies = uow.session.scalars(select(Fukuhon).order_by(Fukuhon.atena_id)).all()
        changed, dropped = copies[0], copies[1]
        data = json.loads(changed.data)
        data["address"] = "東京都墨田区どこか"
        changed.data = json.dumps(data, ensure_ascii=False)
        uow.session.delete(dropped)
        stray = Fukuhon(
            atena_id="9" * 16, kind=changed.kind, data=changed.data, removed=False,
            hold=False, registered_at=changed.registered_at,
        )  # fmt: skip
        uow.session.add(stray)
        wrong = {changed.atena_id: "differs", dropped.atena_id: "missing", "9" * 16: "extra"}
    counts, off, originals = check(checks_network)
    assert off == wrong
    assert (counts["differs"], counts["missing"], counts["extra"]) == (1, 1, 1)
    assert counts["same"] == originals - 2


def test_staff_start_a_check_and_read_its_result_on_the_console(
    checks_network: EmbeddedNetwork,
) -> None:
    born(checks_network, SUMIDA, address=ADDRESSES[SUMIDA])
    with logged_in(checks_network, NODE, BASE, (REVIEWER,)) as clients:
        client: TestClient = clients[REVIEWER.login]
        token = csrf_of(client.get(f"{BASE}/fukuhon/checks").text)
        started = client.post(f"{BASE}/fukuhon/checks", data={"csrf": token})
        assert started.status_code == 303
        checks_network.pump()
        shown = client.get(started.headers["location"])
        assert shown.status_code == 200
        assert "完了" in shown.text
        assert 'id="count-differs">0<' in shown.text
        assert client.get(f"{BASE}/fukuhon/checks/{'0' * 32}").status_code == 404
