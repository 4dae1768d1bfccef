"""The 都道府県サーバ console in a real browser (Debian's Chromium via Playwright): a
prefecture operator logs in with a password and then WebAuthn with user verification
(Chromium's virtual authenticator standing for a fingerprint reader: 002 REQ-AUTH-01),
searches by the 4情報 — first too few items, refused naming the field, then enough — and
asks for a batch, which the requester is offered no way to approve; a second operator
approves it in their own browser. Screenshots are kept in test-artifacts/prefecture-console/."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from juki.network.embedded import EmbeddedNetwork
from tests.browser import give_node_key, keep_shot, launched, log_in_with_authenticator
from tests.conftest import born, resident
from tests.duties.provision.test_batch import recipient
from tests.prefecture.test_console import CONSOLE, INQUIRER, LG, NODE, OUTPUT, OUTPUT2
from tests.web.console.helpers import new_page

FOLDER = "prefecture-console"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedNetwork, str]]:
    with CONSOLE.served(tmp_path_factory, (INQUIRER, OUTPUT, OUTPUT2)) as served:
        yield served


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


def test_a_prefecture_operator_logs_in_biometrically_and_searches(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    code = resident(network, LG, born(network)).resident_code
    page = new_page(browser)
    give_node_key(page, network.node(NODE), INQUIRER.login)
    log_in_with_authenticator(page, console, INQUIRER.login, INQUIRER.password)
    assert "都道府県サーバ" in page.title()
    assert "東京都" in page.inner_text("header")
    keep_shot(page, FOLDER, "01-menu")

    page.click("text=本人確認情報の照会（住民票コード・4情報）")
    page.wait_for_url(f"{console}/identity")
    page.fill("#f-purpose", "住民からの問合せへの回答")
    page.fill("#f-name_kana", "スミダ　ハナコ")
    page.click("#search")
    page.wait_for_selector("#e-four_items")
    assert "2項目以上" in page.inner_text("#e-four_items")
    keep_shot(page, FOLDER, "02-search-error")

    page.fill("#f-birth_date", "2026-11-01")
    page.click("#search")
    page.wait_for_selector("#results")
    rows = page.inner_text("#results")
    assert code in rows
    assert "墨田\u3000花子" in rows
    assert "************" in rows
    assert code not in page.url  # posted, never in a URL
    keep_shot(page, FOLDER, "03-search-results")

    steps = [(e.function, e.result) for e in reversed(CONSOLE.entries(network, 6))]
    last = CONSOLE.last_entry(network)
    assert ("login.webauthn", "ok") in steps
    assert ("POST /identity", "refused") in steps
    assert (last.operator, last.function, last.result) == (INQUIRER.login, "POST /identity", "ok")
    assert json.loads(last.targets) == [f"code={code}"]

    page.click("text=ログアウト")
    page.wait_for_url(f"{console}/login")
    page.goto(f"{console}/identity")
    assert page.url == f"{console}/login"


def test_a_batch_is_asked_by_one_operator_and_approved_by_another(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    code = resident(network, LG, born(network)).resident_code
    recipient(network, "tax-bureau", NODE)
    first, second = new_page(browser), new_page(browser)
    give_node_key(first, network.node(NODE), OUTPUT.login)
    give_node_key(second, network.node(NODE), OUTPUT2.login)
    log_in_with_authenticator(first, console, OUTPUT.login, OUTPUT.password)
    first.click("nav >> text=一括提供")
    first.wait_for_url(f"{console}/batches")
    first.select_option("#f-row", "tax-bureau/local_tax")
    first.fill("#f-conditions_csv", f"row_id,resident_code\nr1,{code}\n")
    first.click("#ask-batch")
    first.wait_for_selector("p.flash")
    assert first.locator("button[id^=approve-]").count() == 0  # not for one's own request
    assert "別の職員が承認します" in first.inner_text("#batches")
    keep_shot(first, FOLDER, "04-asked")

    log_in_with_authenticator(second, console, OUTPUT2.login, OUTPUT2.password)
    second.goto(f"{console}/batches")
    second.locator("button[id^=approve-]").click()
    second.wait_for_selector("p.flash")
    assert "実行しました" in second.inner_text("p.flash")
    assert "実行済み" in second.inner_text("#batches")
    keep_shot(second, FOLDER, "05-approved")
