"""コンビニ交付 end to end (issue #15; 001b F-CONV, I-26), on SQLite and PostgreSQL: a holder
at a kiosk, the card read and signed through the reader, J-LIS's 証明書交付センター, JPKI's
verdict, 墨田区's 証明書自動交付システム, and the PDF back sealed to the session — and every
way it must refuse."""

from __future__ import annotations

import base64
import datetime as dt
import json
import threading
import time
from pathlib import Path

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding
from cryptography.hazmat.primitives.serialization import Encoding
from fastapi.testclient import TestClient
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.holder.apdu import CardSession
from juki.kiosk import service as centre_rules
from juki.kiosk.models import KioskSession
from juki.kiosk_terminal.client import Centre, CentreRefused
from juki.network.client_auth import ClientAuth
from juki.network.embedded import EmbeddedNetwork
from juki.network.server import network_app
from juki.reader.jpki import CardError, read_auth_certificate, sign_with_auth_key
from juki.registry.certificates.models import CertificateIssue
from juki.registry.support import schemas as support_schemas
from juki.registry.support import service as support
from juki.registry.support.models import IssueRefusal
from tests.e2e.test_card_counter import LG, report
from tests.jpki.helpers import holder_key
from tests.kiosk.helpers import AUTH_PIN, KIOSK, holder, pdf_text, terminal, visit
from tests.registry.helpers import run

REGISTRY = f"registry:{LG}"


def issues_at_the_ward(network: EmbeddedNetwork) -> list[CertificateIssue]:
    with network.node(REGISTRY).db.session() as session:
        found = list(session.scalars(select(CertificateIssue).order_by(CertificateIssue.id)))
        session.expunge_all()
        return found


def sessions_at_the_centre(network: EmbeddedNetwork) -> list[KioskSession]:
    with network.node(KIOSK).db.session() as session:
        found = list(session.scalars(select(KioskSession)))
        session.expunge_all()
        return found


def test_a_holder_gets_their_own_copy_at_the_kiosk(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    person = holder(network, tmp_path)
    centre = terminal(network)
    at = visit(network, centre, person)
    assert at.status == "ready", at.reason
    assert at.fee_yen == 300
    pdf = centre.collect(at)
    assert pdf.startswith(b"%PDF")
    text = pdf_text(pdf)
    assert person.name.replace("\u3000", "") in text.replace("\u3000", "").replace(" ", "")
    assert "住民票（写し）" in text
    # the ward's 交付履歴: the copy, the kiosk as the issuer, the fee once it was collected
    network.pump()
    (issued,) = issues_at_the_ward(network)
    assert (issued.purpose, issued.clerk_login) == ("コンビニ交付", "kiosk")
    assert (issued.delivery, issued.fee_yen) == ("delivered", 300)
    assert json.loads(issued.options)["requester"] == person.resident_id
    assert issued.issue_no == at.issue_no
    assert issued.pdf == pdf
    # the centre keeps nothing of the PDF once it is collected, and gives it once
    (kept,) = sessions_at_the_centre(network)
    assert (kept.status, kept.sealed_pdf, kept.lg_code) == ("collected", None, LG)
    with pytest.raises(CentreRefused):
        centre.collect(at)


def test_a_suspended_card_is_refused_at_the_kiosk_from_the_next_request(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    person = holder(network, tmp_path)
    centre = terminal(network)
    assert visit(network, centre, person).status == "ready"
    report(network, person.desk, person.card_issue_number, "suspended", "紛失の届出")
    refused = visit(network, centre, person)
    assert refused.status == "refused"
    assert refused.reason is not None
    assert "一時保留" in refused.reason
    report(network, person.desk, person.card_issue_number, "resumed")
    assert visit(network, centre, person).status == "ready"
    report(network, person.desk, person.card_issue_number, "abolished", "本人の申出")
    ended = visit(network, centre, person)
    assert ended.status == "refused"
    assert ended.reason is not None
    assert "失効" in ended.reason
    assert len(issues_at_the_ward(network)) == 2


def test_a_supported_person_is_refused_and_the_refusal_kept(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    person = holder(network, tmp_path)
    request = support_schemas.SupportRequest(
        kind="dv", starts_on=japan_today(), registered_by="kanri"
    )
    run(network, support.register_measure, person.resident_id, request)
    at = visit(network, terminal(network), person)
    assert at.status == "refused"
    assert at.reason is not None
    assert "窓口" in at.reason
    assert issues_at_the_ward(network) == []
    with network.node(REGISTRY).db.session() as session:
        (refusal,) = session.scalars(select(IssueRefusal)).all()
        assert (refusal.resident_id, refusal.action) == (person.resident_id, "kiosk")
    # J-LIS's centre learns only that it is not available, not who is protected
    (kept,) = sessions_at_the_centre(network)
    assert kept.refused_code == "not_available"


def test_a_wrong_pin_goes_no_further_than_the_card(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    person = holder(network, tmp_path)
    centre = terminal(network)
    at = centre.open()
    with pytest.raises(CardError) as wrong:
        centre.present(at, CardSession(person.card).transmit, "0000", {"kind": "copy"})
    assert "残り2回" in wrong.value.message
    centre.refresh(at)
    assert at.status == "awaiting_card"  # nothing reached the centre
    assert person.card.tries_left["auth"] == 2
    centre.present(at, CardSession(person.card).transmit, AUTH_PIN, {"kind": "copy"})
    centre.wait(at, network.pump)
    assert at.status == "ready"
    assert person.card.tries_left["auth"] == 3  # a right PIN restores the count


def test_a_signature_replayed_into_another_session_is_refused(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """A recording of one session's certificate and signature, presented in a session of
    its own: the signature is over the first session's challenge."""
    person = holder(network, tmp_path)
    centre = terminal(network)
    first = centre.open()
    reader = CardSession(person.card).transmit
    der = read_auth_certificate(reader)
    signature = sign_with_auth_key(reader, AUTH_PIN, first.to_sign)
    second = centre.open()
    answer = centre.http.post(
        f"/kiosk/sessions/{second.session_id}/presentation",
        json={
            "certificate": base64.b64encode(der).decode(),
            "signature": base64.b64encode(signature).decode(),
            "document": {"kind": "copy"},
        },
    )
    assert answer.status_code == 202, answer.text
    assert answer.json()["status"] == "refused"
    network.pump()
    assert issues_at_the_ward(network) == []


@pytest.mark.parametrize("same_store", [False, True])
def test_another_terminal_cannot_see_or_collect_a_session(
    network: EmbeddedNetwork, tmp_path: Path, same_store: bool
) -> None:
    """Another store's system, or another kiosk of the same store's (same API client,
    another terminal): 404 for both, as for a session that never was."""
    person = holder(network, tmp_path)
    mine = terminal(network, "mine")
    if same_store:
        theirs = Centre(TestClient(network_app(network)))
        assert isinstance(mine.http.auth, ClientAuth)
        theirs.http.auth = ClientAuth(mine.http.auth.key, "kiosk-op", "mine-02")
    else:
        theirs = terminal(network, "theirs")
    at = visit(network, mine, person)
    assert at.status == "ready"
    for method, path in (
        ("GET", f"/kiosk/sessions/{at.session_id}"),
        ("POST", f"/kiosk/sessions/{at.session_id}/collection"),
    ):
        answer = theirs.http.request(method, path)
        assert answer.status_code == 404, answer.text
        assert at.session_id not in answer.text
    assert mine.collect(at).startswith(b"%PDF")


def test_a_signature_certificate_or_a_look_alike_does_not_identify_anyone(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """The 署名用 certificate (it names the holder: not for a kiosk), and a certificate
    with the real one's serial and key made by another CA, each signed for properly."""
    person = holder(network, tmp_path)
    centre = terminal(network)
    real = person.card.certificate("auth")
    assert real is not None
    other_ca = holder_key()
    for kind in ("sign", "lookalike"):
        at = centre.open()
        key = person.card.verify(
            "sign" if kind == "sign" else "auth", "JUKI2026" if kind == "sign" else AUTH_PIN
        )
        if kind == "sign":
            certificate = person.card.certificate("sign")
            assert certificate is not None
        else:
            certificate = (
                x509.CertificateBuilder().subject_name(real.subject).issuer_name(real.issuer)
                .public_key(real.public_key()).serial_number(real.serial_number)
                .not_valid_before(real.not_valid_before_utc)
                .not_valid_after(real.not_valid_after_utc).sign(other_ca, hashes.SHA256())
            )  # fmt: skip
        with network.node(KIOSK).db.session() as session:
            stored = session.get(KioskSession, at.session_id)
            assert stored is not None
            message = centre_rules.signed_message(stored)
        signature = key.sign(message, padding.PKCS1v15(), hashes.SHA256())
        answer = centre.http.post(
            f"/kiosk/sessions/{at.session_id}/presentation",
            json={
                "certificate": base64.b64encode(certificate.public_bytes(Encoding.DER)).decode(),
                "signature": base64.b64encode(signature).decode(),
                "document": {"kind": "copy"},
            },
        )
        assert answer.status_code == 202, answer.text
        centre.wait(at, network.pump)
        assert at.status == "refused", kind
        expected = "利用者証明用" if kind == "sign" else "確認できません"
        assert at.reason is not None
        assert expected in at.reason, (kind, at.reason)
    assert issues_at_the_ward(network) == []


SURNAMES = [
    ("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"),
    ("伊藤", "イトウ"), ("渡辺", "ワタナベ"), ("山本", "ヤマモト"), ("中村", "ナカムラ"),
    ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
]  # fmt: skip


def test_many_kiosks_at_once_each_get_their_own_holders_copy(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """A real kiosk service once printed one resident's 住民票 for another under requests
    made at nearly the same moment. Here every holder stands at their own kiosk and all ask
    at once, with the network delivering in the background; each PDF must name its own
    holder and nobody else, and the ward's 交付履歴 must say the same."""
    people = [
        holder(
            network, tmp_path, name_kanji=f"{kanji}\u3000一郎", name_kana=f"{kana}\u3000イチロウ"
        )
        for kanji, kana in SURNAMES
    ]
    kiosks = [terminal(network, f"store{i}") for i in range(len(people))]
    start = threading.Barrier(len(people))
    results: dict[int, tuple[str, bytes] | BaseException] = {}

    def at_kiosk(i: int) -> None:
        try:
            start.wait()
            at = kiosks[i].open()
            kiosks[i].present(at, CardSession(people[i].card).transmit, AUTH_PIN, {"kind": "copy"})
            kiosks[i].wait(at, lambda: time.sleep(0.05), tries=600)
            assert at.status == "ready", at.reason
            results[i] = (at.issue_no or "", kiosks[i].collect(at))
        except BaseException as failed:  # reported below, with which kiosk
            results[i] = failed

    network.start_dispatcher()
    try:
        threads = [threading.Thread(target=at_kiosk, args=(i,)) for i in range(len(people))]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=300)
    finally:
        network.stop_dispatcher()
    names = [p.name.replace("\u3000", "") for p in people]
    for i, outcome in sorted(results.items()):
        assert not isinstance(outcome, BaseException), (i, outcome)
        text = pdf_text(outcome[1]).replace("\u3000", "").replace(" ", "")
        assert names[i] in text, i
        assert [n for n in names if n in text] == [names[i]], i
    assert len(results) == len(people)
    by_issue = {issue.issue_no: issue for issue in issues_at_the_ward(network)}
    assert len(by_issue) == len(people)
    for i, outcome in results.items():
        assert not isinstance(outcome, BaseException)
        issue_no, pdf = outcome
        assert by_issue[issue_no].pdf == pdf
        assert json.loads(by_issue[issue_no].resident_ids) == [people[i].resident_id]


def test_an_unusable_session_key_is_refused_at_the_door(network: EmbeddedNetwork) -> None:
    """A key nothing can be sealed to (no padding, a low-order point) would make the
    municipality's answer fail and hold up its channel: refused when the session opens."""
    centre = terminal(network)
    for key in ("A" * 43, "A" * 43 + "="):
        answer = centre.http.post("/kiosk/sessions", json={"terminal_key": key})
        assert answer.status_code == 422, answer.text
        assert answer.json()["errors"][0]["field"] == "terminal_key"
    assert sessions_at_the_centre(network) == []


def test_a_holder_under_15_is_refused(network: EmbeddedNetwork, tmp_path: Path) -> None:
    person = holder(network, tmp_path, age=14)
    at = visit(network, terminal(network), person)
    assert at.status == "refused"
    assert at.reason is not None
    assert "15歳未満" in at.reason
    assert issues_at_the_ward(network) == []


def expire(network: EmbeddedNetwork, session_id: str) -> None:
    """The session's ten minutes are over (moved, not waited for)."""
    with network.node(KIOSK).db.session() as session:
        stored = session.get(KioskSession, session_id)
        assert stored is not None
        stored.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)


def test_a_copy_never_collected_is_not_counted_or_charged(
    network: EmbeddedNetwork, tmp_path: Path
) -> None:
    """Made by the ward, but the holder left before printing: the session ends, the PDF is
    dropped at the centre, and the ward's 交付履歴 says undelivered, no fee."""
    person = holder(network, tmp_path)
    centre = terminal(network)
    at = visit(network, centre, person)
    assert at.status == "ready"
    expire(network, at.session_id)
    with pytest.raises(CentreRefused):
        centre.collect(at)
    centre.refresh(at)
    assert at.status == "expired"
    network.pump()  # the centre's word to the ward
    (kept,) = sessions_at_the_centre(network)
    assert kept.sealed_pdf is None
    (issued,) = issues_at_the_ward(network)
    assert (issued.delivery, issued.fee_yen) == ("undelivered", 0)


def test_a_session_that_ended_asks_nothing_more(network: EmbeddedNetwork, tmp_path: Path) -> None:
    """The holder walked away while JPKI was being asked: its answer finds the session
    over, and the ward is asked for nothing."""
    person = holder(network, tmp_path)
    centre = terminal(network)
    at = centre.open()
    centre.present(at, CardSession(person.card).transmit, AUTH_PIN, {"kind": "copy"})
    expire(network, at.session_id)
    network.pump()
    centre.refresh(at)
    assert at.status == "expired"
    (kept,) = sessions_at_the_centre(network)
    assert (kept.status, kept.lg_code) == ("expired", None)
    assert issues_at_the_ward(network) == []
