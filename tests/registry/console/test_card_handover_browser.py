"""交付 at the counter in a real browser (issue #15; 000 F3-ACQ-04): the clerk with the card
counter's right opens a person's page, finds the card set up and waiting, and hands it over
— refused until the identity document is chosen and both checks are ticked, then recorded
and reported to J-LIS, with the holder's card's public keys sent to JPKI in the same step;
the page then shows the card handed over and the certificates issued, which go onto the
holder's virtual card; then the clerk gives the card's chip (a file) once, which the
holder's card takes. Screenshots in test-artifacts/console/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from sqlalchemy import select

from juki.core.card_chip import ChipImage
from juki.holder.apdu import CardSession
from juki.holder.virtual_card import VirtualCard
from juki.network.embedded import EmbeddedNetwork
from juki.reader.juki_ap import read_resident_code
from juki.registry.cards.models import CardHandover, CardShipmentRow, CertificateApplication
from tests.conftest import make_network
from tests.e2e.test_card_counter import LG, card_made, report
from tests.e2e.test_reissue import CARD_CLERK, card_desk
from tests.registry.browser import CHROMIUM, CHROMIUM_ARGS, give_key, require_chromium, served, shot
from tests.staff import staff_on

REGISTRY = f"registry:{LG}"
SUBMIT = "form[action$='/handover'] button[type=submit]"  # not the header's log-out


@pytest.fixture(scope="module")
def site(
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[tuple[EmbeddedNetwork, str, int, str]]:
    require_chromium()
    network = make_network(tmp_path_factory.mktemp("handover"), "sqlite")
    rid, entry = card_made(network)
    number = entry.card_issue_number
    assert number is not None
    report(network, card_desk(network), number, "ready")  # 交付前設定 (by the desk's system)
    staff_on(network.node(REGISTRY), (CARD_CLERK,))
    with served(network) as base:
        yield network, f"{base}/registry/{LG}/console", rid, number
    network.close()


@pytest.fixture
def page(site: tuple[EmbeddedNetwork, str, int, str]) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(locale="ja-JP", viewport={"width": 1200, "height": 1000})
        yield context.new_page()
        browser.close()


def log_in(page: Any, network: EmbeddedNetwork, console: str) -> None:
    give_key(page, network, LG, CARD_CLERK.login)
    page.goto(f"{console}/login")
    page.fill("#f-login", CARD_CLERK.login)
    page.fill("#f-password", CARD_CLERK.password)
    page.click("button[type=submit]")
    page.wait_for_url(f"{console}/login/second")
    page.click("#webauthn-login")
    page.wait_for_url(f"{console}/")


def test_the_card_is_handed_over_after_the_identity_check_with_its_certificates(
    site: tuple[EmbeddedNetwork, str, int, str], page: Any, tmp_path: Path
) -> None:
    network, console, rid, number = site
    card = VirtualCard.create(tmp_path / "holder.card", number, "JUKI2026", "4831")
    log_in(page, network, console)
    page.goto(f"{console}/residents/{rid}")
    assert "交付前設定済（本人確認のうえ交付）" in page.inner_text("#h-cards + table")
    page.click(f"a[href$='/cards/{number}/handover']")
    page.click(SUBMIT)  # nothing checked yet
    errors = page.inner_text("main")
    assert "id_document" not in errors  # messages in Japanese, beside their fields
    shot(page, "card-handover-refused")
    with network.node(REGISTRY).db.session() as session:
        assert session.scalars(select(CardHandover)).all() == []  # nothing kept
    page.select_option("#f-id_document", "運転免許証")
    page.check("#f-face_matched")
    page.check("#f-notice_presented")
    page.fill("#f-sign_public_key", card.public_keys["sign"])
    page.fill("#f-auth_public_key", card.public_keys["auth"])
    shot(page, "card-handover-form")
    page.click(SUBMIT)
    page.wait_for_url(f"{console}/residents/{rid}?done=card_handed_over")
    deadline = time.monotonic() + 60
    while "発行済（署名用・利用者証明用）" not in page.inner_text("#h-cards + table"):
        assert time.monotonic() < deadline, page.inner_text("#h-cards + table")
        time.sleep(0.3)
        page.reload()
    assert "交付済" in page.inner_text("#h-cards + table")
    shot(page, "card-handed-over")
    with network.node(REGISTRY).db.session() as session:
        (checked,) = session.scalars(select(CardHandover)).all()
        (applied,) = session.scalars(select(CertificateApplication)).all()
        assert (checked.id_document, checked.operator_id) == ("運転免許証", CARD_CLERK.login)
        card.load_certificates(applied.sign_certificate, applied.auth_certificate)
    assert card.authenticate(b"challenge", "4831")  # the holder's card works with them
    # The chip (C22) goes to the holder's card once, as a file; the ward keeps no copy.
    page.click(f"a[href$='/cards/{number}/chip']")
    page.click("form[action$='/chip'] button[type=submit]")  # not confirmed yet
    assert "確認してください" in page.inner_text("main")
    page.check("#f-confirmed")
    shot(page, "card-chip-form")
    with page.expect_download() as downloading:
        page.click("form[action$='/chip'] button[type=submit]")
    chip = ChipImage.model_validate_json(Path(downloading.value.path()).read_text())
    card.add_chip(chip, "5512", "6603")
    signer = x509.load_pem_x509_certificate(chip.signer_certificate.encode())
    assert read_resident_code(CardSession(card).transmit, "6603", signer) == chip.resident_code
    page.goto(f"{console}/residents/{rid}")
    assert "チップの内容を渡す" not in page.inner_text("#h-cards + table")  # given once
    with network.node(REGISTRY).db.session() as session:
        shipped = session.get(CardShipmentRow, number)
        assert shipped is not None
        assert (shipped.chip, shipped.given_by) == (None, CARD_CLERK.login)
    # A 住基 PIN forgotten: the clerk asks J-LIS for the chip again, then gives it once more;
    # the holder's card takes it over its own under new PINs.
    page.click(f"a[href$='/cards/{number}/chip-request']")
    rewrite = "form[action$='/chip-request'] button[type=submit]"
    page.select_option("#f-reason", "pin_reset")
    page.click(rewrite)  # the photo not matched yet: refused beside the field
    assert "/chip-request" in page.url
    page.check("#f-face_matched")
    shot(page, "card-chip-rewrite-form")
    page.click(rewrite)
    page.wait_for_url(f"{console}/residents/{rid}?done=chip_requested")
    deadline = time.monotonic() + 60
    while "チップの内容を渡す" not in page.inner_text("#h-cards + table"):
        assert time.monotonic() < deadline, page.inner_text("#h-cards + table")
        time.sleep(0.3)
        page.reload()
    page.click(f"a[href$='/cards/{number}/chip']")
    page.check("#f-confirmed")
    with page.expect_download() as downloading:
        page.click("form[action$='/chip'] button[type=submit]")
    again = ChipImage.model_validate_json(Path(downloading.value.path()).read_text())
    VirtualCard.load(card.path).add_chip(again, "1357", "2468", rewrite=True)
    reread = read_resident_code(CardSession(VirtualCard.load(card.path)).transmit, "2468", signer)
    assert reread == chip.resident_code
    # 国外転出: the holder hands the card back (返還 = 廃止 and 回収 in one report).
    page.goto(f"{console}/residents/{rid}")
    page.click(f"a[href$='/cards/{number}/report']")
    page.select_option("#f-kind", "returned")
    page.click("form[action$='/report'] button[type=submit]")  # no reason: refused
    assert "理由を入力してください" in page.inner_text("main")
    page.fill("#f-reason", "国外転出")
    shot(page, "card-returned-form")
    page.click("form[action$='/report'] button[type=submit]")
    page.wait_for_url(f"{console}/residents/{rid}?done=card_reported")
    deadline = time.monotonic() + 60
    while "回収済" not in page.inner_text("#h-cards + table"):
        assert time.monotonic() < deadline, page.inner_text("#h-cards + table")
        time.sleep(0.3)
        page.reload()
    shot(page, "card-returned")
