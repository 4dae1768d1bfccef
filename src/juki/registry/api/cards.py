"""The card counter (000 §3.3 1-⑪, 8-①): the cards the register holds for a person, and
the counter's operations on a card, reported to J-LIS through the CS (answered 202: the
card's status here follows J-LIS's answer, `registry/cards/service.py`)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request

from juki.core.card_chip import ChipImage
from juki.duties.operators.accounts import Actor
from juki.registry.cards import certificates, continuation, handover, shipments
from juki.registry.cards import service as cards
from juki.registry.cards.handover import HandoverCheck
from juki.registry.cards.schemas import (
    CardRead,
    CardReportCreate,
    CardReportRead,
    CertificateApplicationCreate,
    CertificateApplicationRead,
    ChipRewriteCreate,
    ChipRewriteRead,
    ContinuationCreate,
    ContinuationRead,
)
from juki.registry.residents import service as residents
from juki.web.app import ApiCaller, RecordId, UoW
from juki.web.rights import needs

router = APIRouter()
CardNumber = Annotated[str, Path(pattern=r"^[0-9A-F]{16}$", description="カード発行番号")]


@router.get("/residents/{resident_id}/cards", summary="個人番号カード (カード発行番号と状態)")
@needs("resident_records", "read")
def cards_of(resident_id: RecordId, uow: UoW) -> list[CardRead]:
    residents.get_resident(uow, resident_id)
    return [CardRead.model_validate(card) for card in cards.cards_of(uow, resident_id)]


@router.post(
    "/cards/{card_issue_number}/reports",
    status_code=202,
    summary="カードの交付前設定・交付・一時停止・解除・廃止・回収の報告 (機構へ)",
)
@needs("card_counter", "update")
def report(
    card_issue_number: CardNumber,
    body: CardReportCreate,
    uow: UoW,
    caller: ApiCaller,
    request: Request,
) -> CardReportRead:
    actor = Actor(caller.operator, caller.terminal)
    sent = cards.report(uow, card_issue_number, body.kind, body.reason, actor)
    request.state.audit_targets = (f"カード発行番号={card_issue_number}",)
    return CardReportRead(
        report_id=sent.report_id, kind=sent.kind, card_issue_number=card_issue_number
    )


@router.post(
    "/cards/{card_issue_number}/certificates",
    status_code=202,
    summary="電子証明書の発行申請 (署名用・利用者証明用、機構へ)",
)
@needs("card_counter", "update")
def apply_for_certificates(
    card_issue_number: CardNumber,
    body: CertificateApplicationCreate,
    uow: UoW,
    caller: ApiCaller,
    request: Request,
) -> CertificateApplicationRead:
    actor = Actor(caller.operator, caller.terminal)
    sent = certificates.apply(
        uow, card_issue_number, body.sign_public_key, body.auth_public_key,
        body.id_document.value, actor,
    )  # fmt: skip
    request.state.audit_targets = (f"カード発行番号={card_issue_number}",)
    return CertificateApplicationRead.model_validate(sent)


@router.get(
    "/cards/{card_issue_number}/certificates",
    summary="電子証明書の発行申請と機構の回答 (カードに格納する証明書)",
)
@needs("card_counter", "read")
def certificate_applications(
    card_issue_number: CardNumber, uow: UoW, request: Request
) -> list[CertificateApplicationRead]:
    request.state.audit_targets = (f"カード発行番号={card_issue_number}",)
    found = certificates.applications_of(uow, card_issue_number)
    return [CertificateApplicationRead.model_validate(a) for a in found]


@router.post(
    "/cards/{card_issue_number}/handover",
    status_code=202,
    summary="カードの交付 (本人確認の記録とともに、機構へ報告)",
)
@needs("card_counter", "update")
def hand_over(
    card_issue_number: CardNumber,
    body: HandoverCheck,
    uow: UoW,
    caller: ApiCaller,
    request: Request,
) -> CardReportRead:
    actor = Actor(caller.operator, caller.terminal)
    sent = handover.hand_over(uow, card_issue_number, body, actor)
    request.state.audit_targets = (f"カード発行番号={card_issue_number}",)
    return CardReportRead(
        report_id=sent.report_id, kind=sent.kind, card_issue_number=card_issue_number
    )


@router.post(
    "/cards/{card_issue_number}/chip",
    summary="カードのチップの内容の引渡し (交付後に一度だけ、本人のカードへ)",
)
@needs("card_counter", "update")
def give_chip(
    card_issue_number: CardNumber, uow: UoW, caller: ApiCaller, request: Request
) -> ChipImage:
    """What the contractor wrote on the card (C22), for the holder's card once the 交付 took
    effect; erased here as it is given. It carries the 個人番号."""
    chip = shipments.give(uow, card_issue_number, Actor(caller.operator, caller.terminal))
    request.state.audit_targets = (f"カード発行番号={card_issue_number}",)
    request.state.number_touched = True
    return chip


@router.post(
    "/cards/{card_issue_number}/chip-requests",
    status_code=202,
    summary="チップの内容の再書込みの依頼 (暗証番号の再設定・券面記載事項の変更; 機構へ)",
)
@needs("card_counter", "update")
def request_chip(
    card_issue_number: CardNumber,
    body: ChipRewriteCreate,
    uow: UoW,
    caller: ApiCaller,
    request: Request,
) -> ChipRewriteRead:
    """J-LIS's answer waits here, sealed; `POST …/chip` then gives it once, as after the
    交付."""
    actor = Actor(caller.operator, caller.terminal)
    sent = shipments.request_rewrite(uow, card_issue_number, body.reason, actor)
    request.state.audit_targets = (f"カード発行番号={card_issue_number}",)
    return ChipRewriteRead.model_validate(sent)


@router.get(
    "/cards/{card_issue_number}/chip-requests", summary="チップの内容の再書込みの依頼と結果"
)
@needs("card_counter", "read")
def chip_requests(card_issue_number: CardNumber, uow: UoW) -> list[ChipRewriteRead]:
    cards.card_of(uow, card_issue_number)
    found = shipments.rewrites_of(uow, [card_issue_number])
    return [ChipRewriteRead.model_validate(record) for record in found]


@router.post(
    "/card-continuations", status_code=202, summary="転入者のカードの継続利用 (機構へ報告)"
)
@needs("card_counter", "update")
def continue_use(
    body: ContinuationCreate, uow: UoW, caller: ApiCaller, request: Request
) -> ContinuationRead:
    record = continuation.ask(uow, body, Actor(caller.operator, caller.terminal))
    request.state.audit_targets = (
        f"addressee={body.resident_id}", f"カード発行番号={body.card_issue_number}",
    )  # fmt: skip
    return ContinuationRead.model_validate(record, from_attributes=True)


@router.get(
    "/residents/{resident_id}/card-continuations", summary="カードの継続利用の報告と機構の回答"
)
@needs("card_counter", "read")
def continuations_of(resident_id: RecordId, uow: UoW) -> list[ContinuationRead]:
    residents.get_resident(uow, resident_id)
    return [
        ContinuationRead.model_validate(record, from_attributes=True)
        for record in continuation.continuations_of(uow, resident_id)
    ]


@router.post(
    "/cards/{card_issue_number}/certificate-transfer",
    status_code=202,
    summary="継続利用したカードの電子証明書の引継ぎを機構へ再度依頼",
)
@needs("card_counter", "update")
def transfer_again(
    card_issue_number: CardNumber, uow: UoW, caller: ApiCaller, request: Request
) -> dict[str, str]:
    actor = Actor(caller.operator, caller.terminal)
    request_id = continuation.transfer_again(uow, card_issue_number, actor)
    request.state.audit_targets = (f"カード発行番号={card_issue_number}",)
    return {"request_id": request_id, "status": "sent"}
