"""The 個人番号カード管理システム console in a real browser (Debian's Chromium via Playwright):
a J-LIS card-system operator logs in with a password and then WebAuthn with user
verification (Chromium's virtual authenticator standing for a fingerprint reader: 000
AUTH-01/02 as F3-USE-02 asks), looks up an application — first a mistyped 申請書ID, refused
naming the field, then the right one: its state and history, no 個人番号 —, reads the
statistics (counts only), is refused the operators page it holds no right to, and logs
out. Screenshots are kept in test-artifacts/card-console/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from juki.network.embedded import EmbeddedNetwork
from tests.browser import give_node_key, keep_shot, launched, log_in_with_authenticator
from tests.card.test_console import CONSOLE, registered
from tests.staff import Staff
from tests.web.console.helpers import new_page

FOLDER = "card-console"
OPERATOR = Staff(
    "kubota.ichiro", "久保田　一郎", "C1001", (("card_inquiry", "read"), ("statistics", "read"))
)


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedNetwork, str]]:
    with CONSOLE.served(tmp_path_factory, (OPERATOR,)) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


def test_a_card_system_operator_logs_in_biometrically_and_looks_up_an_application(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    entry, number = registered(network)
    page = new_page(browser)
    give_node_key(page, network.node(CONSOLE.node_id), OPERATOR.login)
    log_in_with_authenticator(page, console, OPERATOR.login, OPERATOR.password)
    assert "個人番号カード管理システム" in page.title()
    assert "地方公共団体情報システム機構" in page.inner_text("header")
    keep_shot(page, FOLDER, "01-menu")

    page.click("text=申請状況照会（申請書ID）")
    page.wait_for_url(f"{console}/applications")
    page.fill("#f-application_id", entry.application_id[:-1])  # one digit short
    page.click("#look-up")
    page.wait_for_selector("#e-application_id")
    assert "23桁" in page.inner_text("#e-application_id")
    keep_shot(page, FOLDER, "02-lookup-error")

    page.fill("#f-application_id", entry.application_id)
    page.click("#look-up")
    page.wait_for_selector("#status")
    assert "申請書送付済み" in page.inner_text("#state")
    assert "送付先情報の受付" in page.inner_text("#history")
    assert number not in page.content()
    assert entry.application_id not in page.url  # posted, never in a URL
    keep_shot(page, FOLDER, "03-lookup")

    page.click("nav >> text=統計")
    page.wait_for_url(f"{console}/statistics")
    assert "件数のみ" in page.inner_text("main")
    assert entry.application_id not in page.content()
    keep_shot(page, FOLDER, "04-statistics")

    refused = page.goto(f"{console}/operators")
    assert refused is not None
    assert refused.status == 403
    assert "権限がありません" in page.inner_text("main")

    steps = [(e.operator, e.function, e.result) for e in CONSOLE.entries(network, 10)]
    assert (OPERATOR.login, "login.webauthn", "ok") in steps
    assert (OPERATOR.login, "POST /applications", "refused") in steps
    assert (OPERATOR.login, "GET /operators", "refused") in steps
    found = [
        e for e in CONSOLE.entries(network, 10)
        if (e.function, e.result) == ("POST /applications", "ok")
    ]  # fmt: skip
    assert json.loads(found[0].targets) == [f"申請書ID={entry.application_id}"]

    page.click("text=ログアウト")
    page.wait_for_url(f"{console}/login")
    page.goto(f"{console}/applications")
    assert page.url == f"{console}/login"
