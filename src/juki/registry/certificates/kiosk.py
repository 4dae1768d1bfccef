"""証明書自動交付システム (001a §2.6 System 6; 001b F-CONV): the municipality's side of
コンビニ交付. J-LIS's 証明書交付センター passes on a request for the holder of a card whose
利用者証明用 certificate JPKI has just found good; this municipality decides who that
holder is from its own record of the card and of the certificate it applied for, makes the
PDF, records it in the 交付履歴 with its fee, and seals it to the kiosk session's key.

Refused, with the reason the kiosk shows and nothing personal: a card this municipality
does not hold or that is not in use here (suspended, abolished, not yet handed over), a
certificate other than the card's latest 利用者証明用 one, a holder no longer a resident,
and anyone under a 支援措置 — the holder too: a kiosk cannot see who stands before it, and
whoever holds the card and its PIN would get the record [juki's choice, as municipalities
stop コンビニ交付 for persons under 支援措置]; the refusal is recorded for the supervisor.
"""

from __future__ import annotations

from cryptography import x509
from sqlalchemy import select

from juki.core.clock import japan_today
from juki.core.kiosk_messages import ISSUED, REFUSED, KioskDocument, KioskRequest, seal_document
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
# 手数料 (条例 of each municipality; 墨田区: 住民票の写し・記載事項証明書 300円 a copy at the
# counter): the same here at the kiosk [juki's choice; a municipality sets its own].
FEES = {"copy": 300, "entries": 300}
REASONS = {
    "card_unknown": "このカードでは交付できません。",
    "card_not_in_use": "このカードは一時停止中または使用できない状態です。",
    "certificate_replaced": "この利用者証明用電子証明書は使用できません。",
    "not_resident": "住民票がないため交付できません。窓口にお問い合わせください。",
    "support_measure": "コンビニ交付はご利用いただけません。窓口にお問い合わせください。",
}


def answer(uow: UnitOfWork, request: KioskRequest) -> KioskDocument:
    person, refused = _holder(uow, request)
    if person is None:
        return _refused(request, refused)
    people = _people(uow, request, person)
    supported = active_measures(uow, [p.id for p in people], japan_today())
    if supported:
        _record_refusal(uow, request, min(supported))
        return _refused(request, "support_measure")
    issued = certificates.issue(uow, _issue_request(request, person))
    assert isinstance(issued, certificates.Issued)  # 支援措置 was checked above
    certificates.record_fee(uow, issued.issue_no, FEES[request.kind])
    return KioskDocument(
        session_id=request.session_id, result=ISSUED, issue_no=issued.issue_no,
        fee_yen=FEES[request.kind],
        sealed_pdf=seal_document(issued.pdf, request.terminal_key, request.session_id),
    )  # fmt: skip


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
