"""The counter console in a real browser (Debian's Chromium via Playwright): a household's
転入, 出生, 転居, 死亡 with a new 世帯主, a 住民票の写し opened as PDF, and a refused issue
for a person under 支援措置. Screenshots are kept in test-artifacts/console/."""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import pytest
from sqlalchemy import func, select

from juki.core.clock import japan_today
from juki.network.embedded import EmbeddedNetwork
from juki.registry.models import CertificateIssue, IssueRefusal, Resident
from juki.registry.notices import arrivals, moves, schemas
from juki.registry.residents import service as residents
from tests.conftest import make_network
from tests.e2e.test_card_counter import card_for
from tests.registry.browser import (
    ARTIFACTS,
    CHROMIUM,
    CHROMIUM_ARGS,
    PEOPLE,
    give_key,
    network_of,
    require_chromium,
    served,
    shot,
)
from tests.registry.helpers import FAMILY, INTAKE, move_in_family
from tests.staff import SUPERVISOR

LG = "131075"


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedNetwork, str]]:
    require_chromium()
    network = make_network(tmp_path_factory.mktemp("console"), "sqlite")
    with served(network) as base:
        yield network, f"{base}/registry/{LG}/console"
    network.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser: Any) -> Iterator[Any]:
    context = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 900})
    tab = context.new_page()
    yield tab
    context.close()


def log_in(page: Any, console: str, who: str) -> None:
    """From the keyboard alone: type, Tab, type, Enter; then the second factor, WebAuthn
    with user verification, through the page's virtual authenticator."""
    network, lg = network_of(console)
    person = PEOPLE[who]
    give_key(page, network, lg, person.login)
    page.goto(f"{console}/login")
    # The field has autofocus; a background tab gets it only when brought to the front.
    page.bring_to_front()
    # Autofocus lands once the page is in front: wait for it (fails after 5 s if it never does).
    page.wait_for_function("document.activeElement?.id === 'f-login'", timeout=5000)
    page.keyboard.type(person.login)
    page.keyboard.press("Tab")
    page.keyboard.type(person.password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console}/login/second")
    page.focus("#webauthn-login")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{console}/")


def count_residents(network: EmbeddedNetwork) -> int:
    with network.node(f"registry:{LG}").db.session() as session:
        return session.scalar(select(func.count()).select_from(Resident)) or 0


def wait_for_numbers(network: EmbeddedNetwork, timeout: float = 30) -> None:
    """転入 from abroad: numbers come back from J-LIS through the running dispatcher."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with network.node(f"registry:{LG}").db.session() as session:
            waiting = session.scalar(select(func.count()).where(Resident.awaiting_number.is_(True)))
        if not waiting:
            return
        time.sleep(0.1)
    raise AssertionError("numbers did not arrive")


def fill_member(page: Any, i: int, kanji: str, kana: str, birth: str, sex: str, rel: str) -> None:
    page.fill(f"#f-m{i}_name_kanji", kanji)
    page.fill(f"#f-m{i}_name_kana", kana)
    page.fill(f"#f-m{i}_birth_date", birth)
    page.select_option(f"#f-m{i}_sex", sex)
    page.select_option(f"#f-m{i}_relationship", rel)


def fill_intake(page: Any, notifier: str = "本人", document: str = "個人番号カード") -> None:
    """届出人・本人確認 (001a ACQ-2-1, ACQ-3-1): the clerk must choose both."""
    page.select_option('[name="intake.notifier"]', notifier)
    page.select_option('[name="intake.id_document"]', document)


def move_in_household(page: Any, console: str, *, submit: bool = True) -> None:
    page.goto(f"{console}/move-in")
    page.select_option("#f-origin", "abroad")
    page.fill("#f-address", "東京都墨田区向島一丁目5番8号")
    page.fill("#f-postal_code", "1310033")
    fill_member(page, 0, "向島　一郎", "むこうじま　いちろう", "1980-05-05", "1", "世帯主")
    fill_member(page, 1, "向島　和子", "むこうじま　かずこ", "1982-07-07", "2", "妻")
    fill_member(page, 2, "向島　健太", "むこうじま　けんた", "2012-01-20", "1", "子")
    if submit:
        fill_intake(page)
        page.click("button.primary")


def test_household_life_at_the_counter(site: tuple[EmbeddedNetwork, str], page: Any) -> None:
    network, console = site
    log_in(page, console, "clerk")
    shot(page, "01-menu")

    # A 転入 with mistakes (a name not in kana; no 届出人 or 本人確認書類 chosen): each
    # message sits beside its field and nothing is stored.
    before = count_residents(network)
    move_in_household(page, console, submit=False)
    page.fill("#f-m1_name_kana", "Kazuko")
    page.click("button.primary")
    page.wait_for_load_state()
    assert page.url.endswith("/move-in")
    error = page.locator("#e-m1_name_kana")
    assert "かな" in error.inner_text()
    assert page.locator("#f-m1_name_kana").get_attribute("aria-invalid") == "true"
    for field in ("notifier", "id_document"):
        assert page.locator(f'[id="e-intake.{field}"]').is_visible()
    shot(page, "02-move-in-error")
    assert count_residents(network) == before

    # The household's 転入, corrected: the person came with their My Number card.
    page.fill("#f-m1_name_kana", "むこうじま　かずこ")
    fill_intake(page)
    page.click("button.primary")
    page.wait_for_url("**/residents/*?done=recorded")
    assert "届出を記録しました" in page.inner_text(".flash")
    head_url = page.url.split("?")[0]
    assert count_residents(network) == before + 3
    wait_for_numbers(network)
    page.goto(head_url)
    assert "世帯主" in page.inner_text("dl.items")
    shot(page, "03-head-after-move-in")

    # 出生 into the household.
    page.click("text=出生届（この世帯に）")
    page.fill("#f-name_kanji", "向島　さくら")
    page.fill("#f-name_kana", "むこうじま　さくら")
    page.fill("#f-change_date", (japan_today() - dt.timedelta(days=3)).isoformat())
    page.select_option("#f-sex", "2")
    page.click("button.primary")
    page.wait_for_url("**/residents/*?done=recorded")
    assert "子" in page.inner_text("dl.items")
    shot(page, "04-birth")
    wait_for_numbers(network)

    # 転居 of the whole household: tick every other member.
    page.goto(head_url + "/move-within")
    page.fill("#f-address", "東京都墨田区押上一丁目1番2号")
    fill_intake(page, "世帯員", "運転免許証")
    for box in page.locator("input[type=checkbox][name^=member_]").all():
        box.check()
    page.click("button.primary")
    page.wait_for_url("**/residents/*?done=recorded")
    assert "押上一丁目1番2号" in page.inner_text("dl.items")
    shot(page, "05-move-within")

    # 死亡 of the 世帯主: refused until a new head is named, then recorded.
    page.goto(head_url + "/death")
    page.click("button.primary")
    assert "世帯主がいません" in page.inner_text(".error-summary")
    shot(page, "06-death-needs-new-head")
    wife = page.locator("select[name^=rel_]").nth(1)
    wife.select_option("世帯主")
    page.click("button.primary")
    page.wait_for_url("**/residents/*?done=recorded")
    assert "除票です" in page.inner_text("main")
    shot(page, "07-death")

    # 住民票の写し of the household with 個人番号, opened as PDF.
    page.click("a[href*='/households/']")
    household_url = page.url
    page.goto(household_url + "/certificate")
    page.check("#f-include_individual_number")
    page.click("button.primary")
    page.wait_for_selector("#pdf-link")
    shot(page, "08-issued")
    pdf = page.request.get(urljoin(page.url, page.locator("#pdf-link").get_attribute("href")))
    assert pdf.headers["content-type"] == "application/pdf"
    text = pdf_text(pdf.body())
    assert "住民票（写し）" in text
    for name in ("向島", "和子", "さくら"):
        assert name in text
    assert "一郎" not in text  # the dead are not on the household's copy
    for word in ("令和", "発行番号", "墨田区長"):
        assert word in text
    with network.node(f"registry:{LG}").db.session() as session:
        issued = session.scalars(select(CertificateIssue)).all()
    assert len(issued) == 1
    assert issued[0].issue_no in text

    # 転出 of the son alone: straight on to his 転出証明書.
    page.goto(household_url)
    son = page.locator("tr", has_text="向島　健太").locator("a").first.get_attribute("href")
    page.goto(urljoin(page.url, son) + "/move-out")
    page.fill("#f-destination_address", "埼玉県川越市元町一丁目1番1号")
    fill_intake(page, "代理人", "旅券")
    page.check('[name="intake.proxy_letter_checked"]')
    page.click("button.primary")
    page.wait_for_url("**/move-out-certificate?done=recorded")
    page.click("button.primary")
    page.wait_for_selector("#pdf-link")
    pdf = page.request.get(urljoin(page.url, page.locator("#pdf-link").get_attribute("href")))
    moving_out = pdf_text(pdf.body())
    assert "転出証明書" in moving_out
    assert "埼玉県川越市元町一丁目1番1号" in moving_out
    shot(page, "08b-move-out-certificate")


def test_support_measure_refuses_a_third_party(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    supervisor = browser.new_context(locale="ja-JP").new_page()
    log_in(supervisor, console, "supervisor")
    clerk = browser.new_context(locale="ja-JP").new_page()
    log_in(clerk, console, "clerk")
    move_in_household(clerk, console)
    clerk.wait_for_url("**/residents/*?done=recorded")
    wait_for_numbers(network)
    head_url = clerk.url.split("?")[0]

    supervisor.goto(head_url + "/support")
    supervisor.select_option("#f-kind", "dv")
    supervisor.click("button.primary")
    supervisor.wait_for_url("**?done=support")
    assert "支援措置の対象者です" in supervisor.inner_text("main")

    # A third party asks for the household's copy: refused, recorded, shown to the supervisor.
    clerk.goto(head_url)
    clerk.click("text=住民票の写しの交付")
    clerk.select_option("#f-requester_kind", "third")
    clerk.fill("#f-purpose", "債権回収のため")
    clerk.click("button.primary")
    assert "交付できません" in clerk.inner_text("h1")
    shot(clerk, "09-refused")
    with network.node(f"registry:{LG}").db.session() as session:
        refusals = session.scalars(select(IssueRefusal)).all()
    assert [r.reason for r in refusals] == ["support_measure"]

    supervisor.goto(f"{console}/refusals")
    assert "支援措置" in supervisor.inner_text("table")
    shot(supervisor, "10-refusals")
    supervisor.click("text=確認した")
    assert SUPERVISOR.login in supervisor.inner_text("table")

    # A clerk is not shown the supervisor's page.
    clerk.goto(f"{console}/refusals")
    assert "権限がありません" in clerk.inner_text("h1")

    # The supervisor reads the audit log: the refused issue is there, and the chain holds.
    supervisor.goto(f"{console}/audit")
    assert "改ざんは検出されませんでした" in supervisor.inner_text("main")
    assert "POST /households/{household_id}/certificate" in supervisor.inner_text("table")
    shot(supervisor, "10b-audit-log")
    supervisor.goto(f"{console}/anomalies")
    assert "異常検知" in supervisor.inner_text("h1")


def test_queue_shows_what_went_to_the_cs(site: tuple[EmbeddedNetwork, str], page: Any) -> None:
    network, console = site
    move_in_family(network, FAMILY[:1])  # something sent, whichever tests ran before
    log_in(page, console, "clerk")
    page.goto(f"{console}/queue")
    assert "送信済" in page.inner_text("main")
    assert "本人確認情報の更新" in page.inner_text("table")
    shot(page, "11-queue")


def test_pages_need_a_log_in(site: tuple[EmbeddedNetwork, str], page: Any) -> None:
    _network, console = site
    page.goto(f"{console}/search")
    assert page.url.endswith("/console/login")
    page.fill("#f-login", PEOPLE["clerk"].login)
    page.fill("#f-password", "wrong-password-000")
    page.click("button.primary")
    assert "パスワードが違います" in page.inner_text(".error-summary")


def pdf_text(body: bytes) -> str:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / "juminhyo.pdf"
    Path(path).write_bytes(body)
    result = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, check=True, text=True
    )
    return result.stdout


def wait_until(check: Any, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError("condition not reached")
        time.sleep(0.1)


def born_numbered(
    network: EmbeddedNetwork, lg: str, kanji: str, kana: str, birth: dt.date, address: str
) -> tuple[int, str]:
    """A birth at another municipality, waited for until J-LIS's number is on record;
    returns (宛名番号, 住民票コード)."""
    with network.node(f"registry:{lg}").unit_of_work() as uow:
        notice = schemas.BirthNotice(
            change_date=birth, name_kanji=kanji, name_kana=kana, birth_date=birth, sex="2",
            address=address,
        )  # fmt: skip
        rid = arrivals.record_birth(uow, notice).resident_id

    def numbered() -> bool:
        with network.node(f"registry:{lg}").db.session() as session:
            return not session.get(Resident, rid).awaiting_number

    wait_until(numbered)
    with network.node(f"registry:{lg}").db.session() as session:
        return rid, session.get(Resident, rid).resident_code


def test_special_move_in_then_a_two_person_correction(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    former = "131016"  # 千代田区
    rid, _code = born_numbered(
        network, former, "千代田　遥", "チヨダ　ハルカ", dt.date(2000, 3, 3),
        "東京都千代田区麹町一丁目1番1号",
    )  # fmt: skip
    network.stop_dispatcher()  # the card made and handed over, delivered step by step here
    try:
        card = card_for(network, former, rid)
    finally:
        network.start_dispatcher()
    with network.node(f"registry:{former}").unit_of_work() as uow:
        out = schemas.MoveOutNotice(
            intake=INTAKE,
            change_date=japan_today(),
            destination_address="東京都墨田区業平一丁目1番1号",
        )
        moves.record_move_out(uow, rid, out)
        code = uow.session.get(Resident, rid).resident_code

    clerk = browser.new_context(locale="ja-JP").new_page()
    log_in(clerk, console, "clerk")
    # 3-①: the card presented is read (本人確認 with the card); the national server lists
    # its code as moved out of 千代田区, and the page offers the 特例転入 from there
    clerk.goto(f"{console}/identity-confirmation")
    clerk.fill("#f-resident_code", code)
    clerk.fill("#f-card_issue_number", card)
    clerk.click("button.primary")
    clerk.wait_for_url("**/identity-confirmation/*")
    wait_until(
        lambda: (
            clerk.reload()
            and "カードは利用中です" in clerk.inner_text("main")
            and "待って" not in clerk.inner_text("main")
        )
    )
    clerk.click("text=この本人確認で特例転入の転出証明書情報を請求する")
    assert clerk.input_value("#f-identity_confirmation_id")  # filled from the link
    shot(clerk, "12-special-move-in-ask")
    clerk.click("button.primary")
    clerk.wait_for_url("**/special-move-in/*")
    wait_until(lambda: clerk.reload() and "受信しました" in clerk.inner_text("main"))
    assert "千代田　遥" in clerk.inner_text("dl.items")
    shot(clerk, "12-special-move-in-received")
    clerk.fill("#f-address", "東京都墨田区業平一丁目1番1号")
    fill_intake(clerk)
    clerk.click("button.primary")
    clerk.wait_for_url("**/residents/*?done=recorded")
    assert "東京都千代田区麹町一丁目1番1号" in clerk.inner_text("dl.items")  # 前住所
    resident_url = clerk.url.split("?")[0]

    # 職権修正: entered by one clerk, confirmed by another, approved by the supervisor.
    clerk.goto(resident_url + "/correction")
    clerk.fill("#f-name_kanji", "千代田　遙")
    clerk.fill("#f-reason", "戸籍の記載と照合し誤記を確認")
    clerk.click("button.primary")
    clerk.wait_for_url("**/corrections?done=proposed")
    clerk.click("text=確認する")
    assert "別の職員" in clerk.inner_text("main")
    second = browser.new_context(locale="ja-JP").new_page()
    log_in(second, console, "clerk2")
    second.goto(f"{console}/corrections")
    second.click("text=確認する")
    second.wait_for_url("**?done=confirmed")
    supervisor = browser.new_context(locale="ja-JP").new_page()
    log_in(supervisor, console, "supervisor")
    supervisor.goto(f"{console}/corrections")
    shot(supervisor, "13-correction-awaiting-approval")
    supervisor.click("text=承認して反映する")
    supervisor.wait_for_url("**?done=approved")
    supervisor.goto(resident_url)
    assert "千代田　遙" in supervisor.inner_text("dl.items")
    assert "職権修正" in supervisor.inner_text("table")


def test_a_paper_move_in_waits_for_the_cs_number_check(
    site: tuple[EmbeddedNetwork, str], page: Any
) -> None:
    """001a ACQ-3-2: no card shown, so the number on the paper 転出証明書 is checked through
    the CS first; a wrong number is refused, the right one lets the 転入 be recorded."""
    network, console = site
    former = "131016"  # 千代田区
    rid, code = born_numbered(
        network, former, "千代田　紬", "チヨダ　ツムギ", dt.date(1999, 9, 9),
        "東京都千代田区麹町二丁目1番1号",
    )  # fmt: skip
    with network.node(f"registry:{former}").unit_of_work() as uow:
        out = schemas.MoveOutNotice(
            intake=INTAKE, change_date=japan_today(), destination_address="墨田区"
        )
        moves.record_move_out(uow, rid, out)
        cert = moves.move_out_certificate(uow, residents.get_resident(uow, rid))
    log_in(page, console, "clerk")

    def ask(number: str) -> str:
        page.goto(f"{console}/number-check")
        page.fill("#f-resident_code", code)
        page.fill("#f-individual_number", number)
        page.click("button.primary")
        page.wait_for_url("**/number-check/*")
        wait_until(lambda: page.reload() and "待って" not in page.inner_text("main"))
        return str(page.url.rsplit("/", 1)[1])

    wrong = ask("123456789018")
    assert "一致しません" in page.inner_text("main")
    assert "123456789018" not in page.url
    right = ask(cert.individual_number)
    assert "一致しました" in page.inner_text("main")
    shot(page, "11b-number-check-match")

    def move_in(check_id: str) -> None:
        page.goto(f"{console}/move-in")
        page.fill("#f-previous_lg_code", former)
        page.fill("#f-previous_address", cert.address)
        page.fill("#f-address", "東京都墨田区業平三丁目1番1号")
        fill_member(page, 0, "千代田　紬", "ちよだ　つむぎ", "1999-09-09", "2", "世帯主")
        page.fill("#f-m0_resident_code", code)
        page.fill("#f-m0_individual_number", cert.individual_number)
        page.fill("#f-m0_number_check_id", check_id)
        fill_intake(page, "本人", "運転免許証")
        page.click("button.primary")

    before = count_residents(network)
    move_in(wrong)  # a check of another number: refused beside the field
    page.wait_for_load_state()
    assert page.url.endswith("/move-in")
    assert page.locator("#e-m0_number_check_id").is_visible()
    assert count_residents(network) == before
    move_in(right)
    page.wait_for_url("**/residents/*?done=recorded")
    assert count_residents(network) == before + 1


def test_wide_area_copy_and_a_foreign_resident(
    site: tuple[EmbeddedNetwork, str], page: Any, browser: Any
) -> None:
    network, console = site
    home = "112011"  # 川越市: the person lives there and asks at 墨田区
    _rid, code = born_numbered(
        network, home, "川越　小町", "カワゴエ　コマチ", dt.date(1985, 8, 8),
        "埼玉県川越市元町一丁目2番3号",
    )  # fmt: skip

    log_in(page, console, "clerk")
    page.goto(f"{console}/wide-area")
    page.fill("#f-home_lg_code", home)
    page.fill("#f-resident_code", code)
    page.click("button.primary")
    page.wait_for_url("**/wide-area/*")
    wait_until(lambda: page.reload() and "受信しました" in page.inner_text("main"))
    page.click("text=写しを交付する")
    page.wait_for_selector("#pdf-link")
    pdf = page.request.get(urljoin(page.url, page.locator("#pdf-link").get_attribute("href")))
    text = pdf_text(pdf.body())
    assert "広域交付" in text
    assert "小町" in text
    shot(page, "14-wide-area")

    # 外国人住民の転入 (法30条の46), then its 通称.
    page.goto(f"{console}/foreign-move-in")
    page.fill("#f-name_kanji", "NGUYEN VAN AN")
    page.fill("#f-name_kana", "グエン　ヴァン　アン")
    page.fill("#f-birth_date", "1995-02-03")
    page.select_option("#f-sex", "1")
    page.fill("#f-nationality_code", "VNM")
    page.fill("#f-nationality", "ベトナム")
    page.fill("#f-residence_card_no", "AB1234567")  # one digit short
    page.fill("#f-residence_status", "技能実習")
    page.fill("#f-stay_expires_on", "2028-03-31")
    page.fill("#f-address", "東京都墨田区錦糸一丁目2番1号")
    fill_intake(page, "本人", "在留カード")
    page.click("button.primary")
    assert "在留カード番号" in page.inner_text("#e-residence_card_no")
    page.fill("#f-residence_card_no", "AB12345678CD")
    page.click("button.primary")
    page.wait_for_url("**/residents/*?done=recorded")
    assert "ベトナム" in page.inner_text("dl.items")
    wait_for_numbers(network)
    page.goto(page.url.split("?")[0] + "/alias")
    page.fill("#f-alias", "阮文安")
    page.click("button.primary")
    page.wait_for_url("**?done=recorded")
    assert "阮文安" in page.inner_text("dl.items")
    shot(page, "15-foreign-resident")
    page.goto(f"{console}/immigration-notices")
    assert "国外転入" in page.inner_text("table")
    assert "AB12345678CD" in page.inner_text("table")
    # Copying data out is for administrators (001a USE-4-2): the clerk has no button.
    assert page.locator("#export-needs-right").is_visible()
    admin = browser.new_context(locale="ja-JP").new_page()
    log_in(admin, console, "supervisor")
    admin.goto(f"{console}/immigration-notices")
    with admin.expect_download() as download:
        admin.click("text=作成済みの通知を送付用ファイルに書き出す")
    exported = Path(download.value.path()).read_text(encoding="utf-8-sig")
    assert "AB12345678CD" in exported
    admin.goto(f"{console}/immigration-notices")
    assert "作成済" not in admin.inner_text("table")


def test_the_console_works_from_the_keyboard_alone(
    site: tuple[EmbeddedNetwork, str], page: Any
) -> None:
    """Log in, search and open a resident with Tab, typing and Enter only."""
    network, console = site
    move_in_family(network, FAMILY[:1])  # someone to find, whichever tests ran before
    log_in(page, console, "clerk")
    page.goto(f"{console}/search")
    page.keyboard.press("Tab")  # the skip link comes first
    assert page.evaluate("document.activeElement.textContent") == "本文へ移動"
    page.keyboard.press("Enter")
    page.keyboard.press("Tab")  # into the search form: ふりがな
    assert page.evaluate("document.activeElement.id") == "f-name_kana"
    page.keyboard.type("むこうじま")
    page.keyboard.press("Enter")
    page.wait_for_selector("table")
    link = page.locator("tbody a").first
    link.focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/residents/*")
    assert "住民票" in page.inner_text("h1")
    # Every form field on an event page has a label the keyboard user hears.
    page.goto(page.url + "/number-change")
    for field in page.locator("input:not([type=hidden]), select, textarea").all():
        field_id = field.get_attribute("id")
        assert page.locator(f"label[for='{field_id}']").count() == 1, field_id
    shot(page, "16-number-change-form")


def test_identity_confirmed_with_the_code_from_the_card(
    site: tuple[EmbeddedNetwork, str], page: Any
) -> None:
    """001a §3.5: the 住民票コード read from a card presented at the counter goes to the
    national server through the CS; the screen shows the record on file — never the
    個人番号 — and a code nobody holds says so."""
    network, console = site
    _rid, code = born_numbered(
        network, "131016", "千代田　澪", "チヨダ　ミオ", dt.date(1988, 3, 3),
        "東京都千代田区麹町一丁目1番1号",
    )  # fmt: skip
    log_in(page, console, "clerk")
    page.goto(f"{console}/")
    page.click("a[href$='/identity-confirmation']")
    page.fill("#f-resident_code", code)
    page.click("button.primary")
    page.wait_for_url("**/identity-confirmation/*")
    wait_until(lambda: page.reload() and "待って" not in page.inner_text("main"))
    shown = page.inner_text("#identity")
    assert "千代田　澪" in shown
    assert "昭和63年3月3日" in shown
    assert "東京都千代田区" in shown
    assert code not in page.url
    shot(page, "12-identity-confirmation")
    page.goto(f"{console}/identity-confirmation")
    page.fill("#f-resident_code", "1234567890")  # ten digits: refused by field, not sent
    page.click("button.primary")
    assert "住民票コード" in page.inner_text("main")
    assert "/identity-confirmation/" not in page.url
