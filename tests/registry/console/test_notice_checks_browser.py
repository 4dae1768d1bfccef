"""届出点検 (001b C-01) at the counter, in a real browser (Debian's Chromium via Playwright),
on SQLite and PostgreSQL: a clerk's household 転入 waits until a second clerk checks it,
then reaches J-LIS; a 差戻し changes nothing; nobody checks their own entry. Screenshots
in test-artifacts/console/."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from typing import Any

import pytest
from sqlalchemy import func, select

from juki.national.models import NationalIdentityRow
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import PendingNotice, Resident
from tests.conftest import BACKENDS, make_network, with_notice_check
from tests.registry.browser import CHROMIUM, CHROMIUM_ARGS, require_chromium, served, shot
from tests.registry.console.test_browser import (
    born_numbered,
    count_residents,
    fill_intake,
    fill_member,
    log_in,
    wait_until,
)

LG = "131075"
FAMILY = [
    ("押上　一郎", "おしあげ　いちろう", "1975-05-05", "1", "世帯主"),
    ("押上　葉子", "おしあげ　ようこ", "1977-07-07", "2", "妻"),
]


@pytest.fixture(scope="module", params=BACKENDS)
def site(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[tuple[EmbeddedNetwork, str]]:
    """A served network with the check on, as `juki up` runs it."""
    require_chromium()
    network = make_network(tmp_path_factory.mktemp("notice-checks"), request.param)
    with_notice_check(network)
    with served(network) as base:
        yield network, f"{base}/registry/{LG}/console"
    network.destroy()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def session_of(browser: Any, console: str, who: str) -> Any:
    page = browser.new_context(locale="ja-JP", viewport={"width": 1300, "height": 900}).new_page()
    log_in(page, console, who)
    return page


def entries(network: EmbeddedNetwork, status: str) -> list[int]:
    with network.node(f"registry:{LG}").db.session() as session:
        return list(session.scalars(select(PendingNotice.id).where(PendingNotice.status == status)))


def at_national(network: EmbeddedNetwork, names: list[str]) -> int:
    """How many of `names` J-LIS's identity file holds (current rows)."""
    with network.node("national").db.session() as session:
        found = session.scalars(
            select(NationalIdentityRow.name_kanji).where(NationalIdentityRow.is_current.is_(True))
        ).all()
    return sum(1 for name in found if name in names)


def address_of(network: EmbeddedNetwork, rid: int) -> str:
    with network.node(f"registry:{LG}").db.session() as session:
        person = session.get(Resident, rid)
        assert person is not None
        return person.address


def test_a_household_move_in_waits_for_a_second_clerk_then_reaches_jlis(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    before = count_residents(network)
    clerk = session_of(browser, console, "clerk")
    clerk.goto(f"{console}/move-in")
    clerk.select_option("#f-origin", "abroad")
    clerk.fill("#f-address", "東京都墨田区押上一丁目1番2号")
    for i, member in enumerate(FAMILY):
        fill_member(clerk, i, *member)
    fill_intake(clerk)
    clerk.click("button.primary")
    clerk.wait_for_url("**/pending-notices/*?done=entered")
    assert "別の職員が点検すると住民票に記録され" in clerk.inner_text(".flash")
    assert clerk.inner_text("#entry-status") == "入力済・点検待ち"
    assert "押上　葉子" in clerk.inner_text("table.entered")
    assert clerk.locator("#confirm").count() == 0  # not for one's own entry
    assert "自分が入力した届出は点検できません" in clerk.inner_text(".decision")
    shot(clerk, "30-notice-entered-waiting-for-check")
    assert count_residents(network) == before  # one clerk alone registered nothing
    assert at_national(network, [m[0] for m in FAMILY]) == 0

    checker = session_of(browser, console, "clerk2")
    (entry_id,) = entries(network, "entered")
    assert "点検待ち 1 件" in checker.inner_text("ul.menu")
    checker.click("ul.menu >> text=届出の点検")
    checker.click(f"#open-{entry_id}")
    assert "押上　一郎" in checker.inner_text("table.entered")
    assert checker.locator("#confirm").is_visible()
    shot(checker, "31-notice-check-page")
    checker.click("#confirm")
    checker.wait_for_url("**/residents/*?done=checked")
    assert "点検し、住民票に反映しました" in checker.inner_text(".flash")
    assert "押上　一郎" in checker.inner_text("dl.items")
    assert count_residents(network) == before + 2
    wait_until(lambda: at_national(network, [m[0] for m in FAMILY]) == 2, timeout=60)
    assert entries(network, "applied") == [entry_id]


def test_a_sent_back_move_within_changes_nothing(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    rid, _code = born_numbered(
        network, LG, "業平　咲", "ナリヒラ　サキ", dt.date(2001, 4, 4),
        "東京都墨田区業平二丁目2番2号",
    )  # fmt: skip
    clerk = session_of(browser, console, "clerk")
    clerk.goto(f"{console}/residents/{rid}/move-within")
    clerk.fill("#f-address", "東京都墨田区業平三丁目3番3号")
    fill_intake(clerk)
    clerk.click("button.primary")
    clerk.wait_for_url("**/pending-notices/*?done=entered")
    entry_id = int(clerk.url.split("/pending-notices/")[1].split("?")[0])

    checker = session_of(browser, console, "clerk2")
    checker.goto(f"{console}/pending-notices/{entry_id}")
    checker.click("#send-back")  # without a reason: refused beside the field
    assert "理由" in checker.inner_text("#e-reason")
    assert entries(network, "entered").count(entry_id) == 1
    checker.fill("#f-reason", "転居先の番地が届書と違う")
    shot(checker, "32-notice-send-back")
    checker.click("#send-back")
    checker.wait_for_url("**/pending-notices?done=sent_back")
    assert address_of(network, rid) == "東京都墨田区業平二丁目2番2号"
    clerk.goto(f"{console}/pending-notices")
    assert "差し戻された自分の入力" in clerk.inner_text("main")
    clerk.goto(f"{console}/pending-notices/{entry_id}")
    assert clerk.inner_text("#send-back-reason") == "転居先の番地が届書と違う"
    assert clerk.inner_text("#entry-status") == "差戻し"


def test_nobody_checks_their_own_entry_at_the_console(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    rid, _code = born_numbered(
        network, LG, "向島　光", "ムコウジマ　ヒカル", dt.date(1999, 9, 9),
        "東京都墨田区向島二丁目2番2号",
    )  # fmt: skip
    checker = session_of(browser, console, "clerk2")  # holds the right, but entered it
    checker.goto(f"{console}/residents/{rid}/move-within")
    checker.fill("#f-address", "東京都墨田区向島三丁目3番3号")
    fill_intake(checker)
    checker.click("button.primary")
    checker.wait_for_url("**/pending-notices/*?done=entered")
    entry_id = int(checker.url.split("/pending-notices/")[1].split("?")[0])
    assert checker.locator("#confirm").count() == 0
    csrf = checker.locator('input[name="csrf"]').first.get_attribute("value")
    forced = checker.request.post(
        f"{console}/pending-notices/{entry_id}/confirm", form={"csrf": csrf}
    )
    assert forced.status == 403
    assert "自分が入力した届出は点検できません" in forced.text()
    clerk = session_of(browser, console, "clerk")  # no right to check
    clerk.goto(f"{console}/pending-notices/{entry_id}")
    assert "届出の点検の権限がありません" in clerk.inner_text(".decision")
    checker.click("#withdraw")
    checker.wait_for_url("**/pending-notices?done=withdrawn")
    assert address_of(network, rid) == "東京都墨田区向島二丁目2番2号"
    with network.node(f"registry:{LG}").db.session() as session:
        withdrawn = session.scalar(
            select(func.count()).where(
                PendingNotice.id == entry_id, PendingNotice.status == "withdrawn"
            )
        )
    assert withdrawn == 1
