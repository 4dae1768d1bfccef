"""継続利用 at the counter in a real browser (issue #15; 001a §3.3 3-⑥): a holder moved from
墨田区 to 千代田区 with the card; 千代田区's card clerk opens the person's page, reports the
card kept in use, and the page then shows the card in use here. Screenshot in
test-artifacts/console/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from juki.network.embedded import EmbeddedNetwork
from tests.browser import launched
from tests.conftest import make_network
from tests.e2e.test_card_continuation import NEW, moved_with_card
from tests.e2e.test_reissue import CARD_CLERK
from tests.kiosk.helpers import Holder, holder
from tests.registry.browser import give_key, require_chromium, served, shot
from tests.staff import staff_on

SUBMIT = "form[action$='/card-continuation'] button[type=submit]"


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmbeddedNetwork, str, int, Holder]]:
    require_chromium()
    folder = tmp_path_factory.mktemp("continuation")
    network = make_network(folder, "sqlite")
    person = holder(network, folder)
    new_id = moved_with_card(network, person)
    staff_on(network.node(f"registry:{NEW}"), (CARD_CLERK,))
    with served(network) as base:
        yield network, f"{base}/registry/{NEW}/console", new_id, person
    network.close()


@pytest.fixture
def page(site: Any) -> Iterator[Any]:
    with launched() as browser:
        context = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 1000})
        yield context.new_page()


def test_the_new_counter_keeps_the_card_in_use(site: Any, page: Any, tmp_path: Path) -> None:
    network, console, new_id, person = site
    give_key(page, network, NEW, CARD_CLERK.login)
    page.goto(f"{console}/login")
    page.fill("#f-login", CARD_CLERK.login)
    page.fill("#f-password", CARD_CLERK.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{console}/login/second")
    page.click("#webauthn-login")
    page.wait_for_url(f"{console}/")
    page.goto(f"{console}/residents/{new_id}")
    page.click("a[href$='/card-continuation']")
    page.fill("#f-card_issue_number", "12AB")  # not a card's number: refused by field
    page.click(SUBMIT)
    assert "card_issue_number" not in page.inner_text("main")  # the message is Japanese
    assert "?done=" not in page.url
    page.fill("#f-card_issue_number", person.card_issue_number)
    page.click(SUBMIT)
    page.wait_for_url(f"{console}/residents/{new_id}?done=card_continued")
    deadline = time.monotonic() + 60
    while person.card_issue_number not in page.inner_text("main"):
        assert time.monotonic() < deadline, page.inner_text("main")
        time.sleep(0.3)
        page.reload()
    assert "交付済" in page.inner_text("#h-cards + table")
    shot(page, "card-continued")
