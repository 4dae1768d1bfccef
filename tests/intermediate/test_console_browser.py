"""The 中間サーバー console in a real browser (Debian's Chromium via Playwright): 墨田区's
reviewer logs in (password, then WebAuthn with user verification), finds the answer held
for a person under a 支援措置 in the queue, re-checks the request and the 副本, is refused
when withholding without a reason, and provides it; 千代田区 then reads the answer.
Screenshots are kept in test-artifacts/intermediate-console/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from juki.core.audit import log as audit
from juki.network.embedded import EmbeddedNetwork
from tests.browser import give_node_key, keep_shot, launched, log_in_with_authenticator, serving
from tests.conftest import make_network
from tests.e2e.test_fugo import ADDRESSES, CHIYODA, SUMIDA
from tests.intermediate.test_console import NODE, REVIEWER
from tests.intermediate.test_review import answer_of, held_query
from tests.staff import staff_on

FOLDER = "intermediate-console"


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmbeddedNetwork, str, tuple[str, str]]]:
    network = make_network(
        tmp_path_factory.mktemp(FOLDER), "sqlite", institutions=(SUMIDA, CHIYODA)
    )
    staff_on(network.node(NODE), (REVIEWER,))
    held = held_query(network)  # before serving: the test pumps the messages itself
    with serving(network) as base:
        yield network, f"{base}/intermediate/{SUMIDA}/console", held
    network.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with launched() as chromium:
        yield chromium


def test_a_reviewer_provides_a_held_answer_in_the_browser(
    site: tuple[EmbeddedNetwork, str, tuple[str, str]], browser: Any
) -> None:
    network, console, (query_id, permit_id) = site
    page = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 900}).new_page()
    give_node_key(page, network.node(NODE), REVIEWER.login)
    log_in_with_authenticator(page, console, REVIEWER.login, REVIEWER.password)
    assert "中間サーバー" in page.inner_text("h1")
    assert page.inner_text("#waiting") == "1"
    keep_shot(page, FOLDER, "01-menu")

    page.click("text=自動応答不可の審査")
    page.wait_for_url(f"{console}/reviews")
    queue = page.inner_text("#queue")
    assert "千代田区" in queue
    assert ADDRESSES[SUMIDA] not in queue  # the queue shows no one
    keep_shot(page, FOLDER, "02-queue")

    page.click("text=審査する")
    page.wait_for_url(f"{console}/reviews/{permit_id}")
    assert ADDRESSES[SUMIDA] in page.inner_text("#copy")  # what would be provided
    page.check("#f-withhold")
    page.click("#decide")
    page.wait_for_selector("#e-note")
    assert "理由" in page.inner_text("#e-note")
    keep_shot(page, FOLDER, "03-reason-required")

    page.check("#f-provide")
    page.click("#decide")
    page.wait_for_url(f"{console}/reviews?done=provided")
    assert "提供しました" in page.inner_text("body")
    assert "審査を待っている回答はありません" in page.inner_text("#empty")
    keep_shot(page, FOLDER, "04-provided")

    deadline = time.monotonic() + 20  # the dispatcher delivers in the background
    while answer_of(network, query_id)["outcome"] != "provided" and time.monotonic() < deadline:
        time.sleep(0.1)
    answer = answer_of(network, query_id)
    assert answer["outcome"] == "provided"
    with network.node(NODE).db.session() as session:
        steps = [(e.function, e.result) for e in audit.entries(session, 20)]
    assert ("login.webauthn", "ok") in steps
    assert ("POST /reviews/{permit_id}", "refused") in steps
    assert ("POST /reviews/{permit_id}", "ok") in steps
