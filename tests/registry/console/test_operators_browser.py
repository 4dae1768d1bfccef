"""Operator controls in a real browser (Debian's Chromium via Playwright, WebAuthn through
the DevTools protocol's virtual authenticator): an administrator registers a named person,
who enrols an authenticator with the one-time code and logs in; an authenticator that
cannot verify its user is refused; the TOTP fallback an administrator grants with a reason;
a right requested by one administrator and approved by another; a suspension that ends
the running session at once. Screenshots in test-artifacts/console/."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pyotp
import pytest

from juki.network.embedded import EmbeddedNetwork
from tests.conftest import make_network
from tests.registry.browser import (
    CHROMIUM,
    CHROMIUM_ARGS,
    give_key,
    require_chromium,
    served,
    shot,
    virtual_authenticator,
)
from tests.staff import SUPERVISOR, Staff, staff_on, trained

LG = "131075"
ADMIN2 = Staff("ueda.goro", "上田　五郎", "T2002", (("account_admin", "update"),))


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[EmbeddedNetwork, str]]:
    require_chromium()
    network = make_network(tmp_path_factory.mktemp("operators"), "sqlite")
    with served(network) as base:
        staff_on(network.node(f"registry:{LG}"), (ADMIN2,))
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


def new_page(browser: Any) -> Any:
    return browser.new_context(locale="ja-JP", viewport={"width": 1300, "height": 900}).new_page()


def password_step(page: Any, console: str, login: str, password: str) -> None:
    page.goto(f"{console}/login")
    page.fill("#f-login", login)
    page.fill("#f-password", password)
    page.click("button.primary")
    page.wait_for_url(f"{console}/login/second")


def admin_session(browser: Any, site: tuple[EmbeddedNetwork, str], person: Staff) -> Any:
    network, console = site
    page = new_page(browser)
    give_key(page, network, LG, person.login)
    password_step(page, console, person.login, person.password)
    page.click("#webauthn-login")
    page.wait_for_url(f"{console}/")
    return page


def test_a_new_operator_enrols_an_authenticator_and_gets_a_right(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    network, console = site
    admin = admin_session(browser, site, SUPERVISOR)
    admin.goto(f"{console}/operators")
    admin.fill("#f-person_name", "山本　七子")
    admin.fill("#f-employee_no", "T7001")
    admin.fill("#f-login", "kakari")  # a role name: refused
    admin.fill("#f-password", "yamamoto-password-1")
    admin.click("#create-operator")
    assert "共用・役割名" in admin.inner_text(".error-summary")
    admin.fill("#f-login", "yamamoto.nanako")
    admin.fill("#f-password", "yamamoto-password-1")
    admin.click("#create-operator")
    notice = admin.inner_text("#notice")
    code = re.search(r"登録コード[^:]*: ([0-9A-F-]+)", notice)
    assert code is not None
    shot(admin, "20-operator-created")

    # The new operator: password, then the enrolment code, then the authenticator.
    person = new_page(browser)
    virtual_authenticator(person)
    password_step(person, console, "yamamoto.nanako", "yamamoto-password-1")
    person.fill("#f-enrolment_code", "0000-0000-0000-0000")
    person.click("text=登録へ進む")
    assert "登録コードが正しくない" in person.inner_text(".error-summary")
    person.fill("#f-enrolment_code", code.group(1))
    person.click("text=登録へ進む")
    person.click("#webauthn-register")
    person.wait_for_url(f"{console}/")
    assert "住民検索" not in person.inner_text("nav")  # no rights yet
    person.goto(f"{console}/search")
    assert "権限がありません" in person.inner_text("h1")

    # A right: requested by one administrator, approved by another.
    admin.goto(f"{console}/operators")
    admin.fill("#f-right_login", "yamamoto.nanako")
    admin.select_option("#f-duty", "resident_records")
    admin.select_option("#f-access", "read")
    admin.fill("#f-reason", "窓口での照会業務")
    admin.click("#request-right")
    assert "窓口での照会業務" in admin.inner_text("main")
    # The requester is offered no approval (the service would refuse it: 000 ACL-02).
    assert "別の管理者が承認します" in admin.inner_text("#pending")
    assert admin.locator("#pending button:text-is('承認')").count() == 0
    second = admin_session(browser, site, ADMIN2)
    second.goto(f"{console}/operators")
    second.click("button:text-is('承認') >> nth=0")  # not yet trained (001a EDU-1)
    assert "研修の受講記録がありません" in second.inner_text(".error-summary")
    with network.node(f"registry:{LG}").unit_of_work() as uow:
        trained(uow.session, "yamamoto.nanako")  # the training officer's entry
    second.goto(f"{console}/operators")
    second.click("button:text-is('承認') >> nth=0")
    shot(second, "21-right-approved")
    person.goto(f"{console}/search")
    assert "住民検索" in person.inner_text("h1")
    shot(person, "22-new-operator-search")


def test_an_authenticator_without_user_verification_is_refused(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    """000 AUTH-02: the second factor stands for 生体認証, so presence alone is not enough."""
    network, console = site
    page = new_page(browser)
    cdp, authenticator = give_key(page, network, LG, SUPERVISOR.login)
    # The authenticator now reports its user as present but not verified.
    cdp.send(
        "WebAuthn.setUserVerified", {"authenticatorId": authenticator, "isUserVerified": False}
    )
    password_step(page, console, SUPERVISOR.login, SUPERVISOR.password)
    page.click("#webauthn-login")
    # With user verification required, Chromium's authenticator refuses to answer; the
    # server then gets no assertion and refuses the log-in.
    page.wait_for_url("**/login/webauthn")
    assert "認証器" in page.inner_text(".error-summary")
    page.goto(f"{console}/search")
    assert page.url.endswith("/console/login")


def test_totp_fallback_granted_with_a_reason(
    site: tuple[EmbeddedNetwork, str], browser: Any
) -> None:
    _network, console = site
    admin = admin_session(browser, site, ADMIN2)
    admin.goto(f"{console}/operators")
    row = f"[id='op-{SUPERVISOR.login}']"
    admin.click(f"{row} >> text=ワンタイムパスワード取消")  # the test setup's grant
    admin.click(f"{row} >> text=ワンタイムパスワード許可")
    assert "理由を入力してください" in admin.inner_text(".error-summary")
    admin.fill(
        f"{row} >> input[placeholder=生体認証を使えない理由]", "指の怪我で指紋が読めないため"
    )
    admin.fill(f"{row} >> input[name=days]", "7")
    admin.click(f"{row} >> text=ワンタイムパスワード許可")
    uri = re.search(r"(otpauth://\S+)", admin.inner_text("#notice"))
    assert uri is not None
    shot(admin, "23-totp-granted")

    page = new_page(browser)
    password_step(page, console, SUPERVISOR.login, SUPERVISOR.password)
    page.fill("#f-totp", "000000")
    page.click("button:text-is('確認')")
    assert "ワンタイムパスワードが違います" in page.inner_text(".error-summary")
    page.fill("#f-totp", pyotp.parse_uri(uri.group(1)).now())
    page.click("button:text-is('確認')")
    page.wait_for_url(f"{console}/")

    # Suspended by the other administrator: the running session ends at once.
    admin.goto(f"{console}/operators")
    admin.fill(f"{row} >> input[placeholder=停止理由]", "調査のため")
    admin.click(f"{row} >> text=利用停止")
    page.goto(f"{console}/search")
    assert page.url.endswith("/console/login")
    admin.goto(f"{console}/operators")
    admin.click(f"{row} >> text=停止解除")
