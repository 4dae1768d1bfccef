"""マイナポータル in a real browser (Debian's Chromium via Playwright): the holder opens the
top page, presses ログイン, reads the log-in number into the app (here the test, with the
virtual card and its PIN), and the page follows the log-in to the 情報提供等記録 — who
asked whom for what about them, refusals included; then logs out. Screenshots are kept in
test-artifacts/portal/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from juki.holder.apdu import CardSession
from juki.network.embedded import EmbeddedNetwork
from juki.portal_app.client import PortalApp
from tests.browser import keep_shot, launched, serving
from tests.conftest import make_network
from tests.e2e.test_fugo import CHIYODA, SUMIDA
from tests.e2e.test_portal import sumida_asks_chiyoda
from tests.kiosk.helpers import AUTH_PIN, Holder, holder

FOLDER = "portal"


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmbeddedNetwork, str, Holder]]:
    folder = tmp_path_factory.mktemp(FOLDER)
    network = make_network(folder, "sqlite", institutions=(SUMIDA, CHIYODA))
    person = holder(network, folder)
    sumida_asks_chiyoda(network, person.resident_id)
    sumida_asks_chiyoda(network, person.resident_id, task="児童手当に関する事務")
    with serving(network) as base:
        yield network, base, person
    network.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


def test_a_holder_logs_in_with_the_card_and_reads_the_records(
    site: tuple[EmbeddedNetwork, str, Holder], browser: Any
) -> None:
    _network, base, person = site
    portal = f"{base}/portal"
    page = browser.new_context(locale="ja-JP", viewport={"width": 1100, "height": 800}).new_page()
    page.goto(f"{portal}/")
    assert "マイナンバーカードでログイン" in page.inner_text("#start")
    assert "マイナンバー（個人番号）ではログインできません" in page.inner_text("main")
    keep_shot(page, FOLDER, "01-top")

    page.click("#start")
    page.wait_for_url(f"{portal}/login")
    number = page.get_attribute("#login-code", "data-login")
    assert number is not None
    keep_shot(page, FOLDER, "02-login-number")

    # The holder's app: reads the number, the card signs after the PIN.
    with httpx.Client(base_url=base, timeout=30) as http:
        view = PortalApp(http).log_in(
            page.inner_text("#login-code"), CardSession(person.card).transmit, AUTH_PIN
        )
    assert view["status"] == "checking"

    page.wait_for_selector("#records", timeout=20000)  # the page follows the log-in
    assert "/portal/records/" in page.url
    table = page.inner_text("#records")
    assert "墨田区" in table
    assert "千代田区" in table
    assert "提供なし" in table
    assert "不可" in table
    assert number not in page.url
    keep_shot(page, FOLDER, "03-records")

    page.click("#logout")
    page.wait_for_url(f"{portal}/")
    page.goto(f"{portal}/records")
    assert page.url == f"{portal}/"  # the session ended
