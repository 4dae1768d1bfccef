"""コンビニ交付 in a real browser (issue #15): the kiosk's Japanese screen, served by the
terminal, in Chromium. The holder places the card, chooses the copy, types a wrong PIN
(the screen says how many tries are left, and nothing reached the centre), then the right
one; the screen waits for the centre and the ward, shows the fee, and prints the PDF —
which names the holder. A suspended card is then refused on the screen. Screenshots in
test-artifacts/kiosk/."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from sqlalchemy import select

from juki.kiosk.models import KioskSession
from juki.kiosk_terminal.app import terminal_app
from juki.network.embedded import EmbeddedNetwork
from tests.browser import free_port, keep_shot, launched, require_chromium, serving
from tests.conftest import make_network
from tests.e2e.test_card_counter import report
from tests.kiosk.helpers import AUTH_PIN, KIOSK, Holder, holder, pdf_text, terminal


def shot(page: Any, name: str) -> None:
    keep_shot(page, "kiosk", name)


@pytest.fixture(scope="module")
def kiosk(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmbeddedNetwork, str, Holder]]:
    require_chromium()
    folder = tmp_path_factory.mktemp("kiosk")
    network = make_network(folder, "sqlite")
    person = holder(network, folder)
    registered = terminal(network, "browser")  # the store's system, registered at the centre
    with serving(network) as base:
        http = httpx.Client(base_url=base, auth=registered.http.auth, timeout=30)
        port = free_port()
        server = uvicorn.Server(
            uvicorn.Config(terminal_app(http), host="127.0.0.1", port=port, log_level="error")
        )
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        try:
            yield network, f"http://127.0.0.1:{port}", person
        finally:
            server.should_exit = True
            thread.join(timeout=10)
    network.close()


@pytest.fixture
def page(kiosk: Any) -> Iterator[Any]:
    with launched() as browser:
        context = browser.new_context(locale="ja-JP", viewport={"width": 1000, "height": 1100})
        yield context.new_page()


def ask(page: Any, site: str, person: Holder, pin: str) -> None:
    page.goto(f"{site}/")
    page.fill("#f-card", str(person.card.path))
    page.check("input[name=kind][value=copy]")
    page.fill("#f-pin", pin)
    page.click("#start")


def test_a_holder_prints_their_copy_at_the_kiosk(kiosk: Any, page: Any) -> None:
    network, site, person = kiosk
    ask(page, site, person, "0000")
    assert "暗証番号が違います（残り2回）" in page.inner_text("#error")
    shot(page, "kiosk-wrong-pin")
    with network.node(KIOSK).db.session() as session:  # nothing was presented to the centre
        assert {s.status for s in session.scalars(select(KioskSession))} <= {"awaiting_card"}
    ask(page, site, person, AUTH_PIN)
    page.wait_for_selector("#print", timeout=30_000)
    assert "300円" in page.inner_text("#fee")
    shot(page, "kiosk-ready")
    with page.expect_download() as printed:  # what the kiosk sends to its printer
        page.click("#print")
    body = Path(printed.value.path()).read_bytes()
    assert body.startswith(b"%PDF")
    text = pdf_text(body).replace("\u3000", "").replace(" ", "")
    assert person.name.replace("\u3000", "") in text


def test_a_suspended_card_is_refused_on_the_screen(kiosk: Any, page: Any) -> None:
    network, site, person = kiosk
    report(network, person.desk, person.card_issue_number, "suspended", "紛失の届出")
    ask(page, site, person, AUTH_PIN)
    page.wait_for_selector("#state.error", timeout=30_000)
    assert "一時保留" in page.inner_text("#state")
    shot(page, "kiosk-suspended")
