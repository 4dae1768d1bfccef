"""マイナポータル end to end (issue #16; 番号法 第23条第3項, 附則第6条第3項; 公的個人認証法
第22条), on SQLite and PostgreSQL: a holder opens a log-in in the browser, the app has the
card sign it with the PIN, JPKI says the 利用者証明用 certificate is good, J-LIS gives the
network the holder's code, the network gives the portal its own 符号; the holder then sees
who asked for what about them — refusals included. No 個人番号 and no 住民票コード reach
the portal; a held, revoked or foreign certificate logs no one in; a log-in is taken once,
by the browser that opened it."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.messages import MessageType
from juki.holder.apdu import CardSession
from juki.infonet import legal_table
from juki.infonet.models import FugoLink
from juki.intermediate import exchange
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.portal.models import PortalHolder
from juki.portal_app.client import PortalApp, PortalRefused
from juki.reader.jpki import CardError, read_auth_certificate, sign_with_auth_key
from tests.conftest import BACKENDS, make_network, resident
from tests.e2e.test_card_counter import report
from tests.e2e.test_fugo import CHIYODA, SUMIDA, Capture, atena_id_of, capture, number_of
from tests.kiosk.helpers import AUTH_PIN, Holder, holder
from tests.staff import csrf_of

CHILD_ALLOWANCE = 106
TASK = legal_table.shipped().rows[CHILD_ALLOWANCE].task
RECORD = "住民票関係情報"
PORTAL = "/portal"


@pytest.fixture(params=BACKENDS)
def portal_network(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[EmbeddedNetwork]:
    net = make_network(tmp_path, request.param, institutions=(SUMIDA, CHIYODA))
    yield net
    net.destroy()


def browser(network: EmbeddedNetwork) -> TestClient:
    return TestClient(network_app(network), follow_redirects=False)


def open_login(client: TestClient) -> str:
    """The holder presses ログイン; the number the page shows."""
    token = csrf_of(client.get(f"{PORTAL}/").text)
    started = client.post(f"{PORTAL}/login", data={"csrf": token})
    assert started.status_code == 303, started.text
    page = client.get(f"{PORTAL}/login")
    assert page.status_code == 200
    found = re.search(r'data-login="([0-9a-f]{32})"', page.text)
    assert found is not None
    return found.group(1)


def app(network: EmbeddedNetwork) -> PortalApp:
    return PortalApp(TestClient(network_app(network)))


def log_in(network: EmbeddedNetwork, client: TestClient, person: Holder) -> str:
    """The whole log-in: browser, app with card and PIN, JPKI, J-LIS, network; the page the
    browser is sent to."""
    number = open_login(client)
    view = app(network).log_in(number, CardSession(person.card).transmit, AUTH_PIN)
    assert view["status"] == "checking", view
    network.pump()
    done = client.get(f"{PORTAL}/login")
    return str(done.headers.get("location", done.status_code))


def records_page(network: EmbeddedNetwork, client: TestClient) -> str:
    asked = client.get(f"{PORTAL}/records")
    assert asked.status_code == 303, asked.status_code
    network.pump()
    shown = client.get(asked.headers["location"])
    assert shown.status_code == 200
    return shown.text


def sumida_asks_chiyoda(network: EmbeddedNetwork, rid: int, task: str = TASK) -> str:
    """墨田区's 児童手当 asks 千代田区 about its own resident (who never lived there)."""
    atena_id = atena_id_of(network, SUMIDA, rid)
    with network.node(f"intermediate:{SUMIDA}").unit_of_work() as uow:
        query_id = exchange.ask(uow, atena_id, CHILD_ALLOWANCE, task, (RECORD,), CHIYODA)
    network.pump()
    return query_id


def no_codes_to_or_from_the_portal(seen: Capture, network: EmbeddedNetwork, rid: int) -> None:
    code = resident(network, SUMIDA, rid).resident_code
    number = number_of(network, SUMIDA, rid)
    hops = [e for e in seen.envelopes if "portal" in (e["sender"], e["recipient"])]
    assert hops  # the capture saw the portal's messages (this can fail)
    for envelope in hops:
        text = json.dumps(envelope, ensure_ascii=False)
        assert code not in text, envelope["type"]
        assert number not in text, envelope["type"]
        assert not re.search(r"(?<!\d)\d{12}(?!\d)", json.dumps(envelope["body"])), envelope["type"]


def test_a_holder_logs_in_with_the_card_and_sees_who_asked(
    portal_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    person = holder(portal_network, tmp_path)
    sumida_asks_chiyoda(portal_network, person.resident_id)  # 千代田区 holds nothing
    sumida_asks_chiyoda(portal_network, person.resident_id, task="児童手当に関する事務")  # refused
    seen = capture(portal_network)
    client = browser(portal_network)
    assert log_in(portal_network, client, person).endswith(f"{PORTAL}/records")
    page = records_page(portal_network, client)
    assert 'id="records"' in page
    rows = re.findall(r"<tr>\s*<td>(.*?)</tr>", page, re.S)
    assert len(rows) == 2
    assert all("墨田区" in r and "千代田区" in r for r in rows)  # who asked whom
    assert "提供なし" in page  # 千代田区 held nothing (told, not why)
    assert "不可" in page  # the query off the table, refused: the person sees it too
    assert TASK in page
    no_codes_to_or_from_the_portal(seen, portal_network, person.resident_id)
    # The route the 符号 came: JPKI → national (the code) → network → portal.
    route = {(e["sender"], e["recipient"], e["type"]) for e in seen.envelopes}
    for hop in [
        ("portal", "jpki", MessageType.PORTAL_IDENTIFY),
        ("jpki", "national", MessageType.PORTAL_CODE),
        ("national", "infonet", MessageType.FUGO_RESIDENT_CODE),
        ("infonet", "portal", MessageType.FUGO_ISSUED),
        ("jpki", "portal", MessageType.PORTAL_IDENTIFIED),
        ("portal", "infonet", MessageType.PORTAL_RECORDS_ASK),
        ("infonet", "portal", MessageType.PORTAL_RECORDS),
    ]:
        assert hop in route, hop
    # The portal's 符号 is its own: unequal to the municipality's for the same person.
    with portal_network.node("infonet").db.session() as session:
        found = session.execute(select(FugoLink.institution, FugoLink.fugo))
        fugos = {r.institution: r.fugo for r in found}
    assert fugos["portal"] != fugos[SUMIDA]
    # Logged out, the records page sends back to the top.
    token = csrf_of(client.get(f"{PORTAL}/records/{'0' * 32}").text)
    assert client.post(f"{PORTAL}/logout", data={"csrf": token}).status_code == 303
    assert client.get(f"{PORTAL}/records").headers["location"].endswith(f"{PORTAL}/")


def test_a_held_or_revoked_certificate_logs_no_one_in(
    portal_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """A card reported lost (一時停止: its certificates held) or abolished (revoked) is
    refused from the next log-in; the portal says why, and no 符号 is given."""
    person = holder(portal_network, tmp_path)
    report(portal_network, person.desk, person.card_issue_number, "suspended", "紛失の届出")
    client = browser(portal_network)
    refused = _last_page(portal_network, client, person)
    assert "一時保留" in refused
    report(portal_network, person.desk, person.card_issue_number, "resumed")
    assert log_in(portal_network, browser(portal_network), person).endswith("/records")
    report(portal_network, person.desk, person.card_issue_number, "abolished", "本人の申出")
    assert "失効" in _last_page(portal_network, browser(portal_network), person)
    with portal_network.node("infonet").db.session() as session:
        links = session.scalars(select(FugoLink).where(FugoLink.institution == "portal")).all()
    assert len(links) == 1  # given once, for the log-in that was good


def _last_page(network: EmbeddedNetwork, client: TestClient, person: Holder) -> str:
    number = open_login(client)
    app(network).log_in(number, CardSession(person.card).transmit, AUTH_PIN)
    network.pump()
    page = client.get(f"{PORTAL}/login")
    assert page.status_code == 403
    return page.text


def test_a_wrong_pin_goes_no_further_than_the_card(
    portal_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    person = holder(portal_network, tmp_path)
    client = browser(portal_network)
    number = open_login(client)
    with pytest.raises(CardError):
        app(portal_network).log_in(number, CardSession(person.card).transmit, "0000")
    portal_network.pump()
    assert client.get(f"{PORTAL}/login").status_code == 200  # still waiting for the card


def test_a_signature_over_another_challenge_or_replayed_is_refused(
    portal_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """A signature the card made for one log-in does not open another; a log-in is
    answered once."""
    person = holder(portal_network, tmp_path)
    first, second = browser(portal_network), browser(portal_network)
    number_1, number_2 = open_login(first), open_login(second)
    api = TestClient(network_app(portal_network))
    view = api.get(f"{PORTAL}/app/logins/{number_1}").json()
    transmit = CardSession(person.card).transmit
    body = {
        "certificate": base64.b64encode(read_auth_certificate(transmit)).decode(),
        "signature": base64.b64encode(
            sign_with_auth_key(transmit, AUTH_PIN, bytes.fromhex(view["to_sign"]))
        ).decode(),
    }
    replayed = api.post(f"{PORTAL}/app/logins/{number_2}/presentation", json=body)
    assert replayed.status_code == 200
    assert replayed.json()["status"] == "refused"
    assert api.post(f"{PORTAL}/app/logins/{number_2}/presentation", json=body).status_code == 409
    assert (
        api.post(f"{PORTAL}/app/logins/{number_1}/presentation", json=body).json()["status"]
        == "checking"
    )
    assert api.post(f"{PORTAL}/app/logins/{number_1}/presentation", json=body).status_code == 409
    portal_network.pump()
    assert second.get(f"{PORTAL}/login").status_code == 403
    assert first.get(f"{PORTAL}/login").headers["location"].endswith("/records")
    with pytest.raises(PortalRefused):
        app(portal_network).log_in(number_1, transmit, AUTH_PIN)  # used


def test_only_the_browser_that_opened_a_login_takes_it(
    portal_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """Another browser that learns the number (over the holder's shoulder) gets nothing:
    the number is not a session; and after log-in the session id is a new one."""
    person = holder(portal_network, tmp_path)
    victim, stranger = browser(portal_network), browser(portal_network)
    number = open_login(victim)
    before = victim.cookies.get("juki_portal")
    app(portal_network).log_in(number, CardSession(person.card).transmit, AUTH_PIN)
    portal_network.pump()
    assert stranger.get(f"{PORTAL}/login").headers["location"].endswith(f"{PORTAL}/")
    assert stranger.get(f"{PORTAL}/records").headers["location"].endswith(f"{PORTAL}/")
    assert victim.get(f"{PORTAL}/login").headers["location"].endswith("/records")
    assert victim.cookies.get("juki_portal") != before  # a new id at log-in


def test_one_holder_cannot_read_another_s_records(
    portal_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    first, second = holder(portal_network, tmp_path), holder(portal_network, tmp_path)
    mine, theirs = browser(portal_network), browser(portal_network)
    log_in(portal_network, mine, first)
    log_in(portal_network, theirs, second)
    asked = theirs.get(f"{PORTAL}/records").headers["location"]
    portal_network.pump()
    assert theirs.get(asked).status_code == 200
    assert mine.get(asked).status_code == 404


def test_a_session_id_planted_before_the_login_takes_nothing(
    portal_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """The attack review's session fixation: an attacker plants their anonymous session id
    in the holder's browser and polls with it. Pressing ログイン gives the browser a new id,
    so the planted one never holds the log-in; and a log-in is taken by one request only."""
    person = holder(portal_network, tmp_path)
    attacker, victim = browser(portal_network), browser(portal_network)
    attacker.get(f"{PORTAL}/")  # an anonymous session, id in the attacker's hands
    [planted] = [c for c in attacker.cookies.jar if c.name == "juki_portal"]
    victim.cookies.jar.set_cookie(planted)
    number = open_login(victim)
    assert victim.cookies.get("juki_portal") != planted.value  # renewed at ログイン
    app(portal_network).log_in(number, CardSession(person.card).transmit, AUTH_PIN)
    portal_network.pump()
    assert attacker.get(f"{PORTAL}/login").headers["location"].endswith(f"{PORTAL}/")
    assert attacker.get(f"{PORTAL}/records").headers["location"].endswith(f"{PORTAL}/")
    assert victim.get(f"{PORTAL}/login").headers["location"].endswith("/records")


def test_the_portal_s_cookie_stays_under_the_portal(portal_network: EmbeddedNetwork) -> None:
    client = browser(portal_network)
    answer = client.get(f"{PORTAL}/")
    cookie = answer.headers["set-cookie"]
    assert "juki_portal=" in cookie
    assert "Path=/portal;" in cookie  # never sent to a staff console on the same host
    assert "HttpOnly" in cookie
    assert "SameSite=Strict" in cookie


def test_a_rekey_onto_a_holder_already_there_merges_them(
    portal_network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """The attack review's stalled channel: a 符号 change naming a 符号 another holder row
    already has made the handler fail on every retry. Now the two rows become one and the
    channel goes on."""
    first, second = holder(portal_network, tmp_path), holder(portal_network, tmp_path)
    for person in (first, second):
        log_in(portal_network, browser(portal_network), person)
    with portal_network.node("portal").db.session() as session:
        fugos = list(session.scalars(select(PortalHolder.fugo).order_by(PortalHolder.id)))
    rekey = {"old_fugo": fugos[0], "new_fugo": fugos[1]}
    with portal_network.node("infonet").unit_of_work() as uow:
        uow.send("portal", MessageType.FUGO_REKEY, rekey)
    portal_network.pump()  # delivered and applied (it raised before)
    with portal_network.node("portal").db.session() as session:
        assert list(session.scalars(select(PortalHolder.fugo))) == [fugos[1]]
    client = browser(portal_network)
    assert log_in(portal_network, client, second).endswith("/records")  # the channel goes on
