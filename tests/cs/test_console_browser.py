"""The 市町村CS console in a real browser (Debian's Chromium via Playwright): a CS operator
logs in with a password and then WebAuthn with user verification (Chromium's virtual
authenticator standing for a fingerprint reader: 001a USE-2-7, C-08) and reads a person's
本人確認情報 by 住民票コード; the read is in the CS's audit log. Screenshots are kept in
test-artifacts/cs-console/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from juki.core.audit import log as audit
from juki.network.embedded import EmbeddedNetwork
from tests.browser import CHROMIUM, CHROMIUM_ARGS, give_node_key, require_chromium, serving
from tests.conftest import born, make_network, resident
from tests.cs.test_console import INQUIRER, LG, NODE
from tests.staff import staff_on

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "cs-console"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedNetwork, str]]:
    require_chromium()
    network = make_network(tmp_path_factory.mktemp("cs-console"), "sqlite")
    staff_on(network.node(NODE), (INQUIRER,))
    with serving(network) as base:
        yield network, f"{base}/cs/{LG}/console"
    network.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page: Any, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def test_a_cs_operator_logs_in_biometrically_and_reads_a_person(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    code = resident(network, LG, born(network)).resident_code
    page = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 900}).new_page()
    give_node_key(page, network.node(NODE), INQUIRER.login)

    # From the keyboard: the password, then the authenticator (user verification).
    page.goto(f"{console}/login")
    page.bring_to_front()
    # Autofocus lands once the page is in front: wait for it (fails after 5 s if it never does).
    page.wait_for_function("document.activeElement?.id === 'f-login'", timeout=5000)
    assert "市町村CS" in page.title()
    page.keyboard.type(INQUIRER.login)
    page.keyboard.press("Tab")
    page.keyboard.type(INQUIRER.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console}/login/second")
    shot(page, "01-second-factor")
    page.focus("#webauthn-login")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console}/")
    assert "CSメニュー" in page.inner_text("h1")
    shot(page, "02-menu")

    page.click("text=本人確認情報の照会（住民票コード）")
    page.wait_for_url(f"{console}/identity")
    page.fill("#f-resident_code", "123")
    page.click("button.primary")
    page.wait_for_load_state()
    assert "11桁" in page.inner_text("#e-resident_code")
    shot(page, "03-inquiry-error")

    page.fill("#f-resident_code", code)
    page.click("button.primary")
    page.wait_for_selector("#h-found")
    items = page.inner_text("dl.items")
    assert code in items
    assert "墨田\u3000花子" in items
    assert code not in page.url  # posted, never in a URL
    shot(page, "04-inquiry")

    with network.node(NODE).db.session() as session:
        steps = [(e.function, e.result) for e in reversed(audit.entries(session, 5))]
        last = audit.entries(session, 1)[0]
    assert ("login.webauthn", "ok") in steps
    assert ("POST /identity", "refused") in steps
    assert (last.operator, last.function, last.result) == (INQUIRER.login, "POST /identity", "ok")
    assert json.loads(last.targets) == [f"resident_code={code}"]

    # Log-out ends the session: the inquiry page sends back to the log-in.
    page.click("text=ログアウト")
    page.wait_for_url(f"{console}/login")
    page.goto(f"{console}/identity")
    assert page.url == f"{console}/login"
