"""The 住基全国サーバ console in a real browser (Debian's Chromium via Playwright): a J-LIS
operator logs in with a password and then WebAuthn with user verification (Chromium's
virtual authenticator standing for a fingerprint reader: 000 AUTH-01/02 at J-LIS terminals,
F2-USE-02), reads a month's statistics (counts only), is refused the search page it holds
no right to, and logs out. Screenshots are kept in test-artifacts/national-console/."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from juki.network.embedded import EmbeddedNetwork
from tests.browser import give_node_key, keep_shot, launched, log_in_with_authenticator
from tests.conftest import born, resident
from tests.national.test_console import ANALYST, CONSOLE, LG, NODE
from tests.national.test_statistics import THIS_MONTH
from tests.web.console.helpers import new_page

FOLDER = "national-console"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedNetwork, str]]:
    with CONSOLE.served(tmp_path_factory, (ANALYST,)) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


def test_a_jlis_operator_logs_in_biometrically_and_reads_the_statistics(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    code = resident(network, LG, born(network)).resident_code
    page = new_page(browser)
    give_node_key(page, network.node(NODE), ANALYST.login)
    log_in_with_authenticator(page, console, ANALYST.login, ANALYST.password)
    assert "住基全国サーバ" in page.title()
    assert "地方公共団体情報システム機構" in page.inner_text("header")
    keep_shot(page, FOLDER, "01-menu")

    page.click("text=提供件数・更新件数の統計（件数のみ）")
    page.wait_for_url(f"{console}/statistics")
    updates = page.inner_text("#updates")
    assert "東京都" in updates
    assert "出生" in updates
    assert code not in page.content()
    assert "墨田" not in page.content()
    page.fill("#f-month", "2026-13")
    page.click("button.primary")
    page.wait_for_selector("#e-month")
    assert "YYYY-MM" in page.inner_text("#e-month")
    page.fill("#f-month", THIS_MONTH)
    page.click("button.primary")
    page.wait_for_selector("#updates")
    keep_shot(page, FOLDER, "02-statistics")

    refused = page.goto(f"{console}/identity")
    assert refused is not None
    assert refused.status == 403
    assert "権限がありません" in page.inner_text("main")
    keep_shot(page, FOLDER, "03-refused")

    steps = [(e.operator, e.function, e.result) for e in CONSOLE.entries(network, 8)]
    assert (ANALYST.login, "login.webauthn", "ok") in steps
    assert (ANALYST.login, "GET /identity", "refused") in steps
    assert (ANALYST.login, "GET /statistics", "ok") in steps

    page.click("text=ログアウト")
    page.wait_for_url(f"{console}/login")
    page.goto(f"{console}/statistics")
    assert page.url == f"{console}/login"
