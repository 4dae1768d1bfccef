"""証明書自動交付システム (001a §2.6 System 6; 001b F-CONV): the municipality's side of
コンビニ交付. J-LIS's 証明書交付センター passes on a request for the holder of a card whose
利用者証明用 certificate JPKI has just found good; this municipality decides who that
holder is from its own record of the card and of the certificate it applied for, makes the
PDF, records it in the 交付履歴 with its fee, and seals it to the kiosk session's key.

Refused, with the reason the kiosk shows and nothing personal: a card this municipality
does not hold or that is not in use here (suspended, abolished, not yet handed over), a
certificate other than the card's latest 利用者証明用 one, a holder no longer a resident,
a holder under 15 (municipalities' コンビニ交付 is for holders of 15 and over), and anyone
under a 支援措置 — the holder too: a kiosk cannot see who stands before it, and whoever
holds the card and its PIN would get the record [juki's choice, as municipalities stop
コンビニ交付 for persons under 支援措置]; that refusal is recorded for the supervisor, and
the centre is told only "not available" (J-LIS has no need to learn who is protected).

The copy is in the 交付履歴 from when it is made, `delivery` pending; the centre's word
(`kiosk.outcome`) makes it delivered, with its fee, or undelivered (the session ended
before the kiosk collected it), so that no copy is counted, or charged, that nobody got.
"""

from __future__ import annotations

import json

from cryptography import x509
from sqlalchemy import select

from juki.core.birthdays import age_on
from juki.core.clock import japan_today
from juki.core.errors import JukiError, NotFound
from juki.core.kiosk_messages import (
    ISSUED,
    REFUSED,
    KioskDocument,
    KioskOutcome,
    KioskRequest,
    UnusableKey,
    seal_document,
)
from juki.core.messaging.node import UnitOfWork
from juki.registry.cards.models import CertificateApplication, MyNumberCard
from juki.registry.certificates import service as certificates
from juki.registry.certificates.schemas import IssueRequest
from juki.registry.households import service as households
from juki.registry.residents.models import Resident
from juki.registry.residents.pool import now
from juki.registry.support.models import IssueRefusal
from juki.registry.support.service import active_measures

KIOSK_CLERK = "kiosk"  # who issued it, in the 交付履歴: the automatic system
PURPOSE = "コンビニ交付"
# 手数料 (each municipality's 手数料条例): 300円 a copy, as at 墨田区's counter [juki's
# choice: this is not 墨田区's kiosk fee; many municipalities charge less at the kiosk].
FEES = {"copy": 300, "entries": 300}
KIOSK_AGE = 15  # コンビニ交付 serves holders of 15 and over (municipalities' published rules)
REASONS = {
    "card_unknown": "このカードでは交付できません。",
    "card_not_in_use": "このカードは一時停止中または使用できない状態です。",
    "certificate_replaced": "この利用者証明用電子証明書は使用できません。",
    "not_resident": "住民票がないため交付できません。転入された方は、新しい住所の市区町村の"
    "窓口でカードの継続利用の手続をしてください。",
    "under_15": "15歳未満の方はご利用いただけません。窓口で請求してください。",
    "not_available": "コンビニ交付はご利用いただけません。窓口にお問い合わせください。",
    "terminal_key": "端末の鍵が使えません。最初からやり直してください。",
}


def answer(uow: UnitOfWork, request: KioskRequest) -> KioskDocument:
    try:  # before anything is made: a key nothing can be sealed to gets a refusal
        seal_document(b"", request.terminal_key, request.session_id)
    except UnusableKey:
        return _refused(request, "terminal_key")
    person, refused = _holder(uow, request)
    if person is None:
        return _refused(request, refused)
    people = _people(uow, request, person)
    supported = active_measures(uow, [p.id for p in people], japan_today())
    if supported:
        _record_refusal(uow, request, min(supported))
        return _refused(request, "not_available")
    try:  # a raise here would hold up every later request on the centre's channel
        issued = certificates.issue(uow, _issue_request(request, person))
    except JukiError:
        return _refused(request, "not_available")
    if not isinstance(issued, certificates.Issued):  # 支援措置 was checked above
        return _refused(request, "not_available")
    record = certificates.read_issue(uow, issued.issue_no)
    record.delivery = "pending"
    record.options = json.dumps(
        json.loads(record.options) | {"kiosk_session": request.session_id, "requester": person.id}
    )
    return KioskDocument(
        session_id=request.session_id, result=ISSUED, issue_no=issued.issue_no,
        fee_yen=FEES[request.kind],
        sealed_pdf=seal_document(issued.pdf, request.terminal_key, request.session_id),
    )  # fmt: skip


def settle(uow: UnitOfWork, outcome: KioskOutcome) -> None:
    """The centre's word on a copy made here: handed over (the fee taken) or not."""
    try:
        record = certificates.read_issue(uow, outcome.issue_no)
    except NotFound:
        return
    made_for = json.loads(record.options).get("kiosk_session")
    if made_for != outcome.session_id or record.delivery != "pending":
        return  # not a kiosk copy of that session, or settled already
    record.delivery = "delivered" if outcome.delivered else "undelivered"
    record.fee_yen = FEES.get(record.kind, 0) if outcome.delivered else 0


def _holder(uow: UnitOfWork, request: KioskRequest) -> tuple[Resident | None, str]:
    card = uow.session.scalar(
        select(MyNumberCard).where(MyNumberCard.card_issue_number == request.card_issue_number)
    )
    if card is None:
        return None, "card_unknown"
    if card.status != "active":
        return None, "card_not_in_use"
    if _latest_auth_serial(uow, card) != request.serial:
        return None, "certificate_replaced"
    person = uow.session.get(Resident, card.resident_id)
    if person is None or person.status != "resident":
        return None, "not_resident"
    if age_on(person.birth_date, japan_today()) < KIOSK_AGE:
        return None, "under_15"
    return person, ""


def _latest_auth_serial(uow: UnitOfWork, card: MyNumberCard) -> str | None:
    latest = uow.session.scalars(
        select(CertificateApplication)
        .where(
            CertificateApplication.card_id == card.id,
            CertificateApplication.status == "issued",
            CertificateApplication.auth_certificate.is_not(None),
        )
        .order_by(CertificateApplication.requested_at.desc())
    ).first()
    if latest is None or latest.auth_certificate is None:
        return None
    return format(
        x509.load_pem_x509_certificate(latest.auth_certificate.encode()).serial_number, "x"
    )


def _people(uow: UnitOfWork, request: KioskRequest, person: Resident) -> list[Resident]:
    if request.scope == "household":
        return households.members(uow, person.household_id)
    return [person]


def _issue_request(request: KioskRequest, person: Resident) -> IssueRequest:
    household = request.scope == "household"
    return IssueRequest(
        kind=request.kind,
        household_id=person.household_id if household else None,
        resident_ids=[] if household else [person.id],
        include_individual_number=request.include_individual_number,
        include_domicile=request.include_domicile,
        requester_kind="household" if household else "self",
        requester_id=person.id,
        purpose=PURPOSE,
        clerk_login=KIOSK_CLERK,
        terminal_id=request.terminal_id,
    )


def _record_refusal(uow: UnitOfWork, request: KioskRequest, resident_id: int) -> None:
    uow.session.add(
        IssueRefusal(
            resident_id=resident_id, action="kiosk",
            requester_kind="household" if request.scope == "household" else "self",
            reason="support_measure", clerk_login=KIOSK_CLERK,
            terminal_id=request.terminal_id, refused_at=now(),
        )
    )  # fmt: skip


def _refused(request: KioskRequest, code: str) -> KioskDocument:
    return KioskDocument(
        session_id=request.session_id, result=REFUSED, refused_code=code,
        refused_reason=REASONS[code],
    )  # fmt: skip
